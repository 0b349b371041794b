"""How ingested descriptions show on the offer page: sanitised HTML as HTML, plain text escaped."""
import pytest
from lxml import html

from app.ingest.normalise import normalise_description
from tests.factories.catalog import make_job, make_tenant


@pytest.fixture
def tenant(db_session):
    return make_tenant(db_session, slug="ara", region_codes=["84"])


def description_block(client, offer):
    document = html.fromstring(client.get(f"/t/ara/jobs/{offer.id}").get_data(as_text=True))
    [block] = document.xpath("//div[@class='offer-description']")
    return block, document


def test_a_sanitised_html_description_renders_as_html(client, db_session, tenant):
    description = normalise_description("<p>Missions :</p><ul><li>Accueil</li><li>Service</li></ul><script>x()</script>")
    offer = make_job(db_session, description=description.text, details=description.details())

    block, document = description_block(client, offer)

    assert [li.text for li in block.xpath(".//ul/li")] == ["Accueil", "Service"]
    assert not document.xpath("//div[@class='offer-description']//script")
    assert "Description format" not in document.text_content()  # the flag is not a fact to list


def test_html_is_sanitised_again_when_shown(client, db_session, tenant):
    """A row written by something else than ingestion cannot smuggle a script through the flag."""
    offer = make_job(db_session, description='<p onclick="x()">Bonjour</p><img src=x onerror=alert(1)>',
                     details={"description_format": "html"})

    block, _document = description_block(client, offer)

    assert html.tostring(block, encoding="unicode", with_tail=False) == '<div class="offer-description"><p>Bonjour</p></div>'


def test_a_plain_text_description_stays_escaped(client, db_session, tenant):
    offer = make_job(db_session, description="Salaire <b>motivant</b>\nDébut immédiat")

    block, _document = description_block(client, offer)

    assert not block.xpath(".//b")
    assert block.text_content() == "Salaire <b>motivant</b>Début immédiat"


def test_an_inferred_occupation_is_shown_as_such(client, db_session, tenant):
    offer = make_job(db_session, details={"occupation_inferred": "Serveur / Serveuse (G1803)"})

    _block, document = description_block(client, offer)

    assert "Métier (déduit de l'intitulé)" in document.text_content()

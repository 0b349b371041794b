"""The offer page of a deduplicated vacancy: the canonical record, and who else publishes it."""
from lxml import html

from app.dedup.services import deduplicate_all
from tests.factories.catalog import make_job, make_source, make_tenant
from tests.unit.dedup.test_services import TEXT


def vacancy(session, source, **values):
    return make_job(session, source=source, title="Serveur (H/F)", description=TEXT, **values)


def test_the_canonical_page_lists_the_other_publishers_with_their_apply_links(client, db_session):
    make_tenant(db_session, slug="ara")
    canonical = vacancy(db_session, make_source(db_session, name="Brasserie des Terreaux", kind="employer", rank=20))
    vacancy(db_session, make_source(db_session, name="Horizon Intérim", kind="temp_agency", rank=40),
            apply_url="https://www.horizon-interim.example.org/offres/42")
    vacancy(db_session, make_source(db_session, name="Emploi Région", kind="aggregator", rank=60),
            apply_url="javascript:alert(1)")
    deduplicate_all(db_session)
    db_session.commit()

    response = client.get(f"/t/ara/jobs/{canonical.id}")

    assert response.status_code == 200
    section = html.fromstring(response.get_data(as_text=True)).xpath("//section[@class='also-published']")[0]
    assert section.xpath("h2")[0].text_content() == "Aussi publiée par"
    items = [" ".join(item.text_content().split()) for item in section.xpath(".//li")]
    assert items == ["Horizon Intérim (nouvelle fenêtre)", "Emploi Région"]
    assert [a.get("href") for a in section.xpath(".//a")] == ["https://www.horizon-interim.example.org/offres/42"]


def test_a_hidden_duplicate_redirects_permanently_to_the_canonical_page(client, db_session):
    make_tenant(db_session, slug="ara")
    canonical = vacancy(db_session, make_source(db_session, kind="employer", rank=20))
    duplicate = vacancy(db_session, make_source(db_session, kind="aggregator", rank=60))
    deduplicate_all(db_session)
    db_session.commit()

    response = client.get(f"/t/ara/jobs/{duplicate.id}?back=/t/ara/jobs")

    assert response.status_code == 301
    assert response.headers["Location"] == f"/t/ara/jobs/{canonical.id}?back=/t/ara/jobs"


def test_an_offer_without_duplicates_shows_no_such_section(client, db_session):
    make_tenant(db_session, slug="ara")
    alone = vacancy(db_session, make_source(db_session))
    deduplicate_all(db_session)
    db_session.commit()

    page = client.get(f"/t/ara/jobs/{alone.id}").get_data(as_text=True)

    assert "Aussi publiée par" not in page

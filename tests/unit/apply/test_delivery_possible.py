"""No form that cannot deliver: an offer "applied to on the platform" with no address to notify
and no partner webhook shows its source's page (or a clear message), and the form refuses."""

from lxml import html
from sqlalchemy import func, select

from app.apply.models import Application, StoredCv
from app.mail.models import OutboxMessage
from tests.factories.catalog import make_job, make_source
from tests.unit.apply.conftest import application_data
from tests.unit.apply.test_form import FORM, post


def document(response):
    return html.fromstring(response.get_data(as_text=True))


def platform_offer(session, **values):
    return make_job(session, **{"title": "Agent d'accueil", "apply_method": "platform", "apply_email": None,
                                "apply_url": None, "source_url": "https://partenaire.example.org/offres/42",
                                **values})


def test_the_offer_page_shows_the_source_page_instead_of_a_form(client, db_session, tenant):
    offer = platform_offer(db_session)
    page = document(client.get(f"/t/ara/jobs/{offer.id}"))
    assert not page.xpath(f'//a[@href="/t/ara/jobs/{offer.id}/apply"]')
    [link] = page.xpath('//section[@class="apply"]//a[@href="https://partenaire.example.org/offres/42"]')
    assert link.get("target") == "_blank" and "noopener" in link.get("rel")
    assert "Voir l'offre sur le site de" in link.text_content()
    assert "formulaire de candidature n'est pas disponible" in page.xpath('string(//section[@class="apply"])')


def test_without_a_source_page_the_offer_says_so_plainly(client, db_session, tenant):
    offer = platform_offer(db_session, source_url=None)
    page = document(client.get(f"/t/ara/jobs/{offer.id}"))
    assert "n'indique pas comment postuler" in page.xpath('string(//section[@class="apply"])')
    assert not page.xpath('//section[@class="apply"]//a[@class="button"]')


def test_the_form_and_its_submit_refuse_and_nothing_is_stored(app, client, db_session, tenant, uploads):
    offer = platform_offer(db_session)
    shown = client.get(FORM.format(id=offer.id))
    assert shown.status_code == 404
    assert "Candidature impossible ici" in document(shown).findtext(".//h1")
    assert document(shown).xpath('//a[@href="https://partenaire.example.org/offres/42"]')

    sent = post(client, offer, application_data(app, offer))
    assert sent.status_code == 404
    assert "Rien n'a été enregistré" in sent.get_data(as_text=True)
    counts = [db_session.scalar(select(func.count()).select_from(model)) for model in (Application, StoredCv, OutboxMessage)]
    assert counts == [0, 0, 0] and not (uploads.exists() and any(uploads.iterdir()))


def test_a_platform_offer_whose_partner_has_a_webhook_takes_the_form(app, client, db_session, tenant):
    """The webhook delivers: no address is needed; the withdrawal goes the same way."""
    source = make_source(db_session, config={"webhook_url": "https://partenaire.example.org/hooks"},
                         credentials_env="PARTNER")
    offer = platform_offer(db_session, source=source)
    assert client.get(FORM.format(id=offer.id)).status_code == 200
    assert post(client, offer, application_data(app, offer)).status_code == 303
    application = db_session.scalar(select(Application))
    assert application.recruiter_email == ""
    kinds = sorted((m.kind, m.recipient) for m in db_session.scalars(select(OutboxMessage)))
    assert kinds == [("email", "camille.martin@example.org"), ("webhook", "https://partenaire.example.org/hooks")]

    from app.apply import tokens

    with app.test_request_context():
        token = tokens.application_token(tokens.STATUS_SALT, application.public_id)
    assert client.post(f"/applications/{token}/withdraw").status_code == 303
    events = [m.subject for m in db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))]
    assert events == ["application.received", "application.withdrawn"]

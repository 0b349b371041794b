"""One click after sign-in, the applicant's space, and proof that both paths give the
recruiter the same application: same fields, same notifications, same pages."""
import re
from io import BytesIO
from pathlib import Path

from lxml import html
from sqlalchemy import func, select

from app.accounts.models import Applicant, ElsewhereApplication, Identity
from app.apply.models import Application, StoredCv
from app.mail.models import OutboxMessage
from tests.factories.catalog import make_job, make_tenant
from tests.unit.accounts.test_sign_in import sign_in
from tests.unit.apply import cvs
from tests.unit.apply.conftest import application_data
from tests.unit.apply.test_form import post


def csrf(client, path="/account") -> str:
    return html.fromstring(client.get(path).get_data(as_text=True)).xpath('//input[@name="csrf"]/@value')[0]


def setup_offers(session):
    tenant = make_tenant(session, slug="ara", name="Région Auvergne-Rhône-Alpes", contact_email="dpo@region.example.org")
    offers = [make_job(session, title=f"Cuisinier {n}", organisation_name="Brasserie des Terreaux", apply_method="email",
                       apply_email="recrutement@brasserie.example.org", apply_url=None) for n in (1, 2)]
    return tenant, offers


def signed_in_with_cv(client, uploads_cv=cvs.pdf()):
    sign_in(client)
    token = csrf(client)
    response = client.post("/account/cv", data={"csrf": token, "cv": (BytesIO(uploads_cv), "cv-camille.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    return token


def one_click(client, offer, token, message="Disponible dès lundi."):
    return client.post(f"/account/apply/ara/jobs/{offer.id}", data={"csrf": token, "message": message})


def test_one_click_after_sign_in_sends_one_application(browser_client, accounts_session):
    _tenant, (offer, _other) = setup_offers(accounts_session)
    token = signed_in_with_cv(browser_client)
    page = html.fromstring(browser_client.get(f"/account/apply/ara/jobs/{offer.id}").get_data(as_text=True))
    assert "Camille Martin" in page.text_content() and "cv-camille.pdf" in page.text_content()
    assert "Combien de temps" in page.xpath('string(//section[@class="privacy-notice"])')

    assert one_click(browser_client, offer, token).status_code == 303
    assert one_click(browser_client, offer, token).status_code == 200  # pressed twice: still one
    [application] = accounts_session.scalars(select(Application)).all()
    assert (application.channel, application.name, application.email) == ("account", "Camille Martin",
                                                                            "camille.martin@example.org")
    assert "Candidature envoyée" in browser_client.get(f"/account/apply/ara/jobs/{offer.id}").get_data(as_text=True)
    assert accounts_session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_the_first_one_click_brings_the_cv_and_keeps_it(browser_client, accounts_session):
    _tenant, (offer, other) = setup_offers(accounts_session)
    sign_in(browser_client)
    token = csrf(browser_client)
    response = one_click(browser_client, offer, token)
    assert response.status_code == 400
    page = html.fromstring(response.get_data(as_text=True))
    assert page.findtext(".//title").startswith("Erreur : ")
    assert page.xpath('//div[@class="error-summary"]//a/@href') == ["#cv"]

    renamed_exe = browser_client.post(f"/account/apply/ara/jobs/{offer.id}", content_type="multipart/form-data",
                                      data={"csrf": token, "cv": (BytesIO(cvs.exe()), "cv.pdf")})
    assert renamed_exe.status_code == 400

    sent = browser_client.post(f"/account/apply/ara/jobs/{offer.id}", content_type="multipart/form-data",
                               data={"csrf": token, "cv": (BytesIO(cvs.odt()), "cv.odt")})
    assert sent.status_code == 303
    assert one_click(browser_client, other, token).status_code == 303  # the kept CV, no upload
    assert [a.cv.original_name for a in accounts_session.scalars(select(Application))] == ["cv.odt", "cv.odt"]


def test_one_click_is_signed_in_first(browser_client, accounts_session):
    _tenant, (offer, _other) = setup_offers(accounts_session)
    response = browser_client.get(f"/account/apply/ara/jobs/{offer.id}")
    assert response.status_code == 302
    # The tenant's sign-in page: its providers only, and the offer's plain form offered too.
    assert response.headers["Location"] == f"/account/t/ara/sign-in?next=/account/apply/ara/jobs/{offer.id}"
    page = html.fromstring(browser_client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.xpath(f'//a[@href="/t/ara/jobs/{offer.id}/apply"]')


def test_posts_without_the_session_token_are_refused(browser_client, accounts_session):
    _tenant, (offer, _other) = setup_offers(accounts_session)
    signed_in_with_cv(browser_client)
    assert one_click(browser_client, offer, "forged").status_code == 403
    assert browser_client.post("/account/delete").status_code == 403
    assert accounts_session.scalar(select(func.count()).select_from(Applicant)) == 1


def test_space_lists_direct_and_elsewhere_applications_and_deletes_everything(browser_client, accounts_session,
                                                                               accounts_app):
    _tenant, (offer, _other) = setup_offers(accounts_session)
    partner = make_job(accounts_session, title="Serveur chez un partenaire", apply_method="url",
                       apply_url="https://carrieres.example.org/1")
    token = signed_in_with_cv(browser_client)
    one_click(browser_client, offer, token)
    assert browser_client.post(f"/account/applied-elsewhere/ara/jobs/{partner.id}", data={"csrf": token}).status_code == 303

    space = browser_client.get("/account").get_data(as_text=True)
    assert "Cuisinier 1" in space and "Serveur chez un partenaire" in space and "cv-camille.pdf" in space
    uploads = accounts_app.config["UPLOAD_DIR"]
    files = {cv.storage_name for cv in accounts_session.scalars(select(StoredCv))}
    assert len(files) == 2  # the account's CV and the application's copy

    response = browser_client.post("/account/delete", data={"csrf": token})
    assert response.status_code == 200 and "Compte supprimé" in response.get_data(as_text=True)
    for model in (Applicant, Identity, Application, StoredCv, ElsewhereApplication):
        assert accounts_session.scalar(select(func.count()).select_from(model)) == 0, model
    assert not any((Path(uploads) / name).exists() for name in files)
    assert browser_client.get("/account").status_code == 302  # signed out


def test_both_paths_give_the_recruiter_the_same_application(browser_client, accounts_session, accounts_app):
    """The plain form (no account) and one click (signed in) with the same person and CV."""
    _tenant, (by_form_offer, by_account_offer) = setup_offers(accounts_session)
    data = application_data(accounts_app, by_form_offer, phone="", message="Disponible dès lundi.")
    assert post(browser_client, by_form_offer, data).status_code == 303
    token = signed_in_with_cv(browser_client)
    assert one_click(browser_client, by_account_offer, token).status_code == 303

    by_form, by_account = sorted(accounts_session.scalars(select(Application)), key=lambda a: a.channel, reverse=True)
    assert (by_form.channel, by_account.channel) == ("form", "account")
    fields = ("name", "email", "phone", "message", "recruiter_email", "status", "tenant_id")
    assert [getattr(by_form, f) for f in fields] == [getattr(by_account, f) for f in fields]
    assert (by_form.cv.original_name, by_form.cv.media_type, by_form.cv.size) == (
        by_account.cv.original_name, by_account.cv.media_type, by_account.cv.size)

    def mails_about(offer):
        return [(m.recipient, m.subject.replace(offer.title, "OFFER"), normalise(m.body, offer))
                for m in accounts_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
                if offer.title in m.subject]

    assert mails_about(by_form_offer) == mails_about(by_account_offer)

    def recruiter_page(application, offer):
        [link] = [re.search(r"/recruiter/applications/\S+", m.body).group(0)
                  for m in accounts_session.scalars(select(OutboxMessage))
                  if m.recipient == application.recruiter_email and offer.title in m.subject]
        page = html.fromstring(browser_client.get(link).get_data(as_text=True))
        return [" ".join(dd.text_content().split()) for dd in page.xpath("//dd")][2:]  # after offer and date

    assert recruiter_page(by_form, by_form_offer) == recruiter_page(by_account, by_account_offer)


def normalise(body: str, offer) -> str:
    body = body.replace(offer.title, "OFFER").replace(offer.partner_id, "REFERENCE")
    return re.sub(r"http://jobtab\.test/\S+", "LINK", body)

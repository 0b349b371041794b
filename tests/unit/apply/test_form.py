"""The plain form, no account and no cookie: success, every refusal, anti-abuse, idempotency."""
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from lxml import html
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from app.apply.models import Application, StoredCv
from app.mail.models import OutboxMessage
from tests.unit.apply import cvs
from tests.unit.apply.conftest import application_data, form_token

FORM = "/t/ara/jobs/{id}/apply"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def document(response):
    return html.fromstring(response.get_data(as_text=True))


def nothing_stored(session, uploads) -> bool:
    files = list(uploads.iterdir()) if uploads.exists() else []
    return (count(session, Application), count(session, StoredCv), count(session, OutboxMessage), files) == (0, 0, 0, [])


def post(client, offer, data, **headers):
    """POST the form as multipart. The body is built here so that its temporary file (for
    big uploads) is closed afterwards: Werkzeug's test client leaves it open."""
    builder = EnvironBuilder(path=FORM.format(id=offer.id), method="POST", data=data,
                             content_type="multipart/form-data", headers=headers)
    environ = builder.get_environ()
    builder.close()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


def test_offer_page_links_to_the_form_and_the_form_has_the_notice(client, offer):
    page = document(client.get(f"/t/ara/jobs/{offer.id}"))
    assert page.xpath(f'//a[@href="/t/ara/jobs/{offer.id}/apply"]')

    response = client.get(FORM.format(id=offer.id))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    form = document(response)
    names = {e.get("name") for e in form.xpath("//form[@enctype='multipart/form-data']//*[@name]")}
    assert names == {"form_token", "name", "email", "phone", "cv", "message", "website"}
    notice = form.xpath('string(//section[@class="privacy-notice"])')
    for words in ("Brasserie des Terreaux", "Région Auvergne-Rhône-Alpes", "Pourquoi", "Combien de temps",
                  "3 mois", "supprimer", "dpo@region.example.org", "CNIL"):
        assert words in notice
    assert form.xpath('//input[@id="email"]/@autocomplete') == ["email"]
    assert form.xpath('//input[@id="website"]/@tabindex') == ["-1"]


def test_a_valid_application_is_stored_with_its_cv_and_two_emails_queued(app, client, db_session, offer, uploads):
    response = post(client, offer, application_data(app, offer))

    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    confirmation = client.get(response.headers["Location"])
    assert "Candidature envoyée" in confirmation.get_data(as_text=True)
    assert confirmation.headers["Cache-Control"] == "no-store"

    [application] = db_session.scalars(select(Application)).all()
    assert (application.name, application.email, application.phone, application.status, application.channel) == (
        "Camille Martin", "camille.martin@example.org", "06 12 34 56 78", "received", "form")
    assert application.message == "Bonjour,\nJe suis disponible dès lundi."
    assert application.recruiter_email == "recrutement@brasserie.example.org"
    [stored] = uploads.iterdir()
    assert stored.name == application.cv.storage_name and stored.read_bytes() == cvs.pdf()
    assert stored.stat().st_mode & 0o777 == 0o600
    assert application.cv.original_name == "cv-camille.pdf" and application.cv.media_type == "application/pdf"
    recipients = sorted(m.recipient for m in db_session.scalars(select(OutboxMessage)))
    assert recipients == ["camille.martin@example.org", "recrutement@brasserie.example.org"]


def test_a_double_submit_makes_one_application(app, client, db_session, offer):
    data = application_data(app, offer)
    first = post(client, offer, data)
    second = post(client, offer, {**data, "cv": (BytesIO(cvs.pdf()), "cv.pdf")})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"].split("/sent/")[0] == second.headers["Location"].split("/sent/")[0]
    assert count(db_session, Application) == 1 and count(db_session, OutboxMessage) == 2


@pytest.mark.parametrize("content, filename, message", [
    (cvs.exe(), "cv.pdf", "PDF, un DOCX ou un ODT"),
    (b"", "cv.pdf", "vide"),
    (b"%PDF-" + b"0" * (5 * 1024 * 1024), "cv.pdf", "5 Mo"),
    (cvs.plain_zip(), "cv.docx", "PDF, un DOCX ou un ODT"),
    (cvs.odt(), "cv.docx", "PDF, un DOCX ou un ODT"),
    (b"<html><script>alert(1)</script></html>", "cv.pdf", "PDF, un DOCX ou un ODT"),
    (cvs.docx_with_macros(), "cv.docx", "macros"),
    (cvs.docx_with_symlink(), "cv.docx", "endommagé"),
    (cvs.docx_with_parent_path(), "cv.docx", "endommagé"),
    (cvs.pdf(), "../../etc/cv.pdf", "nom du fichier"),
    (cvs.pdf(), "cv.pdf\x00.php", "nom du fichier"),
])
def test_bad_files_are_refused_with_the_values_kept_and_nothing_stored(
        app, client, db_session, offer, uploads, content, filename, message):
    response = post(client, offer, application_data(app, offer, cv=(BytesIO(content), filename)))

    assert response.status_code == 400
    page = document(response)
    assert page.findtext(".//title").startswith("Erreur : ")
    assert message in page.xpath('string(//p[@id="cv-error"])')
    assert page.xpath('//div[@class="error-summary"]//a/@href') == ["#cv"]
    assert page.xpath('//input[@id="name"]/@value') == ["Camille Martin"]
    assert page.xpath('//textarea[@id="message"]/text()') == ["Bonjour,\nJe suis disponible dès lundi."]
    assert "choisissez-le à nouveau" in page.xpath('string(//p[@id="cv-hint"])')
    assert page.xpath('//input[@id="cv"]/@aria-invalid') == ["true"]
    assert nothing_stored(db_session, uploads)


def test_a_zip_bomb_disguised_as_docx_is_refused(app, client, db_session, offer, uploads):
    bomb = cvs.zip_bomb_docx()
    assert len(bomb) < 1024 * 1024
    response = post(client, offer, application_data(app, offer, cv=(BytesIO(bomb), "cv.docx")))
    assert response.status_code == 400
    assert "endommagé" in document(response).xpath('string(//p[@id="cv-error"])')
    assert nothing_stored(db_session, uploads)


@pytest.mark.parametrize("content, filename", [(cvs.docx(), "cv.docx"), (cvs.odt(), "CV Camille.odt"), (cvs.pdf(), "cv.PDF")])
def test_real_docx_and_odt_are_accepted(app, client, db_session, offer, content, filename):
    response = post(client, offer, application_data(app, offer, cv=(BytesIO(content), filename)))
    assert response.status_code == 303
    assert db_session.scalar(select(Application)).cv.original_name == filename


def test_a_twenty_megabyte_upload_is_refused_with_the_values_kept(app, client, db_session, offer, uploads):
    """The form's POST may be up to APPLY_MAX_REQUEST_BYTES (32 MB): the CV field is refused
    like any other bad file, and nothing the applicant typed is lost."""
    big = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    response = post(client, offer, application_data(app, offer, cv=(BytesIO(big), "cv.pdf")))
    assert response.status_code == 400
    page = document(response)
    assert "dépasse 5 Mo" in page.xpath('string(//p[@id="cv-error"])')
    assert page.xpath('//div[@class="error-summary"]//a/@href') == ["#cv"]
    assert page.xpath('//input[@id="name"]/@value') == ["Camille Martin"]
    assert page.xpath('//textarea[@id="message"]/text()') == ["Bonjour,\nJe suis disponible dès lundi."]
    assert nothing_stored(db_session, uploads)


def test_beyond_the_bound_a_413_page_explains_and_leads_back(app, client, db_session, offer, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "APPLY_MAX_REQUEST_BYTES", 8 * 1024 * 1024)
    big = b"%PDF-" + b"0" * (9 * 1024 * 1024)
    response = post(client, offer, application_data(app, offer, cv=(BytesIO(big), "cv.pdf")))
    assert response.status_code == 413
    page = document(response)
    assert page.findtext(".//title").startswith("Erreur : ")
    assert "plus gros que 5 Mo" in page.text_content()
    assert "Revenir au formulaire" in page.xpath(f'//main//a[@href="/t/ara/jobs/{offer.id}/apply"]/text()')
    assert nothing_stored(db_session, uploads)


@pytest.mark.parametrize("field, value, anchor", [
    ("name", "", "#name"),
    ("name", "Camille\r\nBcc: victim@example.org", "#name"),
    ("email", "camille@example.org\r\nBcc: victim@example.org", "#email"),
    ("email", "Camille <camille@example.org>", "#email"),
    ("email", "pas-une-adresse", "#email"),
    ("phone", "appelez-moi", "#phone"),
    ("message", "x" * 5001, "#message"),
])
def test_field_errors_are_summarised_and_linked(app, client, db_session, offer, uploads, field, value, anchor):
    response = post(client, offer, application_data(app, offer, **{field: value}))
    assert response.status_code == 400
    page = document(response)
    assert page.findtext(".//title").startswith("Erreur : ")
    assert page.xpath('//div[@class="error-summary"]//a/@href') == [anchor]
    described = page.xpath(f'//*[@id="{anchor[1:]}"]/@aria-describedby')[0].split()
    assert f"{anchor[1:]}-error" in described
    assert nothing_stored(db_session, uploads)


def test_missing_or_forged_form_token_is_refused_with_values_kept(app, client, db_session, offer, uploads):
    for token in ("", "forged.token.value", form_token(app, offer.id + 1000)):
        response = post(client, offer, application_data(app, offer, form_token=token))
        assert response.status_code == 400
        page = document(response)
        assert "n'a pas pu être vérifié" in page.xpath('string(//div[@class="error-summary"])')
        assert page.xpath('//input[@id="email"]/@value') == ["camille.martin@example.org"]
        assert page.xpath('//input[@name="form_token"]/@value')[0]
    assert nothing_stored(db_session, uploads)


def test_an_expired_form_is_shown_again_with_the_values_and_a_fresh_token(app, client, db_session, offer, uploads):
    data = application_data(app, offer)
    with time_machine.travel(timedelta(hours=25)):
        response = post(client, offer, data)
        assert response.status_code == 400
        page = document(response)
        assert "ouvert depuis longtemps" in page.xpath('string(//div[@class="error-summary"])')
        assert page.xpath('//input[@id="name"]/@value') == ["Camille Martin"]
        fresh = page.xpath('//input[@name="form_token"]/@value')[0]
    assert nothing_stored(db_session, uploads)

    with time_machine.travel(timedelta(hours=25, minutes=1)):
        again = post(client, offer, {**application_data(app, offer), "form_token": fresh})
    assert again.status_code == 303 and count(db_session, Application) == 1


def test_too_fast_a_submit_is_refused_politely(app, client, db_session, offer, uploads):
    response = post(client, offer, application_data(app, offer, form_token=form_token(app, offer.id, seconds_ago=0)))
    assert response.status_code == 400
    assert "très vite" in document(response).xpath('string(//div[@class="error-summary"])')
    assert nothing_stored(db_session, uploads)


def test_the_honeypot_gets_a_confirmation_and_nothing_is_stored(app, client, db_session, offer, uploads):
    response = post(client, offer, application_data(app, offer, website="https://spam.example"))
    assert response.status_code == 200
    assert "Candidature envoyée" in response.get_data(as_text=True)
    assert nothing_stored(db_session, uploads)


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://evil.example"}, {"Origin": "null"}])
def test_posts_from_another_site_are_refused(app, client, db_session, offer, uploads, headers):
    response = post(client, offer, application_data(app, offer), **headers)
    assert response.status_code == 403
    assert nothing_stored(db_session, uploads)


def test_a_post_from_inside_the_iframe_is_same_origin_and_accepted(app, client, offer):
    response = post(client, offer, application_data(app, offer), **{"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert response.status_code == 303


def test_rate_limit_per_email_address_answers_429_with_a_clear_page(app, client, db_session, offer, monkeypatch):
    monkeypatch.setitem(app.config, "APPLY_LIMIT_PER_EMAIL", "2 per day")
    statuses = [post(client, offer, application_data(app, offer)).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    last = post(client, offer, application_data(app, offer, email="autre@example.org"))
    assert last.status_code == 303  # another address is not held back


def test_rate_limit_per_offer(app, client, db_session, offer, monkeypatch):
    monkeypatch.setitem(app.config, "APPLY_LIMIT_PER_OFFER", "1 per hour")
    assert post(client, offer, application_data(app, offer)).status_code == 303
    response = post(client, offer, application_data(app, offer, email="b@example.org"))
    assert response.status_code == 429
    assert "Trop de demandes" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers


def test_offers_without_an_address_or_expired_have_no_form(client, db_session, tenant):
    from tests.factories.catalog import NOW, make_job

    by_url = make_job(db_session, apply_method="url")
    expired = make_job(db_session, apply_method="email", apply_email="r@example.org", expires_at=NOW - timedelta(days=400))
    for job in (by_url, expired):
        assert client.get(FORM.format(id=job.id)).status_code == 404


def test_twin_requests_racing_past_the_check_still_make_one_application(app, client, db_session, offer, uploads,
                                                                        monkeypatch):
    """The unique key decides when two identical posts both pass the look-up before either commits."""
    from app.apply import services

    data = application_data(app, offer)
    first = post(client, offer, data)
    real_find = services.find_by_key
    calls = []

    def not_yet_committed(session, key):  # the first look-up misses the twin, as in a race
        calls.append(key)
        return None if len(calls) == 1 else real_find(session, key)

    monkeypatch.setattr(services, "find_by_key", not_yet_committed)
    second = post(client, offer, {**data, "cv": (BytesIO(cvs.pdf()), "cv.pdf")})

    assert second.status_code == 303 and len(calls) == 2
    assert first.headers["Location"].split("/sent/")[0] == second.headers["Location"].split("/sent/")[0]
    assert count(db_session, Application) == 1 and count(db_session, OutboxMessage) == 2
    assert len(list(uploads.iterdir())) == 1  # the loser's file is gone

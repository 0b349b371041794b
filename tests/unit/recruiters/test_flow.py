"""The posting flow on the post tab: question pages without cookies, checked on the server,
values kept on every error; submit, verify by a signed single-use link, then moderation."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from app.apply.models import Application
from app.catalog.models import JobOffer
from app.recruiters import forms, services
from app.recruiters.models import Posting
from tests.unit.recruiters.conftest import deliver, links_in, mail_to
from tests.unit.recruiters.flow import (
    GOOD_ANSWERS, answer, error_summary, fill_draft, hidden_fields, page_of, start, submit,
)

RECRUITER = "patron@brasserie.example.org"
INJECTIONS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>')


def posting_at(db_session, path: str) -> Posting:
    public_id = path.split("/post/")[1].split("/")[0]
    db_session.expire_all()
    return db_session.scalar(select(Posting).where(Posting.public_id == public_id))


def approve(app, db_session, path: str) -> Posting:
    """A moderator approves the posting (the staff queue calls the same service)."""
    with app.test_request_context():
        posting = posting_at(db_session, path)
        services.approve(db_session, posting, "moderation@region.example.org", datetime.now(timezone.utc))
        db_session.commit()
    posting = posting_at(db_session, path)
    assert posting.offer is not None  # loaded now: the next request closes this session
    return posting


def verify_from_email(client, db_session, smtp):
    assert deliver(db_session, smtp).sent >= 1
    [message] = [m for m in mail_to(smtp, RECRUITER) if "Confirmez" in m["Subject"]]
    [path] = links_in(message)
    return path


# --- The whole story -----------------------------------------------------------------------

def test_post_verify_and_publish_without_any_cookie(app, client, db_session, tenant, smtp):
    check = fill_draft(client)
    response = submit(client, check)
    assert response.status_code == 303 and response.headers["Location"].endswith("/sent")
    assert not client.get_cookie("session") and not list(client._cookies)  # nothing was ever set
    posting = posting_at(db_session, check)
    assert posting.status == "unverified" and posting.offer is None
    assert (posting.company_name, posting.siret, posting.company_commune_code, posting.contact_email) == (
        "Brasserie des Terreaux", "73282932000074", "69123", RECRUITER)
    assert posting.fields["occupation_code"] == "G1609"  # "Cuisinier / Cuisinière" is a ROME 4 title
    assert posting.fields["start_date"] == "2099-01-04"

    verify_link = verify_from_email(client, db_session, smtp)
    confirm = client.get(verify_link)  # a GET changes nothing (mail scanners follow links)
    assert confirm.status_code == 200 and posting_at(db_session, check).status == "unverified"
    verified = client.post(verify_link)
    assert verified.status_code == 303
    posting = posting_at(db_session, check)
    assert posting.status == "pending" and posting.email_verified_at is not None
    assert [p.public_id for p in services.moderation_queue(db_session, tenant.id)] == [posting.public_id]
    assert client.get(verified.headers["Location"]).status_code == 200

    posting = approve(app, db_session, check)
    jobs = client.get("/t/ara/jobs")
    assert "Cuisinier / Cuisinière" in jobs.text
    page = client.get(f"/t/ara/jobs/{posting.offer.id}")
    assert page.status_code == 200 and "dresser les assiettes" in page.text
    assert "Date de début : 4 janvier 2099" in page.text
    assert client.get(f"/t/ara/jobs/{posting.offer.id}/apply").status_code == 200  # the plain form


def test_policy_after_publishes_at_verification(app, client, db_session, tenant, smtp):
    tenant.moderation_policy = "after"
    db_session.commit()
    check = fill_draft(client)
    submit(client, check)
    client.post(verify_from_email(client, db_session, smtp))
    posting = posting_at(db_session, check)
    assert posting.status == "published" and posting.moderated_at is None
    assert posting.offer.expires_at == posting.expires_at
    assert [p.id for p in services.moderation_queue(db_session, tenant.id)] == [posting.id]
    deliver(db_session, smtp)
    assert any("est en ligne" in m["Subject"] for m in mail_to(smtp, RECRUITER))


def test_pages_have_back_links_continue_and_check_answers_with_change_links(client, db_session, tenant):
    first = start(client)
    company = client.get(first)
    document = page_of(company)
    assert document.xpath("//p[@class='back-link']/a/@href") == ["/t/ara/post"]
    assert document.xpath("//form/@novalidate") == [""]
    assert [b.text_content().strip() for b in document.xpath("//form//button")] == ["Continuer"]
    check = fill_draft(client)
    shown = client.get(check)
    changes = page_of(shown).xpath("//a[starts-with(normalize-space(.), 'Modifier')]/@href")
    assert len(changes) == 12 and all("return_to=check" in href for href in changes)
    # Modifier → the page, back link to the check page, and Continuer returns there.
    offer_path = changes[4].split("#")[0]
    again = answer(client, offer_path, {**GOOD_ANSWERS["offer"], "salary_text": "Selon profil"})
    assert again.status_code == 303 and again.headers["Location"].endswith("/check")
    assert "Selon profil" in client.get(check).text


def test_check_page_sends_back_to_the_first_unanswered_page(client, db_session, tenant):
    first = start(client)
    check = first.rsplit("/", 1)[0] + "/check"
    assert client.get(check).headers["Location"] == first


# --- Bad input: refused with a clear message, values kept ----------------------------------

@pytest.mark.parametrize("siret, message", [
    ("73282932000075", "clé de contrôle est fausse"),
    ("7328293200007", "14 chiffres"),
    ("ABCDEFGHIJKLMN", "14 chiffres"),
    ("", "Saisissez le numéro SIRET"),
])
def test_invalid_siret_is_refused_and_values_are_kept(client, db_session, tenant, siret, message):
    first = start(client)
    response = answer(client, first, {**GOOD_ANSWERS["company"], "siret": siret})
    assert response.status_code == 400
    document = page_of(response)
    assert message in " ".join(error_summary(response))
    assert message in document.xpath("//p[@id='siret-error']")[0].text_content()
    assert document.xpath("//title")[0].text_content().startswith("Erreur :")
    assert document.xpath("//*[@class='error-summary']//a/@href") == ["#siret"]
    assert document.xpath("//input[@id='company_name']/@value") == ["Brasserie des Terreaux"]
    assert document.xpath("//input[@id='siret']/@value") == [siret]
    assert document.xpath("//input[@id='siret']/@aria-invalid") == ["true"]


def test_siret_luhn_key_and_la_poste_exception():
    assert forms.is_valid_siret("73282932000074")
    assert not forms.is_valid_siret("73282932000075")
    # La Poste: SIREN 356 000 000; its establishments' SIRET sum to a multiple of 5, Luhn or not.
    assert not forms.luhn_ok("35600000012341") and forms.is_valid_siret("35600000012341")
    assert forms.is_valid_siret("35600000000048")  # the head office passes both rules
    assert not forms.is_valid_siret("35600000012342")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_in_every_text_field_is_shown_back_neutralised(app, client, db_session, tenant, smtp, payload):
    check = fill_draft(
        client,
        company={"company_name": f"Brasserie {payload}"},
        offer={"title": f"Cuisinier {payload}", "salary_text": f"2 000 € {payload}",
               "description": f"Cuisine {payload}\n\n- {payload}"},
    )
    shown = client.get(check)
    assert "<script>" not in shown.text and "<img" not in shown.text and "onerror=alert" not in shown.text.replace(
        "onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in shown.text or "&lt;img" in shown.text
    submit(client, check)
    client.post(verify_from_email(client, db_session, smtp))
    posting = approve(app, db_session, check)
    page = client.get(f"/t/ara/jobs/{posting.offer.id}")
    body = page.text
    assert "<script>alert" not in body and "<img src=x" not in body
    document = page_of(page)
    assert not document.xpath("//*[@onerror]")
    assert not document.xpath("//script[not(@type='application/ld+json')][contains(., 'alert')]")
    assert all("<" not in script.text for script in document.xpath("//script[@type='application/ld+json']"))
    assert payload in document.xpath("//h1")[0].text_content()  # shown as text, not run


def test_a_second_commune_with_the_same_name_asks_for_the_departement(client, db_session, tenant):
    first = start(client)
    response = answer(client, first, {**GOOD_ANSWERS["company"], "company_place": "Saint-Denis"})
    assert response.status_code == 400
    assert "précisez le département" in response.text
    fixed = answer(client, first, {**GOOD_ANSWERS["company"], "company_place": "Saint-Denis (93)"})
    assert fixed.status_code == 303
    assert posting_at(db_session, first).company_commune_code == "93066"


def test_offer_page_errors_keep_every_value_and_refuse_a_place_off_the_territory(client, db_session, tenant):
    check = fill_draft(client)
    offer_path = check.rsplit("/", 1)[0] + "/offer"
    values = {**GOOD_ANSWERS["offer"], "place": "Lille", "start_date": "31/02/2027", "contract_type": "",
              "description": "x" * 5001}
    response = answer(client, offer_path, values)
    assert response.status_code == 400
    summary = error_summary(response)
    assert len(summary) == 4
    assert any("hors du territoire" in line for line in summary)
    assert any("5001 caractères" in line and "5 000" in line for line in summary)
    assert any("JJ/MM/AAAA" in line for line in summary)
    assert any("type de contrat" in line for line in summary)
    document = page_of(response)
    assert document.xpath("//textarea[@id='description']")[0].text_content() == "x" * 5001
    assert document.xpath("//input[@id='place']/@value") == ["Lille"]
    assert document.xpath("//input[@id='salary_text']/@value") == ["2 000 € brut par mois"]
    assert document.xpath("//input[@name='working_time'][@checked]/@value") == ["full_time"]


@pytest.mark.parametrize("url, message", [
    ("javascript:alert(document.cookie)", "https://"),
    ("JaVaScRiPt:alert(1)", "https://"),
    ("data:text/html,<script>alert(1)</script>", "https://"),
    ("http://jobs.example.org/apply", "https://"),
    ("//evil.example.org/", "https://"),
    ("ftp://jobs.example.org/", "https://"),
    ("https://user:pass@jobs.example.org/", "nom d'utilisateur"),
    ("https://www.google.com/url?q=https://evil.example.org", "autre site"),
    ("https://jobs.example.org/redirect?to=%2F%2Fevil.example.org", "autre site"),
    ("https://jobs.example.org/out/https://evil.example.org", "autre site"),
    ("https://127.0.0.1/", "par son nom"),
    ("https://jobs.exаmple.org/", "par son nom"),  # a Cyrillic "а"
    ("https://jobs.example.org/a b", "espace"),
    ("", "Saisissez l'adresse"),
])
def test_external_application_urls_that_are_unsafe_are_refused_with_an_explanation(client, db_session, tenant, url,
                                                                                     message):
    check = fill_draft(client)
    apply_path = check.rsplit("/", 1)[0] + "/apply"
    response = answer(client, apply_path, {"apply_method": "url", "apply_url": url})
    assert response.status_code == 400, url
    assert message in " ".join(error_summary(response)), url
    document = page_of(response)
    assert document.xpath("//input[@id='apply_url']/@value") == [url]
    assert document.xpath("//input[@name='apply_method'][@checked]/@value") == ["url"]


def test_a_safe_external_url_is_kept_and_the_offer_links_to_it(app, client, db_session, tenant, smtp):
    check = fill_draft(client, apply={"apply_method": "url", "apply_url": "https://jobs.example.org/offres/42?ref=jobtab"})
    submit(client, check)
    client.post(verify_from_email(client, db_session, smtp))
    posting = approve(app, db_session, check)
    offer = db_session.get(JobOffer, posting.offer_id)
    assert (offer.apply_method, offer.apply_url) == ("url", "https://jobs.example.org/offres/42?ref=jobtab")
    assert "Postuler sur le site de Brasserie des Terreaux" in client.get(f"/t/ara/jobs/{offer.id}").text
    leave = client.get(f"/t/ara/jobs/{offer.id}/apply-elsewhere")
    assert leave.status_code == 303 and leave.headers["Location"] == offer.apply_url


def test_contact_email_is_checked(client, db_session, tenant):
    check = fill_draft(client)
    contact = check.rsplit("/", 1)[0] + "/contact"
    for bad in ("patron", "patron@brasserie", "a@b.fr\r\nBcc: x@y.fr"):
        response = answer(client, contact, {"contact_email": bad})
        assert response.status_code == 400 and "adresse e-mail valide" in response.text


# --- The token that stands in for a CSRF cookie --------------------------------------------

def test_posts_without_a_valid_token_are_refused_with_values_kept(app, client, db_session, tenant):
    first = start(client)
    other = start(client)
    other_token = hidden_fields(client.get(other))["form_token"]
    for token in ("", "forged", other_token):
        response = client.post(first, data={**GOOD_ANSWERS["company"], "form_token": token})
        assert response.status_code == 400
        assert "pu être vérifié" in response.text
        assert page_of(response).xpath("//input[@id='company_name']/@value") == ["Brasserie des Terreaux"]
    assert posting_at(db_session, first).company_name is None
    # An old form (past its lifetime) gets its values back with a fresh token.
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(days=8), tick=False), app.test_request_context():
        from app.recruiters import tokens
        old = tokens.form_token(first.split("/post/")[1].split("/")[0])
    response = client.post(first, data={**GOOD_ANSWERS["company"], "form_token": old})
    assert response.status_code == 400 and "ouvert depuis longtemps" in response.text
    assert answer(client, first, GOOD_ANSWERS["company"]).status_code == 303


def test_cross_site_posts_are_refused(client, db_session, tenant):
    first = start(client)
    data = {**hidden_fields(client.get(first)), **GOOD_ANSWERS["company"]}
    assert client.post(first, data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post(first, data=data, headers={"Origin": "https://evil.example.org"}).status_code == 403
    assert client.post("/t/ara/post/start", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403


def test_post_tab_pages_may_be_framed_by_the_tenant_hosts_only(client, db_session, tenant):
    first = start(client)
    for path in ("/t/ara/post", first):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "frame-ancestors https://www.region-test.fr" in policy
    assert client.get(first).headers["Cache-Control"] == "no-store"  # the draft holds an e-mail address
    assert "frame-ancestors 'none'" in client.get("/recruiters/space").headers["Content-Security-Policy"]


def test_another_tenant_cannot_open_the_draft(client, db_session, tenant):
    from tests.factories.catalog import make_tenant
    make_tenant(db_session, slug="bretagne", region_codes=["53"])
    first = start(client)
    assert client.get(first.replace("/t/ara/", "/t/bretagne/")).status_code == 404


def test_a_sent_posting_is_no_longer_edited_from_the_tab(client, db_session, tenant, smtp):
    check = fill_draft(client)
    token = hidden_fields(client.get(check))["form_token"]
    submit(client, check)
    company = check.rsplit("/", 1)[0] + "/company"
    assert client.get(company).headers["Location"].endswith("/sent")
    assert client.post(check, data={"form_token": token}).headers["Location"].endswith("/sent")
    deliver(db_session, smtp)
    assert len(mail_to(smtp, RECRUITER)) == 1  # one verification e-mail, not two


# --- Verification links --------------------------------------------------------------------

def test_verification_link_is_single_use_and_refused_clearly_when_replayed(client, db_session, tenant, smtp):
    check = fill_draft(client)
    submit(client, check)
    link = verify_from_email(client, db_session, smtp)
    assert client.post(link).status_code == 303
    for replay in (client.get(link), client.post(link)):
        assert replay.status_code == 410
        assert "déjà été utilisé" in replay.text


def test_verification_link_expires_after_48_hours(client, db_session, tenant, smtp):
    check = fill_draft(client)
    submit(client, check)
    link = verify_from_email(client, db_session, smtp)
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=49)):
        response = client.post(link)
    assert response.status_code == 410 and "a expiré" in response.text
    assert posting_at(db_session, check).status == "unverified"
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=47)):
        assert client.post(link).status_code == 303


def test_tampered_or_cross_purpose_links_are_refused(app, client, db_session, tenant, smtp):
    check = fill_draft(client)
    submit(client, check)
    link = verify_from_email(client, db_session, smtp)
    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for path in (f"/recruiters/verify/{tampered}", "/recruiters/verify/nonsense",
                 f"/recruiters/renew/{token}", f"/recruiters/close/{token}"):
        response = client.post(path)
        assert response.status_code == 400, path
        assert "n'est pas valide" in response.text
    assert posting_at(db_session, check).status == "unverified"


# --- Rate limits -----------------------------------------------------------------------------

def test_posting_is_rate_limited_per_address_with_a_clear_page(app, client, db_session, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "POSTING_LIMIT_PER_ADDRESS", "2 per hour")
    assert client.post("/t/ara/post/start").status_code == 303
    assert client.post("/t/ara/post/start").status_code == 303
    refused = client.post("/t/ara/post/start")
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.text and "Retry-After" in refused.headers
    assert "frame-ancestors https://www.region-test.fr" in refused.headers["Content-Security-Policy"]


def test_sending_is_rate_limited_per_email_address(app, client, db_session, tenant, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "POSTING_LIMIT_PER_EMAIL", "1 per hour")
    assert submit(client, fill_draft(client)).status_code == 303
    second = fill_draft(client)
    refused = submit(client, second)
    assert refused.status_code == 429 and "Trop de demandes" in refused.text
    assert posting_at(db_session, second).status == "draft"
    other = fill_draft(client, contact={"contact_email": "rh@autre.example.org"})
    assert submit(client, other).status_code == 303


def test_applications_reach_the_recruiter_through_the_platform(app, client, db_session, tenant, smtp):
    """The offer published from a posting takes the plain form's applications (app/apply)."""
    check = fill_draft(client)
    submit(client, check)
    client.post(verify_from_email(client, db_session, smtp))
    posting = approve(app, db_session, check)
    assert posting.offer.apply_email == RECRUITER
    assert db_session.scalar(select(Application).where(Application.offer_id == posting.offer_id)) is None

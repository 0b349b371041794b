"""Staff sign-in and sign-out: no enumeration, rate limits, session rotation, no open redirect."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from argon2 import PasswordHasher

from app.admin import services
from app.admin.models import StaffUser
from tests.unit.admin.conftest import PASSWORD, csrf_token, make_staff, post_form, sign_in


def test_sign_in_page_is_french_first_and_english_on_request(client):
    french = client.get("/admin/sign-in").get_data(as_text=True)
    assert 'lang="fr"' in french and "Se connecter à l'espace institution" in french
    english = client.get("/admin/sign-in?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Sign in to the institution area" in english


def test_sign_in_then_pages_open(client, admin):
    response = sign_in(client, admin.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Région Auvergne-Rhône-Alpes" in page.get_data(as_text=True)


def test_address_is_case_insensitive(client, admin):
    assert sign_in(client, "  " + admin.email.upper()).status_code == 303


def test_unknown_address_and_wrong_password_get_the_same_answer(client, admin, monkeypatch):
    verified = []
    original = PasswordHasher.verify

    def counting_verify(self, hash, password):
        verified.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    wrong = sign_in(client, admin.email, "not the password at all")
    unknown = sign_in(client, "nobody@ara.example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    wrong_text, unknown_text = wrong.get_data(as_text=True), unknown.get_data(as_text=True)
    assert "Adresse e-mail ou mot de passe incorrect." in wrong_text
    # Same page but for the address typed back into the form (and the CSRF token).
    assert wrong_text.replace(admin.email, "X").split('name="csrf_token"')[0] == \
        unknown_text.replace("nobody@ara.example.org", "X").split('name="csrf_token"')[0]
    # Same work: one argon2 verification each (the unknown address against a dummy hash).
    assert len(verified) == 2
    assert verified[0] == admin.password_hash and verified[1].startswith("$argon2id$")
    # The password is never sent back.
    assert "not the password at all" not in wrong_text


def test_deactivated_account_cannot_sign_in(client, db_session, admin):
    admin.is_active = False
    db_session.commit()
    response = sign_in(client, admin.email)
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_empty_fields_are_reported_in_an_error_summary(client):
    response = client.post("/admin/sign-in", data={"csrf_token": csrf_token(client), "email": "", "password": ""})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "<title>Erreur :" in text
    assert 'href="#email"' in text and 'href="#password"' in text
    assert 'aria-invalid="true"' in text


def test_a_post_without_csrf_token_signs_nobody_in(client, admin):
    response = client.post("/admin/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_a_cross_site_post_is_refused(client, admin):
    token = csrf_token(client)
    response = client.post("/admin/sign-in", data={"csrf_token": token, "email": admin.email, "password": PASSWORD},
                           headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_sign_in_is_rate_limited_per_address(client, app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_SIGN_IN_LIMIT_PER_ADDRESS", "3 per minute")
    for _ in range(3):
        assert sign_in(client, admin.email, "wrong password 123").status_code == 400
    limited = sign_in(client, admin.email)
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


def test_sign_in_is_rate_limited_per_email(client, app, db_session, tenant, admin, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_SIGN_IN_LIMIT_PER_EMAIL", "2 per hour")
    for _ in range(2):
        assert sign_in(client, admin.email, "wrong password 123").status_code == 400
    assert sign_in(client, admin.email.upper()).status_code == 429
    # Another address from the same network is not held up by it.
    other = make_staff(db_session, tenant, email="second@ara.example.org", role="moderator")
    assert sign_in(client, other.email).status_code == 303


def test_session_is_rotated_on_sign_in(client, admin):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["staff_id"] = admin.id  # without the token this names nobody
    assert client.get("/admin/").status_code == 302
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, admin.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["staff_id"] == admin.id


@pytest.mark.parametrize("next_url, expected", [
    ("/admin/sources", "/admin/sources"),
    ("/admin/moderation?lang=en", "/admin/moderation?lang=en"),
    ("//evil.example/admin", "/admin/"),
    ("https://evil.example/admin", "/admin/"),
    ("/\\evil.example", "/admin/"),
    ("/admin//evil.example", "/admin/"),
    ("/t/ara/jobs", "/admin/"),
    ("javascript:alert(1)", "/admin/"),
])
def test_next_parameter_cannot_leave_the_staff_pages(client, admin, next_url, expected):
    from urllib.parse import quote

    response = sign_in(client, admin.email, next_url=quote(next_url, safe=""))
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_signed_out_visitors_are_sent_to_sign_in_and_come_back(client, admin):
    response = client.get("/admin/sources?lang=en")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in?")
    assert "next=/admin/sources?lang%3Den" in response.headers["Location"]
    token = csrf_token(client)
    back = client.post(response.headers["Location"], data={"csrf_token": token, "email": admin.email,
                                                           "password": PASSWORD})
    assert back.headers["Location"] == "/admin/sources?lang=en"


def test_sign_out_ends_every_session_of_that_person(app, client, admin):
    sign_in(client, admin.email)
    stolen = client.get_cookie("__Host-session").value
    response = post_form(client, "/admin/sign-out")
    assert response.status_code == 303
    assert client.get("/admin/").status_code == 302
    # The cookie as it was before signing out (copied by someone) no longer works either.
    thief = app.test_client()
    thief.set_cookie("__Host-session", stolen)
    assert thief.get("/admin/").status_code == 302


def test_sign_out_needs_the_csrf_token(client, admin):
    sign_in(client, admin.email)
    response = client.post("/admin/sign-out")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200  # still signed in, and told why
    assert "La page avait expiré : rien n&#39;a été fait. Recommencez." in page.get_data(as_text=True)


def test_a_session_ends_after_its_lifetime(client, admin):
    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False):
        sign_in(client, admin.email)
    with time_machine.travel(start + timedelta(hours=11), tick=False):
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get("/admin/").status_code == 302


def test_deactivation_ends_open_sessions(client, db_session, admin):
    sign_in(client, admin.email)
    db_session.get(StaffUser, admin.id).is_active = False
    db_session.commit()
    assert client.get("/admin/").status_code == 302


def test_password_hash_is_argon2id_and_rehashed_when_parameters_rise(client, app, db_session, admin, monkeypatch):
    assert admin.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    monkeypatch.setitem(app.config, "STAFF_PASSWORD_HASHING", {"time_cost": 2, "memory_cost": 2048, "parallelism": 1})
    assert sign_in(client, admin.email).status_code == 303
    stored = db_session.get(StaffUser, admin.id).password_hash
    assert stored.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    assert services.password_hasher(time_cost=2, memory_cost=2048, parallelism=1).verify(stored, PASSWORD)

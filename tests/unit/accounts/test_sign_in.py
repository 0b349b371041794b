"""Sign-in against a real OpenID Connect provider on loopback (no mocked Authlib): PKCE, state,
nonce, identity keyed on issuer + subject, and every tampering refused."""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from lxml import html
from sqlalchemy import func, select

from app.accounts.models import Applicant, Identity


def provider_redirect(url: str) -> str:
    """What the browser does at the provider: follow its authorize page back to us."""
    with requests.Session() as http:
        http.trust_env = False  # loopback, never through a proxy
        response = http.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def start(client, provider_name="test", next_url="/account", tenant=None):
    prefix = f"/account/t/{tenant}" if tenant else "/account"
    response = client.get(f"{prefix}/sign-in/{provider_name}", query_string={"next": next_url})
    assert response.status_code == 302
    return response.headers["Location"]


def sign_in(client, provider_name="test", next_url="/account", tenant=None):
    callback = provider_redirect(start(client, provider_name, next_url, tenant))
    return client.get(local(callback))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_authorization_request_has_pkce_state_nonce_and_minimal_scope(browser_client, provider):
    first = parse_qs(urlsplit(start(browser_client)).query)
    second = parse_qs(urlsplit(start(browser_client)).query)
    assert first["response_type"] == ["code"]
    assert first["code_challenge_method"] == ["S256"] and len(first["code_challenge"][0]) >= 43
    assert set(first["scope"][0].split()) == {"openid", "email", "profile"}
    assert first["redirect_uri"] == ["http://jobtab.test/account/callback/test"]
    assert len(first["state"][0]) >= 22 and len(first["nonce"][0]) >= 22  # ≥ 128 bits
    assert first["state"] != second["state"] and first["nonce"] != second["nonce"]


def test_full_sign_in_creates_the_applicant_keyed_on_issuer_and_subject(browser_client, accounts_session, provider):
    response = sign_in(browser_client)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    [identity] = accounts_session.scalars(select(Identity)).all()
    assert (identity.issuer, identity.subject, identity.provider) == (provider.issuer, "user-1", "test")
    assert (identity.applicant.name, identity.applicant.email) == ("Camille Martin", "camille.martin@example.org")
    space = browser_client.get("/account")
    assert space.status_code == 200 and "Camille Martin" in space.get_data(as_text=True)
    assert space.headers["Cache-Control"] == "no-store" and space.headers["X-Frame-Options"] == "DENY"

    sign_in(browser_client)  # again: the same applicant
    assert count(accounts_session, Applicant) == 1


def test_same_email_with_another_subject_is_another_person(browser_client, accounts_session, provider):
    sign_in(browser_client)
    provider.user = {**provider.user, "sub": "user-2"}
    sign_in(browser_client)
    assert count(accounts_session, Applicant) == 2 and count(accounts_session, Identity) == 2


def test_a_tampered_state_is_refused(browser_client, accounts_session, provider):
    callback = provider_redirect(start(browser_client))
    tampered = callback.replace("state=", "state=x")
    response = browser_client.get(local(tampered))
    assert response.status_code == 400
    assert "Connexion impossible" in response.get_data(as_text=True)
    assert count(accounts_session, Applicant) == 0


def test_a_replayed_code_is_refused(browser_client, accounts_session, provider):
    used = parse_qs(urlsplit(provider_redirect(start(browser_client))).query)
    browser_client.get("/account/callback/test", query_string={"code": used["code"][0], "state": used["state"][0]})
    assert count(accounts_session, Applicant) == 1
    fresh = parse_qs(urlsplit(provider_redirect(start(browser_client))).query)
    response = browser_client.get("/account/callback/test",
                                  query_string={"code": used["code"][0], "state": fresh["state"][0]})
    assert response.status_code == 400


def test_an_id_token_from_the_wrong_issuer_is_refused(browser_client, accounts_session, provider):
    provider.id_token_issuer = "http://evil.example"
    response = sign_in(browser_client)
    assert response.status_code == 400
    assert count(accounts_session, Applicant) == 0


def test_a_callback_delivered_to_another_provider_is_refused(browser_client, accounts_session, provider):
    """Mix-up defence: one callback URL per provider, and the state is kept per provider."""
    callback = provider_redirect(start(browser_client, "test"))
    response = browser_client.get(local(callback).replace("/callback/test", "/callback/other"))
    assert response.status_code == 400
    assert count(accounts_session, Applicant) == 0


def test_an_error_from_the_provider_shows_a_friendly_page(browser_client, accounts_session):
    start(browser_client)
    response = browser_client.get("/account/callback/test?error=access_denied&state=x")
    assert response.status_code == 400 and "Connexion impossible" in response.get_data(as_text=True)


def test_unknown_provider_is_a_404(browser_client):
    assert browser_client.get("/account/sign-in/nobody").status_code == 404
    assert browser_client.get("/account/callback/nobody").status_code == 404


@pytest.mark.parametrize("target", ["//evil.test", "/\\evil.test", "https:evil.test", "https://ok@evil.test",
                                    "\t//evil", "javascript:alert(1)", "%2F%2Fevil.test", "/ok\n//x"])
def test_next_never_leaves_the_site(browser_client, accounts_session, target):
    response = sign_in(browser_client, next_url=target)
    assert response.headers["Location"] == "/account"


def test_the_space_asks_to_sign_in_first(browser_client, accounts_session):
    response = browser_client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/sign-in?next=")


def test_a_callback_that_lost_its_session_offers_to_continue_in_a_new_tab(accounts_app, browser_client,
                                                                        accounts_session):
    """Cookies blocked where the sign-in began (even partitioned ones, inside an iframe): the
    callback finds no state in its session. Instead of an error, a page that starts the sign-in
    again in a new top-level tab, for the same offer; nothing is signed in from this request."""
    from tests.factories.catalog import make_tenant

    make_tenant(accounts_session, slug="ara", name="Région Auvergne-Rhône-Alpes",
                allowed_hosts=["https://www.region.example.org"])
    callback = provider_redirect(start(browser_client, "test", "/account/apply/ara/jobs/7", tenant="ara"))
    cookieless = accounts_app.test_client()  # the return, without the cookie
    response = cookieless.get(local(callback))
    assert response.status_code == 200
    page = html.fromstring(response.get_data(as_text=True))
    assert page.findtext(".//h1") == "Ouvrir dans un nouvel onglet"
    [link] = page.xpath('//main//a[contains(@class, "button")]')
    assert link.get("href") == "/account/t/ara/sign-in/test?next=/account/apply/ara/jobs/7"
    assert link.get("target") == "_blank"
    # Only a link: the tenant's host sites may show it in their iframe.
    assert "frame-ancestors https://www.region.example.org" in response.headers["Content-Security-Policy"]
    assert count(accounts_session, Applicant) == 0
    # The restart works, top-level, and ends on the offer.
    again = sign_in(browser_client, "test", "/account/apply/ara/jobs/7", tenant="ara")
    assert again.headers["Location"] == "/account/apply/ara/jobs/7"


def test_a_forged_state_without_a_session_is_still_an_error(accounts_app, accounts_session):
    response = accounts_app.test_client().get("/account/callback/test?code=abc&state=forged")
    assert response.status_code == 400 and "Connexion impossible" in response.get_data(as_text=True)

"""Facebook Login (OAuth 2, not OpenID Connect) against a loopback server shaped like
Facebook's: PKCE and state, the code exchanged once, the profile read from the Graph API with
appsecret_proof, the identity keyed on (https://www.facebook.com, app-scoped id)."""
import hashlib
import hmac
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

from lxml import html
from sqlalchemy import select

from app.accounts.models import Applicant, Identity
from app.apply.models import Application
from tests.oidc_provider.facebook import APP_SECRET
from tests.unit.accounts.test_one_click import csrf, setup_offers
from tests.unit.accounts.test_sign_in import count, local, provider_redirect, sign_in, start
from tests.unit.apply import cvs


def test_the_login_dialog_gets_pkce_state_and_the_minimal_scope(browser_client, facebook):
    arguments = parse_qs(urlsplit(start(browser_client, "facebook")).query)
    assert urlsplit(start(browser_client, "facebook")).path == "/v21.0/dialog/oauth"
    assert arguments["code_challenge_method"] == ["S256"] and len(arguments["code_challenge"][0]) >= 43
    assert arguments["scope"] == ["public_profile email"]
    assert arguments["redirect_uri"] == ["http://jobtab.test/account/callback/facebook"]
    assert len(arguments["state"][0]) >= 43
    assert "nonce" not in arguments  # OAuth 2, not OpenID Connect


def test_facebook_sign_in_reads_the_graph_api_with_appsecret_proof(browser_client, accounts_session, facebook):
    response = sign_in(browser_client, "facebook")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    [identity] = accounts_session.scalars(select(Identity)).all()
    assert (identity.issuer, identity.subject, identity.provider) == (
        "https://www.facebook.com", "10229876543210", "facebook")
    assert (identity.applicant.name, identity.applicant.email) == ("Camille Martin", "camille.martin@example.org")
    request = facebook.graph_requests[-1]
    assert request["fields"] == "id,name,email"
    token = next(token for token, user in facebook.tokens.items() if user["id"] == "10229876543210")
    assert request["appsecret_proof"] == hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()

    sign_in(browser_client, "facebook")  # again: the same person
    assert count(accounts_session, Applicant) == 1


def test_a_replayed_facebook_code_is_refused(browser_client, accounts_session, facebook):
    used = parse_qs(urlsplit(provider_redirect(start(browser_client, "facebook"))).query)
    browser_client.get("/account/callback/facebook", query_string={"code": used["code"][0], "state": used["state"][0]})
    fresh = parse_qs(urlsplit(provider_redirect(start(browser_client, "facebook"))).query)
    response = browser_client.get("/account/callback/facebook",
                                  query_string={"code": used["code"][0], "state": fresh["state"][0]})
    assert response.status_code == 400 and "Connexion impossible" in response.get_data(as_text=True)
    assert count(accounts_session, Applicant) == 1


def test_a_tampered_facebook_state_is_refused(browser_client, accounts_session, facebook):
    callback = provider_redirect(start(browser_client, "facebook"))
    response = browser_client.get(local(callback.replace("state=", "state=x")))
    assert response.status_code == 400
    assert count(accounts_session, Applicant) == 0


def test_the_user_refusing_on_facebook_gets_a_friendly_page(browser_client, accounts_session):
    state = parse_qs(urlsplit(start(browser_client, "facebook")).query)["state"][0]
    response = browser_client.get("/account/callback/facebook", query_string={
        "error": "access_denied", "error_reason": "user_denied", "error_description": "Permissions error",
        "state": state})
    assert response.status_code == 400 and "Connexion impossible" in response.get_data(as_text=True)


def test_an_account_without_email_is_asked_for_one_before_applying(browser_client, accounts_session, facebook):
    """A Facebook account opened with a phone number gives no address: the one-click page asks."""
    facebook.user = {"id": "10220000000001", "name": "Sam Durand"}
    _tenant, (offer, _other) = setup_offers(accounts_session)
    sign_in(browser_client, "facebook", next_url=f"/account/apply/ara/jobs/{offer.id}")
    page = html.fromstring(browser_client.get(f"/account/apply/ara/jobs/{offer.id}").get_data(as_text=True))
    assert page.xpath('//input[@id="email"]/@autocomplete') == ["email"]
    token = csrf(browser_client, f"/account/apply/ara/jobs/{offer.id}")

    refused = browser_client.post(f"/account/apply/ara/jobs/{offer.id}", content_type="multipart/form-data",
                                  data={"csrf": token, "email": "sam\r\nBcc: x@example.org",
                                        "cv": (BytesIO(cvs.pdf()), "cv.pdf")})
    assert refused.status_code == 400
    page = html.fromstring(refused.get_data(as_text=True))
    assert page.xpath('//div[@class="error-summary"]//a/@href') == ["#email"]
    assert page.findtext(".//title").startswith("Erreur : ")

    sent = browser_client.post(f"/account/apply/ara/jobs/{offer.id}", content_type="multipart/form-data",
                               data={"csrf": token, "email": "sam.durand@example.org",
                                     "cv": (BytesIO(cvs.pdf()), "cv.pdf")})
    assert sent.status_code == 303
    [application] = accounts_session.scalars(select(Application)).all()
    assert (application.name, application.email, application.channel) == ("Sam Durand", "sam.durand@example.org",
                                                                          "account")

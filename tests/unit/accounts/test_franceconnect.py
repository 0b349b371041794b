"""FranceConnect's rules against the loopback provider in FranceConnect v2 mode: eIDAS level
asked, name and address only from a signed userinfo JWT (verified), and signing out at
FranceConnect with id_token_hint and state."""
from urllib.parse import parse_qs, urlsplit

from joserfc.jwk import ECKey
from lxml import html
from sqlalchemy import select

from app.accounts.models import Applicant, Identity
from tests.unit.accounts.test_one_click import csrf
from tests.unit.accounts.test_sign_in import count, local, provider_redirect, sign_in, start


def test_franceconnect_asks_for_the_eidas_level_and_only_the_claims_it_needs(browser_client, provider):
    arguments = parse_qs(urlsplit(start(browser_client, "franceconnect")).query)
    assert arguments["acr_values"] == ["eidas1"]
    assert set(arguments["scope"][0].split()) == {"openid", "given_name", "family_name", "email"}
    assert arguments["code_challenge_method"] == ["S256"] and arguments["nonce"]


def test_name_and_address_come_from_the_signed_userinfo(browser_client, accounts_session, provider):
    provider.franceconnect_mode = True
    provider.user = {"sub": "fc-4d1c", "given_name": "Angela Claire", "family_name": "Dubois",
                     "email": "angela.dubois@example.org"}
    response = sign_in(browser_client, "franceconnect")
    assert response.status_code == 302
    [identity] = accounts_session.scalars(select(Identity)).all()
    assert (identity.issuer, identity.subject) == (provider.issuer, "fc-4d1c")
    assert (identity.applicant.name, identity.applicant.email) == ("Angela Claire Dubois", "angela.dubois@example.org")


def test_a_userinfo_jwt_signed_by_another_key_is_refused(browser_client, accounts_session, provider):
    provider.franceconnect_mode = True
    provider.userinfo_signer = ECKey.generate_key("P-256", parameters={"kid": "test-key-1"})
    response = sign_in(browser_client, "franceconnect")
    assert response.status_code == 400 and "Connexion impossible" in response.get_data(as_text=True)
    assert count(accounts_session, Applicant) == 0


def test_a_userinfo_about_someone_else_is_refused(browser_client, accounts_session, provider):
    provider.franceconnect_mode = True
    provider.userinfo_subject = "someone-else"
    assert sign_in(browser_client, "franceconnect").status_code == 400
    assert count(accounts_session, Applicant) == 0


def test_signing_out_signs_out_of_franceconnect_with_id_token_hint_and_state(browser_client, accounts_session,
                                                                           provider):
    provider.franceconnect_mode = True
    sign_in(browser_client, "franceconnect")
    response = browser_client.post("/account/sign-out", data={"csrf": csrf(browser_client)})
    assert response.status_code == 303
    logout = urlsplit(response.headers["Location"])
    arguments = parse_qs(logout.query)
    assert f"{logout.scheme}://{logout.netloc}" == provider.issuer and logout.path == "/logout"
    assert arguments["post_logout_redirect_uri"] == ["http://jobtab.test/account/sign-in"]
    assert len(arguments["state"][0]) >= 43 and arguments["id_token_hint"][0].count(".") == 2
    back = provider_redirect(response.headers["Location"])
    page = html.fromstring(browser_client.get(local(back)).get_data(as_text=True))
    assert "Vous êtes déconnecté" in page.text_content()
    assert browser_client.get("/account").status_code == 302  # signed out here too

    forged = html.fromstring(browser_client.get("/account/sign-in?state=forged").get_data(as_text=True))
    assert "Vous êtes déconnecté" not in forged.text_content()


def test_other_providers_sign_out_here_only(browser_client, accounts_session):
    sign_in(browser_client, "test")
    response = browser_client.post("/account/sign-out", data={"csrf": csrf(browser_client)})
    assert response.headers["Location"] == "/account/sign-in"

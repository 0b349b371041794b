"""Per-tenant identity providers (Tenant.identity_providers: None = all configured, a list =
only those), and in-app browsers (social apps' web views): the plain form first, no button for
a provider that refuses embedded web views, and a way out to the system browser."""
import pytest
from lxml import html
from sqlalchemy import select

from app.tenants.models import Tenant
from tests.factories.catalog import make_job, make_tenant
from tests.unit.accounts.test_sign_in import local, provider_redirect, sign_in, start

FACEBOOK_APP = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.37.109;FBBV/612345678;FBDV/iPhone14,5;FBMD/iPhone;"
                "FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/fr_FR;FBOP/5]")
IN_APP_AGENTS = [
    FACEBOOK_APP,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "Instagram 330.0.3.17.108 (iPhone14,5; iOS 17_5; fr_FR; fr; scale=3.00; 1170x2532; 602345678)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "[LinkedInApp]/9.29.1234",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/124.0.6367.179 Mobile Safari/537.36 musical_ly_2023405030 JsSdk/1.0 NetType/WIFI "
    "Channel/googleplay AppName/musical_ly app_version/34.5.3 ByteLocale/fr BytedanceWebview/d8a21c6",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/124.0.6367.179 Mobile Safari/537.36",
]
SYSTEM_BROWSERS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.179 "
    "Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
]


def document(response):
    return html.fromstring(response.get_data(as_text=True))


def button_labels(page) -> list[str]:
    return [a.text_content() for a in page.xpath('//ul[contains(@class, "provider-list")]//a')]


@pytest.fixture
def offer(accounts_session):
    make_tenant(accounts_session, slug="ara", name="Région Auvergne-Rhône-Alpes", identity_providers=["test", "facebook"])
    make_tenant(accounts_session, slug="hdf", name="Région Hauts-de-France", identity_providers=[])
    make_tenant(accounts_session, slug="all", name="Région de tous les comptes", identity_providers=None)
    return make_job(accounts_session, title="Cuisinier", apply_method="email",
                    apply_email="recrutement@brasserie.example.org", apply_url=None)


def test_a_tenant_shows_only_its_providers(browser_client, offer):
    page = document(browser_client.get("/account/t/ara/sign-in"))
    assert button_labels(page) == ["Continuer avec Fournisseur de test", "Continuer avec Facebook"]
    assert page.xpath('//a[starts-with(@href, "/account/t/ara/sign-in/test?next=")]')
    everyone = document(browser_client.get("/account/t/all/sign-in"))
    assert len(button_labels(everyone)) == 5  # None: every configured provider


def test_a_provider_the_tenant_did_not_choose_is_a_404(browser_client, offer):
    assert start(browser_client, "test", tenant="ara")  # allowed: off to the provider
    for tenant, provider in (("ara", "other"), ("ara", "strict"), ("hdf", "test"), ("nowhere", "test")):
        assert browser_client.get(f"/account/t/{tenant}/sign-in/{provider}").status_code == 404, (tenant, provider)
    assert browser_client.get("/account/t/nowhere/sign-in").status_code == 404


def test_the_offer_page_offers_one_click_only_where_the_tenant_has_providers(browser_client, offer):
    link = '//a[contains(@href, "/account/apply/")]'
    assert document(browser_client.get(f"/t/ara/jobs/{offer.id}")).xpath(link)
    assert not document(browser_client.get(f"/t/hdf/jobs/{offer.id}")).xpath(link)


def test_the_tenant_sign_in_brings_the_applicant_back_to_the_offer(browser_client, accounts_session, offer):
    target = f"/account/apply/ara/jobs/{offer.id}"
    response = sign_in(browser_client, "test", next_url=target, tenant="ara")
    assert response.status_code == 302 and response.headers["Location"] == target


def test_a_callback_for_a_provider_the_tenant_dropped_meanwhile_is_refused(browser_client, accounts_session, offer,
                                                                             provider):
    callback = provider_redirect(start(browser_client, "test", tenant="ara"))
    tenant = accounts_session.scalar(select(Tenant).where(Tenant.slug == "ara"))
    tenant.identity_providers = ["facebook"]
    accounts_session.commit()
    assert browser_client.get(local(callback)).status_code == 404


@pytest.mark.parametrize("agent", IN_APP_AGENTS)
def test_in_app_browsers_get_the_plain_form_first_and_a_way_out(browser_client, offer, agent):
    headers = {"User-Agent": agent}
    sign_in_page = document(browser_client.get(f"/account/t/all/sign-in?next=/account/apply/all/jobs/{offer.id}",
                                               headers=headers))
    first_button = sign_in_page.xpath('//main//a[contains(@class, "button")]')[0]
    assert first_button.get("href") == f"/t/all/jobs/{offer.id}/apply"
    assert "Continuer avec Fournisseur strict" not in button_labels(sign_in_page)  # refuses web views
    assert "Continuer avec Fournisseur de test" in button_labels(sign_in_page)
    assert "Fournisseur strict n'est pas possible dans le navigateur de cette application" in sign_in_page.text_content()
    [way_out] = sign_in_page.xpath('//a[normalize-space(.)="Ouvrir dans mon navigateur (nouvelle fenêtre)"]')
    url = f"http://jobtab.test/account/t/all/sign-in?next=/account/apply/all/jobs/{offer.id}"
    assert way_out.get("href") == url and way_out.get("target") == "_blank"
    assert sign_in_page.xpath('//input[@id="page-url"]/@value') == [url]
    assert sign_in_page.xpath('//input[@id="page-url"]/@readonly')
    assert sign_in_page.xpath('//label[@for="page-url"]')

    response = browser_client.get(f"/t/all/jobs/{offer.id}", headers=headers)
    assert "User-Agent" in response.headers["Vary"]  # never served from a cache to another browser
    offer_page = document(response)
    links = [a.get("href") for a in offer_page.xpath('//section[@class="apply"]//a')]
    assert links[0] == f"/t/all/jobs/{offer.id}/apply"  # the plain form first
    assert f"http://jobtab.test/t/all/jobs/{offer.id}" in links


@pytest.mark.parametrize("agent", SYSTEM_BROWSERS)
def test_system_browsers_get_every_button_and_no_way_out(browser_client, offer, agent):
    page = document(browser_client.get("/account/t/all/sign-in", headers={"User-Agent": agent}))
    assert "Continuer avec Fournisseur strict" in button_labels(page)
    assert not page.xpath('//input[@id="page-url"]')
    offer_page = document(browser_client.get(f"/t/all/jobs/{offer.id}", headers={"User-Agent": agent}))
    assert not offer_page.xpath('//input[@id="page-url"]')

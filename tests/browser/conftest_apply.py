"""Fixtures for the apply browser tests: an offer that takes the plain form, a Chromium that
blocks third-party cookies explicitly, what the outbox holds, and a widget server with
sign-in configured against a real OpenID Connect provider on loopback."""
import json
import re

import pytest
from sqlalchemy import create_engine, or_, select

from app.catalog.models import JobOffer, Offer
from app.mail.models import OutboxMessage
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PAGE_TIMEOUT, VENV_BIN, Server, free_port
from tests.oidc_provider.server import CLIENT_ID, CLIENT_SECRET, TestProvider


@pytest.fixture(scope="session")
def form_offer_id(browser_env, site) -> int:
    """A job of the tenant whose recruiter is reached by e-mail: the plain form is offered."""
    engine = create_engine(browser_env["url"])
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(JobOffer.id)
                .where(JobOffer.apply_method == "email", JobOffer.apply_email.is_not(None),
                       JobOffer.duplicate_of_id.is_(None), JobOffer.region_code == "84",
                       or_(JobOffer.expires_at.is_(None), JobOffer.expires_at > JobOffer.published_at))
                .order_by(JobOffer.id)
                .limit(1)
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def cookieless_browser(browser):
    """A second Chromium, from the harness's Playwright, told to block third-party cookies
    (as Safari and Firefox do by default)."""
    blocking = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"])
    yield blocking
    blocking.close()


@pytest.fixture
def cookieless_page(cookieless_browser):
    context = cookieless_browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT)
    yield context.new_page()
    context.close()


def links_sent_to(database_url: str, recipient: str) -> list[str]:
    """The signed links in the e-mails queued for this address, oldest first."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            bodies = connection.scalars(
                select(OutboxMessage.body).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id))
            return [url for body in bodies for url in re.findall(r"https?://\S+/(?:recruiter/)?applications/\S+", body)]
    finally:
        engine.dispose()


def recruiter_address(database_url: str, offer_id: int) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(Offer.apply_email).where(Offer.id == offer_id))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on loopback (tests/oidc_provider)."""
    running = TestProvider().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def signing_in_widget(browser_env, oidc_provider):
    """A second widget server, on the same database, with sign-in configured for the test provider."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    providers = {"test": {"label": "Fournisseur de test", "discovery_url": oidc_provider.discovery_url,
                          "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
                 # Plays Google: refuses the embedded web views of social apps.
                 "strict": {"label": "Fournisseur strict", "discovery_url": oidc_provider.discovery_url,
                            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "blocks_webviews": True}}
    env = {**browser_env["env"], "JOBTAB_ENV": "production", "PUBLIC_BASE_URL": origin,
           "OIDC_PROVIDERS": json.dumps(providers)}
    server = Server("widget-oidc", [str(VENV_BIN / "gunicorn"), "--workers", "1", "--threads", "4",
                                    "--bind", f"127.0.0.1:{port}", "wsgi:app"], env, origin, browser_env["tmp_dir"])
    try:
        server.wait_until_ready("/healthz")
        yield server
    finally:
        server.stop()


FACEBOOK_IN_APP = ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 "
                   "(KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.179 Mobile Safari/537.36 "
                   "[FB_IAB/FB4A;FBAV/470.0.0.37.109;]")


@pytest.fixture
def in_app_page(browser):
    """A phone inside Facebook's in-app browser (its User-Agent), in French."""
    context = browser.new_context(locale="fr-FR", user_agent=FACEBOOK_IN_APP, viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(PAGE_TIMEOUT)
    yield context.new_page()
    context.close()

import pytest

from app import create_app
from app import db as app_db
from app.apply.limits import limiter
from tests.conftest import rolled_back_session, test_config
from tests.oidc_provider.facebook import APP_ID, APP_SECRET, FacebookProvider
from tests.oidc_provider.server import CLIENT_ID, CLIENT_SECRET, TestProvider


@pytest.fixture(scope="session")
def provider():
    running = TestProvider().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def facebook():
    running = FacebookProvider().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def accounts_app(database, provider, facebook, tmp_path_factory):
    """An app configured with the test provider (configuration is read when the app starts)."""
    app = create_app(test_config(database, UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")), OIDC_PROVIDERS={
        "test": {"label": "Fournisseur de test", "discovery_url": provider.discovery_url,
                 "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        "other": {"label": "Autre fournisseur", "discovery_url": provider.discovery_url,
                  "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        # Plays Google: refuses to sign in inside the embedded web views of social apps.
        "strict": {"label": "Fournisseur strict", "discovery_url": provider.discovery_url,
                   "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "blocks_webviews": True},
        "franceconnect": {"kind": "franceconnect", "label": "FranceConnect", "discovery_url": provider.discovery_url,
                          "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        "facebook": {"kind": "facebook", "label": "Facebook", "client_id": APP_ID, "client_secret": APP_SECRET,
                     "graph_url": facebook.graph_url, "authorize_url": facebook.authorize_url},
    }))
    yield app
    app_db.get_engine(app).dispose()


@pytest.fixture
def accounts_session(accounts_app, provider, facebook):
    """Like db_session, on the accounts app's engine; the provider starts each test as user-1."""
    provider.user = {"sub": "user-1", "name": "Camille Martin", "email": "camille.martin@example.org"}
    provider.id_token_issuer = None
    provider.franceconnect_mode, provider.userinfo_signer, provider.userinfo_subject = False, None, None
    facebook.user = {"id": "10229876543210", "name": "Camille Martin", "email": "camille.martin@example.org"}
    limiter.reset()
    with rolled_back_session(app_db.get_engine(accounts_app)) as session:
        yield session


@pytest.fixture
def browser_client(accounts_app, accounts_session):
    """The test client as a browser on our site: it keeps the session cookie."""
    return accounts_app.test_client()

import re

import pytest

from app.admin import services
from app.apply.limits import limiter
from tests.factories.catalog import make_tenant

PASSWORD = "correct horse battery staple"
# argon2id with small costs: the tests hash and verify many times on a shared machine. The
# production parameters are argon2-cffi's defaults (test_services checks them).
CHEAP_HASHING = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_hashing_and_fresh_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_PASSWORD_HASHING", CHEAP_HASHING)
    limiter.reset()
    yield
    limiter.reset()


def hasher():
    return services.password_hasher(**CHEAP_HASHING)


def make_staff(session, tenant, email=None, role="admin", password=PASSWORD):
    staff = services.create_staff(session, tenant, email or f"{role}@{tenant.slug}.example.org", password, role,
                                  hasher())
    session.commit()
    return staff


@pytest.fixture
def tenant(db_session):
    return make_tenant(db_session, slug="ara", name="Région Auvergne-Rhône-Alpes")


@pytest.fixture
def other_tenant(db_session):
    return make_tenant(db_session, slug="bfc", name="Région Bourgogne-Franche-Comté", region_codes=["27"],
                       allowed_hosts=["https://www.bourgognefranchecomte.fr"])


@pytest.fixture
def admin(db_session, tenant):
    return make_staff(db_session, tenant, role="admin")


@pytest.fixture
def moderator(db_session, tenant):
    return make_staff(db_session, tenant, role="moderator")


def csrf_token(client, url="/admin/sign-in") -> str:
    response = client.get(url, follow_redirects=True)  # a signed-in sign-in page goes home
    match = CSRF_INPUT.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({response.status_code})"
    return match.group(1)


def sign_in(client, email, password=PASSWORD, next_url=None):
    data = {"csrf_token": csrf_token(client), "email": email, "password": password}
    url = "/admin/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data=data)


@pytest.fixture
def admin_client(client, admin):
    assert sign_in(client, admin.email).status_code == 303
    return client


@pytest.fixture
def moderator_client(client, moderator):
    assert sign_in(client, moderator.email).status_code == 303
    return client


def post_form(client, url, data=None, page=None):
    """POST with the CSRF token read from a page of the signed-in staff member."""
    return client.post(url, data={"csrf_token": csrf_token(client, page or "/admin/"), **(data or {})})

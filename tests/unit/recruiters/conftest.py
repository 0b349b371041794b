import re

import pytest

from app.apply.limits import limiter
from tests.unit.mail.sink import deliver_to
from tests.factories.catalog import make_tenant



@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def tenant(db_session):
    return make_tenant(db_session, slug="ara", name="Région Auvergne-Rhône-Alpes",
                       contact_email="emploi@region.example.org")


def deliver(db_session, smtp, now=None):
    return deliver_to(smtp, db_session, now)


def mail_to(smtp, address):
    return [m for m in smtp.messages if m["To"] == address]


def links_in(message) -> list[str]:
    """The links an e-mail carries, as paths on the test client (they use PUBLIC_BASE_URL)."""
    return re.findall(r"http://jobtab\.test(/\S+)", message.get_content())

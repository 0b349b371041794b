import time
from io import BytesIO
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from app.apply import tokens
from app.apply.limits import limiter
from tests.factories.catalog import make_job, make_tenant
from tests.unit.apply import cvs


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """CVs go to a temporary folder, and the rate-limit counts start from zero in each test."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    limiter.reset()
    yield folder
    limiter.reset()


@pytest.fixture
def tenant(db_session):
    return make_tenant(db_session, slug="ara", name="Région Auvergne-Rhône-Alpes",
                       contact_email="dpo@region.example.org")


@pytest.fixture
def offer(db_session, tenant):
    return make_job(db_session, title="Cuisinier / Cuisinière", organisation_name="Brasserie des Terreaux",
                    apply_method="email", apply_email="recrutement@brasserie.example.org", apply_url=None)


def form_token(app, offer_id: int, seconds_ago: float = 60) -> str:
    """A form token as if the form had been shown `seconds_ago` (past the time trap)."""
    shown_at = datetime.fromtimestamp(time.time(), timezone.utc) - timedelta(seconds=seconds_ago)
    with time_machine.travel(shown_at, tick=False), app.test_request_context():
        return tokens.new_form_token(offer_id)


def application_data(app, offer, **changes) -> dict:
    data = {
        "form_token": form_token(app, offer.id),
        "name": "Camille Martin",
        "email": "camille.martin@example.org",
        "phone": "06 12 34 56 78",
        "message": "Bonjour,\nJe suis disponible dès lundi.",
        "cv": (BytesIO(cvs.pdf()), "cv-camille.pdf"),
        "website": "",
    }
    data.update(changes)
    return data

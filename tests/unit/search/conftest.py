"""The judged corpus (tests/fixtures/search/corpus.json) written through the ORM, as feeds and
factories write offers: the search columns and the full-text index follow on their own."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalog.models import Commune
from app.search.facets import day_of, day_start
from tests.factories.catalog import make_job, make_source, make_tenant, make_training

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "search"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def place_columns(session, values: dict) -> dict:
    """A commune's département, région and coordinates, as the place resolver fills them."""
    code = values.get("commune_code")
    if code is None:
        return {"latitude": None, "longitude": None, "departement_code": values.get("departement_code"),
                "region_code": values.get("region_code") or region_of(session, values.get("departement_code"))}
    commune = session.scalar(select(Commune).where(Commune.insee_code == code))
    return {"departement_code": commune.departement_code, "region_code": commune.region_code,
            "latitude": commune.latitude, "longitude": commune.longitude, "location_precision": "commune"}


def region_of(session, departement_code: str | None) -> str | None:
    from app.catalog.models import Departement

    if departement_code is None:
        return None
    return session.scalar(select(Departement.region_code).where(Departement.code == departement_code))


def offer_values(session, entry: dict, now: datetime) -> dict:
    values = {name: value for name, value in entry.items() if name not in ("key", "days", "expired", "duplicate_of")}
    values.setdefault("description", "")
    values.update(place_columns(session, values))
    # Noon in France on the calendar day `days` before today (the publication facet counts
    # calendar days), never in the future.
    noon = day_start(day_of(now) - timedelta(days=entry["days"])) + timedelta(hours=12)
    values["published_at"] = min(noon, now - timedelta(minutes=1))
    values["expires_at"] = now - timedelta(days=1) if entry.get("expired") else now + timedelta(days=30)
    return values


@pytest.fixture
def corpus(db_session):
    """The tenant and every corpus offer, by key."""
    data = load_fixture("corpus.json")
    now = datetime.now(timezone.utc)
    tenant = make_tenant(db_session, **data["tenant"])
    source = make_source(db_session, slug="judged-source", name="Partenaire jugé")
    offers = {}
    for entry in data["offers"]:
        offers[entry["key"]] = make_job(db_session, source=source, **offer_values(db_session, entry, now))
    for entry in data["trainings"]:
        offers[entry["key"]] = make_training(db_session, **offer_values(db_session, entry, now))
    for entry in data["offers"]:
        if entry.get("duplicate_of"):
            offers[entry["key"]].duplicate_of_id = offers[entry["duplicate_of"]].id
    db_session.commit()
    return tenant, offers

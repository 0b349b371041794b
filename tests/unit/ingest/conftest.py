"""Reference look-ups shared by the parser tests: built once, they only read reference data."""
import json

import pytest
from sqlalchemy.orm import Session

from app import db as app_db
from app.demo.load import FEEDS_DIR
from app.ingest.places import PlaceResolver
from app.ingest.services import occupation_labels


@pytest.fixture(scope="session")
def places(app) -> PlaceResolver:
    with Session(app_db.get_engine(app)) as session:
        return PlaceResolver.from_database(session)


@pytest.fixture(scope="session")
def occupations(app) -> dict[str, str]:
    with Session(app_db.get_engine(app)) as session:
        return occupation_labels(session)


@pytest.fixture(scope="session")
def ft_records() -> dict[str, dict]:
    """The real France Travail offers shipped as demo data, by id."""
    records = []
    for name in ("ft_offres_980.json", "ft_offres_147.json"):
        records += json.loads((FEEDS_DIR / name).read_text(encoding="utf-8"))
    return {record["id"]: record for record in records}

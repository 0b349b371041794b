"""Reference look-ups for the deduplication tests: built once, they only read reference data."""
import pytest
from sqlalchemy.orm import Session

from app import db as app_db
from app.ingest.places import PlaceResolver


@pytest.fixture(scope="session")
def places(app) -> PlaceResolver:
    with Session(app_db.get_engine(app)) as session:
        return PlaceResolver.from_database(session)

"""Ingest fixtures: reference look-ups built once, a normalisation context, and a real HTTP
server on 127.0.0.1 that tests fill with routes (feeds, career pages, a France Travail API)."""
import json
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy.orm import Session
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app import db as app_db
from app.catalog.models import Offer
from app.demo.load import FEEDS_DIR
from app.ingest.connectors.base import Context
from app.ingest.normalise import RomeIndex, column_lengths
from app.ingest.places import PlaceResolver
from app.ingest.services import occupation_labels

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def places(app) -> PlaceResolver:
    with Session(app_db.get_engine(app)) as session:
        return PlaceResolver.from_database(session)


@pytest.fixture(scope="session")
def occupations(app) -> dict[str, str]:
    with Session(app_db.get_engine(app)) as session:
        return occupation_labels(session)


@pytest.fixture(scope="session")
def rome(app) -> RomeIndex:
    with Session(app_db.get_engine(app)) as session:
        return RomeIndex.from_database(session)


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture
def context(places, occupations, rome, http) -> Context:
    return Context(places, occupations, rome, NOW, http, column_lengths(Offer.__table__))


@pytest.fixture(scope="session")
def ft_records() -> dict[str, dict]:
    """The real France Travail offers shipped as demo data, by id."""
    records = []
    for name in ("ft_offres_980.json", "ft_offres_147.json"):
        records += json.loads((FEEDS_DIR / name).read_text(encoding="utf-8"))
    return {record["id"]: record for record in records}


class FeedServer:
    """A WSGI app on a real socket: `routes[path]` answers a werkzeug Request with a Response."""

    def __init__(self):
        self.routes: dict[str, Callable[[Request], Response]] = {}
        self.requests: list[Request] = []
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes | str, status: int = 200, content_type: str = "application/xml") -> None:
        self.routes[path] = lambda _request: Response(body, status=status, content_type=content_type)

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request)
        handler = self.routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def server():
    feed_server = FeedServer()
    yield feed_server
    feed_server.close()

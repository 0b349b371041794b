"""Shared fixtures: a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), migrated
with Alembic and holding the reference data, and one rolled-back transaction per test.
"""
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app import db as app_db
from app.catalog.reference import load_reference
from app.migrate import upgrade
from tests.unit.mail.sink import SmtpSink

TEST_SECRET_KEY = "test-only-secret-key-not-used-anywhere-else"


def database_url(tmp_dir: Path, name: str) -> str:
    """A fresh, empty database for this test run, on the engine CI asked for."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
    url = make_url(base)
    # A developer's own database name in TEST_DATABASE_URL prefixes ours, so two people
    # sharing a server never drop each other's databases.
    if url.database and url.database != "jobtab_test":
        name = f"{url.database}_{name}"
    url = url.set(database=name)
    recreate_postgres_database(url)
    return url.render_as_string(hide_password=False)


def recreate_postgres_database(url) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def test_config(url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "JOBTAB_ENV": "test",
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": "http://jobtab.test",
        "SERVER_NAME": None,
        # Tests change the catalog between searches: count and render afresh every time.
        "SEARCH_COUNTS_CACHE_SECONDS": 0,
        "SEARCH_PAGE_CACHE_SECONDS": 0,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The main test database: schema at head and reference data, committed once."""
    url = database_url(tmp_path_factory.mktemp("db"), "jobtab_test")
    upgrade(url)
    app = create_app(test_config(url))
    with app.app_context():
        load_reference(app_db.session)
        app_db.session.commit()
        app_db.session.remove()
    app_db.get_engine(app).dispose()
    return url


@pytest.fixture(scope="session")
def app(database):
    app = create_app(test_config(database))
    yield app
    app_db.get_engine(app).dispose()


@contextmanager
def rolled_back_session(engine):
    """Bind the app's session to one connection whose transaction is rolled back at the end."""
    connection = engine.connect()
    transaction = connection.begin()
    app_db.session.remove()
    app_db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield app_db.session
    finally:
        app_db.session.remove()
        app_db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
        transaction.rollback()
        connection.close()


@pytest.fixture
def db_session(app):
    """The app's session, inside a transaction rolled back after the test.

    Views may commit: with create_savepoint, their commit only releases a savepoint.
    No app context is held here: each test-client request must get its own, as in production
    (a request reuses an app context that is already pushed, and with it `g`).
    """
    with rolled_back_session(app_db.get_engine(app)) as session:
        yield session


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback: the outbox worker delivers to it."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()

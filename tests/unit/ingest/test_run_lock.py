"""The run lock on each engine: `locked_until` is a lease that can expire under a run still
writing; on PostgreSQL the transaction that writes also holds an advisory lock, so a run past its
lease is never taken over; on SQLite the one writer at a time does that work.

The `feeds`, `import_feed` and `lock` helpers come from test_runs.py, where the lease itself
is tested (a busy source refused, a stale lock taken over, an error of ours freeing it).
"""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import db as app_db
from app.catalog.models import Source
from app.ingest import services
from app.ingest.cli import run_feed
from app.ingest.connectors import connector_for
from app.ingest.connectors.indeed_xml import IndeedXmlConnector
from app.ingest.fetch import http_session
from app.ingest.models import FeedRun
from tests.factories.catalog import make_source
from tests.unit.ingest.test_runs import SAMPLE, feeds, import_feed, lock, offers_of


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def postgresql(db_session):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's advisory run lock: on SQLite, see test_on_sqlite_a_run_cannot_write_while_another_writes")


def expired(db_session, source_id) -> None:
    """The source's lease ran out: start_run takes it over, as after LOCK_TIMEOUT."""
    lock(db_session, source_id, datetime.now(timezone.utc) - timedelta(minutes=1))


def take_run_lock(connection, source_id) -> bool:
    return connection.scalar(select(func.pg_try_advisory_xact_lock(services.RUN_LOCK_NAMESPACE, source_id)))


@contextmanager
def run_still_writing(app, source_id) -> Iterator:
    """Another connection's transaction holding the source's run lock: a run still writing."""
    with app_db.get_engine(app).connect() as other, other.begin():
        assert take_run_lock(other, source_id)
        yield other


def runs_of(db_session, source_id) -> list[FeedRun]:
    return list(db_session.scalars(select(FeedRun).where(FeedRun.source_id == source_id).order_by(FeedRun.id)))


def locked_until(db_session, source_id) -> datetime | None:
    return db_session.scalar(select(Source.locked_until).where(Source.id == source_id))


def test_a_run_past_its_lease_is_not_taken_over(app, runner, db_session, postgresql):
    source_id = make_source(db_session, slug="hotels", format="indeed-xml").id
    expired(db_session, source_id)

    with run_still_writing(app, source_id):
        result, summaries = feeds(runner, "import", "--format", "indeed-xml", "--source", "hotels", str(SAMPLE))

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a command error, no traceback
    assert "being read by another run" in result.output and summaries == []
    [run] = runs_of(db_session, source_id)
    assert run.status == "failed" and run.finished_at is not None
    assert run.message.startswith("SourceBusy: source hotels is being read by another run")
    assert (offers_of(db_session, "hotels"), run.rejections) == ([], [])
    assert locked_until(db_session, source_id) > datetime.now(timezone.utc)  # left to the run still writing

    # That run ends: its commit frees the run lock, and its release_lock clears the lease.
    lock(db_session, source_id, None)
    _result, summary = import_feed(runner, SAMPLE)

    assert (summary["status"], summary["new"]) == ("succeeded", 4)
    assert locked_until(db_session, source_id) is None


class Probing(IndeedXmlConnector):
    """Asks `probe` before the first record is read."""

    def __init__(self, probe):
        self.probe = probe

    def read(self, location, context):
        self.probe()
        yield from super().read(location, context)


def test_a_run_holds_its_source_while_it_reads(app, db_session, postgresql):
    source = make_source(db_session, slug="hotels", format="indeed-xml")
    answers = []

    def another_run_tries():
        with app_db.get_engine(app).connect() as other, other.begin():
            answers.append(take_run_lock(other, source.id))

    with app.app_context(), http_session() as http:
        run = run_feed(source, Probing(another_run_tries), str(SAMPLE), http)

    assert (run.status, answers) == ("succeeded", [False])


def test_on_sqlite_a_run_cannot_write_while_another_writes(app, db_session):
    """What holds on SQLite without an advisory lock: a run's transaction holds the database's
    only write lock from its first write to its commit, so a second run, even one that finds the
    lease expired, cannot write meanwhile: its start_run waits for the lock (30 s in app.db),
    then fails on "database is locked", having written nothing and recorded no run.

    Not tested here: a long run that has not written yet (its offers go out 5,000 at a time,
    an unchanged feed writes only at the end) does not hold that lock. A second run then goes
    ahead, and the first fails on "database is locked" at its first write: the writes never
    mix, but the run that loses is the older one."""
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's one writer; on PostgreSQL the advisory run lock is tested above")
    source = make_source(db_session, slug="hotels", format="indeed-xml")
    expired(db_session, source.id)  # this test's transaction has written: it is the run still writing
    second = create_engine(app_db.get_engine(app).url, connect_args={"timeout": 0.1})
    try:
        with Session(second) as session, pytest.raises(OperationalError, match="database is locked"):
            services.start_run(session, source, connector_for("indeed-xml"), str(SAMPLE), datetime.now(timezone.utc))
    finally:
        second.dispose()

    assert runs_of(db_session, source.id) == []


class BreaksMidway(IndeedXmlConnector):
    """Raises an unexpected error (not a FeedError) after two records."""

    def read(self, location, context):
        for number, item in enumerate(super().read(location, context)):
            if number == 2:
                raise RuntimeError("a bug in the connector")
            yield item


def test_a_run_that_raises_midway_leaves_the_source_free_for_the_next(app, runner, db_session):
    # test_runs.py checks the lease is cleared after an error in the expiry; this one, that the
    # next run goes ahead (on PostgreSQL: the rollback freed the run lock too).
    source = make_source(db_session, slug="hotels", format="indeed-xml")
    source_id = source.id

    with app.app_context(), http_session() as http, pytest.raises(RuntimeError):
        run_feed(source, BreaksMidway(), str(SAMPLE), http)

    [failed] = runs_of(db_session, source_id)
    assert (failed.status, failed.message) == ("failed", "RuntimeError: a bug in the connector")
    assert (offers_of(db_session, "hotels"), locked_until(db_session, source_id)) == ([], None)

    _result, summary = import_feed(runner, SAMPLE)

    assert (summary["status"], summary["new"]) == ("succeeded", 4)
    assert [run.status for run in runs_of(db_session, source_id)] == ["failed", "succeeded"]

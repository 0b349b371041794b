"""Reference data held in memory, once per process and database.

Communes and ROME job titles change only when `reference load` runs; reading them for every
search would cost more than the search. Entries are keyed by database URL, so tests and
benchmarks that use several databases in one process never see each other's data.
"""
import time
from collections.abc import Callable
from threading import Lock
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

T = TypeVar("T")
_entries: dict[tuple[str, str], object] = {}
_lock = Lock()


def database_key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return engine.url.render_as_string(hide_password=True)


def per_database(session: Session, name: str, load: Callable[[Session], T]) -> T:
    key = (database_key(session), name)
    entry = _entries.get(key)
    if entry is None:
        with _lock:  # gunicorn threads: load once, not once per thread
            entry = _entries.get(key)
            if entry is None:
                entry = _entries[key] = load(session)
    return entry



class RecentResults:
    """Results kept for a few seconds, per process: the counts of a search (total and facets)
    cost a pass over every match, and a visitor paging through results, or many visitors
    opening the same landing page, would otherwise pay it on every page. Counts may then lag
    the catalog by at most `seconds`; the offers shown are always read afresh."""

    def __init__(self, max_entries: int = 2000):
        self.max_entries = max_entries
        self._entries: dict[tuple, tuple[float, object]] = {}
        self._lock = Lock()

    def get_or_compute(self, key: tuple, seconds: float, compute: Callable[[], T], clock=time.monotonic) -> T:
        if seconds <= 0:
            return compute()
        now = clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < seconds:
            return entry[1]
        value = compute()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # simple and bounded: a burst of new keys starts afresh
            self._entries[key] = (now, value)
        return value


recent_counts = RecentResults()

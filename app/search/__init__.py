"""Search: offers by words, occupation (ROME) and place (INSEE), one interface, two backends.

The backend is chosen from the database URL: SQLite FTS5 or PostgreSQL full text. Both index
the same normalised words (app/search/text.py) and share every other filter, so they give the
same results; the judged query set (tests/fixtures/search) runs against both.
"""
from collections.abc import Sequence

from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.db import any_of
from app.search.interfaces import TextBackend
from app.search.postgresql import PostgresTextBackend
from app.search.sqlite import SqliteTextBackend

BACKENDS: dict[str, TextBackend] = {"sqlite": SqliteTextBackend(), "postgresql": PostgresTextBackend()}


def text_backend(session: Session) -> TextBackend:
    return BACKENDS[session.get_bind().dialect.name]


def one_of(session: Session, column: ColumnElement[str], codes: Sequence[str]) -> ColumnElement[bool]:
    """`column IN codes`, one array parameter on PostgreSQL (app.db.any_of): a ring holds hundreds
    of communes (thousands at 100 km), and its statement is then the same text whatever their
    number, so psycopg prepares it."""
    return any_of(session, column, codes)

"""Search: offers by words, occupation (ROME) and place (INSEE), one interface, two backends.

The backend is chosen from the database URL: SQLite FTS5 or PostgreSQL full text. Both index
the same normalised words (app/search/text.py) and share every other filter, so they give the
same results; the judged query set (tests/fixtures/search) runs against both.
"""
from collections.abc import Sequence

from sqlalchemy import String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.search.interfaces import TextBackend
from app.search.postgresql import PostgresTextBackend
from app.search.sqlite import SqliteTextBackend

BACKENDS: dict[str, TextBackend] = {"sqlite": SqliteTextBackend(), "postgresql": PostgresTextBackend()}


def text_backend(session: Session) -> TextBackend:
    return BACKENDS[session.get_bind().dialect.name]


def one_of(session: Session, column: ColumnElement[str], codes: Sequence[str]) -> ColumnElement[bool]:
    """`column IN codes`. On PostgreSQL one array parameter (`= ANY`) instead of one parameter
    per code: a ring holds hundreds of communes (thousands at 100 km), and a statement whose text changes with their
    number is parsed afresh every time, never prepared (psycopg prepares a statement on its
    fifth run on a connection). Same rows, same plans (the planner turns IN into `= ANY`)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(codes), type_=ARRAY(String)))
    return column.in_(codes)

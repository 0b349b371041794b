"""Search: offers by words, occupation (ROME) and place (INSEE), one interface, two backends.

The backend is chosen from the database URL: SQLite FTS5 or PostgreSQL full text. Both index
the same normalised words (app/search/text.py) and share every other filter, so they give the
same results; the judged query set (tests/fixtures/search) runs against both.
"""
from sqlalchemy.orm import Session

from app.search.interfaces import TextBackend
from app.search.postgresql import PostgresTextBackend
from app.search.sqlite import SqliteTextBackend

BACKENDS: dict[str, TextBackend] = {"sqlite": SqliteTextBackend(), "postgresql": PostgresTextBackend()}


def text_backend(session: Session) -> TextBackend:
    return BACKENDS[session.get_bind().dialect.name]

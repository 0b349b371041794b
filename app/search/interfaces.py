"""What a search backend provides: full-text matching. Everything else is shared SQL.

Filters by code (ROME code, communes within the radius, département, facets) are plain
B-tree lookups that both engines answer the same way (app/search/services.py); only the
full-text part differs, so only it sits behind this interface.
"""
from typing import Protocol

from sqlalchemy.sql.elements import ColumnElement

from app.search.text import TextQuery


class TextBackend(Protocol):
    def matches(self, query: TextQuery) -> ColumnElement[bool]:
        """Offers matching every term of the query, in title, description or employer."""

    def matches_title(self, query: TextQuery) -> ColumnElement[bool]:
        """Offers whose title alone matches every term: they rank first for relevance."""

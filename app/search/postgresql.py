"""PostgreSQL: a generated tsvector over the normalised columns, `simple` config, GIN index.

The words were stemmed and folded in Python (app.search.text), so the `simple` configuration
(no stemmer, no stop words) indexes exactly what FTS5 indexes on SQLite. Title words carry
weight A, the employer's B, the description's D (migration 0005); a term is matched by weight,
as FTS5 matches it by column.
"""
from sqlalchemy import func, literal_column, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.models import Offer
from app.search.text import Term, TextQuery

SEARCH_VECTOR = literal_column("offers.search_vector")
TITLE, ORGANISATION, DESCRIPTION = "A", "B", "D"
# Always true (ids start at 1), stated by searches without words only: the covering indexes
# of migration 0011 are partial on it, so only those searches may use them. A full-text search
# does not state it, and its planner keeps the GIN bitmap plans.
WITHOUT_WORDS = Offer.id > 0


def plan_for_values(session: Session) -> None:
    """psycopg prepares a statement run five times on a connection, and PostgreSQL then switches
    it to one generic plan. A search's best plan depends on its words and its ring of communes
    (a generic plan made full-text counts 2-3x slower): this transaction's statements stay
    prepared (parsed once) but are planned for their values every time. Searches ask for it;
    bulk writes (imports, deduplication), which repeat one statement thousands of times, keep
    PostgreSQL's default."""
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def phrase(words: tuple[str, ...], weights: str) -> str:
    # Words are [a-z0-9]+ only (app.search.text.words): quoting them is enough.
    return "(" + " <-> ".join(f"'{word}':{weights}" for word in words) + ")"


def term_expression(term: Term) -> str:
    forms = [phrase(stems, TITLE + DESCRIPTION) for stems in term.stems]
    if term.organisation:
        forms.append(phrase(term.organisation, ORGANISATION))
    return "(" + " | ".join(forms) + ")"


def vector_matches(expression: str) -> ColumnElement[bool]:
    return SEARCH_VECTOR.op("@@")(func.to_tsquery("simple", expression))


class PostgresTextBackend:
    def matches(self, query: TextQuery) -> ColumnElement[bool]:
        return vector_matches(" & ".join(term_expression(term) for term in query.terms))

    def matches_title(self, query: TextQuery) -> ColumnElement[bool]:
        return vector_matches(
            " & ".join("(" + " | ".join(phrase(stems, TITLE) for stems in term.stems) + ")" for term in query.terms)
        )

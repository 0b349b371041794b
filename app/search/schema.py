"""Search index objects that the models cannot describe, kept out of model/database comparisons.

Migration 0005 creates them with dialect-specific DDL: on SQLite the FTS5 table `offers_fts`
(and the shadow tables FTS5 keeps beside it) with its triggers; on PostgreSQL the generated
`offers.search_vector` column and its GIN index. Migration 0009 adds covering indexes on SQLite
only, and one on training sessions used by search alone; migration 0011 three covering indexes on
PostgreSQL only (searches without words), migration 0012 one for the offers placed by their
département alone. Alembic's autogenerate
(migrations/env.py) and tests/test_migrations.py skip exactly these names through `is_modelled`.
"""
FTS_TABLE = "offers_fts"
UNMODELLED_COLUMNS = {("offers", "search_vector")}
# SQLite only (migration 0009): B-trees that let SQLite count a search's matches from an index
# alone. PostgreSQL counts from bitmap scans, whose plans these indexes made worse there.
SQLITE_SEARCH_INDEXES = ("ix_offers_search_by_date", "ix_offers_search_by_commune", "ix_offers_search_by_occupation")
# PostgreSQL only: searches without words counted from an index alone (migration 0011); the
# offers a radius search cannot place, by département (migration 0012).
PG_SEARCH_INDEXES = (
    "ix_offers_pg_search_by_date", "ix_offers_pg_search_by_commune", "ix_offers_pg_search_by_occupation",
    "ix_offers_pg_imprecise_by_departement",
)
# Both engines (migration 0009): a training's next session start (app/search/facets.py).
SESSIONS_INDEX = "ix_training_sessions_offer_start"
UNMODELLED_INDEXES = {"ix_offers_search_vector", *SQLITE_SEARCH_INDEXES, *PG_SEARCH_INDEXES, SESSIONS_INDEX}


def is_search_index_table(name: str) -> bool:
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


def is_modelled(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic `include_object` hook: False for the search index objects listed above."""
    if type_ == "table":
        return not is_search_index_table(name)
    if type_ == "column":
        return (object_.table.name, name) not in UNMODELLED_COLUMNS
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    return True

"""Search index objects that the models cannot describe, kept out of model/database comparisons.

Migration 0005 creates them with dialect-specific DDL: on SQLite the FTS5 table `offers_fts`
(and the shadow tables FTS5 keeps beside it) with its triggers; on PostgreSQL the generated
`offers.search_vector` column and its GIN index. Alembic's autogenerate (migrations/env.py)
and tests/test_migrations.py skip exactly these names through `is_modelled`.
"""
FTS_TABLE = "offers_fts"
UNMODELLED_COLUMNS = {("offers", "search_vector")}
UNMODELLED_INDEXES = {"ix_offers_search_vector"}


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

"""The schema exists only through Alembic: forward and back on the engine under test."""
from sqlalchemy import create_engine, inspect

from app.db import Base
from app.migrate import downgrade, upgrade
from app.search.schema import is_modelled, is_search_index_table
import app.models  # noqa: F401
from tests.conftest import database_url


def table_names(url):
    engine = create_engine(url)
    try:
        # The full-text index on SQLite (FTS5 and its shadow tables) is no model: see app/search/schema.py.
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if not is_search_index_table(name)}
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_then_downgrade_removes_them(tmp_path):
    url = database_url(tmp_path, "jobtab_migrations_test")
    upgrade(url)
    assert table_names(url) == set(Base.metadata.tables)

    downgrade(url, "base")
    assert table_names(url) == set()

    upgrade(url)  # and forward again, as a redeploy after a rollback would
    assert table_names(url) == set(Base.metadata.tables)


def test_models_and_migrations_agree(tmp_path):
    """A model change without its migration would make autogenerate find differences."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = database_url(tmp_path, "jobtab_migrations_diff_test")
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        # Search index objects the models cannot describe are skipped (app/search/schema.py).
        context = MigrationContext.configure(connection, opts={"include_object": is_modelled})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []

"""Alembic environment: runs migrations online against the URL the app (or a test) gives."""
import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

import app.models  # noqa: F401  (registers every table)
from app.db import Base
from app.search.schema import is_modelled

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations_online() -> None:
    connectable = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            # The full-text index objects of migration 0005 have no model (app/search/schema.py).
            include_object=is_modelled,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()

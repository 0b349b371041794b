"""What the benchmarks share: an empty database on the engine being measured."""
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def fresh_database(engine_name: str, sqlite_file: Path, postgres_url: str) -> str:
    """A SQLite file path, or the PostgreSQL database of `postgres_url` dropped and recreated."""
    if engine_name == "sqlite":
        return f"sqlite:///{sqlite_file}"
    url = make_url(postgres_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)

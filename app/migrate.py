"""`flask --app wsgi db …`: the schema is changed only through Alembic migrations.

"heads", not "head": each domain's migrations may branch from a common revision (they touch
different tables), and upgrading applies every branch.
"""
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


def alembic_config(database_url: str) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def upgrade_command(revision):
    """Migrate the schema forward (to the newest revision by default)."""
    upgrade(current_app.config["DATABASE_URL"], revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def downgrade_command(revision):
    """Migrate the schema back (one revision by default; `base` empties the database)."""
    downgrade(current_app.config["DATABASE_URL"], revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message):
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)

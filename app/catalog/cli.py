"""`flask --app wsgi reference load` and `flask --app wsgi catalog stats`."""
import json
import time

import click
from flask.cli import AppGroup

from app import db
from app.catalog import reference, services

reference_cli = AppGroup("reference", help="Reference data: INSEE places and ROME occupations.")
catalog_cli = AppGroup("catalog", help="The offer catalog.")


@reference_cli.command("load")
def load_command():
    """Load (or refresh) communes, départements, régions, ROME codes and job titles."""
    started = time.perf_counter()
    counts = reference.load_reference(db.session)
    db.session.commit()
    click.echo(json.dumps(counts, ensure_ascii=False))
    click.echo(f"Reference data loaded in {time.perf_counter() - started:.1f} s.", err=True)


@catalog_cli.command("stats")
def stats_command():
    """Print the catalog's figures as JSON."""
    click.echo(json.dumps(services.catalog_stats(db.session), ensure_ascii=False, indent=2))

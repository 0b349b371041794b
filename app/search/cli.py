"""`flask --app wsgi search …`: the precomputed counts of broad job searches (app/search/counts.py)."""
import time
from datetime import datetime, timezone

import click
from flask.cli import AppGroup

from app import db
from app.search.counts import fold_counts, rebuild_counts

search_cli = AppGroup("search", help="Search: precomputed counts of broad job searches.")


@search_cli.command("counts")
@click.option("--rebuild", is_flag=True, help="Count every offer again even if the groups are today's.")
def counts_command(rebuild: bool):
    """Fold the offers' changes into the counts; on a new day (run it just after midnight, and
    every few minutes) count every offer again."""
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    refresh = rebuild_counts(db.session, now) if rebuild else fold_counts(db.session, now)
    db.session.commit()
    done = "rebuilt" if refresh.rebuilt else f"folded {refresh.deltas_folded} change(s)"
    click.echo(f"search counts {done}: {refresh.groups} groups in {time.perf_counter() - started:.2f} s")

"""`flask --app wsgi search …`: the precomputed counts of broad searches (app/search/counts.py)."""
import logging
import time
from datetime import datetime, timezone

import click
from flask.cli import AppGroup

from app import db
from app.search.counts import fold_counts, rebuild_counts

log = logging.getLogger(__name__)
search_cli = AppGroup("search", help="Search: precomputed counts of broad searches.")


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


def fold_search_counts() -> None:
    """After a command that wrote many offers (a feed run, `dedup rebuild`): fold its changes into
    the counts now, so that broad searches do not add them up at each request until cron does.
    A failure leaves the counts exact (searches add the changes themselves): logged, not raised."""
    try:
        fold_counts(db.session, datetime.now(timezone.utc))
        db.session.commit()
    except Exception:  # noqa: BLE001 — the command's own work is committed and stands
        db.session.rollback()
        log.exception("search counts not folded")

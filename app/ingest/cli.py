"""`flask --app wsgi feeds …`: partner feeds in, one run at a time per source.

    feeds configure SLUG --format F [--url URL] …   a source `feeds sync` reads
    feeds sync [--source SLUG] [--full]             every active source (cron, nightly)
    feeds import --format F --source SLUG PATH_OR_URL  a one-shot import
    feeds runs [--source SLUG]                      recent runs and their counts
    feeds rejected RUN_ID                           what a run left out, and why

Each run commits twice: once to take the source's lock (other processes must see it before the
work starts), once with everything it wrote (on PostgreSQL that transaction also holds the
source's run lock: services.take_run_lock). Exit status 1 when a run was flagged or failed.
"""
import json
import os
from datetime import datetime, timedelta, timezone

import click
import requests
from flask.cli import AppGroup
from sqlalchemy import select

from app import db
from app.catalog.models import SOURCE_KINDS, Departement, Source
from app.ingest import services
from app.ingest.connectors import FORMATS, connector_for
from app.ingest.connectors.base import Connector, Context
from app.ingest.connectors.france_travail import API_BASE, TOKEN_URL, FranceTravailApi, FranceTravailConnector
from app.ingest.fetch import http_session
from app.ingest.models import FeedRun, RejectedRecord
from app.search.cli import fold_search_counts

feeds_cli = AppGroup("feeds", help="Partner feeds: configure, sync, import, and see the runs.")

# Lower ranks win when duplicates are merged: direct postings first, aggregators last.
KIND_RANKS = {"direct": 10, "employer": 20, "public_service": 30, "training_body": 30, "temp_agency": 40,
              "aggregator": 60}
# An incremental France Travail run starts a little before the last success began.
INCREMENT_OVERLAP = timedelta(hours=1)


@feeds_cli.command("configure")
@click.argument("slug")
@click.option("--format", "format_", type=click.Choice(FORMATS), required=True)
@click.option("--url", help="The feed's URL (for france-travail: the API base, default the real one).")
@click.option("--name", help="Shown to users (\"Aussi publiée par …\"); the slug by default.")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="employer", show_default=True)
@click.option("--query", help='France Travail search parameters as JSON, e.g. \'{"departement": "74"}\'.')
@click.option("--credentials-env", help="Prefix of the environment variables PREFIX_CLIENT_ID / PREFIX_CLIENT_SECRET.")
@click.option("--active/--inactive", default=True, show_default=True)
def configure_command(slug, format_, url, name, kind, query, credentials_env, active):
    """Create or change a source that `feeds sync` reads."""
    source = db.session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        source = Source(slug=slug, name=name or slug, kind=kind, rank=KIND_RANKS[kind])
        db.session.add(source)
    source.format, source.url, source.is_active = format_, url, active
    source.name = name or source.name
    source.credentials_env = credentials_env or source.credentials_env
    if query:
        source.config = {**(source.config or {}), "query": json.loads(query)}
    db.session.commit()
    click.echo(f"source {slug}: {format_}, {'active' if active else 'inactive'}")


@feeds_cli.command("import")
@click.option("--format", "format_", type=click.Choice(FORMATS), required=True)
@click.option("--source", "slug", required=True, help="The source's slug; created when new.")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="employer", show_default=True,
              help="For a new source: what kind of partner it is.")
@click.option("--partial", is_flag=True, help="The file is not the partner's full list: expire nothing.")
@click.argument("location")
def import_command(format_, slug, kind, partial, location):
    """Import one file or URL: france-travail (API results), indeed-xml, jsonld (a page or a
    sitemap.xml), lheo, csv (columns in app/ingest/connectors/csv.py)."""
    source = db.session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        source = Source(slug=slug, name=slug, kind=kind, rank=KIND_RANKS[kind], format=format_)
        db.session.add(source)
        db.session.commit()
    with http_session() as http:
        run = run_feed(source, connector_for(format_), location, http, is_full_feed=not partial)
    raise SystemExit(0 if run.status == "succeeded" else 1)


@feeds_cli.command("sync")
@click.option("--source", "slug", help="Only this source (even when inactive).")
@click.option("--full", is_flag=True, help="France Travail: read every offer, not only those created since the last run.")
def sync_command(slug, full):
    """Read every active source's feed, one after the other."""
    sources = services.sources_to_sync(db.session, slug)
    if slug and not sources:
        raise click.BadParameter(f"no source {slug!r} with a format", param_hint="--source")
    statuses = []
    with http_session() as http:
        for source in sources:
            if source.url is None and not uses_france_travail_api(source):
                click.echo(f"{source.slug}: no feed URL, skipped", err=True)
                continue
            connector, location = source_connector(source, full, http)
            statuses.append(run_feed(source, connector, location, http).status)
    raise SystemExit(0 if all(status == "succeeded" for status in statuses) else 1)


@feeds_cli.command("runs")
@click.option("--source", "slug", help="Only this source's runs.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def runs_command(slug, limit):
    """Recent runs, newest first: status, counts, what went wrong."""
    for run in services.recent_runs(db.session, slug, limit):
        duration = f"{(run.finished_at - run.started_at).total_seconds():.1f} s" if run.finished_at else "running"
        counts = " ".join(f"{name}={value}" for name, value in run.counts().items())
        click.echo(f"#{run.id} {run.started_at:%Y-%m-%d %H:%M} {run.source.slug} {run.format} "
                   f"{run.status} ({duration}) {counts}" + (f"\n    {run.message}" if run.message else ""))


@feeds_cli.command("rejected")
@click.argument("run_id", type=int)
def rejected_command(run_id):
    """The records a run left out, and why."""
    if db.session.get(FeedRun, run_id) is None:
        raise click.BadParameter(f"no run #{run_id}", param_hint="RUN_ID")
    rows = db.session.scalars(select(RejectedRecord).where(RejectedRecord.run_id == run_id).order_by(RejectedRecord.id))
    for rejection in rows:
        click.echo(f"{rejection.record_id}\t{rejection.reason}")


# --- Running one feed ------------------------------------------------------------------------

def run_feed(
    source: Source, connector: Connector, location: str, http: requests.Session, is_full_feed: bool = True
) -> FeedRun:
    """Lock, run, commit; a failure of ours is recorded on the run, then raised. A busy source is
    reported as a command error, not a traceback."""
    now = datetime.now(timezone.utc)
    try:
        run = services.start_run(db.session, source, connector, location, now, is_full_feed)
    except services.SourceBusy as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    run_id = run.id
    try:
        services.execute_run(db.session, run, connector, Context.from_database(db.session, now, http))
        db.session.commit()
    except services.SourceBusy as error:
        # PostgreSQL: the lock this run took over had expired under a run still writing.
        # Nothing was read nor written: the run is recorded as failed, and the source stays
        # locked for that other run, which frees it when it ends.
        db.session.rollback()
        services.fail_run(db.session, run_id, error)
        db.session.commit()
        raise click.ClickException(f"{error} (run #{run_id} failed)") from error
    except Exception as error:
        db.session.rollback()
        services.fail_run(db.session, run_id, error)
        db.session.commit()
        raise
    deduplicate(run)
    fold_search_counts()
    click.echo(json.dumps({"run": run.id, "source": source.slug, "status": run.status, **run.counts(),
                           "message": run.message}, ensure_ascii=False))
    return run


def deduplicate(run: FeedRun) -> None:
    """After the run's commit: a failing deduplication must not undo the import."""
    try:
        if services.deduplicate_run(db.session, run):
            db.session.commit()
    except Exception as error:  # noqa: BLE001 — reported on the run, the import stands
        db.session.rollback()
        run.message = "; ".join(filter(None, (run.message, f"deduplication failed: {error}")))
        db.session.commit()


def uses_france_travail_api(source: Source) -> bool:
    """A France Travail source with credentials reads the API; without, its URL is a results file."""
    return source.format in ("france-travail", "ft-offres-v2") and bool(source.credentials_env)


def source_connector(source: Source, full: bool, http: requests.Session) -> tuple[Connector, str]:
    """The connector a configured source needs; France Travail reads the API with credentials
    from the environment, since the last success unless --full."""
    if not uses_france_travail_api(source):
        return connector_for(source.format), source.url
    prefix = source.credentials_env
    client_id, secret = os.environ.get(f"{prefix}_CLIENT_ID"), os.environ.get(f"{prefix}_CLIENT_SECRET")
    if not client_id or not secret:
        raise click.ClickException(f"{source.slug}: set {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET")
    config = source.config or {}
    api = FranceTravailApi(
        client_id, secret, http, departements=list(db.session.scalars(select(Departement.code).order_by(Departement.code))),
        api_base=source.url or API_BASE, token_url=config.get("token_url", TOKEN_URL),
    )
    last = None if full else services.last_success(db.session, source.id)
    since = last.started_at - INCREMENT_OVERLAP if last else None
    return FranceTravailConnector(api, config.get("query"), since), source.url or API_BASE

"""`flask --app wsgi apply purge`: delete applications, CVs and CV access logs past their
retention (app/apply/retention.py). Run it daily from cron; it logs what it deleted."""
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app import db
from app.apply import retention

apply_cli = AppGroup("apply", help="Applications: retention.")


@apply_cli.command("purge")
def purge_command():
    """Delete applications, CV files and CV access logs older than their retention."""
    now = datetime.now(timezone.utc)
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    purged = retention.purge(db.session, now, retention.Retention.from_config(current_app.config))
    db.session.commit()
    retention.delete_files(upload_dir, purged.files)
    purged.stray_files = retention.delete_stray_files(db.session, upload_dir, now)
    db.session.remove()
    summary = (f"apply purge: {purged.applications} applications, {purged.unused_cvs} unused CVs, "
               f"{purged.access_logs} CV access log entries, {len(purged.files) + purged.stray_files} files deleted")
    current_app.logger.info(summary)
    click.echo(summary)

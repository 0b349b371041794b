"""`flask --app wsgi recruiters remind`: reminders before expiry, expiry, and the purge of
abandoned drafts (for cron)."""
from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import AppGroup

from app import db
from app.recruiters import services

recruiters_cli = AppGroup("recruiters", help="Recruiters' direct postings.")


@recruiters_cli.command("remind")
def remind_command():
    """E-mail the 7-day and 1-day reminders (each once), expire offers past their date, delete
    drafts and unverified submissions that can no longer be finished."""
    with current_app.test_request_context("/"):  # links in e-mails are built from PUBLIC_BASE_URL
        report = services.remind_and_expire(db.session, datetime.now(timezone.utc))
        db.session.commit()
    db.session.remove()
    click.echo(f"recruiters: {len(report.reminded)} reminded, {len(report.expired)} expired, "
               f"{report.purged_drafts} abandoned drafts deleted, {report.purged_links} spent links forgotten")

"""`flask --app wsgi outbox run [--once]`: the worker that sends the outbox."""
import os
import time

import click
from flask import current_app
from flask.cli import AppGroup

from app import db
from app.mail.sender import mailer_from_config
from app.mail.services import deliver_due
from app.mail.webhooks import WebhookSender

outbox_cli = AppGroup("outbox", help="Outgoing mail (the outbox table).")

POLL_SECONDS = 10


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Send what is due, then stop (for cron).")
@click.option("--poll-seconds", default=POLL_SECONDS, show_default=True, type=click.FloatRange(0.5, 3600),
              help="Pause between two looks at the outbox.")
def run_command(once: bool, poll_seconds: float):
    """Send due messages; retry failures later with exponential backoff."""
    mailer = mailer_from_config(current_app.config)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    webhooks = WebhookSender(os.environ)
    while True:
        result = deliver_due(db.session, mailer, sender, webhooks=webhooks)
        db.session.remove()
        if result.sent or result.failed:
            click.echo(f"outbox: {result.sent} sent, {result.failed} failed (will retry)")
        if once:
            return
        time.sleep(poll_seconds)

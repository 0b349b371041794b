"""The demo host page: an institution's site, on another origin, embedding the widget.

`flask --app wsgi demo host` serves it (default http://localhost:8000) while the widget
runs at --widget-url (default http://127.0.0.1:5000): two different sites, as in real life.
"""
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import click
from flask import Flask, abort, render_template
from flask.cli import with_appcontext
from markupsafe import Markup, escape
from werkzeug.serving import run_simple

from app import db
from app.tenants.services import list_tenants


URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str) -> Markup:
    """Plain text with its web addresses as links (everything else escaped)."""
    parts, last = [], 0
    for match in URL.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(match.group()))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def read_mailbox(directory: Path | None) -> list[dict]:
    """The e-mails the demo sent (files written by the outbox worker), newest first."""
    if directory is None or not directory.is_dir():
        return []
    messages = []
    for path in sorted(directory.glob("*.eml"), reverse=True):
        email = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = email.get_body(preferencelist=("plain",))
        messages.append({
            "name": path.stem, "to": email["To"], "subject": email["Subject"], "date": path.stat().st_mtime,
            "body": linkify(body.get_content() if body else ""),
        })
    return messages


def create_host_app(widget_url: str, tenants: list[dict], mail_dir: Path | None = None) -> Flask:
    """A separate, minimal Flask app: it shares nothing with the widget but its URL."""
    host = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    widget_url = widget_url.rstrip("/")
    by_slug = {tenant["slug"]: tenant for tenant in tenants}

    @host.get("/")
    @host.get("/<slug>")
    def page(slug=None):
        tenant = by_slug.get(slug) if slug else (tenants[0] if tenants else None)
        if tenant is None:
            abort(404)
        return render_template("demo_host/page.html", tenant=tenant, tenants=tenants, widget_url=widget_url)

    @host.get("/<slug>/liens")
    def links_only(slug):
        """A host that cannot frame (a social page): three link buttons to full pages."""
        tenant = by_slug.get(slug) or abort(404)
        return render_template("demo_host/links.html", tenant=tenant, tenants=tenants, widget_url=widget_url)

    @host.get("/courriels")
    def mailbox():
        """What the demo would have e-mailed (verification links, receipts…): no mail server needed."""
        return render_template("demo_host/mailbox.html", messages=read_mailbox(mail_dir), tenants=tenants)

    return host


@click.command("host")
@click.option("--port", default=8000, show_default=True)
@click.option("--bind", default="localhost", show_default=True, help="Host name the demo page is served on.")
@click.option("--widget-url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--mail-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of .eml files (MAIL_DIRECTORY) shown at /courriels.")
@with_appcontext
def host_command(port, bind, widget_url, mail_dir):
    """Serve the demo host page that embeds the widget from another site."""
    tenants = [{"slug": t.slug, "name": t.name} for t in list_tenants(db.session)]
    db.session.remove()
    if not tenants:
        raise click.ClickException("No tenant yet: run `flask --app wsgi demo load` first.")
    click.echo(f"Demo host page: http://{bind}:{port}/ (widget from {widget_url})")
    # Not app.run(): Flask ignores it inside a `flask` command.
    run_simple(bind, port, create_host_app(widget_url, tenants, mail_dir), threaded=True)

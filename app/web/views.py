"""Site-level routes: the index, the host-side embed script, a health check."""
from pathlib import Path

from flask import Blueprint, current_app, render_template, send_from_directory

from app import db
from app.tenants.services import list_tenants

bp = Blueprint("web", __name__, template_folder="templates")

WIDGET_DIR = Path(__file__).resolve().parents[2] / "widget"


@bp.get("/")
def index():
    return render_template("web/index.html", tenants=list_tenants(db.session))


@bp.get("/widget/<path:filename>")
def widget_asset(filename):
    """What an institution pastes into its page: the embed script (and its stylesheet)."""
    response = send_from_directory(WIDGET_DIR, filename, max_age=300)
    # The script runs on the institution's origin; let any page load it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/healthz")
def health():
    return {"status": "ok", "version": current_app.config.get("VERSION", "dev")}

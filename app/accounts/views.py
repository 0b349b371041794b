"""Sign-in with an OpenID Connect provider, one-click apply, and the applicant's space.

These pages run in a top-level window, never inside the iframe (identity providers refuse to
be framed, and the sign-in state lives in a first-party session cookie). They refuse framing
and are never cached. Every POST carries a per-session token and must come from our origin.
"""
import hmac
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from joserfc.errors import JoseError
from requests import RequestException

from app import db
from app.accounts import oidc, services
from app.accounts.models import Applicant
from app.apply import notifications
from app.apply import services as apply_services
from app.apply.files import delete_cv_file
from app.apply.forms import ApplicationForm, read_cv
from app.apply.views import is_same_origin_post
from app.catalog import services as catalog
from app.tenants.services import get_tenant
from app.web.urls import public_url

bp = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")

KIND_OF_TAB = {"jobs": "job", "trainings": "training"}
# A local path only: "/x", never "//host", "/\\host" or a scheme (no open redirect).
LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def safe_next(target: str | None) -> str:
    return target if target and LOCAL_PATH.fullmatch(target) else url_for("accounts.space")


@bp.before_request
def load_applicant_and_check_posts():
    g.applicant = db.session.get(Applicant, session["applicant_id"]) if "applicant_id" in session else None
    if request.method == "POST":
        expected = session.get("csrf", "")
        if not is_same_origin_post() or not expected or not hmac.compare_digest(expected, request.form.get("csrf", "")):
            abort(403)


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def csrf_and_providers():
    def csrf_token() -> str:
        session.setdefault("csrf", secrets.token_urlsafe(32))
        return session["csrf"]

    return {"csrf_token": csrf_token, "sign_in_providers": oidc.providers}


def require_applicant():
    if g.applicant is None:
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    return None


@bp.get("/sign-in")
def sign_in():
    return render_template("accounts/sign_in.html", next_url=safe_next(request.args.get("next")))


@bp.get("/sign-in/<provider>")
def start(provider):
    client = oidc.client(provider)
    if client is None:
        abort(404)
    session["next"] = safe_next(request.args.get("next"))
    try:
        # Our own nonce: Authlib's default has 119 bits; 256 leaves no doubt.
        return client.authorize_redirect(public_url("accounts.callback", provider=provider),
                                         nonce=secrets.token_urlsafe(32))
    except RequestException:
        return provider_unavailable()


@bp.get("/callback/<provider>")
def callback(provider):
    client = oidc.client(provider)
    if client is None:
        abort(404)
    try:
        token = client.authorize_access_token()
    except (OAuthError, JoseError):
        return render_template("accounts/sign_in_failed.html"), 400
    except RequestException:
        return provider_unavailable()
    claims = token["userinfo"]
    applicant = services.sign_in(db.session, provider, claims["iss"], claims["sub"],
                                 name=claims.get("name") or "", email=claims.get("email") or "")
    db.session.commit()
    next_url = safe_next(session.get("next"))
    session.clear()  # a new session on sign-in: nothing from before carries over
    session["applicant_id"] = applicant.id
    return redirect(next_url)


def provider_unavailable():
    return render_template("accounts/sign_in_failed.html", unavailable=True), 502


@bp.get("")
def space():
    if (response := require_applicant()) is not None:
        return response
    return render_template("accounts/space.html", applicant=g.applicant,
                           applications=services.applications_of(db.session, g.applicant),
                           elsewhere=services.elsewhere_of(db.session, g.applicant))


@bp.post("/cv")
def replace_cv():
    if (response := require_applicant()) is not None:
        return response
    form = ApplicationForm()
    read_cv(request.files.get("cv"), form)
    if form.errors:
        return render_template("accounts/space.html", applicant=g.applicant, cv_error=form.errors["cv"],
                               applications=services.applications_of(db.session, g.applicant),
                               elsewhere=services.elsewhere_of(db.session, g.applicant)), 400
    replaced = services.keep_cv(db.session, g.applicant, upload_dir(), form.cv)
    db.session.commit()
    if replaced:
        delete_cv_file(upload_dir(), replaced)
    return redirect(url_for("accounts.space"), 303)


@bp.post("/delete")
def delete_account():
    if (response := require_applicant()) is not None:
        return response
    files = services.erase_account(db.session, g.applicant)
    db.session.commit()
    for name in files:
        delete_cv_file(upload_dir(), name)
    session.clear()
    return render_template("accounts/deleted.html")


@bp.post("/sign-out")
def sign_out():
    session.clear()
    return redirect(url_for("accounts.sign_in"), 303)


def offer_or_404(tenant_slug: str, tab: str, offer_id: int):
    tenant = get_tenant(db.session, tenant_slug)
    offer = catalog.get_offer(db.session, tenant, KIND_OF_TAB[tab], offer_id) if tenant else None
    if offer is None:
        abort(404)
    return tenant, offer


@bp.route("/apply/<tenant>/<any(jobs, trainings):tab>/<int:offer_id>", methods=["GET", "POST"])
def one_click(tenant, tab, offer_id):
    """Confirm in one click with the name and e-mail from the provider and the stored CV."""
    tenant, offer = offer_or_404(tenant, tab, offer_id)
    if not apply_services.accepts_applications(offer, utc_now()):
        abort(404)
    if (response := require_applicant()) is not None:
        return response
    existing = services.find_application(db.session, g.applicant, offer)
    if request.method == "GET" or existing is not None:
        return render_template("accounts/one_click.html", tenant=tenant, tab=tab, offer=offer, applicant=g.applicant,
                               application=existing)
    if g.applicant.cv is None:  # the first time: the CV comes with the click, and is kept
        form = ApplicationForm()
        read_cv(request.files.get("cv"), form)
        if form.errors:
            return render_template("accounts/one_click.html", tenant=tenant, tab=tab, offer=offer,
                                   applicant=g.applicant, application=None, cv_error=form.errors["cv"]), 400
        services.keep_cv(db.session, g.applicant, upload_dir(), form.cv)
    now = utc_now()
    application = services.apply_in_one_click(db.session, tenant, offer, g.applicant,
                                               request.form.get("message", "").strip()[:5000], upload_dir(), now)
    notifications.application_received(db.session, application, now)
    db.session.commit()
    return redirect(url_for("accounts.one_click", tenant=tenant.slug, tab=tab, offer_id=offer.id), 303)


@bp.route("/applied-elsewhere/<tenant>/<any(jobs, trainings):tab>/<int:offer_id>", methods=["GET", "POST"])
def applied_elsewhere(tenant, tab, offer_id):
    """"Avez-vous postulé ?": note it in the applicant's space, to follow it up."""
    tenant, offer = offer_or_404(tenant, tab, offer_id)
    if (response := require_applicant()) is not None:
        return response
    if request.method == "POST":
        services.mark_applied_elsewhere(db.session, g.applicant, offer, utc_now())
        db.session.commit()
        return redirect(url_for("accounts.space"), 303)
    return render_template("accounts/applied_elsewhere.html", tenant=tenant, tab=tab, offer=offer)

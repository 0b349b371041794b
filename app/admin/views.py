"""Institution staff pages (/admin): sign-in, moderation queue, partner sources, the team, tenant
settings.

Top-level pages only: never framed (the app's CSP gives frame-ancestors 'none' outside the
widget routes), never cached. The staff member's tenant comes from their account, never from
the URL, and every object in a URL is looked up within that tenant: another tenant's posting is
a 404. Every POST is a Flask-WTF form (CSRF token) and must come from our own origin.
"""
import re
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from app import db
from app.admin import forms, notifications, services
from app.admin.models import StaffUser
from app.apply import tokens
from app.apply.limits import limiter
from app.apply.views import is_same_origin_post
from app.recruiters import services as recruiters
from app.web.urls import public_url

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

# Reachable without signing in.
PUBLIC_ENDPOINTS = {"admin.sign_in", "admin.set_password"}
# A local path inside the staff pages only: "/admin…", never "//host", "/\\host" or a scheme.
LOCAL_ADMIN_PATH = re.compile(r"/admin(?:[/?][^\s\\]*)?")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def safe_next(target: str | None) -> str:
    if target and LOCAL_ADMIN_PATH.fullmatch(target) and "//" not in target:
        return target
    return url_for("admin.home")


def hasher():
    return services.password_hasher(**current_app.config["STAFF_PASSWORD_HASHING"])


# --- Who is signed in -----------------------------------------------------------------------

def signed_in_staff() -> StaffUser | None:
    since = session.get("staff_since")
    if not isinstance(since, (int, float)):
        return None
    lifetime: timedelta = current_app.config["STAFF_SESSION_LIFETIME"]
    if utc_now().timestamp() - since > lifetime.total_seconds():
        return None
    return services.get_signed_in_staff(db.session, session.get("staff_id"), session.get("staff_token"))


@bp.before_request
def load_staff():
    if request.method == "POST" and not is_same_origin_post():
        abort(403)
    g.staff = signed_in_staff()
    if g.staff is None and request.endpoint not in PUBLIC_ENDPOINTS:
        for key in ("staff_id", "staff_token", "staff_since"):  # an ended or expired session
            session.pop(key, None)
        return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))
    return None


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def check_button_form(back_to: str) -> None:
    """A button's form (CSRF token only) whose token expired or is missing: nothing is done,
    and the page comes back with a message rather than an error page."""
    if not forms.ActionForm().validate_on_submit():
        flash(_("La page avait expiré : rien n'a été fait. Recommencez."))
        abort(redirect(back_to, 303))


def require_admin() -> None:
    if not g.staff.is_admin:
        abort(403)


@bp.context_processor
def staff_context():
    return {"staff": g.get("staff"), "sign_out_form": forms.ActionForm()}


def render(template: str, status: int = 200, **context):
    return render_template(f"admin/{template}", **context), status


# --- Sign-in and sign-out -------------------------------------------------------------------

def sign_in_per_address() -> str:
    return current_app.config["STAFF_SIGN_IN_LIMIT_PER_ADDRESS"]


def sign_in_per_email() -> str:
    return current_app.config["STAFF_SIGN_IN_LIMIT_PER_EMAIL"]


def sign_in_email_key() -> str:
    return "staff-email:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_per_address, methods=["POST"])
@limiter.limit(sign_in_per_email, key_func=sign_in_email_key, methods=["POST"])
def sign_in():
    next_url = safe_next(request.values.get("next"))
    if g.staff is not None and request.method == "GET":
        return redirect(next_url)
    form = forms.SignInForm()
    failed = False
    if form.validate_on_submit():
        staff = services.authenticate(db.session, form.email.data, form.password.data, hasher(), utc_now())
        if staff is not None:
            db.session.commit()
            # A new session: nothing from before the sign-in survives (no fixation), and a new
            # CSRF token is drawn on the next form.
            session.clear()
            session["staff_id"] = staff.id
            session["staff_token"] = staff.session_token
            session["staff_since"] = int(utc_now().timestamp())
            return redirect(next_url, 303)
        failed = True  # one message whether the address is unknown or the password wrong
    if request.method == "POST":
        form.password.data = ""
    status = 400 if failed or form.errors else 200
    return render("sign_in.html", status, form=form, failed=failed, next_url=next_url)


@bp.post("/sign-out")
def sign_out():
    check_button_form(url_for("admin.home"))
    services.end_sessions(db.session, g.staff)
    db.session.commit()
    session.clear()
    flash(_("Vous êtes déconnecté."))
    return redirect(url_for("admin.sign_in"), 303)


@bp.get("/")
def home():
    pending = len(recruiters.moderation_queue(db.session, g.staff.tenant_id))
    return render("home.html", pending=pending)


# --- Moderation -----------------------------------------------------------------------------

def posting_or_404(public_id: str):
    posting = recruiters.get_posting_for_tenant(db.session, g.staff.tenant_id, public_id)
    if posting is None:
        abort(404)
    return posting


def awaiting_review(posting) -> bool:
    return any(posting is queued for queued in recruiters.moderation_queue(db.session, g.staff.tenant_id))


@bp.get("/moderation")
def moderation():
    return render("moderation.html", postings=recruiters.moderation_queue(db.session, g.staff.tenant_id))


def posting_description(posting) -> Markup:
    """The recruiter's text as the published offer will show it: escaped, then cleaned by nh3
    (recruiters.format_description); the one place a posting's text becomes Markup."""
    return Markup(recruiters.format_description((posting.fields or {}).get("description") or ""))


def render_posting(posting, reject_form=None, status: int = 200):
    return render("posting.html", status, posting=posting, in_queue=awaiting_review(posting),
                  approve_form=forms.ActionForm(), reject_form=reject_form or forms.RejectForm(),
                  offer_url=published_url(posting), labels=services.posting_labels(db.session, posting),
                  description=posting_description(posting))


def published_url(posting) -> str | None:
    if posting.status != "published" or posting.offer_id is None:
        return None
    return public_url("embed.offer", tenant=posting.tenant.slug, tab="jobs", offer_id=posting.offer_id)


@bp.get("/moderation/<public_id>")
def posting(public_id):
    return render_posting(posting_or_404(public_id))


@bp.post("/moderation/<public_id>/approve")
def approve(public_id):
    posting = posting_or_404(public_id)
    check_button_form(url_for("admin.posting", public_id=public_id))
    if not awaiting_review(posting):
        flash(_("Cette offre n'attend plus de modération."))
        return redirect(url_for("admin.posting", public_id=public_id), 303)
    try:
        recruiters.approve(db.session, posting, g.staff.email, utc_now())
    except recruiters.NotAllowed:
        abort(409)
    db.session.commit()
    flash(_("Offre approuvée. Le recruteur en est informé par e-mail."))
    return redirect(url_for("admin.moderation"), 303)


@bp.post("/moderation/<public_id>/reject")
def reject(public_id):
    posting = posting_or_404(public_id)
    form = forms.RejectForm()
    if not awaiting_review(posting):
        flash(_("Cette offre n'attend plus de modération."))
        return redirect(url_for("admin.posting", public_id=public_id), 303)
    if not form.validate_on_submit():
        return render_posting(posting, reject_form=form, status=400)
    try:
        recruiters.reject(db.session, posting, form.reason.data.strip(), g.staff.email, utc_now())
    except recruiters.NotAllowed:
        abort(409)
    db.session.commit()
    flash(_("Offre refusée. Le recruteur reçoit le motif par e-mail."))
    return redirect(url_for("admin.moderation"), 303)


# --- Partner sources (read-only: shared by every tenant) ------------------------------------

def source_or_404(source_id: int):
    source = services.get_source(db.session, source_id)
    if source is None:
        abort(404)
    return source


@bp.get("/sources")
def sources():
    return render("sources.html", lines=services.list_sources(db.session))


@bp.get("/sources/<int:source_id>")
def source(source_id):
    source = source_or_404(source_id)
    return render("source.html", source=source, runs=services.source_runs(db.session, source))


@bp.get("/sources/<int:source_id>/runs/<int:run_id>")
def run(source_id, run_id):
    source = source_or_404(source_id)
    feed_run = services.get_run(db.session, source, run_id)
    if feed_run is None:
        abort(404)
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    rejections, total = services.run_rejections(db.session, feed_run, page)
    pages = max(1, -(-total // services.REJECTIONS_PER_PAGE))
    if page > pages:
        abort(404)
    return render("run.html", source=source, run=feed_run, rejections=rejections, total=total, page=page,
                  pages=pages, message=services.redact_urls(feed_run.message))


# --- The team (admins only) ----------------------------------------------------------------
# An admin invites colleagues of their own tenant; the invitation is a link to choose a password
# (signed, 72 hours, single use). The same link, sent again, resets a forgotten password.

def member_or_404(staff_id: int):
    member = services.get_team_member(db.session, g.staff.tenant_id, staff_id)
    if member is None:
        abort(404)
    return member


def render_team(invite_form=None, status: int = 200):
    return render("team.html", status, members=services.list_team(db.session, g.staff.tenant_id),
                  invite_form=invite_form or forms.InviteForm(), action_form=forms.ActionForm())


@bp.get("/team")
def team():
    require_admin()
    return render_team()


@bp.post("/team/invite")
def invite():
    require_admin()
    form = forms.InviteForm()
    if not form.validate_on_submit():
        return render_team(form, 400)
    try:
        member = services.invite_staff(db.session, g.staff.tenant, form.email.data, form.role.data, hasher())
    except services.StaffError:
        # Said the same way whoever holds the address (no hint of another tenant's staff).
        form.email.errors = [_("Cette adresse ne peut pas être invitée : elle a déjà un compte.")]
        return render_team(form, 400)
    notifications.send_password_link(db.session, member, invited=True, now=utc_now())
    db.session.commit()
    flash(_("Invitation envoyée à %(email)s.", email=member.email))
    return redirect(url_for("admin.team"), 303)


def team_action(staff_id: int):
    require_admin()
    member = member_or_404(staff_id)
    check_button_form(url_for("admin.team"))
    if member.id == g.staff.id:
        abort(409)  # one cannot lock oneself out
    return member


@bp.post("/team/<int:staff_id>/deactivate")
def deactivate(staff_id):
    member = team_action(staff_id)
    services.set_active(db.session, member, False)
    db.session.commit()
    flash(_("Le compte de %(email)s est désactivé.", email=member.email))
    return redirect(url_for("admin.team"), 303)


@bp.post("/team/<int:staff_id>/activate")
def activate(staff_id):
    member = team_action(staff_id)
    services.set_active(db.session, member, True)
    db.session.commit()
    flash(_("Le compte de %(email)s est réactivé.", email=member.email))
    return redirect(url_for("admin.team"), 303)


@bp.post("/team/<int:staff_id>/password-link")
def password_link(staff_id):
    member = team_action(staff_id)
    if not member.is_active:
        abort(409)
    notifications.send_password_link(db.session, member, invited=False, now=utc_now())
    db.session.commit()
    flash(_("Un lien pour choisir un mot de passe est envoyé à %(email)s.", email=member.email))
    return redirect(url_for("admin.team"), 303)


def staff_of_password_link(token: str):
    try:
        content = tokens.load(notifications.PASSWORD_LINK_SALT, token, notifications.PASSWORD_LINK_LIFETIME)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        return None
    if not isinstance(content, dict):
        return None
    return services.staff_for_password_link(db.session, content.get("id"), content.get("key"))


@bp.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_per_address, methods=["POST"])
def set_password(token):
    member = staff_of_password_link(token)
    if member is None:
        return render("link_refused.html", 400)
    form = forms.SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(db.session, member, form.password.data, hasher())  # the link is spent
        db.session.commit()
        session.clear()
        flash(_("Votre mot de passe est enregistré. Connectez-vous avec lui."))
        return redirect(url_for("admin.sign_in"), 303)
    form.password.data = form.confirmation.data = ""
    return render("set_password.html", 400 if form.errors else 200, form=form, member=member, token=token)


# --- Tenant settings (admins only) ----------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
def settings():
    require_admin()
    tenant = g.staff.tenant
    providers = current_app.config.get("OIDC_PROVIDERS") or {}
    if request.method == "GET":
        form = forms.TenantSettingsForm.from_tenant(tenant, session=db.session, providers=providers)
        return render("settings.html", form=form, providers=providers)
    form = forms.TenantSettingsForm(session=db.session, providers=providers,
                                    current_providers=tenant.identity_providers)
    if not form.validate():
        return render("settings.html", 400, form=form, providers=providers)
    services.update_tenant_settings(db.session, tenant, form.settings())
    db.session.commit()
    flash(_("Paramètres enregistrés."))
    return redirect(url_for("admin.settings"), 303)


def init_app(app) -> None:
    app.config.setdefault("STAFF_SESSION_LIFETIME", timedelta(hours=12))
    # argon2id parameters (time_cost, memory_cost in KiB, parallelism); {} = argon2-cffi's defaults.
    app.config.setdefault("STAFF_PASSWORD_HASHING", {})
    app.config.setdefault("STAFF_SIGN_IN_LIMIT_PER_ADDRESS", "10 per minute; 60 per hour")
    app.config.setdefault("STAFF_SIGN_IN_LIMIT_PER_EMAIL", "20 per hour")
    app.register_blueprint(bp)

"""Applying from the widget (framed per tenant) and following up by signed link (never framed).

The plain form needs no cookie: a signed form token carries the offer, the time the form was
shown and an idempotency key. Cross-site posts are refused by Origin and Sec-Fetch-Site.
"""
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import db
from app.apply import notifications, services, tokens
from app.apply.files import cv_path, delete_cv_file, store_cv
from app.apply.forms import HONEYPOT, ApplicationForm, is_bot, read_form
from app.apply.limits import email_key, limiter, offer_key, per_address, per_email, per_offer
from app.catalog import services as catalog
from app.tenants.services import get_tenant
from app.web.security import allow_framing_by

bp = Blueprint("apply", __name__, url_prefix="/t/<tenant>/<any(jobs, trainings):tab>/<int:offer_id>",
               template_folder="templates")
followup = Blueprint("applications", __name__, template_folder="templates")

KIND_OF_TAB = {"jobs": "job", "trainings": "training"}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


@bp.url_value_preprocessor
def load_offer(endpoint, values):
    if endpoint == "apply.submit":
        # Before anything reads the body (the rate limits read the e-mail field): a CV that is
        # too big still reaches the form's checks, which keep what the applicant typed.
        request.max_content_length = current_app.config["APPLY_MAX_REQUEST_BYTES"]
    g.tenant = get_tenant(db.session, values.pop("tenant"))
    if g.tenant is None:
        abort(404)
    allow_framing_by(g.tenant)
    g.offer = catalog.get_offer(db.session, g.tenant, KIND_OF_TAB[values["tab"]], values["offer_id"])
    if g.offer is None or g.offer.duplicate_of_id is not None:
        abort(404)


@bp.url_defaults
def add_tenant(_endpoint, values):
    if "tenant" not in values and g.get("tenant") is not None:
        values["tenant"] = g.tenant.slug


@bp.errorhandler(413)
def too_large(_error):
    """Beyond APPLY_MAX_REQUEST_BYTES the body is not read at all, so nothing typed can be
    kept: say why, and lead back to the form."""
    page = render_template("apply/too_large.html", tab=request.view_args["tab"], offer=g.offer)
    return page, 413


def is_same_origin_post() -> bool:
    """Defence in depth besides the form token: a post from another site is refused.

    Inside the iframe the form posts to its own origin, so Sec-Fetch-Site is same-origin
    whatever site frames it; old browsers send neither header.
    """
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = {request.host_url.rstrip("/")}
    if current_app.config.get("PUBLIC_BASE_URL"):
        parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
        allowed.add(f"{parts.scheme}://{parts.netloc}")
    return origin in allowed


def refuse_cross_site_posts():
    if request.method == "POST" and not is_same_origin_post():
        abort(403)


bp.before_request(refuse_cross_site_posts)
followup.before_request(refuse_cross_site_posts)


@bp.get("/apply-elsewhere")
def elsewhere(tab, offer_id):
    """Leave for the URL stored with this offer, and only that one: no URL parameter is read."""
    if not services.leaves_for_partner_site(g.offer):
        abort(404)
    services.record_click(db.session, g.tenant, g.offer, utc_now())
    db.session.commit()
    response = redirect(g.offer.apply_url, 303)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_form(tab: str, form: ApplicationForm, form_token: str, status: int = 200, notice: str | None = None):
    return render_template("apply/form.html", tab=tab, offer=g.offer, form=form, form_token=form_token,
                           notice=notice, honeypot=HONEYPOT, tenant=g.tenant), status


def open_offer_or_404() -> None:
    """No form for an offer that cannot take one (expired, or nobody to deliver it to): a 404
    that says why and shows what the offer gives instead, on GET and on POST alike."""
    if not services.accepts_applications(g.offer, utc_now()):
        page = render_template("apply/unavailable.html", tab=request.view_args["tab"], offer=g.offer,
                               source_url=services.source_page_url(g.offer))
        abort(current_app.make_response((page, 404)))


@bp.get("/apply")
def form(tab, offer_id):
    open_offer_or_404()
    return render_form(tab, ApplicationForm(), tokens.new_form_token(offer_id))


@bp.post("/apply")
@limiter.limit(per_address)
@limiter.limit(per_email, key_func=email_key)
@limiter.limit(per_offer, key_func=offer_key)
def submit(tab, offer_id):
    open_offer_or_404()
    if is_bot(request.form):  # a robot gets a confirmation and nothing is stored
        return render_template("apply/sent.html", tab=tab, offer=g.offer)
    try:
        form_token = tokens.read_form_token(request.form.get("form_token"), offer_id)
    except tokens.TokenExpired:
        return form_again(tab, read_form(request.form, request.files), request.form.get("form_token"),
                          _("Le formulaire était ouvert depuis longtemps : vérifiez vos informations, choisissez à nouveau votre CV et envoyez."))
    except tokens.TokenInvalid:
        return form_again(tab, read_form(request.form, request.files), None, _("Le formulaire n'a pas pu être vérifié : vérifiez vos informations, choisissez à nouveau votre CV et envoyez."))
    existing = services.find_by_key(db.session, form_token.key)
    if existing is not None:
        return redirect_to_sent(tab, existing)
    form = read_form(request.form, request.files)
    if form.errors:
        return render_form(tab, form, request.form.get("form_token"), 400)
    # Only a complete form can be too fast: a person who sends it empty gets the field errors.
    if utc_now().timestamp() - form_token.issued_at < current_app.config["APPLY_MIN_SECONDS"]:
        return form_again(tab, form, request.form.get("form_token"), _("Le formulaire a été envoyé très vite : vérifiez vos informations, choisissez à nouveau votre CV et envoyez."))
    return store_and_confirm(tab, form, form_token.key)


def form_again(tab: str, form: ApplicationForm, old_token: str | None, notice: str):
    """Show the form again with the values kept, a fresh token and the reason (never data loss)."""
    previous = tokens.read_form_token_ignoring_age(old_token, g.offer.id) if old_token else None
    fresh = tokens.renewed_form_token(previous) if previous else tokens.new_form_token(g.offer.id)
    return render_form(tab, form, fresh, 400, notice=notice)


def store_and_confirm(tab: str, form: ApplicationForm, key: str):
    """Store the CV file, then the application and its e-mails in one commit. If anything
    fails the file goes too; a twin request that won the race is found by its key."""
    now = utc_now()
    storage_name = store_cv(upload_dir(), form.cv.data)
    try:
        application = services.submit_application(db.session, g.tenant, g.offer, form, key, storage_name, now)
        notifications.application_received(db.session, application, now)
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once: the other request stored it
        db.session.rollback()
        delete_cv_file(upload_dir(), storage_name)
        existing = services.find_by_key(db.session, key)
        if existing is None:
            raise
        return redirect_to_sent(tab, existing)
    except Exception:
        db.session.rollback()
        delete_cv_file(upload_dir(), storage_name)
        raise
    return redirect_to_sent(tab, application)


def redirect_to_sent(tab: str, application):
    token = tokens.application_token(tokens.DONE_SALT, application.public_id)
    return redirect(url_for("apply.sent", tab=tab, offer_id=g.offer.id, token=token), 303)


@bp.get("/apply/sent/<token>")
def sent(tab, offer_id, token):
    try:
        tokens.read_application_token(tokens.DONE_SALT, token, tokens.DONE_LIFETIME)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        abort(404)
    response = current_app.make_response(render_template("apply/sent.html", tab=tab, offer=g.offer))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Follow-up by signed link: the applicant's status page and the recruiter's page ---------

def application_from(salt: str, token: str, lifetime):
    try:
        public_id = tokens.read_application_token(salt, token, lifetime)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        abort(404)
    application = services.find_by_public_id(db.session, public_id)
    if application is None:
        abort(404)
    return application


def private(response_or_html, status: int = 200):
    """Personal data: never stored by a cache."""
    response = current_app.make_response((response_or_html, status))
    response.headers["Cache-Control"] = "no-store"
    return response


@followup.get("/applications/<token>")
def status(token):
    application = application_from(tokens.STATUS_SALT, token, tokens.STATUS_LIFETIME)
    return private(render_template("apply/status.html", application=application, token=token))


@followup.post("/applications/<token>/withdraw")
def withdraw(token):
    application = application_from(tokens.STATUS_SALT, token, tokens.STATUS_LIFETIME)
    now = utc_now()
    try:
        services.withdraw(db.session, application, now)
    except services.NotAllowed:
        return redirect(url_for("applications.status", token=token), 303)
    notifications.application_withdrawn(db.session, application, now)
    db.session.commit()
    return redirect(url_for("applications.status", token=token), 303)


@followup.post("/applications/<token>/erase")
def erase(token):
    application = application_from(tokens.STATUS_SALT, token, tokens.STATUS_LIFETIME)
    if application.status != "withdrawn":
        notifications.application_withdrawn(db.session, application, utc_now())
    storage_name = services.erase(db.session, application)
    db.session.commit()
    if storage_name:
        delete_cv_file(upload_dir(), storage_name)
    return private(render_template("apply/erased.html"))


@followup.get("/recruiter/applications/<token>")
def recruiter(token):
    application = application_from(tokens.RECRUITER_SALT, token, tokens.RECRUITER_LIFETIME)
    return private(render_template("apply/recruiter.html", application=application, token=token))


@followup.get("/recruiter/applications/<token>/cv")
def recruiter_cv(token):
    application = application_from(tokens.RECRUITER_SALT, token, tokens.RECRUITER_LIFETIME)
    if application.cv is None or application.status == "withdrawn":
        abort(404)
    services.log_cv_access(db.session, application, application.recruiter_email or "partner webhook", utc_now())
    db.session.commit()
    response = send_file(cv_path(upload_dir(), application.cv.storage_name), mimetype=application.cv.media_type,
                         as_attachment=True, download_name=application.cv.original_name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@followup.post("/recruiter/applications/<token>/decision")
def recruiter_decision(token):
    application = application_from(tokens.RECRUITER_SALT, token, tokens.RECRUITER_LIFETIME)
    now = utc_now()
    try:
        services.decide(db.session, application, request.form.get("decision", ""), request.form.get("reason"), now)
    except services.NotAllowed:
        abort(400)
    notifications.decision_made(db.session, application, now)
    db.session.commit()
    return redirect(url_for("applications.recruiter", token=token), 303)

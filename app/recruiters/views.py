"""Recruiters: the posting flow inside the widget, and the pages reached from e-mails.

The posting flow (`posting`, under /t/<tenant>/post, framed by the tenant's host sites) needs
no cookie: the draft is named by its random public id in the URL, and each POST carries a
signed token bound to that draft (app.recruiters.tokens); posts from another site are refused
by Origin and Sec-Fetch-Site, as on the apply form. The pages opened from e-mails (`recruiters`,
under /recruiters, never framed) are reached by signed links; a GET never changes anything:
single-use links show a page with one button (mail scanners follow links, people press buttons).
"""
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from app import db
from app.apply.limits import limiter
from app.apply.notifications import recruiter_url
from app.apply.views import is_same_origin_post
from app.recruiters import forms, limits, services, tokens
from app.recruiters.models import UsedLink
from app.search.criteria import tenant_departements
from app.search.occupations import occupation_index
from app.search.places import gazetteer
from app.tenants.services import get_tenant
from app.web.i18n import current_language
from app.web.security import allow_framing_by

posting_bp = Blueprint("posting", __name__, url_prefix="/t/<tenant>/post", template_folder="templates")
bp = Blueprint("recruiters", __name__, url_prefix="/recruiters", template_folder="templates",
               static_folder="static", static_url_path="/static")

NEXT_PAGE = {"company": "contact", "contact": "offer", "offer": "apply", "apply": "check"}
PREVIOUS_PAGE = {"contact": "company", "offer": "contact", "apply": "offer", "check": "apply"}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def refuse_cross_site_posts():
    if request.method == "POST" and not is_same_origin_post():
        abort(403)


posting_bp.before_request(refuse_cross_site_posts)
bp.before_request(refuse_cross_site_posts)


@posting_bp.after_request
def never_cache_drafts(response):
    """A draft's pages hold the recruiter's answers (an e-mail address): no cache keeps them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@posting_bp.url_value_preprocessor
def load_draft(_endpoint, values):
    g.tenant = get_tenant(db.session, values.pop("tenant"))
    if g.tenant is None:
        abort(404)
    allow_framing_by(g.tenant)
    public_id = (values or {}).get("public_id")
    if public_id is not None:
        g.posting = services.get_posting_for_tenant(db.session, g.tenant.id, public_id)
        if g.posting is None:
            abort(404)


@posting_bp.url_defaults
def add_tenant(_endpoint, values):
    if "tenant" not in values and g.get("tenant") is not None:
        values["tenant"] = g.tenant.slug


def too_many(error):
    return render_template("recruiters/too_many.html", tab="post", in_widget=g.get("tenant") is not None), 429


posting_bp.register_error_handler(429, too_many)
bp.register_error_handler(429, too_many)


def posting_email_key() -> str:
    posting = g.get("posting")
    return "posting-email:" + ((posting.contact_email or "") if posting is not None else "")


# --- The posting flow ------------------------------------------------------------------------

def start_page():
    """The post tab (embed.post): what it takes, and a button that opens a draft."""
    return render_template("embed/post.html", tab="post", duration=g.tenant.offer_duration_days)


@posting_bp.post("/start")
@limiter.limit(limits.per_address)
def start():
    posting = services.new_draft(db.session, g.tenant, utc_now(), locale=current_language())
    db.session.commit()
    return redirect(url_for("posting.page", public_id=posting.public_id, name="company"), 303)


def territory() -> set[str]:
    return tenant_departements(db.session, g.tenant)


def read_page(name: str):
    form = request.form
    if name == "company":
        return forms.read_company(form, gazetteer(db.session), territory())
    if name == "contact":
        return forms.read_contact(form)
    if name == "offer":
        return forms.read_offer(form, gazetteer(db.session), occupation_index(db.session), territory(),
                                utc_now().date())
    return forms.read_apply(form)


def render_page(name: str, page, status: int = 200, notice: str | None = None):
    returning = request.values.get("return_to") == "check"
    back = url_for("posting.check", public_id=g.posting.public_id) if returning else (
        url_for("posting.page", public_id=g.posting.public_id, name=PREVIOUS_PAGE[name])
        if name in PREVIOUS_PAGE else url_for("embed.post"))
    return render_template(f"recruiters/page_{name}.html", tab="post", posting=g.posting, form=page,
                           form_token=tokens.form_token(g.posting.public_id), back=back, returning=returning,
                           notice=notice, contract_types=forms.CONTRACT_TYPES, working_times=forms.WORKING_TIMES,
                           max_description=forms.MAX_DESCRIPTION), status


def draft_or_sent():
    """A submitted posting is no longer edited here: show where it stands."""
    if not services.is_editable(g.posting):
        return redirect(url_for("posting.sent", public_id=g.posting.public_id), 303)
    return None


def token_problem() -> str | None:
    try:
        tokens.check_form_token(request.form.get("form_token"), g.posting.public_id)
    except tokens.TokenExpired:
        return _("Le formulaire était ouvert depuis longtemps : vérifiez vos réponses et envoyez à nouveau.")
    except tokens.TokenInvalid:
        return _("Le formulaire n'a pas pu être vérifié : vérifiez vos réponses et envoyez à nouveau.")
    return None


@posting_bp.route("/<public_id>/<any(company, contact, offer, apply):name>", methods=["GET", "POST"])
def page(public_id, name):
    if (elsewhere := draft_or_sent()) is not None:
        return elsewhere
    if request.method == "GET":
        return render_page(name, forms.stored_values(g.posting, name, gazetteer(db.session)))
    page = read_page(name)
    if (notice := token_problem()) is not None:
        return render_page(name, page, 400, notice)
    if page.errors:
        return render_page(name, page, 400)
    services.save_answers(db.session, g.posting, page.answers, utc_now())
    db.session.commit()
    following = "check" if request.form.get("return_to") == "check" else NEXT_PAGE[name]
    if following == "check":
        return redirect(url_for("posting.check", public_id=public_id), 303)
    return redirect(url_for("posting.page", public_id=public_id, name=following), 303)


def render_check(status: int = 200, notice: str | None = None):
    fields = g.posting.fields or {}
    places = gazetteer(db.session)
    company_place = places.communes.get(g.posting.company_commune_code or "")
    place = places.communes.get(fields.get("commune_code") or "")
    return render_template(
        "recruiters/check.html", tab="post", posting=g.posting, fields=fields, notice=notice,
        company_place=company_place.label if company_place else "", place=place.label if place else "",
        description=Markup(services.format_description(fields.get("description") or "")),  # escaped, then nh3
        start_date=datetime.fromisoformat(fields["start_date"]).date() if fields.get("start_date") else None,
        form_token=tokens.form_token(g.posting.public_id), back=url_for("posting.page", public_id=g.posting.public_id,
                                                                        name="apply"),
    ), status


@posting_bp.get("/<public_id>/check")
def check(public_id):
    if (elsewhere := draft_or_sent()) is not None:
        return elsewhere
    if missing := forms.missing_pages(g.posting):
        return redirect(url_for("posting.page", public_id=public_id, name=missing[0]), 303)
    return render_check()


@posting_bp.post("/<public_id>/check")
@limiter.limit(limits.per_address)
@limiter.limit(limits.per_email, key_func=posting_email_key)
def submit(public_id):
    if (elsewhere := draft_or_sent()) is not None:
        return elsewhere
    if missing := forms.missing_pages(g.posting):
        return redirect(url_for("posting.page", public_id=public_id, name=missing[0]), 303)
    if (notice := token_problem()) is not None:
        return render_check(400, notice)
    services.submit(db.session, g.posting, utc_now())
    db.session.commit()
    return redirect(url_for("posting.sent", public_id=public_id), 303)


@posting_bp.get("/<public_id>/sent")
def sent(public_id):
    if services.is_editable(g.posting):
        return redirect(url_for("posting.check", public_id=public_id), 303)
    return render_template("recruiters/sent.html", tab="post", posting=g.posting)


# --- Signed links from e-mails ---------------------------------------------------------------

def link_page(template: str, status: int = 200, **context):
    response = current_app.make_response((render_template(f"recruiters/{template}", **context), status))
    response.headers["Cache-Control"] = "no-store"
    return response


def refused_link(problem: str, status: int = 400):
    """A clear page, never a 500 or a bare 400: why the link does not work and what to do."""
    return link_page("link_refused.html", status, problem=problem)


def posting_from_link(salt: str, token: str, lifetime):
    """(posting, None) or (None, the refusal page)."""
    try:
        public_id = tokens.read_posting_token(salt, token, lifetime)
    except tokens.TokenExpired:
        return None, refused_link("expired", 410)
    except tokens.TokenInvalid:
        return None, refused_link("invalid", 400)
    posting = services.get_posting(db.session, public_id)
    if posting is None:
        return None, refused_link("invalid", 400)
    if db.session.get(UsedLink, tokens.digest(token)) is not None:
        return None, refused_link("used", 410)
    return posting, None


def spend_and_commit(token: str, purpose: str, now: datetime) -> bool:
    """Record the link as used with the change, in one commit. False when a twin request won."""
    try:
        services.spend_link(db.session, token, purpose, now)
        db.session.commit()
    except (services.LinkAlreadyUsed, IntegrityError):
        db.session.rollback()
        return False
    return True


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token):
    posting, refusal = posting_from_link(tokens.VERIFY_SALT, token, tokens.VERIFY_LIFETIME)
    if refusal is not None:
        return refusal
    if posting.status != "unverified":
        return refused_link("used", 410)
    if request.method == "GET":
        return link_page("verify.html", posting=posting, token=token)
    now = utc_now()
    services.verify(db.session, posting, now)
    if not spend_and_commit(token, "verify", now):
        return refused_link("used", 410)
    return redirect(url_for("recruiters.verified", token=tokens.space_token(tokens.SPACE_SALT, posting.contact_email),
                            posting_id=posting.public_id), 303)


@bp.get("/verified/<token>/<posting_id>")
def verified(token, posting_id):
    try:
        email = tokens.read_space_token(tokens.SPACE_SALT, token, tokens.SPACE_LIFETIME)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        return refused_link("invalid", 400)
    posting = services.get_posting(db.session, posting_id)
    if posting is None or posting.contact_email != email:
        return refused_link("invalid", 400)
    return link_page("verified.html", posting=posting, space_token=token)


@bp.route("/renew/<token>", methods=["GET", "POST"])
def renew(token):
    posting, refusal = posting_from_link(tokens.RENEW_SALT, token, tokens.RENEW_LIFETIME)
    if refusal is not None:
        return refusal
    if posting.status not in ("published", "expired"):
        return link_page("not_possible.html", 409, posting=posting)
    if request.method == "GET":
        return link_page("renew.html", posting=posting, token=token)
    now = utc_now()
    services.renew(db.session, posting, now)
    if not spend_and_commit(token, "renew", now):
        return refused_link("used", 410)
    return link_page("renewed.html", posting=posting)


@bp.route("/close/<token>", methods=["GET", "POST"])
def close(token):
    posting, refusal = posting_from_link(tokens.CLOSE_SALT, token, tokens.RENEW_LIFETIME)
    if refusal is not None:
        return refusal
    if posting.status not in ("pending", "published", "expired"):
        return link_page("not_possible.html", 409, posting=posting)
    if request.method == "GET":
        return link_page("close.html", posting=posting, token=token)
    now = utc_now()
    services.close(db.session, posting, "filled", now)
    if not spend_and_commit(token, "close", now):
        return refused_link("used", 410)
    return link_page("closed.html", posting=posting)


# --- The recruiter space (magic link) --------------------------------------------------------

@bp.get("/space")
def space_login():
    return link_page("space_login.html", email="", error=None)


def link_email_key() -> str:
    return "space-email:" + request.form.get("email", "").strip().lower()


@bp.post("/space")
@limiter.limit(limits.link_per_address)
@limiter.limit(limits.link_per_email, key_func=link_email_key)
def space_request():
    email = request.form.get("email", "").strip()
    if not email or len(email) > 254 or not forms.EMAIL.fullmatch(email):
        return link_page("space_login.html", 400, email=email,
                         error=_("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."))
    services.send_space_link(db.session, email, utc_now(), locale=current_language())
    db.session.commit()
    # The same answer whether or not the address has offers: nobody learns who posts here.
    return redirect(url_for("recruiters.space_requested"), 303)


@bp.get("/space/requested")
def space_requested():
    return link_page("space_requested.html")


def space_email(token: str):
    try:
        return tokens.read_space_token(tokens.SPACE_SALT, token, tokens.SPACE_LIFETIME), None
    except tokens.TokenExpired:
        return None, refused_link("space_expired", 410)
    except tokens.TokenInvalid:
        return None, refused_link("invalid", 400)


def own_posting(email: str, public_id: str):
    posting = services.get_posting(db.session, public_id)
    if posting is None or posting.contact_email != email:
        abort(404)
    return posting


@bp.get("/space/<token>")
def space(token):
    email, refusal = space_email(token)
    if refusal is not None:
        return refusal
    postings = services.postings_of(db.session, email)
    applications = {posting.id: services.applications_of(db.session, posting) for posting in postings}
    return link_page("space.html", email=email, postings=postings, applications=applications, token=token,
                     recruiter_url=recruiter_url, now=utc_now())


@bp.post("/space/<token>/<public_id>/<any(renew, close):action>")
def space_action(token, public_id, action):
    email, refusal = space_email(token)
    if refusal is not None:
        return refusal
    posting = own_posting(email, public_id)
    now = utc_now()
    try:
        if action == "renew":
            services.renew(db.session, posting, now)
        else:
            services.close(db.session, posting, "filled", now)
    except services.NotAllowed:
        return link_page("not_possible.html", 409, posting=posting)
    db.session.commit()
    return redirect(url_for("recruiters.space", token=token) + f"#posting-{posting.public_id}", 303)


@bp.route("/space/<token>/<public_id>/edit", methods=["GET", "POST"])
def space_edit(token, public_id):
    email, refusal = space_email(token)
    if refusal is not None:
        return refusal
    posting = own_posting(email, public_id)
    if posting.status not in ("pending", "published"):
        return link_page("not_possible.html", 409, posting=posting)
    places = gazetteer(db.session)
    if request.method == "GET":
        return render_edit(token, posting, forms.stored_values(posting, "offer", places))
    page = forms.read_offer(request.form, places, occupation_index(db.session),
                            tenant_departements(db.session, posting.tenant), utc_now().date())
    if page.errors:
        return render_edit(token, posting, page, 400)
    services.edit(db.session, posting, page.answers, utc_now())
    db.session.commit()
    return redirect(url_for("recruiters.space", token=token) + f"#posting-{posting.public_id}", 303)


def render_edit(token, posting, page, status: int = 200):
    return link_page("space_edit.html", status, token=token, posting=posting, form=page,
                     contract_types=forms.CONTRACT_TYPES, working_times=forms.WORKING_TIMES,
                     max_description=forms.MAX_DESCRIPTION)


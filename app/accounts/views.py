"""Sign-in with an identity provider, one-click apply, and the applicant's space.

These pages run in a top-level window, never inside the iframe (identity providers refuse to
be framed, and the sign-in state lives in a first-party session cookie). They refuse framing
and are never cached. Every POST carries a per-session token and must come from our origin.

A tenant's pages (/account/t/<tenant>/sign-in…) offer only the providers it chose
(Tenant.identity_providers); the applicant's own space (/account/sign-in) offers them all.
The OAuth state is signed and carries where to go next and for which tenant: when the
callback finds no state in the session (cookies blocked where the flow began, even
partitioned ones), it offers to start again in a new top-level tab instead of an error.
"""
import hmac
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from requests import RequestException

from app import db
from app.accounts import browsers, oidc, services
from app.accounts.flows import Flow, read_state, signed_state
from app.accounts.models import Applicant
from app.apply import notifications
from app.apply import services as apply_services
from app.apply.files import delete_cv_file
from app.apply.forms import EMAIL, ApplicationForm, read_cv
from app.apply.views import is_same_origin_post
from app.catalog import services as catalog
from app.tenants.services import get_tenant
from app.web.security import allow_framing_by
from app.web.urls import public_url

bp = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")

KIND_OF_TAB = {"jobs": "job", "trainings": "training"}
# A local path only: "/x", never "//host", "/\\host" or a scheme (no open redirect).
LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")
ONE_CLICK_PATH = re.compile(r"/account/apply/(?P<tenant>[^/]+)/(?P<tab>jobs|trainings)/(?P<offer_id>[0-9]+)")


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


@bp.after_app_request
def vary_by_user_agent(response):
    """A page that looked at the User-Agent (in-app browsers) must not be cached for another."""
    if g.get("varies_by_user_agent"):
        response.vary.add("User-Agent")
    return response


@bp.app_context_processor
def csrf_and_providers():
    def csrf_token() -> str:
        session.setdefault("csrf", secrets.token_urlsafe(32))
        return session["csrf"]

    def sign_in_providers(tenant=None) -> dict[str, dict]:
        return oidc.providers_for(tenant)

    def in_app_browser() -> bool:
        g.varies_by_user_agent = True
        return browsers.is_in_app_browser(request.user_agent.string)

    def page_url() -> str:
        """This page's public address (from PUBLIC_BASE_URL, never the Host header)."""
        base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
        return base.rstrip("/") + request.full_path.rstrip("?")

    return {"csrf_token": csrf_token, "sign_in_providers": sign_in_providers, "in_app_browser": in_app_browser,
            "page_url": page_url}


def require_applicant(tenant=None):
    if g.applicant is None:
        return redirect(url_for("accounts.sign_in", tenant=tenant.slug if tenant else None,
                                next=request.full_path.rstrip("?")))
    return None


def tenant_or_404(slug: str | None):
    if slug is None:
        return None
    tenant = get_tenant(db.session, slug)
    if tenant is None:
        abort(404)
    return tenant


def plain_form_url(next_url: str) -> str | None:
    """When signing in to apply to an offer: the offer's plain form, the way with no account."""
    match = ONE_CLICK_PATH.fullmatch(next_url)
    if match is None:
        return None
    return url_for("apply.form", tenant=match["tenant"], tab=match["tab"], offer_id=int(match["offer_id"]))


@bp.get("/sign-in", defaults={"tenant": None})
@bp.get("/t/<tenant>/sign-in")
def sign_in(tenant):
    tenant = tenant_or_404(tenant)
    next_url = safe_next(request.args.get("next"))
    providers = oidc.providers_for(tenant)
    in_app = browsers.is_in_app_browser(request.user_agent.string)
    # In a social app's browser, a provider that refuses embedded web views gets no button
    # (it would only show the provider's error page); the page says how to reach it.
    refused = {name for name, p in providers.items() if in_app and oidc.blocks_webviews(p)}
    labels_refused = [providers[name]["label"] for name in refused]
    providers = {name: p for name, p in providers.items() if name not in refused}
    g.varies_by_user_agent = True
    # Back from the provider's sign-out: said only when the state is the one we sent.
    expected = session.pop("logout_state", None) if "state" in request.args else None
    signed_out = bool(expected) and hmac.compare_digest(expected, request.args["state"])
    return render_template("accounts/sign_in.html", tenant=tenant, next_url=next_url, providers=providers,
                           refused=labels_refused, in_app=in_app, form_url=plain_form_url(next_url),
                           signed_out=signed_out)


@bp.get("/sign-in/<provider>", defaults={"tenant": None})
@bp.get("/t/<tenant>/sign-in/<provider>")
def start(provider, tenant):
    tenant = tenant_or_404(tenant)
    if provider not in oidc.providers_for(tenant):
        abort(404)
    flow = Flow(provider=provider, next_url=safe_next(request.args.get("next")), tenant=tenant.slug if tenant else None)
    extra = {"state": signed_state(flow)}
    if oidc.is_openid(provider):
        extra["nonce"] = secrets.token_urlsafe(32)  # Authlib's default has 119 bits; 256 leaves no doubt
    try:
        return oidc.client(provider).authorize_redirect(public_url("accounts.callback", provider=provider), **extra)
    except RequestException:
        return provider_unavailable()


def lost_its_state(provider: str) -> bool:
    """No sign-in with this provider was started in this session: the cookie did not come back."""
    prefix = f"_state_{provider}_"
    return not any(key.startswith(prefix) for key in session)


@bp.get("/callback/<provider>")
def callback(provider):
    if oidc.client(provider) is None:
        abort(404)
    flow = read_state(request.args.get("state"), provider, safe_next)
    tenant = get_tenant(db.session, flow.tenant) if flow and flow.tenant else None
    if flow is not None and flow.tenant and (tenant is None or provider not in oidc.providers_for(tenant)):
        abort(404)
    session_lost = lost_its_state(provider)  # before Authlib takes the state out of the session
    try:
        token = oidc.exchange_code(provider)
        claims = oidc.identity_claims(provider, token)
    except (OAuthError, JoseError, oidc.ProfileRefused):
        if flow is not None and session_lost and not request.args.get("error"):
            return continue_in_new_tab(flow, tenant)
        return render_template("accounts/sign_in_failed.html", tenant=tenant), 400
    except RequestException:
        return provider_unavailable()
    applicant = services.sign_in(db.session, provider, claims["iss"], claims["sub"],
                                 name=claims.get("name") or "", email=claims.get("email") or "")
    db.session.commit()
    session.clear()  # a new session on sign-in: nothing from before carries over
    session["applicant_id"] = applicant.id
    if oidc.logs_out_at_provider(provider):  # its end-session endpoint wants the ID token back
        session["signed_in_with"], session["id_token"] = provider, token["id_token"]
    return redirect(flow.next_url if flow is not None else url_for("accounts.space"))


def continue_in_new_tab(flow: Flow, tenant):
    """The sign-in came back where its session cookie could not follow (inside an iframe, or a
    browser blocking even partitioned cookies): start it again in a new top-level tab, where
    the cookie is first-party. The provider usually remembers the user: one more click.
    This page holds only a link, so the tenant's host sites may show it in their iframe."""
    if tenant is not None:
        allow_framing_by(tenant)
    restart = url_for("accounts.start", provider=flow.provider, tenant=flow.tenant, next=flow.next_url)
    return render_template("accounts/continue_in_new_tab.html", restart_url=restart, tenant=tenant)


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
    """Sign out here, and at the provider when it asks for it (FranceConnect): its end-session
    endpoint gets the ID token and a state, and sends the user back to the sign-in page."""
    provider, id_token = session.get("signed_in_with"), session.get("id_token")
    session.clear()
    if oidc.logs_out_at_provider(provider) and id_token:
        session["logout_state"] = state = secrets.token_urlsafe(32)
        try:
            return redirect(oidc.logout_url(provider, id_token, state, public_url("accounts.sign_in")), 303)
        except RequestException:
            pass  # signed out here at least; the provider's own session ends on its own
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
    if (response := require_applicant(tenant)) is not None:
        return response
    existing = services.find_application(db.session, g.applicant, offer)
    if request.method == "GET" or existing is not None:
        return render_template("accounts/one_click.html", tenant=tenant, tab=tab, offer=offer, applicant=g.applicant,
                               application=existing)
    errors = {}
    email = request.form.get("email", "").strip()
    if not g.applicant.email and not (len(email) <= 254 and EMAIL.fullmatch(email)):
        # Facebook may give no address (an account opened with a phone number): ask for it.
        errors["email"] = _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
    form = ApplicationForm()
    if g.applicant.cv is None:  # the first time: the CV comes with the click, and is kept
        read_cv(request.files.get("cv"), form)
        errors.update(form.errors)
    if errors:
        return render_template("accounts/one_click.html", tenant=tenant, tab=tab, offer=offer, applicant=g.applicant,
                               application=None, errors=errors, email=email), 400
    if not g.applicant.email:
        g.applicant.email = email
    if g.applicant.cv is None:
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
    if (response := require_applicant(tenant)) is not None:
        return response
    if request.method == "POST":
        services.mark_applied_elsewhere(db.session, g.applicant, offer, utc_now())
        db.session.commit()
        return redirect(url_for("accounts.space"), 303)
    return render_template("accounts/applied_elsewhere.html", tenant=tenant, tab=tab, offer=offer)

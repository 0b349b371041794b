"""The three tabs, as iframe-friendly pages: /t/<tenant>/jobs|trainings|post.

Every route here is a widget route: it may be framed by the tenant's allowed host sites.
"""
import re
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for

from app import db
from app.catalog import services as catalog
from app.dedup.services import other_publications
from app.embed import jsonld
from app.search.cache import RecentResults, database_key
from app.search.criteria import read_criteria
from app.search.form import search_form
from app.search.services import search_offers
from app.tenants.services import get_tenant
from app.web.i18n import current_language, current_url
from app.web.security import allow_framing_by
from app.web.urls import public_url

bp = Blueprint("embed", __name__, url_prefix="/t/<tenant>", template_folder="templates")

KIND_OF_TAB = {"jobs": "job", "trainings": "training"}
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOUR = "#1d4f91"
# Rendered results pages kept a few seconds when SEARCH_PAGE_CACHE_SECONDS > 0 (see offers):
# at most 500 pages of ≈ 25 kB per process.
recent_pages = RecentResults(max_entries=500)


@bp.url_value_preprocessor
def load_tenant(_endpoint, values):
    g.tenant = get_tenant(db.session, values.pop("tenant"))
    if g.tenant is None:
        abort(404)
    allow_framing_by(g.tenant)


@bp.url_defaults
def add_tenant(endpoint, values):
    if "tenant" not in values and g.get("tenant") is not None:
        values["tenant"] = g.tenant.slug


@bp.get("/")
def home():
    return offers("jobs")


@bp.get("/<any(jobs, trainings):tab>")
def offers(tab):
    """The search form and its results: a plain GET form, so links and the back button work.

    The page is the same for every visitor of the same URL in the same language (no session,
    no cookie, no personal data on it), so a popular one may be reused for a few seconds
    (SEARCH_PAGE_CACHE_SECONDS, 5 s by default; 0 renders every time). Keyed by database, path
    with its query (tenant, search, page, ?lang=) and the language chosen, which Accept-Language
    decides when ?lang= is absent. The headers (CSP of the tenant) are set afresh each time."""
    key = (database_key(db.session), request.full_path, current_language())
    return recent_pages.get_or_compute(key, current_app.config["SEARCH_PAGE_CACHE_SECONDS"], lambda: results_page(tab))


def results_page(tab):
    reading = read_criteria(
        db.session, g.tenant, KIND_OF_TAB[tab], request.args,
        per_page=current_app.config["OFFERS_PER_PAGE"], from_form=True,
    )
    form = search_form(db.session, g.tenant, reading)
    if reading.errors:
        return render_template("embed/offers.html", tab=tab, reading=reading, form=form, result=None), 400
    result = search_offers(
        db.session, g.tenant, reading.criteria, counts_cache_seconds=current_app.config["SEARCH_COUNTS_CACHE_SECONDS"]
    )
    if result.page.page > result.page.pages:
        abort(404)
    return render_template(
        "embed/offers.html", tab=tab, reading=reading, form=form, result=result,
        offer_links=offer_links(tab, result.page.items),
    )


def offer_links(tab: str, offers: list) -> dict[int, str]:
    """Each card's link: the offer page, with this list as the way back (`back`). The links
    differ only by the id in their path, so one is built with url_for and the others from it:
    twenty url_for and current_url calls were a tenth of the page's time."""
    if not offers:
        return {}
    first = offers[0].id
    built = url_for("embed.offer", tab=tab, offer_id=first, back=current_url())
    path, separator, query = built.partition("?")
    if not path.endswith(f"/{first}"):  # never with the current rules; kept exact if they change
        return {offer.id: url_for("embed.offer", tab=tab, offer_id=offer.id, back=current_url()) for offer in offers}
    prefix = path[: -len(str(first))]
    return {offer.id: f"{prefix}{offer.id}{separator}{query}" for offer in offers}


@bp.get("/<any(jobs, trainings):tab>/<int:offer_id>")
def offer(tab, offer_id):
    offer = catalog.get_offer(db.session, g.tenant, KIND_OF_TAB[tab], offer_id)
    if offer is None:
        abort(404)
    if offer.duplicate_of_id is not None:  # shown as another record of the same vacancy
        arguments = request.args.to_dict(flat=False)
        return redirect(url_for("embed.offer", tab=tab, offer_id=offer.duplicate_of_id, **arguments), 301)
    template = "embed/job.html" if tab == "jobs" else "embed/training.html"
    return render_template(
        template,
        tab=tab,
        offer=offer,
        also_published=other_publications(db.session, offer),
        now=datetime.now(timezone.utc),
        structured_data=jsonld.for_offer(offer, public_url("embed.offer", tab=tab, offer_id=offer.id)),
        back_url=request.args.get("back") if is_local_list_url(request.args.get("back"), tab) else None,
    )


def is_local_list_url(url: str | None, tab: str) -> bool:
    """Only our own list URL may be the "back to results" target (no open redirect)."""
    return bool(url) and url.startswith(url_for("embed.offers", tab=tab)) and "//" not in url[1:]


@bp.get("/post")
def post():
    """The post tab: the start of the recruiters' posting flow (app/recruiters)."""
    from app.recruiters.views import start_page

    return start_page()


@bp.get("/theme.css")
def theme():
    """The tenant's colours as CSS custom properties: a stylesheet, since CSP forbids inline styles."""
    colour = g.tenant.primary_colour
    if not HEX_COLOUR.fullmatch(colour or ""):
        colour = DEFAULT_COLOUR
    response = make_response(render_template("embed/theme.css", colour=colour))
    response.mimetype = "text/css"
    response.cache_control.max_age = 300
    response.cache_control.public = True
    return response


"""Read-only JSON API, /api/v1: the search of the form, one offer, and the two pickers.

Same parameters as the HTML form (app/search/criteria.py reads both). Anyone may read it from
any origin (CORS `*`: no cookie, nothing private), and caches may keep answers a minute.
Bad parameters answer 400 with `{"errors": [{"parameter", "message"}]}`.
"""
import re

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import select

from app import db
from app.api import serialise
from app.api.openapi import openapi_document
from app.catalog.models import OFFER_KINDS, Offer
from app.catalog.services import in_tenant_scope
from app.search.criteria import ParameterError, read_criteria, tenant_departements
from app.search.occupations import occupation_index
from app.search.places import gazetteer
from app.search.services import search_offers
from app.tenants.services import get_tenant

bp = Blueprint("api", __name__, url_prefix="/api/v1")

TENANT_SLUG = re.compile(r"^[a-z0-9-]{1,64}$")
MAX_OFFER_ID = 2**31 - 1  # beyond any id, and beyond what every engine's integer takes
SUGGESTIONS = 10
CACHE_SECONDS = 60


class BadParameters(Exception):
    def __init__(self, errors: list[ParameterError]):
        self.errors = errors


@bp.errorhandler(BadParameters)
def bad_parameters(error: BadParameters):
    return jsonify(errors=[{"parameter": e.parameter, "message": e.message} for e in error.errors]), 400


@bp.after_request
def readable_from_anywhere(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = CACHE_SECONDS
    return response


def refuse(parameter: str, message: str):
    raise BadParameters([ParameterError(parameter, message)])


def check_no_control_characters() -> None:
    for name, value in request.args.items(multi=True):
        if any(ord(character) < 32 for character in value):
            refuse(name, "Caractère de contrôle interdit.")


def required_tenant():
    slug = request.args.get("tenant", "")
    if not TENANT_SLUG.match(slug):
        refuse("tenant", "Paramètre obligatoire : l'identifiant de l'institution (ex. auvergne-rhone-alpes).")
    tenant = get_tenant(db.session, slug)
    if tenant is None:
        refuse("tenant", f"Institution inconnue : {slug}.")
    return tenant


@bp.get("/offers")
def offers():
    check_no_control_characters()
    tenant = required_tenant()
    kind = request.args.get("kind", "job")
    if kind not in OFFER_KINDS:
        refuse("kind", "« kind » vaut job ou training.")
    reading = read_criteria(db.session, tenant, kind, request.args, per_page=current_app.config["OFFERS_PER_PAGE"])
    if reading.errors:
        raise BadParameters(reading.errors)
    result = search_offers(
        db.session, tenant, reading.criteria, counts_cache_seconds=current_app.config["SEARCH_COUNTS_CACHE_SECONDS"]
    )
    if result.page.page > result.page.pages:
        refuse("page", f"Au-delà de la dernière page ({result.page.pages}).")
    return jsonify(serialise.search_result(result, reading.criteria, tenant.slug))


@bp.get("/offers/<int:offer_id>")
def offer(offer_id: int):
    check_no_control_characters()
    tenant = required_tenant()
    found = None
    if offer_id <= MAX_OFFER_ID:
        found = db.session.scalar(select(Offer).where(Offer.id == offer_id, in_tenant_scope(tenant)))
    if found is None:
        abort(404)
    return jsonify(serialise.offer_detail(found, tenant.slug))


@bp.get("/places")
def places():
    check_no_control_characters()
    typed = request.args.get("q", "").strip()
    if not typed:
        refuse("q", "Paramètre obligatoire : le début d'un nom de commune ou d'un code postal.")
    slug = request.args.get("tenant", "")
    tenant = get_tenant(db.session, slug) if TENANT_SLUG.match(slug) else None
    preferred = tenant_departements(db.session, tenant) if tenant else set()
    found = gazetteer(db.session).suggest(typed[:100], SUGGESTIONS, preferred)
    return jsonify(results=[serialise.place(place, gazetteer(db.session)) for place in found])


@bp.get("/occupations")
def occupations():
    check_no_control_characters()
    typed = request.args.get("q", "").strip()
    if not typed:
        refuse("q", "Paramètre obligatoire : le début d'un métier.")
    found = occupation_index(db.session).suggest(typed[:100], SUGGESTIONS)
    return jsonify(results=[serialise.job_title(title) for title in found])


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())

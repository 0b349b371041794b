"""Searching a tenant's offers: what (words, ROME codes), where (communes within a radius,
département, région), facets, order and page. Services never commit.

Every condition but full text is a B-tree lookup on codes, shared by both engines; full text
comes from the backend chosen by the database URL (app/search/__init__.py). Three queries per
search: facet groups (which also give the exact total), the page of offers, and, for a radius
search, how many offers of the département have no precise place.
"""
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.models import Offer, TrainingOffer
from app.catalog.services import OFFER_CLASSES, Page, in_tenant_scope, still_open
from app.search import text_backend
from app.search.cache import database_key, recent_counts
from app.search.criteria import Criteria
from app.search.facets import FACETS_BY_KIND, facet_expressions
from app.search.occupations import occupation_index
from app.search.places import distance_km, gazetteer
from app.search.text import parse_text_query

TRAINING_BODIES_SHOWN = 10


@dataclass
class SearchResult:
    page: Page
    facets: dict[str, dict] = field(default_factory=dict)  # facet -> option -> count
    training_bodies: list[tuple[str, int]] = field(default_factory=list)
    distances: dict[int, float] = field(default_factory=dict)  # offer id -> km from the commune
    imprecise_nearby: int = 0  # offers of the commune's département with no precise place


def search_offers(
    session: Session, tenant, criteria: Criteria, now: datetime | None = None, counts_cache_seconds: float = 0
) -> SearchResult:
    """`counts_cache_seconds`: how long the total and facet counts of the same search may be
    reused (paging, a popular landing page); 0 counts every time."""
    now = now or datetime.now(timezone.utc)
    base = base_conditions(session, tenant, criteria, now)
    expressions = facet_expressions(criteria.kind, now)
    selected = facet_conditions(criteria, expressions)

    def all_counts() -> tuple:
        facets, total = count_facets(session, criteria, base, expressions)
        bodies = count_training_bodies(session, tenant, criteria, now, selected) if criteria.kind == "training" else []
        imprecise = (
            count_imprecise_nearby(session, tenant, criteria, now, selected)
            if criteria.commune is not None and not criteria.imprecise_only
            else 0
        )
        return facets, total, bodies, imprecise

    facets, total, bodies, imprecise = recent_counts.get_or_compute(
        counts_key(session, tenant, criteria), counts_cache_seconds, all_counts
    )
    offers = page_of_offers(session, criteria, [*base, *selected])
    result = SearchResult(
        page=Page(items=offers, total=total, page=criteria.page, per_page=criteria.per_page),
        facets=facets,
        training_bodies=bodies,
        imprecise_nearby=imprecise,
    )
    if criteria.commune is not None:
        result.distances = distances_from(criteria, offers)
    return result


def counts_key(session: Session, tenant, criteria: Criteria) -> tuple:
    """Everything that decides the counts: not the page, not the order."""
    return (
        database_key(session),
        tenant.id,
        criteria.kind,
        criteria.text,
        criteria.occupations,
        criteria.text_occupations,
        criteria.commune.insee_code if criteria.commune is not None else None,
        criteria.radius_km,
        criteria.departement,
        criteria.region,
        criteria.imprecise_only,
        tuple(sorted((name, repr(value)) for name, value in criteria.facets.items())),
        criteria.training_body,
    )


def base_conditions(
    session: Session, tenant, criteria: Criteria, now: datetime, with_place: bool = True, with_body: bool = True
) -> list[ColumnElement[bool]]:
    conditions = [
        Offer.kind == criteria.kind,
        Offer.duplicate_of_id.is_(None),
        in_tenant_scope(tenant),
        still_open(now),
        *what_conditions(session, criteria),
    ]
    if with_place:
        conditions += where_conditions(session, criteria)
    if with_body and criteria.training_body:
        conditions.append(Offer.organisation_name == criteria.training_body)
    return conditions


def what_conditions(session: Session, criteria: Criteria) -> list[ColumnElement[bool]]:
    conditions = []
    if criteria.occupations:
        conditions.append(Offer.occupation_code.in_(sorted(criteria.occupations)))
    query = parse_text_query(criteria.text, occupation_index(session).accents)
    if query and criteria.text_occupations:
        # The typed text is a ROME job title: its offers are found whatever their wording.
        conditions.append(
            or_(text_backend(session).matches(query), Offer.occupation_code.in_(sorted(criteria.text_occupations)))
        )
    elif query:
        conditions.append(text_backend(session).matches(query))
    return conditions


def where_conditions(session: Session, criteria: Criteria) -> list[ColumnElement[bool]]:
    conditions = []
    if criteria.commune is not None:
        ring = gazetteer(session).ring(criteria.commune.insee_code, criteria.radius_km)
        conditions.append(Offer.commune_code.in_(ring))
    if criteria.departement:
        conditions.append(Offer.departement_code == criteria.departement)
    if criteria.region:
        conditions.append(Offer.region_code == criteria.region)
    if criteria.imprecise_only:
        conditions.append(Offer.commune_code.is_(None))
    return conditions


def facet_conditions(criteria: Criteria, expressions: dict) -> list[ColumnElement[bool]]:
    return [
        facet.condition(expressions[facet.name], criteria.facets[facet.name])
        for facet in FACETS_BY_KIND[criteria.kind]
        if criteria.facets.get(facet.name)
    ]


def count_facets(session: Session, criteria: Criteria, base: list, expressions: dict) -> tuple[dict, int]:
    """One GROUP BY over every facet value: the exact total and each facet's counts, where a
    facet's counts ignore its own selection (so other options show what they would add)."""
    facets = FACETS_BY_KIND[criteria.kind]
    columns = [expressions[facet.name].label(facet.name) for facet in facets]
    rows = session.execute(select(*columns, func.count()).where(*base).group_by(*columns)).all()
    counters = {facet.name: Counter() for facet in facets}
    total = 0
    for row in rows:
        values, count = row[:-1], row[-1]
        accepted = [facet.accepts(value, criteria.facets.get(facet.name)) for facet, value in zip(facets, values)]
        if all(accepted):
            total += count
        for position, facet in enumerate(facets):
            if all(accepted[:position] + accepted[position + 1:]):
                counters[facet.name][values[position]] += count
    return {facet.name: facet.option_counts(counters[facet.name]) for facet in facets}, total


def page_of_offers(session: Session, criteria: Criteria, conditions: list) -> list[Offer]:
    model = OFFER_CLASSES[criteria.kind]
    statement = (
        select(model)
        .where(*conditions)
        # Many-to-one places: joined into the same statement rather than three more queries.
        .options(joinedload(model.commune), joinedload(model.departement), joinedload(model.region))
        .order_by(*ordering(session, criteria))
        .limit(criteria.per_page)
        .offset((criteria.page - 1) * criteria.per_page)
    )
    if criteria.kind == "training":
        statement = statement.options(selectinload(TrainingOffer.sessions))
    return list(session.scalars(statement))


def ordering(session: Session, criteria: Criteria) -> list:
    newest = [Offer.published_at.desc(), Offer.id.desc()]
    if criteria.sort == "distance" and criteria.commune is not None:
        return [Offer.latitude.is_(None), squared_distance(criteria), *newest]
    query = parse_text_query(criteria.text, occupation_index(session).accents)
    if criteria.sort == "relevance" and query:
        # Relevance the same on both engines: offers whose title has every word (or whose
        # occupation is the typed job title) first, newest first within each group. No bm25 or
        # ts_rank over every match: that is where full-text search spends its time.
        strong = text_backend(session).matches_title(query)
        if criteria.text_occupations:
            strong = or_(strong, Offer.occupation_code.in_(sorted(criteria.text_occupations)))
        return [case((strong, 0), else_=1), *newest]
    return newest


def squared_distance(criteria: Criteria) -> ColumnElement[float]:
    """Order by distance with arithmetic alone (SQLite may lack trigonometry): on a plane
    scaled by cos(latitude), exact enough for ordering within 100 km."""
    centre = criteria.commune
    scale = math.cos(math.radians(centre.latitude or 0))
    north = Offer.latitude - (centre.latitude or 0)
    east = (Offer.longitude - (centre.longitude or 0)) * scale
    return north * north + east * east


def distances_from(criteria: Criteria, offers: list[Offer]) -> dict[int, float]:
    centre = criteria.commune
    if centre.latitude is None or centre.longitude is None:
        return {}
    return {
        offer.id: round(distance_km(centre.latitude, centre.longitude, offer.latitude, offer.longitude), 1)
        for offer in offers
        if offer.latitude is not None and offer.longitude is not None
    }


def count_imprecise_nearby(session: Session, tenant, criteria: Criteria, now: datetime, selected: list) -> int:
    """Offers of the commune's département known only by their département: a radius search
    cannot place them, so it says how many there are instead of dropping them silently."""
    conditions = [
        *base_conditions(session, tenant, criteria, now, with_place=False),
        *selected,
        Offer.departement_code == criteria.commune.departement_code,
        Offer.commune_code.is_(None),
    ]
    return session.scalar(select(func.count(Offer.id)).where(*conditions))


def count_training_bodies(session: Session, tenant, criteria: Criteria, now: datetime, selected: list) -> list:
    """The training bodies with the most matching trainings (the body filter left aside)."""
    conditions = [*base_conditions(session, tenant, criteria, now, with_body=False), *selected]
    conditions.append(Offer.organisation_name.is_not(None))
    count = func.count(Offer.id)
    statement = (
        select(Offer.organisation_name, count)
        .where(*conditions)
        .group_by(Offer.organisation_name)
        .order_by(count.desc(), Offer.organisation_name)
        .limit(TRAINING_BODIES_SHOWN)
    )
    return [(name, n) for name, n in session.execute(statement)]

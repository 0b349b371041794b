"""Searching a tenant's offers: what (words, ROME codes), where (communes within a radius,
département, région), facets, order and page. Services never commit.

Every condition but full text is a B-tree lookup on codes, shared by both engines; full text
comes from the backend chosen by the database URL (app/search/__init__.py). Two queries per
search: facet groups (which also give the exact total and, for a radius search, how many offers
of the département have no precise place), and the page of offers; trainings add the count by
training body. A search with words (on PostgreSQL, with occupations too) reads its matches
once for both, in one statement that brings the page's cards too (count_and_page). On SQLite the counts
read covering indexes alone (migration 0009); on PostgreSQL so do searches without words
(migration 0011). A page's offers come back as cards (app/search/cards.py): the columns a
results page and the API's list show, no ORM objects.
"""
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Column, Integer, and_, case, cast, func, literal_column, null, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from app.catalog.models import Offer
from app.catalog.services import Page, in_tenant_scope, still_open
from app.db import any_of
from app.search import text_backend
from app.search.cache import database_key, recent_counts
from app.search.cards import CARD_COLUMNS, OfferCard, cards_from_rows, offer_cards
from app.search.counts import is_broad, precomputed_counts
from app.search.criteria import Criteria
from app.search.facets import FACETS_BY_KIND, counting_parts, facet_expressions
from app.search.occupations import occupation_index
from app.search.places import distance_km, gazetteer
from app.search.postgresql import WITHOUT_WORDS, plan_for_values
from app.search.text import TextQuery, parse_text_query

TRAINING_BODIES_SHOWN = 10
offers_table = Offer.__table__


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
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        plan_for_values(session)
    conditions = search_conditions(session, tenant, criteria, now)
    base = conditions.all
    # The facet expressions are only needed to count, or to filter by a selected facet: with
    # the counts reused (counts_cache_seconds), building them was a tenth of a search's Python.
    expressions = facet_expressions(criteria.kind, now) if criteria.facets else None
    selected = facet_conditions(criteria, expressions) if criteria.facets else []
    offers = None  # the page's cards, when read with the counts

    def all_counts() -> tuple:
        nonlocal offers
        nearby = (
            imprecise_nearby_conditions(criteria, conditions)
            if criteria.commune is not None and not criteria.imprecise_only
            else None
        )
        all_expressions = expressions or facet_expressions(criteria.kind, now)
        # Words: one pass over the full-text matches on both engines (each statement of SQLite
        # runs its FTS5 match again). Occupations alone: PostgreSQL only; SQLite's covering
        # indexes already answer its two statements in about a millisecond.
        bodies = None
        if conditions.text_query is not None or (postgresql and criteria.occupations):
            facets, total, imprecise, offers, bodies = count_and_page(
                session, criteria, conditions, all_expressions, nearby is not None, now
            )
        else:
            precomputed = (
                precomputed_counts(session, tenant, criteria, conditions.place, now, TRAINING_BODIES_SHOWN)
                if is_broad(criteria) else None
            )
            if precomputed is not None:
                facets, total, imprecise = tally_facets(criteria, precomputed.groups)
                bodies = precomputed.training_bodies
            else:
                parts = counting_parts(criteria.kind, now, all_expressions, split=postgresql)
                facets, total, imprecise = count_facets(session, criteria, base, parts, nearby)
        if bodies is None and criteria.kind == "training":
            bodies = count_training_bodies(session, conditions, selected)
        return facets, total, bodies or [], imprecise

    facets, total, bodies, imprecise = recent_counts.get_or_compute(
        counts_key(session, tenant, criteria), counts_cache_seconds, all_counts
    )
    if offers is None:
        page_ids = ids_of_page(session, criteria, [*base, *selected], conditions.text_query)
        offers = offer_cards(session, page_ids) if page_ids else []
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


@dataclass
class Conditions:
    """A search's conditions by part. Built once per search: statements that combine parts
    (count_facets' UNION ALL) then share one full-text common table expression on SQLite."""

    common: list  # kind, shown, tenant scope, still open, what
    place: list  # where
    body: list  # training body
    text_query: TextQuery | None = None  # the typed words, parsed once (conditions and order)

    @property
    def all(self) -> list[ColumnElement[bool]]:
        return [*self.common, *self.place, *self.body]


def search_conditions(session: Session, tenant, criteria: Criteria, now: datetime) -> Conditions:
    query = text_query(session, criteria)
    postgresql = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL: searches without words may count from the covering indexes of migration 0011.
    hint = [WITHOUT_WORDS] if query is None and postgresql else []
    kind, scope = Offer.kind == criteria.kind, in_tenant_scope(tenant)
    if query is not None and postgresql:
        # Checked on the rows the words found, never through an index (`IS TRUE` is not
        # indexable): the planner ANDed the bitmap of the kind or of the région (a third to half
        # of the catalog) into the GIN bitmap, which cost more than the whole rest of the search.
        kind, scope = kind.is_(True), scope.is_(True)
    return Conditions(
        common=[
            kind,
            Offer.duplicate_of_id.is_(None),
            scope,
            still_open(now),
            *what_conditions(session, criteria, query),
            *hint,
        ],
        place=where_conditions(session, criteria),
        body=[Offer.organisation_name == criteria.training_body] if criteria.training_body else [],
        text_query=query,
    )


def text_query(session: Session, criteria: Criteria) -> TextQuery | None:
    return parse_text_query(criteria.text, occupation_index(session).accents) if criteria.text else None


def what_conditions(session: Session, criteria: Criteria, query: TextQuery | None = None) -> list[ColumnElement[bool]]:
    conditions = []
    if criteria.occupations:
        conditions.append(any_of(session, Offer.occupation_code, sorted(criteria.occupations)))
    if query and criteria.text_occupations:
        # The typed text is a ROME job title: its offers are found whatever their wording.
        conditions.append(
            or_(
                text_backend(session).matches(query),
                any_of(session, Offer.occupation_code, sorted(criteria.text_occupations)),
            )
        )
    elif query:
        conditions.append(text_backend(session).matches(query))
    return conditions


def where_conditions(session: Session, criteria: Criteria) -> list[ColumnElement[bool]]:
    conditions = []
    if criteria.commune is not None:
        ring = gazetteer(session).ring(criteria.commune.insee_code, criteria.radius_km)
        conditions.append(any_of(session, Offer.commune_code, ring))
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


def count_facets(
    session: Session, criteria: Criteria, base: list, parts: list, nearby: list | None = None
) -> tuple[dict, int, int]:
    """One GROUP BY over every facet value: the exact total and each facet's counts, where a
    facet's counts ignore its own selection (so other options show what they would add).

    `nearby`: the conditions of the offers a radius search cannot place (app/search/services.py,
    imprecise_nearby_conditions). Their groups come from the same statement (UNION ALL), so a
    search pays one round trip and, on SQLite, one full-text lookup for both; they are counted
    when they pass every selected facet. `parts`: app/search/facets.py, counting_parts.
    Returns (facets, total, imprecise nearby)."""
    facets = FACETS_BY_KIND[criteria.kind]
    selects = []
    for flag, conditions in [("0", base)] + ([("1", nearby)] if nearby is not None else []):
        for extra, expressions in parts:
            columns = [expressions[facet.name].label(facet.name) for facet in facets]
            selects.append(
                select(literal_column(flag).label("nearby"), *columns, func.count())
                .where(*conditions, *extra)
                .group_by(*columns)
            )
    statement = selects[0] if len(selects) == 1 else union_all(*selects)
    return tally_facets(criteria, session.execute(statement))


def tally_facets(criteria: Criteria, rows) -> tuple[dict, int, int]:
    """Facet counts, total and imprecise nearby from group rows (nearby flag, facet values…, count)."""
    facets = FACETS_BY_KIND[criteria.kind]
    counters = [Counter() for _ in facets]
    # Only the selected facets can turn a group down: checked alone (a broad search's groups
    # come by the thousand, and every Python step per group shows on the page).
    selected = [(position, facet, criteria.facets[facet.name])
                for position, facet in enumerate(facets) if criteria.facets.get(facet.name)]
    total = imprecise = 0
    for row in rows:
        is_nearby, values, count = row[0], row[1:-1], row[-1]
        refused = [position for position, facet, choice in selected if not facet.accepts(values[position], choice)]
        if is_nearby:
            imprecise += 0 if refused else count
        elif not refused:  # in the results: every facet counts it
            total += count
            for counter, value in zip(counters, values):
                counter[value] += count
        elif len(refused) == 1:  # turned down by one facet only: that facet's other options count it
            counters[refused[0]][values[refused[0]]] += count
    return {facet.name: facet.option_counts(counter) for facet, counter in zip(facets, counters)}, total, imprecise


def count_and_page(
    session: Session, criteria: Criteria, conditions: Conditions, expressions: dict, nearby: bool, now: datetime
) -> tuple[dict, int, int, list[OfferCard], list[tuple[str, int]] | None]:
    """A search with words (on PostgreSQL, with occupations too): count_facets' counts and the
    page's cards from one statement. The matching offers are read once into a MATERIALIZED
    common table expression (their id and the columns the facets and the order read), which the
    facet groups and the page then share: the full-text match (GIN bitmap, FTS5 MATCH) runs once
    instead of twice, and the search conditions are planned once. Such searches match few offers
    (hundreds), so sorting them for the page costs less than a second pass; a search without
    words or occupations, which may match a whole région, keeps its page read in index order
    (count_facets and ids_of_page). The page's rows join `offers` by id for their cards' columns
    (as offer_cards reads them): a round trip and a statement to plan less. `nearby`: count the
    imprecise neighbours of a radius search too. A trainings search without a body filter also
    counts its training bodies from the same matches (else count_training_bodies, apart).
    Returns (facets, total, imprecise nearby, page's cards, training bodies or None)."""
    facets = FACETS_BY_KIND[criteria.kind]
    rank = relevance(session, criteria, conditions.text_query)
    parts = counting_parts(criteria.kind, now, expressions, split=True)
    selected = facet_conditions(criteria, expressions)
    order = ordering(criteria, rank)
    with_bodies = criteria.kind == "training" and not criteria.training_body
    read = offer_columns(
        *[clause for extra, part in parts for clause in [*extra, *part.values()]], *selected, *order,
        *([offers_table.c.organisation_name] if with_bodies else []),
    )
    if nearby:
        # A radius search's ring holds communes only, its imprecise neighbours have none.
        place = or_(and_(*conditions.place), and_(*imprecise_nearby_place(criteria)))
        where = [*conditions.common, *conditions.body, place]
        is_nearby = case((Offer.commune_code.is_(None), 1), else_=0)
    else:
        where, is_nearby = conditions.all, literal_column("0")
    matches = (
        select(*read, is_nearby.label("nearby"), *([rank.label("relevance")] if rank is not None else []))
        .where(*where)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    adapt = ClauseAdapter(matches).traverse
    # Every row: a flag (0/1 a facet group of matches in or near the place, 2 a page row, 3 a
    # training body), the facet values, a count, a position, the card's columns. Typed NULLs
    # give the UNION its types (and published_at its UTCDateTime) where a row has nothing.
    no_number = cast(null(), Integer)
    no_card = [cast(null(), column.type) for column in CARD_COLUMNS]
    no_facets = [null()] * len(facets)
    selects = []
    for extra, part in parts:
        columns = [adapt(part[facet.name]).label(facet.name) for facet in facets]
        selects.append(
            select(matches.c.nearby, *columns, func.count(), no_number, *no_card)
            .where(*map(adapt, extra))
            .group_by(matches.c.nearby, *columns)
        )
    page = (
        select(func.row_number().over(order_by=list(map(adapt, order))).label("position"), matches.c.id)
        .where(matches.c.nearby == 0, *map(adapt, selected))
        .order_by(*map(adapt, order))
        .limit(criteria.per_page)
        .offset((criteria.page - 1) * criteria.per_page)
        .subquery()
    )
    selects.append(
        select(literal_column("2"), *no_facets, no_number, page.c.position, *CARD_COLUMNS)
        .join_from(page, offers_table, offers_table.c.id == page.c.id)
    )
    if with_bodies:  # as count_training_bodies counts them, the body's name in the card's place
        count = func.count()
        by_count = (count.desc(), matches.c.organisation_name)
        bodies = (
            select(matches.c.organisation_name, count.label("n"),
                   func.row_number().over(order_by=by_count).label("position"))
            .where(matches.c.nearby == 0, matches.c.organisation_name.is_not(None), *map(adapt, selected))
            .group_by(matches.c.organisation_name)
            .order_by(*by_count)
            .limit(TRAINING_BODIES_SHOWN)
            .subquery()
        )
        body_card = [bodies.c.organisation_name if column is offers_table.c.organisation_name else empty
                     for column, empty in zip(CARD_COLUMNS, no_card)]
        selects.append(select(literal_column("3"), *no_facets, bodies.c.n, bodies.c.position, *body_card))
    counted, placed = len(facets) + 2, len(facets) + 3  # (flag, facets…, count), then position, card
    groups, page_rows, body_rows = [], [], []
    for row in session.execute(union_all(*selects)):
        (page_rows if row[0] == 2 else body_rows if row[0] == 3 else groups).append(row)
    page_rows.sort(key=lambda row: row[counted])
    cards = cards_from_rows(session, [row[placed:] for row in page_rows])
    name_at = placed + CARD_COLUMNS.index(offers_table.c.organisation_name)
    training_bodies = (
        [(row[name_at], row[counted - 1]) for row in sorted(body_rows, key=lambda row: row[counted])]
        if with_bodies else None
    )
    return (*tally_facets(criteria, [row[:counted] for row in groups]), cards, training_bodies)


def offer_columns(*clauses) -> list:
    """The offers columns these clauses read, id first."""
    found = {offers_table.c.id: None}
    for clause in clauses:
        for element in visitors.iterate(clause):
            if isinstance(element, Column) and element.table is offers_table:
                found[element] = None
    return list(found)


def ids_of_page(session: Session, criteria: Criteria, conditions: list, query: TextQuery | None) -> list[int]:
    """The ids of the page's offers, in order; their cards are read by primary key next
    (app/search/cards.py): the offers skipped on the way to a deep page (OFFSET) cost an index
    entry each, not a row (on SQLite the covering indexes of migration 0009 hold every column
    filtered and ordered). The order ends with the id, so it is total. Reading the rows
    `WHERE id IN (the ordered subquery)` in one statement made SQLite order them again,
    full-text title match included: 0.5 to 1 ms more per page than the extra round trip."""
    order = ordering(criteria, relevance(session, criteria, query))
    page_ids = (
        select(Offer.id)
        .where(*conditions)
        .order_by(*order)
        .limit(criteria.per_page)
        .offset((criteria.page - 1) * criteria.per_page)
    )
    return list(session.scalars(page_ids))


def ordering(criteria: Criteria, rank: ColumnElement[int] | None) -> list:
    """`rank`: the search's relevance(), if it orders by it."""
    newest = [Offer.published_at.desc(), Offer.id.desc()]
    if criteria.sort == "distance" and criteria.commune is not None:
        return [Offer.latitude.is_(None), squared_distance(criteria), *newest]
    return [rank, *newest] if rank is not None else newest


def relevance(session: Session, criteria: Criteria, query: TextQuery | None) -> ColumnElement[int] | None:
    """Relevance the same on both engines: offers whose title has every word (or whose
    occupation is the typed job title) first (0), newest first within each group. No bm25 or
    ts_rank over every match: that is where full-text search spends its time."""
    if criteria.sort != "relevance" or not query:
        return None
    strong = text_backend(session).matches_title(query)
    if criteria.text_occupations:
        strong = or_(strong, any_of(session, Offer.occupation_code, sorted(criteria.text_occupations)))
    return case((strong, 0), else_=1)


def squared_distance(criteria: Criteria) -> ColumnElement[float]:
    """Order by distance with arithmetic alone (SQLite may lack trigonometry): on a plane
    scaled by cos(latitude), exact enough for ordering within 100 km."""
    centre = criteria.commune
    scale = math.cos(math.radians(centre.latitude or 0))
    north = Offer.latitude - (centre.latitude or 0)
    east = (Offer.longitude - (centre.longitude or 0)) * scale
    return north * north + east * east


def distances_from(criteria: Criteria, offers: list[OfferCard]) -> dict[int, float]:
    centre = criteria.commune
    if centre.latitude is None or centre.longitude is None:
        return {}
    return {
        offer.id: round(distance_km(centre.latitude, centre.longitude, offer.latitude, offer.longitude), 1)
        for offer in offers
        if offer.latitude is not None and offer.longitude is not None
    }


def imprecise_nearby_conditions(criteria: Criteria, conditions: Conditions) -> list:
    """Offers of the commune's département known only by their département: a radius search
    cannot place them, so it says how many there are instead of dropping them silently (counted
    with the facets, in count_facets; the selected facets apply to them too)."""
    return [*conditions.common, *conditions.body, *imprecise_nearby_place(criteria)]


def imprecise_nearby_place(criteria: Criteria) -> list:
    return [Offer.departement_code == criteria.commune.departement_code, Offer.commune_code.is_(None)]


def count_training_bodies(session: Session, search: Conditions, selected: list) -> list:
    """The training bodies with the most matching trainings (the body filter left aside)."""
    conditions = [*search.common, *search.place, *selected, Offer.organisation_name.is_not(None)]
    count = func.count()  # not count(id): the search indexes answer it alone (migration 0009)
    statement = (
        select(Offer.organisation_name, count)
        .where(*conditions)
        .group_by(Offer.organisation_name)
        .order_by(count.desc(), Offer.organisation_name)
        .limit(TRAINING_BODIES_SHOWN)
    )
    return [(name, n) for name, n in session.execute(statement)]

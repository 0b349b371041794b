"""Exact counts of broad searches from precomputed groups. Services never commit.

A search without words, occupation, commune or training body (a tab's landing page and its deep
pages, a région or département with facets) matches a large share of the catalogue; counting its
offers one by one read every matching index entry (254,000 at 500,000 offers: 190 ms on
PostgreSQL, 400 ms on SQLite). Instead such a search adds up `search_count_groups`
(app/search/models.py): visible offers by kind, région, département and facet values, a few
thousand rows.

The groups are exact at all times, by construction:
- they were built for one calendar day (`search_count_state.day`), counting the offers still
  open when that day began; the day-relative facets (publication, a training's next start) are
  in calendar days, so their buckets hold all day (app/search/facets.py);
- every later change of a visible offer is in `search_count_deltas` (triggers of migration
  0013, in the writer's transaction), added at read time and folded into the groups now and then
  (`fold_counts`: after each feed run, and `flask search counts` from cron);
- offers that expired since the day began are subtracted at read time (index on kind, expires_at);
- trainings with a session started and another to come, whose next start only their sessions
  tell, stay out of the groups and are counted at read time (a few percent of trainings).
On another day than the groups', searches count offer by offer (exact, slower) until the groups
are rebuilt (`flask search counts` just after midnight rebuilds them).
"""
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import (
    Column, ColumnElement, Integer, String, cast, delete, func, insert, literal_column, null, select, text, union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from app.catalog.models import Offer
from app.catalog.services import in_tenant_scope, still_open
from app.search.criteria import Criteria
from app.search.facets import (
    FACETS_BY_KIND, day_of, day_start, facet_expressions, not_started_and_to_come, started_and_to_come, starts_bucket,
)
from app.search.models import CountBody, CountDelta, CountGroup, CountState
from app.search.postgresql import WITHOUT_WORDS

offers_table = Offer.__table__
groups = CountGroup.__table__
bodies = CountBody.__table__
deltas = CountDelta.__table__
BODY_KEY = ("region_code", "departement_code", "organisation_name")
KINDS = ("job", "training")
# The groups' column of each facet, both kinds.
FACET_COLUMNS = {
    "contract": groups.c.contract_type,
    "working_time": groups.c.working_time,
    "experience": groups.c.experience,
    "apprenticeship": groups.c.is_apprenticeship,
    "accessible": groups.c.is_accessible_disabled,
    "salary": groups.c.salary,
    "certifying": groups.c.is_certifying,
    "distance": groups.c.has_distance_session,
    "starts": groups.c.starts,
    "published": groups.c.published,
}
KEY_COLUMNS = [groups.c.kind, groups.c.region_code, groups.c.departement_code, *FACET_COLUMNS.values()]
STATE_ID = 1


@dataclass
class CountsRefresh:
    rebuilt: bool
    groups: int
    deltas_folded: int


def on_table(clause: ColumnElement, table) -> ColumnElement:
    """The same expression over another table's columns of the same names (offers → deltas;
    the offer's id is the deltas' offer_id)."""

    def replace(element):
        if isinstance(element, Column) and element.table is offers_table:
            name = "offer_id" if element.name == "id" and table is deltas else element.name
            return table.c[name]
        return None

    return replacement_traverse(clause, {}, replace)


@lru_cache(maxsize=16)
def facet_values(table, day: date, kind: str) -> dict[str, ColumnElement]:
    """Each facet's value for the rows of `offers` or of the deltas, as the groups store it.
    Built once per table, day and kind (copying expressions costs milliseconds of Python); do
    not change the dict returned."""
    expressions = facet_expressions(kind, day_start(day))
    if kind == "training":  # the groups hold trainings whose offer row gives their next start
        expressions["starts"] = starts_bucket(day, stored_only=True)
    return {name: on_table(expression, table) for name, expression in expressions.items()}


def group_key(table, day: date, kind: str) -> list[ColumnElement]:
    """The groups' key (KEY_COLUMNS) of the rows of `offers` or of the deltas. Labelled: a GROUP
    BY names them instead of repeating expressions whose parameters differ."""
    values = facet_values(table, day, kind)
    return [table.c.kind, table.c.region_code, table.c.departement_code] + [
        (values[name] if name in values else cast(null(), column.type)).label(column.name)
        for name, column in FACET_COLUMNS.items()
    ]


@lru_cache(maxsize=16)
def in_groups(table, day: date, kind: str) -> tuple:
    """The rows of `offers` or of the deltas the groups count: visible offers of the kind, still
    open when the day began, trainings without a session started and another to come."""
    conditions = [table.c.kind == kind, on_table(still_open(day_start(day)), table)]
    if kind == "training":
        conditions.append(on_table(not_started_and_to_come(day), table))
    return tuple(conditions)


def lock_deltas(session: Session) -> None:
    """PostgreSQL: wait for the transactions writing offers to end and hold new ones back until
    ours commits, so that no change is both in what we read of `offers` and in a delta kept (or
    in neither). SQLite has one writer at a time: our first write already holds them back."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE search_count_deltas IN EXCLUSIVE MODE"))


def rebuild_counts(session: Session, now: datetime) -> CountsRefresh:
    """Count every visible offer again, for the calendar day of `now`."""
    day = day_of(now)
    lock_deltas(session)
    session.execute(delete(deltas))
    session.execute(delete(groups))
    session.execute(delete(bodies))
    for kind in KINDS:
        key = group_key(offers_table, day, kind)
        counted = select(*key, func.count()).where(Offer.duplicate_of_id.is_(None), *in_groups(offers_table, day, kind))
        session.execute(insert(groups).from_select([*KEY_COLUMNS, groups.c.offers], counted.group_by(*key)))
    key = [offers_table.c[name] for name in BODY_KEY]
    counted = select(*key, func.count()).where(Offer.duplicate_of_id.is_(None), *body_rows(offers_table, day))
    session.execute(insert(bodies).from_select([*BODY_KEY, "offers"], counted.group_by(*key)))
    state = session.get(CountState, STATE_ID) or CountState(id=STATE_ID)
    state.day, state.built_at, state.folded_at = day, now, now
    session.add(state)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # Fresh statistics: with none, the planner sorted 10,000 groups (17 ms) where hashing
        # them takes 3 ms. Deltas: empty now (autovacuum reclaims what the delete left).
        for table in ("search_count_groups", "search_count_bodies", "search_count_deltas"):
            session.execute(text(f"ANALYZE {table}"))
    return CountsRefresh(rebuilt=True, groups=count_groups(session), deltas_folded=0)


def fold_counts(session: Session, now: datetime) -> CountsRefresh:
    """Add the deltas into the groups (rebuilding them instead on a new day, or when there are
    none yet). Each key keeps one row; keys whose offers are all gone are dropped."""
    state = session.get(CountState, STATE_ID)
    if state is None or state.day != day_of(now):
        return rebuild_counts(session, now)
    lock_deltas(session)
    state.folded_at = now
    session.flush()  # SQLite: our first write, which holds other writers back
    last_delta = session.scalar(select(func.max(deltas.c.id)))
    if last_delta is None:
        return CountsRefresh(rebuilt=False, groups=count_groups(session), deltas_folded=0)
    folded = session.scalar(select(func.count()).where(deltas.c.id <= last_delta))
    merge(session, groups, [column.name for column in KEY_COLUMNS], [
        select(*group_key(deltas, state.day, kind), deltas.c.change)
        .where(deltas.c.id <= last_delta, *in_groups(deltas, state.day, kind))
        for kind in KINDS
    ])
    merge(session, bodies, BODY_KEY, [
        select(*[deltas.c[name] for name in BODY_KEY], deltas.c.change)
        .where(deltas.c.id <= last_delta, *body_rows(deltas, state.day))
    ])
    session.execute(delete(deltas).where(deltas.c.id <= last_delta))
    return CountsRefresh(rebuilt=False, groups=count_groups(session), deltas_folded=folded)


def body_rows(table, day: date) -> list:
    """The trainings of `offers` or of the deltas the bodies count: those of the groups, with a body."""
    return [*in_groups(table, day, "training"), table.c.organisation_name.is_not(None)]


def merge(session: Session, table, key: list[str], changes: list) -> None:
    """Rewrite `table` (groups or bodies) with `changes` (selects of its key and a +1/-1) added:
    one row per key, none empty; the rows it had are deleted after."""
    last = session.scalar(select(func.max(table.c.id))) or 0
    both = union_all(select(*[table.c[name] for name in key], table.c.offers), *changes).subquery()
    merged = [both.c[name] for name in key]
    total = func.sum(both.c.offers)
    session.execute(
        insert(table).from_select([*key, "offers"], select(*merged, total).group_by(*merged).having(total != 0))
    )
    session.execute(delete(table).where(table.c.id <= last))


def count_groups(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(groups))


def is_broad(criteria: Criteria) -> bool:
    """A search the groups can count: no words, occupation, commune or training body."""
    return (
        not criteria.text
        and not criteria.occupations
        and criteria.commune is None
        and not criteria.imprecise_only
        and not criteria.training_body
    )


@dataclass
class Precomputed:
    groups: list  # facet group rows: nearby flag 0, facet values…, count (services.tally_facets)
    training_bodies: list[tuple[str, int]] | None  # a trainings search without facets chosen


def precomputed_counts(
    session: Session, tenant, criteria: Criteria, place: list, now: datetime, bodies_shown: int
) -> Precomputed | None:
    """The counts of a broad search (is_broad) from the groups; None when the groups are not for
    today (count the offers instead). `place`: the search's place conditions on `offers`
    (where_conditions). A trainings search without facets chosen gets its `bodies_shown`
    training bodies with the most trainings too."""
    day = day_of(now)
    state_day = session.scalar(select(CountState.day).where(CountState.id == STATE_ID))
    if state_day != day:
        return None
    kind, facets = criteria.kind, FACETS_BY_KIND[criteria.kind]
    where = [in_tenant_scope(tenant), *place]
    # PostgreSQL: the offers read below may come from the covering indexes of migration 0011.
    offers_where = [*where, WITHOUT_WORDS] if session.get_bind().dialect.name == "postgresql" else where

    with_bodies = kind == "training" and not any(criteria.facets.values())
    to_come = None
    if kind == "training":  # out of the groups: counted here, their next start from their sessions
        expressions = facet_expressions(kind, now)
        to_come = (
            select(*[expressions[facet.name].label(FACET_COLUMNS[facet.name].name) for facet in facets],
                   Offer.organisation_name)
            .where(Offer.kind == kind, Offer.duplicate_of_id.is_(None), still_open(now), started_and_to_come(day),
                   *offers_where)
            .cte("to_come")
        )
        if with_bodies:  # read for the facets and for the bodies: found once
            to_come = to_come.prefix_with("MATERIALIZED")

    def values_of(table) -> list:
        if table is to_come:
            return [to_come.c[FACET_COLUMNS[facet.name].name] for facet in facets]
        values = facet_values(table, day, kind)
        return [values[facet.name].label(FACET_COLUMNS[facet.name].name) for facet in facets]

    def counted(summed, columns_of) -> list:
        """The groups' or bodies' rows of the search (`summed`), then what changed since the day
        began: deltas, offers expired since, trainings counted apart; `columns_of(table)`: the
        columns of each."""
        parts = [
            summed,
            select(*columns_of(deltas), deltas.c.change)
            .where(*in_groups(deltas, day, kind), *[on_table(condition, deltas) for condition in where]),
            select(*columns_of(offers_table), literal_column("-1"))
            .where(*in_groups(offers_table, day, kind), Offer.duplicate_of_id.is_(None), *offers_where,
                   Offer.expires_at <= now),
        ]
        if to_come is not None:
            parts.append(select(*columns_of(to_come), literal_column("1")))
        return parts

    rows = union_all(*counted(
        select(*[FACET_COLUMNS[facet.name] for facet in facets], groups.c.offers)
        .where(groups.c.kind == kind, *[on_table(condition, groups) for condition in where]),
        values_of,
    )).subquery()
    values, count = list(rows.c)[:-1], list(rows.c)[-1]
    by_group = select(literal_column("0").label("flag"), *values, func.sum(count).label("n")).group_by(*values)
    if not with_bodies:
        return Precomputed(groups=list(session.execute(by_group)), training_bodies=None)
    # The training bodies with the most trainings, from the same statement (rows flagged 1, with
    # the body's name and rank in two more columns).
    parts = counted(
        select(bodies.c.organisation_name, bodies.c.offers).where(*[on_table(condition, bodies) for condition in where]),
        lambda table: [table.c.organisation_name],
    )
    # Rows without a body: only the bodies' table is sure to have one.
    named = union_all(*[part.where(part.selected_columns[0].is_not(None)) for part in parts]).subquery()
    body, trainings = list(named.c)
    total = func.sum(trainings)
    most = (
        select(body.label("body"), total.label("n"))
        .group_by(body).having(total > 0).order_by(total.desc(), body).limit(bodies_shown).subquery()
    )
    # Ranked after the LIMIT: a window over every body sorted them all (3,600 at 50k).
    top = select(most, func.row_number().over(order_by=(most.c.n.desc(), most.c.body)).label("position")).subquery()
    statement = union_all(
        by_group.add_columns(cast(null(), String).label("body"), cast(null(), Integer).label("position")),
        select(literal_column("1"), *[cast(null(), value.type) for value in values], top.c.n, top.c.body,
               top.c.position),
    )
    groups_rows, body_rows = [], []
    for row in session.execute(statement):
        (body_rows if row[0] == 1 else groups_rows).append(row)
    return Precomputed(
        groups=[row[:-2] for row in groups_rows],
        training_bodies=[(row[-2], row[-3]) for row in sorted(body_rows, key=lambda row: row[-1])],
    )

"""Filters with counts (facets), all counted by one GROUP BY.

Each facet is a value computed per offer (its contract type, a "published within N days"
bucket…). The search groups the matching offers by every facet value at once, without the
facet filters; Python then adds up, for each facet, the groups that pass the *other* facets'
filters. So a selected contract type still shows how many offers the other types would add,
and the total is exact, from the same single query.

Every facet value is computed from columns of the offer row, which SQLite's search indexes
hold (migration 0009): there, counting reads an index alone. A training's "starts within" bucket needs
its next session start from today: the first and last starts stored on the offer give it for
almost every training; only one with a session already started and another still to come asks
its sessions.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.models import CONTRACT_TYPES, EXPERIENCE_LEVELS, WORKING_TIMES, Offer, TrainingSession

offers = Offer.__table__.c
# "Published within N days" counts calendar days in France: published on the day N days before
# today or later. Calendar days (not N × 24 hours before now) keep a facet's counts still for a
# whole day, which lets broad searches read them precomputed (app/search/counts.py).
PUBLISHED_WITHIN_DAYS = (1, 3, 7, 30)
CALENDAR = ZoneInfo("Europe/Paris")
SALARY_FLOORS = (1800, 2000, 2500, 3000)  # gross per month
STARTS_WITHIN_DAYS = (30, 90, 180)
HOURS_PER_MONTH = 151.67  # 35 h a week: turns an hourly rate into a monthly one


@dataclass(frozen=True)
class Facet:
    """mode: "any" (one of the chosen values), "flag" (true), "within" (bucket ≤ chosen, 0 means
    none), "at_least" (bucket ≥ chosen)."""

    name: str
    mode: str
    choices: tuple = ()

    def accepts(self, value, selected) -> bool:
        if not selected:
            return True
        if self.mode == "any":
            return value in selected
        if self.mode == "flag":
            return bool(value)
        if self.mode == "within":
            return bool(value) and value <= selected
        return bool(value) and value >= selected

    def condition(self, expression: ColumnElement, selected) -> ColumnElement[bool]:
        if self.mode == "any":
            return expression.in_(sorted(selected))
        if self.mode == "flag":
            return expression == (True if isinstance(expression.type, Boolean) else 1)
        if self.mode == "within":
            return and_(expression > 0, expression <= selected)
        return expression >= selected

    def option_counts(self, counts: Counter) -> dict:
        """Counts per option; for buckets, cumulative ("within 7 days" includes "within 1 day")."""
        if self.mode == "any":
            return {choice: counts.get(choice, 0) for choice in self.choices}
        if self.mode == "flag":
            return {True: sum(n for value, n in counts.items() if value)}
        if self.mode == "within":
            return {choice: sum(n for v, n in counts.items() if v and v <= choice) for choice in self.choices}
        return {choice: sum(n for v, n in counts.items() if v and v >= choice) for choice in self.choices}


JOB_FACETS = (
    Facet("contract", "any", CONTRACT_TYPES),
    Facet("working_time", "any", WORKING_TIMES),
    Facet("experience", "any", EXPERIENCE_LEVELS),
    Facet("apprenticeship", "flag"),
    Facet("accessible", "flag"),
    Facet("published", "within", PUBLISHED_WITHIN_DAYS),
    Facet("salary", "at_least", SALARY_FLOORS),
)
TRAINING_FACETS = (
    Facet("certifying", "flag"),
    Facet("starts", "within", STARTS_WITHIN_DAYS),
    Facet("distance", "flag"),
    Facet("published", "within", PUBLISHED_WITHIN_DAYS),
)
FACETS_BY_KIND = {"job": JOB_FACETS, "training": TRAINING_FACETS}


def day_of(moment: datetime) -> date:
    """The calendar day of France at that moment."""
    return moment.astimezone(CALENDAR).date()


def day_start(day: date) -> datetime:
    """The moment that calendar day of France begins."""
    return datetime.combine(day, time(), tzinfo=CALENDAR)


def bucket(thresholds: list[tuple[ColumnElement[bool], int]]) -> ColumnElement[int]:
    """The first threshold an offer meets (tightest first), else 0."""
    return case(*thresholds, else_=0)


def facet_expressions(kind: str, now: datetime) -> dict[str, ColumnElement]:
    """The per-offer value of each facet of this kind, as SQL both engines understand."""
    return dict(expressions_of_day(kind, day_of(now)))


@lru_cache(maxsize=8)
def expressions_of_day(kind: str, today: date) -> dict[str, ColumnElement]:
    """facet_expressions, built once per kind and calendar day (they depend on nothing else):
    building them was a millisecond of each search's Python. Callers get copies."""
    published = bucket(
        [(offers.published_at >= day_start(today - timedelta(days=days)), days) for days in PUBLISHED_WITHIN_DAYS],
    )
    if kind == "job":
        return {
            "contract": offers.contract_type,
            "working_time": offers.working_time,
            "experience": offers.experience,
            "apprenticeship": offers.is_apprenticeship,
            "accessible": offers.is_accessible_disabled,
            "published": published,
            "salary": salary_bucket(),
        }
    return {
        "certifying": offers.is_certifying,
        "starts": starts_bucket(today),
        "distance": offers.has_distance_session,
        "published": published,
    }


def salary_bucket() -> ColumnElement[int]:
    monthly = case(
        (offers.salary_period == "HOUR", offers.salary_min * HOURS_PER_MONTH),
        (offers.salary_period == "YEAR", offers.salary_min / 12),
        else_=offers.salary_min,
    )
    return case(*[(monthly >= floor, floor) for floor in reversed(SALARY_FLOORS)], else_=0)


def starts_bucket(today: date, stored_only: bool = False) -> ColumnElement[int]:
    """The tightest "starts within N days" a training meets: a session starts between today and
    today + N days; else 0.

    From the first and last session starts stored on the offer: a training whose first start is
    today or later is bucketed by it, one whose last start is past gets 0. Only a training with
    a session started and another to come (`started_and_to_come`) asks its sessions: one lookup
    of its next start (index on offer and start date, migration 0009), bucketed inside the
    subquery so that it runs once per such training. `stored_only`: for offers known not to be
    in that case (see counting_parts)."""
    first = offers.first_session_start

    def within(start: ColumnElement) -> ColumnElement[int]:
        return bucket([(start <= today + timedelta(days=days), days) for days in STARTS_WITHIN_DAYS])

    if stored_only:
        return case((first >= today, within(first)), else_=0)
    next_start_bucket = (
        select(within(func.min(TrainingSession.start_date)))
        .where(TrainingSession.offer_id == offers.id, TrainingSession.start_date >= today)
        .scalar_subquery()
    )
    return case((first >= today, within(first)), (offers.last_session_start >= today, next_start_bucket), else_=0)


def started_and_to_come(today: date) -> ColumnElement[bool]:
    """Trainings with a session already started and another still to come (first and last
    start are both set or both null)."""
    return and_(offers.first_session_start < today, offers.last_session_start >= today)


def not_started_and_to_come(today: date) -> ColumnElement[bool]:
    """Every other offer (null starts included): its "starts" bucket comes from the offer row."""
    first = offers.first_session_start
    return or_(first.is_(None), first >= today, offers.last_session_start < today)


def counting_parts(
    kind: str, now: datetime, expressions: dict[str, ColumnElement], split: bool
) -> list[tuple[list, dict[str, ColumnElement]]]:
    """How to count the facets of a search: (extra conditions, facet expressions) parts whose
    rows add up to each matching offer exactly once.

    `split` (PostgreSQL): trainings that need a subquery for their "starts" bucket are counted
    apart from the others, whose bucket the offer row gives. In one expression for all, the
    planner prices that subquery for every training (it cannot tell that few reach it) and,
    past its JIT threshold, compiles the statement: measured 67 ms of JIT for a 15,000-training
    count (loaded machine). SQLite gains nothing from the split: one part. `expressions`: the
    kind's facet_expressions."""
    if kind != "training" or not split:
        return [([], expressions)]
    today = day_of(now)
    return [
        ([not_started_and_to_come(today)], {**expressions, "starts": starts_bucket(today, stored_only=True)}),
        ([started_and_to_come(today)], expressions),
    ]

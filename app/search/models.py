"""Precomputed counts of offers by place and facet values (app/search/counts.py).

`search_count_groups`: how many visible offers of a kind share a région, a département and the
values of every facet of their kind (the other kind's columns null), the day-relative buckets
(published, starts) counted from the calendar day the groups were built for
(`search_count_state`). `search_count_deltas`: one row per change of a visible offer since the
last fold, written by database triggers on `offers` (migration 0013): +1 with the new values,
-1 with the old ones. Whoever writes offers (feeds, deduplication, moderation, a
recruiter's edit) is counted without knowing it, in the same transaction.
"""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class OfferValues:
    """The columns of `offers` that groups and deltas both keep as they are."""

    kind: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str | None] = mapped_column(String(3))
    departement_code: Mapped[str | None] = mapped_column(String(3))
    contract_type: Mapped[str | None] = mapped_column(String(10))
    working_time: Mapped[str | None] = mapped_column(String(10))
    experience: Mapped[str | None] = mapped_column(String(10))
    is_apprenticeship: Mapped[bool | None] = mapped_column(Boolean)
    is_accessible_disabled: Mapped[bool | None] = mapped_column(Boolean)
    is_certifying: Mapped[bool | None] = mapped_column(Boolean)
    has_distance_session: Mapped[bool | None] = mapped_column(Boolean)


class CountGroup(OfferValues, Base):
    __tablename__ = "search_count_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    salary: Mapped[int | None] = mapped_column(Integer)  # the salary facet's floor, 0 for none
    starts: Mapped[int | None] = mapped_column(Integer)  # the "starts within" bucket on the state's day
    published: Mapped[int] = mapped_column(Integer)  # the publication facet's bucket on the state's day
    offers: Mapped[int] = mapped_column(Integer)


class CountBody(Base):
    """How many visible trainings the groups count (not those counted per request) each training
    body has, by région and département: the training bodies list of a trainings search without
    facets chosen."""

    __tablename__ = "search_count_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(String(3))
    departement_code: Mapped[str | None] = mapped_column(String(3))
    organisation_name: Mapped[str] = mapped_column(String(300))
    offers: Mapped[int] = mapped_column(Integer)


class CountDelta(OfferValues, Base):
    """The columns of `offers` the groups' key is computed from, as they were (-1) or are (+1)."""

    __tablename__ = "search_count_deltas"

    id: Mapped[int] = mapped_column(primary_key=True)
    change: Mapped[int] = mapped_column(SmallInteger)  # +1 or -1
    offer_id: Mapped[int] = mapped_column(Integer)
    organisation_name: Mapped[str | None] = mapped_column(String(300))
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_period: Mapped[str | None] = mapped_column(String(10))
    first_session_start: Mapped[date | None] = mapped_column(Date)
    last_session_start: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CountState(Base):
    """One row: the calendar day the groups were built for, and when."""

    __tablename__ = "search_count_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    folded_at: Mapped[datetime] = mapped_column(UTCDateTime)

"""The interface every connector implements.

A connector reads a feed into raw records (cheap: the partner's id, a hash of what the partner
sent, the record itself), and normalises one raw record into offer column values (the costly
part). A run hashes first and normalises only the records whose hash moved, so re-reading an
unchanged feed of half a million offers costs a parse and no write.
"""
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Occupation, Offer
from app.ingest import InvalidRecord, Rejection, content_hash, search_text
from app.ingest.normalise import (
    RomeIndex,
    Salary,
    column_lengths,
    contract_type,
    fit_to_columns,
    normalise_description,
    normalise_title,
    occupation_of,
    parse_salary,
    working_time,
)
from app.ingest.places import Place, PlaceResolver

# Bumped when normalisation changes, so the next run rewrites every record with the new rules.
NORMALISATION_VERSION = 1


def record_hash(record: Any) -> str:
    if isinstance(record, str):
        # A record already serialised (an LHEO formation's XML, about 30 KB): hashed as it is.
        # Through JSON, escaping it cost a tenth of an LHEO import.
        return hashlib.sha256(f"{NORMALISATION_VERSION}\n{record}".encode("utf-8")).hexdigest()
    return content_hash([NORMALISATION_VERSION, record])


@dataclass(frozen=True)
class RawRecord:
    partner_id: str
    content_hash: str
    payload: Any  # what the connector's normalise() reads: a dict, an XML element…


@dataclass
class OfferRecord:
    values: dict  # offer column values
    sessions: list[dict] | None = None  # a training's sessions; None for a job


@dataclass
class Context:
    """Reference data for normalisation, read once per run."""

    places: PlaceResolver
    occupations: Mapping[str, str]  # known ROME codes -> labels
    rome: RomeIndex
    now: datetime
    http: requests.Session | None  # None when nothing is downloaded
    lengths: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_database(cls, session: Session, now: datetime, http: requests.Session) -> "Context":
        return cls(
            places=PlaceResolver.from_database(session),
            occupations=dict(session.execute(select(Occupation.code, Occupation.label)).all()),
            rome=RomeIndex.from_database(session),
            now=now,
            http=http,
            lengths=column_lengths(Offer.__table__),
        )


class Connector(Protocol):
    format: str  # the name `flask feeds import --format` takes
    kind: str  # "job" or "training"

    def is_full_feed(self, location: str) -> bool:
        """Whether the location lists every open offer of the source (what it omits expires)."""

    def read(self, location: str, context: Context) -> Iterator[RawRecord | Rejection]:
        """Raw records in feed order; raises FeedError when the feed cannot be read."""

    def normalise(self, raw: RawRecord, context: Context) -> OfferRecord:
        """Offer column values; raises InvalidRecord with the reason."""


# --- Assembling a job from what any source gives -------------------------------------------

@dataclass
class JobFields:
    """A job as a connector reads it, before the shared normalisation rules apply."""

    partner_id: str
    title: str
    content_hash: str
    published_at: datetime | None
    place: Place
    description: str = ""
    organisation_name: str | None = None
    rome_code: str | None = None
    apply_url: str | None = None
    apply_email: str | None = None
    source_url: str | None = None
    contract_labels: tuple[str | None, ...] = ()  # tried in order, then the title
    contract_label: str | None = None
    working_time_labels: tuple[str | None, ...] = ()
    working_hours_label: str | None = None
    salary_text: str | None = None
    salary: Salary | None = None  # when the source gives amounts, not words
    updated_at: datetime | None = None
    expires_at: datetime | None = None
    details: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # other JobOffer columns (experience, positions…)
    search_words: tuple[str | None, ...] = ()  # more words for the keyword box


def job_record(job: JobFields, context: Context) -> OfferRecord:
    """Column values for a job: the same title, contract, salary, description, occupation and
    length rules whatever the source."""
    title = normalise_title(job.title)
    if not job.partner_id or not title.display:
        raise InvalidRecord("no id or no title")
    description = normalise_description(job.description)
    occupation_code, occupation_details = occupation_of(job.rome_code, title.clean, context.occupations, context.rome)
    salary = job.salary or parse_salary(job.salary_text)
    values = {
        "partner_id": job.partner_id,
        "title": title.display,
        "description": description.text,
        "organisation_name": job.organisation_name,
        "occupation_code": occupation_code,
        **job.place.columns(),
        **apply_columns(job.apply_url, job.apply_email),
        "source_url": job.source_url,
        "contract_type": contract_type(job.contract_labels, title.display),
        "contract_label": job.contract_label,
        "working_time": working_time(*job.working_time_labels),
        "working_hours_label": job.working_hours_label,
        "salary_text": job.salary_text,
        **salary.columns(),
        "published_at": job.published_at or context.now,
        "updated_at": job.updated_at,
        "expires_at": job.expires_at,
        "details": {**job.details, **occupation_details, **description.details()},
        "search_text": search_text(
            title.clean, job.organisation_name, context.occupations.get(occupation_code or ""), *job.search_words
        ),
        "content_hash": job.content_hash,
        **job.extra,
    }
    return OfferRecord(fit_to_columns(values, context.lengths))


def apply_columns(url: str | None, email: str | None) -> dict:
    """Leave for the partner's page when there is one, else write to the recruiter."""
    if url:
        return {"apply_method": "url", "apply_url": url, "apply_email": None}
    if email:
        return {"apply_method": "email", "apply_url": None, "apply_email": email}
    return {"apply_method": "url", "apply_url": None, "apply_email": None}


def first_text(*values) -> str | None:
    """The first non-blank value, stripped."""
    return next((str(value).strip() for value in values if value is not None and str(value).strip()), None)

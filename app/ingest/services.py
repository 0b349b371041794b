"""Writing parsed records into the catalog. Services flush, never commit."""
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import JobOffer, Occupation, Offer, Source, TrainingOffer, TrainingSession
from app.ingest import InvalidRecord, Rejection, france_travail, lheo
from app.ingest.places import PlaceResolver

OFFER_CLASSES = {"job": JobOffer, "training": TrainingOffer}


def get_or_create_source(session: Session, slug: str, name: str, kind: str, rank: int, format: str) -> Source:
    """The source with that slug; created with these values the first time."""
    source = session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        source = Source(slug=slug, name=name, kind=kind, rank=rank, format=format)
        session.add(source)
        session.flush()
    return source


def occupation_labels(session: Session) -> dict[str, str]:
    """Known ROME codes and their labels: parsers keep a feed's unknown codes out."""
    return dict(session.execute(select(Occupation.code, Occupation.label)).all())


def save_offer(
    session: Session, source: Source, kind: str, values: dict, sessions: list[dict] | None = None
) -> tuple[Offer, str]:
    """Insert the offer or update the one with its partner id; "new", "updated" or "unchanged".

    A record whose content hash has not moved is left alone: re-reading a feed writes nothing.
    """
    model = OFFER_CLASSES[kind]
    offer = session.scalar(
        select(model).where(Offer.source_id == source.id, Offer.partner_id == values["partner_id"])
    )
    if offer is not None and values.get("content_hash") and offer.content_hash == values["content_hash"]:
        return offer, "unchanged"
    status = "updated" if offer is not None else "new"
    if offer is None:
        offer = model(source=source)
        session.add(offer)
    for name, value in values.items():
        setattr(offer, name, value)
    if sessions is not None:
        offer.sessions = [TrainingSession(**session_values) for session_values in sessions]
    session.flush()
    return offer, status


@dataclass
class LoadReport:
    """How a load went: offers new, updated, unchanged, and the records left out."""

    counts: Counter = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)

    def reject(self, rejection: Rejection) -> None:
        self.counts["rejected"] += 1
        self.rejected.append(rejection)


def load_france_travail(
    session: Session,
    source: Source,
    records: Iterable[dict],
    places: PlaceResolver,
    occupations: Mapping[str, str],
) -> LoadReport:
    """Save France Travail API records (the `resultats` items); a bad record is reported, not fatal."""
    report = LoadReport()
    for position, record in enumerate(records, start=1):
        try:
            values = france_travail.parse_offer(record, places, occupations)
        except InvalidRecord as error:
            report.reject(Rejection(str(record.get("id") or f"record #{position}"), str(error)))
            continue
        _offer, status = save_offer(session, source, "job", values)
        report.counts[status] += 1
    return report


def load_lheo(
    session: Session,
    source: Source,
    feed: Path | bytes,
    places: PlaceResolver,
    occupations: Mapping[str, str],
    now: datetime | None = None,
) -> LoadReport:
    """Save the formations of an LHEO feed with their sessions; broken ones are reported."""
    report = LoadReport()
    try:
        records, rejections = lheo.parse_feed(feed, places, occupations, now)
    except InvalidRecord as error:
        report.reject(Rejection(str(feed) if isinstance(feed, Path) else "feed", str(error)))
        return report
    for rejection in rejections:
        report.reject(rejection)
    for record in records:
        _offer, status = save_offer(session, source, "training", record.values, record.sessions)
        report.counts[status] += 1
    return report

"""Feed runs: lock the source, read, normalise what changed, upsert, expire, report.

Services flush, never commit: `flask feeds …` commits (once to make the lock visible to other
processes, once at the end; on PostgreSQL the transaction that writes also holds the source's
run lock, see take_run_lock). A run never expires anything when its feed failed to download or
parse, or lists less than half of the source's open offers: the run is flagged instead, and
the offers stay as they were.
"""
import importlib.util
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.catalog.models import JobOffer, Occupation, Offer, Source, TrainingOffer, TrainingSession
from app.ingest import FeedError, InvalidRecord, Rejection, content_hash
from app.ingest.connectors.base import Connector, Context, RawRecord
from app.ingest.connectors.france_travail import parse_offer
from app.ingest.connectors.lheo import LheoConnector, read_formations
from app.ingest.fetch import refuse_entity_declarations
from app.ingest.models import FeedRun, RejectedRecord
from app.ingest.normalise import RomeIndex, column_lengths
from app.ingest.places import PlaceResolver
from app.ingest.writer import OfferWriter, expire_offers

OFFER_CLASSES = {"job": JobOffer, "training": TrainingOffer}
# A crashed run's `locked_until` frees the source after this long (on PostgreSQL, a live run
# past it keeps the source all the same: take_run_lock).
LOCK_TIMEOUT = timedelta(hours=2)
# PostgreSQL's run lock: pg_try_advisory_xact_lock(RUN_LOCK_NAMESPACE, source id), two int4 keys
# (app.dedup's run lock is the one-bigint form, another key space, and another value).
RUN_LOCK_NAMESPACE = 0x6A6F6266  # "jobf"
# A full feed listing fewer than this share of the source's open offers is suspect.
SHRINK_LIMIT = 0.5
PARTNER_ID_LENGTH = 100


class SourceBusy(Exception):
    """Another run holds the source."""


class KnownOffer(NamedTuple):
    id: int
    content_hash: str | None
    is_open: bool


# --- Sources ---------------------------------------------------------------------------------

def get_or_create_source(session: Session, slug: str, name: str, kind: str, rank: int, format: str) -> Source:
    """The source with that slug; created with these values the first time."""
    source = session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        source = Source(slug=slug, name=name, kind=kind, rank=rank, format=format)
        session.add(source)
        session.flush()
    return source


def sources_to_sync(session: Session, slug: str | None = None) -> list[Source]:
    """Active sources with a feed to read, or the one named."""
    statement = select(Source).where(Source.format.is_not(None)).order_by(Source.slug)
    if slug:
        statement = statement.where(Source.slug == slug)
    else:
        statement = statement.where(Source.is_active.is_(True))
    return list(session.scalars(statement))


def occupation_labels(session: Session) -> dict[str, str]:
    """Known ROME codes and their labels: parsers keep a feed's unknown codes out."""
    return dict(session.execute(select(Occupation.code, Occupation.label)).all())


# --- Runs ------------------------------------------------------------------------------------

def start_run(
    session: Session, source: Source, connector: Connector, location: str, now: datetime, is_full_feed: bool = True
) -> FeedRun:
    """Take the source's lock and record the run as running. Raises SourceBusy.

    One UPDATE … WHERE unlocked: atomic on both engines, and a lock older than LOCK_TIMEOUT
    (a crashed run) is taken over.

    No advisory lock here (take_run_lock): the caller commits right after, which frees a
    transaction-level one, so it would only be a snapshot and execute_run must check again
    anyway. A session-level one would survive the commit but belongs to a pooled connection:
    the run's next transaction may use another, and a missed unlock keeps the source locked
    for as long as that connection lives.
    """
    taken = session.execute(
        update(Source)
        .where(Source.id == source.id, or_(Source.locked_until.is_(None), Source.locked_until < now))
        .values(locked_until=now + LOCK_TIMEOUT)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise SourceBusy(f"source {source.slug} is being read by another run")
    run = FeedRun(
        source=source,
        format=connector.format,
        location=location[:1000],
        is_full_feed=is_full_feed and connector.is_full_feed(location),
        status="running",
        started_at=now,
        new_offer_ids=[],
        updated_offer_ids=[],
    )
    session.add(run)
    session.flush()
    return run


@dataclass
class Reading:
    """What a run read: the partner ids it saw, what it skipped or left out, what went wrong."""

    seen: set[str] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    unchanged: int = 0
    written: int = 0
    problem: str | None = None  # why nothing may expire


def execute_run(session: Session, run: FeedRun, connector: Connector, context: Context) -> FeedRun:
    """Read the feed and write what changed; fill in the run's counts, status and offer ids.
    Raises SourceBusy, before reading anything, when another run still writes the source."""
    take_run_lock(session, run)
    known = known_offers(session, run.source_id, context.now)
    writer = OfferWriter(session, run.source_id, connector.kind, {pid: offer.id for pid, offer in known.items()})
    reading = write_changes(run, connector, context, known, writer)
    expired = expire_missing(session, run, known, reading, context.now)
    record_rejections(session, run, reading.rejections)
    run.received = len(reading.seen)
    run.new, run.updated = len(writer.new_ids), len(writer.updated_ids)
    # Sent but not written: the database found them equal (an expired offer listed again as it was).
    run.unchanged = reading.unchanged + reading.written - run.new - run.updated
    run.expired, run.rejected = len(expired), len(reading.rejections)
    run.new_offer_ids, run.updated_offer_ids = writer.new_ids, writer.updated_ids
    run.status, run.message = ("flagged", reading.problem) if reading.problem else ("succeeded", None)
    run.finished_at = datetime.now(timezone.utc)
    release_lock(session, run.source_id)
    session.flush()
    session.expire_all()  # the offers were written without the ORM: reload them when read
    return run


def take_run_lock(session: Session, run: FeedRun) -> None:
    """On PostgreSQL, hold the source's run lock until this transaction ends. Raises SourceBusy.

    Two locks, because `locked_until` is a lease: a column every engine and every tool can read,
    and all SQLite needs (one writer at a time: of two runs, the one that writes second fails on
    "database is locked", so their writes never mix), but with no heartbeat it expires under a
    run still writing after LOCK_TIMEOUT, and outlives a crashed one until then. The advisory
    lock is exact: PostgreSQL frees it at commit, at rollback, or when the process holding it
    dies, so a live run is never taken over, however long it runs. A run that took an expired
    `locked_until` over from a run still writing stops here, before it reads or writes anything.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if not session.scalar(select(func.pg_try_advisory_xact_lock(RUN_LOCK_NAMESPACE, run.source_id))):
        raise SourceBusy(f"source {run.source.slug} is being read by another run, still writing after its lock expired")


def write_changes(
    run: FeedRun, connector: Connector, context: Context, known: Mapping[str, KnownOffer], writer: OfferWriter
) -> Reading:
    """Normalise and write the records whose hash moved; a feed error stops the reading, and
    what was read before it stays written."""
    reading = Reading()
    try:
        for item in connector.read(run.location, context):
            if isinstance(item, Rejection):
                reading.rejections.append(item)
                continue
            partner_id = fit_partner_id(item.partner_id)
            if partner_id in reading.seen:
                reading.rejections.append(Rejection(partner_id, "the feed lists this id again: the first one was kept"))
                continue
            reading.seen.add(partner_id)
            if is_unchanged(known.get(partner_id), item):
                reading.unchanged += 1
                continue
            try:
                record = connector.normalise(item, context)
            except InvalidRecord as error:
                reading.rejections.append(Rejection(partner_id, str(error)))
                continue
            record.values["partner_id"] = partner_id
            writer.add(record)
            reading.written += 1
    except FeedError as error:
        reading.problem = str(error)
    writer.flush()
    return reading


def expire_missing(
    session: Session, run: FeedRun, known: Mapping[str, KnownOffer], reading: Reading, now: datetime
) -> list[int]:
    """A full feed's missing offers close now, unless the feed broke or shrank by more than half."""
    if reading.problem is not None or not run.is_full_feed:
        return []
    open_before = sum(offer.is_open for offer in known.values())
    if len(reading.seen) < SHRINK_LIMIT * open_before:
        reading.problem = f"the feed lists {len(reading.seen)} offers where the source had {open_before} open: nothing expired"
        return []
    expired = [offer.id for partner_id, offer in known.items() if offer.is_open and partner_id not in reading.seen]
    expire_offers(session, expired, now)
    return expired


def is_unchanged(known: KnownOffer | None, item: RawRecord) -> bool:
    """Same hash and still open: nothing to normalise nor write. An offer the run had expired
    but the feed lists again is rewritten, which reopens it."""
    return known is not None and known.is_open and known.content_hash == item.content_hash


def known_offers(session: Session, source_id: int, now: datetime) -> dict[str, KnownOffer]:
    """The source's offers by partner id: one query, so a run makes none per record."""
    table = Offer.__table__
    rows = session.execute(
        select(table.c.partner_id, table.c.id, table.c.content_hash, table.c.expires_at).where(
            table.c.source_id == source_id
        )
    )
    return {
        partner_id: KnownOffer(offer_id, hash_, expires_at is None or expires_at > now)
        for partner_id, offer_id, hash_, expires_at in rows
    }


def fit_partner_id(partner_id: str) -> str:
    """Ids longer than the column (page URLs) are cut and suffixed with their hash, so they stay
    unique and stable."""
    partner_id = partner_id.strip()
    if len(partner_id) <= PARTNER_ID_LENGTH:
        return partner_id
    return f"{partner_id[:PARTNER_ID_LENGTH - 17]}#{content_hash(partner_id)[:16]}"


def record_rejections(session: Session, run: FeedRun, rejections: Iterable[Rejection]) -> None:
    rows = [{"run_id": run.id, "record_id": str(r.record_id)[:200], "reason": r.reason} for r in rejections]
    for start in range(0, len(rows), 5000):
        session.execute(insert(RejectedRecord), rows[start:start + 5000])


def fail_run(session: Session, run_id: int, error: BaseException) -> None:
    """After a rollback: the run ended on an error of ours; free the source. Unless the error is
    SourceBusy: another run still writes the source, and frees it when it ends."""
    run = session.get(FeedRun, run_id)
    run.status, run.message = "failed", f"{type(error).__name__}: {error}"[:10_000]
    run.finished_at = datetime.now(timezone.utc)
    if not isinstance(error, SourceBusy):
        release_lock(session, run.source_id)
    session.flush()


def release_lock(session: Session, source_id: int) -> None:
    session.execute(
        update(Source).where(Source.id == source_id).values(locked_until=None)
        .execution_options(synchronize_session=False)
    )


def recent_runs(session: Session, source_slug: str | None = None, limit: int = 20) -> list[FeedRun]:
    statement = select(FeedRun).join(FeedRun.source).order_by(FeedRun.started_at.desc(), FeedRun.id.desc())
    if source_slug:
        statement = statement.where(Source.slug == source_slug)
    return list(session.scalars(statement.limit(limit)))


def last_success(session: Session, source_id: int) -> FeedRun | None:
    return session.scalar(
        select(FeedRun)
        .where(FeedRun.source_id == source_id, FeedRun.status == "succeeded")
        .order_by(FeedRun.started_at.desc())
        .limit(1)
    )


# --- Downstream: incremental deduplication -----------------------------------------------------

def deduplicate_run(session: Session, run: FeedRun) -> bool:
    """Hand the run's new and updated offers to deduplication, when that module offers it."""
    if importlib.util.find_spec("app.dedup") is None or importlib.util.find_spec("app.dedup.services") is None:
        return False
    from app.dedup import services as dedup_services

    deduplicate_offers = getattr(dedup_services, "deduplicate_offers", None)
    offer_ids = [*run.new_offer_ids, *run.updated_offer_ids]
    if deduplicate_offers is None or not offer_ids:
        return False
    deduplicate_offers(session, offer_ids)
    return True


# --- Small feeds through the ORM (demo data) -------------------------------------------------

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


def small_feed_context(
    session: Session, places: PlaceResolver, occupations: Mapping[str, str], now: datetime | None = None
) -> Context:
    # Built once per session: the demo loads six files in a row.
    if "rome_index" not in session.info:
        session.info["rome_index"] = RomeIndex.from_database(session)
    return Context(
        places=places,
        occupations=occupations,
        rome=session.info["rome_index"],
        now=now or datetime.now(timezone.utc),
        http=None,
        lengths=column_lengths(Offer.__table__),
    )


def load_france_travail(
    session: Session,
    source: Source,
    records: Iterable[dict],
    places: PlaceResolver,
    occupations: Mapping[str, str],
) -> LoadReport:
    """Save France Travail API records (the `resultats` items); a bad record is reported, not fatal."""
    context = small_feed_context(session, places, occupations)
    report = LoadReport()
    for position, record in enumerate(records, start=1):
        try:
            values = parse_offer(record, context).values
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
    context = small_feed_context(session, places, occupations, now)
    connector = LheoConnector()
    report = LoadReport()
    try:
        with (io.BytesIO(feed) if isinstance(feed, bytes) else Path(feed).open("rb")) as file:
            refuse_entity_declarations(file)
            for raw in read_formations(file):
                try:
                    record = connector.normalise(raw, context)
                except InvalidRecord as error:
                    report.reject(Rejection(raw.partner_id, str(error)))
                    continue
                _offer, status = save_offer(session, source, "training", record.values, record.sessions)
                report.counts[status] += 1
    except FeedError as error:
        report.reject(Rejection(str(feed) if isinstance(feed, Path) else "feed", str(error)))
    return report

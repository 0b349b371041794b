"""Deduplication runs: fingerprint offers, find candidates, judge pairs, cluster, store.

`deduplicate_offers(session, ids)` is what a feed import calls after writing offers: the new
or changed job offers are placed against the existing stock (never a full recomputation); the
clusters they touch get their canonical offer elected again. `deduplicate_all(session)` does the
same from an empty stock. Both flush, never commit, and return counts.

A changed offer leaves its cluster, and the cluster's other members are placed again: an
offer that moved to another city splits off. Records are never deleted.

An update reads only the stock its offers can meet in an LSH bucket (`_stock_filter`, in SQL:
their départements, the offers of their régions located by the région alone, those located by
France alone; the whole stock only when a new offer is itself located by France alone) from
the fingerprints table alone: each stored fingerprint carries a copy of its offer's facts and
the same facts packed for numpy (`prefilter.FACTS_DTYPE`), so the stock becomes column arrays
(`RunOffers`) in one `frombuffer`; an OfferFacts is read only for the stock offers that survive
the numpy vetoes (place, contract, dates, title words, then text). The buckets queried hold the
same offers as when the whole stock was read, so the candidates and clusters are the same (but for the rare bucket
key, 32 bits, that two areas share by accident: its unread area's offers are no longer met).
"""
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import and_, bindparam, delete, false, func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.catalog.models import Offer, Source
from app.catalog.normalise import is_intermediary, normalise_employer, normalise_text, normalise_title
from app.db import any_of, upsert
from app.dedup import candidates
from app.dedup.clustering import SOURCE_KIND_ORDER, Clustering
from app.dedup.fingerprint import NUM_PERM, content_key, jaccard, signatures
from app.dedup.matching import OfferFacts, Verdict, compare
from app.dedup.prefilter import OfferArrays, plausible_facts, texts_agree
from app.dedup.models import DedupCluster, DedupFingerprint, DedupLink

# Bump when normalisation or fingerprints change: every offer is then fingerprinted again.
ALGORITHM_VERSION = 1
_BATCH = 5000
_RUN_LOCK_KEY = 0x6A6F6264_64647570  # any constant bigint: "jobddup"
_KEEP_READ_ROWS = 20_000
offers = Offer.__table__
fingerprints = DedupFingerprint.__table__
clusters_table = DedupCluster.__table__
links_table = DedupLink.__table__

# The offer's facts that matching reads, also copied into its fingerprint (FACT_NAMES).
_PLACE_COLUMNS = (
    offers.c.id,
    offers.c.source_id,
    offers.c.occupation_code,
    offers.c.location_precision,
    offers.c.commune_code,
    offers.c.departement_code,
    offers.c.region_code,
    offers.c.latitude,
    offers.c.longitude,
    offers.c.contract_type,
    offers.c.published_at,
)
_CONTENT_COLUMNS = (
    offers.c.title,
    offers.c.description,
    offers.c.organisation_name,
    # Only the partner site of an aggregated record: decoding every details JSON costs seconds.
    offers.c.details["partner"].as_string().label("partner"),
    offers.c.salary_text,
    offers.c.apply_url,
    offers.c.apply_email,
)


_FACT_NAMES = [column.name for column in _PLACE_COLUMNS if column.name not in ("id", "published_at")]
# A stored fingerprint with its copied facts: what the stock is read as, from one narrow table.
_STORED_COLUMNS = (
    fingerprints.c.offer_id.label("id"),
    *(fingerprints.c[name] for name in _FACT_NAMES),
    fingerprints.c.published_epoch,
    fingerprints.c.title_key,
    fingerprints.c.employer_key,
    fingerprints.c.is_intermediary,
    fingerprints.c.publisher,
    fingerprints.c.completeness,
    fingerprints.c.shingle_count,
    fingerprints.c.signature,
)


class RunOffers:
    """The offers of one run, by signature row: those being placed first, then the stock.

    The offers being placed are OfferFacts from the start. The stock is read as its stored
    signatures and packed facts only, turned into arrays at once: blocking and the numpy
    vetoes read the arrays, and an OfferFacts is only read for the stock offers `compare`
    judges or the clustering ranks (about 9,000 of 50,000 in the bench's nationwide update of
    5,000), by `load_facts`.
    """

    def __init__(self, placing: list[OfferFacts], placing_signatures: np.ndarray, stock_rows: list):
        self.placing = placing
        self._facts: dict[int, OfferFacts] = {}
        for row, offer in enumerate(placing):
            offer.row = row
            self._facts[offer.id] = offer
        self.stock_ids = [row.id for row in stock_rows]
        self.ids = np.array([offer.id for offer in placing] + self.stock_ids, dtype=np.int64)
        self._id_order = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._id_order]
        stock_signatures = _signature_matrix([row.signature for row in stock_rows])
        self.signatures = np.concatenate([placing_signatures, stock_signatures]).astype(np.uint32)
        stock_arrays = OfferArrays.from_packed([row.packed_facts for row in stock_rows])
        self.arrays = OfferArrays.concatenate([OfferArrays.of_facts(placing), stock_arrays])

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, offer_ids: np.ndarray) -> np.ndarray:
        return self._id_order[np.searchsorted(self._sorted_ids, offer_ids)]

    def facts(self, offer_id: int) -> OfferFacts:
        return self._facts[offer_id]

    def load_facts(self, session: Session, offer_ids: Iterable[int]) -> None:
        """Read the stored facts of these offers (stock or not) that the run does not hold yet."""
        missing = sorted({offer_id for offer_id in offer_ids if offer_id not in self._facts})
        for row in _stored_rows(session, missing):
            self._facts[row.id] = _stored_offer_facts(row)

    def band_keys(self, rows: np.ndarray, indexed_areas: set[int]) -> candidates.BandKeys:
        return candidates.BandKeys(
            self.ids[rows], self.signatures[rows], self.arrays.shingles[rows], self.arrays.title_hashes[rows],
            self.arrays.index_area[rows], self.arrays.query_areas[rows], indexed_areas,
        )


# --- Entry points -----------------------------------------------------------------------------

def deduplicate_all(session: Session, now: datetime | None = None) -> dict:
    """Rebuild every cluster of job offers from scratch."""
    started = time.perf_counter()
    _take_run_lock(session)
    session.flush()
    session.execute(delete(links_table))
    session.execute(delete(clusters_table))
    session.execute(delete(fingerprints))
    job_ids = list(session.scalars(select(offers.c.id).where(offers.c.kind == "job").order_by(offers.c.id)))
    stats = _run(session, to_place=job_ids, dirty=set(job_ids), now=now, with_stock=False)
    stats.pop("touched_clusters")
    # Only the offers whose canonical changed are written: a rebuild that finds the same
    # clusters rewrites no offer row (each such write updates every search index of the row).
    hidden = list(session.scalars(select(offers.c.id).where(offers.c.kind == "job", offers.c.duplicate_of_id.is_not(None))))
    _write_duplicate_of(session, _cluster_canonicals(session, None), reset=hidden)
    return {**stats, "seconds": round(time.perf_counter() - started, 3)}


def deduplicate_offers(session: Session, offer_ids: Iterable[int], now: datetime | None = None) -> dict:
    """Place new or changed job offers against the stock; unchanged ones cost one read."""
    started = time.perf_counter()
    _take_run_lock(session)
    session.flush()
    requested = sorted(set(offer_ids))
    changed = _changed_offers(session, requested)
    dirty = set(changed)
    dissolved = _clusters_of(session, dirty)
    members = _members_of(session, dissolved)
    to_place = sorted(dirty | set(members))
    for chunk in _chunks(to_place):
        session.execute(delete(links_table).where(any_of(session, links_table.c.offer_id, chunk)))
    for chunk in _chunks(sorted(dissolved)):
        session.execute(delete(clusters_table).where(any_of(session, clusters_table.c.id, chunk)))
    stats = _run(session, to_place=to_place, dirty=dirty, now=now, with_stock=True, read=changed)
    touched = stats.pop("touched_clusters")
    _write_duplicate_of(session, _cluster_canonicals(session, touched), reset=to_place)
    return {**stats, "requested": len(requested), "seconds": round(time.perf_counter() - started, 3)}


def _take_run_lock(session: Session) -> None:
    """One deduplication at a time, until the caller commits. Two imports placing offers at
    once would each miss the other's uncommitted offers, and both add the same stock offer to
    a cluster. Taken before anything is read, so the run reads what the previous one wrote."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_RUN_LOCK_KEY)))
    else:
        # SQLite has one writer at a time: a transaction's first write waits for it (up to the
        # connection's timeout) and holds it until commit. This one changes nothing.
        session.execute(delete(clusters_table).where(false()))


# --- One run ----------------------------------------------------------------------------------

def _run(session: Session, to_place: list[int], dirty: set[int], now: datetime | None, with_stock: bool,
         read: dict | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    sources = _sources(session)
    placing, placing_signatures = _placing_facts(session, to_place, dirty, sources, read)
    stock_rows = _stock_rows(session, placing, set(to_place)) if with_stock else []
    run = RunOffers(placing, placing_signatures, stock_rows)
    pairs = _candidates(run)
    matches = _judge(session, run, pairs)
    clustering = Clustering(canonical_key=lambda offer_id: _canonical_key(run.facts(offer_id), sources))
    stock_ids = set(run.stock_ids)
    _load_clusters_around(session, run, clustering, matches, stock_ids)
    placed = stock_ids
    for offer in placing:
        clustering.place(offer.id, matches.get(offer.id, {}), placed.__contains__)
        placed.add(offer.id)
    touched = _save_clusters(session, clustering, now)
    return {
        "offers": len(placing),
        "stock": len(run.stock_ids),
        "fingerprinted": len(dirty),
        "candidate_pairs": len(pairs[0]),
        "matched_pairs": sum(len(partners) for partners in matches.values()) // 2,
        "clusters_touched": len(touched),
        "touched_clusters": touched,
    }


def _candidates(run: RunOffers) -> tuple[np.ndarray, np.ndarray]:
    """Pairs among the offers being placed, and between them and the stock, both ways."""
    placing = np.arange(len(run.placing))
    stock = np.arange(len(run.placing), len(run))
    areas = set(np.unique(run.arrays.index_area).tolist())
    new_keys = run.band_keys(placing, areas)
    index_keys, index_ids = new_keys.index_keys, new_keys.index_ids
    found = [candidates.candidate_pairs(new_keys.query_keys, new_keys.query_ids, index_keys, index_ids)]
    if len(stock):
        # The stock only needs to query the areas of new offers located by a région or by
        # France alone: a new offer's own queries already reach the stock of its département.
        coarse = set(np.unique(run.arrays.index_area[placing][run.arrays.departement[placing] == 0]).tolist())
        old_keys = run.band_keys(stock, coarse)
        found.append(candidates.candidate_pairs(new_keys.query_keys, new_keys.query_ids, old_keys.index_keys, old_keys.index_ids))
        found.append(candidates.candidate_pairs(old_keys.query_keys, old_keys.query_ids, index_keys, index_ids))
    return candidates.split_pairs(candidates.distinct_values(np.concatenate(found)))


def _judge(session: Session, run: RunOffers, pairs: tuple[np.ndarray, np.ndarray]) -> dict[int, dict[int, Verdict]]:
    """Verdicts of the matching pairs, by offer and partner: cheap vetoes on all pairs with
    numpy first, then `compare` on the few that remain."""
    first, second = pairs
    rows_a, rows_b = run.rows_of(first), run.rows_of(second)
    facts_agree = plausible_facts(run.arrays, rows_a, rows_b)
    first, second, rows_a, rows_b = first[facts_agree], second[facts_agree], rows_a[facts_agree], rows_b[facts_agree]
    kept = []
    for start in range(0, len(first), 200_000):  # bounded memory: 200,000 × 64 comparisons
        block = slice(start, start + 200_000)
        jaccard = (run.signatures[rows_a[block]] == run.signatures[rows_b[block]]).sum(axis=1) / NUM_PERM
        mask = texts_agree(run.arrays, rows_a[block], rows_b[block], jaccard)
        kept.append((first[block][mask], second[block][mask], jaccard[mask]))
    run.load_facts(session, (offer_id for block_first, block_second, _ in kept for ids in (block_first, block_second) for offer_id in ids.tolist()))
    matches: dict[int, dict[int, Verdict]] = {}
    for block_first, block_second, block_jaccard in kept:
        for a_id, b_id, jaccard in zip(block_first.tolist(), block_second.tolist(), block_jaccard.tolist()):
            verdict = compare(run.facts(a_id), run.facts(b_id), jaccard)
            if verdict.matched:
                matches.setdefault(a_id, {})[b_id] = verdict
                matches.setdefault(b_id, {})[a_id] = verdict
    return matches


def _canonical_key(offer: OfferFacts, sources: dict[int, tuple[str, str, int]]) -> tuple:
    _slug, kind, rank = sources[offer.source_id]
    return (SOURCE_KIND_ORDER.get(kind, len(SOURCE_KIND_ORDER)), rank, -offer.completeness, offer.published_at, offer.id)


# --- Reading ----------------------------------------------------------------------------------

def _sources(session: Session) -> dict[int, tuple[str, str, int]]:
    return {row.id: (row.slug, row.kind, row.rank) for row in session.execute(select(Source.id, Source.slug, Source.kind, Source.rank))}


def _changed_offers(session: Session, offer_ids: list[int]) -> dict[int, tuple]:
    """Job offers among these whose deduplicated content changed, or never fingerprinted: their
    rows (the first _KEEP_READ_ROWS) and new content keys, which fingerprinting reuses."""
    changed: dict[int, tuple] = {}
    for chunk in _chunks(offer_ids):
        statement = (
            select(*_PLACE_COLUMNS, *_CONTENT_COLUMNS, fingerprints.c.content_key)
            .outerjoin(fingerprints, fingerprints.c.offer_id == offers.c.id)
            .where(any_of(session, offers.c.id, chunk), offers.c.kind == "job")
        )
        for row in session.execute(statement):
            key = _content_key_of(row)
            if row.content_key != key:
                # Rows are kept for an update's few thousand offers, not for a first import's
                # hundreds of thousands (descriptions of about 1 KB each): those are read again.
                changed[row.id] = (row if len(changed) < _KEEP_READ_ROWS else None, key)
    return changed


def _placing_facts(session: Session, to_place: list[int], dirty: set[int], sources, read: dict | None) -> tuple[list[OfferFacts], np.ndarray]:
    """Facts of the offers being placed, in id order: fingerprinted afresh (and written back)
    for the dirty ones, stored for the others (members of a dissolved cluster)."""
    stored_rows = _stored_rows(session, [offer_id for offer_id in to_place if offer_id not in dirty])
    fresh, fresh_signatures = _fresh_facts(session, [offer_id for offer_id in to_place if offer_id in dirty], sources, read=read)
    facts = [_stored_offer_facts(row) for row in stored_rows] + fresh
    matrix = np.concatenate([_signature_matrix([row.signature for row in stored_rows]), fresh_signatures])
    order = sorted(range(len(facts)), key=lambda index: facts[index].id)
    if order != list(range(len(facts))):
        facts, matrix = [facts[index] for index in order], matrix[order]
    return facts, matrix.astype(np.uint32)


def _signature_matrix(signatures: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(signatures), dtype="<u4").reshape(len(signatures), NUM_PERM)


def _stock_filter(placing: list[OfferFacts]):
    """SQL condition on offers: the stock the offers being placed can meet in a bucket.

    A stock offer is read when it is indexed under an area one of them queries (their
    départements, their régions, France: see candidates.areas_of), or when it queries an area
    one of them located only by a région or by France is indexed under. An offer located by
    France alone meets every offer: then the whole stock is read. None: no condition.
    """
    departements = {offer.departement_code for offer in placing if offer.departement_code}
    regions = {offer.region_code for offer in placing if offer.region_code}
    coarse_regions = {offer.region_code for offer in placing if offer.region_code and not offer.departement_code}
    if any(not offer.departement_code and not offer.region_code for offer in placing):
        return None
    no_departement = or_(fingerprints.c.departement_code.is_(None), fingerprints.c.departement_code == "")
    no_region = or_(fingerprints.c.region_code.is_(None), fingerprints.c.region_code == "")
    conditions = [and_(no_departement, no_region)]  # indexed under France, which everyone queries
    if departements:
        conditions.append(fingerprints.c.departement_code.in_(sorted(departements)))
    if regions:
        conditions.append(and_(no_departement, fingerprints.c.region_code.in_(sorted(regions))))
    if coarse_regions:
        conditions.append(fingerprints.c.region_code.in_(sorted(coarse_regions)))
    return or_(*conditions)


def _stock_rows(session: Session, placing: list[OfferFacts], placing_ids: set[int]) -> list:
    """The stored fingerprints (with their copied facts) the offers being placed can meet,
    filtered in SQL by area; never the offers being placed themselves."""
    if not placing:
        return []
    statement = (
        select(fingerprints.c.offer_id.label("id"), fingerprints.c.packed_facts, fingerprints.c.signature)
        .order_by(fingerprints.c.offer_id)
        .execution_options(yield_per=_BATCH)
    )
    condition = _stock_filter(placing)
    if condition is not None:
        statement = statement.where(condition)
    return [row for row in session.execute(statement) if row.id not in placing_ids]


def _stored_rows(session: Session, offer_ids: list[int]) -> list:
    rows = []
    for chunk in _chunks(sorted(offer_ids)):
        statement = select(*_STORED_COLUMNS).where(any_of(session, fingerprints.c.offer_id, chunk)).order_by(fingerprints.c.offer_id)
        rows += session.execute(statement).all()
    return rows


def _stored_offer_facts(row) -> OfferFacts:
    published_at = datetime.fromtimestamp(row.published_epoch, timezone.utc)
    return _facts(row, published_at, row.title_key, row.employer_key, row.is_intermediary, row.publisher, row.completeness,
                  row.shingle_count)


def _fresh_facts(
    session: Session, offer_ids: list[int], sources, store: bool = True, read: dict | None = None
) -> tuple[list[OfferFacts], np.ndarray]:
    """Fingerprint these offers, batch by batch, and upsert the fingerprints (when `store`).
    `read`: offer id -> (row, content key) already read by `_changed_offers`."""
    facts: list[OfferFacts] = []
    matrices = [np.zeros((0, NUM_PERM), dtype=np.uint32)]
    read = read or {}
    kept = {offer_id: row for offer_id, (row, _key) in read.items() if row is not None}
    for chunk in _chunks(sorted(offer_ids)):
        missing = [offer_id for offer_id in chunk if offer_id not in kept]
        statement = select(*_PLACE_COLUMNS, *_CONTENT_COLUMNS).where(any_of(session, offers.c.id, missing)).order_by(offers.c.id)
        fetched = {row.id: row for row in session.execute(statement)} if missing else {}
        rows = [row for row in (kept.get(offer_id) or fetched.get(offer_id) for offer_id in chunk) if row is not None]
        matrix, counts = signatures([normalise_text(row.description) for row in rows])
        stored = []
        batch_facts = []
        for row, signature, count in zip(rows, matrix, counts.tolist()):
            offer = _facts(row, row.published_at, normalise_title(row.title), normalise_employer(row.organisation_name) or None,
                           is_intermediary(row.organisation_name), _publisher(row, sources), _completeness(row), count)
            batch_facts.append(offer)
            stored.append({
                "offer_id": row.id,
                "content_key": read[row.id][1] if row.id in read else _content_key_of(row),
                "title_key": offer.title_key[:300],
                "employer_key": (offer.employer_key or "")[:300] or None,
                "is_intermediary": offer.is_intermediary,
                "publisher": offer.publisher[:200],
                "completeness": offer.completeness,
                "shingle_count": count,
                "signature": signature.astype("<u4").tobytes(),
                **{name: getattr(row, name) for name in _FACT_NAMES},
                "published_epoch": row.published_at.timestamp(),
            })
        for fingerprint, packed in zip(stored, OfferArrays.of_facts(batch_facts).packed()):
            fingerprint["packed_facts"] = packed
        facts += batch_facts
        if store:
            upsert(session, fingerprints, stored, ["offer_id"])
        matrices.append(matrix)
    return facts, np.concatenate(matrices)


def _facts(row, published_at, title_key, employer_key, intermediary, publisher, completeness, shingle_count) -> OfferFacts:
    return OfferFacts(
        id=row.id,
        source_id=row.source_id,
        publisher=publisher,
        title_key=title_key,
        employer_key=employer_key,
        is_intermediary=intermediary,
        occupation_code=row.occupation_code,
        location_precision=row.location_precision,
        commune_code=row.commune_code,
        departement_code=row.departement_code,
        region_code=row.region_code,
        latitude=row.latitude,
        longitude=row.longitude,
        contract_type=row.contract_type,
        published_at=published_at,
        completeness=completeness,
        shingle_count=shingle_count,
    )


def _publisher(row, sources) -> str:
    """The source, and for an aggregated feed the partner site that published the record."""
    slug = sources[row.source_id][0]
    return f"{slug}/{row.partner}" if row.partner else slug


def _completeness(row) -> int:
    """How much an applicant learns from the record: the canonical offer should say the most."""
    return sum(
        (
            bool(row.organisation_name),
            row.location_precision == "commune",
            bool(row.contract_type),
            bool(row.salary_text),
            len(row.description or "") >= 500,
            bool(row.occupation_code),
            bool(row.apply_url or row.apply_email),
        )
    )


def _content_key_of(row) -> str:
    return content_key(
        ALGORITHM_VERSION, row.title, row.description, row.organisation_name, row.occupation_code,
        row.location_precision, row.commune_code, row.departement_code, row.region_code, row.latitude,
        row.longitude, row.contract_type, row.published_at.isoformat() if row.published_at else None,
        row.source_id, row.partner, row.salary_text, row.apply_url, row.apply_email,
    )


def _clusters_of(session: Session, offer_ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(sorted(offer_ids)):
        found.update(session.scalars(select(links_table.c.cluster_id).where(any_of(session, links_table.c.offer_id, chunk))))
    return found


def _members_of(session: Session, cluster_ids: Iterable[int]) -> dict[int, int]:
    """Offer id -> cluster id for every member of these clusters."""
    members: dict[int, int] = {}
    for chunk in _chunks(sorted(cluster_ids)):
        rows = session.execute(select(links_table.c.offer_id, links_table.c.cluster_id).where(any_of(session, links_table.c.cluster_id, chunk)))
        members.update({offer_id: cluster_id for offer_id, cluster_id in rows})
    return members


def _load_clusters_around(
    session: Session, run: RunOffers, clustering: Clustering, matches: dict[int, dict[int, Verdict]], stock_ids: set[int]
) -> None:
    """The stored clusters the offers being placed could join: those of their stock partners.
    Their members' facts are read now, those outside the areas the run read included (a
    cluster spanning départements through an offer located by its région): the clustering
    ranks every member."""
    partners = {partner for found in matches.values() for partner in found if partner in stock_ids}
    by_cluster: dict[int, list[int]] = {}
    for offer_id, cluster_id in _members_of(session, _clusters_of(session, partners)).items():
        by_cluster.setdefault(cluster_id, []).append(offer_id)
    run.load_facts(session, (offer_id for member_ids in by_cluster.values() for offer_id in member_ids))
    for cluster_id, member_ids in by_cluster.items():
        clustering.add_existing(cluster_id, member_ids)


# --- Writing ----------------------------------------------------------------------------------

def _save_clusters(session: Session, clustering: Clustering, now: datetime) -> set[int]:
    """Insert the new clusters and links, update the stored clusters that grew; returns the
    ids of every cluster written."""
    new_labels = [label for label in clustering.clusters() if label < 0]
    with_new_links = {clustering.cluster_of[offer_id] for offer_id in clustering.links}
    grown = [label for label in clustering.clusters() if label > 0 and label in with_new_links]
    rows = [{"canonical_offer_id": clustering.canonical(label), "size": len(clustering.members[label]), "updated_at": now} for label in new_labels]
    ids = _insert_returning_ids(session, rows)
    cluster_ids = dict(zip(new_labels, ids))
    grown_rows = [
        {"b_id": label, "b_canonical": clustering.canonical(label), "b_size": len(clustering.members[label])}
        for label in grown
    ]
    statement = update(clusters_table).where(clusters_table.c.id == bindparam("b_id")).values(
        canonical_offer_id=bindparam("b_canonical"), size=bindparam("b_size"), updated_at=now
    )
    for start in range(0, len(grown_rows), _BATCH):
        session.execute(statement, grown_rows[start:start + _BATCH])
    cluster_ids.update({label: label for label in grown})
    link_rows = [
        {"offer_id": offer_id, "cluster_id": cluster_ids[clustering.cluster_of[offer_id]],
         "matched_offer_id": link.matched_offer_id, "score": link.score, "reason": link.reason, "linked_at": now}
        for offer_id, link in clustering.links.items()
        if clustering.cluster_of[offer_id] in cluster_ids
    ]
    for start in range(0, len(link_rows), _BATCH):
        session.execute(insert(links_table), link_rows[start:start + _BATCH])
    return set(cluster_ids.values())


def _insert_returning_ids(session: Session, rows: list[dict]) -> list[int]:
    ids: list[int] = []
    statement = insert(clusters_table).returning(clusters_table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), _BATCH):
        ids.extend(session.scalars(statement, rows[start:start + _BATCH]))
    return ids


def _cluster_canonicals(session: Session, cluster_ids: set[int] | None) -> dict[int, int]:
    """Offer id -> its cluster's canonical offer id, for these clusters (all when None)."""
    statement = select(links_table.c.offer_id, clusters_table.c.canonical_offer_id).join(
        clusters_table, clusters_table.c.id == links_table.c.cluster_id
    )
    if cluster_ids is None:
        return dict(session.execute(statement).all())
    result: dict[int, int] = {}
    for chunk in _chunks(sorted(cluster_ids)):
        result.update(session.execute(statement.where(any_of(session, clusters_table.c.id, chunk))).all())
    return result


def _write_duplicate_of(session: Session, canonical_of: dict[int, int], reset: list[int]) -> None:
    """Point every non-canonical member at its canonical offer; clear the offers placed alone."""
    wanted = {offer_id: None for offer_id in reset}
    wanted.update({offer_id: (None if canonical == offer_id else canonical) for offer_id, canonical in canonical_of.items()})
    current: dict[int, int | None] = {}
    for chunk in _chunks(sorted(wanted)):
        current.update(session.execute(select(offers.c.id, offers.c.duplicate_of_id).where(any_of(session, offers.c.id, chunk))).all())
    changes = [{"b_id": offer_id, "b_duplicate_of": value} for offer_id, value in wanted.items() if current.get(offer_id) != value]
    statement = update(offers).where(offers.c.id == bindparam("b_id")).values(duplicate_of_id=bindparam("b_duplicate_of"))
    for start in range(0, len(changes), _BATCH):
        session.execute(statement, changes[start:start + _BATCH])
    _expire_loaded_offers(session, {change["b_id"] for change in changes})


def _expire_loaded_offers(session: Session, offer_ids: set[int] | None) -> None:
    """Offers already loaded in the session must not show a stale duplicate_of_id (None: all)."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Offer) and (offer_ids is None or instance.id in offer_ids):
            session.expire(instance, ["duplicate_of_id"])


def _chunks(values: list, size: int = _BATCH) -> Iterator[list]:
    """Slices small enough for an IN list on both engines (SQLite ≥ 3.32 takes 32,766 parameters)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


# --- Reading the clusters ---------------------------------------------------------------------

def export_clusters(session: Session) -> list[list[str]]:
    """Every job offer's cluster as offer keys (source:partner_id), singletons included;
    sorted, so that two exports of the same clusters are the same text."""
    keys = {
        row.id: f"{row.slug}:{row.partner_id}"
        for row in session.execute(
            select(offers.c.id, offers.c.partner_id, Source.slug)
            .join(Source, Source.id == offers.c.source_id)
            .where(offers.c.kind == "job")
        )
    }
    grouped: dict[int, list[str]] = {}
    clustered: set[int] = set()
    for offer_id, cluster_id in session.execute(select(links_table.c.offer_id, links_table.c.cluster_id)):
        grouped.setdefault(cluster_id, []).append(keys[offer_id])
        clustered.add(offer_id)
    result = [sorted(members) for members in grouped.values()]
    result += [[key] for offer_id, key in keys.items() if offer_id not in clustered]
    return sorted(result)


def find_offer_id(session: Session, reference: str) -> int | None:
    """An offer by its id ("42") or its key ("france-travail:185VBSL")."""
    if reference.isdigit():
        return session.scalar(select(offers.c.id).where(offers.c.id == int(reference)))
    slug, _, partner_id = reference.partition(":")
    return session.scalar(
        select(offers.c.id).join(Source, Source.id == offers.c.source_id).where(Source.slug == slug, offers.c.partner_id == partner_id)
    )


@dataclass
class Explanation:
    """Why two offers are, or are not, shown as one: for an administrator."""

    keys: tuple[str, str]
    verdict: Verdict
    jaccard: float
    same_cluster: bool
    stored_reasons: dict[str, str]


def explain_pair(session: Session, first_id: int, second_id: int) -> Explanation:
    """Judge the pair afresh from the offers as they are now, and show what is stored."""
    session.flush()
    sources = _sources(session)
    facts, matrix = _fresh_facts(session, sorted({first_id, second_id}), sources, store=False)
    by_id = {offer.id: (offer, row) for row, offer in enumerate(facts)}
    (a, row_a), (b, row_b) = by_id[first_id], by_id[second_id]
    similarity = jaccard(matrix[row_a], matrix[row_b])
    links = {
        offer_id: (cluster_id, reason)
        for offer_id, cluster_id, reason in session.execute(
            select(links_table.c.offer_id, links_table.c.cluster_id, links_table.c.reason).where(
                links_table.c.offer_id.in_([first_id, second_id])
            )
        )
    }
    clusters = {links[offer_id][0] for offer_id in links}
    keys = {offer.id: offer_key for offer, offer_key in zip(facts, _offer_keys(session, [offer.id for offer in facts]))}
    return Explanation(
        keys=(keys[first_id], keys[second_id]),
        verdict=compare(a, b, similarity),
        jaccard=similarity,
        same_cluster=len(links) == 2 and len(clusters) == 1,
        stored_reasons={keys[offer_id]: reason for offer_id, (_cluster, reason) in links.items()},
    )


def _offer_keys(session: Session, offer_ids: list[int]) -> list[str]:
    """source:partner_id of these offers, in the order given."""
    rows = session.execute(
        select(offers.c.id, Source.slug, offers.c.partner_id).join(Source, Source.id == offers.c.source_id).where(offers.c.id.in_(offer_ids))
    )
    keys = {offer_id: f"{slug}:{partner_id}" for offer_id, slug, partner_id in rows}
    return [keys[offer_id] for offer_id in offer_ids]


def other_publications(session: Session, offer: Offer) -> list[Offer]:
    """The other records of the offer's cluster, best first: "Aussi publiée par …"."""
    cluster_id = session.scalar(select(links_table.c.cluster_id).where(links_table.c.offer_id == offer.id))
    if cluster_id is None:
        return []
    member_ids = select(links_table.c.offer_id).where(links_table.c.cluster_id == cluster_id, links_table.c.offer_id != offer.id)
    others = list(session.scalars(select(Offer).where(Offer.id.in_(member_ids))))
    return sorted(others, key=lambda other: (SOURCE_KIND_ORDER.get(other.source.kind, 9), other.source.rank, other.id))

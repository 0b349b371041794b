"""Deduplication runs: fingerprint offers, find candidates, judge pairs, cluster, store.

`deduplicate_offers(session, ids)` is what a feed import calls after writing offers: the new
or changed job offers are placed against the existing stock (never a full recomputation); the
clusters they touch get their canonical offer elected again. `deduplicate_all(session)` does the
same from an empty stock. Both flush, never commit, and return counts.

A changed offer leaves its cluster, and the cluster's other members are placed again: an
offer that moved to another city splits off. Records are never deleted.
"""
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.catalog.models import Offer, Source
from app.catalog.normalise import is_intermediary, normalise_employer, normalise_text, normalise_title
from app.db import upsert
from app.dedup import candidates
from app.dedup.clustering import SOURCE_KIND_ORDER, Clustering
from app.dedup.fingerprint import NUM_PERM, content_key, jaccard, signatures
from app.dedup.matching import OfferFacts, Verdict, compare
from app.dedup.prefilter import OfferArrays, plausible_pairs
from app.dedup.models import DedupCluster, DedupFingerprint, DedupLink

# Bump when normalisation or fingerprints change: every offer is then fingerprinted again.
ALGORITHM_VERSION = 1
_BATCH = 5000
offers = Offer.__table__
fingerprints = DedupFingerprint.__table__
clusters_table = DedupCluster.__table__
links_table = DedupLink.__table__

_PLACE_COLUMNS = (
    offers.c.id,
    offers.c.source_id,
    offers.c.partner_id,
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


@dataclass
class Stock:
    """The offers of one run: their facts, and their MinHash signatures as one matrix."""

    facts: dict[int, OfferFacts]
    signatures: np.ndarray


# --- Entry points -----------------------------------------------------------------------------

def deduplicate_all(session: Session, now: datetime | None = None) -> dict:
    """Rebuild every cluster of job offers from scratch."""
    started = time.perf_counter()
    session.flush()
    session.execute(delete(links_table))
    session.execute(delete(clusters_table))
    session.execute(delete(fingerprints))
    job_ids = list(session.scalars(select(offers.c.id).where(offers.c.kind == "job").order_by(offers.c.id)))
    stats = _run(session, to_place=job_ids, stock_ids=[], dirty=set(job_ids), now=now)
    stats.pop("touched_clusters")
    session.execute(
        update(offers).where(offers.c.kind == "job", offers.c.duplicate_of_id.is_not(None)).values(duplicate_of_id=None)
    )
    _expire_loaded_offers(session, None)
    _write_duplicate_of(session, _cluster_canonicals(session, None), reset=[])
    return {**stats, "seconds": round(time.perf_counter() - started, 3)}


def deduplicate_offers(session: Session, offer_ids: Iterable[int], now: datetime | None = None) -> dict:
    """Place new or changed job offers against the stock; unchanged ones cost one read."""
    started = time.perf_counter()
    session.flush()
    requested = sorted(set(offer_ids))
    dirty = _changed_offers(session, requested)
    dissolved = _clusters_of(session, dirty)
    members = _members_of(session, dissolved)
    to_place = sorted(dirty | set(members))
    for chunk in _chunks(to_place):
        session.execute(delete(links_table).where(links_table.c.offer_id.in_(chunk)))
    for chunk in _chunks(sorted(dissolved)):
        session.execute(delete(clusters_table).where(clusters_table.c.id.in_(chunk)))
    placing = set(to_place)
    stock_ids = [offer_id for offer_id in session.scalars(select(fingerprints.c.offer_id)) if offer_id not in placing]
    stats = _run(session, to_place=to_place, stock_ids=stock_ids, dirty=dirty, now=now)
    touched = stats.pop("touched_clusters")
    _write_duplicate_of(session, _cluster_canonicals(session, touched), reset=to_place)
    return {**stats, "requested": len(requested), "seconds": round(time.perf_counter() - started, 3)}


# --- One run ----------------------------------------------------------------------------------

def _run(session: Session, to_place: list[int], stock_ids: list[int], dirty: set[int], now: datetime | None) -> dict:
    now = now or datetime.now(timezone.utc)
    sources = _sources(session)
    stock = _load_stock(session, stock_ids, [i for i in to_place if i not in dirty], sorted(dirty), sources)
    placing = [stock.facts[i] for i in to_place if i in stock.facts]
    existing = [stock.facts[i] for i in stock_ids if i in stock.facts]
    pairs = _candidates(stock, placing, existing)
    matches = _judge(stock, pairs)
    clustering = Clustering(canonical_key=lambda offer_id: _canonical_key(stock.facts[offer_id], sources))
    _load_clusters_around(session, clustering, matches, set(stock_ids))
    placed = set(stock_ids)
    for offer in placing:
        clustering.place(offer.id, matches.get(offer.id, {}), placed.__contains__)
        placed.add(offer.id)
    touched = _save_clusters(session, clustering, now)
    return {
        "offers": len(placing),
        "stock": len(existing),
        "fingerprinted": len(dirty),
        "candidate_pairs": len(pairs[0]),
        "matched_pairs": sum(len(partners) for partners in matches.values()) // 2,
        "clusters_touched": len(touched),
        "touched_clusters": touched,
    }


def _candidates(stock: Stock, placing: list[OfferFacts], existing: list[OfferFacts]) -> tuple[np.ndarray, np.ndarray]:
    """Pairs among the offers being placed, and between them and the stock, both ways."""
    areas = {candidates.index_area(offer) for offer in placing + existing}
    new_keys = candidates.BandKeys(placing, stock.signatures, areas)
    index_keys, index_ids = new_keys.index_keys, new_keys.index_ids
    found = [candidates.candidate_pairs(new_keys.query_keys, new_keys.query_ids, index_keys, index_ids)]
    if existing:
        # The stock only needs to query the areas of new offers located by a région or by
        # France alone: a new offer's own queries already reach the stock of its département.
        coarse = {area for offer, area in zip(placing, new_keys.areas) if not offer.departement_code}
        old_keys = candidates.BandKeys(existing, stock.signatures, coarse)
        found.append(candidates.candidate_pairs(new_keys.query_keys, new_keys.query_ids, old_keys.index_keys, old_keys.index_ids))
        found.append(candidates.candidate_pairs(old_keys.query_keys, old_keys.query_ids, index_keys, index_ids))
    return candidates.split_pairs(candidates.distinct_values(np.concatenate(found)))


def _judge(stock: Stock, pairs: tuple[np.ndarray, np.ndarray]) -> dict[int, dict[int, Verdict]]:
    """Verdicts of the matching pairs, by offer and partner: cheap vetoes on all pairs with
    numpy first, then `compare` on the few that remain."""
    row_of = {offer_id: offer.row for offer_id, offer in stock.facts.items()}
    first, second = pairs
    rows_a = np.fromiter((row_of[i] for i in first.tolist()), dtype=np.int64, count=len(first))
    rows_b = np.fromiter((row_of[i] for i in second.tolist()), dtype=np.int64, count=len(second))
    arrays = OfferArrays(list(stock.facts.values()))
    kept = []
    for start in range(0, len(first), 200_000):  # bounded memory: 200,000 × 64 comparisons
        block = slice(start, start + 200_000)
        jaccard = (stock.signatures[rows_a[block]] == stock.signatures[rows_b[block]]).sum(axis=1) / NUM_PERM
        mask = plausible_pairs(arrays, rows_a[block], rows_b[block], jaccard)
        kept.append((first[block][mask], second[block][mask], jaccard[mask]))
    matches: dict[int, dict[int, Verdict]] = {}
    for block_first, block_second, block_jaccard in kept:
        for a_id, b_id, jaccard in zip(block_first.tolist(), block_second.tolist(), block_jaccard.tolist()):
            verdict = compare(stock.facts[a_id], stock.facts[b_id], jaccard)
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


def _changed_offers(session: Session, offer_ids: list[int]) -> set[int]:
    """Job offers among these whose deduplicated content changed, or never fingerprinted."""
    changed: set[int] = set()
    for chunk in _chunks(offer_ids):
        statement = (
            select(*_PLACE_COLUMNS, *_CONTENT_COLUMNS, fingerprints.c.content_key)
            .outerjoin(fingerprints, fingerprints.c.offer_id == offers.c.id)
            .where(offers.c.id.in_(chunk), offers.c.kind == "job")
        )
        for row in session.execute(statement):
            if row.content_key != _content_key_of(row):
                changed.add(row.id)
    return changed


def _load_stock(
    session: Session, stock_ids: list[int], unchanged_ids: list[int], dirty_ids: list[int], sources
) -> Stock:
    """Facts of every offer of the run: stored fingerprints for the stock and the unchanged,
    new ones for the dirty (written back)."""
    stored = _stored_facts(session, stock_ids + unchanged_ids, sources)
    fresh, fresh_signatures = _fresh_facts(session, dirty_ids, sources)
    facts: dict[int, OfferFacts] = {}
    matrices = []
    for offer, signature in stored:
        offer.row = len(facts)
        facts[offer.id] = offer
        matrices.append(signature)
    for offer in fresh:
        offer.row = len(facts)
        facts[offer.id] = offer
    matrix = np.frombuffer(b"".join(matrices), dtype="<u4").reshape(len(matrices), NUM_PERM)
    return Stock(facts=facts, signatures=np.concatenate([matrix, fresh_signatures]).astype(np.uint32))


def _stored_facts(session: Session, offer_ids: list[int], sources) -> list[tuple[OfferFacts, bytes]]:
    wanted = set(offer_ids)
    statement = (
        select(*_PLACE_COLUMNS, fingerprints)
        .join(fingerprints, fingerprints.c.offer_id == offers.c.id)
        .order_by(offers.c.id)
        .execution_options(yield_per=_BATCH)
    )
    if len(wanted) < 1000:
        statement = statement.where(offers.c.id.in_(sorted(wanted)))
    result = []
    for row in session.execute(statement):
        if row.id not in wanted:
            continue
        result.append((_facts(row, sources, row.title_key, row.employer_key, row.is_intermediary,
                              row.publisher, row.completeness, row.shingle_count), row.signature))
    return result


def _fresh_facts(session: Session, offer_ids: list[int], sources, store: bool = True) -> tuple[list[OfferFacts], np.ndarray]:
    """Fingerprint these offers, batch by batch, and upsert the fingerprints (when `store`)."""
    facts: list[OfferFacts] = []
    matrices = [np.zeros((0, NUM_PERM), dtype=np.uint32)]
    for chunk in _chunks(offer_ids):
        rows = session.execute(select(*_PLACE_COLUMNS, *_CONTENT_COLUMNS).where(offers.c.id.in_(chunk)).order_by(offers.c.id)).all()
        matrix, counts = signatures([normalise_text(row.description) for row in rows])
        stored = []
        for row, signature, count in zip(rows, matrix, counts.tolist()):
            offer = _facts(row, sources, normalise_title(row.title), normalise_employer(row.organisation_name) or None,
                           is_intermediary(row.organisation_name), _publisher(row, sources), _completeness(row), count)
            facts.append(offer)
            stored.append({
                "offer_id": row.id,
                "content_key": _content_key_of(row),
                "title_key": offer.title_key[:300],
                "employer_key": (offer.employer_key or "")[:300] or None,
                "is_intermediary": offer.is_intermediary,
                "publisher": offer.publisher[:200],
                "completeness": offer.completeness,
                "shingle_count": count,
                "signature": signature.astype("<u4").tobytes(),
            })
        if store:
            upsert(session, fingerprints, stored, ["offer_id"])
        matrices.append(matrix)
    return facts, np.concatenate(matrices)


def _facts(row, sources, title_key, employer_key, intermediary, publisher, completeness, shingle_count) -> OfferFacts:
    return OfferFacts(
        id=row.id,
        key=f"{sources[row.source_id][0]}:{row.partner_id}",
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
        published_at=row.published_at,
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
        found.update(session.scalars(select(links_table.c.cluster_id).where(links_table.c.offer_id.in_(chunk))))
    return found


def _members_of(session: Session, cluster_ids: Iterable[int]) -> dict[int, int]:
    """Offer id -> cluster id for every member of these clusters."""
    members: dict[int, int] = {}
    for chunk in _chunks(sorted(cluster_ids)):
        rows = session.execute(select(links_table.c.offer_id, links_table.c.cluster_id).where(links_table.c.cluster_id.in_(chunk)))
        members.update({offer_id: cluster_id for offer_id, cluster_id in rows})
    return members


def _load_clusters_around(session: Session, clustering: Clustering, matches: dict[int, dict[int, Verdict]], stock_ids: set[int]) -> None:
    """The stored clusters the offers being placed could join: those of their stock partners."""
    partners = {partner for found in matches.values() for partner in found if partner in stock_ids}
    by_cluster: dict[int, list[int]] = {}
    for offer_id, cluster_id in _members_of(session, _clusters_of(session, partners)).items():
        by_cluster.setdefault(cluster_id, []).append(offer_id)
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
        result.update(session.execute(statement.where(clusters_table.c.id.in_(chunk))).all())
    return result


def _write_duplicate_of(session: Session, canonical_of: dict[int, int], reset: list[int]) -> None:
    """Point every non-canonical member at its canonical offer; clear the offers placed alone."""
    wanted = {offer_id: None for offer_id in reset}
    wanted.update({offer_id: (None if canonical == offer_id else canonical) for offer_id, canonical in canonical_of.items()})
    current: dict[int, int | None] = {}
    for chunk in _chunks(sorted(wanted)):
        current.update(session.execute(select(offers.c.id, offers.c.duplicate_of_id).where(offers.c.id.in_(chunk))).all())
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
    return Explanation(
        keys=(a.key, b.key),
        verdict=compare(a, b, similarity),
        jaccard=similarity,
        same_cluster=len(links) == 2 and len(clusters) == 1,
        stored_reasons={by_id[offer_id][0].key: reason for offer_id, (_cluster, reason) in links.items()},
    )


def other_publications(session: Session, offer: Offer) -> list[Offer]:
    """The other records of the offer's cluster, best first: "Aussi publiée par …"."""
    cluster_id = session.scalar(select(links_table.c.cluster_id).where(links_table.c.offer_id == offer.id))
    if cluster_id is None:
        return []
    member_ids = select(links_table.c.offer_id).where(links_table.c.cluster_id == cluster_id, links_table.c.offer_id != offer.id)
    others = list(session.scalars(select(Offer).where(Offer.id.in_(member_ids))))
    return sorted(others, key=lambda other: (SOURCE_KIND_ORDER.get(other.source.kind, 9), other.source.rank, other.id))

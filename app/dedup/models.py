"""Deduplication storage: each job offer's fingerprint, the clusters and why each member joined.

Records are never deleted for being duplicates: a cluster only points at them, and
`Offer.duplicate_of_id` (maintained here) hides every member but the canonical one from lists.
Singletons have no cluster row: most offers are alone, and half a million empty clusters
would only cost writes.
"""
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class DedupFingerprint(Base):
    """What deduplication compares, computed once per content version of an offer."""

    __tablename__ = "dedup_fingerprints"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    # Hash of the fields read below: an unchanged offer is not fingerprinted again.
    content_key: Mapped[str] = mapped_column(String(40))
    title_key: Mapped[str] = mapped_column(String(300))  # normalise_title()
    employer_key: Mapped[str | None] = mapped_column(String(300))  # normalise_employer()
    is_intermediary: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who published the record: the source, and for an aggregated feed the partner site.
    publisher: Mapped[str] = mapped_column(String(200))
    completeness: Mapped[int] = mapped_column(Integer, default=0)
    shingle_count: Mapped[int] = mapped_column(Integer, default=0)
    signature: Mapped[bytes] = mapped_column(LargeBinary)  # MinHash, 64 little-endian uint32
    # Copies of the offer's facts that matching reads (part of content_key, so never stale):
    # an update reads its stock from this narrow table alone, not from the wide offers rows,
    # whose descriptions made that read cost five times more (migration 0010).
    source_id: Mapped[int | None] = mapped_column(Integer)
    occupation_code: Mapped[str | None] = mapped_column(String(10))
    location_precision: Mapped[str | None] = mapped_column(String(12))
    commune_code: Mapped[str | None] = mapped_column(String(5))
    departement_code: Mapped[str | None] = mapped_column(String(3), index=True)
    region_code: Mapped[str | None] = mapped_column(String(3), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contract_type: Mapped[str | None] = mapped_column(String(20))
    # Seconds since 1970 (UTC), microseconds kept: no date parsing for half a million rows.
    published_epoch: Mapped[float | None] = mapped_column(Float)
    # The same facts packed for the vetoes and blocking (prefilter.FACTS_DTYPE, 128 bytes).
    packed_facts: Mapped[bytes | None] = mapped_column(LargeBinary)


class DedupCluster(Base):
    """Two or more records of one vacancy; the canonical one is shown."""

    __tablename__ = "dedup_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DedupLink(Base):
    """One member of a cluster, with the member it matched and the reason, for administrators."""

    __tablename__ = "dedup_links"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("dedup_clusters.id", ondelete="CASCADE"), index=True)
    # None for the member that founded the cluster: it matched nobody before it.
    matched_offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)

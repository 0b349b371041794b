"""Feed runs: what each import or sync of a source did, and every record it left out."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Source
from app.db import Base, UTCDateTime

# running: under way (or crashed: its lock goes stale); succeeded; flagged: the feed failed to
# download or parse, or shrank too much, so nothing was expired; failed: an error in our code.
RUN_STATUSES = ("running", "succeeded", "flagged", "failed")


class FeedRun(Base):
    __tablename__ = "feed_runs"
    __table_args__ = (Index("ix_feed_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(String(1000))  # the file or URL read
    # A full feed lists every open offer: what it no longer lists expires.
    is_full_feed: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="running")
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    received: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # What deduplication (and anything else downstream) must look at again.
    new_offer_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_offer_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    source: Mapped[Source] = relationship()
    rejections: Mapped[list["RejectedRecord"]] = relationship(
        back_populates="run", order_by="RejectedRecord.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def counts(self) -> dict[str, int]:
        names = ("received", "new", "updated", "unchanged", "expired", "rejected")
        return {name: getattr(self, name) for name in names}


class RejectedRecord(Base):
    """A record a run left out, and why: shown to whoever runs the partner's feed."""

    __tablename__ = "rejected_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("feed_runs.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[str | None] = mapped_column(String(200))  # the partner's id, or its position
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[FeedRun] = relationship(back_populates="rejections")

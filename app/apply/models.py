"""Applications, their CVs, who read the CVs, and clicks towards partner sites."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Offer
from app.db import Base, UTCDateTime

# received → interview | rejected (the recruiter's answer) ; any → withdrawn (the applicant).
APPLICATION_STATUSES = ("received", "interview", "rejected", "withdrawn")
CHANNELS = ("form", "account")


class StoredCv(Base):
    """A CV file kept outside the web root under a random name; the original name is display only."""

    __tablename__ = "stored_cvs"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id shown in links and given to partners: stable, and reveals no count.
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    # From the signed form token: a double submit finds the first application.
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="form")  # one of CHANNELS
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    cv_id: Mapped[int | None] = mapped_column(ForeignKey("stored_cvs.id", ondelete="SET NULL"))
    # Set when sent in one click by a signed-in applicant (channel "account").
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    # Where the recruiter was told (the offer's address when the application came in).
    recruiter_email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default="received")  # one of APPLICATION_STATUSES
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    offer: Mapped[Offer] = relationship()
    cv: Mapped[StoredCv | None] = relationship()


class CvAccess(Base):
    """Every CV download: which application, when, through which channel (no content)."""

    __tablename__ = "cv_accesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    accessed_by: Mapped[str] = mapped_column(String(254))
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApplyClick(Base):
    """One click on "apply on the partner's site": counts for analytics, no personal data."""

    __tablename__ = "apply_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    clicked_at: Mapped[datetime] = mapped_column(UTCDateTime)

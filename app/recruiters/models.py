"""A recruiter's posting: the company, the contact address and the offer as written, from the first
page of the form to its expiry. The catalog offer is created (or updated) only when the posting is
published, so search never sees an unverified or unmoderated text."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import JobOffer
from app.db import Base, UTCDateTime
from app.tenants.models import Tenant

# draft → unverified (submitted, e-mail not yet proven) → pending (awaiting moderation)
#       → published → closed (filled or withdrawn by the recruiter) | expired ; pending/published → rejected
POSTING_STATUSES = ("draft", "unverified", "pending", "published", "rejected", "closed", "expired")
MODERATION_POLICIES = ("before", "after")  # staff review before publication, or after it


class Posting(Base):
    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable: names the draft in URLs (the flow needs no cookie).
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)  # POSTING_STATUSES
    company_name: Mapped[str | None] = mapped_column(String(200))
    siret: Mapped[str | None] = mapped_column(String(14))
    company_commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    contact_email: Mapped[str | None] = mapped_column(String(254), index=True)
    # The offer as the recruiter wrote it (title, occupation_code, contract_type, working_time,
    # commune_code, salary_text, start_date, description, apply_method, apply_url…).
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(20))  # filled, withdrawn
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by: Mapped[str | None] = mapped_column(String(254))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    reminded_7_days_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_1_day_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tenant: Mapped[Tenant] = relationship()
    offer: Mapped[JobOffer | None] = relationship()


class UsedLink(Base):
    """Signed links that may be used once (e-mail verification, renewal): the digest of each
    token spent, so a replayed link is refused."""

    __tablename__ = "used_links"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)

"""Tenants: the institutions that embed the widget."""
from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Geographic scope: offers located in these régions or départements are the tenant's.
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    departement_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Branding: CSS custom properties, no template forks.
    primary_colour: Mapped[str] = mapped_column(String(7), default="#1d4f91")
    logo_url: Mapped[str | None] = mapped_column(String(500))
    # Origins allowed to frame the widget ("https://www.region.fr"); drives CSP frame-ancestors.
    allowed_hosts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How a recruiter reaches the institution until the posting flow exists.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    # Recruiters' postings: reviewed "before" or "after" publication; how long they stay online.
    moderation_policy: Mapped[str] = mapped_column(String(10), default="before", server_default="before")
    offer_duration_days: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    # Names of the configured identity providers (config OIDC_PROVIDERS) offered on this tenant;
    # None means all of them.
    identity_providers: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"

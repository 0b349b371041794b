"""Applicant accounts: identities from OpenID Connect providers, offers applied to elsewhere."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.apply.models import StoredCv
from app.catalog.models import Offer
from app.db import Base, UTCDateTime


class Applicant(Base):
    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # The CV kept for one-click applications; each application gets its own copy.
    cv_id: Mapped[int | None] = mapped_column(ForeignKey("stored_cvs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    cv: Mapped[StoredCv | None] = relationship()
    identities: Mapped[list["Identity"]] = relationship(back_populates="applicant", cascade="all, delete-orphan")


class Identity(Base):
    """Who the provider says this is: (issuer, subject), never the e-mail address, which a
    provider may let anyone claim."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    applicant: Mapped[Applicant] = relationship(back_populates="identities")


class ElsewhereApplication(Base):
    """"I applied on the partner's site": kept so the applicant can follow it in their space."""

    __tablename__ = "elsewhere_applications"
    __table_args__ = (UniqueConstraint("applicant_id", "offer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    offer: Mapped[Offer] = relationship()

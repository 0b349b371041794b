"""The catalog: places, occupations, partner sources and offers (jobs and trainings).

The catalog knows nothing of the web. Offers of both kinds share one table (single-table
inheritance) so that lists, search and deduplication treat them alike; what only a training
has lives in its columns and in its sessions.
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime


# --- Places (INSEE) -------------------------------------------------------------------------

class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    zone: Mapped[str] = mapped_column(String(10))  # metro, drom, com


class Departement(Base):
    __tablename__ = "departements"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    zone: Mapped[str] = mapped_column(String(10))

    region: Mapped[Region | None] = relationship()


class Commune(Base):
    __tablename__ = "communes"

    insee_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Lower case, no accents, hyphens as spaces: what a person types.
    search_name: Mapped[str] = mapped_column(String(100), index=True)
    departement_code: Mapped[str] = mapped_column(ForeignKey("departements.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    population: Mapped[int] = mapped_column(Integer, default=0)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    zone: Mapped[str] = mapped_column(String(10))

    departement: Mapped[Departement] = relationship()
    postal_codes: Mapped[list["PostalCode"]] = relationship(
        back_populates="commune", order_by="PostalCode.code"
    )


class PostalCode(Base):
    """One row per (postal code, commune): a code serves several communes and vice versa."""

    __tablename__ = "postal_codes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    insee_code: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"), primary_key=True)

    commune: Mapped[Commune] = relationship(back_populates="postal_codes")


# --- Occupations (ROME 4) -------------------------------------------------------------------

class OccupationDomain(Base):
    """A ROME professional domain (A11) within its large domain (A)."""

    __tablename__ = "occupation_domains"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    large_domain_code: Mapped[str] = mapped_column(String(1))
    large_domain_name: Mapped[str] = mapped_column(String(200))


class Occupation(Base):
    """A ROME code (K2403). ROME 4 groups codes under the 532 historical parent sheets."""

    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"))
    domain_code: Mapped[str | None] = mapped_column(ForeignKey("occupation_domains.code"))

    domain: Mapped[OccupationDomain | None] = relationship()
    parent: Mapped["Occupation | None"] = relationship(remote_side=[code])


class JobTitle(Base):
    """A ROME "appellation": one of the 13,120 job titles, mapped to an occupation."""

    __tablename__ = "job_titles"

    ogr_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    masculine: Mapped[str] = mapped_column(String(300))
    feminine: Mapped[str] = mapped_column(String(300))
    search_label: Mapped[str] = mapped_column(String(600))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupations.code"), index=True)
    is_principal: Mapped[bool] = mapped_column(Boolean, default=False)

    occupation: Mapped[Occupation] = relationship()


# --- Sources and offers ---------------------------------------------------------------------

SOURCE_KINDS = ("direct", "employer", "public_service", "temp_agency", "training_body", "aggregator")


class Source(Base):
    """A partner feed, or the tenant's own direct postings."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # one of SOURCE_KINDS
    # Lower ranks win when duplicates are merged (direct posting first, aggregators last).
    rank: Mapped[int] = mapped_column(Integer, default=50)
    format: Mapped[str | None] = mapped_column(String(30))
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # Feed settings (`flask feeds sync` reads them): whether to sync it, the connector's options
    # (a France Travail query…), and the prefix of the environment variables holding its API
    # credentials (FT -> FT_CLIENT_ID, FT_CLIENT_SECRET): secrets never live in the database.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    config: Mapped[dict | None] = mapped_column(JSON, default=dict)
    credentials_env: Mapped[str | None] = mapped_column(String(64))
    # A run holds the source until then: two runs of one source never overlap, and a crashed
    # run's lock goes stale on its own.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


OFFER_KINDS = ("job", "training")
APPLY_METHODS = ("url", "email", "platform")
LOCATION_PRECISIONS = ("commune", "departement", "region", "country")


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("source_id", "partner_id"),
        Index("ix_offers_kind_region_published", "kind", "region_code", "published_at"),
        Index("ix_offers_kind_departement_published", "kind", "departement_code", "published_at"),
        Index("ix_offers_kind_published", "kind", "published_at"),
        # Search turns "occupation + place" into codes first (ROME code, communes within the
        # radius): these B-trees answer it without reading other offers (app/search).
        Index("ix_offers_occupation_commune_published", "occupation_code", "commune_code", "published_at"),
        Index("ix_offers_commune_published", "commune_code", "published_at"),
        # The offers that expired since the precomputed counts' day began (app/search/counts.py).
        Index("ix_offers_kind_expires", "kind", "expires_at"),
    )
    __mapper_args__ = {"polymorphic_on": "kind"}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    partner_id: Mapped[str] = mapped_column(String(100))  # the feed's own id for this record
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The employer for a job, the training body for a training.
    organisation_name: Mapped[str | None] = mapped_column(String(300))
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"), index=True)

    # Where: a commune when known, else only a département, a région or the country.
    place_label: Mapped[str | None] = mapped_column(String(200))
    location_precision: Mapped[str] = mapped_column(String(12), default="country")
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"), index=True)
    departement_code: Mapped[str | None] = mapped_column(ForeignKey("departements.code"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    # How to apply or enrol: leave for a URL, write to an address, or the platform's form.
    apply_method: Mapped[str] = mapped_column(String(10), default="url")
    apply_url: Mapped[str | None] = mapped_column(String(1000))
    apply_email: Mapped[str | None] = mapped_column(String(254))
    source_url: Mapped[str | None] = mapped_column(String(1000))

    # Whatever else the source gave (skills, languages, licences…), shown on the offer page.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # Lower case, unaccented title + organisation + occupation, for the keyword box.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The same words normalised the French way (app.search.index fills them on every write):
    # full-text indexed by migration 0005 (FTS5 on SQLite, a tsvector on PostgreSQL).
    search_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_organisation: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_description: Mapped[str] = mapped_column(Text, default="", server_default="")
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Set by deduplication when another record of the same vacancy is shown instead: lists and
    # counts show only offers where this is null; the record itself is always kept.
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL"), index=True
    )

    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    source: Mapped[Source] = relationship()
    occupation: Mapped[Occupation | None] = relationship()
    commune: Mapped[Commune | None] = relationship()
    departement: Mapped[Departement | None] = relationship()
    region: Mapped[Region | None] = relationship()


CONTRACT_TYPES = ("CDI", "CDD", "MIS", "SAI", "ALT", "STG", "LIB", "OTHER")
WORKING_TIMES = ("full_time", "part_time")
EXPERIENCE_LEVELS = ("beginner", "desired", "required")


class JobOffer(Offer):
    __mapper_args__ = {"polymorphic_identity": "job"}

    contract_type: Mapped[str | None] = mapped_column(String(10))  # one of CONTRACT_TYPES
    contract_label: Mapped[str | None] = mapped_column(String(200))
    working_time: Mapped[str | None] = mapped_column(String(10))  # one of WORKING_TIMES
    working_hours_label: Mapped[str | None] = mapped_column(String(200))
    salary_text: Mapped[str | None] = mapped_column(String(300))
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    salary_period: Mapped[str | None] = mapped_column(String(10))  # HOUR, MONTH, YEAR
    experience: Mapped[str | None] = mapped_column(String(10))  # one of EXPERIENCE_LEVELS
    experience_label: Mapped[str | None] = mapped_column(String(300))
    is_apprenticeship: Mapped[bool | None] = mapped_column(Boolean, default=False)
    is_accessible_disabled: Mapped[bool | None] = mapped_column(Boolean, default=False)
    positions: Mapped[int | None] = mapped_column(Integer)


MODALITIES = ("onsite", "distance", "blended")


class TrainingOffer(Offer):
    __mapper_args__ = {"polymorphic_identity": "training"}

    objectives: Mapped[str | None] = mapped_column(Text)
    rncp_codes: Mapped[list[str] | None] = mapped_column(JSON)
    certifinfo_codes: Mapped[list[str] | None] = mapped_column(JSON)
    is_certifying: Mapped[bool | None] = mapped_column(Boolean)
    duration_hours: Mapped[int | None] = mapped_column(Integer)
    training_body_siret: Mapped[str | None] = mapped_column(String(14))
    # Derived from the sessions on every write (app.search.index.session_columns), so that the
    # search's "starts within" and "distance" facets read the offer row, not its sessions.
    first_session_start: Mapped[date | None] = mapped_column(Date)
    last_session_start: Mapped[date | None] = mapped_column(Date)
    has_distance_session: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    sessions: Mapped[list["TrainingSession"]] = relationship(
        back_populates="offer", order_by="TrainingSession.start_date", cascade="all, delete-orphan"
    )


class TrainingSession(Base):
    """One run of a training: dates, place and modality (LHEO action + session, flattened)."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    modality: Mapped[str] = mapped_column(String(10), default="onsite")  # one of MODALITIES
    place_label: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    is_open: Mapped[bool | None] = mapped_column(Boolean)

    offer: Mapped[TrainingOffer] = relationship(back_populates="sessions")
    commune: Mapped[Commune | None] = relationship()

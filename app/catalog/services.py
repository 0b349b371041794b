"""Reading the catalog: a tenant's offers, one offer, the figures. Services never commit."""
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.catalog.models import JobOffer, Offer, Source, TrainingOffer

OFFER_CLASSES = {"job": JobOffer, "training": TrainingOffer}


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def in_tenant_scope(tenant):
    """Offers located in one of the tenant's régions or départements."""
    clauses = []
    if tenant.region_codes:
        clauses.append(Offer.region_code.in_(tenant.region_codes))
    if tenant.departement_codes:
        clauses.append(Offer.departement_code.in_(tenant.departement_codes))
    return or_(*clauses) if clauses else Offer.id.is_(None)


def still_open(now: datetime):
    """Offers whose expiry date, if any, is still ahead."""
    return or_(Offer.expires_at.is_(None), Offer.expires_at > now)


def get_offer(session: Session, tenant, kind: str, offer_id: int) -> Offer | None:
    """The offer, if it is of that kind and within the tenant's scope (expired ones too: a
    shared link then says the offer has expired instead of "not found")."""
    model = OFFER_CLASSES[kind]
    statement = select(model).where(Offer.id == offer_id, in_tenant_scope(tenant))
    return session.scalar(statement)


def catalog_stats(session: Session) -> dict:
    def count(*conditions):
        return session.scalar(select(func.count(Offer.id)).where(*conditions))

    shown = Offer.duplicate_of_id.is_(None)

    by_source = session.execute(
        select(Source.slug, Offer.kind, func.count(Offer.id))
        .join(Offer, Offer.source_id == Source.id)
        .group_by(Source.slug, Offer.kind)
        .order_by(Source.slug)
    ).all()
    return {
        "jobs": count(Offer.kind == "job"),
        "trainings": count(Offer.kind == "training"),
        "sources": session.scalar(select(func.count(Source.id))),
        "offers_by_source": {f"{slug}:{kind}": n for slug, kind, n in by_source},
        "jobs_shown": count(Offer.kind == "job", shown),
        "trainings_shown": count(Offer.kind == "training", shown),
        "jobs_without_commune": count(Offer.kind == "job", Offer.commune_code.is_(None)),
    }

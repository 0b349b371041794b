"""Tenants: look-up and creation. Services never commit."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.tenants.models import Tenant


def get_tenant(session: Session, slug: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.slug == slug))


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.name)))


def save_tenant(session: Session, slug: str, **values) -> Tenant:
    """Create the tenant, or update the one with that slug."""
    tenant = get_tenant(session, slug)
    if tenant is None:
        tenant = Tenant(slug=slug)
        session.add(tenant)
    for name, value in values.items():
        setattr(tenant, name, value)
    session.flush()
    return tenant

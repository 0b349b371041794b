"""Every domain's models, imported once so that Base.metadata knows all tables (Alembic, tests)."""
from app.catalog.models import *  # noqa: F401,F403
from app.db import Base  # noqa: F401
from app.tenants.models import Tenant  # noqa: F401

"""Every domain's models, imported once so that Base.metadata knows all tables (Alembic, tests)."""
from app.accounts.models import Applicant, ElsewhereApplication, Identity  # noqa: F401
from app.admin.models import StaffUser  # noqa: F401
from app.apply.models import Application, ApplyClick, CvAccess, StoredCv  # noqa: F401
from app.catalog.models import *  # noqa: F401,F403
from app.db import Base  # noqa: F401
from app.dedup.models import DedupCluster, DedupFingerprint, DedupLink  # noqa: F401
from app.ingest.models import FeedRun, RejectedRecord  # noqa: F401
from app.mail.models import OutboxMessage  # noqa: F401
from app.recruiters.models import Posting, UsedLink  # noqa: F401
from app.search.models import CountBody, CountDelta, CountGroup, CountState  # noqa: F401
from app.tenants.models import Tenant  # noqa: F401

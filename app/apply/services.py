"""Applications: store, find, withdraw, erase, answer; CV access log; partner-site clicks.

Services flush, never commit: the view commits once, and the outbox rows written here leave
with that same commit (app/mail).
"""
import uuid
from urllib.parse import urlsplit
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.apply.files import CheckedCv, store_cv
from app.apply.forms import ApplicationForm
from app.apply.models import Application, ApplyClick, CvAccess, StoredCv
from app.catalog.models import Offer
from app.tenants.models import Tenant

DECISIONS = ("interview", "rejected")


class NotAllowed(Exception):
    """The change does not apply to the application in its present state."""


def accepts_applications(offer: Offer, now: datetime) -> bool:
    """Our form is offered when an application can reach the recruiter (an address to notify,
    or the partner's webhook) and the offer has not expired. An offer "applied to on the
    platform" with neither would take applications that nobody receives: no form then."""
    still_open = offer.expires_at is None or offer.expires_at >= now
    return still_open and offer.apply_method in ("email", "platform") and can_notify_recruiter(offer)


def can_notify_recruiter(offer: Offer) -> bool:
    return bool(offer.apply_email) or partner_webhook_url(offer) is not None


def partner_webhook_url(offer: Offer) -> str | None:
    """The webhook the offer's partner registered in its source's settings (config
    "webhook_url", secret in <credentials_env>_WEBHOOK_SECRET), if usable."""
    source = offer.source
    url = (source.config or {}).get("webhook_url") if source is not None else None
    if not is_http_url(url) or not source.credentials_env:
        return None
    return url


def source_page_url(offer: Offer) -> str | None:
    """The offer's page on its source's site, when it has a usable one (what to show instead
    of a form that could not deliver)."""
    return offer.source_url if is_http_url(offer.source_url) else None


def leaves_for_partner_site(offer: Offer) -> bool:
    return is_http_url(offer.apply_url)


def is_http_url(url: str | None) -> bool:
    if not url or any(ord(ch) < 33 for ch in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.username


def find_by_key(session: Session, key: str) -> Application | None:
    return session.scalar(select(Application).where(Application.idempotency_key == key))


def find_by_public_id(session: Session, public_id: str) -> Application | None:
    return session.scalar(select(Application).where(Application.public_id == public_id))


def save_cv(session: Session, upload_dir: Path, cv: CheckedCv) -> StoredCv:
    """Write the file and add its row (the caller deletes the file if the commit fails)."""
    return cv_row(session, store_cv(upload_dir, cv.data), cv)


def cv_row(session: Session, storage_name: str, cv: CheckedCv) -> StoredCv:
    stored = StoredCv(storage_name=storage_name, original_name=cv.original_name, media_type=cv.media_type,
                      size=len(cv.data))
    session.add(stored)
    return stored


def submit_application(session: Session, tenant: Tenant, offer: Offer, form: ApplicationForm, key: str,
                       cv_storage_name: str, now: datetime, channel: str = "form") -> Application:
    """Store the application; its CV file is already written under `cv_storage_name`, so that
    the caller can delete it whatever fails (never a row pointing at nothing)."""
    application = Application(
        public_id=str(uuid.uuid4()), idempotency_key=key, offer=offer, tenant_id=tenant.id,
        channel=channel, name=form.name, email=form.email, phone=form.phone or None,
        message=form.message, recruiter_email=offer.apply_email or "", status="received", created_at=now,
        cv=cv_row(session, cv_storage_name, form.cv),
    )
    session.add(application)
    session.flush()
    return application


def withdraw(session: Session, application: Application, now: datetime) -> None:
    if application.status == "withdrawn":
        raise NotAllowed
    application.status = "withdrawn"
    application.status_reason = None
    application.status_changed_at = now
    session.flush()


def decide(session: Session, application: Application, decision: str, reason: str | None, now: datetime) -> None:
    """The recruiter's answer. A person decides: there is no automated path to this."""
    if decision not in DECISIONS or application.status == "withdrawn":
        raise NotAllowed
    application.status = decision
    application.status_reason = ((reason or "").strip() or None) if decision == "rejected" else None
    application.status_changed_at = now
    session.flush()


def erase(session: Session, application: Application) -> str | None:
    """Delete the application, its CV row and its access log; return the CV file's name,
    for the view to delete once the commit has succeeded."""
    cv = application.cv
    session.delete(application)
    if cv is not None:
        session.delete(cv)
    session.flush()
    return cv.storage_name if cv is not None else None


def log_cv_access(session: Session, application: Application, accessed_by: str, now: datetime) -> None:
    session.add(CvAccess(application_id=application.id, accessed_by=accessed_by, accessed_at=now))
    session.flush()


def record_click(session: Session, tenant: Tenant, offer: Offer, now: datetime) -> None:
    session.add(ApplyClick(offer_id=offer.id, tenant_id=tenant.id, clicked_at=now))
    session.flush()


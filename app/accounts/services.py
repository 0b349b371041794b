"""Applicant accounts: find or create by (issuer, subject), keep a CV, apply in one click,
remember offers applied to elsewhere, and erase everything on request. Flush, never commit."""
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Applicant, ElsewhereApplication, Identity
from app.apply.files import CheckedCv, cv_path, store_cv
from app.apply.forms import ApplicationForm
from app.apply.models import Application
from app.apply.services import save_cv, submit_application
from app.catalog.models import Offer
from app.tenants.models import Tenant

ONE_CLICK_KEYS = uuid.UUID("6f1c2a4e-3b8d-4e5f-9a7c-1d2e3f405162")


def sign_in(session: Session, provider: str, issuer: str, subject: str, name: str, email: str) -> Applicant:
    """The applicant for this identity, created on first sign-in; name and e-mail refreshed
    from the provider's claims each time."""
    identity = session.scalar(select(Identity).where(Identity.issuer == issuer, Identity.subject == subject))
    if identity is None:
        applicant = Applicant(name=name, email=email)
        identity = Identity(applicant=applicant, provider=provider, issuer=issuer, subject=subject)
        session.add(identity)
    applicant = identity.applicant
    applicant.name, applicant.email = name or applicant.name, email or applicant.email
    session.flush()
    return applicant


def keep_cv(session: Session, applicant: Applicant, upload_dir: Path, cv: CheckedCv) -> str | None:
    """Store a new CV for the account; return the replaced file's name, to delete after commit."""
    replaced = applicant.cv
    applicant.cv = save_cv(session, upload_dir, cv)
    if replaced is not None:
        session.delete(replaced)
    session.flush()
    return replaced.storage_name if replaced is not None else None


def stored_cv(applicant: Applicant, upload_dir: Path) -> CheckedCv | None:
    if applicant.cv is None:
        return None
    data = cv_path(upload_dir, applicant.cv.storage_name).read_bytes()
    return CheckedCv(data=data, original_name=applicant.cv.original_name, media_type=applicant.cv.media_type)


def one_click_key(applicant: Applicant, offer: Offer) -> str:
    """One application per applicant and offer, however many times the button is pressed."""
    return str(uuid.uuid5(ONE_CLICK_KEYS, f"{applicant.id}:{offer.id}"))


def apply_in_one_click(session: Session, tenant: Tenant, offer: Offer, applicant: Applicant, message: str,
                       upload_dir: Path, now: datetime) -> Application:
    """The same application as the plain form's: same fields, same CV handling (a copy of
    the account's CV), same recruiter; only the channel differs."""
    form = ApplicationForm(name=applicant.name, email=applicant.email, message=message,
                           cv=stored_cv(applicant, upload_dir))
    application = submit_application(session, tenant, offer, form, one_click_key(applicant, offer),
                                     store_cv(upload_dir, form.cv.data), now, channel="account")
    application.applicant_id = applicant.id
    session.flush()
    return application


def find_application(session: Session, applicant: Applicant, offer: Offer) -> Application | None:
    return session.scalar(select(Application).where(Application.idempotency_key == one_click_key(applicant, offer)))


def applications_of(session: Session, applicant: Applicant) -> list[Application]:
    return list(session.scalars(select(Application).where(Application.applicant_id == applicant.id)
                                .order_by(Application.created_at.desc())))


def elsewhere_of(session: Session, applicant: Applicant) -> list[ElsewhereApplication]:
    return list(session.scalars(select(ElsewhereApplication).where(ElsewhereApplication.applicant_id == applicant.id)
                                .order_by(ElsewhereApplication.created_at.desc())))


def mark_applied_elsewhere(session: Session, applicant: Applicant, offer: Offer, now: datetime) -> None:
    exists = session.scalar(select(ElsewhereApplication).where(
        ElsewhereApplication.applicant_id == applicant.id, ElsewhereApplication.offer_id == offer.id))
    if exists is None:
        session.add(ElsewhereApplication(applicant_id=applicant.id, offer_id=offer.id, created_at=now))
        session.flush()


def erase_account(session: Session, applicant: Applicant) -> list[str]:
    """Delete the account, its identities, its applications and their CVs; return the CV
    files' names, to delete once the commit has succeeded."""
    files = []
    for application in applications_of(session, applicant):
        if application.cv is not None:
            files.append(application.cv.storage_name)
            session.delete(application.cv)
        session.delete(application)
    if applicant.cv is not None:
        files.append(applicant.cv.storage_name)
        session.delete(applicant.cv)
    session.delete(applicant)
    session.flush()
    return files

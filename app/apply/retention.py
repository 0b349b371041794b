"""Retention: applications, their CVs and the CV access log are deleted on schedule.

What the information notice promises, the purge does (`flask --app wsgi apply purge`, daily
from cron). An application goes APPLICATION_RETENTION_DAYS (90: "au plus 3 mois après la fin
du recrutement") after the recruitment ended for it:
- the applicant withdrew or the recruiter declined it (status_changed_at), or
- its offer expired (an interview proposed is still an open recruitment until then).
When no end is ever recorded (an offer without an end date, a recruiter who never answers),
APPLICATION_MAX_AGE_DAYS (730) after the last event is the limit: the CNIL's two years after
the last contact with a candidate ("Recrutement", référentiel 2021), never more.
The CV access log goes after CV_ACCESS_LOG_RETENTION_DAYS (365, the span the CNIL
recommends for access logs). CV rows that nothing points to any more (the application or
the offer was deleted) go with their files, and files on disk with no row (a process killed
between writing a file and committing) go after a day.

Services flush, never commit: the command commits, then deletes the files (a failed commit
leaves every file in place).
"""
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Applicant
from app.apply.files import delete_cv_file
from app.apply.models import Application, CvAccess, StoredCv
from app.apply.services import erase
from app.catalog.models import Offer

ENDED = ("rejected", "withdrawn")
STRAY_FILE_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Retention:
    applications: timedelta = timedelta(days=90)
    max_age: timedelta = timedelta(days=730)
    access_log: timedelta = timedelta(days=365)

    @classmethod
    def from_config(cls, config) -> "Retention":
        return cls(applications=timedelta(days=int(config["APPLICATION_RETENTION_DAYS"])),
                   max_age=timedelta(days=int(config["APPLICATION_MAX_AGE_DAYS"])),
                   access_log=timedelta(days=int(config["CV_ACCESS_LOG_RETENTION_DAYS"])))


@dataclass
class Purged:
    applications: int = 0
    access_logs: int = 0
    unused_cvs: int = 0
    stray_files: int = 0
    files: list[str] = field(default_factory=list)  # to delete once the commit succeeded


def expired_applications(session: Session, now: datetime, retention: Retention) -> list[Application]:
    limit, oldest = now - retention.applications, now - retention.max_age
    last_event = Application.status_changed_at.is_(None)
    return list(session.scalars(
        select(Application).join(Offer, Offer.id == Application.offer_id).where(or_(
            Application.status.in_(ENDED) & (Application.status_changed_at < limit),
            Offer.expires_at < limit,
            last_event & (Application.created_at < oldest),
            Application.status_changed_at < oldest,
        )).order_by(Application.id)))


def purge(session: Session, now: datetime, retention: Retention) -> Purged:
    """Delete what is past its retention; return the counts and the CV files to delete."""
    purged = Purged()
    for application in expired_applications(session, now, retention):
        storage_name = erase(session, application)  # the access log goes with it (ON DELETE CASCADE)
        purged.applications += 1
        if storage_name:
            purged.files.append(storage_name)
    purged.access_logs = session.execute(
        delete(CvAccess).where(CvAccess.accessed_at < now - retention.access_log)).rowcount or 0
    used = select(Application.cv_id).where(Application.cv_id.is_not(None)).union(
        select(Applicant.cv_id).where(Applicant.cv_id.is_not(None)))
    for cv in session.scalars(select(StoredCv).where(StoredCv.id.not_in(used))):
        session.delete(cv)
        purged.unused_cvs += 1
        purged.files.append(cv.storage_name)
    session.flush()
    return purged


def delete_files(upload_dir: Path, names: list[str]) -> None:
    for name in names:
        delete_cv_file(upload_dir, name)


def delete_stray_files(session: Session, upload_dir: Path, now: datetime) -> int:
    """Files with no row, older than a day (a request may be between its write and its commit)."""
    if not upload_dir.is_dir():
        return 0
    known = set(session.scalars(select(StoredCv.storage_name)))
    deleted = 0
    for path in upload_dir.iterdir():
        if not path.is_file() or path.name in known or not is_storage_name(path.name):
            continue
        if datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo) < now - STRAY_FILE_GRACE:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def is_storage_name(name: str) -> bool:
    try:
        return str(uuid.UUID(name)) == name
    except ValueError:
        return False

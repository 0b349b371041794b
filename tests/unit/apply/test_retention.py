"""`flask apply purge`: applications, CV files and CV access logs deleted on schedule, with a
controlled clock, and the files really gone from disk."""
import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from app.apply.models import Application, CvAccess, StoredCv
from app.apply.retention import Retention, expired_applications
from tests.factories.catalog import make_job
from tests.unit.apply.conftest import application_data
from tests.unit.apply.test_form import post

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def apply(app, client, db_session, offer, email) -> Application:
    assert post(client, offer, application_data(app, offer, email=email)).status_code == 303
    return db_session.scalar(select(Application).where(Application.email == email))


def run_purge(app, when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        result = app.test_cli_runner().invoke(args=["apply", "purge"])
    assert result.exit_code == 0, result.output
    return result.output


def remaining(db_session) -> set[str]:
    return set(db_session.scalars(select(Application.email)))


def files(uploads) -> set[str]:
    return {path.name for path in uploads.iterdir()} if uploads.exists() else set()


def test_the_notice_says_what_the_purge_does(client, offer):
    assert "au plus 3 mois après la fin du recrutement" in client.get(f"/t/ara/jobs/{offer.id}/apply").get_data(as_text=True)


def test_applications_go_three_months_after_the_end_of_the_recruitment(app, client, db_session, offer, uploads):
    expired_offer = make_job(db_session, apply_method="email", apply_email="r@example.org", apply_url=None,
                             expires_at=T0 + timedelta(days=400))
    for email in ("declined", "withdrawn", "interview", "waiting"):
        apply(app, client, db_session, offer, f"{email}@example.org")
    apply(app, client, db_session, expired_offer, "closed@example.org")
    declined, withdrawn, interview, waiting, closed = (
        db_session.scalar(select(Application).where(Application.email == f"{name}@example.org"))
        for name in ("declined", "withdrawn", "interview", "waiting", "closed"))
    for application, status in ((declined, "rejected"), (withdrawn, "withdrawn"), (interview, "interview")):
        application.status, application.status_changed_at = status, T0
    for application in (declined, withdrawn, interview, waiting, closed):
        application.created_at = T0 - timedelta(days=10)
    db_session.commit()
    declined_file = declined.cv.storage_name
    assert declined_file in files(uploads) and len(files(uploads)) == 5

    run_purge(app, T0 + timedelta(days=89))
    assert len(remaining(db_session)) == 5  # not yet

    output = run_purge(app, T0 + timedelta(days=91))
    assert remaining(db_session) == {"interview@example.org", "waiting@example.org", "closed@example.org"}
    assert "2 applications" in output
    assert declined_file not in files(uploads) and len(files(uploads)) == 3
    assert db_session.scalar(select(func.count()).select_from(StoredCv)) == 3

    run_purge(app, T0 + timedelta(days=400 + 91))  # the offer ended 91 days ago
    assert remaining(db_session) == {"interview@example.org", "waiting@example.org"}

    # Never ended: kept at most two years after the last event (sent at T0 - 10 days; interview at T0).
    run_purge(app, T0 + timedelta(days=719))
    assert remaining(db_session) == {"interview@example.org", "waiting@example.org"}
    run_purge(app, T0 + timedelta(days=721))
    assert remaining(db_session) == {"interview@example.org"}
    run_purge(app, T0 + timedelta(days=731))
    assert remaining(db_session) == set() and files(uploads) == set()


def test_the_cv_access_log_has_its_own_retention(app, client, db_session, offer):
    application = apply(app, client, db_session, offer, "camille@example.org")
    application.created_at = application.status_changed_at = T0 + timedelta(days=300)
    db_session.add_all([CvAccess(application_id=application.id, accessed_by="r@example.org", accessed_at=T0),
                        CvAccess(application_id=application.id, accessed_by="r@example.org",
                                 accessed_at=T0 + timedelta(days=200))])
    db_session.commit()
    output = run_purge(app, T0 + timedelta(days=366))
    assert [a.accessed_at for a in db_session.scalars(select(CvAccess))] == [T0 + timedelta(days=200)]
    assert "1 CV access log entries" in output and remaining(db_session) == {"camille@example.org"}


def test_unused_cvs_and_stray_files_are_deleted(app, client, db_session, offer, uploads):
    kept = apply(app, client, db_session, offer, "camille@example.org")
    kept.created_at = T0
    kept_file = kept.cv.storage_name
    orphan = StoredCv(storage_name=str(uuid.uuid4()), original_name="old.pdf", media_type="application/pdf", size=3)
    db_session.add(orphan)
    db_session.commit()
    (uploads / orphan.storage_name).write_bytes(b"old")
    stray_old, stray_new = uploads / str(uuid.uuid4()), uploads / str(uuid.uuid4())
    for path in (stray_old, stray_new):
        path.write_bytes(b"left over")
    two_days_ago = (T0 - timedelta(days=2)).timestamp()
    os.utime(stray_old, (two_days_ago, two_days_ago))
    os.utime(stray_new, (T0.timestamp(), T0.timestamp()))
    (uploads / "README").write_text("not ours")

    output = run_purge(app, T0 + timedelta(hours=1))
    assert files(uploads) == {kept_file, stray_new.name, "README"}
    assert db_session.scalars(select(StoredCv.storage_name)).all() == [kept_file]
    assert "1 unused CVs" in output and "2 files deleted" in output


@pytest.mark.parametrize("days, expected", [("30", 30), ("365", 365)])
def test_retention_comes_from_the_configuration(app, monkeypatch, days, expected):
    monkeypatch.setitem(app.config, "APPLICATION_RETENTION_DAYS", days)
    assert Retention.from_config(app.config).applications == timedelta(days=expected)


def test_nothing_recent_is_selected(db_session):
    assert expired_applications(db_session, T0, Retention()) == []

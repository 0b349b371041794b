"""No application lost, none duplicated: 200 applications while the SMTP server is down,
every notification delivered exactly once when it is back."""
from collections import Counter
from datetime import datetime, timedelta, timezone
from io import BytesIO

from sqlalchemy import func, select

from app.apply.models import Application
from app.mail.models import OutboxMessage
from app.mail.sender import SMTPMailer
from app.mail.services import deliver_due
from tests.unit.apply import cvs
from tests.unit.apply.conftest import application_data
from tests.unit.apply.test_form import post
from tests.unit.mail.sink import SmtpSink

APPLICATIONS = 200


def test_applications_accepted_during_an_smtp_outage_are_each_notified_once(app, client, db_session, offer,
                                                                            monkeypatch):
    for limit in ("APPLY_LIMIT_PER_ADDRESS", "APPLY_LIMIT_PER_OFFER"):
        monkeypatch.setitem(app.config, limit, "1000 per hour")
    smtp = SmtpSink()  # not started: the server is down
    mailer = SMTPMailer(smtp.host, smtp.port, timeout=5)
    try:
        for number in range(APPLICATIONS):
            data = application_data(app, offer, email=f"person{number}@example.org",
                                    cv=(BytesIO(cvs.pdf()), "cv.pdf"))
            assert post(client, offer, data).status_code == 303
        assert db_session.scalar(select(func.count()).select_from(Application)) == APPLICATIONS

        now = datetime.now(timezone.utc)
        down = deliver_due(db_session, mailer, "Jobtab <no-reply@jobtab.test>", clock=lambda: now)
        assert (down.sent, down.failed) == (0, 2 * APPLICATIONS)
        assert db_session.scalar(select(func.count()).where(OutboxMessage.status == "pending")) == 2 * APPLICATIONS

        smtp.start()
        later = now + timedelta(minutes=5)
        up = deliver_due(db_session, mailer, "Jobtab <no-reply@jobtab.test>", clock=lambda: later)
        again = deliver_due(db_session, mailer, "Jobtab <no-reply@jobtab.test>", clock=lambda: later + timedelta(days=1))
    finally:
        smtp.stop()

    assert (up.sent, up.failed, again.sent) == (2 * APPLICATIONS, 0, 0)
    received = Counter(message["To"] for message in smtp.messages)
    assert received["recrutement@brasserie.example.org"] == APPLICATIONS
    assert all(received[f"person{n}@example.org"] == 1 for n in range(APPLICATIONS))
    assert len({message["Message-ID"] for message in smtp.messages}) == 2 * APPLICATIONS

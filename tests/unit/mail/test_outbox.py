"""The outbox against a real SMTP server on loopback: delivery, outage, retries, the CLI."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.mail.models import OutboxMessage
from app.mail.sender import SMTPMailer
from app.mail.services import CLAIM, MAX_ATTEMPTS, deliver_due, enqueue, retry_delay

SENDER = "Jobtab <no-reply@jobtab.test>"
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def messages(session):
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_enqueue_only_flushes_and_sends_nothing(db_session, smtp):
    enqueue(db_session, "a@example.org", "Sujet", "Corps", now=T0)
    assert [(m.status, m.attempts) for m in messages(db_session)] == [("pending", 0)]
    assert smtp.messages == []


def test_worker_delivers_each_due_message_once(db_session, smtp):
    for number in range(3):
        enqueue(db_session, f"person{number}@example.org", f"Sujet {number}", "Corps", now=T0)
    db_session.commit()
    mailer = SMTPMailer(smtp.host, smtp.port)

    result = deliver_due(db_session, mailer, SENDER, clock=Clock(T0))
    again = deliver_due(db_session, mailer, SENDER, clock=Clock(T0 + timedelta(days=1)))

    assert (result.sent, result.failed, again.sent) == (3, 0, 0)
    assert sorted(m["To"] for m in smtp.messages) == [f"person{n}@example.org" for n in range(3)]
    assert all(m.status == "sent" and m.sent_at == T0 for m in messages(db_session))
    ids = {m["Message-ID"] for m in smtp.messages}
    assert ids == {f"<outbox-{m.id}@jobtab.test>" for m in messages(db_session)}


def test_smtp_outage_keeps_the_message_queued_then_delivers_it_once(db_session, smtp):
    enqueue(db_session, "recruteur@example.org", "Nouvelle candidature", "Corps", now=T0)
    db_session.commit()
    mailer = SMTPMailer(smtp.host, smtp.port, timeout=5)
    smtp.stop()

    down = deliver_due(db_session, mailer, SENDER, clock=Clock(T0))
    [message] = messages(db_session)
    assert (down.sent, down.failed) == (0, 1)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at >= T0 + timedelta(minutes=1)

    smtp.start()
    too_early = deliver_due(db_session, mailer, SENDER, clock=Clock(T0 + timedelta(seconds=30)))
    assert too_early.sent == 0 and smtp.messages == []

    later = Clock(message.next_attempt_at)
    assert deliver_due(db_session, mailer, SENDER, clock=later).sent == 1
    assert deliver_due(db_session, mailer, SENDER, clock=Clock(later.now + timedelta(hours=1))).sent == 0
    assert [m["To"] for m in smtp.messages] == ["recruteur@example.org"]
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)


def test_a_message_is_given_up_after_the_last_attempt(db_session, smtp):
    enqueue(db_session, "a@example.org", "Sujet", "Corps", now=T0)
    db_session.commit()
    smtp.stop()
    mailer = SMTPMailer(smtp.host, smtp.port, timeout=5)
    clock = Clock(T0)
    for _ in range(MAX_ATTEMPTS):
        deliver_due(db_session, mailer, SENDER, clock=clock)
        clock.now = messages(db_session)[0].next_attempt_at
    [message] = messages(db_session)
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)


def test_a_crashed_worker_claim_expires_and_another_worker_sends_it(db_session, smtp):
    """A worker killed after claiming (before sending) loses nothing: the claim runs out."""
    from app.mail.services import claim_due

    enqueue(db_session, "a@example.org", "Sujet", "Corps", now=T0)
    db_session.commit()
    assert len(claim_due(db_session, T0, 10)) == 1  # then the worker dies

    mailer = SMTPMailer(smtp.host, smtp.port)
    assert deliver_due(db_session, mailer, SENDER, clock=Clock(T0 + timedelta(minutes=1))).sent == 0
    assert deliver_due(db_session, mailer, SENDER, clock=Clock(T0 + CLAIM)).sent == 1
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("attempts, minutes", [(1, 1), (2, 2), (3, 4), (6, 32), (20, 360)])
def test_backoff_doubles_up_to_six_hours(attempts, minutes):
    assert retry_delay(attempts, jitter=lambda: 0) == timedelta(minutes=minutes)
    assert retry_delay(attempts, jitter=lambda: 1) == timedelta(minutes=minutes) * 1.1


def test_header_injection_in_a_subject_never_reaches_the_server(db_session, smtp):
    enqueue(db_session, "a@example.org", "Bonjour\r\nBcc: victim@example.org", "Corps", now=T0)
    db_session.commit()
    result = deliver_due(db_session, SMTPMailer(smtp.host, smtp.port), SENDER, clock=Clock(T0))
    assert result.failed == 1 and smtp.messages == []
    assert "ValueError" in messages(db_session)[0].last_error


def test_cli_run_once_sends_what_is_due(app, db_session, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", smtp.host)
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    enqueue(db_session, "a@example.org", "Sujet", "Corps")
    db_session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])

    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert [m["To"] for m in smtp.messages] == ["a@example.org"]

"""Enqueue e-mails (services flush, never commit) and deliver them (the worker commits)."""
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mail.models import OutboxMessage
from app.mail.sender import Mailer
from app.mail.webhooks import WebhookSender

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# How long a worker holds a message it is sending: longer than any SMTP timeout.
CLAIM = timedelta(minutes=5)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def enqueue(session: Session, recipient: str, subject: str, body: str, reply_to: str | None = None,
            now: datetime | None = None) -> OutboxMessage:
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, reply_to=reply_to,
        status="pending", attempts=0, next_attempt_at=now or utc_now(),
    )
    session.add(message)
    session.flush()
    return message


def enqueue_webhook(session: Session, url: str, event: str, payload: str, signing_key_env: str,
                    now: datetime | None = None) -> OutboxMessage:
    message = OutboxMessage(
        kind="webhook", recipient=url, subject=event, body=payload, signing_key_env=signing_key_env,
        status="pending", attempts=0, next_attempt_at=now or utc_now(),
    )
    session.add(message)
    session.flush()
    return message


def retry_delay(attempts: int, jitter: Callable[[], float] = random.random) -> timedelta:
    """Exponential backoff (1, 2, 4… minutes, at most 6 hours) with up to 10 % jitter,
    so that messages that failed together do not all retry in the same second."""
    delay = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    return delay * (1 + jitter() / 10)


def claim_due(session: Session, now: datetime, limit: int) -> list[int]:
    """Mark up to `limit` due messages as taken (committed), and return their ids.

    On PostgreSQL, SKIP LOCKED lets several workers run side by side without taking the
    same rows; SQLite serialises writers anyway.
    """
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for message in rows:
        message.next_attempt_at = now + CLAIM
    session.commit()
    return [message.id for message in rows]


@dataclass
class Transports:
    """How each kind of message leaves: SMTP for e-mails, HTTP for webhooks."""

    mailer: Mailer
    sender: str
    webhooks: WebhookSender | None = None

    def send(self, message: OutboxMessage) -> None:
        if message.kind == "webhook":
            if self.webhooks is None:
                raise RuntimeError("this worker sends no webhooks")
            self.webhooks.send(message)
        else:
            self.mailer.send(message, self.sender)


def deliver_one(session: Session, message_id: int, transports: Transports, now: datetime) -> bool:
    """Send one claimed message and record the outcome (committed). True when sent."""
    message = session.get(OutboxMessage, message_id)
    message.attempts += 1
    try:
        transports.send(message)
    except Exception as error:  # any failure of the SMTP server, the partner or the network: retry later
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.next_attempt_at = now + retry_delay(message.attempts)
        session.commit()
        return False
    message.status = "sent"
    message.sent_at = now
    message.last_error = None
    session.commit()
    return True


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0


def deliver_due(session: Session, mailer: Mailer, sender: str, clock: Clock = utc_now,
                batch_size: int = 50, webhooks: WebhookSender | None = None) -> RunResult:
    """Deliver every message due now, batch after batch, and say how it went."""
    transports = Transports(mailer, sender, webhooks)
    result = RunResult()
    while ids := claim_due(session, clock(), batch_size):
        for message_id in ids:
            if deliver_one(session, message_id, transports, clock()):
                result.sent += 1
            else:
                result.failed += 1
    return result

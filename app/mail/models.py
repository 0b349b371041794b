"""The outbox: one row per e-mail or partner webhook to send, written in the same transaction
as what caused it."""
from datetime import datetime

from sqlalchemy import Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

OUTBOX_STATUSES = ("pending", "sent", "failed")
OUTBOX_KINDS = ("email", "webhook")


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An e-mail: recipient is an address, body the text. A webhook: recipient is the partner's
    # URL, subject the event, body the JSON, signed with the secret in the environment variable
    # named by signing_key_env (secrets never live in the database).
    kind: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    recipient: Mapped[str] = mapped_column(String(1000))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending until delivered (sent) or given up after too many attempts (failed).
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A worker that claims a message moves this forward first: a crashed worker's claim
    # expires on its own and another worker retries it.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    signing_key_env: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status}>"

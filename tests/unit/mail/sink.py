"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can be stopped
and started again on the same port to play an outage."""
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Collector:
    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    def __init__(self):
        self.host, self.port = "127.0.0.1", free_port()
        self.collector = Collector()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


SENDER = "Jobtab <no-reply@jobtab.test>"


def deliver_to(sink: SmtpSink, session, now=None):
    """Run the outbox worker once into the sink, like `flask outbox run --once` (at `now` when
    the test moved the clock)."""
    from app.mail.sender import SMTPMailer
    from app.mail.services import deliver_due

    clock = {} if now is None else {"clock": lambda: now}
    return deliver_due(session, SMTPMailer(sink.host, sink.port), SENDER, **clock)

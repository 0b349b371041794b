"""Turn an outbox row into an e-mail and hand it to an SMTP server.

Messages are built with EmailMessage and the default policy: a header value holding a line
break raises instead of splitting into a new header. The Message-ID comes from the outbox id,
so a message sent twice after a worker crash is one message to the receiving side.
"""
import smtplib
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from app.mail.models import OutboxMessage


class Mailer(Protocol):
    def send(self, message: OutboxMessage, sender: str) -> None: ...


def message_id(message: OutboxMessage, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "jobtab.invalid"
    return f"<outbox-{message.id}@{domain}>"


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message, sender)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


class SMTPMailer:
    def __init__(self, host: str, port: int, timeout: float = 30):
        self.host, self.port, self.timeout = host, port, timeout

    def send(self, message: OutboxMessage, sender: str) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(build_email(message, sender))


class DirectoryMailer:
    """Development and demo only: each e-mail becomes an .eml file in a folder (the demo host
    page lists them), so a newcomer can follow a verification link without a mail server."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: OutboxMessage, sender: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # The outbox id names the file: a message sent twice after a crash is one file.
        path = self.directory / f"{message.id:08d}.eml"
        path.write_bytes(build_email(message, sender).as_bytes())


def mailer_from_config(config) -> Mailer:
    if config.get("MAIL_DIRECTORY"):
        return DirectoryMailer(config["MAIL_DIRECTORY"])
    return SMTPMailer(config["MAIL_SERVER"], int(config["MAIL_PORT"]))

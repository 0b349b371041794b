"""Partners that registered a webhook get the application as signed JSON, with retries."""
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask, request
from sqlalchemy import select
from werkzeug.serving import make_server

from app.mail.models import OutboxMessage
from app.mail.sender import SMTPMailer
from app.mail.services import deliver_due
from app.mail.webhooks import WebhookSender
from tests.factories.catalog import make_job, make_source
from tests.unit.apply.conftest import application_data
from tests.unit.apply.test_form import post

SECRET = "partner-shared-secret"
SENDER = "Jobtab <no-reply@jobtab.test>"


class Receiver:
    """The partner's endpoint on loopback: records deliveries, or fails while `status` says so."""

    def __init__(self):
        self.deliveries: list[tuple[dict, bytes]] = []
        self.status = 204
        app = Flask("partner")
        app.add_url_rule("/hooks/jobtab", view_func=self.receive, methods=["POST"])
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}/hooks/jobtab"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def receive(self):
        if self.status < 300:
            self.deliveries.append((dict(request.headers), request.get_data()))
        return "", self.status

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def partner_offer(db_session, tenant, receiver):
    source = make_source(db_session, config={"webhook_url": receiver.url}, credentials_env="PARTNER")
    return make_job(db_session, source=source, title="Cuisinier", apply_method="email",
                    apply_email="recrutement@partenaire.example.org", apply_url=None)


def deliver(db_session, smtp, when, secrets=None):
    return deliver_due(db_session, SMTPMailer(smtp.host, smtp.port), SENDER, clock=lambda: when,
                       webhooks=WebhookSender(secrets if secrets is not None else {"PARTNER_WEBHOOK_SECRET": SECRET}))


def test_the_partner_gets_signed_json_instead_of_an_email(app, client, db_session, partner_offer, receiver, smtp):
    assert post(client, partner_offer, application_data(app, partner_offer)).status_code == 303
    result = deliver(db_session, smtp, datetime.now(timezone.utc))

    assert result.sent == 2
    assert [m["To"] for m in smtp.messages] == ["camille.martin@example.org"]  # the receipt only
    [(headers, body)] = receiver.deliveries
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Jobtab-Signature"], expected)
    assert headers["X-Jobtab-Event"] == "application.received"
    payload = json.loads(body)
    application_id = payload["application_id"]
    assert payload["applicant"] == {"name": "Camille Martin", "email": "camille.martin@example.org",
                                    "phone": "06 12 34 56 78", "message": "Bonjour,\nJe suis disponible dès lundi."}
    assert payload["offer"]["partner_id"] == partner_offer.partner_id
    assert payload["cv_url"].startswith("http://jobtab.test/recruiter/applications/")
    with client.get(payload["cv_url"].removeprefix("http://jobtab.test")) as download:
        assert download.status_code == 200
    assert len(application_id) == 36


def test_a_partner_outage_is_retried_and_delivered_once(app, client, db_session, partner_offer, receiver, smtp):
    post(client, partner_offer, application_data(app, partner_offer))
    receiver.status = 503
    now = datetime.now(timezone.utc)
    deliver(db_session, smtp, now)
    webhook = db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    assert (webhook.status, webhook.attempts, webhook.last_error) == ("pending", 1, "WebhookRefused: HTTP 503")

    receiver.status = 204
    deliver(db_session, smtp, webhook.next_attempt_at)
    deliver(db_session, smtp, webhook.next_attempt_at + timedelta(days=1))
    assert len(receiver.deliveries) == 1 and webhook.status == "sent"


def test_without_its_secret_the_webhook_is_not_sent_unsigned(app, client, db_session, partner_offer, receiver, smtp):
    post(client, partner_offer, application_data(app, partner_offer))
    deliver(db_session, smtp, datetime.now(timezone.utc), secrets={})
    webhook = db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    assert receiver.deliveries == [] and webhook.status == "pending"
    assert "PARTNER_WEBHOOK_SECRET" in webhook.last_error

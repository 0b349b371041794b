"""Partner webhooks: the outbox row's JSON, POSTed with an HMAC-SHA256 signature.

The partner checks `X-Jobtab-Signature: sha256=<hex>` (HMAC of the exact body with the secret
shared with them) and drops repeats by the body's stable `application_id`: a delivery retried
after a timeout may arrive twice.
"""
import hashlib
import hmac
from collections.abc import Mapping

import requests

from app.mail.models import OutboxMessage


class WebhookRefused(RuntimeError):
    """The partner answered, but not with a success: retry later."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(self, environ: Mapping[str, str], timeout: float = 10):
        self.environ, self.timeout = environ, timeout

    def send(self, message: OutboxMessage) -> None:
        secret = self.environ.get(message.signing_key_env or "")
        if not secret:
            raise WebhookRefused(f"no secret in the environment variable {message.signing_key_env!r}")
        body = message.body.encode()
        headers = {
            "Content-Type": "application/json",
            "X-Jobtab-Event": message.subject,
            "X-Jobtab-Delivery": str(message.id),
            "X-Jobtab-Signature": signature(secret, body),
        }
        with requests.Session() as http:
            http.trust_env = False  # partners are reached directly, never through an environment proxy
            response = http.post(message.recipient, data=body, headers=headers, timeout=self.timeout,
                                 allow_redirects=False)
        if not 200 <= response.status_code < 300:
            raise WebhookRefused(f"HTTP {response.status_code}")

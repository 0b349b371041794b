"""Signed tokens, one salt per purpose, so that no token opens anything but its own door.

The form token replaces a session CSRF token inside the iframe (cookies may be blocked
there): it binds the form to one offer, carries the time the form was shown (time trap) and
the idempotency key that makes a double submit one application.
"""
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

FORM_SALT = "jobtab.apply.form"
DONE_SALT = "jobtab.apply.done"
STATUS_SALT = "jobtab.apply.status"
RECRUITER_SALT = "jobtab.apply.recruiter"

FORM_LIFETIME = timedelta(hours=24)
DONE_LIFETIME = timedelta(hours=1)
STATUS_LIFETIME = timedelta(days=400)
RECRUITER_LIFETIME = timedelta(days=120)


class TokenExpired(Exception):
    """The token was genuine but is too old."""


class TokenInvalid(Exception):
    """The token is missing, forged, or made for something else."""


def serializer(salt: str) -> URLSafeTimedSerializer:
    # The newest key signs; older ones (SECRET_KEY_FALLBACKS) still verify during a rotation.
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or ()), current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=salt)


def load(salt: str, token: str | None, lifetime: timedelta, with_time: bool = False):
    if not token:
        raise TokenInvalid
    try:
        return serializer(salt).loads(token, max_age=lifetime.total_seconds(), return_timestamp=with_time)
    except SignatureExpired:
        raise TokenExpired from None
    except BadSignature:
        raise TokenInvalid from None


@dataclass(frozen=True)
class FormToken:
    offer_id: int
    key: str
    issued_at: float  # seconds since the epoch


def new_form_token(offer_id: int) -> str:
    return serializer(FORM_SALT).dumps({"o": offer_id, "k": str(uuid.uuid4())})


def renewed_form_token(token: FormToken) -> str:
    """A fresh timestamp, the same idempotency key: resubmitting still makes one application."""
    return serializer(FORM_SALT).dumps({"o": token.offer_id, "k": token.key})


def read_form_token(token: str | None, offer_id: int) -> FormToken:
    payload, signed_at = load(FORM_SALT, token, FORM_LIFETIME, with_time=True)
    if not isinstance(payload, dict) or payload.get("o") != offer_id or not isinstance(payload.get("k"), str):
        raise TokenInvalid
    return FormToken(offer_id=offer_id, key=payload["k"], issued_at=signed_at.timestamp())


def read_form_token_ignoring_age(token: str | None, offer_id: int) -> FormToken | None:
    """The key of an expired form, to keep it when the form is shown again."""
    try:
        payload = serializer(FORM_SALT).loads(token or "")
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("o") != offer_id or not isinstance(payload.get("k"), str):
        return None
    return FormToken(offer_id=offer_id, key=payload["k"], issued_at=0)


def application_token(salt: str, public_id: str) -> str:
    return serializer(salt).dumps(public_id)


def read_application_token(salt: str, token: str, lifetime: timedelta) -> str:
    public_id = load(salt, token, lifetime)
    if not isinstance(public_id, str):
        raise TokenInvalid
    return public_id

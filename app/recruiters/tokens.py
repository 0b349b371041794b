"""Signed links and form tokens for recruiters, one salt per purpose (app.apply.tokens does
the signing): a verification link opens nothing but the verification of its own posting.

The single-use ones (verification, renewal, closing) are spent in `used_links` by the service
that acts on them, in the same transaction as the change.
"""
import hashlib
from datetime import timedelta

from app.apply.tokens import TokenExpired, TokenInvalid, load, serializer

__all__ = ["TokenExpired", "TokenInvalid"]

FORM_SALT = "jobtab.recruiters.form"        # the posting form's CSRF-equivalent, bound to the draft
VERIFY_SALT = "jobtab.recruiters.verify"    # prove the contact address (single use)
RENEW_SALT = "jobtab.recruiters.renew"      # extend an offer from a reminder (single use)
CLOSE_SALT = "jobtab.recruiters.close"      # close an offer "pourvue" from an e-mail (single use)
SPACE_SALT = "jobtab.recruiters.space"      # the magic link to the recruiter space
SPACE_FORM_SALT = "jobtab.recruiters.space-form"  # the space's forms, bound to the address

FORM_LIFETIME = timedelta(days=7)
VERIFY_LIFETIME = timedelta(hours=48)
RENEW_LIFETIME = timedelta(days=30)
SPACE_LIFETIME = timedelta(hours=24)
SPACE_FORM_LIFETIME = timedelta(hours=24)

SINGLE_USE = {VERIFY_SALT: "verify", RENEW_SALT: "renew", CLOSE_SALT: "close"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def posting_token(salt: str, public_id: str) -> str:
    return serializer(salt).dumps(public_id)


def read_posting_token(salt: str, token: str | None, lifetime: timedelta) -> str:
    """The posting's public id, or TokenExpired / TokenInvalid."""
    public_id = load(salt, token, lifetime)
    if not isinstance(public_id, str):
        raise TokenInvalid
    return public_id


def form_token(public_id: str) -> str:
    return posting_token(FORM_SALT, public_id)


def check_form_token(token: str | None, public_id: str) -> None:
    """Raises TokenExpired / TokenInvalid unless the token was made for this draft."""
    if read_posting_token(FORM_SALT, token, FORM_LIFETIME) != public_id:
        raise TokenInvalid


def space_token(salt: str, email: str) -> str:
    return serializer(salt).dumps(email.lower())


def read_space_token(salt: str, token: str | None, lifetime: timedelta) -> str:
    email = load(salt, token, lifetime)
    if not isinstance(email, str) or "@" not in email:
        raise TokenInvalid
    return email

"""Rate limits on sending applications: per network address, per e-mail address, per offer.

Memory storage by default (one process); REDIS_URL shares the counts between gunicorn
workers and hosts in production. A limit reached answers 429 with the widget's error page.
"""
from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def per_address() -> str:
    return current_app.config["APPLY_LIMIT_PER_ADDRESS"]


def per_email() -> str:
    return current_app.config["APPLY_LIMIT_PER_EMAIL"]


def per_offer() -> str:
    return current_app.config["APPLY_LIMIT_PER_OFFER"]


def email_key() -> str:
    return "email:" + request.form.get("email", "").strip().lower()


def offer_key() -> str:
    return f"offer:{request.view_args.get('offer_id')}"


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # Retry-After on a 429
    limiter.init_app(app)

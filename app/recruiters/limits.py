"""Rate limits on posting and on magic links: per network address and per e-mail address.
They use app.apply.limits's limiter (memory by default, Redis with REDIS_URL); the key
functions live with the views. A limit reached answers 429 with a page that says why."""
from flask import current_app

DEFAULTS = {
    "POSTING_LIMIT_PER_ADDRESS": "10 per hour;30 per day",
    "POSTING_LIMIT_PER_EMAIL": "5 per hour;10 per day",
    "RECRUITER_LINK_LIMIT_PER_ADDRESS": "10 per hour",
    "RECRUITER_LINK_LIMIT_PER_EMAIL": "3 per hour",
}


def per_address() -> str:
    return current_app.config["POSTING_LIMIT_PER_ADDRESS"]


def per_email() -> str:
    return current_app.config["POSTING_LIMIT_PER_EMAIL"]


def link_per_address() -> str:
    return current_app.config["RECRUITER_LINK_LIMIT_PER_ADDRESS"]


def link_per_email() -> str:
    return current_app.config["RECRUITER_LINK_LIMIT_PER_EMAIL"]


def init_app(app) -> None:
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)

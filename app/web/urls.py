"""Absolute URLs from the configured public address, never from the request's Host header."""
from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values)

"""Security headers, and framing allowed per tenant on the widget routes only.

A widget view calls `allow_framing_by(tenant)`; every other response refuses to be framed
(CSP frame-ancestors 'none' plus X-Frame-Options for old browsers).
"""
from urllib.parse import urlsplit

from flask import g, request

# Flask-WTF checks the Referer on HTTPS POSTs: "no-referrer" would break every form.
REFERRER_POLICY = "strict-origin-when-cross-origin"


def allow_framing_by(tenant) -> None:
    g.frame_ancestors = [origin for origin in tenant.allowed_hosts if is_valid_origin(origin)]


def is_valid_origin(origin: str) -> bool:
    """An origin is scheme://host[:port], nothing else: no path, no wildcard, no quotes."""
    parts = urlsplit(origin)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.path
        and not parts.query
        and not parts.fragment
        and "*" not in origin
        and origin == f"{parts.scheme}://{parts.netloc}"
    )


def content_security_policy(frame_ancestors: list[str] | None) -> str:
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        )
    )


def set_security_headers(response):
    frame_ancestors = g.get("frame_ancestors")
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors)
    if frame_ancestors is None:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def init_app(app) -> None:
    app.after_request(set_security_headers)

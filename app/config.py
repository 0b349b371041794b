"""Configuration: defaults here, values from the environment, a dict in tests.

Outside development and tests the app refuses to start without a secret key: a fallback
secret would sign every form token and link with a value anybody can read in the repo.
"""
import json
import os
import secrets
from pathlib import Path

ENVIRONMENT_VARIABLES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_DEFAULT_SENDER",
    "MAIL_DIRECTORY",
    "PUBLIC_BASE_URL",
    "UPLOAD_DIR",
    "APPLY_MIN_SECONDS",
    "OIDC_PROVIDERS",
    "APPLICATION_RETENTION_DAYS",
    "APPLICATION_MAX_AGE_DAYS",
    "CV_ACCESS_LOG_RETENTION_DAYS",
    "SEARCH_PAGE_CACHE_SECONDS",
)


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration."""


def defaults(instance_path: str) -> dict:
    return {
        # "production" unless told otherwise: the safe default for an operator who forgets.
        "JOBTAB_ENV": "production",
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'jobtab.sqlite3'}",
        "REDIS_URL": None,
        "MAIL_SERVER": "localhost",
        "MAIL_PORT": 25,
        "MAIL_DEFAULT_SENDER": "Jobtab <no-reply@localhost>",
        # Development and demo: write e-mails as .eml files here instead of sending them.
        "MAIL_DIRECTORY": None,
        "PUBLIC_BASE_URL": None,
        "OFFERS_PER_PAGE": 20,
        # Total and facet counts of one search are reused this long (seconds) by a process.
        "SEARCH_COUNTS_CACHE_SECONDS": 60,
        # A whole results page (HTML) is reused this long by a process: same URL, same language
        # (app/embed/views.py, offers). 0: every page is rendered. Keep it well under the counts'.
        # Offers change nightly or at a moderator's click: a few seconds of delay go unnoticed,
        # and the tab's first page, which every visitor opens, is rendered once per burst.
        "SEARCH_PAGE_CACHE_SECONDS": 5,
        # Inside a cross-site iframe the session cookie is third-party: without Partitioned
        # (CHIPS) browsers drop it, and every CSRF-protected form would fail.
        "SESSION_COOKIE_NAME": "__Host-session",
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
        "LANGUAGES": ("fr", "en"),
        # CVs live here, outside the web root (nothing serves this folder), under random names.
        "UPLOAD_DIR": str(Path(instance_path) / "uploads"),
        # Anti-abuse a person never notices: a form sent sooner than this after it was shown is
        # a robot's; rate limits per network address, per e-mail address and per offer.
        "APPLY_MIN_SECONDS": 3,
        "APPLY_LIMIT_PER_ADDRESS": "20 per hour",
        "APPLY_LIMIT_PER_EMAIL": "20 per day",
        "APPLY_LIMIT_PER_OFFER": "60 per hour",
        # Sign-in for one-click apply: {"name": {"label", "discovery_url", "client_id",
        # "client_secret"}}, as JSON in the environment. None configured: the plain form only.
        "OIDC_PROVIDERS": {},
    }


def from_environment(environ=os.environ) -> dict:
    values = {}
    for name in ENVIRONMENT_VARIABLES + ("JOBTAB_ENV",):
        if environ.get(name):
            values[name] = environ[name]
    for name in ("MAIL_PORT", "APPLY_MIN_SECONDS", "APPLICATION_RETENTION_DAYS", "APPLICATION_MAX_AGE_DAYS",
                 "CV_ACCESS_LOG_RETENTION_DAYS", "SEARCH_PAGE_CACHE_SECONDS"):
        if name in values:
            values[name] = int(values[name])
    if "OIDC_PROVIDERS" in values:
        values["OIDC_PROVIDERS"] = json.loads(values["OIDC_PROVIDERS"])
    return values


def normalise_database_url(url: str) -> str:
    """Let operators write postgresql:// or postgres:// and still get psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def development_secret_key(instance_path: str) -> str:
    """A random key kept in instance/ so a developer's links survive a restart."""
    key_file = Path(instance_path) / "dev-secret-key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def finalise(config: dict, instance_path: str) -> None:
    """Check and complete a configuration in place; raise ConfigurationError when unusable."""
    config["DATABASE_URL"] = normalise_database_url(config["DATABASE_URL"])
    if not config.get("SECRET_KEY"):
        if config.get("TESTING") or config["JOBTAB_ENV"] == "development":
            config["SECRET_KEY"] = development_secret_key(instance_path)
        else:
            raise ConfigurationError(
                "SECRET_KEY is not set. Set it in the environment (for example "
                "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))')`), "
                "or set JOBTAB_ENV=development on a developer machine."
            )

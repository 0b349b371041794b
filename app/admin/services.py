"""Institution staff: accounts and passwords, partner sources seen by staff, tenant settings.

Services flush, never commit; they never read the request. Every look-up that staff input can
reach takes the staff member's tenant, so another tenant's rows are simply not found.
"""
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.models import STAFF_ROLES, StaffUser
from app.catalog.models import Commune, Departement, Occupation, Region, Source
from app.catalog.text import fold
from app.ingest.models import FeedRun, RejectedRecord
from app.tenants.models import Tenant
from app.web.security import is_valid_origin

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked (message for the operator)."""


# --- Passwords ------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def password_hasher(time_cost: int | None = None, memory_cost: int | None = None,
                    parallelism: int | None = None) -> PasswordHasher:
    """argon2id; argon2-cffi's defaults (RFC 9106's second recommended profile: 64 MiB,
    3 passes, 4 lanes) unless told otherwise (tests use cheaper parameters)."""
    values = {"time_cost": time_cost, "memory_cost": memory_cost, "parallelism": parallelism}
    return PasswordHasher(**{name: value for name, value in values.items() if value is not None})


@lru_cache(maxsize=4)
def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash nobody knows the password of: verified when the address is unknown, so that an
    unknown address costs the same work as a wrong password (no account enumeration)."""
    return hasher.hash(secrets.token_urlsafe(32))


def check_new_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise StaffError(f"the password must have at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise StaffError(f"the password must have at most {PASSWORD_MAX_LENGTH} characters")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# --- Staff accounts -------------------------------------------------------------------------

def create_staff(session: Session, tenant: Tenant, email: str, password: str, role: str,
                 hasher: PasswordHasher) -> StaffUser:
    email = normalise_email(email)
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise StaffError(f"not an e-mail address: {email!r}")
    if role not in STAFF_ROLES:
        raise StaffError(f"unknown role {role!r} (one of {', '.join(STAFF_ROLES)})")
    check_new_password(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise StaffError(f"a staff account already uses {email}")
    staff = StaffUser(tenant_id=tenant.id, email=email, password_hash=hasher.hash(password), role=role,
                      is_active=True, session_token=secrets.token_urlsafe(32))
    session.add(staff)
    session.flush()
    return staff


def authenticate(session: Session, email: str, password: str, hasher: PasswordHasher,
                 now: datetime) -> StaffUser | None:
    """The active staff member with this address and password, or None. One argon2
    verification whatever the case, and the same answer for an unknown address."""
    dummy = dummy_hash(hasher)  # made (once per process) whatever the case, not only for unknown addresses
    staff = session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    if staff is None:
        try:
            hasher.verify(dummy, password)
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not staff.is_active:
        return None
    if hasher.check_needs_rehash(staff.password_hash):  # parameters raised since it was hashed
        staff.password_hash = hasher.hash(password)
    staff.last_sign_in_at = now
    session.flush()
    return staff


def get_signed_in_staff(session: Session, staff_id, session_token) -> StaffUser | None:
    """The staff member a session cookie names, if the account is active and the session was
    not ended since (sign-out changes the token)."""
    if not isinstance(staff_id, int) or not isinstance(session_token, str):
        return None
    staff = session.get(StaffUser, staff_id)
    if staff is None or not staff.is_active or not secrets.compare_digest(staff.session_token, session_token):
        return None
    return staff


def end_sessions(session: Session, staff: StaffUser) -> None:
    """Sign-out: every session of this staff member ends, on every device."""
    staff.session_token = secrets.token_urlsafe(32)
    session.flush()


def set_password(session: Session, staff: StaffUser, password: str, hasher: PasswordHasher) -> None:
    check_new_password(password)
    staff.password_hash = hasher.hash(password)
    end_sessions(session, staff)


def find_staff(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


# --- The tenant's team -----------------------------------------------------------------------

def list_team(session: Session, tenant_id: int) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).where(StaffUser.tenant_id == tenant_id)
                                .order_by(StaffUser.email)))


def get_team_member(session: Session, tenant_id: int, staff_id: int) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.tenant_id == tenant_id, StaffUser.id == staff_id))


def invite_staff(session: Session, tenant: Tenant, email: str, role: str, hasher: PasswordHasher) -> StaffUser:
    """A new staff member who cannot sign in before choosing a password through the link
    sent to them (the password is random and known to nobody)."""
    return create_staff(session, tenant, email, secrets.token_urlsafe(32), role, hasher)


def set_active(session: Session, staff: StaffUser, active: bool) -> None:
    staff.is_active = active
    if not active:
        end_sessions(session, staff)
    session.flush()


def password_link_key(staff: StaffUser) -> str:
    """What a set-password link carries to be single-use: a digest of the session token, which
    changes when the password is set (and at every sign-out), so a used link stops working."""
    return hashlib.sha256(staff.session_token.encode()).hexdigest()[:32]


def staff_for_password_link(session: Session, staff_id, key) -> StaffUser | None:
    if not isinstance(staff_id, int) or not isinstance(key, str):
        return None
    staff = session.get(StaffUser, staff_id)
    if staff is None or not staff.is_active or not secrets.compare_digest(password_link_key(staff), key):
        return None
    return staff


# --- Moderation -----------------------------------------------------------------------------

@dataclass
class PostingLabels:
    company_commune: str | None
    commune: str | None
    occupation: str | None


def posting_labels(session: Session, posting) -> PostingLabels:
    """Names for the codes a posting holds, for the moderator (None when unknown)."""
    def commune_name(code):
        commune = session.get(Commune, code) if code else None
        return f"{commune.name} ({commune.departement_code})" if commune else None

    fields = posting.fields or {}
    occupation = session.get(Occupation, fields["occupation_code"]) if fields.get("occupation_code") else None
    return PostingLabels(
        company_commune=commune_name(posting.company_commune_code),
        commune=commune_name(fields.get("commune_code")),
        occupation=f"{occupation.label} ({occupation.code})" if occupation else None,
    )


# --- Partner sources ------------------------------------------------------------------------
# Sources are shared by every tenant (one France Travail feed serves them all): staff read them,
# and only the operator changes them (`flask feeds configure`), since switching a shared feed
# off would change other tenants' offers. Direct-posting sources ("direct") belong to the
# recruiters' flow and are not listed. Feed URLs, locations and connector options are never
# shown: they may carry API keys.

RUNS_PER_SOURCE = 20
REJECTIONS_PER_PAGE = 100


@dataclass
class SourceLine:
    source: Source
    last_run: FeedRun | None
    flagged_runs: int  # among the recent ones


def visible_sources():
    return select(Source).where(Source.kind != "direct")


def list_sources(session: Session) -> list[SourceLine]:
    last_ids = (
        select(FeedRun.source_id, func.max(FeedRun.id).label("run_id")).group_by(FeedRun.source_id).subquery()
    )
    flagged = (
        select(FeedRun.source_id, func.count().label("flagged"))
        .where(FeedRun.status.in_(("flagged", "failed")))
        .group_by(FeedRun.source_id)
        .subquery()
    )
    rows = session.execute(
        visible_sources()
        .add_columns(FeedRun, func.coalesce(flagged.c.flagged, 0))
        .outerjoin(last_ids, last_ids.c.source_id == Source.id)
        .outerjoin(FeedRun, FeedRun.id == last_ids.c.run_id)
        .outerjoin(flagged, flagged.c.source_id == Source.id)
        .order_by(Source.name, Source.id)
    ).all()
    return [SourceLine(source, run, count) for source, run, count in rows]


def get_source(session: Session, source_id: int) -> Source | None:
    return session.scalar(visible_sources().where(Source.id == source_id))


def source_runs(session: Session, source: Source, limit: int = RUNS_PER_SOURCE) -> list[FeedRun]:
    return list(session.scalars(
        select(FeedRun).where(FeedRun.source_id == source.id).order_by(FeedRun.id.desc()).limit(limit)
    ))


def get_run(session: Session, source: Source, run_id: int) -> FeedRun | None:
    return session.scalar(select(FeedRun).where(FeedRun.id == run_id, FeedRun.source_id == source.id))


def run_rejections(session: Session, run: FeedRun, page: int = 1,
                   per_page: int = REJECTIONS_PER_PAGE) -> tuple[list[RejectedRecord], int]:
    """One page of a run's rejected records, and how many there are in all."""
    total = session.scalar(select(func.count()).select_from(RejectedRecord).where(RejectedRecord.run_id == run.id))
    rows = session.scalars(
        select(RejectedRecord).where(RejectedRecord.run_id == run.id).order_by(RejectedRecord.id)
        .offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total or 0


URL_QUERY = re.compile(r"(https?://[^\s?#]+)[?#]\S*")


def redact_urls(message: str | None) -> str | None:
    """A run's message without URL query strings (where an API key could sit)."""
    return URL_QUERY.sub(r"\1?…", message) if message else message


# --- Tenant settings ------------------------------------------------------------------------

COLOUR = re.compile(r"#[0-9a-f]{6}")
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text (1.4.3): white text on the primary colour
HOST_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")
LOCAL_HOSTS = ("localhost", "127.0.0.1")
MAX_ALLOWED_HOSTS = 20
OFFER_DURATION_RANGE = (7, 180)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of #rrggbb."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class OriginError(ValueError):
    """Why a host site is refused: wildcard, path, scheme, host (a code the form translates)."""

    def __init__(self, code: str, value: str):
        super().__init__(code)
        self.code, self.value = code, value


def normalise_origin(value: str) -> str:
    """A host site as the CSP wants it: https://host[:port], or http://localhost[:port] for
    development. A lone trailing "/" is dropped; a path, a query, user info or a wildcard are
    refused (the CSP code, app/web/security.py, takes plain origins only, no "*.")."""
    text = value.strip()
    if any(ch.isspace() for ch in text):
        raise OriginError("spaces", text)
    if "*" in text:
        raise OriginError("wildcard", text)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OriginError("scheme", text)
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise OriginError("path", text)
    if "@" in parts.netloc:
        raise OriginError("host", text)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise OriginError("host", text) from None
    if not host or not HOST_NAME.fullmatch(host):
        raise OriginError("host", text)
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise OriginError("scheme", text)
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    if not is_valid_origin(origin):  # the CSP's own check must agree
        raise OriginError("host", text)
    return origin


def is_https_url(value: str) -> bool:
    parts = urlsplit(value)
    try:
        parts.port
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc and " " not in value


def regions(session: Session) -> list[Region]:
    """Every région, in alphabetical order as a French reader expects it (accents ignored)."""
    return sorted(session.scalars(select(Region)), key=lambda region: fold(region.name))


def unknown_departements(session: Session, codes: list[str]) -> list[str]:
    known = set(session.scalars(select(Departement.code).where(Departement.code.in_(codes))))
    return [code for code in codes if code not in known]


def unknown_regions(session: Session, codes: list[str]) -> list[str]:
    known = set(session.scalars(select(Region.code).where(Region.code.in_(codes))))
    return [code for code in codes if code not in known]


@dataclass
class TenantSettings:
    name: str
    primary_colour: str
    logo_url: str | None
    allowed_hosts: list[str]
    region_codes: list[str]
    departement_codes: list[str]
    identity_providers: list[str] | None  # None: every configured provider, present and future
    moderation_policy: str
    offer_duration_days: int

    @classmethod
    def of(cls, tenant: Tenant) -> "TenantSettings":
        return cls(
            name=tenant.name, primary_colour=tenant.primary_colour, logo_url=tenant.logo_url,
            allowed_hosts=list(tenant.allowed_hosts or []), region_codes=list(tenant.region_codes or []),
            departement_codes=list(tenant.departement_codes or []),
            identity_providers=None if tenant.identity_providers is None else list(tenant.identity_providers),
            moderation_policy=tenant.moderation_policy, offer_duration_days=tenant.offer_duration_days,
        )


def update_tenant_settings(session: Session, tenant: Tenant, settings: TenantSettings) -> Tenant:
    """Save settings the form has already checked (this re-checks what must never pass)."""
    low, high = OFFER_DURATION_RANGE
    if (
        not COLOUR.fullmatch(settings.primary_colour)
        or not all(is_valid_origin(origin) for origin in settings.allowed_hosts)
        or not low <= settings.offer_duration_days <= high
    ):
        raise ValueError("unchecked tenant settings")
    for name, value in vars(settings).items():
        setattr(tenant, name, value)
    session.flush()
    return tenant

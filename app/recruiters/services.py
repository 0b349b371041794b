"""Recruiters' postings: draft, submit, verify the address, moderate, publish, renew, close, expire.

Services flush, never commit: the caller commits once, and the e-mails written to the outbox
here leave with that commit. Every function that changes something takes `now`.

A posting becomes a catalog JobOffer only when it is published, in the tenant's own "direct"
source (one per tenant, created on demand): search never sees an unverified or unmoderated text.
"""
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import nh3
from babel import dates as babel_dates
from flask import current_app, has_app_context, has_request_context, render_template
from flask_babel import force_locale, format_date, gettext
from markupsafe import escape
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.apply.models import Application
from app.catalog.models import Commune, JobOffer, Source
from app.catalog.text import fold
from app.mail.services import enqueue
from app.recruiters import tokens
from app.recruiters.models import Posting, UsedLink
from app.tenants.models import Tenant
from app.web.urls import public_url

DIRECT_SOURCE_RANK = 0  # lower ranks win when duplicates are merged: a direct posting first
REMINDERS = (("reminded_7_days_at", timedelta(days=7), "reminder_7_days"),
             ("reminded_1_day_at", timedelta(days=1), "reminder_1_day"))
DESCRIPTION_MAX_CHARS = 5000
ALLOWED_TAGS = {"p", "br", "ul", "li"}
_BULLET = re.compile(r"^\s*(?:[-*•–])\s+")


class NotAllowed(Exception):
    """The change does not apply to the posting in its present state."""


class LinkAlreadyUsed(Exception):
    """A single-use link that was spent already."""


# --- Finding ---------------------------------------------------------------------------------

def moderation_queue(session: Session, tenant_id: int) -> list[Posting]:
    """Postings awaiting review, oldest first: pending ones (policy "before"), and published
    ones nobody has looked at yet (policy "after", or edited after approval)."""
    statement = (
        select(Posting)
        .where(
            Posting.tenant_id == tenant_id,
            or_(Posting.status == "pending",
                and_(Posting.status == "published", Posting.moderated_at.is_(None))),
        )
        .order_by(Posting.submitted_at, Posting.id)
    )
    return list(session.scalars(statement))


def get_posting_for_tenant(session: Session, tenant_id: int, public_id: str) -> Posting | None:
    return session.scalar(select(Posting).where(Posting.tenant_id == tenant_id, Posting.public_id == public_id))


def get_posting(session: Session, public_id: str) -> Posting | None:
    return session.scalar(select(Posting).where(Posting.public_id == public_id))


def postings_of(session: Session, email: str) -> list[Posting]:
    """A recruiter's submitted postings (any tenant), newest first; drafts are left out."""
    statement = (
        select(Posting)
        .where(Posting.contact_email == email.lower(), Posting.status != "draft", Posting.status != "unverified")
        .order_by(Posting.submitted_at.desc(), Posting.id.desc())
    )
    return list(session.scalars(statement))


# --- Drafting --------------------------------------------------------------------------------

def new_draft(session: Session, tenant: Tenant, now: datetime, locale: str = "fr") -> Posting:
    posting = Posting(public_id=str(uuid.uuid4()), tenant_id=tenant.id, status="draft", fields={"locale": locale},
                      created_at=now, updated_at=now)
    session.add(posting)
    session.flush()
    return posting


def is_editable(posting: Posting) -> bool:
    """A draft may be changed through the post tab until it is submitted."""
    return posting.status == "draft"


def save_answers(session: Session, posting: Posting, answers: dict, now: datetime) -> None:
    """Store one page's answers: company columns on the row, the offer's in `fields`."""
    columns = {"company_name", "siret", "company_commune_code", "contact_email"}
    offer_fields = dict(posting.fields or {})
    for name, value in answers.items():
        if name in columns:
            setattr(posting, name, value)
        else:
            offer_fields[name] = value
    posting.fields = offer_fields  # a new dict: the JSON column sees the change
    posting.updated_at = now
    session.flush()


def submit(session: Session, posting: Posting, now: datetime) -> None:
    """The recruiter sends the posting: nothing is published before the address is proven."""
    if posting.status != "draft":
        raise NotAllowed
    posting.status = "unverified"
    posting.submitted_at = now
    posting.updated_at = now
    session.flush()
    send_email(session, posting, "verify", now,
               link=link("recruiters.verify", token=tokens.posting_token(tokens.VERIFY_SALT, posting.public_id)),
               hours=int(tokens.VERIFY_LIFETIME.total_seconds() // 3600))


def spend_link(session: Session, token: str, purpose: str, now: datetime) -> None:
    """Record a single-use link as used; LinkAlreadyUsed if it was. A twin request racing on
    the same link fails on the primary key at commit (the view treats that as used too)."""
    key = tokens.digest(token)
    if session.get(UsedLink, key) is not None:
        raise LinkAlreadyUsed
    session.add(UsedLink(token_digest=key, purpose=purpose, used_at=now))
    try:
        session.flush()
    except IntegrityError:
        raise LinkAlreadyUsed from None


def verify(session: Session, posting: Posting, now: datetime) -> None:
    """The address is proven: to moderation (policy "before"), or online at once ("after")."""
    if posting.status != "unverified":
        raise NotAllowed
    posting.email_verified_at = now
    posting.updated_at = now
    if posting.tenant.moderation_policy == "after":
        publish(session, posting, now)
        send_email(session, posting, "published", now, offer_link=offer_link(posting))
    else:
        posting.status = "pending"
        session.flush()


# --- Moderation ------------------------------------------------------------------------------

def approve(session: Session, posting: Posting, moderator_email: str, now: datetime) -> None:
    """Publish a pending posting (or confirm one already published under the "after" policy),
    and tell the recruiter."""
    if unsafe_apply_url(posting):
        raise NotAllowed("the external application address is no longer accepted")
    if posting.status == "pending":
        publish(session, posting, now)
    elif not (posting.status == "published" and posting.moderated_at is None):
        raise NotAllowed
    posting.moderated_at = now
    posting.moderated_by = moderator_email
    posting.rejection_reason = None
    session.flush()
    send_email(session, posting, "approved", now, offer_link=offer_link(posting))


def unsafe_apply_url(posting: Posting) -> bool:
    """The external address is checked again when published (the rules may have tightened)."""
    from app.recruiters.forms import external_url_problem

    fields = posting.fields or {}
    return fields.get("apply_method") == "url" and external_url_problem(fields.get("apply_url") or "") is not None


def reject(session: Session, posting: Posting, reason: str, moderator_email: str, now: datetime) -> None:
    """Refuse a posting with a reason the recruiter reads; a published offer is hidden at once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a rejection needs a reason")
    if posting.status not in ("pending", "published"):
        raise NotAllowed
    posting.status = "rejected"
    posting.rejection_reason = reason
    posting.moderated_at = now
    posting.moderated_by = moderator_email
    posting.updated_at = now
    if posting.offer is not None:
        hide_offer(posting.offer, now)
    session.flush()
    send_email(session, posting, "rejected", now, reason=reason)


# --- Publishing and the catalog offer -------------------------------------------------------

def direct_source(session: Session, tenant: Tenant) -> Source:
    """The tenant's own source for direct postings: one per tenant, created on demand."""
    slug = f"direct-{tenant.slug}"
    source = session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        source = Source(slug=slug, name=tenant.name, kind="direct", rank=DIRECT_SOURCE_RANK, is_active=True)
        session.add(source)
        session.flush()
    return source


def publish(session: Session, posting: Posting, now: datetime) -> JobOffer:
    posting.status = "published"
    posting.published_at = now
    posting.expires_at = now + timedelta(days=posting.tenant.offer_duration_days)
    posting.reminded_7_days_at = None
    posting.reminded_1_day_at = None
    posting.updated_at = now
    offer = sync_offer(session, posting, now)
    offer.published_at = now
    session.flush()
    return offer


def sync_offer(session: Session, posting: Posting, now: datetime) -> JobOffer:
    """Create or update the catalog offer from the posting as written."""
    values = offer_values(session, posting)
    offer = posting.offer
    if offer is None:
        offer = JobOffer(source=direct_source(session, posting.tenant), partner_id=posting.public_id,
                         published_at=now, **values)
        session.add(offer)
        posting.offer = offer
    else:
        for name, value in values.items():
            setattr(offer, name, value)
    offer.expires_at = posting.expires_at
    offer.updated_at = now
    session.flush()
    return offer


def offer_values(session: Session, posting: Posting) -> dict:
    fields = posting.fields or {}
    values = {
        "title": fields.get("title") or "",
        "organisation_name": posting.company_name,
        "description": format_description(fields.get("description") or ""),
        "details": {"description_format": "html"},
        "occupation_code": fields.get("occupation_code") or None,
        "contract_type": fields.get("contract_type"),
        "working_time": fields.get("working_time"),
        "salary_text": fields.get("salary_text") or None,
        "source_url": None,
        **place_values(session, fields.get("commune_code")),
        **apply_values(posting),
    }
    if values["apply_method"] == "url":  # "Postuler sur le site de <the company>"
        values["details"]["partner"] = posting.company_name
    if fields.get("start_date"):
        values["description"] = start_paragraph(posting) + values["description"]
    values["search_text"] = fold(f"{values['title']} {values['organisation_name'] or ''}")
    return values


def place_values(session: Session, commune_code: str | None) -> dict:
    commune = session.get(Commune, commune_code) if commune_code else None
    if commune is None:
        return {"location_precision": "country", "place_label": None, "commune_code": None,
                "departement_code": None, "region_code": None, "latitude": None, "longitude": None}
    return {"location_precision": "commune", "place_label": commune.name, "commune_code": commune.insee_code,
            "departement_code": commune.departement_code, "region_code": commune.region_code,
            "latitude": commune.latitude, "longitude": commune.longitude}


def apply_values(posting: Posting) -> dict:
    fields = posting.fields or {}
    if fields.get("apply_method") == "url" and fields.get("apply_url"):
        return {"apply_method": "url", "apply_url": fields["apply_url"], "apply_email": None}
    return {"apply_method": "platform", "apply_url": None, "apply_email": posting.contact_email}


def start_paragraph(posting: Posting) -> str:
    """The start date, as the offer's first paragraph, in the language the recruiter wrote in."""
    start = date.fromisoformat(posting.fields["start_date"])
    locale = (posting.fields or {}).get("locale") or "fr"
    if not has_app_context():  # test factories: no app, French
        return f"<p>Date de début : {escape(babel_dates.format_date(start, 'long', locale='fr'))}</p>"
    with force_locale(locale):
        text = gettext("Date de début : %(date)s", date=format_date(start, "long"))
    return f"<p>{escape(text)}</p>"


def hide_offer(offer: JobOffer, now: datetime) -> None:
    if offer.expires_at is None or offer.expires_at > now:
        offer.expires_at = now


def format_description(text: str) -> str:
    """Plain text with light formatting to safe HTML: blank lines make paragraphs, lines
    starting with "- ", "* " or "•" make a bullet list. Everything is escaped first, then
    cleaned by nh3 (defence in depth): no tag, attribute or link survives from the text."""
    blocks = [block for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if block.strip()]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        bullets = [bool(_BULLET.match(line)) for line in lines]
        if all(bullets):
            html.append("<ul>" + "".join(f"<li>{escape(_BULLET.sub('', line))}</li>" for line in lines) + "</ul>")
            continue
        # A paragraph, possibly followed by a list ("Missions :" then bullets).
        first_bullet = bullets.index(True) if any(bullets) else len(lines)
        html.append("<p>" + "<br>".join(str(escape(line)) for line in lines[:first_bullet]) + "</p>")
        rest = lines[first_bullet:]
        if rest:
            html.append("<ul>" + "".join(f"<li>{escape(_BULLET.sub('', line))}</li>" for line in rest) + "</ul>")
    return nh3.clean("".join(html), tags=ALLOWED_TAGS, attributes={}, strip_comments=True)


# --- The recruiter's own actions ------------------------------------------------------------

def edit(session: Session, posting: Posting, answers: dict, now: datetime) -> None:
    """Change a submitted posting. Under the "before" policy a published offer goes back to
    moderation (hidden until approved again); under "after" it stays online, unreviewed."""
    if posting.status not in ("pending", "published"):
        raise NotAllowed
    save_answers(session, posting, answers, now)
    posting.submitted_at = now
    posting.moderated_at = None
    posting.moderated_by = None
    if posting.tenant.moderation_policy == "before":
        if posting.status == "published" and posting.offer is not None:
            hide_offer(posting.offer, now)
        posting.status = "pending"
    elif posting.status == "published":
        sync_offer(session, posting, now)
    session.flush()


def renew(session: Session, posting: Posting, now: datetime) -> None:
    """Extend a published (or recently expired) offer by the tenant's duration."""
    if posting.status not in ("published", "expired") or posting.expires_at is None:
        raise NotAllowed
    start = max(now, posting.expires_at)
    posting.expires_at = start + timedelta(days=posting.tenant.offer_duration_days)
    posting.status = "published"
    posting.reminded_7_days_at = None
    posting.reminded_1_day_at = None
    posting.updated_at = now
    if posting.offer is not None:
        posting.offer.expires_at = posting.expires_at
        posting.offer.updated_at = now
    session.flush()


def close(session: Session, posting: Posting, reason: str, now: datetime) -> None:
    """Close the offer: "filled" (pourvue) or "withdrawn"; it leaves the catalog at once."""
    if reason not in ("filled", "withdrawn"):
        raise ValueError(reason)
    if posting.status not in ("pending", "published", "expired"):
        raise NotAllowed
    posting.status = "closed"
    posting.closed_at = now
    posting.close_reason = reason
    posting.updated_at = now
    if posting.offer is not None:
        hide_offer(posting.offer, now)
    session.flush()


# --- Expiry (run by `flask recruiters remind`) -----------------------------------------------

@dataclass
class ExpiryReport:
    reminded: list[tuple[str, str]] = field(default_factory=list)  # (public id, reminder)
    expired: list[str] = field(default_factory=list)
    purged_drafts: int = 0
    purged_links: int = 0


# Personal data kept no longer than it can serve: a draft whose form token has expired cannot be
# continued, a submission whose verification link has expired can never be published, and a
# spent link's digest only matters while the link itself would still be accepted.
ABANDONED_DRAFT_AGE = tokens.FORM_LIFETIME + timedelta(days=1)
UNVERIFIED_AGE = tokens.VERIFY_LIFETIME + timedelta(days=1)
USED_LINK_AGE = max(tokens.VERIFY_LIFETIME, tokens.RENEW_LIFETIME, tokens.SPACE_LIFETIME) + timedelta(days=1)


def purge_abandoned(session: Session, now: datetime, report: ExpiryReport) -> None:
    """Delete drafts nobody can finish and submissions nobody verified, and forget spent links
    that have expired anyway."""
    abandoned = session.scalars(select(Posting).where(or_(
        and_(Posting.status == "draft", func.coalesce(Posting.updated_at, Posting.created_at) < now - ABANDONED_DRAFT_AGE),
        and_(Posting.status == "unverified", Posting.submitted_at < now - UNVERIFIED_AGE),
    ))).all()
    for posting in abandoned:
        session.delete(posting)
    report.purged_drafts = len(abandoned)
    report.purged_links = session.execute(
        delete(UsedLink).where(UsedLink.used_at < now - USED_LINK_AGE)
    ).rowcount


def remind_and_expire(session: Session, now: datetime) -> ExpiryReport:
    """Send each reminder once (7 days, then 1 day before the end) and expire what is due."""
    report = ExpiryReport()
    published = select(Posting).where(Posting.status == "published", Posting.expires_at.is_not(None))
    for posting in session.scalars(published.where(Posting.expires_at <= now)).all():
        posting.status = "expired"
        posting.updated_at = now
        if posting.offer is not None:
            hide_offer(posting.offer, now)
        report.expired.append(posting.public_id)
    soon = session.scalars(published.where(Posting.expires_at > now, Posting.expires_at <= now + timedelta(days=7))
                           .order_by(Posting.expires_at, Posting.id)).all()
    for posting in soon:
        due = [(column, name) for column, before, name in REMINDERS
               if getattr(posting, column) is None and posting.expires_at - now <= before]
        if not due:
            continue
        # Late (a cron that did not run): only the most urgent reminder is sent, the others are skipped.
        for column, _name in due:
            setattr(posting, column, now)
        send_reminder(session, posting, due[-1][1], now)
        report.reminded.append((posting.public_id, due[-1][1]))
    purge_abandoned(session, now, report)
    session.flush()
    return report


def send_reminder(session: Session, posting: Posting, name: str, now: datetime) -> None:
    send_email(session, posting, name, now,
               renew_link=link("recruiters.renew", token=tokens.posting_token(tokens.RENEW_SALT, posting.public_id)),
               close_link=link("recruiters.close", token=tokens.posting_token(tokens.CLOSE_SALT, posting.public_id)),
               days=posting.tenant.offer_duration_days)


# --- Recruiter space -------------------------------------------------------------------------

def send_space_link(session: Session, email: str, now: datetime, locale: str = "fr") -> bool:
    """E-mail a magic link when the address has postings; say nothing either way (the page
    answers the same: no enumeration). True when an e-mail was queued."""
    email = email.strip().lower()
    if not postings_of(session, email):
        return False
    with force_locale(locale):
        subject, body = render_email("space_link", link=link("recruiters.space",
                                                              token=tokens.space_token(tokens.SPACE_SALT, email)),
                                     hours=int(tokens.SPACE_LIFETIME.total_seconds() // 3600))
    enqueue(session, email, subject, body, now=now)
    return True


def applications_of(session: Session, posting: Posting) -> list[Application]:
    """The applications received for the posting's offer, newest first (read through app.apply)."""
    if posting.offer_id is None:
        return []
    statement = (select(Application).where(Application.offer_id == posting.offer_id)
                 .order_by(Application.created_at.desc(), Application.id.desc()))
    return list(session.scalars(statement))


# --- E-mails ---------------------------------------------------------------------------------

def link(endpoint: str, **values) -> str:
    """An absolute link from PUBLIC_BASE_URL, inside a request or not (the cron command)."""
    if has_request_context():
        return public_url(endpoint, **values)
    with current_app.test_request_context("/"):
        return public_url(endpoint, **values)


def offer_link(posting: Posting) -> str | None:
    if posting.offer is None or posting.offer.id is None:
        return None
    return link("embed.offer", tenant=posting.tenant.slug, tab="jobs", offer_id=posting.offer.id)


def render_email(name: str, **context) -> tuple[str, str]:
    subject = render_template(f"recruiters/emails/{name}/subject.txt", **context)
    body = render_template(f"recruiters/emails/{name}/body.txt", **context)
    return " ".join(subject.split()), body


def send_email(session: Session, posting: Posting, name: str, now: datetime, **context) -> None:
    """In the language the recruiter used to post, to the proven (or to-be-proven) address."""
    with force_locale((posting.fields or {}).get("locale") or "fr"):
        subject, body = render_email(name, posting=posting, tenant=posting.tenant,
                                     title=(posting.fields or {}).get("title") or "", **context)
    enqueue(session, posting.contact_email, subject, body, now=now)

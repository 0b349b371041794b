"""The e-mails about an application, rendered from templates and put in the outbox.

Called by views inside the request's transaction: the rows leave with its commit, and the
worker sends them afterwards. Links are built from PUBLIC_BASE_URL, never from the Host header.
No e-mail carries the CV, the phone number or the message: a signed link leads to them.
"""
import json
from datetime import datetime

from flask import render_template
from sqlalchemy.orm import Session

from app.apply import tokens
from app.apply.models import Application
from app.apply.services import partner_webhook_url
from app.mail.services import enqueue, enqueue_webhook
from app.web.urls import public_url


def status_url(application: Application) -> str:
    return public_url("applications.status", token=tokens.application_token(tokens.STATUS_SALT, application.public_id))


def recruiter_url(application: Application) -> str:
    return public_url("applications.recruiter",
                      token=tokens.application_token(tokens.RECRUITER_SALT, application.public_id))


def render_email(name: str, **context) -> tuple[str, str]:
    subject = render_template(f"apply/emails/{name}/subject.txt", **context)
    body = render_template(f"apply/emails/{name}/body.txt", **context)
    return " ".join(subject.split()), body


def enqueue_email(session: Session, recipient: str, name: str, now: datetime, **context) -> None:
    subject, body = render_email(name, **context)
    enqueue(session, recipient, subject, body, now=now)


def partner_webhook(application: Application) -> tuple[str, str] | None:
    """(URL, name of the secret's environment variable) when the offer's partner registered a
    webhook in its source's settings (config "webhook_url", secret in <credentials_env>_WEBHOOK_SECRET)."""
    url = partner_webhook_url(application.offer)
    if url is None:
        return None
    return url, f"{application.offer.source.credentials_env}_WEBHOOK_SECRET"


def webhook_payload(application: Application) -> str:
    """What the partner's system needs; `application_id` is stable, so repeats can be dropped."""
    link = recruiter_url(application)
    return json.dumps({
        "event": "application.received",
        "application_id": application.public_id,
        "created_at": application.created_at.isoformat(),
        "offer": {"partner_id": application.offer.partner_id, "title": application.offer.title},
        "applicant": {"name": application.name, "email": application.email, "phone": application.phone,
                      "message": application.message},
        "application_url": link,
        "cv_url": link + "/cv" if application.cv is not None else None,
    }, ensure_ascii=False, sort_keys=True)


def application_received(session: Session, application: Application, now: datetime) -> None:
    """The applicant's receipt, and the recruiter's notification: by e-mail, or by the partner's webhook."""
    enqueue_email(session, application.email, "receipt", now,
                  application=application, offer=application.offer, link=status_url(application))
    webhook = partner_webhook(application)
    if webhook is not None:
        url, secret_env = webhook
        enqueue_webhook(session, url, "application.received", webhook_payload(application), secret_env, now=now)
    else:
        enqueue_email(session, application.recruiter_email, "new_application", now,
                      application=application, offer=application.offer, link=recruiter_url(application))


def decision_made(session: Session, application: Application, now: datetime) -> None:
    enqueue_email(session, application.email, "decision", now,
                  application=application, offer=application.offer, link=status_url(application))


def application_withdrawn(session: Session, application: Application, now: datetime) -> None:
    """The recruiter is told the way it was told of the application: by its webhook, or by e-mail."""
    webhook = partner_webhook(application)
    if webhook is not None:
        url, secret_env = webhook
        payload = json.dumps({"event": "application.withdrawn", "application_id": application.public_id,
                              "withdrawn_at": now.isoformat()}, sort_keys=True)
        enqueue_webhook(session, url, "application.withdrawn", payload, secret_env, now=now)
    elif application.recruiter_email:
        enqueue_email(session, application.recruiter_email, "withdrawn", now,
                      application=application, offer=application.offer, link=recruiter_url(application))

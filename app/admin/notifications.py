"""E-mails to staff (through the outbox, sent after the request's commit): the invitation and the
link to choose a new password. Both carry a signed link, valid 72 hours and single use (it names
a digest of the staff member's session token, which changes when the password is set)."""
from datetime import datetime, timedelta

from flask import render_template
from sqlalchemy.orm import Session

from app.admin import services
from app.admin.models import StaffUser
from app.apply import tokens
from app.mail.services import enqueue
from app.web.urls import public_url

PASSWORD_LINK_SALT = "jobtab.admin.set-password"
PASSWORD_LINK_LIFETIME = timedelta(hours=72)


def password_link(staff: StaffUser) -> str:
    token = tokens.serializer(PASSWORD_LINK_SALT).dumps({"id": staff.id, "key": services.password_link_key(staff)})
    return public_url("admin.set_password", token=token)


def send_password_link(session: Session, staff: StaffUser, invited: bool, now: datetime) -> None:
    name = "invitation" if invited else "password_link"
    context = {"tenant": staff.tenant.name, "link": password_link(staff),
               "hours": int(PASSWORD_LINK_LIFETIME.total_seconds() // 3600)}
    subject = render_template(f"admin/emails/{name}/subject.txt", **context)
    body = render_template(f"admin/emails/{name}/body.txt", **context)
    enqueue(session, staff.email, " ".join(subject.split()), body, now=now)

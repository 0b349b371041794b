"""An admin's team: invite by e-mail (a single-use link to choose a password, delivered to a real
SMTP server on loopback), send a new link, deactivate and reactivate."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from app.admin.models import StaffUser
from app.mail.sender import SMTPMailer
from app.mail.services import deliver_due
from tests.unit.admin.conftest import PASSWORD, csrf_token, make_staff, post_form, sign_in

NEW_PASSWORD = "trois mots assez longs"
LINK = re.compile(r"http://jobtab\.test(/admin/password/\S+)")


def delivered_link(db_session, smtp, address) -> str:
    assert deliver_due(db_session, SMTPMailer(smtp.host, smtp.port), "Jobtab <no-reply@jobtab.test>").sent >= 1
    messages = [message for message in smtp.messages if message["To"] == address]
    assert messages, f"no e-mail to {address}"
    return LINK.search(messages[-1].get_content()).group(1)


def member(db_session, email) -> StaffUser:
    db_session.expire_all()
    return db_session.scalar(select(StaffUser).where(StaffUser.email == email))


def choose_password(client, path, password=NEW_PASSWORD, confirmation=None):
    return client.post(path, data={"csrf_token": csrf_token(client, path), "password": password,
                                   "confirmation": password if confirmation is None else confirmation})


def test_moderators_have_no_team_page(moderator_client):
    assert moderator_client.get("/admin/team").status_code == 403
    assert post_form(moderator_client, "/admin/team/invite", {"email": "x@ara.example.org", "role": "admin"}).status_code == 403


def test_invited_person_chooses_a_password_once_then_signs_in(app, admin_client, db_session, tenant, smtp):
    response = post_form(admin_client, "/admin/team/invite", {"email": " Camille@ARA.example.org", "role": "moderator"})
    assert response.status_code == 303
    invited = member(db_session, "camille@ara.example.org")
    assert invited.tenant_id == tenant.id and invited.role == "moderator"
    team_page = admin_client.get("/admin/team").get_data(as_text=True)
    assert "camille@ara.example.org" in team_page and "jamais connecté" in team_page
    path = delivered_link(db_session, smtp, "camille@ara.example.org")

    visitor = app.test_client()
    # Before choosing, nobody knows the password: sign-in fails.
    assert sign_in(visitor, "camille@ara.example.org", PASSWORD).status_code == 400
    page = visitor.get(path)
    assert page.status_code == 200 and "camille@ara.example.org" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert choose_password(visitor, path, confirmation="autre chose encore").status_code == 400
    assert choose_password(visitor, path, password="court").status_code == 400
    done = choose_password(visitor, path)
    assert done.status_code == 303 and done.headers["Location"] == "/admin/sign-in"
    assert sign_in(visitor, "camille@ara.example.org", NEW_PASSWORD).status_code == 303
    assert visitor.get("/admin/moderation").status_code == 200
    # The link was spent.
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "Ce lien n'est plus valable" in again.get_data(as_text=True)


def test_errors_on_the_password_page_are_summarised(app, admin_client, db_session, smtp):
    post_form(admin_client, "/admin/team/invite", {"email": "dominique@ara.example.org", "role": "moderator"})
    path = delivered_link(db_session, smtp, "dominique@ara.example.org")
    visitor = app.test_client()
    text = choose_password(visitor, path, confirmation="pas la même phrase").get_data(as_text=True)
    assert "<title>Erreur :" in text and 'href="#confirmation"' in text
    assert "Les deux mots de passe sont différents." in text
    assert "pas la même phrase" not in text and NEW_PASSWORD not in text  # never sent back


def test_password_links_expire_and_cannot_be_forged(app, admin_client, db_session, smtp):
    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False):
        post_form(admin_client, "/admin/team/invite", {"email": "lou@ara.example.org", "role": "moderator"})
    path = delivered_link(db_session, smtp, "lou@ara.example.org")
    visitor = app.test_client()
    with time_machine.travel(start + timedelta(hours=73), tick=False):
        assert visitor.get(path).status_code == 400
    assert visitor.get(path[:-3] + "abc").status_code == 400
    assert visitor.get("/admin/password/not-a-token").status_code == 400


def test_an_address_with_an_account_anywhere_is_refused_the_same_way(admin_client, db_session, tenant, other_tenant):
    make_staff(db_session, other_tenant, email="claude@bfc.example.org", role="moderator")
    make_staff(db_session, tenant, email="sam@ara.example.org", role="moderator")
    elsewhere = post_form(admin_client, "/admin/team/invite", {"email": "claude@bfc.example.org", "role": "moderator"})
    here = post_form(admin_client, "/admin/team/invite", {"email": "sam@ara.example.org", "role": "moderator"})
    assert elsewhere.status_code == here.status_code == 400
    message = "Cette adresse ne peut pas être invitée : elle a déjà un compte."
    assert message in elsewhere.get_data(as_text=True) and message in here.get_data(as_text=True)
    assert "Région Bourgogne-Franche-Comté" not in elsewhere.get_data(as_text=True)


@pytest.mark.parametrize("data, field", [
    ({"email": "pas-une-adresse", "role": "moderator"}, "email"),
    ({"email": "", "role": "moderator"}, "email"),
    ({"email": "ok@ara.example.org", "role": "superuser"}, "role"),
])
def test_invitation_errors_keep_the_values(admin_client, data, field):
    response = post_form(admin_client, "/admin/team/invite", data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f'href="#{field}"' in text and f'id="{field}-error"' in text


def test_deactivate_ends_sessions_and_reactivate(app, admin_client, db_session, tenant):
    colleague = make_staff(db_session, tenant, email="alex@ara.example.org", role="moderator")
    other_browser = app.test_client()
    assert sign_in(other_browser, "alex@ara.example.org").status_code == 303
    assert post_form(admin_client, f"/admin/team/{colleague.id}/deactivate", page="/admin/team").status_code == 303
    assert member(db_session, "alex@ara.example.org").is_active is False
    assert other_browser.get("/admin/").status_code == 302
    assert sign_in(other_browser, "alex@ara.example.org").status_code == 400
    assert post_form(admin_client, f"/admin/team/{colleague.id}/activate", page="/admin/team").status_code == 303
    assert sign_in(other_browser, "alex@ara.example.org", PASSWORD).status_code == 303


def test_an_admin_cannot_lock_themselves_out(admin_client, db_session, admin):
    assert post_form(admin_client, f"/admin/team/{admin.id}/deactivate", page="/admin/team").status_code == 409
    assert member(db_session, admin.email).is_active is True


def test_a_new_password_link_for_a_colleague(app, admin_client, db_session, tenant, smtp):
    make_staff(db_session, tenant, email="noa@ara.example.org", role="moderator")
    colleague_id = member(db_session, "noa@ara.example.org").id
    assert post_form(admin_client, f"/admin/team/{colleague_id}/password-link", page="/admin/team").status_code == 303
    path = delivered_link(db_session, smtp, "noa@ara.example.org")
    visitor = app.test_client()
    assert choose_password(visitor, path).status_code == 303
    assert sign_in(visitor, "noa@ara.example.org", PASSWORD).status_code == 400  # the old one is gone
    assert sign_in(visitor, "noa@ara.example.org", NEW_PASSWORD).status_code == 303

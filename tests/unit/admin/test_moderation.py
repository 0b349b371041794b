"""The moderation queue: the tenant's postings only, shown safely, approved or rejected with a
reason, and the recruiter told through the outbox (delivered to a real SMTP server on loopback)."""

from app.recruiters.models import Posting
from tests.unit.mail.sink import deliver_to
from tests.factories.recruiters import make_posting, posting_fields
from tests.unit.admin.conftest import post_form

RECRUITER = "patron@brasserie.example.org"


def deliver(db_session, smtp, now=None):
    return deliver_to(smtp, db_session, now)


def reload(db_session, posting) -> Posting:
    db_session.expire_all()
    return db_session.get(Posting, posting.id)


def test_queue_lists_the_tenants_postings_awaiting_review(moderator_client, db_session, tenant, other_tenant):
    waiting = make_posting(db_session, tenant, fields=posting_fields(title="Cuisinier de collectivité"))
    make_posting(db_session, tenant, status="draft", fields=posting_fields(title="Brouillon jamais envoyé"))
    make_posting(db_session, other_tenant, fields=posting_fields(title="Offre d'une autre région"))
    text = moderator_client.get("/admin/moderation").get_data(as_text=True)
    assert "Cuisinier de collectivité" in text
    assert f"/admin/moderation/{waiting.public_id}" in text
    assert "Brouillon jamais envoyé" not in text
    assert "Offre d'une autre région" not in text


def test_recruiter_text_is_shown_escaped_and_the_description_sanitised(moderator_client, db_session, tenant):
    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    posting = make_posting(db_session, tenant, fields=posting_fields(
        title=f"Serveur {payload}", salary_text=payload,
        description=f"Bonjour {payload}\n\n- <a href=\"javascript:alert(3)\">lien</a>\n- second",
        apply_method="url", apply_url="javascript:alert(4)"))
    posting.company_name = f"Brasserie {payload}"
    db_session.commit()
    response = moderator_client.get(f"/admin/moderation/{posting.public_id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<script>alert" not in text and "<img src=x" not in text and '<a href="javascript:' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<li>" in text  # the light formatting survives
    assert "<code>javascript:alert(4)</code>" in text  # shown to the moderator, never as a link


def test_approve_publishes_and_tells_the_recruiter(moderator_client, db_session, tenant, moderator, smtp):
    posting = make_posting(db_session, tenant)
    page = f"/admin/moderation/{posting.public_id}"
    response = post_form(moderator_client, f"{page}/approve", page=page)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/moderation"
    saved = reload(db_session, posting)
    assert saved.status == "published" and saved.offer_id is not None
    assert saved.moderated_by == moderator.email
    assert "Offre approuvée" in moderator_client.get("/admin/moderation").get_data(as_text=True)
    assert deliver(db_session, smtp).sent == 1
    assert [message["To"] for message in smtp.messages] == [RECRUITER]


def test_reject_needs_a_reason(moderator_client, db_session, tenant):
    posting = make_posting(db_session, tenant)
    page = f"/admin/moderation/{posting.public_id}"
    response = post_form(moderator_client, f"{page}/reject", {"reason": "   "}, page=page)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "<title>Erreur :" in text and 'href="#reason"' in text
    assert "Saisissez le motif du refus" in text
    assert reload(db_session, posting).status == "pending"


def test_reject_with_a_reason_tells_the_recruiter_why(moderator_client, db_session, tenant, moderator, smtp):
    posting = make_posting(db_session, tenant)
    page = f"/admin/moderation/{posting.public_id}"
    reason = "Le salaire indiqué est inférieur au SMIC."
    response = post_form(moderator_client, f"{page}/reject", {"reason": reason}, page=page)
    assert response.status_code == 303
    saved = reload(db_session, posting)
    assert saved.status == "rejected" and saved.rejection_reason == reason
    assert saved.moderated_by == moderator.email
    assert deliver(db_session, smtp).sent == 1
    (message,) = smtp.messages
    assert message["To"] == RECRUITER
    assert reason in message.get_content()


def test_a_posting_already_decided_is_not_decided_again(moderator_client, db_session, tenant):
    posting = make_posting(db_session, tenant)
    page = f"/admin/moderation/{posting.public_id}"
    post_form(moderator_client, f"{page}/reject", {"reason": "Doublon."}, page=page)
    again = post_form(moderator_client, f"{page}/approve", page=page)
    assert again.status_code == 303
    assert reload(db_session, posting).status == "rejected"
    text = moderator_client.get(page).get_data(as_text=True)
    assert "Approuver" not in text and "Doublon." in text


def test_approve_without_csrf_token_changes_nothing(moderator_client, db_session, tenant):
    posting = make_posting(db_session, tenant)
    response = moderator_client.post(f"/admin/moderation/{posting.public_id}/approve")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/moderation/{posting.public_id}"
    assert reload(db_session, posting).status == "pending"


def test_a_published_posting_under_the_after_policy_is_confirmed(moderator_client, db_session, tenant, smtp):
    db_session.get(type(tenant), tenant.id).moderation_policy = "after"
    db_session.commit()
    posting = make_posting(db_session, tenant, status="published")
    text = moderator_client.get("/admin/moderation").get_data(as_text=True)
    assert posting.public_id in text
    page = f"/admin/moderation/{posting.public_id}"
    assert "Approuver l'offre en ligne" in moderator_client.get(page).get_data(as_text=True)
    assert post_form(moderator_client, f"{page}/approve", page=page).status_code == 303
    saved = reload(db_session, posting)
    assert saved.status == "published" and saved.moderated_at is not None
    assert posting.public_id not in moderator_client.get("/admin/moderation").get_data(as_text=True)

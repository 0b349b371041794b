"""Moderation services: the queue, approve (publishes into the tenant's direct source), reject;
each outcome reaches the recruiter through the outbox and a real SMTP server."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.catalog.models import JobOffer, Source
from app.recruiters import services
from tests.factories.catalog import NOW, make_tenant
from tests.factories.recruiters import make_posting, posting_fields
from tests.unit.recruiters.conftest import deliver, links_in, mail_to

MODERATOR = "moderatrice@region.example.org"
RECRUITER = "patron@brasserie.example.org"


def test_queue_holds_pending_and_unreviewed_published_postings_oldest_first(db_session, tenant):
    later = make_posting(db_session, tenant, "pending", now=NOW + timedelta(hours=2))
    first = make_posting(db_session, tenant, "pending", now=NOW)
    unreviewed = make_posting(db_session, tenant, "published", now=NOW + timedelta(hours=1))
    reviewed = make_posting(db_session, tenant, "published", now=NOW)
    reviewed.moderated_at = NOW
    make_posting(db_session, tenant, "draft")
    make_posting(db_session, tenant, "unverified")
    make_posting(db_session, make_tenant(db_session), "pending")  # another tenant's
    db_session.commit()

    queue = services.moderation_queue(db_session, tenant.id)

    assert [p.public_id for p in queue] == [first.public_id, unreviewed.public_id, later.public_id]


def test_get_posting_for_tenant_finds_nothing_of_another_tenant(db_session, tenant):
    posting = make_posting(db_session, tenant)
    other = make_tenant(db_session)
    assert services.get_posting_for_tenant(db_session, tenant.id, posting.public_id) is posting
    assert services.get_posting_for_tenant(db_session, other.id, posting.public_id) is None
    assert services.get_posting_for_tenant(db_session, tenant.id, "not-a-posting") is None


def test_approve_publishes_in_the_direct_source_and_tells_the_recruiter(app, client, db_session, tenant, smtp):
    posting = make_posting(db_session, tenant, "pending")
    now = NOW + timedelta(hours=3)
    with app.test_request_context():
        services.approve(db_session, posting, MODERATOR, now)
        db_session.commit()  # inside: the end of the request context closes the session

    assert posting.status == "published"
    assert (posting.moderated_at, posting.moderated_by) == (now, MODERATOR)
    assert posting.published_at == now and posting.expires_at == now + timedelta(days=60)
    offer = posting.offer
    assert isinstance(offer, JobOffer)
    assert (offer.source.kind, offer.source.slug, offer.partner_id) == ("direct", "direct-ara", posting.public_id)
    assert (offer.title, offer.organisation_name) == ("Cuisinier / Cuisinière", "Brasserie des Terreaux")
    assert (offer.apply_method, offer.apply_email, offer.apply_url) == ("platform", RECRUITER, None)
    assert (offer.commune_code, offer.departement_code, offer.region_code) == ("69123", "69", "84")
    assert offer.expires_at == posting.expires_at
    assert "<ul><li>préparer les entrées</li>" in offer.description

    assert deliver(db_session, smtp).sent == 1
    [message] = mail_to(smtp, RECRUITER)
    assert "est publiée" in message["Subject"]
    [offer_path] = links_in(message)
    page = client.get(offer_path)
    assert page.status_code == 200 and "Cuisinier / Cuisinière" in page.text


def test_one_direct_source_per_tenant_and_external_url_applications(app, db_session, tenant):
    first = make_posting(db_session, tenant, "pending")
    second = make_posting(db_session, tenant, "pending",
                          fields=posting_fields(apply_method="url", apply_url="https://jobs.example.org/42"))
    with app.test_request_context():
        services.approve(db_session, first, MODERATOR, NOW)
        services.approve(db_session, second, MODERATOR, NOW)
        db_session.commit()
    assert first.offer.source_id == second.offer.source_id
    [direct] = db_session.scalars(select(Source).where(Source.kind == "direct", Source.slug.like("direct-ara%"))).all()
    assert direct.id == first.offer.source_id
    assert (second.offer.apply_method, second.offer.apply_url, second.offer.apply_email) == (
        "url", "https://jobs.example.org/42", None)


def test_approve_after_publication_keeps_the_offer_and_marks_it_reviewed(app, db_session, tenant, smtp):
    tenant.moderation_policy = "after"
    posting = make_posting(db_session, tenant, "published")
    offer_id, published_at = posting.offer.id, posting.published_at
    with app.test_request_context():
        services.approve(db_session, posting, MODERATOR, NOW + timedelta(days=1))
        db_session.commit()
    assert posting.status == "published" and posting.offer.id == offer_id
    assert posting.published_at == published_at and posting.moderated_by == MODERATOR
    assert services.moderation_queue(db_session, tenant.id) == []


@pytest.mark.parametrize("status", ["draft", "unverified", "rejected", "closed"])
def test_approve_refuses_postings_not_awaiting_review(app, db_session, tenant, status):
    posting = make_posting(db_session, tenant, "draft" if status in ("rejected", "closed") else status)
    posting.status = status
    with app.test_request_context(), pytest.raises(services.NotAllowed):
        services.approve(db_session, posting, MODERATOR, NOW)


def test_reject_pending_tells_the_recruiter_why(app, db_session, tenant, smtp):
    posting = make_posting(db_session, tenant, "pending")
    with app.test_request_context():
        services.reject(db_session, posting, "Le salaire est inférieur au SMIC.", MODERATOR, NOW)
        db_session.commit()
    assert (posting.status, posting.rejection_reason, posting.moderated_by) == (
        "rejected", "Le salaire est inférieur au SMIC.", MODERATOR)
    assert posting.offer is None
    assert deliver(db_session, smtp).sent == 1
    [message] = mail_to(smtp, RECRUITER)
    assert "n'a pas été publiée" in message["Subject"]
    assert "Le salaire est inférieur au SMIC." in message.get_content()


def test_reject_after_publication_hides_the_offer_at_once(app, client, db_session, tenant, smtp):
    tenant.moderation_policy = "after"
    posting = make_posting(db_session, tenant, "published")
    now = NOW + timedelta(days=2)
    with app.test_request_context():
        services.reject(db_session, posting, "Offre en double.", MODERATOR, now)
        db_session.commit()
    assert posting.status == "rejected" and posting.offer.expires_at == now
    listing = client.get("/t/ara/jobs")
    assert "Cuisinier / Cuisinière" not in listing.text


def test_reject_needs_a_reason_and_a_posting_under_review(app, db_session, tenant):
    posting = make_posting(db_session, tenant, "pending")
    with app.test_request_context():
        with pytest.raises(ValueError):
            services.reject(db_session, posting, "  ", MODERATOR, NOW)
        posting.status = "closed"
        with pytest.raises(services.NotAllowed):
            services.reject(db_session, posting, "Spam", MODERATOR, NOW)


def test_approve_checks_the_external_address_again(app, db_session, tenant):
    posting = make_posting(db_session, tenant, "pending",
                           fields=posting_fields(apply_method="url", apply_url="javascript:alert(1)"))
    with app.test_request_context(), pytest.raises(services.NotAllowed):
        services.approve(db_session, posting, MODERATOR, NOW)
    assert posting.status == "pending" and posting.offer_id is None

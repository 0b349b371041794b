"""Recruiters' postings at any step of their life, for tests (commits, like the catalog builders)."""
import uuid
from datetime import timedelta

from app.recruiters import services
from app.recruiters.models import Posting
from tests.factories.catalog import NOW


def posting_fields(**changes) -> dict:
    fields = {
        "locale": "fr",
        "title": "Cuisinier / Cuisinière",
        "occupation_code": "G1602",
        "contract_type": "CDI",
        "working_time": "full_time",
        "commune_code": "69123",
        "salary_text": "2 000 € brut par mois",
        "start_date": "2027-01-04",
        "description": "Cuisine traditionnelle.\n\nMissions :\n- préparer les entrées\n- dresser les assiettes",
        "apply_method": "platform",
    }
    fields.update(changes)
    return fields


def make_posting(session, tenant, status="pending", now=NOW, fields=None, **values) -> Posting:
    """A posting of `tenant` in `status`: "draft", "unverified", "pending" (verified, awaiting
    moderation) or "published" (through the services, so the catalog offer exists)."""
    defaults = {"company_name": "Brasserie des Terreaux", "siret": "73282932000074", "company_commune_code": "69123",
                "contact_email": "patron@brasserie.example.org"}
    posting = Posting(public_id=str(uuid.uuid4()), tenant_id=tenant.id, status="draft",
                      fields=fields or posting_fields(), created_at=now, updated_at=now, **{**defaults, **values})
    posting.tenant = tenant
    session.add(posting)
    session.flush()
    if status != "draft":
        posting.status = "unverified"
        posting.submitted_at = now
    if status in ("pending", "published"):
        posting.status = "pending"
        posting.email_verified_at = now + timedelta(minutes=5)
    if status == "published":
        services.publish(session, posting, now + timedelta(minutes=5))
    session.commit()
    return posting

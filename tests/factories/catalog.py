"""Builders for test data: real reference rows (communes, ROME codes) with made-up offers.

Each builder commits: inside the `db_session` fixture a commit only releases a savepoint
(the test's transaction is still rolled back), and the data outlives the end of a
test-client request, which closes the session as production does.
"""
import itertools
from datetime import date, datetime, timedelta, timezone

from app.catalog.models import JobOffer, Source, TrainingOffer, TrainingSession
from app.catalog.text import fold
from app.tenants.models import Tenant

_numbers = itertools.count(1)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def make_tenant(session, **values) -> Tenant:
    number = next(_numbers)
    defaults = {
        "slug": f"region-{number}",
        "name": f"Région de test {number}",
        "region_codes": ["84"],
        "departement_codes": [],
        "allowed_hosts": ["https://www.region-test.fr"],
        "contact_email": "emploi@region-test.example.org",
    }
    tenant = Tenant(**{**defaults, **values})
    session.add(tenant)
    session.commit()
    return tenant


def make_source(session, **values) -> Source:
    number = next(_numbers)
    source = Source(**{"slug": f"source-{number}", "name": f"Partenaire {number}", "kind": "employer", **values})
    session.add(source)
    session.commit()
    return source


def make_job(session, source=None, **values) -> JobOffer:
    """A job in Lyon (69123) unless told otherwise."""
    number = next(_numbers)
    values = {
        "partner_id": f"job-{number}",
        "title": f"Serveur / Serveuse en restauration {number}",
        "description": "Service en salle.\nAccueil des clients.",
        "organisation_name": "Brasserie des Terreaux",
        "occupation_code": "G1803",
        "commune_code": "69123",
        "departement_code": "69",
        "region_code": "84",
        "location_precision": "commune",
        "latitude": 45.758,
        "longitude": 4.835,
        "contract_type": "CDI",
        "working_time": "full_time",
        "apply_method": "url",
        "apply_url": "https://recrutement.example.org/offres/1",
        "published_at": NOW - timedelta(days=number % 30),
        **values,
    }
    values.setdefault("search_text", fold(f"{values['title']} {values.get('organisation_name') or ''}"))
    offer = JobOffer(source=source or make_source(session), **values)
    session.add(offer)
    session.commit()
    return offer


def make_training(session, source=None, sessions=1, **values) -> TrainingOffer:
    number = next(_numbers)
    values = {
        "partner_id": f"training-{number}",
        "title": f"Titre professionnel Cuisinier {number}",
        "description": "Techniques de cuisine.",
        "objectives": "Devenir cuisinier.",
        "organisation_name": "Centre de formation du Rhône",
        "commune_code": "69123",
        "departement_code": "69",
        "region_code": "84",
        "location_precision": "commune",
        "rncp_codes": ["34095"],
        "is_certifying": True,
        "duration_hours": 800,
        "apply_url": "https://formation.example.org/cuisinier",
        "published_at": NOW - timedelta(days=number % 30),
        **values,
    }
    values.setdefault("search_text", fold(f"{values['title']} {values.get('organisation_name') or ''}"))
    offer = TrainingOffer(source=source or make_source(session, kind="training_body"), **values)
    for index in range(sessions):
        offer.sessions.append(
            TrainingSession(
                partner_id=f"s{index}",
                start_date=date(2027, 1, 4) + timedelta(days=90 * index),
                end_date=date(2027, 6, 30) + timedelta(days=90 * index),
                modality="onsite",
                place_label="Lyon",
                commune_code="69123",
            )
        )
    session.add(offer)
    session.commit()
    return offer

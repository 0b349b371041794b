"""A tenant with a few offers of each kind, for the API tests."""
from datetime import timedelta

import pytest

from tests.factories.catalog import NOW, make_job, make_tenant, make_training


@pytest.fixture
def catalog(db_session):
    tenant = make_tenant(db_session, slug="ara", name="Région Auvergne-Rhône-Alpes", region_codes=["84"])
    jobs = [
        make_job(db_session, title="Serveuse (H/F)", organisation_name="Brasserie Martin", contract_type="CDD"),
        make_job(db_session, title="Aide-soignant / Aide-soignante", occupation_code="J1501",
                 commune_code="38185", departement_code="38", latitude=45.187, longitude=5.726),
        make_job(db_session, title="Comptable", occupation_code="M1203", commune_code=None, departement_code="69",
                 location_precision="departement", latitude=None, longitude=None,
                 published_at=NOW - timedelta(days=2)),
    ]
    trainings = [make_training(db_session, title="CAP Cuisine", organisation_name="GRETA Lyon Métropole")]
    return {"tenant": tenant, "jobs": jobs, "trainings": trainings}

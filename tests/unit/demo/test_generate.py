from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.catalog.models import (
    CONTRACT_TYPES,
    MODALITIES,
    JobOffer,
    Offer,
    Source,
    TrainingOffer,
    TrainingSession,
)
from app.demo.generate import REFERENCE_DATE, generate_demo, job_row, load_pools
from app.demo.tenants import save_demo_tenants

GENERATED = Offer.partner_id.startswith("gen-")
SKIPPED_COLUMNS = {"id", "source_id", "ingested_at"}


@pytest.fixture
def demo_tenants(db_session):
    return save_demo_tenants(db_session)


def snapshot(session) -> list[tuple]:
    """Every generated row, ids left out: what a visitor would see."""
    columns = [column for column in Offer.__table__.columns if column.name not in SKIPPED_COLUMNS]
    offers = session.execute(
        select(Source.slug, *columns).join(Source).where(GENERATED).order_by(Offer.partner_id)
    ).all()
    session_columns = [c for c in TrainingSession.__table__.columns if c.name not in ("id", "offer_id")]
    sessions = session.execute(
        select(Offer.partner_id, *session_columns)
        .join(Offer, TrainingSession.offer_id == Offer.id)
        .order_by(TrainingSession.partner_id)
    ).all()
    return [tuple(row) for row in offers + sessions]


def test_the_same_seed_gives_the_same_offers(db_session, demo_tenants):
    with db_session.begin_nested() as first_run:
        generate_demo(db_session, jobs=120, trainings=80, seed=3)
        first = snapshot(db_session)
        first_run.rollback()

    generate_demo(db_session, jobs=120, trainings=80, seed=3)

    assert len(first) > 200
    assert snapshot(db_session) == first


def test_another_seed_gives_other_offers(db_session, demo_tenants):
    pools = load_pools(db_session)
    source_ids = {"temp_agency": 1, "employer": 2}

    assert job_row(pools, 1, 0, REFERENCE_DATE, source_ids) == job_row(pools, 1, 0, REFERENCE_DATE, source_ids)
    assert job_row(pools, 1, 0, REFERENCE_DATE, source_ids) != job_row(pools, 2, 0, REFERENCE_DATE, source_ids)


def test_offers_are_placed_in_the_tenants_regions_weighted_by_population(db_session, demo_tenants):
    generate_demo(db_session, jobs=300, trainings=200, seed=1)

    offers = db_session.execute(select(Offer.region_code, Offer.commune_code).where(GENERATED)).all()
    assert {region for region, _commune in offers} == {"84", "32"}
    communes = Counter(commune for _region, commune in offers if commune)
    [(most_frequent, _count)] = communes.most_common(1)
    assert most_frequent == "69123"  # Lyon
    assert communes["59350"] >= 4  # Lille
    assert communes["69123"] >= 10 * communes.most_common()[-1][1]


def test_about_one_job_in_ten_names_only_its_departement(db_session, demo_tenants):
    generate_demo(db_session, jobs=300, trainings=0, seed=1)

    precisions = Counter(db_session.scalars(select(JobOffer.location_precision).where(GENERATED)))
    assert 15 <= precisions["departement"] <= 50
    assert precisions["commune"] + precisions["departement"] == 300
    departement_only = select(func.count(JobOffer.id)).where(
        GENERATED, JobOffer.location_precision == "departement", JobOffer.commune_code.is_not(None)
    )
    assert db_session.scalar(departement_only) == 0


def test_without_tenants_offers_spread_over_france(db_session):
    generate_demo(db_session, jobs=200, trainings=0, seed=1)

    regions = set(db_session.scalars(select(JobOffer.region_code).where(GENERATED)))
    assert len(regions) >= 10


def test_jobs_look_like_real_offers(db_session, demo_tenants):
    generate_demo(db_session, jobs=300, trainings=0, seed=1)

    jobs = list(db_session.scalars(select(JobOffer).where(GENERATED)))
    contracts = Counter(job.contract_type for job in jobs)
    assert set(contracts) <= set(CONTRACT_TYPES)
    assert contracts.most_common(1)[0][0] == "CDI"
    assert all(job.source.slug == "demo-agences-interim" for job in jobs if job.contract_type == "MIS")
    assert all("Intérim" in job.organisation_name for job in jobs if job.contract_type == "MIS")
    for job in jobs:
        assert REFERENCE_DATE - timedelta(days=60) <= job.published_at <= REFERENCE_DATE
        assert job.expires_at - job.published_at == timedelta(days=60)
        assert job.occupation_code and job.description.count("\n\n") >= 3
        assert job.apply_email.endswith(".example.org")
    with_salary = [job for job in jobs if job.salary_period]
    assert len(with_salary) > 150
    assert all(job.salary_min <= job.salary_max for job in with_salary)
    assert {job.salary_period for job in with_salary} == {"HOUR", "MONTH", "YEAR"}


def test_trainings_have_sessions(db_session, demo_tenants):
    generate_demo(db_session, jobs=0, trainings=200, seed=1)

    trainings = list(db_session.scalars(select(TrainingOffer).where(GENERATED)))
    assert len(trainings) == 200
    assert all(1 <= len(training.sessions) <= 3 for training in trainings)
    assert all(training.rncp_codes for training in trainings if training.is_certifying)
    modalities = Counter(session.modality for training in trainings for session in training.sessions)
    assert set(modalities) <= set(MODALITIES) and modalities["distance"] > 0


def test_generating_again_adds_only_what_is_missing(db_session, demo_tenants):
    generate_demo(db_session, jobs=100, trainings=50, seed=1)

    again = generate_demo(db_session, jobs=100, trainings=50, seed=1)
    more = generate_demo(db_session, jobs=150, trainings=50, seed=1)

    assert again == {"jobs": 0, "trainings": 0, "sessions": 0, "already_there": 150}
    assert (more["jobs"], more["trainings"]) == (50, 0)
    assert db_session.scalar(select(func.count(Offer.id)).where(GENERATED)) == 200
    assert db_session.scalar(select(func.count(Source.id)).where(Source.slug.startswith("demo-"))) == 3

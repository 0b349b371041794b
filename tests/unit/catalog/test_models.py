import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.catalog.models import JobOffer, Offer, TrainingOffer, TrainingSession
from tests.factories.catalog import make_job, make_source, make_training


def test_both_kinds_share_one_table_and_load_as_their_class(db_session):
    job = make_job(db_session)
    training = make_training(db_session)
    loaded = {offer.id: offer for offer in db_session.scalars(select(Offer).where(Offer.id.in_([job.id, training.id])))}
    assert isinstance(loaded[job.id], JobOffer)
    assert isinstance(loaded[training.id], TrainingOffer)
    assert loaded[job.id].kind == "job" and loaded[training.id].kind == "training"


def test_a_partner_record_exists_once_per_source(db_session):
    source = make_source(db_session)
    make_job(db_session, source=source, partner_id="185QVKY")
    make_job(db_session, partner_id="185QVKY")  # another source may use the same id
    with pytest.raises(IntegrityError):
        make_job(db_session, source=source, partner_id="185QVKY")
    db_session.rollback()


def test_sessions_belong_to_their_training_and_go_with_it(db_session):
    training = make_training(db_session, sessions=3)
    assert [s.start_date for s in training.sessions] == sorted(s.start_date for s in training.sessions)
    db_session.delete(training)
    db_session.commit()
    assert db_session.scalars(select(TrainingSession).where(TrainingSession.offer_id == training.id)).all() == []


def test_datetimes_come_back_in_utc(db_session):
    job = make_job(db_session)
    db_session.expire_all()
    reloaded = db_session.get(JobOffer, job.id)
    assert reloaded.published_at.utcoffset().total_seconds() == 0


def test_naive_datetimes_are_refused(db_session):
    from datetime import datetime

    with pytest.raises(Exception, match="naive datetime"):
        make_job(db_session, published_at=datetime(2026, 1, 1))
    db_session.rollback()

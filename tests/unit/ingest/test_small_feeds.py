import copy

from sqlalchemy import func, select

from app.catalog.models import JobOffer, Source, TrainingOffer, TrainingSession
from app.demo.load import FEEDS_DIR
from app.ingest.connectors.france_travail import parse_offer
from app.ingest.services import get_or_create_source, load_france_travail, load_lheo, save_offer


def ft_source(db_session):
    return get_or_create_source(db_session, "ft-test", "France Travail", "public_service", 30, "ft-offres-v2")


def session_count(db_session, training) -> int:
    return db_session.scalar(select(func.count(TrainingSession.id)).where(TrainingSession.offer_id == training.id))


def test_get_or_create_source_returns_the_existing_source(db_session):
    first = ft_source(db_session)
    again = get_or_create_source(db_session, "ft-test", "Autre nom", "aggregator", 90, "csv")

    assert again.id == first.id
    assert again.name == "France Travail"
    assert db_session.scalar(select(func.count(Source.id)).where(Source.slug == "ft-test")) == 1


def test_save_offer_inserts_then_skips_then_updates(db_session, ft_records, context):
    source = ft_source(db_session)
    record = ft_records["9169648"]

    offer, status = save_offer(db_session, source, "job", parse_offer(record, context).values)
    assert status == "new"
    assert isinstance(offer, JobOffer) and offer.commune_code == "74010"

    _same, status = save_offer(db_session, source, "job", parse_offer(copy.deepcopy(record), context).values)
    assert status == "unchanged"

    changed = {**copy.deepcopy(record), "intitule": "Administrateur de bases de données confirmé (H/F)"}
    updated, status = save_offer(db_session, source, "job", parse_offer(changed, context).values)
    assert status == "updated"
    assert updated.id == offer.id
    assert updated.title == "Administrateur de bases de données confirmé (H/F)"
    assert db_session.scalar(select(func.count(JobOffer.id)).where(JobOffer.source_id == source.id)) == 1


def test_load_france_travail_reports_bad_records_and_saves_the_rest(db_session, ft_records, places, occupations):
    source = ft_source(db_session)
    records = [ft_records["9169648"], {"id": "0000000", "intitule": ""}]

    report = load_france_travail(db_session, source, records, places, occupations)

    assert report.counts == {"new": 1, "rejected": 1}
    assert [rejection.record_id for rejection in report.rejected] == ["0000000"]


def test_load_lheo_saves_trainings_with_their_sessions_once(db_session, places, occupations):
    source = get_or_create_source(db_session, "carif-test", "Carif", "public_service", 30, "lheo")
    feed = FEEDS_DIR / "trefle_formation_lheo22.xml"

    first = load_lheo(db_session, source, feed, places, occupations)
    second = load_lheo(db_session, source, feed, places, occupations)

    assert (first.counts, second.counts) == ({"new": 1}, {"unchanged": 1})
    training = db_session.scalar(select(TrainingOffer).where(TrainingOffer.source_id == source.id))
    assert sorted(s.start_date.isoformat() for s in training.sessions) == ["2017-10-30", "2017-12-04"]
    assert session_count(db_session, training) == 2


def test_an_updated_training_replaces_its_sessions(db_session, places, occupations):
    source = get_or_create_source(db_session, "carif-test", "Carif", "public_service", 30, "lheo")
    feed = (FEEDS_DIR / "trefle_formation_lheo22.xml").read_bytes()
    load_lheo(db_session, source, feed, places, occupations)

    moved = feed.replace(b"<debut>20171204</debut>", b"<debut>20180108</debut>")

    report = load_lheo(db_session, source, moved, places, occupations)

    assert report.counts == {"updated": 1}
    training = db_session.scalar(select(TrainingOffer).where(TrainingOffer.source_id == source.id))
    assert sorted(s.start_date.isoformat() for s in training.sessions) == ["2017-10-30", "2018-01-08"]
    assert session_count(db_session, training) == 2

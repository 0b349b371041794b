"""Broad searches count from precomputed groups (app/search/counts.py): the same counts as
counting offer by offer, whoever writes offers, as time passes, and through the command.

Each check runs a set of broad searches twice — from the groups, then with the groups' day
removed so that the search counts the offers one by one — and compares totals and every facet.
"""
import random
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, insert, select, update
from werkzeug.datastructures import MultiDict

from app.catalog.models import Offer, TrainingOffer, TrainingSession
from app.search.counts import fold_counts, is_broad, precomputed_counts, rebuild_counts
from app.search.criteria import read_criteria
from app.search.facets import CALENDAR, FACETS_BY_KIND
from app.search.models import CountDelta, CountGroup, CountState
from app.search.services import search_offers
from tests.factories.catalog import make_job, make_source, make_tenant, make_training

# 10:00 in Paris on a Monday: the groups' day began at 23:00 UTC the evening before.
NOW = datetime(2026, 11, 23, 10, tzinfo=CALENDAR).astimezone(timezone.utc)
DAY_START = datetime(2026, 11, 23, tzinfo=CALENDAR).astimezone(timezone.utc)
PLACES = [("69123", "69", "84"), ("38185", "38", "84"), ("63113", "63", "84"), ("75056", "75", "11"), (None, "01", "84")]
JOB_SEARCHES = [
    {}, {"departement": "69"}, {"departement": "38"}, {"region": "84"}, {"contract": "CDD"},
    {"contract": ["CDI", "MIS"], "working_time": "part_time"}, {"published": "1"}, {"published": "7"},
    {"salary": "2000"}, {"experience": "beginner", "apprenticeship": "1"}, {"accessible": "1"},
    {"departement": "69", "published": "3", "salary": "1800"}, {"page": "2"},
]
TRAINING_SEARCHES = [
    {}, {"departement": "69"}, {"region": "84"}, {"certifying": "1"}, {"starts": "30"}, {"starts": "90"},
    {"starts": "180", "distance": "1"}, {"published": "3"}, {"departement": "38", "starts": "90"}, {"page": "2"},
]
SEARCHES = {"job": JOB_SEARCHES, "training": TRAINING_SEARCHES}


def counts_of(db_session, tenant, arguments: dict, now: datetime, kind: str = "job") -> tuple:
    criteria = read_criteria(db_session, tenant, kind, MultiDict(arguments), per_page=5).criteria
    result = search_offers(db_session, tenant, criteria, now=now)
    return result.page.total, result.facets, [card.id for card in result.page.items], result.training_bodies


def assert_groups_count_exactly(db_session, tenant, now: datetime = NOW, kind: str = "job") -> int:
    """Every search counted from the groups, then offer by offer; returns the landing total."""
    criteria = read_criteria(db_session, tenant, kind, MultiDict(), per_page=5).criteria
    assert precomputed_counts(db_session, tenant, criteria, [], now, 10) is not None, "groups not used"
    from_groups = [counts_of(db_session, tenant, arguments, now, kind) for arguments in SEARCHES[kind]]
    state = db_session.get(CountState, 1)
    real_day = state.day
    state.day = date(2000, 1, 1)  # not today: searches count the offers one by one
    db_session.flush()
    assert precomputed_counts(db_session, tenant, criteria, [], now, 10) is None
    one_by_one = [counts_of(db_session, tenant, arguments, now, kind) for arguments in SEARCHES[kind]]
    state.day = real_day
    db_session.flush()
    for arguments, grouped, counted in zip(SEARCHES[kind], from_groups, one_by_one):
        assert grouped == counted, arguments
    return from_groups[0][0]


def random_job(db_session, rng: random.Random, source, **values):
    commune, departement, region = rng.choice(PLACES)
    published = NOW - timedelta(hours=rng.randrange(0, 24 * 40))
    expires = rng.choice([None, NOW + timedelta(days=rng.randrange(1, 60)), NOW - timedelta(days=3),
                          DAY_START + timedelta(hours=rng.randrange(1, 24))])  # some expire today
    drawn = dict(
        commune_code=commune, departement_code=departement, region_code=region,
        location_precision="commune" if commune else "departement",
        contract_type=rng.choice(["CDI", "CDD", "MIS", "ALT", None]),
        working_time=rng.choice(["full_time", "part_time", None]),
        experience=rng.choice(["beginner", "desired", "required", None]),
        is_apprenticeship=rng.random() < 0.2, is_accessible_disabled=rng.random() < 0.3,
        salary_min=rng.choice([None, 11.9, 1750.0, 2100.0, 31000.0, 3200.0]),
        salary_period=rng.choice(["HOUR", "MONTH", "YEAR"]),
        published_at=published, expires_at=expires,
    )
    return make_job(db_session, source=source, **{**drawn, **values})


def random_training(db_session, rng: random.Random, **values):
    """Sessions before, around and after today: some trainings have one started and one to come."""
    commune, departement, region = rng.choice(PLACES)
    training = make_training(
        db_session, sessions=0, commune_code=commune, departement_code=departement, region_code=region,
        is_certifying=rng.random() < 0.5, organisation_name=rng.choice(["GRETA", "AFPA", "CFA BTP", None] + [f"Organisme {n}" for n in range(12)]),
        published_at=NOW - timedelta(hours=rng.randrange(0, 24 * 40)),
        expires_at=rng.choice([None, NOW + timedelta(days=20), DAY_START + timedelta(hours=rng.randrange(1, 24))]),
        **values,
    )
    for number in range(rng.randrange(0, 4)):
        start = NOW.date() + timedelta(days=rng.randrange(-60, 200))
        training.sessions.append(TrainingSession(
            partner_id=f"s{number}", start_date=start, modality=rng.choice(["onsite", "distance"]),
            commune_code=commune))
    db_session.commit()
    return training


@pytest.fixture
def catalogue(db_session):
    """A tenant over two régions' worth of varied jobs, trainings beside them, groups built."""
    rng = random.Random(4)
    tenant = make_tenant(db_session, region_codes=["84"], departement_codes=["75"])
    source = make_source(db_session)
    jobs = [random_job(db_session, rng, source) for _ in range(120)]
    for duplicate in jobs[:6]:
        duplicate.duplicate_of_id = jobs[-1].id
    trainings = [random_training(db_session, rng) for _ in range(60)]
    trainings[0].duplicate_of_id = trainings[1].id
    db_session.commit()
    rebuild_counts(db_session, NOW)
    db_session.commit()
    return tenant, source, jobs, rng


@pytest.mark.parametrize("kind", ["job", "training"])
def test_broad_searches_count_the_same_from_the_groups(db_session, catalogue, kind):
    tenant, *_ = catalogue
    total = assert_groups_count_exactly(db_session, tenant, kind=kind)
    assert total > 30
    if kind == "training":  # the training bodies list of a search without facets, from the bodies' counts
        criteria = read_criteria(db_session, tenant, kind, MultiDict(), per_page=5).criteria
        bodies = precomputed_counts(db_session, tenant, criteria, [], NOW, 10).training_bodies
        assert len(bodies) == 10 and bodies == counts_of(db_session, tenant, {}, NOW, kind)[3]
    assert db_session.scalar(select(func.count()).select_from(CountDelta)) == 0


def test_every_kind_of_write_is_counted_before_and_after_folding(db_session, catalogue):
    tenant, source, jobs, rng = catalogue
    landing = assert_groups_count_exactly(db_session, tenant)
    # ORM writes: new offers, a facet changed, moved out of the tenant, made a duplicate, deleted.
    for _ in range(5):
        random_job(db_session, rng, source, expires_at=None)
    jobs[10].contract_type, jobs[11].salary_min, jobs[12].published_at = "STG", 2600.0, NOW - timedelta(hours=1)
    jobs[13].region_code, jobs[13].departement_code, jobs[13].commune_code = "44", "13", None
    jobs[14].duplicate_of_id = jobs[15].id
    jobs[6].duplicate_of_id = None  # no longer a duplicate: counted again
    db_session.delete(jobs[16])
    # Core writes, as the feed writer and the deduplication do them.
    offers = Offer.__table__
    db_session.execute(update(offers).where(offers.c.id == jobs[17].id).values(working_time="part_time"))
    db_session.execute(insert(offers).values(
        kind="job", source_id=source.id, partner_id="bulk-1", title="Cariste", description="",
        departement_code="69", region_code="84", location_precision="departement",
        published_at=NOW - timedelta(days=2), contract_type="MIS", apply_method="url",
    ))
    db_session.execute(update(offers).where(offers.c.id == jobs[18].id).values(title="Renamed"))  # no count change
    # Trainings: a new one, a session added (its next start changes), one expired, one deleted.
    trainings = db_session.scalars(select(TrainingOffer).order_by(TrainingOffer.id)).all()
    random_training(db_session, rng)
    trainings[5].sessions.append(TrainingSession(partner_id="new", start_date=NOW.date() + timedelta(days=3),
                                                 modality="distance", commune_code="69123"))
    trainings[6].expires_at = NOW - timedelta(minutes=5)
    for training in trainings[8:20]:  # one body grows past the others
        training.organisation_name = "Nouvel organisme"
    db_session.delete(trainings[7])
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(CountDelta)) > 0
    assert_groups_count_exactly(db_session, tenant)  # groups + deltas
    assert_groups_count_exactly(db_session, tenant, kind="training")

    refresh = fold_counts(db_session, NOW)
    db_session.commit()
    assert not refresh.rebuilt and refresh.deltas_folded > 0
    assert db_session.scalar(select(func.count()).select_from(CountDelta)) == 0
    after = assert_groups_count_exactly(db_session, tenant)
    assert after != landing
    assert_groups_count_exactly(db_session, tenant, kind="training")
    # One row per key after a fold, none empty.
    keys = [tuple(row) for row in db_session.execute(select(*[
        column for column in CountGroup.__table__.c if column.name not in ("id", "offers")]))]
    assert len(keys) == len(set(keys))
    assert db_session.scalar(select(func.min(CountGroup.offers))) > 0


def test_offers_expiring_during_the_day_leave_the_counts(db_session, catalogue):
    tenant, source, jobs, rng = catalogue
    make_job(db_session, source=source, expires_at=NOW + timedelta(hours=2), contract_type="LIB")
    db_session.commit()
    before = counts_of(db_session, tenant, {"contract": "LIB"}, NOW)[0]
    later = NOW + timedelta(hours=3)  # same calendar day, after that expiry and others
    assert counts_of(db_session, tenant, {"contract": "LIB"}, later)[0] == before - 1
    assert_groups_count_exactly(db_session, tenant, later)
    assert_groups_count_exactly(db_session, tenant, later, kind="training")


def test_a_new_day_counts_offer_by_offer_until_the_groups_are_rebuilt(db_session, catalogue):
    tenant, *_ = catalogue
    tomorrow = NOW + timedelta(days=1)
    criteria = read_criteria(db_session, tenant, "job", MultiDict(), per_page=5).criteria
    assert precomputed_counts(db_session, tenant, criteria, [], tomorrow, 10) is None
    refresh = fold_counts(db_session, tomorrow)  # a fold on a new day rebuilds
    db_session.commit()
    assert refresh.rebuilt
    assert db_session.get(CountState, 1).day == date(2026, 11, 24)
    assert_groups_count_exactly(db_session, tenant, tomorrow)
    assert_groups_count_exactly(db_session, tenant, tomorrow, kind="training")


def test_published_since_counts_calendar_days_in_france(db_session):
    tenant = make_tenant(db_session, region_codes=["84"])
    source = make_source(db_session)
    paris = CALENDAR
    make_job(db_session, source=source, published_at=datetime(2026, 11, 22, 0, 5, tzinfo=paris))  # yesterday
    make_job(db_session, source=source, published_at=datetime(2026, 11, 21, 23, 55, tzinfo=paris))  # day before
    make_job(db_session, source=source, published_at=datetime(2026, 11, 20, 0, 1, tzinfo=paris))  # 3 days ago
    db_session.execute(delete(CountState))
    morning = datetime(2026, 11, 23, 0, 30, tzinfo=paris)  # 23:30 UTC on the 22nd
    total, facets, *_ = counts_of(db_session, tenant, {}, morning)
    assert total == 3
    assert facets["published"][1] == 1  # since yesterday, whatever the hour
    assert facets["published"][3] == 3
    rebuild_counts(db_session, morning)
    assert counts_of(db_session, tenant, {}, morning)[:2] == (total, facets)


def test_the_command_rebuilds_then_folds(app, db_session, catalogue):
    tenant, source, jobs, rng = catalogue
    db_session.execute(delete(CountState))
    db_session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["search", "counts"])
    assert first.exit_code == 0, first.output
    assert "rebuilt" in first.output
    random_job(db_session, rng, source)
    db_session.commit()
    second = runner.invoke(args=["search", "counts"])
    assert second.exit_code == 0, second.output
    assert "folded 1 change" in second.output
    today = datetime.now(timezone.utc)
    criteria = read_criteria(db_session, tenant, "job", MultiDict(), per_page=5).criteria
    assert precomputed_counts(db_session, tenant, criteria, [], today, 10) is not None


def test_searches_with_words_a_commune_an_occupation_or_a_training_body_count_offer_by_offer(db_session, catalogue):
    tenant, *_ = catalogue
    for kind, arguments in [("job", {"q": "serveur"}), ("job", {"occupation": "G1803"}),
                            ("job", {"commune": "69123", "radius": "10"}), ("training", {"organisme": "GRETA"})]:
        criteria = read_criteria(db_session, tenant, kind, MultiDict(arguments), per_page=5).criteria
        assert not is_broad(criteria), arguments
    criteria = read_criteria(db_session, tenant, "job", MultiDict({"departement": "69"}), per_page=5).criteria
    assert is_broad(criteria)


@pytest.mark.parametrize("kind", ["job", "training"])
def test_each_facet_option_counts_what_choosing_it_would_find(db_session, catalogue, kind):
    """A facet's count for an option, under the other facets' choices, is the total the search
    finds once that option is chosen instead: from the groups and offer by offer."""
    tenant, *_ = catalogue
    selections = [{}, {"contract": "CDD", "published": "7"}, {"salary": "2000", "apprenticeship": "1"},
                  {"working_time": "part_time", "experience": ["beginner", "required"]}] if kind == "job" else [
                  {}, {"certifying": "1"}, {"starts": "90", "published": "30"}, {"distance": "1", "certifying": "1"}]
    for groups_day in (None, date(2000, 1, 1)):
        if groups_day:  # second pass: offer by offer
            db_session.get(CountState, 1).day = groups_day
            db_session.flush()
        for selection in selections:
            facets = counts_of(db_session, tenant, selection, NOW, kind)[1]
            for facet in FACETS_BY_KIND[kind]:
                for option, count in facets[facet.name].items():
                    chosen = {**selection, facet.name: "1" if option is True else str(option)}
                    assert counts_of(db_session, tenant, chosen, NOW, kind)[0] == count, (selection, facet.name, option)

"""What migration 0009 made faster must not change what a search finds or counts.

- A training's session facts (first and last start, any distance session) follow every write:
  ORM (factories, feeds through save_offer) and bulk (the ingest writer).
- The "starts within" facet computed from them equals the definition on the sessions, for
  trainings in every state.
- The "no precise place" count, now grouped with the facets, equals a plain count.
- On SQLite the counts read a covering index, never the offer rows.
- On PostgreSQL a search with words reads its matches once, for its counts, its page and
  the page's cards.
"""
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event, exists, func, select
from werkzeug.datastructures import MultiDict

from app.catalog.models import Offer, TrainingOffer, TrainingSession
from app.ingest.connectors.base import OfferRecord
from app.ingest.writer import OfferWriter
from app.search.criteria import read_criteria
from app.search.cards import offer_cards
from app.search.facets import STARTS_WITHIN_DAYS, counting_parts, facet_expressions
from app.search.index import session_columns
from app.search.services import (
    count_facets,
    count_training_bodies,
    facet_conditions,
    ids_of_page,
    imprecise_nearby_conditions,
    search_conditions,
    search_offers,
)
from tests.factories.catalog import make_job, make_source, make_tenant, make_training

TODAY = date(2026, 11, 23)
NOW = datetime.combine(TODAY, time(9), tzinfo=timezone.utc)


def stored(db_session, offer) -> tuple:
    db_session.expire(offer)
    return offer.first_session_start, offer.last_session_start, offer.has_distance_session


def session(start: date | None, modality: str = "onsite", partner_id: str = "s") -> TrainingSession:
    return TrainingSession(partner_id=partner_id, start_date=start, modality=modality, commune_code="69123")


def test_session_columns_from_rows_or_objects():
    rows = [{"start_date": date(2027, 3, 1), "modality": "onsite"}, {"start_date": None, "modality": "blended"},
            {"start_date": date(2027, 1, 4), "modality": None}]
    expected = {"first_session_start": date(2027, 1, 4), "last_session_start": date(2027, 3, 1),
                "has_distance_session": True}
    assert session_columns(rows) == expected
    assert session_columns([session(row["start_date"], row["modality"]) for row in rows]) == expected
    assert session_columns([]) == {"first_session_start": None, "last_session_start": None,
                                   "has_distance_session": False}


def test_orm_writes_keep_the_session_columns(db_session):
    offer = make_training(db_session, sessions=2)  # 2027-01-04 and 2027-04-04, on site
    assert stored(db_session, offer) == (date(2027, 1, 4), date(2027, 4, 4), False)

    offer.sessions.append(session(date(2026, 12, 7), "distance", "s9"))  # a new session
    db_session.commit()
    assert stored(db_session, offer) == (date(2026, 12, 7), date(2027, 4, 4), True)

    added = next(item for item in offer.sessions if item.partner_id == "s9")
    added.start_date, added.modality = date(2027, 9, 6), "onsite"  # a session changed alone
    db_session.commit()
    assert stored(db_session, offer) == (date(2027, 1, 4), date(2027, 9, 6), False)

    db_session.delete(added)  # a session deleted alone
    db_session.commit()
    assert stored(db_session, offer) == (date(2027, 1, 4), date(2027, 4, 4), False)

    offer.sessions = [session(None, "blended")]  # replaced, as save_offer does
    db_session.commit()
    assert stored(db_session, offer) == (None, None, True)

    db_session.add(TrainingSession(offer_id=offer.id, partner_id="by-id", start_date=date(2027, 2, 1)))
    db_session.commit()  # linked by id only
    assert stored(db_session, offer) == (date(2027, 2, 1), date(2027, 2, 1), True)


def test_the_ingest_writer_fills_the_session_columns(db_session):
    source = make_source(db_session, kind="training_body")
    writer = OfferWriter(db_session, source.id, "training", known_ids={})
    values = {"partner_id": "bulk-1", "title": "Formation cuisinier", "description": "", "published_at": NOW,
              "location_precision": "country", "apply_method": "url", "content_hash": "h1",
              "search_text": "formation cuisinier"}
    writer.add(OfferRecord(values=values, sessions=[
        {"partner_id": "a", "start_date": date(2027, 5, 3), "modality": "distance"},
        {"partner_id": "b", "start_date": date(2027, 2, 1), "modality": "onsite"},
    ]))
    writer.flush()
    offer = db_session.get(TrainingOffer, writer.new_ids[0])
    assert stored(db_session, offer) == (date(2027, 2, 1), date(2027, 5, 3), True)


def starts_by_definition(db_session, offer_ids) -> dict[int, int]:
    """The facet as first written: the tightest N with a session starting within N days."""
    def within(days):
        return exists(select(TrainingSession.id).where(
            TrainingSession.offer_id == Offer.id,
            TrainingSession.start_date >= TODAY, TrainingSession.start_date <= TODAY + timedelta(days=days),
        ))
    rows = db_session.execute(select(Offer.id, *(within(days) for days in STARTS_WITHIN_DAYS))
                              .where(Offer.id.in_(offer_ids)))
    return {row[0]: next((days for days, hit in zip(STARTS_WITHIN_DAYS, row[1:]) if hit), 0) for row in rows}


def test_the_starts_facet_equals_its_definition(db_session):
    starts = {  # (session starts) for trainings in every state relative to today
        "none": [], "undated": [None], "past": [TODAY - timedelta(days=20)],
        "today": [TODAY], "in 10 days": [TODAY + timedelta(days=10)], "in 30 days": [TODAY + timedelta(days=30)],
        "in 31 days": [TODAY + timedelta(days=31)], "in 200 days": [TODAY + timedelta(days=200)],
        "started, next in 20": [TODAY - timedelta(days=5), TODAY + timedelta(days=20)],
        "started, next in 100": [TODAY - timedelta(days=1), TODAY + timedelta(days=100), TODAY + timedelta(days=300)],
        "started, next in 400": [TODAY - timedelta(days=9), None, TODAY + timedelta(days=400)],
    }
    ids = []
    for name, dates in starts.items():
        offer = make_training(db_session, sessions=0, title=f"Formation {name}")
        offer.sessions = [session(start, partner_id=f"s{index}") for index, start in enumerate(dates)]
        db_session.commit()
        ids.append(offer.id)
    expression = facet_expressions("training", NOW)["starts"]
    found = dict(db_session.execute(select(Offer.id, expression).where(Offer.id.in_(ids))).all())
    assert found == starts_by_definition(db_session, ids)
    assert set(found.values()) == {0, 30, 90, 180}  # every bucket is exercised
    for split in (False, True):  # counted in one part (SQLite) or two (PostgreSQL): the same counts
        counts = Counter()
        for extra, expressions in counting_parts("training", NOW, facet_expressions("training", NOW), split):
            starts = expressions["starts"]
            counts.update(dict(db_session.execute(
                select(starts, func.count()).where(Offer.id.in_(ids), *extra).group_by(starts)
            ).all()))
        assert counts == Counter(found.values()), split


def test_the_imprecise_count_shares_the_facet_statement(db_session):
    tenant = make_tenant(db_session)
    make_job(db_session)  # Lyon
    make_job(db_session, contract_type="CDD")
    unplaced = {"commune_code": None, "departement_code": "69", "location_precision": "departement",
                "latitude": None, "longitude": None}
    make_job(db_session, **unplaced)
    make_job(db_session, **unplaced, contract_type="CDD")
    make_job(db_session, **{**unplaced, "departement_code": "38"})  # another département
    for contract, imprecise in (("", 2), ("CDD", 1)):
        arguments = MultiDict({"commune": "69123", "radius": "10", **({"contract": contract} if contract else {})})
        reading = read_criteria(db_session, tenant, "job", arguments, per_page=20)
        result = search_offers(db_session, tenant, reading.criteria)
        criteria = reading.criteria
        conditions = search_conditions(db_session, tenant, criteria, datetime.now(timezone.utc))
        plain = db_session.scalar(select(func.count()).select_from(Offer).where(
            *conditions.common, Offer.departement_code == "69", Offer.commune_code.is_(None),
            *([Offer.__table__.c.contract_type == contract] if contract else []),
        ))
        assert result.imprecise_nearby == plain == imprecise
        assert result.page.total == (1 if contract else 2)


def test_sqlite_counts_read_a_covering_index(db_session):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("covering indexes are SQLite's (migration 0009)")
    tenant = make_tenant(db_session)
    for kind, arguments in (("job", {}), ("training", {}), ("job", {"commune": "69123", "contract": "CDI"}),
                            ("job", {"occupation": "G1803", "commune": "69123"})):
        criteria = read_criteria(db_session, tenant, kind, MultiDict(arguments), per_page=20).criteria
        expressions = facet_expressions(kind, NOW)
        columns = [expression.label(name) for name, expression in expressions.items()]
        statement = select(*columns, func.count()).where(*search_conditions(db_session, tenant, criteria, NOW).all)
        executed = []
        engine = db_session.get_bind().engine
        listener = lambda *args: executed.append(args[2:4])  # noqa: E731  (statement, parameters)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            db_session.execute(statement.group_by(*columns)).all()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        sql, parameters = executed[-1]
        plan = db_session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()
        offers_steps = [row[3] for row in plan if " offers " in f" {row[3]} "]
        assert offers_steps and all("COVERING INDEX ix_offers_search_by" in step for step in offers_steps), (kind, plan)


def test_a_search_with_words_reads_its_matches_once(db_session):
    """The counts, the page and its cards of a search with words (on PostgreSQL, with
    occupations too) come from one statement over the matching rows (count_and_page), so the
    full-text match runs once; they equal the counts and the page of two separate statements
    (count_facets, ids_of_page) and the cards offer_cards reads for those ids, with imprecise
    neighbours, a selected facet, every order and trainings (whose training bodies are counted
    apart, and sessions read after). SQLite searches by occupation alone keep two statements
    and the cards: its covering indexes answer them."""
    postgresql = db_session.get_bind().dialect.name == "postgresql"
    tenant = make_tenant(db_session)
    unplaced = {"commune_code": None, "departement_code": "69", "location_precision": "departement",
                "latitude": None, "longitude": None}
    for number in range(6):
        make_job(db_session, contract_type=("CDI", "CDD")[number % 2],
                 title="Cuisinier" if number % 3 else "Serveur de salle")  # occupation G1803 for all
        make_job(db_session, **unplaced, contract_type=("CDI", "CDD")[number % 2])
    make_job(db_session, commune_code="38185", departement_code="38", latitude=45.19, longitude=5.72)  # Grenoble
    for number in range(3):
        make_training(db_session, sessions=number)
    for name in ("AFPA Vénissieux", "AFPA Vénissieux", "Greta Lyon"):  # bodies counted, ties ordered by name
        make_training(db_session, sessions=1, organisation_name=name)
    for kind, arguments in (("job", {"q": "serveur", "commune": "69123", "radius": "10"}),
                            ("job", {"q": "serveur", "commune": "69123", "radius": "10", "contract": "CDD", "page": "2"}),
                            ("job", {"q": "cuisinier", "sort": "date"}),
                            ("job", {"occupation": "G1803", "commune": "69123", "radius": "50", "sort": "distance"}),
                            ("training", {"q": "cuisinier", "commune": "69123", "radius": "10"}),
                            ("training", {"q": "cuisinier", "organisme": "Greta Lyon"})):
        criteria = read_criteria(db_session, tenant, kind, MultiDict(arguments), per_page=2).criteria
        search_offers(db_session, tenant, criteria, now=NOW)  # reference data loaded, if not yet
        statements = []
        engine = db_session.get_bind().engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            result = search_offers(db_session, tenant, criteria, now=NOW)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        words = "q" in arguments
        one_pass = words or postgresql
        # Trainings count their bodies from the same matches, unless a body is chosen (the count
        # leaves that filter aside); then apart, with the text match again.
        bodies_apart = kind == "training" and not (one_pass and "organisme" not in arguments)
        # PostgreSQL first sets its per-search planning (SET LOCAL); a page of trainings reads
        # their sessions.
        expected = (1 if one_pass else 3) + postgresql + bodies_apart + (kind == "training")
        assert len(statements) == expected, (arguments, statements)
        reading_offers = (1 if one_pass else 3) + bodies_apart
        assert sum("FROM offers" in statement for statement in statements) == reading_offers, arguments
        if words:
            match = "to_tsquery" if postgresql else " MATCH "
            assert sum(match in statement for statement in statements) == 1 + bodies_apart, arguments
        conditions = search_conditions(db_session, tenant, criteria, NOW)
        expressions = facet_expressions(kind, NOW)
        selected = facet_conditions(criteria, expressions)
        nearby = imprecise_nearby_conditions(criteria, conditions) if criteria.commune is not None else None
        parts = counting_parts(kind, NOW, expressions, split=True)
        facets, total, imprecise = count_facets(db_session, criteria, conditions.all, parts, nearby)
        ids = ids_of_page(db_session, criteria, [*conditions.all, *selected], conditions.text_query)
        assert (result.facets, result.page.total, result.imprecise_nearby) == (facets, total, imprecise), arguments
        assert [offer.id for offer in result.page.items] == ids and ids, arguments
        assert result.page.items == offer_cards(db_session, ids), arguments  # every OfferCard field
        if kind == "training":
            assert result.training_bodies == count_training_bodies(db_session, conditions, selected), arguments
            assert len(result.training_bodies) > 1 or "organisme" in arguments, result.training_bodies
    assert any(card.sessions for card in result.page.items)  # the trainings' cards have their sessions

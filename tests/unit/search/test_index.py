"""The search columns and the full-text index follow every write, ORM or bulk."""
from sqlalchemy import delete, select

from app.catalog.models import Offer
from app.search.text import parse_text_query, search_columns
from tests.factories.catalog import make_job, make_tenant


def found_ids(db_session, words: str) -> set[int]:
    from app.search import text_backend

    condition = text_backend(db_session).matches(parse_text_query(words, {}))
    return set(db_session.scalars(select(Offer.id).where(condition)))


def test_orm_writes_fill_the_normalised_columns(db_session):
    offer = make_job(db_session, title="Cuisinière (H/F)", organisation_name="Société Générale",
                     description="Préparer les entrées.")
    assert (offer.search_title, offer.search_organisation) == ("cuisini", "societe generale")
    assert offer.search_description == "prepar entre"


def test_the_index_follows_updates_and_deletes(db_session):
    make_tenant(db_session)
    offer = make_job(db_session, title="Boulangère")
    assert found_ids(db_session, "boulanger") == {offer.id}
    offer.title = "Fromagère"
    db_session.commit()
    assert found_ids(db_session, "boulanger") == set()
    assert found_ids(db_session, "fromager") == {offer.id}
    db_session.execute(delete(Offer).where(Offer.id == offer.id))
    db_session.commit()
    assert found_ids(db_session, "fromager") == set()


def test_bulk_rows_get_the_same_columns_as_orm_writes():
    row = {"title": "Serveur·se", "organisation_name": "Le Bistrot", "description": "Service en salle."}
    assert search_columns(row) == {"search_title": "serveur", "search_organisation": "le bistrot",
                                   "search_description": "servic sall"}


def test_query_words_never_carry_index_syntax():
    query = parse_text_query('cuisinier" OR search_organisation : "x* NEAR(', {})
    for term in query.terms:
        for stems in term.stems:
            assert all(word.isalnum() and word.isascii() for word in stems)

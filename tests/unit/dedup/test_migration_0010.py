"""Migration 0010 fills the facts copied into existing fingerprints as deduplication writes them."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.reference import load_reference
from app.db import make_engine
from app.dedup.models import DedupFingerprint
from app.dedup.services import deduplicate_all, deduplicate_offers, export_clusters
from app.ingest.places import PlaceResolver
from app.migrate import downgrade, upgrade
from tests.conftest import database_url
from tests.unit.dedup.labelled import load_records, make_sources, read_labelled_set

COPIED = ("source_id", "occupation_code", "location_precision", "commune_code", "departement_code", "region_code",
          "latitude", "longitude", "contract_type", "published_epoch", "packed_facts")


def fingerprint_facts(session: Session) -> dict[int, tuple]:
    columns = [getattr(DedupFingerprint, name) for name in COPIED]
    return {row[0]: tuple(row[1:]) for row in session.execute(select(DedupFingerprint.offer_id, *columns))}


def test_existing_fingerprints_get_the_facts_and_packing_the_code_writes(tmp_path):
    url = database_url(tmp_path, "jobtab_dedup_migration_0010_test")
    upgrade(url)
    engine = make_engine(url)
    labelled = read_labelled_set()
    records, later = labelled["records"][:300], labelled["records"][300:400]
    with Session(engine) as session:
        load_reference(session)
        places = PlaceResolver.from_database(session)
        sources = make_sources(session, labelled)
        load_records(session, records, places, sources)
        deduplicate_all(session)
        session.commit()
        written = fingerprint_facts(session)
    assert len(written) == 300 and all(None not in (facts[0], facts[2], facts[9], facts[10]) for facts in written.values())

    downgrade(url, "0010@-1")  # as a database deduplicated before this revision
    upgrade(url)

    with Session(engine) as session:
        assert fingerprint_facts(session) == written
        # and an update placed against that stock finds what a full rebuild finds
        new_ids = [offer.id for offer in load_records(session, later, places, sources)]
        deduplicate_offers(session, new_ids)
        incremental = export_clusters(session)
        deduplicate_all(session)
        assert export_clusters(session) == incremental
    engine.dispose()

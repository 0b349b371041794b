"""Two imports finishing at once: their deduplications run one after the other, not over each other."""
import threading
from collections import defaultdict

from sqlalchemy.orm import Session

from app.catalog.reference import load_reference
from app.db import make_engine
from app.dedup.services import deduplicate_all, deduplicate_offers, export_clusters
from app.ingest.places import PlaceResolver
from app.migrate import upgrade
from tests.conftest import database_url
from tests.unit.dedup.labelled import load_records, make_sources, read_labelled_set


def three_publications_of_one_vacancy(labelled: dict) -> list[dict]:
    by_cluster = defaultdict(list)
    for record in labelled["records"]:
        by_cluster[record["cluster"]].append(record)
    return next(records[:3] for records in by_cluster.values() if len({record["source"] for record in records[:3]}) == 3)


def test_a_second_run_waits_for_the_first_and_joins_its_cluster(tmp_path):
    url = database_url(tmp_path, "jobtab_dedup_concurrent_test")
    upgrade(url)
    engine = make_engine(url)
    labelled = read_labelled_set()
    original, first_copy, second_copy = three_publications_of_one_vacancy(labelled)
    with Session(engine) as session:
        load_reference(session)
        places = PlaceResolver.from_database(session)
        sources = make_sources(session, labelled)
        load_records(session, [original], places, sources)
        deduplicate_all(session)
        session.commit()

    with Session(engine) as session:  # two feeds imported their copies
        first_id, second_id = [offer.id for offer in load_records(session, [first_copy, second_copy], places, make_sources(session, labelled))]
        session.commit()

    first = Session(engine)
    deduplicate_offers(first, [first_id])  # holds the lock: not committed yet

    second_done = threading.Event()
    errors = []

    def second_import():
        try:
            with Session(engine) as second:
                deduplicate_offers(second, [second_id])
                second.commit()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            second_done.set()

    thread = threading.Thread(target=second_import)
    thread.start()
    assert not second_done.wait(timeout=2), f"the second deduplication ran while the first held the lock: {errors}"
    first.commit()
    first.close()
    thread.join(timeout=60)

    assert errors == []
    with Session(engine) as session:
        clusters = [cluster for cluster in export_clusters(session) if len(cluster) > 1]
    expected = sorted(f"{record['source']}:{record['partner_id']}" for record in (original, first_copy, second_copy))
    assert clusters == [expected]
    engine.dispose()

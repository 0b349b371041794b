"""Deduplication runs on a real database: clusters, canonical offer, incrementality, storage."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.catalog.models import Offer
from app.dedup import services
from app.dedup.models import DedupCluster, DedupLink
from app.dedup.services import deduplicate_all, deduplicate_offers, export_clusters
from tests.factories.catalog import NOW, make_job, make_source, make_training
from tests.unit.dedup.labelled import load_records, make_sources, read_labelled_set

TEXT = (
    "Au sein de notre brasserie du Vieux-Lyon, vous accueillez les clients, prenez les commandes "
    "et assurez le service en salle et en terrasse. Vous participez à la mise en place et au "
    "nettoyage de la salle. Vous travaillez du mardi au samedi, en coupure, avec deux jours de "
    "repos consécutifs. Une première expérience en restauration traditionnelle est appréciée."
)
MARSEILLE = {"commune_code": "13055", "departement_code": "13", "region_code": "93", "latitude": 43.296, "longitude": 5.37}


def vacancy(session, source, **values):
    """A waiter's job in Lyon; the same values from another source make a duplicate."""
    defaults = {"title": "Serveur (H/F)", "description": TEXT, "organisation_name": "Brasserie des Terreaux"}
    return make_job(session, source=source, **{**defaults, **values})


def keys(session, *offers) -> list[str]:
    return sorted(f"{offer.source.slug}:{offer.partner_id}" for offer in offers)


def cluster_of(session, offer) -> list[str]:
    return next(cluster for cluster in export_clusters(session) if keys(session, offer)[0] in cluster)


def test_copies_from_several_sources_become_one_cluster_shown_once(db_session):
    agency = make_source(db_session, kind="temp_agency", rank=40)
    employer = make_source(db_session, kind="employer", rank=20)
    original = vacancy(db_session, employer)
    copy = vacancy(db_session, agency, title="SERVEUSE / SERVEUR F/H", organisation_name="Horizon Intérim",
                   description="Horizon Intérim recrute pour son client. " + TEXT)

    stats = deduplicate_all(db_session)

    assert cluster_of(db_session, original) == keys(db_session, original, copy)
    assert (original.duplicate_of_id, copy.duplicate_of_id) == (None, original.id)
    assert stats["offers"] == 2 and stats["matched_pairs"] == 1


@pytest.mark.parametrize("description", [TEXT, TEXT + " Poste à pourvoir rapidement."])
def test_same_ad_in_a_distant_city_is_another_vacancy(db_session, description):
    source = make_source(db_session)
    lyon = vacancy(db_session, source)
    marseille = vacancy(db_session, make_source(db_session), description=description, **MARSEILLE)

    deduplicate_all(db_session)

    assert cluster_of(db_session, lyon) == keys(db_session, lyon)
    assert marseille.duplicate_of_id is None


def test_same_job_with_another_contract_is_another_vacancy(db_session):
    first = vacancy(db_session, make_source(db_session), contract_type="CDI")
    second = vacancy(db_session, make_source(db_session), contract_type="CDD")
    deduplicate_all(db_session)
    assert cluster_of(db_session, first) == keys(db_session, first)
    assert second.duplicate_of_id is None


def test_canonical_offer_follows_the_documented_order_of_sources(db_session):
    kinds = [("aggregator", 60), ("temp_agency", 40), ("public_service", 30), ("employer", 20), ("direct", 10)]
    offers = {kind: vacancy(db_session, make_source(db_session, kind=kind, rank=rank)) for kind, rank in kinds}

    deduplicate_all(db_session)

    direct = offers["direct"]
    assert direct.duplicate_of_id is None
    assert {kind: offer.duplicate_of_id for kind, offer in offers.items() if kind != "direct"} == {
        kind: direct.id for kind, _rank in kinds if kind != "direct"
    }
    cluster = db_session.scalar(select(DedupCluster))
    assert (cluster.canonical_offer_id, cluster.size) == (direct.id, 5)


def test_canonical_offer_then_the_most_complete_then_the_oldest(db_session):
    source = make_source(db_session, kind="temp_agency", rank=40)
    other = make_source(db_session, kind="temp_agency", rank=40)
    older = vacancy(db_session, source, published_at=NOW - timedelta(days=9), salary_text=None)
    newer = vacancy(db_session, other, published_at=NOW - timedelta(days=2), salary_text=None)
    deduplicate_all(db_session)
    assert (older.duplicate_of_id, newer.duplicate_of_id) == (None, older.id)

    newer.salary_text = "Mensuel de 1900 Euros"  # now it tells applicants more: it wins
    deduplicate_offers(db_session, [newer.id])
    assert (older.duplicate_of_id, newer.duplicate_of_id) == (newer.id, None)


def test_every_merge_stores_its_reason_and_no_record_is_deleted(db_session, places):
    labelled = read_labelled_set()
    offers_before = db_session.scalar(select(func.count(Offer.id)))
    load_records(db_session, labelled["records"], places, make_sources(db_session, labelled))

    deduplicate_all(db_session)

    assert db_session.scalar(select(func.count(Offer.id))) == offers_before + len(labelled["records"])
    links = db_session.scalars(select(DedupLink)).all()
    assert links and all("description" in link.reason and "titre" in link.reason for link in links)
    hidden = db_session.scalars(select(Offer.id).where(Offer.duplicate_of_id.is_not(None))).all()
    assert set(hidden) <= {link.offer_id for link in links}


def test_offers_added_batch_by_batch_get_the_clusters_of_a_full_run(db_session, places):
    labelled = read_labelled_set()
    sources = make_sources(db_session, labelled)
    records = labelled["records"]
    for start in range(0, len(records), 150):
        batch = load_records(db_session, records[start:start + 150], places, sources)
        deduplicate_offers(db_session, [offer.id for offer in batch])
    incremental = export_clusters(db_session)
    shown_incremental = db_session.scalar(select(func.count(Offer.id)).where(Offer.duplicate_of_id.is_(None)))

    deduplicate_all(db_session)

    assert export_clusters(db_session) == incremental
    assert db_session.scalar(select(func.count(Offer.id)).where(Offer.duplicate_of_id.is_(None))) == shown_incremental
    assert sum(len(cluster) > 1 for cluster in incremental) > 100


def test_an_offer_moved_to_another_city_splits_off_its_cluster(db_session):
    first = vacancy(db_session, make_source(db_session, kind="employer", rank=20))
    second = vacancy(db_session, make_source(db_session, kind="aggregator", rank=60))
    deduplicate_offers(db_session, [first.id, second.id])
    assert second.duplicate_of_id == first.id

    for name, value in MARSEILLE.items():
        setattr(first, name, value)
    stats = deduplicate_offers(db_session, [first.id])

    assert cluster_of(db_session, first) == keys(db_session, first)
    assert (first.duplicate_of_id, second.duplicate_of_id) == (None, None)
    assert db_session.scalar(select(func.count(DedupCluster.id))) == 0
    assert stats["fingerprinted"] == 1


def test_offers_passed_again_unchanged_change_nothing(db_session):
    first = vacancy(db_session, make_source(db_session))
    second = vacancy(db_session, make_source(db_session))
    deduplicate_offers(db_session, [first.id, second.id])
    links = [(link.offer_id, link.cluster_id, link.reason) for link in db_session.scalars(select(DedupLink))]

    stats = deduplicate_offers(db_session, [first.id, second.id])

    assert stats["fingerprinted"] == 0 and stats["offers"] == 0
    assert [(link.offer_id, link.cluster_id, link.reason) for link in db_session.scalars(select(DedupLink))] == links


def test_a_record_known_only_by_its_region_does_not_chain_two_cities(db_session):
    lyon = vacancy(db_session, make_source(db_session))
    region_only = vacancy(
        db_session, make_source(db_session), location_precision="region", commune_code=None,
        departement_code=None, latitude=None, longitude=None,
    )
    grenoble = vacancy(db_session, make_source(db_session), commune_code="38185", departement_code="38",
                       latitude=45.188, longitude=5.724)

    deduplicate_all(db_session)

    clusters = [cluster for cluster in export_clusters(db_session) if len(cluster) > 1]
    assert clusters == [keys(db_session, lyon, region_only)]
    assert grenoble.duplicate_of_id is None


def test_training_offers_are_left_alone(db_session):
    first, second = make_training(db_session, title="CAP Cuisine"), make_training(db_session, title="CAP Cuisine")
    deduplicate_all(db_session)
    assert (first.duplicate_of_id, second.duplicate_of_id) == (None, None)
    assert all(keys(db_session, offer)[0] not in sum(export_clusters(db_session), []) for offer in (first, second))


REGION_ONLY_PACA = {"location_precision": "region", "commune_code": None, "departement_code": None,
                    "region_code": "93", "latitude": None, "longitude": None}
NATIONAL = {**REGION_ONLY_PACA, "location_precision": "country", "region_code": None}


def test_an_update_reads_only_the_stock_of_the_areas_its_offers_can_meet(db_session):
    """`stock` counts the fingerprints an update read: the areas the new offers query (their
    département, their région's offers located by the région alone, France's), never another
    département's offers."""
    lyon = vacancy(db_session, make_source(db_session, kind="employer", rank=20))
    grenoble = vacancy(db_session, make_source(db_session), commune_code="38185", departement_code="38",
                       latitude=45.188, longitude=5.724)
    marseille = vacancy(db_session, make_source(db_session), **MARSEILLE)
    paca_only = vacancy(db_session, make_source(db_session), **REGION_ONLY_PACA)
    national = vacancy(db_session, make_source(db_session), title="Chef de rang (H/F)", **NATIONAL)
    deduplicate_all(db_session)

    copy_in_lyon = vacancy(db_session, make_source(db_session, kind="aggregator", rank=60))
    stats = deduplicate_offers(db_session, [copy_in_lyon.id])
    # Lyon's offer and the national one; not Grenoble (same région, another département),
    # not Marseille nor the offer known only by Provence-Alpes-Côte d'Azur.
    assert stats["stock"] == 2
    assert copy_in_lyon.duplicate_of_id == lyon.id

    copy_in_paca = vacancy(db_session, make_source(db_session, kind="aggregator", rank=60), **REGION_ONLY_PACA)
    stats = deduplicate_offers(db_session, [copy_in_paca.id])
    # Located by its région alone, it may be any commune of it: Marseille, the other PACA-only
    # offer and the national one are read; the three offers of Auvergne-Rhône-Alpes are not.
    assert stats["stock"] == 3
    assert cluster_of(db_session, copy_in_paca) == keys(db_session, marseille, paca_only, copy_in_paca)

    everywhere = vacancy(db_session, make_source(db_session), title="Chef de rang (H/F)", **NATIONAL)
    stats = deduplicate_offers(db_session, [everywhere.id])
    assert stats["stock"] == 7  # located by France alone, it may meet any offer
    assert everywhere.duplicate_of_id == national.id or national.duplicate_of_id == everywhere.id
    assert grenoble.duplicate_of_id is None


@pytest.mark.parametrize("keep_read_rows", [20_000, 1])
def test_an_update_restricted_to_its_areas_gives_the_clusters_of_a_full_run(db_session, monkeypatch, keep_read_rows):
    """Offers of several départements and régions, some located by their région or by France
    alone, added one place at a time: the same clusters as a full rebuild (also when the
    changed offers' rows are read again rather than kept, as for a large import)."""
    monkeypatch.setattr(services, "_KEEP_READ_ROWS", keep_read_rows)
    places = [
        {},  # Lyon
        {"commune_code": "38185", "departement_code": "38", "latitude": 45.188, "longitude": 5.724},  # Grenoble
        MARSEILLE,
        REGION_ONLY_PACA,
        {**REGION_ONLY_PACA, "region_code": "84"},
        NATIONAL,
    ]
    sources = [make_source(db_session, kind=kind, rank=rank) for kind, rank in
               [("employer", 20), ("temp_agency", 40), ("aggregator", 60)]]
    for place in places:
        batch = [vacancy(db_session, source, **place) for source in sources]
        batch.append(vacancy(db_session, sources[0], title="Chef de rang (H/F)", **place))
        deduplicate_offers(db_session, [offer.id for offer in batch])
    incremental = export_clusters(db_session)

    deduplicate_all(db_session)

    assert export_clusters(db_session) == incremental
    assert sum(len(cluster) > 1 for cluster in incremental) >= 4

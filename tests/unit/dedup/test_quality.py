"""Quality on the labelled set built from the real France Travail offers (see
tests/fixtures/dedup/build_labelled_set.py): `pytest -s` prints the figures."""
from app.dedup.services import deduplicate_all, export_clusters
from tests.unit.dedup.labelled import bcubed_scores, gold_clusters, load_records, make_sources, pairwise_scores, read_labelled_set


def test_labelled_set_is_deduplicated_with_high_precision_and_recall(db_session, places):
    labelled = read_labelled_set()
    load_records(db_session, labelled["records"], places, make_sources(db_session, labelled))

    deduplicate_all(db_session)

    predicted = [set(cluster) for cluster in export_clusters(db_session)]
    gold = gold_clusters(labelled["records"])
    pairwise, bcubed = pairwise_scores(predicted, gold), bcubed_scores(predicted, gold)
    print(
        f"\nlabelled set: {len(labelled['records'])} records, {len(gold)} true clusters, {len(predicted)} found"
        f"\npairwise  P {pairwise['precision']:.3f}  R {pairwise['recall']:.3f}  F1 {pairwise['f1']:.3f}"
        f"  ({pairwise['pairs_found']} pairs found, {pairwise['pairs_expected']} expected)"
        f"\nB-cubed   P {bcubed['precision']:.3f}  R {bcubed['recall']:.3f}  F1 {bcubed['f1']:.3f}"
    )
    assert pairwise["precision"] >= 0.98
    assert pairwise["recall"] >= 0.95

"""The numpy prefilter must never drop a pair that `compare` accepts."""
from itertools import combinations

import numpy as np

from app.dedup.fingerprint import NUM_PERM
from app.dedup.matching import compare
from app.dedup.prefilter import OfferArrays, plausible_pairs
from app.dedup.services import _fresh_facts, _sources
from tests.unit.dedup.labelled import load_records, make_sources, read_labelled_set


def test_prefilter_keeps_every_pair_compare_accepts_and_drops_most_others(db_session, places):
    labelled = read_labelled_set()
    offers = load_records(db_session, labelled["records"], places, make_sources(db_session, labelled))
    facts, signatures = _fresh_facts(db_session, [offer.id for offer in offers], _sources(db_session), store=False)
    for row, offer in enumerate(facts):
        offer.row = row
    near = [(a, b) for a, b in combinations(facts, 2) if not a.region_code or not b.region_code or a.region_code == b.region_code]
    rows_a = np.array([a.row for a, _b in near])
    rows_b = np.array([b.row for _a, b in near])
    jaccard = (signatures[rows_a] == signatures[rows_b]).sum(axis=1) / NUM_PERM

    kept = plausible_pairs(OfferArrays.of_facts(facts), rows_a, rows_b, jaccard)
    accepted = np.array([compare(a, b, similarity).matched for (a, b), similarity in zip(near, jaccard.tolist())])

    assert accepted.sum() > 400
    assert not (accepted & ~kept).any()
    assert kept.sum() < 2 * accepted.sum()

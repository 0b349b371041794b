"""Candidate pairs: MinHash-LSH bands and a title key, blocked by area, joined with numpy.

Only offers of compatible places can be duplicates, so every LSH bucket is scoped to an area
(SEARCH-DEDUP.md §4: global LSH ran out of memory at 480,000 offers; per département it ran at
4,000 offers/s). An offer is *indexed* under its own area (its département, else its région,
else France) and *queries* its own area and the wider ones, so that an offer located only by
"Hauts-de-France" meets the offers of every commune of that région. Buckets are sorted arrays
of (key, offer id), not dicts of lists: half a million offers × 22 keys fit in 100 MB, and a
query is a binary search. A bucket shared by thousands of offers (a partner's blurb) yields
only the CAP offers nearest in id order on each side: the candidates per offer stay bounded.
"""
import zlib
from collections.abc import Sequence

import numpy as np

from app.dedup.fingerprint import NUM_PERM
from app.dedup.matching import MIN_SHINGLES, OfferFacts

ROWS_PER_BAND = 3
BANDS = NUM_PERM // ROWS_PER_BAND  # 21 bands of 3 rows: pairs above Jaccard ≈ 0.4 meet
CAP = 10
_QUERY_CHUNK = 2_000_000
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)
_SHIFT = np.uint64(32)
_LOW_32 = np.uint64(0xFFFFFFFF)


def _area_id(name: str) -> int:
    return zlib.crc32(name.encode())


def index_area(offer: OfferFacts) -> int:
    if offer.departement_code:
        return _area_id("d" + offer.departement_code)
    if offer.region_code:
        return _area_id("r" + offer.region_code)
    return _area_id("fr")


def query_areas(offer: OfferFacts) -> list[int]:
    areas = [index_area(offer)]
    if offer.departement_code and offer.region_code:
        areas.append(_area_id("r" + offer.region_code))
    if offer.departement_code or offer.region_code:
        areas.append(_area_id("fr"))
    return areas


class BandKeys:
    """For a list of offers: the bucket keys each one is indexed under and queries.

    `indexed_areas` are the areas some offer of the other side is indexed under: querying an
    area where nothing is indexed (a région when every offer names its département) is skipped.
    """

    def __init__(self, offers: Sequence[OfferFacts], signatures: np.ndarray, indexed_areas: set[int]):
        bands = _band_values(offers, signatures)  # (n, BANDS + 1); 0 where no text band
        ids = np.array([offer.id for offer in offers], dtype=np.uint64)
        self.areas = [index_area(offer) for offer in offers]
        self.index_keys, self.index_ids = _keyed(bands, ids, np.array(self.areas, dtype=np.uint64))
        query_keys, query_ids = [], []
        wanted = [[area for area in query_areas(offer) if area in indexed_areas] for offer in offers]
        for depth in range(3):
            chosen = [i for i, areas in enumerate(wanted) if len(areas) > depth]
            areas = np.array([wanted[i][depth] for i in chosen], dtype=np.uint64)
            keys, key_ids = _keyed(bands[chosen], ids[chosen], areas)
            query_keys.append(keys)
            query_ids.append(key_ids)
        self.query_keys = np.concatenate(query_keys)
        self.query_ids = np.concatenate(query_ids)


def _band_values(offers: Sequence[OfferFacts], signatures: np.ndarray) -> np.ndarray:
    rows = np.array([offer.row for offer in offers], dtype=np.int64)
    values = np.zeros((len(offers), BANDS + 1), dtype=np.uint64)
    if len(offers):
        bands = signatures[rows, : BANDS * ROWS_PER_BAND].astype(np.uint64).reshape(len(offers), BANDS, ROWS_PER_BAND)
        mixed = bands[:, :, 0] * _MIX[0] + bands[:, :, 1] * _MIX[1] + bands[:, :, 2] * _MIX[2]
        mixed += np.arange(1, BANDS + 1, dtype=np.uint64) * _MIX[3]
        has_text = np.array([offer.shingle_count >= MIN_SHINGLES for offer in offers])
        values[:, :BANDS] = np.where(has_text[:, np.newaxis], mixed | np.uint64(1), 0)
    titles = np.fromiter((zlib.crc32(offer.title_key.encode()) for offer in offers), dtype=np.uint64, count=len(offers))
    values[:, BANDS] = titles * _MIX[4] | np.uint64(1)
    return values


def _keyed(bands: np.ndarray, ids: np.ndarray, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """32-bit bucket keys (band value mixed with the area) and their offer ids, flattened."""
    present = bands != 0
    mixed = (bands ^ (areas[:, np.newaxis] * _MIX[4])) * _MIX[0]
    keys = (mixed >> _SHIFT)[present]
    return keys, np.broadcast_to(ids[:, np.newaxis], bands.shape)[present]


def candidate_pairs(query_keys: np.ndarray, query_ids: np.ndarray, index_keys: np.ndarray, index_ids: np.ndarray) -> np.ndarray:
    """Distinct (smaller id, larger id) pairs, as one uint64 each, of offers sharing a bucket."""
    buckets = np.sort((index_keys << _SHIFT) | index_ids)
    found = []
    for start in range(0, len(query_keys), _QUERY_CHUNK):
        keys = query_keys[start:start + _QUERY_CHUNK] << _SHIFT
        ids = query_ids[start:start + _QUERY_CHUNK]
        low = np.searchsorted(buckets, keys)
        high = np.searchsorted(buckets, keys | _LOW_32, side="right")
        middle = np.searchsorted(buckets, keys | ids)
        first = np.maximum(low, middle - CAP)
        last = np.minimum(high, middle + CAP + 1)
        lengths = np.maximum(last - first, 0)
        positions = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        partners = buckets[positions] & _LOW_32
        queried = np.repeat(ids, lengths)
        distinct = partners != queried
        smaller = np.minimum(partners, queried)[distinct]
        larger = np.maximum(partners, queried)[distinct]
        found.append(distinct_values((smaller << _SHIFT) | larger))
    return distinct_values(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)


def distinct_values(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values. np.unique is hash-based for integers in numpy 2.4 and measured
    70 times slower than a sort on 12 million uint64 here."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def split_pairs(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (pairs >> _SHIFT).astype(np.int64), (pairs & _LOW_32).astype(np.int64)

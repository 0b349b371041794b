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
import functools
import zlib

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
    return areas_of(offer.departement_code, offer.region_code)[0]


def query_areas(offer: OfferFacts) -> list[int]:
    return [area for area in areas_of(offer.departement_code, offer.region_code)[1] if area != NO_AREA]


NO_AREA = -1


@functools.cache
def areas_of(departement_code: str | None, region_code: str | None) -> tuple[int, tuple[int, int, int]]:
    """The area an offer of this place is indexed under, and the (up to) three it queries
    (NO_AREA where it has fewer), wider ones last."""
    if departement_code:
        index = _area_id("d" + departement_code)
    elif region_code:
        index = _area_id("r" + region_code)
    else:
        index = _area_id("fr")
    queried = [index]
    if departement_code and region_code:
        queried.append(_area_id("r" + region_code))
    if departement_code or region_code:
        queried.append(_area_id("fr"))
    return index, tuple(queried + [NO_AREA] * (3 - len(queried)))


class BandKeys:
    """For some offers of a run: the bucket keys each one is indexed under and queries.

    Column arrays, one row per offer: `ids`, `signatures` (n × NUM_PERM), `shingle_counts`,
    `title_hashes` (CRC-32 of the title key), `index_areas` and `query_areas` (n × 3, NO_AREA
    where an offer queries fewer areas), as given by `areas_of`. `indexed_areas` are the areas
    some offer of the other side is indexed under: querying an area where nothing is indexed (a
    région when every offer names its département) is skipped.
    """

    def __init__(self, ids: np.ndarray, signatures: np.ndarray, shingle_counts: np.ndarray, title_hashes: np.ndarray,
                 index_areas: np.ndarray, query_areas: np.ndarray, indexed_areas: set[int]):
        bands = _band_values(signatures, shingle_counts, title_hashes)  # (n, BANDS + 1); 0 where no text band
        ids = ids.astype(np.uint64)
        self.index_keys, self.index_ids = _keyed(bands, ids, index_areas.astype(np.uint64))
        query_keys, query_ids = [], []
        wanted = np.array(sorted(indexed_areas), dtype=np.int64)
        for depth in range(query_areas.shape[1]):
            chosen = np.isin(query_areas[:, depth], wanted)
            keys, key_ids = _keyed(bands[chosen], ids[chosen], query_areas[chosen, depth].astype(np.uint64))
            query_keys.append(keys)
            query_ids.append(key_ids)
        self.query_keys = np.concatenate(query_keys)
        self.query_ids = np.concatenate(query_ids)


def title_hash(title_key: str) -> int:
    return zlib.crc32(title_key.encode())


def _band_values(signatures: np.ndarray, shingle_counts: np.ndarray, title_hashes: np.ndarray) -> np.ndarray:
    count = len(title_hashes)
    values = np.zeros((count, BANDS + 1), dtype=np.uint64)
    if count:
        bands = signatures[:, : BANDS * ROWS_PER_BAND].astype(np.uint64).reshape(count, BANDS, ROWS_PER_BAND)
        mixed = bands[:, :, 0] * _MIX[0] + bands[:, :, 1] * _MIX[1] + bands[:, :, 2] * _MIX[2]
        mixed += np.arange(1, BANDS + 1, dtype=np.uint64) * _MIX[3]
        has_text = shingle_counts >= MIN_SHINGLES
        values[:, :BANDS] = np.where(has_text[:, np.newaxis], mixed | np.uint64(1), 0)
    values[:, BANDS] = title_hashes.astype(np.uint64) * _MIX[4] | np.uint64(1)
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

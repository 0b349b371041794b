"""The vetoes of matching.compare, vectorised over all candidate pairs at once.

Most candidates share a company blurb or a generated template, not a vacancy: in a 50,000-offer
run about a million pairs are candidates and a few thousand are duplicates. Place, contract,
dates and the amount of shared text are checked here with numpy, and only the survivors go to
`compare`, which judges them in Python and words the reason. This filter must never drop a
pair that `compare` would accept: it applies the same thresholds (a test checks it agrees).
"""
import zlib
from collections.abc import Sequence

import numpy as np

from app.dedup.matching import (
    MAX_DAYS_APART,
    MAX_DISTANCE_KM,
    MIN_SHINGLES,
    PRECISION_RANK,
    TEXT_OTHER_PUBLISHER,
    OfferFacts,
)

_COUNTRY, _REGION, _DEPARTEMENT = PRECISION_RANK["country"], PRECISION_RANK["region"], PRECISION_RANK["departement"]


def _code(value: str | None) -> int:
    return zlib.crc32(value.encode()) + 1 if value else 0


class OfferArrays:
    """Column arrays of the offers' facts, indexed by their signature row."""

    def __init__(self, offers: Sequence[OfferFacts]):
        ordered = sorted(offers, key=lambda offer: offer.row)
        self.precision = np.array([PRECISION_RANK[o.location_precision] for o in ordered], dtype=np.int8)
        self.commune = np.array([_code(o.commune_code) for o in ordered], dtype=np.int64)
        self.departement = np.array([_code(o.departement_code) for o in ordered], dtype=np.int64)
        self.region = np.array([_code(o.region_code) for o in ordered], dtype=np.int64)
        self.latitude = np.array([np.nan if o.latitude is None else o.latitude for o in ordered])
        self.longitude = np.array([np.nan if o.longitude is None else o.longitude for o in ordered])
        self.contract = np.array([0 if o.contract_type in (None, "OTHER") else _code(o.contract_type) for o in ordered], dtype=np.int64)
        self.published = np.array([o.published_at.timestamp() for o in ordered])
        self.shingles = np.array([o.shingle_count for o in ordered], dtype=np.int64)
        self.title = np.array([_code(o.title_key) for o in ordered], dtype=np.int64)


def plausible_pairs(arrays: OfferArrays, a: np.ndarray, b: np.ndarray, jaccard: np.ndarray) -> np.ndarray:
    """Mask of the pairs (signature rows a, b) that no cheap veto rules out."""
    return _places_agree(arrays, a, b) & _contracts_agree(arrays, a, b) & _dates_agree(arrays, a, b) & _texts_agree(arrays, a, b, jaccard)


def _places_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both_communes = (arrays.precision[a] == 0) & (arrays.precision[b] == 0)
    same_commune = (arrays.commune[a] == arrays.commune[b]) & (arrays.commune[a] != 0)
    distance = _distance_km(arrays.latitude[a], arrays.longitude[a], arrays.latitude[b], arrays.longitude[b])
    close = same_commune | (np.nan_to_num(distance, nan=np.inf) <= MAX_DISTANCE_KM)
    wider = np.maximum(arrays.precision[a], arrays.precision[b])
    inside = (
        (wider == _COUNTRY)
        | ((wider == _REGION) & (arrays.region[a] == arrays.region[b]) & (arrays.region[a] != 0))
        | ((wider == _DEPARTEMENT) & (arrays.departement[a] == arrays.departement[b]) & (arrays.departement[a] != 0))
    )
    return np.where(both_communes, close, inside)


def _distance_km(lat_a, lon_a, lat_b, lon_b) -> np.ndarray:
    """As app.ingest.places.distance_km (equirectangular), for arrays."""
    x = np.radians(lon_b - lon_a) * np.cos(np.radians((lat_a + lat_b) / 2))
    return 6371 * np.hypot(x, np.radians(lat_b - lat_a))


def _contracts_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    first, second = arrays.contract[a], arrays.contract[b]
    return (first == 0) | (second == 0) | (first == second)


def _dates_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # compare() rounds nothing before its test: the same strict comparison on seconds.
    return np.abs(arrays.published[a] - arrays.published[b]) <= MAX_DAYS_APART * 86400


def _texts_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray, jaccard: np.ndarray) -> np.ndarray:
    count_a, count_b = arrays.shingles[a], arrays.shingles[b]
    smaller = np.minimum(count_a, count_b)
    shared = np.minimum(1.0, jaccard * (count_a + count_b) / (1 + jaccard) / np.maximum(smaller, 1))
    too_short = smaller < MIN_SHINGLES
    return np.where(too_short, arrays.title[a] == arrays.title[b], shared >= TEXT_OTHER_PUBLISHER)

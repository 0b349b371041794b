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
        self.set_columns(
            [o.location_precision for o in ordered], [o.commune_code for o in ordered],
            [o.departement_code for o in ordered], [o.region_code for o in ordered],
            [o.latitude for o in ordered], [o.longitude for o in ordered], [o.contract_type for o in ordered],
            [o.published_at for o in ordered], [o.shingle_count for o in ordered], [o.title_key for o in ordered],
        )

    @classmethod
    def from_columns(cls, *columns: Sequence) -> "OfferArrays":
        """From one sequence per fact, in row order (the arguments of `set_columns`)."""
        arrays = cls.__new__(cls)
        arrays.set_columns(*columns)
        return arrays

    def set_columns(self, precision, commune, departement, region, latitude, longitude, contract, published, shingles, title):
        codes = _Codes()
        self.precision = np.array([PRECISION_RANK[value] for value in precision], dtype=np.int8)
        self.commune = codes.array(commune)
        self.departement = codes.array(departement)
        self.region = codes.array(region)
        self.latitude = np.array(latitude, dtype=float)  # None becomes NaN
        self.longitude = np.array(longitude, dtype=float)
        self.contract = codes.array([None if value == "OTHER" else value for value in contract])
        self.published = np.array([value.timestamp() for value in published], dtype=float)
        self.shingles = np.array(shingles, dtype=np.int64)
        self.title = codes.array(title)


class _Codes(dict):
    """`_code` of each distinct value, computed once: places and contracts repeat a lot."""

    def __missing__(self, value):
        code = self[value] = _code(value)
        return code

    def array(self, values: Sequence) -> np.ndarray:
        return np.fromiter(map(self.__getitem__, values), dtype=np.int64, count=len(values))


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

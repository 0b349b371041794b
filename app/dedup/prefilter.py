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

from app.dedup.candidates import areas_of
from app.dedup.matching import (
    MAX_DAYS_APART,
    MAX_DISTANCE_KM,
    MIN_SHINGLES,
    PRECISION_RANK,
    TEXT_OTHER_PUBLISHER,
    TITLE_WORDS_JACCARD,
    OfferFacts,
)

_COUNTRY, _REGION, _DEPARTEMENT = PRECISION_RANK["country"], PRECISION_RANK["region"], PRECISION_RANK["departement"]


def _code(value: str | None) -> int:
    return zlib.crc32(value.encode()) + 1 if value else 0


# One offer's facts as the vetoes and the LSH blocking read them, packed in 128 bytes: place,
# contract and title as CRC-32 codes (`_code`), the title's words as a 64-bit Bloom filter and
# their number (`_TitleShapes`), the areas it is indexed under and queries (candidates.areas_of).
# Stored with each fingerprint, so that an update turns its stock into arrays with one
# `frombuffer` instead of building 50,000 rows of Python objects.
FACTS_DTYPE = np.dtype([
    ("precision", "<i8"), ("commune", "<i8"), ("departement", "<i8"), ("region", "<i8"), ("contract", "<i8"),
    ("title", "<i8"), ("latitude", "<f8"), ("longitude", "<f8"), ("published", "<f8"), ("shingles", "<i8"),
    ("index_area", "<i8"), ("query_areas", "<i8", (3,)), ("title_bloom", "<u8"), ("title_words", "<i8"),
])


class OfferArrays:
    """Column arrays of the offers' facts (fields of FACTS_DTYPE), indexed by signature row."""

    def __init__(self, records: np.ndarray):
        self.records = records
        for name in FACTS_DTYPE.names:
            setattr(self, name, records[name])

    @classmethod
    def of_facts(cls, ordered: Sequence[OfferFacts]) -> "OfferArrays":
        """From facts in row order."""
        return cls.from_columns(
            [o.location_precision for o in ordered], [o.commune_code for o in ordered],
            [o.departement_code for o in ordered], [o.region_code for o in ordered],
            [o.latitude for o in ordered], [o.longitude for o in ordered], [o.contract_type for o in ordered],
            [o.published_at.timestamp() for o in ordered], [o.shingle_count for o in ordered], [o.title_key for o in ordered],
        )

    @classmethod
    def from_columns(cls, precision, commune, departement, region, latitude, longitude, contract, published, shingles, title) -> "OfferArrays":
        """From one sequence per fact, in row order; `published` in seconds since 1970."""
        codes = _Codes()
        records = np.zeros(len(precision), dtype=FACTS_DTYPE)
        records["precision"] = [PRECISION_RANK[value] for value in precision]
        records["commune"] = codes.array(commune)
        records["departement"] = codes.array(departement)
        records["region"] = codes.array(region)
        records["latitude"] = np.array(latitude, dtype=float)  # None becomes NaN
        records["longitude"] = np.array(longitude, dtype=float)
        records["contract"] = codes.array([None if value == "OTHER" else value for value in contract])
        records["published"] = published
        records["shingles"] = shingles
        records["title"] = codes.array(title)
        shapes = _TitleShapes()
        records["title_bloom"], records["title_words"] = np.array([shapes[key] for key in title], dtype=np.uint64).reshape(len(title), 2).T
        places = list(map(areas_of, departement, region))
        records["index_area"] = [index for index, _queried in places]
        records["query_areas"] = np.array([queried for _index, queried in places], dtype=np.int64).reshape(len(places), 3)
        return cls(records)

    @classmethod
    def from_packed(cls, packed: Sequence[bytes]) -> "OfferArrays":
        return cls(np.frombuffer(b"".join(packed), dtype=FACTS_DTYPE).copy())

    def packed(self) -> list[bytes]:
        return [record.tobytes() for record in self.records]

    @classmethod
    def concatenate(cls, parts: Sequence["OfferArrays"]) -> "OfferArrays":
        return cls(np.concatenate([part.records for part in parts]))

    @property
    def title_hashes(self) -> np.ndarray:
        """candidates.title_hash of each title key: its code is that CRC-32 plus one (0: none)."""
        return np.where(self.title != 0, self.title - 1, 0).astype(np.uint64)


class _TitleShapes(dict):
    """(Bloom filter, number) of each distinct title key's words."""

    def __missing__(self, title_key: str) -> tuple[int, int]:
        words = set(title_key.split())
        bloom = 0
        for word in words:
            bloom |= 1 << (zlib.crc32(word.encode()) & 63)
        shape = self[title_key] = (bloom, len(words))
        return shape


class _Codes(dict):
    """`_code` of each distinct value, computed once: places and contracts repeat a lot."""

    def __missing__(self, value):
        code = self[value] = _code(value)
        return code

    def array(self, values: Sequence) -> np.ndarray:
        return np.fromiter(map(self.__getitem__, values), dtype=np.int64, count=len(values))


def plausible_pairs(arrays: OfferArrays, a: np.ndarray, b: np.ndarray, jaccard: np.ndarray) -> np.ndarray:
    """Mask of the pairs (signature rows a, b) that no cheap veto rules out."""
    return plausible_facts(arrays, a, b) & texts_agree(arrays, a, b, jaccard)


def plausible_facts(arrays: OfferArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The vetoes that need no text similarity: checked first, so that the signatures are
    compared only for the pairs that pass them (most candidates are in other communes)."""
    return _places_agree(arrays, a, b) & _contracts_agree(arrays, a, b) & _dates_agree(arrays, a, b) & _titles_agree(arrays, a, b)


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


def _titles_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """What compare's title test implies on the words' Bloom filters: equal keys; or one word
    set inside the other, so its bits are inside the other's; or a word Jaccard of at least
    TITLE_WORDS_JACCARD, so at most that share of the union differs, and the differing bits
    (each differing word sets at most one) are no more: |A Δ B| ≤ (1 − J)·(|A| + |B|)."""
    bloom_a, bloom_b = arrays.title_bloom[a], arrays.title_bloom[b]
    differing = np.bitwise_count(bloom_a ^ bloom_b)
    return (
        (arrays.title[a] == arrays.title[b])
        | ((bloom_a & ~bloom_b) == 0)
        | ((bloom_b & ~bloom_a) == 0)
        | (differing <= (1 - TITLE_WORDS_JACCARD) * (arrays.title_words[a] + arrays.title_words[b]))
    )


def _contracts_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    first, second = arrays.contract[a], arrays.contract[b]
    return (first == 0) | (second == 0) | (first == second)


def _dates_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # compare() rounds nothing before its test: the same strict comparison on seconds.
    return np.abs(arrays.published[a] - arrays.published[b]) <= MAX_DAYS_APART * 86400


def texts_agree(arrays: OfferArrays, a: np.ndarray, b: np.ndarray, jaccard: np.ndarray) -> np.ndarray:
    count_a, count_b = arrays.shingles[a], arrays.shingles[b]
    smaller = np.minimum(count_a, count_b)
    shared = np.minimum(1.0, jaccard * (count_a + count_b) / (1 + jaccard) / np.maximum(smaller, 1))
    too_short = smaller < MIN_SHINGLES
    return np.where(too_short, arrays.title[a] == arrays.title[b], shared >= TEXT_OTHER_PUBLISHER)

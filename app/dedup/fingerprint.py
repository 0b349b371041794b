"""Fingerprints of offers: normalised keys and a MinHash signature of the description.

The MinHash is computed here with numpy over a whole batch of offers at once (one array of
shingle hashes, `minimum.reduceat` per offer): the per-object MinHash of datasketch costs
tens of microseconds of Python per offer, which is most of a 500,000-offer run. Word and
shingle hashes are CRC-32 based, not Python's `hash()`, so stored signatures stay valid from
one process to the next.
"""
import hashlib
import zlib
from collections.abc import Sequence

import numpy as np

NUM_PERM = 64
SHINGLE_WORDS = 5
_rng = np.random.default_rng(20261123)  # fixed: signatures are stored and compared later
# Multiply-shift hashing, h(x) = (a·x + b) >> 32 with 64-bit wrap-around: a universal family
# that needs no modulo, the slowest step of the textbook (a·x + b) mod p.
_A = _rng.integers(1, 2**63, size=(NUM_PERM, 1), dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=(NUM_PERM, 1), dtype=np.uint64)
_SHIFT = np.uint64(32)
# Odd 64-bit multipliers that mix the five word hashes of a shingle in order.
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)
EMPTY_SIGNATURE = np.full(NUM_PERM, 2**32 - 1, dtype=np.uint32)
_LOW_32 = np.uint64(0xFFFFFFFF)
_BATCH = 1000


class _WordHashes(dict):
    """CRC-32 of each word, remembered: a vocabulary is small, a corpus repeats it."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode())
        return value


_word_hashes = _WordHashes()


def word_hashes(words: Sequence[str]) -> np.ndarray:
    return np.fromiter(map(_word_hashes.__getitem__, words), dtype=np.uint64, count=len(words))


def signatures(word_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (n × 64 uint32) and shingle counts of word lists; a text shorter
    than one shingle gets the empty signature and a count of 0."""
    result = np.empty((len(word_lists), NUM_PERM), dtype=np.uint32)
    counts = np.zeros(len(word_lists), dtype=np.int64)
    for start in range(0, len(word_lists), _BATCH):
        batch = word_lists[start:start + _BATCH]
        result[start:start + len(batch)], counts[start:start + len(batch)] = _batch_signatures(batch)
    return result, counts


def _batch_signatures(word_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.array([len(words) for words in word_lists], dtype=np.int64)
    shingle_counts = np.maximum(sizes - (SHINGLE_WORDS - 1), 0)
    signatures = np.tile(EMPTY_SIGNATURE, (len(word_lists), 1))
    if not shingle_counts.any():
        return signatures, shingle_counts
    words = np.concatenate([word_hashes(words) for words in word_lists])
    shingles = _shingle_hashes(words, sizes, shingle_counts)
    permuted = _A * shingles[np.newaxis, :]
    permuted += _B
    permuted >>= _SHIFT
    with_text = np.flatnonzero(shingle_counts)
    starts = np.concatenate(([0], np.cumsum(shingle_counts)[:-1]))[with_text]
    minima = np.minimum.reduceat(permuted, starts, axis=1).T
    signatures[with_text] = minima.astype(np.uint32)
    return signatures, shingle_counts


def _shingle_hashes(words: np.ndarray, sizes: np.ndarray, shingle_counts: np.ndarray) -> np.ndarray:
    """One 32-bit hash per run of five consecutive words inside each text (none across texts)."""
    total = len(words) - (SHINGLE_WORDS - 1)
    mixed = np.zeros(max(total, 0), dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        mixed += words[offset:offset + total] * _MIX[offset]  # wraps modulo 2**64 on purpose
    text_starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    valid = np.concatenate(
        [np.arange(start, start + count) for start, count in zip(text_starts, shingle_counts) if count]
    )
    kept = mixed[valid]
    return (kept >> np.uint64(32)) ^ (kept & _LOW_32)


def jaccard(signature_a: np.ndarray, signature_b: np.ndarray) -> float:
    """The MinHash estimate of the Jaccard similarity of two shingle sets."""
    return float(np.count_nonzero(signature_a == signature_b)) / NUM_PERM


def content_key(*parts) -> str:
    """SHA-1 of the fields a fingerprint reads: equal when nothing deduplication sees changed."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()

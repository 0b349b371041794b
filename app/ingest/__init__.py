"""Ingest: partner feeds turned into catalog offers.

connectors/ holds one module per format: each reads a feed into raw records and normalises a
record into offer column values (pure: InvalidRecord for a record it cannot use, FeedError for
a feed it cannot read). normalise.py holds the rules they share, places.py the place resolver,
writer.py the bulk writes, services.py the runs (lock, upsert, expiry, report), cli.py `flask feeds`.
"""
import hashlib
import json
import re
from typing import NamedTuple

from app.catalog.text import fold

# "(H/F)", "H/F", "F/H", "[H-F]", "(H/F/X)", "h/f/nb": gender marks that tell nothing about the job.
_GENDER_MARK = re.compile(r"[(\[]?\b[HF]\s*[/-]\s*[HF](?:\s*[/-]\s*(?:X|NB|D))?\b[)\]]?", re.IGNORECASE)


class InvalidRecord(ValueError):
    """A source record that cannot become an offer; the message says why."""


class FeedError(Exception):
    """A feed that could not be read (download failed, not XML, cut short): nothing may expire."""


class Rejection(NamedTuple):
    """A record left out of a load, and why: reported to whoever runs the feed."""

    record_id: str
    reason: str


def content_hash(record) -> str:
    """SHA-256 of the record's canonical JSON: equal when the partner sent the same thing."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def strip_gender_marks(text: str) -> str:
    return _GENDER_MARK.sub(" ", text)


def search_text(*parts: str | None) -> str:
    """The folded words the keyword box matches: titles without their gender marks."""
    return fold(" ".join(strip_gender_marks(part) for part in parts if part))

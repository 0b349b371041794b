"""The labelled duplicate set (tests/fixtures/dedup) loaded as offers, and its scoring."""
import json
from collections.abc import Iterable
from datetime import datetime
from itertools import combinations
from pathlib import Path

from sqlalchemy.orm import Session

from app.catalog.models import JobOffer
from app.catalog.text import fold
from app.ingest.places import PlaceResolver
from app.ingest.services import get_or_create_source

LABELLED_SET = Path(__file__).resolve().parents[2] / "fixtures" / "dedup" / "labelled_set.json"


def read_labelled_set() -> dict:
    return json.loads(LABELLED_SET.read_text(encoding="utf-8"))


def load_records(session: Session, records: Iterable[dict], places: PlaceResolver, sources: dict) -> list[JobOffer]:
    """Offers for these records, places resolved as a feed import would; flushed, ids in order."""
    offers = []
    for record in records:
        place = places.resolve(**record["place"])
        offers.append(
            JobOffer(
                source=sources[record["source"]],
                partner_id=record["partner_id"],
                title=record["title"],
                description=record["description"],
                organisation_name=record["organisation_name"],
                occupation_code=record["occupation_code"],
                contract_type=record["contract_type"],
                published_at=datetime.fromisoformat(record["published_at"].replace("Z", "+00:00")),
                apply_url=record["apply_url"],
                details={"partner": record["partner"]} if record["partner"] else {},
                search_text=fold(record["title"]),
                **place.columns(),
            )
        )
    session.add_all(offers)
    session.flush()
    return offers


def make_sources(session: Session, labelled: dict) -> dict:
    return {
        source["slug"]: get_or_create_source(session, source["slug"], source["name"], source["kind"], source["rank"], "test")
        for source in labelled["sources"]
    }


def gold_clusters(records: Iterable[dict]) -> list[set[str]]:
    clusters: dict[str, set[str]] = {}
    for record in records:
        clusters.setdefault(record["cluster"], set()).add(f"{record['source']}:{record['partner_id']}")
    return list(clusters.values())


def pairs(clusters: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for cluster in clusters for pair in combinations(sorted(cluster), 2)}


def pairwise_scores(predicted: list[set[str]], gold: list[set[str]]) -> dict[str, float]:
    found, expected = pairs(predicted), pairs(gold)
    right = len(found & expected)
    precision = right / len(found) if found else 1.0
    recall = right / len(expected) if expected else 1.0
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "pairs_found": len(found), "pairs_expected": len(expected)}


def bcubed_scores(predicted: list[set[str]], gold: list[set[str]]) -> dict[str, float]:
    """B-cubed (Bagga & Baldwin 1998): per record, the share of its predicted cluster that is
    right (precision) and of its true cluster that was found (recall), averaged."""
    predicted_of = {key: cluster for cluster in predicted for key in cluster}
    gold_of = {key: cluster for cluster in gold for key in cluster}
    keys = list(gold_of)
    precision = sum(len(predicted_of[key] & gold_of[key]) / len(predicted_of[key]) for key in keys) / len(keys)
    recall = sum(len(predicted_of[key] & gold_of[key]) / len(gold_of[key]) for key in keys) / len(keys)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

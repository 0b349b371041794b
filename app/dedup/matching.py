"""Whether two job offers are the same vacancy, from explicit signals, with the reason in words.

Every signal is a veto or a support, never a hidden weight:
- the titles must name the same occupation after normalisation (equal, one inside the other,
  or nearly the same words);
- the employers must be compatible (the same once legal forms are stripped, or one unknown,
  or an intermediary that may hide the real employer);
- the places must be within MAX_DISTANCE_KM, or one must lie inside the other's area when a
  source gave only a département, a région or "France";
- the contracts must agree when both are known; the publications must be close in time;
- the descriptions must share enough of their wording (MinHash of 5-word shingles). Two
  records from the same publisher are a republication only when nearly identical: one partner
  often writes many ads around the same company blurb.
Same ad text for different cities therefore never merges: the place vetoes it.
"""
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from app.ingest.places import distance_km

MAX_DISTANCE_KM = 5.0
MAX_DAYS_APART = 60
# Share of the shorter description found in the other (containment), per case.
TEXT_SAME_PUBLISHER = 0.9
TEXT_OTHER_PUBLISHER = 0.55
# Titles that are not equal nor one inside the other need this share of common words.
TITLE_WORDS_JACCARD = 0.75
EMPLOYER_RATIO = 90
# Below this many shingles a description says too little to compare.
MIN_SHINGLES = 8

PRECISION_RANK = {"commune": 0, "departement": 1, "region": 2, "country": 3}


@dataclass(slots=True)
class OfferFacts:
    """What comparison needs of one offer, small enough to hold half a million in memory."""

    id: int
    source_id: int
    publisher: str
    title_key: str
    employer_key: str | None
    is_intermediary: bool
    occupation_code: str | None
    location_precision: str
    commune_code: str | None
    departement_code: str | None
    region_code: str | None
    latitude: float | None
    longitude: float | None
    contract_type: str | None
    published_at: datetime
    completeness: int
    shingle_count: int
    row: int = -1  # index of its MinHash signature in the run's matrix
    title_words: frozenset[str] = field(init=False)

    def __post_init__(self):
        self.title_words = frozenset(self.title_key.split())


@dataclass
class Verdict:
    """The outcome for a pair: matched or not, a score, and what each signal said."""

    matched: bool
    score: float
    signals: list[str]
    vetoes: list[str]

    @property
    def reason(self) -> str:
        return ", ".join(self.signals if self.matched else self.vetoes)


def compare(a: OfferFacts, b: OfferFacts, jaccard: float) -> Verdict:
    """Judge the pair; `jaccard` is the MinHash estimate for their descriptions."""
    signals: list[str] = []
    vetoes: list[str] = []
    title_score = _judge_title(a, b, signals, vetoes)
    _judge_employer(a, b, signals, vetoes)
    distance = _judge_place(a, b, signals, vetoes)
    _judge_contract(a, b, signals, vetoes)
    _judge_dates(a, b, signals, vetoes)
    text_score = _judge_text(a, b, jaccard, distance, signals, vetoes)
    if a.occupation_code and a.occupation_code == b.occupation_code:
        signals.append(f"même code ROME {a.occupation_code}")
    place_score = 1.0 if distance is None else max(0.0, 1 - distance / MAX_DISTANCE_KM)
    score = round(0.6 * text_score + 0.25 * title_score + 0.15 * place_score, 3)
    return Verdict(matched=not vetoes, score=score, signals=signals, vetoes=vetoes)


def _judge_title(a: OfferFacts, b: OfferFacts, signals: list[str], vetoes: list[str]) -> float:
    if a.title_key == b.title_key:
        signals.append("titre identique après normalisation")
        return 1.0
    shorter, longer = sorted((a.title_words, b.title_words), key=len)
    if shorter and shorter <= longer:
        signals.append("titre inclus dans l'autre après normalisation")
        return len(shorter) / len(longer)
    common = len(a.title_words & b.title_words) / len(a.title_words | b.title_words)
    if common >= TITLE_WORDS_JACCARD:
        signals.append(f"titres proches ({_decimal(common)})")
    else:
        vetoes.append(f"titres différents ({a.title_key!r} / {b.title_key!r})")
    return common


def _judge_employer(a: OfferFacts, b: OfferFacts, signals: list[str], vetoes: list[str]) -> None:
    if a.is_intermediary or b.is_intermediary:
        signals.append("employeur masqué par un intermédiaire")
    elif not a.employer_key or not b.employer_key:
        signals.append("employeur non communiqué")
    elif fuzz.token_set_ratio(a.employer_key, b.employer_key) >= EMPLOYER_RATIO:
        signals.append("même employeur")
    else:
        vetoes.append(f"employeurs différents ({a.employer_key} / {b.employer_key})")


def _judge_place(a: OfferFacts, b: OfferFacts, signals: list[str], vetoes: list[str]) -> float | None:
    """Distance in km when both are communes; None when one gave only an area."""
    if a.location_precision == "commune" and b.location_precision == "commune":
        distance = commune_distance_km(a, b)
        if distance is None or distance > MAX_DISTANCE_KM:
            vetoes.append("lieux différents" if distance is None else f"lieux distants de {_decimal(distance, 0)} km")
        else:
            signals.append(f"{_decimal(distance, 1)} km")
        return distance
    wider, narrower = sorted((a, b), key=lambda offer: PRECISION_RANK[offer.location_precision], reverse=True)
    if area_contains(wider, narrower):
        signals.append(f"lieu compatible ({_area_name(wider)} seulement pour l'une)")
    else:
        vetoes.append("lieux incompatibles")
    return None


def commune_distance_km(a: OfferFacts, b: OfferFacts) -> float | None:
    """0 in the same commune, whatever the coordinates: one source gives the workplace, the
    other the town hall, kilometres apart in a large town. None when it cannot be told."""
    if a.commune_code and a.commune_code == b.commune_code:
        return 0.0
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)
    return None


def area_contains(wider: OfferFacts, narrower: OfferFacts) -> bool:
    if wider.location_precision == "country":
        return True
    if wider.location_precision == "region":
        return wider.region_code is not None and wider.region_code == narrower.region_code
    return wider.departement_code is not None and wider.departement_code == narrower.departement_code


def _area_name(offer: OfferFacts) -> str:
    return {"departement": "département", "region": "région", "country": "pays"}[offer.location_precision]


def _judge_contract(a: OfferFacts, b: OfferFacts, signals: list[str], vetoes: list[str]) -> None:
    known = {contract for contract in (a.contract_type, b.contract_type) if contract and contract != "OTHER"}
    if len(known) > 1:
        vetoes.append(f"contrats différents ({a.contract_type} / {b.contract_type})")
    elif known and a.contract_type == b.contract_type:
        signals.append(f"même contrat ({a.contract_type})")


def _judge_dates(a: OfferFacts, b: OfferFacts, signals: list[str], vetoes: list[str]) -> None:
    days = abs((a.published_at - b.published_at).total_seconds()) / 86400
    if days > MAX_DAYS_APART:
        vetoes.append(f"publiées à {round(days)} jours d'écart")
    else:
        signals.append(f"publiées à {round(days)} jour{'s' if round(days) > 1 else ''} d'écart")


def _judge_text(
    a: OfferFacts, b: OfferFacts, jaccard: float, distance: float | None, signals: list[str], vetoes: list[str]
) -> float:
    if min(a.shingle_count, b.shingle_count) < MIN_SHINGLES:
        # Without a description, only the strictest agreement of the rest will do.
        strict = a.title_key == b.title_key and distance is not None and distance <= 1.0
        strict = strict and bool(a.employer_key) and not a.is_intermediary and not b.is_intermediary
        strict = strict and bool(b.employer_key) and a.contract_type == b.contract_type
        (signals if strict else vetoes).append("description trop courte pour comparer")
        return 0.0
    shared = text_containment(jaccard, a.shingle_count, b.shingle_count)
    same_publisher = a.publisher == b.publisher
    threshold = TEXT_SAME_PUBLISHER if same_publisher else TEXT_OTHER_PUBLISHER
    label = f"description {_decimal(shared)}" + (" (même diffuseur)" if same_publisher else "")
    if shared >= threshold:
        signals.append(label)
    else:
        vetoes.append(f"{label} < {_decimal(threshold)}")
    return shared


def text_containment(jaccard: float, count_a: int, count_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|) from the Jaccard estimate and the set sizes: a copy with a
    paragraph of agency boilerplate added still contains all of the original text."""
    smaller = min(count_a, count_b)
    if smaller == 0:
        return 0.0
    shared = jaccard * (count_a + count_b) / (1 + jaccard)
    return min(1.0, shared / smaller)


def _decimal(value: float, digits: int = 2) -> str:
    """French decimal comma: 0,82."""
    return f"{value:.{digits}f}".replace(".", ",")

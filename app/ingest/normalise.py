"""Normalisation shared by every connector: titles, contracts, salaries, descriptions, ROME codes.

Each function takes what a partner wrote, in whatever vocabulary, and returns the catalog's:
one contract vocabulary (models.CONTRACT_TYPES), salary ranges with a period, sanitised HTML,
values that fit their columns.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

import nh3
from rapidfuzz import fuzz, process
from sqlalchemy import String, Table, select
from sqlalchemy.orm import Session

from app.catalog.models import JobTitle
from app.catalog.text import fold
from app.ingest import strip_gender_marks

# --- Titles ------------------------------------------------------------------------------

# Kept in capitals when a shouted title is brought to sentence case.
ACRONYMS = frozenset(
    "AES ASH BE BTP BTS CACES CAP CDD CDI CHSCT DRH EHPAD ERP ESAT FLE H/F F/H H-F F-H H/F/X IDE IT PL "
    "PME QHSE QSE RH RSE SAV SPL SSIAP TP VL VRD".split()
)
_SPACES = re.compile(r"\s+")
_LETTERS = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Title:
    display: str  # what the offer page shows: the partner's words, tidied
    clean: str  # without gender marks: what ROME inference and the keyword box read


def normalise_title(text: str) -> Title:
    """'  SERVEUR  (H/F) ' -> Title('Serveur (H/F)', 'Serveur')."""
    display = _SPACES.sub(" ", text).strip()
    if is_shouted(display):
        display = sentence_case(display)
    clean = _SPACES.sub(" ", strip_gender_marks(display)).strip(" -–,/")
    return Title(display, clean or display)


def is_shouted(text: str) -> bool:
    letters = _LETTERS.findall(text)
    return len(letters) >= 4 and sum(letter.isupper() for letter in letters) / len(letters) > 0.8


def sentence_case(text: str) -> str:
    words = [word if word.strip("()[],.-").upper() in ACRONYMS or any(c.isdigit() for c in word) else word.lower()
             for word in text.split(" ")]
    result = " ".join(words)
    return result[:1].upper() + result[1:]


# --- Contracts ---------------------------------------------------------------------------

# Every way a partner names a contract, folded, to models.CONTRACT_TYPES: France Travail codes,
# Indeed <jobtype>, schema.org employmentType (app/embed/jsonld.py maps ours the other way) and
# French words. FULL_TIME and PART_TIME say how long the week is, not which contract: no entry.
CONTRACT_WORDS = {
    "cdi": "CDI", "permanent": "CDI", "contrat a duree indeterminee": "CDI",
    "cdd": "CDD", "ddi": "CDD", "temporary": "CDD", "contrat a duree determinee": "CDD",
    "mis": "MIS", "tti": "MIS", "din": "MIS", "interim": "MIS", "mission": "MIS",
    "travail temporaire": "MIS", "cdi interimaire": "MIS",
    "sai": "SAI", "saisonnier": "SAI", "seasonal": "SAI",
    "alternance": "ALT", "apprentissage": "ALT", "apprenticeship": "ALT",
    "contrat d apprentissage": "ALT", "contrat de professionnalisation": "ALT", "professionnalisation": "ALT",
    "stage": "STG", "intern": "STG", "internship": "STG", "stagiaire": "STG",
    "lib": "LIB", "fra": "LIB", "rep": "LIB", "contractor": "LIB", "contract": "LIB", "freelance": "LIB",
    "independant": "LIB", "liberal": "LIB", "franchise": "LIB", "profession liberale": "LIB",
}
# The words a title may carry its contract in ("Serveur H/F – CDD 6 mois").
TITLE_CONTRACT_WORDS = {
    "cdi": "CDI", "cdd": "CDD", "interim": "MIS", "interimaire": "MIS", "saisonnier": "SAI",
    "saisonniere": "SAI", "alternance": "ALT", "apprentissage": "ALT", "apprenti": "ALT",
    "stage": "STG", "stagiaire": "STG", "freelance": "LIB",
}
WORKING_TIME_WORDS = {
    "full time": "full_time", "fulltime": "full_time", "temps plein": "full_time", "temps complet": "full_time",
    "part time": "part_time", "parttime": "part_time", "temps partiel": "part_time",
}


def contract_type(labels: Iterable[str | None], title: str = "") -> str | None:
    """The contract the labels name, else the one the title names; OTHER for a label we do
    not know, None when nobody says."""
    labels = [fold(label).replace("_", " ") for label in labels if label and fold(label)]
    for folded in labels:
        if folded in CONTRACT_WORDS:
            return CONTRACT_WORDS[folded]
        for words, code in CONTRACT_WORDS.items():
            if len(words) > 3 and re.search(rf"\b{words}\b", folded):
                return code
    title_words = fold(title).split()
    found = next((TITLE_CONTRACT_WORDS[word] for word in title_words if word in TITLE_CONTRACT_WORDS), None)
    if found:
        return found
    return "OTHER" if any(label not in WORKING_TIME_WORDS for label in labels) else None


def working_time(*labels: str | None) -> str | None:
    for label in labels:
        folded = fold(label).replace("_", " ")
        for words, code in WORKING_TIME_WORDS.items():
            if re.search(rf"\b{words}\b", folded):
                return code
    return None


# --- Salaries ----------------------------------------------------------------------------

# SMIC brut horaire from 1 November 2024 (décret 2024-951); to update when it is revalued.
SMIC_HOURLY = 11.88
PERIOD_WORDS = (
    ("HOUR", r"\bheures?\b|\bhoraire|\bh\b|\bhour"),
    ("DAY", r"\bjours?\b|\bjourn|\bj\b|\bday"),
    ("WEEK", r"\bsemaine|\bhebdo|\bweek"),
    ("MONTH", r"\bmois\b|\bmensuel|\bmonth"),
    ("YEAR", r"\bans?\b|\bannuel|\byear|\bpa\b"),
)
# "25 000", "1 923,50", "35000.0", "25k", "1.800": an amount, its thousands written any way.
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(k)?(?![\d])", re.I)
# France Travail's own wording: "Autre de …" is an amount we cannot compare.
_FRANCE_TRAVAIL_OTHER = re.compile(r"^\s*autre\b", re.I)


@dataclass(frozen=True)
class Salary:
    minimum: float | None = None
    maximum: float | None = None
    period: str | None = None  # HOUR, DAY, WEEK, MONTH, YEAR

    def columns(self) -> dict:
        return {"salary_min": self.minimum, "salary_max": self.maximum, "salary_period": self.period}


def parse_salary(text: str | None) -> Salary:
    """'De 25 000 à 30 000 € brut annuel' -> Salary(25000, 30000, 'YEAR'). Nothing guessed
    when the text has no amount; the period is inferred from the amount when not written."""
    if not text or _FRANCE_TRAVAIL_OTHER.match(text):
        return Salary()
    folded = fold(text.replace("/", " / "))
    amounts = [_amount(match) for match in _AMOUNT.finditer(_strip_durations(text))]
    amounts = [amount for amount in amounts if amount >= 1]
    if not amounts:
        return Salary(SMIC_HOURLY, SMIC_HOURLY, "HOUR") if re.search(r"\bsmic\b", folded) else Salary()
    # A second amount far from the first is something else ("2 500 € – 5 postes").
    second = next((amount for amount in amounts[1:2] if amounts[0] / 3 <= amount <= amounts[0] * 3), amounts[0])
    low, high = min(amounts[0], second), max(amounts[0], second)
    period = written_period(folded) or likely_period(low)
    return Salary(low, high, period)


def _strip_durations(text: str) -> str:
    """'sur 12 mois', '35 heures', '13ème mois': numbers that are not amounts."""
    text = re.sub(r"sur\s+\d+(?:[.,]\d+)?\s*mois", " ", text, flags=re.I)
    text = re.sub(r"\d+\s*(?:e|è|ème|eme)\s+mois", " ", text, flags=re.I)
    return re.sub(r"\d+\s*(?:h|heures)\s*(?:/\s*semaine|hebdo|par semaine)", " ", text, flags=re.I)


def _amount(match: re.Match) -> float:
    whole = re.sub(r"[ \u00a0\u202f.]", "", match[1])
    value = float(f"{whole}.{match[2]}" if match[2] else whole)
    return value * 1000 if match[3] else value


def written_period(folded: str) -> str | None:
    """The period word written first: 'Mensuel de 1 923 € (35 heures)' is by the month."""
    found = [(match.start(), period) for period, pattern in PERIOD_WORDS if (match := re.search(pattern, folded))]
    return min(found)[1] if found else None


def likely_period(amount: float) -> str:
    """French pay: under 100 € is by the hour, under 10,000 € by the month, else by the year."""
    if amount < 100:
        return "HOUR"
    return "MONTH" if amount < 10000 else "YEAR"


# --- Descriptions ------------------------------------------------------------------------

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a"}
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BLOCK_START = re.compile(r"^\s*<(?:p|ul|ol)\b", re.I)


def sanitise_html(html: str) -> str:
    """Only simple formatting and http(s)/mailto links survive; no attribute but href."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
    return cleaned if _BLOCK_START.match(cleaned) or not cleaned else f"<p>{cleaned}</p>"


@dataclass(frozen=True)
class Description:
    text: str
    is_html: bool  # sanitised HTML, rendered as such; else plain text, escaped

    def details(self) -> dict:
        """What the offer page needs to tell sanitised HTML from plain text."""
        return {"description_format": "html"} if self.is_html else {}


def normalise_description(text: str | None) -> Description:
    """HTML (Indeed, JSON-LD) is sanitised and kept as HTML; plain text stays plain."""
    text = (text or "").strip()
    if _HTML_TAG.search(text):
        return Description(sanitise_html(text), is_html=True)
    return Description(text, is_html=False)


# --- Dates -------------------------------------------------------------------------------

def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 ('2026-11-02', '2026-11-02T10:00:00Z') or RFC 822 ('Mon, 02 Nov 2026 10:00:00 GMT');
    UTC when the source gives no time zone."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# --- Column lengths ----------------------------------------------------------------------

# Links and addresses cut short would point somewhere else: they are dropped instead.
UNCUTTABLE = {"apply_url", "apply_email", "source_url"}


def column_lengths(table: Table) -> dict[str, int]:
    return {column.name: column.type.length for column in table.columns
            if isinstance(column.type, String) and column.type.length}


def fit_to_columns(values: dict, lengths: dict[str, int]) -> dict:
    """PostgreSQL refuses a value longer than its column (SQLite would keep it): cut it."""
    fitted = dict(values)
    for name, length in lengths.items():
        value = fitted.get(name)
        if isinstance(value, str) and len(value) > length:
            fitted[name] = None if name in UNCUTTABLE else value[: length - 1] + "…"
    return fitted


# --- Occupations (ROME) from titles --------------------------------------------------------

FUZZY_THRESHOLD = 90
# A ROME code as partners write it: "K2204", "K2204 - Nettoyage de locaux".
_ROME_CODE = re.compile(r"\b([A-N]\d{4})\b")
# What titles say besides the job: contract, schedule, urgency, duration.
_TITLE_NOISE = frozenset(
    "cdi cdd interim mission stage alternance apprentissage saison saisonnier urgent temps plein partiel "
    "mois semaines ans jours poste offre emploi".split()
)
_SMALL_WORDS = frozenset("a au aux d de des du en et l la le les pour par sur un une h f".split())


@dataclass(frozen=True)
class Occupation:
    code: str
    title: str  # the ROME job title it was found through
    score: float  # 100 for an exact match


class RomeIndex:
    """The 13,120 ROME job titles in memory, built once per run: exact folded forms first, then
    the best token_set_ratio ≥ 90 among the titles that share a word with the offer's."""

    def __init__(self, titles: Iterable[tuple[str, str, str, str]]):
        self.exact: dict[str, Occupation] = {}
        self.forms: list[tuple[str, str, str]] = []  # (folded form, code, label)
        self.by_word: dict[str, list[int]] = {}
        for label, masculine, feminine, code in titles:
            for form in sorted({fold(label), fold(masculine), fold(feminine)}):
                self.exact.setdefault(form, Occupation(code, label, 100.0))
                for word in set(form.split()) - _SMALL_WORDS:
                    self.by_word.setdefault(word, []).append(len(self.forms))
                self.forms.append((form, code, label))
        # Feeds repeat titles: each distinct one is looked up once per run.
        self.infer = lru_cache(maxsize=100_000)(self._infer)

    @classmethod
    def from_database(cls, session: Session) -> "RomeIndex":
        rows = session.execute(
            select(JobTitle.label, JobTitle.masculine, JobTitle.feminine, JobTitle.occupation_code)
            .order_by(JobTitle.ogr_code)
        )
        return cls(rows.all())

    def _infer(self, clean_title: str) -> Occupation | None:
        folded = " ".join(word for word in fold(clean_title).split() if word not in _TITLE_NOISE and not word.isdigit())
        if folded in self.exact:
            return self.exact[folded]
        candidates = sorted({i for word in set(folded.split()) - _SMALL_WORDS for i in self.by_word.get(word, ())})
        matches = process.extract(
            folded, [self.forms[i][0] for i in candidates], scorer=fuzz.token_set_ratio,
            score_cutoff=FUZZY_THRESHOLD, limit=None,
        )
        if not matches:
            return None
        words = set(folded.split()) - _SMALL_WORDS
        _form, score, position = max(matches, key=lambda match: (match[1], *_specificity(match[0], words)))
        _form, code, label = self.forms[candidates[position]]
        return Occupation(code, label, round(score, 1))


def _specificity(form: str, offer_words: set[str]) -> tuple[bool, int]:
    """Ties go to a ROME title the offer's words contain, the longest ("assistant commercial"
    over "commercial" for "assistant commercial export"); else to the title adding the fewest
    words (the offer is vaguer than any title: guess the least)."""
    title_words = set(form.split()) - _SMALL_WORDS
    inside = title_words <= offer_words
    return inside, len(title_words) if inside else -len(title_words - offer_words)


def rome_code_in(text: str | None) -> str | None:
    match = _ROME_CODE.search((text or "").upper())
    return match[1] if match else None


def occupation_of(source_code: str | None, clean_title: str, known_codes, rome: RomeIndex) -> tuple[str | None, dict]:
    """The source's ROME code when we know it, else one inferred from the title; the details
    then say it was inferred, and from which ROME title."""
    code = (source_code or "").strip().upper()
    if code in known_codes:
        return code, {}
    inferred = rome.infer(clean_title)
    if inferred is None:
        return None, {}
    return inferred.code, {"occupation_inferred": f"{inferred.title} ({inferred.code})"}

"""French normalisation of job titles, descriptions and employer names.

Shared by deduplication (title keys, description shingles, employer keys) and search (the
indexed and the queried text go through the same function, so both backends see the same
words). Everything here is pure, deterministic and fast: one call per offer, half a million
offers per run.

Titles are normalised as SEARCH-DEDUP.md §3.2 recommends, in this order:
lower case; strip the gender marks ("H/F", "(F/H)", "(e)", "·e", "/trice"), the contract words
("CDI", "intérim"…) and small words; bring feminine forms to the masculine ("serveuse" →
"serveur", "infirmière" → "infirmier", "cheffe" → "chef"); Snowball French stem **with** the
accents (the stemmer relies on them); fold the accents last.
"""
import re
import unicodedata
from functools import lru_cache

import Stemmer

from app.catalog.text import fold

_STEMMER = Stemmer.Stemmer("french")

# "(H/F)", "H/F", "F/H", "(H/F/X)", "h/f/nb", "(f/h)." : gender marks that tell nothing of the job.
_GENDER_MARK = re.compile(r"\(?\b[hf]\s*/\s*[hfx](?:\s*/\s*(?:x|nb|d))?\b\)?\.?")
# Inclusive endings glued to a word: "chargé(e)", "administrateur(trice)", "administrateur/trice",
# "administrateur.trice", "ingénieur-e", "serveur/se", "che(fe)", "développeur·euse".
_INCLUSIVE_ENDING = re.compile(
    r"(?<=\w)(?:\((?:e|fe|ne|se|euse|rice|trice|ère|ière|ienne|ive|ale)\)"
    r"|[./·-](?:e|fe|ne|se|euse|rice|trice|ère|ière|ienne|ive|ale)\b)"
)
# Words of the contract, the schedule or the ad itself: not the occupation.
# ("mission", "poste" and "emploi" stay: "chargé de mission", "agent de poste".)
CONTRACT_WORDS = frozenset("cdi cdd cdic interim interimaire freelance temps plein partiel urgent".split())
STOP_WORDS = frozenset(
    "a au aux d de des du en et l la le les pour par sur un une dans avec ou the of and".split()
)
# Feminine job words the suffix rules get wrong or do not reach.
FEMININE_LEXICON = {
    "cheffe": "chef",
    "commise": "commis",
    "agente": "agent",
    "barmaid": "barman",
    "femme": "valet",  # "femme de chambre" / "valet de chambre"
    "dirigeante": "dirigeant",
    "adjointe": "adjoint",
    "assistante": "assistant",
    "consultante": "consultant",
    "gouvernante": "gouvernant",
}
# Suffix rules, longest first: the first that matches is applied (words of 5 letters or more).
GENDER_SUFFIXES = (
    ("tresse", "tre"),  # maîtresse, contremaîtresse
    ("trice", "teur"),
    ("euse", "eur"),
    ("rice", "eur"),
    ("ière", "ier"),
    ("ienne", "ien"),
    ("ère", "er"),
    ("ée", "é"),
    ("ive", "if"),
    ("ale", "al"),
)
_WORD = re.compile(r"[^\W\d_]+|\d+")

# Employer names: legal forms and words that do not tell two employers apart.
LEGAL_FORMS = frozenset(
    "sa sas sasu sarl eurl sci scop snc sca selarl gie earl ets etablissements groupe group "
    "france cie compagnie holding".split()
)
# Intermediaries publish for an employer they often do not name: their name says nothing of
# who hires. Brands of the large temp agencies, and the words recruitment firms use.
INTERMEDIARY_WORDS = frozenset(
    "interim interimaire recrutement recruitment recruiting staffing rh talents sourcing "
    "manpower adecco randstad crit synergie proman supplay partnaire expectra temporis actual "
    "domino ergalis adequat samsic gigroup gi appel medical side staffmatch triangle axxis "
    "leader interaction start people hays michael page experis lynx adsearch nextep".split()
)
INTERMEDIARY_PHRASES = ("travail temporaire", "gi group", "start people", "michael page", "appel medical")


@lru_cache(maxsize=200_000)
def _is_noise(word: str) -> bool:
    """A small word, a single letter, or a word of the contract rather than of the job."""
    return word in STOP_WORDS or (len(word) == 1 and not word.isdigit()) or fold(word) in CONTRACT_WORDS


@lru_cache(maxsize=200_000)
def _normalise_word(word: str) -> str:
    """One lower-case, accented word to its masculine Snowball stem, accents folded."""
    word = FEMININE_LEXICON.get(word, word)
    if len(word) >= 5:
        for suffix, replacement in GENDER_SUFFIXES:
            if word.endswith(suffix):
                word = word[: -len(suffix)] + replacement
                break
    return fold(_STEMMER.stemWord(word))


@lru_cache(maxsize=100_000)
def title_words(title: str | None) -> tuple[str, ...]:
    """The normalised words of a title, in order, each once: the occupation, not the ad.
    Remembered: feeds repeat titles ("Serveur H/F") thousands of times."""
    text = (title or "").lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    text = _GENDER_MARK.sub(" ", text).replace("che(fe)", "chef")
    text = _INCLUSIVE_ENDING.sub("", text)
    words: list[str] = []
    for raw in _WORD.findall(text):
        if _is_noise(raw):
            continue
        word = _normalise_word(raw)
        if word and word not in words:
            words.append(word)
    return tuple(words)


def normalise_title(title: str | None) -> str:
    """'Serveuse (H/F) - CDI' -> 'serveur'; 'Administrateur / Administratrice systèmes et
    réseaux' -> 'administr system reseau'. Same occupation, same string."""
    return " ".join(title_words(title))


# Words of a description, read on the ASCII text with the case kept, so that words glued by
# feeds that drop line breaks ("Vos missionsAdministration") come apart: a capital after a
# lower-case letter starts a word. One C-level regex pass: it runs on every description.
_TEXT_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_TEXT_LIGATURES = (("œ", "oe"), ("Œ", "Oe"), ("æ", "ae"), ("Æ", "Ae"))


def normalise_text(text: str | None) -> list[str]:
    """The words of a description, lower case and unaccented, for shingles (no stemming:
    near-duplicate detection compares the wording, not the meaning)."""
    if not text:
        return []
    for ligature, letters in _TEXT_LIGATURES:  # str.replace, not str.translate: ten times faster
        text = text.replace(ligature, letters)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    return " ".join(_TEXT_WORD.findall(ascii_text.decode("ascii"))).lower().split()


def employer_words(name: str | None) -> list[str]:
    """The words that identify an employer: folded, without legal forms ('Hexanet SAS' and
    'HEXANET' agree), a place suffix kept ('MiPih - Bordeaux')."""
    return [word for word in fold(name).split() if word not in LEGAL_FORMS]


@lru_cache(maxsize=100_000)
def normalise_employer(name: str | None) -> str:
    return " ".join(employer_words(name))


@lru_cache(maxsize=100_000)
def is_intermediary(name: str | None) -> bool:
    """A temp agency or a recruitment firm: it may hide the real employer behind its name."""
    folded = fold(name)
    if not folded:
        return False
    return any(phrase in folded for phrase in INTERMEDIARY_PHRASES) or any(
        word in INTERMEDIARY_WORDS for word in folded.split()
    )

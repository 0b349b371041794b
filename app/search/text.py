"""Offer and query text, normalised once in Python, the same way for both engines.

The French normaliser (app.catalog.normalise: case, "(H/F)", gender and inclusive forms,
Snowball stems with accents, accents folded last) runs on what is indexed and on what is
typed. Both engines then index plain space-separated ASCII words, so SQLite FTS5 and the
PostgreSQL `simple` configuration see the same words and give the same results.
Employers' names are only folded, never stemmed (La bonne alternance: stemming "Société
Générale" made "général" find it).
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.catalog.normalise import normalise_title, title_words
from app.catalog.text import fold

_WORD = re.compile(r"^[a-z0-9]+$")
# normalise_title keeps each word once, which suits a title; a description is normalised one
# sentence at a time, so that words stay next to their neighbours for phrase matching.
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
MAX_QUERY_WORDS = 12  # each word is one clause: a pasted paragraph must stay cheap


def normalise_description(text: str | None) -> str:
    return " ".join(word for sentence in _SENTENCE_END.split(text or "") for word in title_words(sentence))


def search_columns(values: Mapping) -> dict[str, str]:
    """The normalised columns of an offer, from its title, organisation and description."""
    return {
        "search_title": normalise_title(values.get("title")),
        "search_organisation": fold(values.get("organisation_name")),
        "search_description": normalise_description(values.get("description")),
    }


def words(text: str) -> tuple[str, ...]:
    """Only plain ASCII words reach an index query: no operator, quote or column name can."""
    return tuple(word for word in text.split() if _WORD.match(word))


@dataclass(frozen=True)
class Term:
    """One typed word. An offer matches it if one of its stem phrases appears in the title or the
    description, or its folded form in the employer's name. A word may normalise to several
    stems ("aide-soignante" -> "aid soign"), and to several phrases when it was typed without
    its accents ("securite" -> "sécurité" or "securite")."""

    stems: tuple[tuple[str, ...], ...]
    organisation: tuple[str, ...]


@dataclass(frozen=True)
class TextQuery:
    """Every term must match (AND)."""

    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


_LETTERS = re.compile(r"[a-z]+")


def accented_variants(raw: str, accents: Mapping[str, frozenset[str]]) -> list[str]:
    """The word as typed, plus its accented spellings when typed without accents.

    The Snowball stemmer relies on accents ("sécurité" -> "secur", "securite" -> "securit";
    "pâtissière" and "patissiere" end differently), and people type without them. Accented
    spellings come from the ROME vocabulary (app/search/occupations.py)."""
    lowered = raw.lower()
    if not lowered.isascii():
        return [raw]
    parts = _LETTERS.findall(lowered)
    if len(parts) == 1:
        return [raw, *sorted(accents.get(parts[0], ()))]
    only = {part: next(iter(accents[part])) for part in parts if len(accents.get(part, ())) == 1}
    return [raw, _LETTERS.sub(lambda match: only.get(match[0], match[0]), lowered)] if only else [raw]


def parse_text_query(typed: str, accents: Mapping[str, frozenset[str]]) -> TextQuery:
    """Split on spaces only, so that "serveur·se" and "aide-soignante" stay one word each.
    A word the normaliser drops ("H/F", "de", "CDI") constrains nothing."""
    terms = []
    for raw in typed.split()[:MAX_QUERY_WORDS]:
        phrases = []
        for variant in accented_variants(raw, accents):
            stems = words(normalise_title(variant))
            if stems and stems not in phrases:
                phrases.append(stems)
        if phrases:
            terms.append(Term(stems=tuple(phrases), organisation=words(fold(raw))))
    return TextQuery(tuple(terms))

"""What: the 13,120 ROME job titles, for the occupation picker and to turn typed titles into codes.

"aide soignante" typed without JavaScript is the title of ROME code J1501: the search then also
finds J1501 offers worded otherwise ("ASH", "agent de soins"). Titles are compared after the
French normaliser, so plural, feminine and inclusive forms resolve alike.
"""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import JobTitle, Occupation
from app.catalog.text import fold
from app.search.cache import per_database
from app.search.text import normalise_title

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Title:
    ogr_code: str
    label: str
    occupation_code: str
    occupation_label: str
    is_principal: bool
    folded_words: tuple[str, ...]


class OccupationIndex:
    def __init__(self, titles: list[Title], forms: dict[str, set[str]], occupations: dict[str, str]):
        self.accents = accented_spellings([title.label for title in titles] + list(occupations.values()))
        # Principal titles and short ones first: "Cuisinier" before "Cuisinier de collectivité".
        self.titles = sorted(titles, key=lambda t: (not t.is_principal, len(t.label), t.label))
        self.codes_by_form = {form: frozenset(codes) for form, codes in forms.items()}
        self.forms_by_code: dict[str, set[str]] = {}
        for form, codes in forms.items():
            for code in codes:
                self.forms_by_code.setdefault(code, set()).add(form)
        self.occupations = occupations

    def resolve(self, typed: str) -> frozenset[str]:
        """ROME codes whose job title, normalised, is exactly what was typed."""
        return self.codes_by_form.get(normalise_title(typed), frozenset())

    def names(self, code: str, typed: str) -> bool:
        """Whether `typed` is one of the titles of occupation `code` (the picker filled it in)."""
        return normalise_title(typed) in self.forms_by_code.get(code, ())

    def suggest(self, typed: str, limit: int = 10) -> list[Title]:
        """Titles in which every typed word starts a word: "aide soi" finds "Aide-soignant"."""
        typed_words = fold(typed).split()
        if not typed_words:
            return []
        found = []
        for title in self.titles:
            if all(any(word.startswith(typed_word) for word in title.folded_words) for typed_word in typed_words):
                found.append(title)
                if len(found) == limit:
                    break
        return found


def accented_spellings(labels: list[str]) -> dict[str, frozenset[str]]:
    """Each accented word of the ROME labels, by its spelling without accents:
    "securite" -> {"sécurité"}. Lets a query typed without accents stem like the offers."""
    spellings: dict[str, set[str]] = {}
    for label in labels:
        for word in _WORD.findall(label.lower()):
            if not word.isascii():
                spellings.setdefault(fold(word), set()).add(word)
    return {plain: frozenset(accented) for plain, accented in spellings.items()}


def load_occupation_index(session: Session) -> OccupationIndex:
    occupations = dict(session.execute(select(Occupation.code, Occupation.label).order_by(Occupation.code)).all())
    titles, forms = [], {}
    rows = session.execute(
        select(
            JobTitle.ogr_code, JobTitle.label, JobTitle.masculine, JobTitle.feminine,
            JobTitle.occupation_code, JobTitle.is_principal, JobTitle.search_label,
        ).order_by(JobTitle.ogr_code)
    )
    for ogr_code, label, masculine, feminine, code, is_principal, search_label in rows:
        titles.append(Title(ogr_code, label, code, occupations.get(code, ""), is_principal, tuple(search_label.split())))
        for form in {label, masculine, feminine}:
            forms.setdefault(normalise_title(form), set()).add(code)
    return OccupationIndex(titles, forms, occupations)


def occupation_index(session: Session) -> OccupationIndex:
    return per_database(session, "occupations", load_occupation_index)

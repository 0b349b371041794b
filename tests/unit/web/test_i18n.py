"""The English catalogue: complete, in step with the sources, and used by the pages.

French is the source language: the msgids are the French strings. When a test here says a
string is missing or untranslated, refresh the catalogue from the repository root with

    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
    .venv/bin/pybabel update -i app/translations/messages.pot -d app/translations

then translate the new entries in app/translations/en/LC_MESSAGES/messages.po (drop the
"fuzzy" flag once a suggested translation is checked), and compile for the running app with

    .venv/bin/pybabel compile -d app/translations

The .mo is build output (ignored by git, made by scripts/setup); this module compiles it
itself when it is missing or older than the .po, so a fresh clone passes.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import PYTHON_FORMAT
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain
from lxml import html

from tests.factories.catalog import make_job, make_tenant

ROOT = Path(__file__).resolve().parents[3]
PO_FILE = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
REFRESH_HINT = (
    "refresh the catalogue with the pybabel extract and update commands in the docstring of "
    "tests/unit/web/test_i18n.py, then translate the new entries in "
    "app/translations/en/LC_MESSAGES/messages.po"
)


def read_catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def describe(message) -> str:
    msgid = " | ".join(message.id) if message.pluralizable else message.id
    context = f" (context {message.context!r})" if message.context else ""
    return f"{msgid!r}{context}"


def is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(strings) and all(strings)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogue(app):
    """Compile the English .mo if it is missing or older than the .po, as pybabel compile does
    (fuzzy entries left out), and make the test app reload it.
    """
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        catalogue = read_catalogue(PO_FILE)
        # Written next to the target then renamed: a concurrent reader never sees half a file
        # (and the name ends in .mo, so even a leftover stays ignored by git).
        handle, temporary = tempfile.mkstemp(dir=MO_FILE.parent, prefix=".messages-", suffix=".mo")
        try:
            with os.fdopen(handle, "wb") as file:
                write_mo(file, catalogue, use_fuzzy=False)
            os.chmod(temporary, 0o644)
            os.replace(temporary, MO_FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        # Flask-Babel caches each locale's catalogue on the app for its lifetime: an English
        # request from an earlier test module may have cached the empty one.
        with app.app_context():
            get_domain().cache.clear()
    return MO_FILE


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    """The messages the sources hold now, extracted exactly as the docstring says."""
    template = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract",
            "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(template), ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    return read_catalogue(template)


def test_every_message_of_the_catalogue_is_translated_and_checked():
    catalogue = read_catalogue(PO_FILE)
    messages = [message for message in catalogue if message.id]
    assert messages, f"{PO_FILE} holds no messages"
    untranslated = [describe(message) for message in messages if not is_translated(message)]
    fuzzy = [describe(message) for message in messages if message.fuzzy]
    assert not untranslated, (
        f"{len(untranslated)} message(s) without an English translation in {PO_FILE.name}:\n  "
        + "\n  ".join(untranslated)
    )
    assert not fuzzy, (
        f"{len(fuzzy)} message(s) still marked fuzzy (check the translation, then drop the flag):\n  "
        + "\n  ".join(fuzzy)
    )


def placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, kind) for name, _flags, kind in PYTHON_FORMAT.findall(text) if kind != "%"}


def test_translations_keep_the_placeholders_of_their_msgid():
    """Babel's own check (unknown or mistyped placeholders), and also none dropped: English
    always shows the number, the query and the name the French shows."""
    catalogue = read_catalogue(PO_FILE)
    problems = [
        f"{describe(message)}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalogue.check()
    ]
    for message in catalogue:
        if not message.id or not is_translated(message):
            continue
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        expected = set().union(*(placeholders(text) for text in ids))
        for string in strings:
            if placeholders(string) != expected:
                problems.append(f"{describe(message)}: {string!r} does not use exactly {sorted(expected)}")
    assert not problems, "translations whose placeholders differ from the French:\n  " + "\n  ".join(problems)


def test_every_message_in_the_sources_is_in_the_catalogue_and_translated(source_messages):
    catalogue = read_catalogue(PO_FILE)
    missing = []
    for message in source_messages:
        if not message.id:
            continue
        entry = catalogue.get(message.id, message.context)
        if entry is None or entry.fuzzy or not is_translated(entry):
            locations = ", ".join(f"{path}:{line}" for path, line in message.locations)
            missing.append(f"{describe(message)} ({locations})")
    assert not missing, (
        f"{len(missing)} message(s) in the sources have no English translation yet; "
        f"{REFRESH_HINT}:\n  " + "\n  ".join(missing)
    )


def page(response):
    assert response.status_code == 200
    return html.fromstring(response.get_data(as_text=True))


def squashed(document, xpath) -> str:
    return " ".join(document.xpath(f"string({xpath})").split())


def tab_labels(document) -> list[str]:
    return [" ".join(text.split()) for text in document.xpath("//nav//ul[@class='tabs']//a/text()")]


def test_jobs_tab_in_english(client, db_session):
    tenant = make_tenant(db_session)
    make_job(db_session, contract_type="CDI")
    document = page(client.get(f"/t/{tenant.slug}/jobs?lang=en"))
    assert document.get("lang") == "en"
    assert tab_labels(document) == ["Jobs", "Training courses", "Post a job"]
    assert squashed(document, "//h1") == "Jobs"
    assert squashed(document, "//p[@class='result-count']") == "1 result"
    assert "Permanent contract" in squashed(document, "//ol[@class='offer-list']")
    assert squashed(document, "//a[@class='skip-link']") == "Skip to content"


def test_english_count_has_plural_and_query_forms(client, db_session):
    tenant = make_tenant(db_session)
    make_job(db_session, title="Boulanger")
    make_job(db_session, title="Boulangère de nuit")
    document = page(client.get(f"/t/{tenant.slug}/jobs", query_string={"lang": "en", "q": "boulanger"}))
    assert squashed(document, "//p[@class='result-count']") == "2 results for “boulanger”"


def test_browser_preference_gives_english_labels(client, db_session):
    tenant = make_tenant(db_session)
    document = page(client.get(f"/t/{tenant.slug}/jobs", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert tab_labels(document) == ["Jobs", "Training courses", "Post a job"]
    assert squashed(document, "//p[@class='result-count']") == "0 results"


def test_jobs_tab_in_french(client, db_session):
    tenant = make_tenant(db_session)
    make_job(db_session, contract_type="CDI")
    document = page(client.get(f"/t/{tenant.slug}/jobs"))
    assert document.get("lang") == "fr"
    assert tab_labels(document) == ["Offres d'emploi", "Offres de formation", "Déposer une offre"]
    assert squashed(document, "//h1") == "Offres d'emploi"
    assert squashed(document, "//p[@class='result-count']") == "1 offre"
    assert "CDI" in squashed(document, "//ol[@class='offer-list']")
    assert squashed(document, "//a[@class='skip-link']") == "Aller au contenu"

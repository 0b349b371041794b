"""Every normalisation rule the connectors share: titles, contracts, salaries, descriptions,
dates, column lengths, ROME codes from titles."""
from datetime import datetime, timezone

import pytest

from app.catalog.models import CONTRACT_TYPES, Offer
from app.embed.jsonld import EMPLOYMENT_TYPES
from app.ingest.normalise import (
    column_lengths,
    contract_type,
    fit_to_columns,
    normalise_description,
    normalise_title,
    parse_date,
    parse_salary,
    rome_code_in,
    working_time,
)


@pytest.mark.parametrize(
    ("text", "display", "clean"),
    [
        ("  SERVEUR  (H/F) ", "Serveur (H/F)", "Serveur"),
        ("Administrateur / Administratrice de bases de données H/F",
         "Administrateur / Administratrice de bases de données H/F",
         "Administrateur / Administratrice de bases de données"),
        ("CHAUFFEUR SPL F/H", "Chauffeur SPL F/H", "Chauffeur SPL"),
        ("Aide-soignant [H-F]", "Aide-soignant [H-F]", "Aide-soignant"),
        ("Développeur Java (h/f/x)", "Développeur Java (h/f/x)", "Développeur Java"),
        ("AGENT DE SÉCURITÉ SSIAP 1 - H/F", "Agent de sécurité SSIAP 1 - H/F", "Agent de sécurité SSIAP 1"),
        ("Chef de projet IT", "Chef de projet IT", "Chef de projet IT"),
    ],
)
def test_titles_keep_a_tidy_display_form_and_a_clean_one(text, display, clean):
    title = normalise_title(text)

    assert (title.display, title.clean) == (display, clean)


@pytest.mark.parametrize(
    ("labels", "title", "expected"),
    [
        (["CDI"], "", "CDI"),
        (["DDI"], "", "CDD"),
        (["TTI"], "", "MIS"),
        (["Contrat apprentissage", "CDD"], "", "ALT"),
        (["Cont. professionnalisation", "CDD"], "", "ALT"),
        (["Contrat travail", "MIS"], "", "MIS"),
        (["permanent"], "", "CDI"),
        (["temporary", "fulltime"], "", "CDD"),
        (["internship"], "", "STG"),
        (["seasonal"], "", "SAI"),
        (["Intérim"], "", "MIS"),
        (["Saisonnier"], "", "SAI"),
        (["freelance"], "", "LIB"),
        (["INTERN"], "", "STG"),
        (["CONTRACTOR"], "", "LIB"),
        (["fulltime"], "Serveur - CDD 6 mois", "CDD"),
        (["parttime"], "", None),
        ([], "Agent d'entretien", None),
        (["CCE"], "", "OTHER"),
        (["VOLUNTEER"], "", "OTHER"),
    ],
)
def test_every_contract_vocabulary_maps_to_the_catalog_one(labels, title, expected):
    assert contract_type(labels, title) == expected


def test_what_the_offer_page_publishes_as_employment_type_reads_back():
    """app/embed/jsonld.py maps our contracts to schema.org; reading them back stays in the family."""
    families = {"CDD": {"CDD", "MIS", "SAI"}, "MIS": {"CDD", "MIS", "SAI"}, "SAI": {"CDD", "MIS", "SAI"},
                "ALT": {"ALT", "STG"}, "STG": {"ALT", "STG"}, "LIB": {"LIB"}, "OTHER": {"OTHER"}}
    for code, employment_type in EMPLOYMENT_TYPES.items():
        assert contract_type([employment_type]) in families[code]
    assert set(families) <= set(CONTRACT_TYPES)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [(("Temps plein",), "full_time"), (("temps partiel",), "part_time"), (("parttime",), "part_time"),
     (("FULL_TIME",), "full_time"), (("CDI",), None)],
)
def test_working_time(labels, expected):
    assert working_time(*labels) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 € / heure", (12.0, 12.0, "HOUR")),
        ("12€/h", (12.0, 12.0, "HOUR")),
        ("De 25 000 à 30 000 € brut annuel", (25000.0, 30000.0, "YEAR")),
        ("1 800 € brut mensuel", (1800.0, 1800.0, "MONTH")),
        ("1.800 € par mois", (1800.0, 1800.0, "MONTH")),
        ("SMIC", (11.88, 11.88, "HOUR")),
        ("25k-30k€", (25000.0, 30000.0, "YEAR")),
        ("2 200 €", (2200.0, 2200.0, "MONTH")),
        ("400 € par jour", (400.0, 400.0, "DAY")),
        ("Mensuel de 1923.00 Euros sur 12 mois", (1923.0, 1923.0, "MONTH")),
        ("Annuel de 35000.0 Euros à 45000.0 Euros sur 12.0 mois", (35000.0, 45000.0, "YEAR")),
        ("Mensuel de 1 923 € (35 heures)", (1923.0, 1923.0, "MONTH")),
        ("Salaire 2 500 € - 5 postes", (2500.0, 2500.0, "MONTH")),
        ("Autre de 30000,00 Euros à 40000,00 Euros", (None, None, None)),
        ("Selon profil", (None, None, None)),
        ("", (None, None, None)),
    ],
)
def test_salary_text_becomes_a_range_with_its_period(text, expected):
    salary = parse_salary(text)

    assert (salary.minimum, salary.maximum, salary.period) == expected


def test_html_descriptions_are_sanitised_and_flagged():
    description = normalise_description(
        '<div class="x"><p onclick="steal()">Missions :</p><ul><li><b>Accueil</b></li></ul>'
        '<script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">piège</a> <a href="https://example.org/postuler" target="_blank">postuler</a></div>'
    )

    assert description.is_html and description.details() == {"description_format": "html"}
    assert description.text.startswith("<p>Missions :</p><ul><li><b>Accueil</b></li></ul>")
    for forbidden in ("<script", "onclick", "onerror", "javascript:", "<img", "<div", "class=", "target="):
        assert forbidden not in description.text
    assert '<a href="https://example.org/postuler" rel="noopener noreferrer nofollow">postuler</a>' in description.text


def test_loose_html_is_wrapped_in_a_paragraph():
    assert normalise_description("Poste <strong>urgent</strong>").text == "<p>Poste <strong>urgent</strong></p>"


def test_plain_text_stays_plain():
    description = normalise_description("Salaire < 2 000 €\nPoste à pourvoir")

    assert (description.text, description.is_html, description.details()) == (
        "Salaire < 2 000 €\nPoste à pourvoir", False, {})


def test_over_long_values_are_cut_to_their_column_and_long_links_dropped():
    lengths = column_lengths(Offer.__table__)
    values = fit_to_columns(
        {"title": "Serveur " * 60, "apply_url": "https://example.org/" + "x" * 1000, "description": "y" * 5000},
        lengths,
    )

    assert len(values["title"]) == 300 and values["title"].endswith("…")
    assert values["apply_url"] is None
    assert len(values["description"]) == 5000  # Text: no limit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02", datetime(2026, 11, 2, tzinfo=timezone.utc)),
        ("2026-11-02T10:00:00Z", datetime(2026, 11, 2, 10, tzinfo=timezone.utc)),
        ("2026-11-02T10:00:00+01:00", datetime(2026, 11, 2, 9, tzinfo=timezone.utc)),
        ("Mon, 02 Nov 2026 08:30:00 GMT", datetime(2026, 11, 2, 8, 30, tzinfo=timezone.utc)),
        ("hier", None),
        (None, None),
    ],
)
def test_dates_in_iso_or_rfc_822(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("K2204", "K2204"), ("g1703 - Réception", "G1703"), ("Hôtellerie", None)])
def test_rome_codes_written_by_partners(text, expected):
    assert rome_code_in(text) == expected


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Serveur", "G1803"),  # exact, masculine form
        ("Serveuse en restauration", "G1803"),  # exact, feminine form
        ("Boulanger", "D1102"),
        ("Aide-soignant de nuit Lyon", "J1501"),  # fuzzy: the ROME title within the offer's words
        ("Assistant commercial export", "D1401"),  # the most specific title the words contain
        ("Chauffeur poids lourd", "N4101"),
    ],
)
def test_rome_codes_are_inferred_from_titles(rome, title, code):
    assert rome.infer(title).code == code


def test_a_title_that_matches_no_rome_title_gets_no_code(rome):
    assert rome.infer("Zythologue intergalactique") is None

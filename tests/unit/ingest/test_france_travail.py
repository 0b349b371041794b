import copy
from datetime import datetime, timezone

import pytest

from app.ingest import InvalidRecord
from app.ingest.connectors.france_travail import parse_offer
from app.ingest.normalise import parse_salary


def parse(record, context):
    return parse_offer(record, context).values


def test_the_annecy_offer_is_placed_in_annecy_with_its_coordinates(ft_records, context):
    offer = parse(ft_records["9169648"], context)

    assert offer["commune_code"] == "74010"
    assert offer["location_precision"] == "commune"
    assert (offer["latitude"], offer["longitude"]) == (45.901584, 6.125296)
    assert (offer["departement_code"], offer["region_code"]) == ("74", "84")


def test_a_hauts_de_seine_offer_is_departement_only(ft_records, context):
    offer = parse(ft_records["0385215"], context)

    assert offer["location_precision"] == "departement"
    assert offer["commune_code"] is None
    assert offer["departement_code"] == "92"


def test_the_offer_keeps_its_title_and_its_france_travail_id(ft_records, context):
    record = ft_records["186LVGH"]
    offer = parse(record, context)

    assert offer["partner_id"] == "186LVGH"
    assert offer["title"] == "Administrateur / Administratrice de bases de données H/F"
    assert offer["description"] == record["description"].strip()
    assert offer["occupation_code"] == "M1801"
    assert offer["source_url"] == "https://candidat.francetravail.fr/offres/recherche/detail/186LVGH"


def test_gender_marks_are_left_out_of_the_searchable_text_only(ft_records, context):
    offer = parse(ft_records["186LVGH"], context)

    assert offer["title"].endswith("H/F")
    assert " h f" not in f" {offer['search_text']} "
    assert "administrateur" in offer["search_text"] and "bases de donnees" in offer["search_text"]


def test_dates_are_time_zone_aware(ft_records, context):
    offer = parse(ft_records["186LVGH"], context)

    assert offer["published_at"] == datetime(2025, 1, 10, 14, 17, 56, 871000, tzinfo=timezone.utc)
    assert offer["updated_at"] == datetime(2025, 1, 10, 14, 57, 41, 841000, tzinfo=timezone.utc)


def test_a_partner_offer_is_applied_for_on_the_partner_site(ft_records, context):
    record = ft_records["9169648"]
    offer = parse(record, context)

    assert offer["apply_method"] == "url"
    assert offer["apply_url"] == record["origineOffre"]["partenaires"][0]["url"]
    assert offer["details"]["partner"] == "METEOJOB"
    assert offer["details"]["partners"] == ["METEOJOB"]


def test_the_recruiter_form_comes_before_france_travail_page(ft_records, context):
    record = ft_records["186KWTQ"]
    offer = parse(record, context)

    assert offer["apply_url"] == record["contact"]["urlPostulation"]


def test_the_recruiter_address_comes_before_the_france_travail_page(ft_records, context):
    """Applying on France Travail's own page needs an account there: an address does not."""
    record = copy.deepcopy(ft_records["186LVGH"])
    record["origineOffre"] = {"origine": "1", "urlOrigine": "https://candidat.francetravail.fr/offres/recherche/detail/186LVGH"}
    record["contact"] = {"courriel": "recrutement@example.org"}
    offer = parse(record, context)

    assert (offer["apply_method"], offer["apply_url"], offer["apply_email"]) == (
        "email",
        None,
        "recrutement@example.org",
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Mensuel de 1923.00 Euros sur 12 mois", (1923.0, 1923.0, "MONTH")),
        ("Annuel de 35000.0 Euros à 45000.0 Euros sur 12.0 mois", (35000.0, 45000.0, "YEAR")),
        ("Annuel de 45000,00 Euros à 60000,00 Euros", (45000.0, 60000.0, "YEAR")),
        ("Horaire de 11.65 Euros", (11.65, 11.65, "HOUR")),
        ("Horaire de 12,00 Euros à 12,00 Euros", (12.0, 12.0, "HOUR")),
        ("Autre de 30000,00 Euros à 40000,00 Euros", (None, None, None)),
        ("Annuel de", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_salary_labels_are_parsed(label, expected):
    parsed = parse_salary(label)

    assert (parsed.minimum, parsed.maximum, parsed.period) == expected


def test_salary_text_falls_back_to_the_comment(ft_records, context):
    record = copy.deepcopy(ft_records["186LVGH"])
    record["salaire"] = {"commentaire": "Selon profil", "complement1": "Mutuelle"}
    offer = parse(record, context)

    assert offer["salary_text"] == "Selon profil"
    assert offer["salary_min"] is None
    assert offer["details"]["salary_details"] == ["Mutuelle"]


@pytest.mark.parametrize(
    ("contract", "nature", "expected"),
    [
        ("CDI", "Contrat travail", "CDI"),
        ("CDD", "Contrat travail", "CDD"),
        ("MIS", "Contrat travail", "MIS"),
        ("TTI", "Contrat travail", "MIS"),
        ("DIN", "Contrat travail", "MIS"),
        ("SAI", "Contrat travail", "SAI"),
        ("LIB", "Emploi non salarié", "LIB"),
        ("FRA", "Emploi non salarié", "LIB"),
        ("REP", "Emploi non salarié", "LIB"),
        ("CDD", "Contrat apprentissage", "ALT"),
        ("CDD", "Cont. professionnalisation", "ALT"),
        ("CCE", "Contrat travail", "OTHER"),
    ],
)
def test_contract_types_map_to_the_catalog_vocabulary(ft_records, context, contract, nature, expected):
    record = copy.deepcopy(ft_records["186LVGH"])
    record.update(typeContrat=contract, natureContrat=nature)

    assert parse(record, context)["contract_type"] == expected


def test_an_apprenticeship_is_flagged(ft_records, context):
    offer = parse(ft_records["185SQVY"], context)

    assert (offer["contract_type"], offer["is_apprenticeship"]) == ("ALT", True)


def test_working_time_experience_and_requirements(ft_records, context):
    offer = parse(ft_records["186LVGH"], context)

    assert offer["working_time"] == "full_time"
    assert (offer["experience"], offer["experience_label"]) == ("beginner", "Débutant accepté")
    assert offer["details"]["languages"] == ["Anglais (souhaité)"]
    assert offer["details"]["education"] == ["Bac ou équivalent (exigé)"]
    assert "Avoir le sens du service" in offer["details"]["qualities"]


def test_an_unknown_rome_code_gives_way_to_one_inferred_from_the_title(ft_records, context):
    record = copy.deepcopy(ft_records["186LVGH"])
    record["romeCode"] = "Z9999"

    offer = parse(record, context)

    assert offer["occupation_code"] == "M1894"
    assert offer["details"]["occupation_inferred"] == "Administrateur / Administratrice de bases de données (M1894)"


def test_a_known_rome_code_is_not_reported_as_inferred(ft_records, context):
    assert "occupation_inferred" not in parse(ft_records["186LVGH"], context)["details"]


def test_the_content_hash_changes_only_with_the_content(ft_records, context):
    record = ft_records["186LVGH"]
    changed = copy.deepcopy(record)
    changed["description"] += " Poste à pourvoir rapidement."

    original = parse(record, context)["content_hash"]

    assert parse(copy.deepcopy(record), context)["content_hash"] == original
    assert parse(changed, context)["content_hash"] != original


@pytest.mark.parametrize("missing", ["id", "intitule", "dateCreation"])
def test_a_record_without_id_title_or_date_is_invalid(ft_records, context, missing):
    record = copy.deepcopy(ft_records["186LVGH"])
    del record[missing]

    with pytest.raises(InvalidRecord):
        parse(record, context)


def test_every_real_offer_parses(ft_records, context):
    offers = [parse(record, context) for record in ft_records.values()]

    assert len(offers) == 1127
    assert all(offer["published_at"].tzinfo is not None for offer in offers)
    assert sum(offer["location_precision"] == "commune" for offer in offers) > 850


def test_html_escaped_text_from_the_api_is_stored_as_text(ft_records, context):
    """The API escapes its plain text: "Temporis Experts &amp; Cadres" is "Temporis Experts & Cadres"."""
    escaped = next(record for record in ft_records.values() if "&amp;" in ((record.get("entreprise") or {}).get("nom") or ""))
    offer = parse(escaped, context)
    assert "&amp;" not in offer["organisation_name"] and "&" in offer["organisation_name"]
    record = copy.deepcopy(escaped)
    record["description"] = "Salaire &amp; avantages\nHoraires &lt;35h&gt;"
    assert parse(record, context)["description"] == "Salaire & avantages\nHoraires <35h>"

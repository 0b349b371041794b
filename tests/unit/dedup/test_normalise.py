"""The shared French normaliser (app/catalog/normalise.py), rule by rule."""
import pytest
from sqlalchemy import select

from app.catalog.models import JobTitle
from app.catalog.normalise import is_intermediary, normalise_employer, normalise_text, normalise_title


@pytest.mark.parametrize(
    "variants",
    [
        ("Serveur", "Serveuse (H/F)", "SERVEUR H/F - CDI", "Serveur/se", "serveur (F/H)", "Serveur·euse"),
        ("Administrateur systèmes et réseaux", "Administratrice / Administrateur système et réseau H/F",
         "Administrateur(trice) systèmes et réseaux", "ADMINISTRATEUR.TRICE SYSTÈMES & RÉSEAUX"),
        ("Cuisinier", "Cuisinière"),
        ("Infirmier", "Infirmière (F/H)"),
        ("Préparateur", "Préparatrice"),
        ("Chef de partie", "Cheffe de partie", "Che(fe) de partie"),
        ("Commis de cuisine", "Commise de cuisine"),
        ("Agent d'entretien", "Agente d'entretien"),
        ("Aide-soignant", "Aide-soignante", "Aides-soignants"),
        ("Chargé de gestion", "Chargé(e) de gestion", "Chargée de gestion"),
        ("Ingénieur", "Ingénieur-e", "Ingénieure"),
        ("Technicien", "Technicienne"),
        ("Commercial sédentaire", "Commerciale sédentaire"),
        ("Valet de chambre", "Femme de chambre"),
        ("Conducteur de bus", "Conductrice de bus en intérim"),
    ],
)
def test_masculine_feminine_and_inclusive_forms_of_a_title_are_one(variants):
    assert len({normalise_title(variant) for variant in variants}) == 1, [normalise_title(v) for v in variants]


@pytest.mark.parametrize("different", [("Serveur", "Cuisinier"), ("Vendeur", "Vente"), ("Technicien", "Ingénieur")])
def test_different_occupations_stay_different(different):
    assert normalise_title(different[0]) != normalise_title(different[1])


def test_most_rome_masculine_and_feminine_titles_normalise_alike(db_session):
    """The 13,120 ROME job titles give both forms: the rules must unify nearly all of them."""
    pairs = db_session.execute(select(JobTitle.masculine, JobTitle.feminine).where(JobTitle.masculine != JobTitle.feminine)).all()
    unified = sum(normalise_title(masculine) == normalise_title(feminine) for masculine, feminine in pairs)
    assert len(pairs) > 5000
    assert unified / len(pairs) >= 0.98  # 0.99 measured


def test_description_words_are_folded_and_glued_words_split():
    assert normalise_text("Vos missionsAdministration : l'Œuvre, 24 K€ — ÉTÉ") == [
        "vos", "missions", "administration", "l", "oeuvre", "24", "k", "ete"
    ]
    assert normalise_text(None) == []


def test_employer_names_lose_their_legal_form():
    assert normalise_employer("HEXANET SAS") == normalise_employer("Hexanet") == "hexanet"
    assert normalise_employer("Groupe Arterris") == "arterris"
    assert normalise_employer(None) == ""


@pytest.mark.parametrize(
    "name, intermediary",
    [("Manpower Lyon", True), ("QUALIS RECRUTEMENT", True), ("Horizon Intérim", True), ("Gi Group France", True),
     ("Brasserie des Terreaux", False), ("CHU de Bordeaux", False), (None, False)],
)
def test_temp_agencies_and_recruiters_are_recognised(name, intermediary):
    assert is_intermediary(name) is intermediary

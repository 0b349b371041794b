from sqlalchemy import select

from app.catalog.models import Commune, JobTitle, Occupation, PostalCode
from app.catalog.reference import load_reference, reference_counts, split_gendered_title


def test_reference_data_is_complete(db_session):
    counts = reference_counts(db_session)
    assert counts["communes"] == 34969
    assert counts["departements"] == 109
    assert counts["regions"] == 26
    assert counts["occupations"] == 1584
    assert counts["job_titles"] == 13120


def test_loading_again_changes_nothing(db_session):
    before = reference_counts(db_session)
    assert load_reference(db_session) == before


def test_a_commune_carries_its_place_in_france(db_session):
    annecy = db_session.get(Commune, "74010")
    assert annecy.name == "Annecy"
    assert annecy.departement.name == "Haute-Savoie"
    assert annecy.departement.region.name == "Auvergne-Rhône-Alpes"
    assert 45.8 < annecy.latitude < 46.0 and 6.0 < annecy.longitude < 6.2
    assert "74000" in {postal.code for postal in annecy.postal_codes}
    assert annecy.search_name == "annecy"


def test_one_postal_code_serves_several_communes(db_session):
    communes = db_session.scalars(select(PostalCode.insee_code).where(PostalCode.code == "01400")).all()
    assert len(communes) > 1


def test_occupations_form_a_tree_with_domains(db_session):
    occupation = db_session.get(Occupation, "A1102")
    assert occupation.parent.code == "A1101"
    assert occupation.domain.code == "A11"
    assert occupation.domain.large_domain_code == "A"


def test_job_titles_have_both_genders(db_session):
    principal = db_session.scalars(
        select(JobTitle).where(JobTitle.occupation_code == "G1803", JobTitle.is_principal)
    ).one()
    assert principal.masculine == "Serveur en restauration"
    assert principal.feminine == "Serveuse en restauration"
    assert "serveuse" in principal.search_label


def test_split_gendered_title():
    assert split_gendered_title("Conducteur / Conductrice d'engins agricoles") == (
        "Conducteur d'engins agricoles",
        "Conductrice d'engins agricoles",
    )
    assert split_gendered_title("Chef de rayon / Cheffe de rayon") == ("Chef de rayon", "Cheffe de rayon")
    assert split_gendered_title("Accastilleur-gréeur / Accastilleuse-gréeuse") == (
        "Accastilleur-gréeur",
        "Accastilleuse-gréeuse",
    )
    assert split_gendered_title("Boulanger") == ("Boulanger", "Boulanger")

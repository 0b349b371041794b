"""Load the shipped reference data (INSEE places, ROME occupations) into the catalog.

Idempotent: every row is upserted on its natural key, so running it again changes nothing
and an updated file updates the rows it changed.
"""
import csv
import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog.models import (
    Commune,
    Departement,
    JobTitle,
    Occupation,
    OccupationDomain,
    PostalCode,
    Region,
)
from app.catalog.text import fold
from app.db import upsert

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_data"


def load_reference(session: Session, directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Load every reference table; return the row count of each."""
    load_regions(session, directory)
    load_departements(session, directory)
    load_communes(session, directory)
    load_occupations(session, directory)
    load_job_titles(session, directory)
    session.flush()
    return reference_counts(session)


def reference_counts(session: Session) -> dict[str, int]:
    models = {
        "regions": Region,
        "departements": Departement,
        "communes": Commune,
        "postal_codes": PostalCode,
        "occupation_domains": OccupationDomain,
        "occupations": Occupation,
        "job_titles": JobTitle,
    }
    return {name: session.scalar(select(func.count()).select_from(model)) for name, model in models.items()}


def load_regions(session: Session, directory: Path) -> None:
    regions = json.loads((directory / "regions.json").read_text(encoding="utf-8"))
    rows = [{"code": r["code"], "name": r["nom"], "zone": r["zone"]} for r in regions]
    upsert(session, Region.__table__, rows, ["code"])


def load_departements(session: Session, directory: Path) -> None:
    departements = json.loads((directory / "departements.json").read_text(encoding="utf-8"))
    rows = [
        {"code": d["code"], "name": d["nom"], "region_code": d.get("region"), "zone": d["zone"]}
        for d in departements
    ]
    upsert(session, Departement.__table__, rows, ["code"])


def load_communes(session: Session, directory: Path) -> None:
    communes, postal_codes = [], []
    with open(directory / "communes_fr.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            communes.append(
                {
                    "insee_code": row["code_insee"],
                    "name": row["nom"],
                    "search_name": fold(row["nom"]),
                    "departement_code": row["code_departement"],
                    "region_code": row["code_region"] or None,
                    "population": int(row["population"] or 0),
                    "latitude": float(row["latitude"]) if row["latitude"] else None,
                    "longitude": float(row["longitude"]) if row["longitude"] else None,
                    "zone": row["zone"],
                }
            )
            for code in filter(None, row["codes_postaux"].split("|")):
                postal_codes.append({"code": code, "insee_code": row["code_insee"]})
    upsert(session, Commune.__table__, communes, ["insee_code"])
    upsert(session, PostalCode.__table__, postal_codes, ["code", "insee_code"])


def _read_rome_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_occupations(session: Session, directory: Path) -> None:
    tree = _read_rome_csv(directory / "rome" / "cr_gd_dp_v4_utf8.csv")
    domains = {
        row["code_domaine_professionel"]: {
            "code": row["code_domaine_professionel"],
            "name": row["libelle_domaine_professionel"],
            "large_domain_code": row["code_grand_domaine"],
            "large_domain_name": row["libelle_grand_domaine"],
        }
        for row in tree
    }
    upsert(session, OccupationDomain.__table__, list(domains.values()), ["code"])
    domain_of = {row["code_rome"]: row["code_domaine_professionel"] for row in tree}

    rows = [
        {
            "code": row["code_rome"],
            "label": row["libelle_rome"],
            "parent_code": row["code_rome_parent"] or None,
            "domain_code": domain_of.get(row["code_rome"]),
        }
        for row in _read_rome_csv(directory / "rome" / "unix_referentiel_code_rome_v460_utf8.csv")
    ]
    # Parent sheets first: the self-referencing foreign key is checked row by row.
    rows.sort(key=lambda row: row["code"] != row["parent_code"])
    upsert(session, Occupation.__table__, rows, ["code"])


def split_gendered_title(label: str) -> tuple[str, str]:
    """ROME writes both forms in one label: 'Conducteur / Conductrice d'engins agricoles'.

    The masculine part has as many words as its feminine counterpart; what follows the
    feminine words is shared by both forms.
    """
    if " / " not in label:
        return label, label
    masculine, rest = label.split(" / ", 1)
    if " / " in rest:  # a label with several slashes is not a gendered pair
        return label, label
    head_length = len(masculine.split())
    words = rest.split()
    feminine_head, common = words[:head_length], words[head_length:]
    suffix = (" " + " ".join(common)) if common else ""
    return masculine + suffix, " ".join(feminine_head) + suffix


def load_job_titles(session: Session, directory: Path) -> None:
    rows = []
    for row in _read_rome_csv(directory / "rome" / "unix_referentiel_appellation_v460_utf8.csv"):
        label = row["libelle_appellation_long"]
        masculine, feminine = split_gendered_title(label)
        search_label = fold(masculine) if masculine == feminine else f"{fold(masculine)} {fold(feminine)}"
        rows.append(
            {
                "ogr_code": row["code_ogr"],
                "label": label,
                "masculine": masculine,
                "feminine": feminine,
                "search_label": search_label,
                "occupation_code": row["code_rome"],
                "is_principal": row["classification"] == "PRINCIPALE",
            }
        )
    upsert(session, JobTitle.__table__, rows, ["ogr_code"])

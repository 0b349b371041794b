"""`demo load`: the demo tenants and the real partner feeds copied in feeds/ (see its README)."""
import json
from pathlib import Path

from sqlalchemy.orm import Session

from app.demo.tenants import DEFAULT_HOST_ORIGINS, save_demo_tenants
from app.ingest.places import PlaceResolver
from app.ingest.services import get_or_create_source, load_france_travail, load_lheo, occupation_labels

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"

# slug: (name, kind, rank, format). Lower ranks win when duplicates are merged.
SOURCES = {
    "france-travail": ("France Travail", "public_service", 30, "ft-offres-v2"),
    "onisep": ("Onisep", "public_service", 30, "lheo"),
    "carif-centre-val-de-loire": ("Carif-Oref Centre-Val de Loire", "public_service", 30, "lheo"),
    "intercarif": ("Intercarif (réseau des Carif-Oref)", "aggregator", 60, "lheo"),
}
FRANCE_TRAVAIL_FILES = ("ft_offres_980.json", "ft_offres_147.json")
LHEO_FILES = (
    ("lheo-schema_exemple-bts-onisep.xml", "onisep"),
    ("trefle_formation_lheo22.xml", "carif-centre-val-de-loire"),
    ("trefle_poec_lheo22.xml", "carif-centre-val-de-loire"),
    ("anotea_intercarif-data-test.xml", "intercarif"),
)


def load_demo(session: Session, host_origins=DEFAULT_HOST_ORIGINS, feeds_dir: Path = FEEDS_DIR) -> dict:
    """Tenants, then every demo feed; returns what was loaded and what was rejected, per file."""
    tenants = save_demo_tenants(session, host_origins)
    places = PlaceResolver.from_database(session)
    occupations = occupation_labels(session)
    sources = {slug: get_or_create_source(session, slug, *values) for slug, values in SOURCES.items()}
    files = {}
    for name in FRANCE_TRAVAIL_FILES:
        records = json.loads((feeds_dir / name).read_text(encoding="utf-8"))
        files[name] = load_france_travail(session, sources["france-travail"], records, places, occupations)
    for name, slug in LHEO_FILES:
        files[name] = load_lheo(session, sources[slug], feeds_dir / name, places, occupations)
    return {
        "tenants": [tenant.slug for tenant in tenants],
        "files": {name: dict(sorted(report.counts.items())) for name, report in files.items()},
        "rejected": [
            {"file": name, "record": rejection.record_id, "reason": rejection.reason}
            for name, report in files.items()
            for rejection in report.rejected
        ],
    }

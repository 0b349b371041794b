"""The two demo institutions: the régions that ran the 2017 Facebook tab."""
from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.tenants.models import Tenant
from app.tenants.services import save_tenant

DEFAULT_HOST_ORIGINS = ("http://localhost:8000",)

DEMO_TENANTS = {
    "auvergne-rhone-alpes": {
        "name": "Région Auvergne-Rhône-Alpes (démo)",
        "region_codes": ["84"],
        "departement_codes": [],
        "primary_colour": "#1d4f91",
        "contact_email": "emploi-formation@auvergne-rhone-alpes.example.org",
        "contact_url": "https://www.auvergne-rhone-alpes.example.org/emploi-formation",
        "description": "Offres d'emploi et de formation en Auvergne-Rhône-Alpes. Institution de démonstration.",
    },
    "hauts-de-france": {
        "name": "Région Hauts-de-France (démo)",
        "region_codes": ["32"],
        "departement_codes": [],
        "primary_colour": "#8a1538",
        "contact_email": "emploi-formation@hauts-de-france.example.org",
        "contact_url": "https://www.hauts-de-france.example.org/emploi-formation",
        "description": "Offres d'emploi et de formation dans les Hauts-de-France. Institution de démonstration.",
    },
}


def save_demo_tenants(session: Session, host_origins: Sequence[str] = DEFAULT_HOST_ORIGINS) -> list[Tenant]:
    """Create or refresh both demo tenants; the host origins are the sites allowed to frame them."""
    return [
        save_tenant(session, slug, **values, allowed_hosts=list(host_origins))
        for slug, values in DEMO_TENANTS.items()
    ]

"""Offers, places and job titles as the API's JSON (the shapes app/api/openapi.py documents)."""
from app.catalog.models import Offer
from app.search.criteria import Criteria
from app.search.occupations import Title
from app.search.places import Gazetteer, Place
from app.search.services import SearchResult
from app.web.urls import public_url

TAB_OF_KIND = {"job": "jobs", "training": "trainings"}


def offer_summary(offer: Offer, tenant: str, distance_km: float | None = None) -> dict:
    return {
        "id": offer.id,
        "kind": offer.kind,
        "title": offer.title,
        "employer": offer.organisation_name,
        "occupation": {"code": offer.occupation.code, "label": offer.occupation.label} if offer.occupation else None,
        "commune": {"code": offer.commune.insee_code, "name": offer.commune.name} if offer.commune else None,
        "departement": offer.departement_code,
        "region": offer.region_code,
        "location_precision": offer.location_precision,
        "latitude": offer.latitude,
        "longitude": offer.longitude,
        "distance_km": distance_km,
        "contract": getattr(offer, "contract_type", None),
        "published_at": offer.published_at.isoformat(),
        "url": public_url("embed.offer", tenant=tenant, tab=TAB_OF_KIND[offer.kind], offer_id=offer.id),
    }


def offer_detail(offer: Offer, tenant: str) -> dict:
    return {**offer_summary(offer, tenant), "description": offer.description, "expires_at": iso(offer.expires_at)}


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def option_key(option) -> str:
    return "true" if option is True else str(option)


def search_result(result: SearchResult, criteria: Criteria, tenant: str) -> dict:
    page = result.page
    body = {
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "results": [offer_summary(offer, tenant, result.distances.get(offer.id)) for offer in page.items],
        "facets": {
            name: {option_key(option): count for option, count in options.items()}
            for name, options in result.facets.items()
        },
        "imprecise_in_departement": result.imprecise_nearby if criteria.commune else None,
    }
    if criteria.kind == "training":
        body["facets"]["training_body"] = {name: count for name, count in result.training_bodies}
    return body


def place(commune: Place, gazetteer: Gazetteer) -> dict:
    return {
        "code": commune.insee_code,
        "name": commune.name,
        "label": commune.label,
        "departement": commune.departement_code,
        "departement_name": gazetteer.departements.get(commune.departement_code),
        "postal_codes": list(commune.postal_codes),
        "population": commune.population,
    }


def job_title(title: Title) -> dict:
    return {
        "code": title.ogr_code,
        "label": title.label,
        "occupation": title.occupation_code,
        "occupation_label": title.occupation_label,
    }

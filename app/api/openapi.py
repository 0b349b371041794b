"""The OpenAPI 3.0 description of /api/v1, served at /api/v1/openapi.json.

Written by hand next to the views it documents; tests/unit/api/test_schema.py runs
schemathesis against it, so a drift between the two fails the build.
"""
from app.catalog.models import CONTRACT_TYPES, EXPERIENCE_LEVELS, LOCATION_PRECISIONS, WORKING_TIMES
from app.search.criteria import MAX_PAGE, MAX_PER_PAGE, SORTS
from app.search.facets import PUBLISHED_WITHIN_DAYS, SALARY_FLOORS, STARTS_WITHIN_DAYS
from app.search.places import MAX_RADIUS_KM, MIN_RADIUS_KM

JSON = "application/json"


def query(name: str, description: str, schema: dict, required: bool = False, explode: bool | None = None) -> dict:
    parameter = {"name": name, "in": "query", "required": required, "description": description, "schema": schema}
    if explode is not None:
        parameter.update(style="form", explode=explode)
    return parameter


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def response(description: str, schema_ref: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


TENANT = query("tenant", "L'institution : son territoire borne la recherche.", {"type": "string"}, required=True)
TEXT = {"type": "string", "maxLength": 200}
SEARCH_PARAMETERS = [
    TENANT,
    query("kind", "Offres d'emploi (job) ou de formation (training).", {"type": "string", "enum": ["job", "training"]}),
    query("q", "Mots recherchés (titre, employeur, description), normalisés à la française.", TEXT),
    query("occupation", "Code ROME (J1501).", {"type": "string"}),
    query("commune", "Code INSEE de la commune (69123).", {"type": "string"}),
    query("lieu", "Commune en texte (nom, « nom (département) » ou code postal), si pas de code INSEE.", TEXT),
    query("radius", "Rayon autour de la commune, en km.",
          {"type": "integer", "minimum": MIN_RADIUS_KM, "maximum": MAX_RADIUS_KM}),
    query("departement", "Code du département (69, 2A, 974).", {"type": "string"}),
    query("region", "Code de la région (84).", {"type": "string"}),
    query("imprecise", "Seulement les offres sans lieu plus précis que leur département.", {"type": "boolean"}),
    query("contract", "Types de contrat (plusieurs possibles).",
          {"type": "array", "items": {"type": "string", "enum": list(CONTRACT_TYPES)}}, explode=True),
    query("working_time", "Temps de travail.",
          {"type": "array", "items": {"type": "string", "enum": list(WORKING_TIMES)}}, explode=True),
    query("experience", "Expérience demandée.",
          {"type": "array", "items": {"type": "string", "enum": list(EXPERIENCE_LEVELS)}}, explode=True),
    query("apprenticeship", "Seulement l'alternance.", {"type": "boolean"}),
    query("accessible", "Seulement les offres ouvertes aux travailleurs handicapés.", {"type": "boolean"}),
    query("published", "Publiées depuis N jours ou moins, en jours du calendrier (heure de Paris) : 1 = depuis hier.", {"type": "integer", "enum": list(PUBLISHED_WITHIN_DAYS)}),
    query("salary", "Salaire minimum brut mensuel d'au moins N euros.",
          {"type": "integer", "enum": list(SALARY_FLOORS)}),
    query("certifying", "Formations certifiantes seulement.", {"type": "boolean"}),
    query("starts", "Formations commençant dans les N jours.", {"type": "integer", "enum": list(STARTS_WITHIN_DAYS)}),
    query("distance", "Formations à distance (en tout ou partie).", {"type": "boolean"}),
    query("organisme", "Nom exact de l'organisme de formation.", {"type": "string", "maxLength": 300}),
    query("sort", "Ordre : pertinence, date, distance (demande une commune).", {"type": "string", "enum": list(SORTS)}),
    query("page", "Numéro de page.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    query("per_page", "Offres par page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
]

COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
SCHEMAS = {
    "Errors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["parameter", "message"],
                    "properties": {"parameter": {"type": "string"}, "message": {"type": "string"}},
                },
            }
        },
    },
    "NotFound": {"type": "object"},
    "Offer": {
        "type": "object",
        "required": ["id", "kind", "title", "employer", "occupation", "commune", "departement", "region",
                     "location_precision", "latitude", "longitude", "distance_km", "contract", "published_at", "url"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["job", "training"]},
            "title": {"type": "string"},
            "employer": nullable({"type": "string"}),
            "occupation": nullable({
                "type": "object", "required": ["code", "label"],
                "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
            }),
            "commune": nullable({
                "type": "object", "required": ["code", "name"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            }),
            "departement": nullable({"type": "string"}),
            "region": nullable({"type": "string"}),
            "location_precision": {"type": "string", "enum": list(LOCATION_PRECISIONS)},
            "latitude": nullable({"type": "number"}),
            "longitude": nullable({"type": "number"}),
            "distance_km": nullable({"type": "number"}),
            "contract": nullable({"type": "string"}),
            "published_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "OfferDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Offer"},
            {
                "type": "object",
                "required": ["description", "expires_at"],
                "properties": {
                    "description": {"type": "string"},
                    "expires_at": nullable({"type": "string", "format": "date-time"}),
                },
            },
        ]
    },
    "SearchResult": {
        "type": "object",
        "required": ["total", "page", "per_page", "pages", "results", "facets", "imprecise_in_departement"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Offer"}},
            "facets": {
                "type": "object",
                "description": "Par filtre, le nombre d'offres de chaque option (les autres filtres appliqués).",
                "additionalProperties": COUNTS,
            },
            "imprecise_in_departement": nullable({
                "type": "integer", "minimum": 0,
                "description": "Recherche autour d'une commune : offres de son département sans lieu précis.",
            }),
        },
    },
    "Places": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "name", "label", "departement", "departement_name", "postal_codes",
                                 "population"],
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "label": {"type": "string"},
                        "departement": {"type": "string"},
                        "departement_name": nullable({"type": "string"}),
                        "postal_codes": {"type": "array", "items": {"type": "string"}},
                        "population": {"type": "integer"},
                    },
                },
            }
        },
    },
    "Occupations": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "label", "occupation", "occupation_label"],
                    "properties": {
                        "code": {"type": "string", "description": "Code OGR de l'appellation ROME."},
                        "label": {"type": "string"},
                        "occupation": {"type": "string", "description": "Code ROME."},
                        "occupation_label": {"type": "string"},
                    },
                },
            }
        },
    },
}

SUGGEST_QUERY = query("q", "Début du texte tapé.", {"type": "string", "minLength": 1, "maxLength": 100}, required=True)
BAD_REQUEST = response("Paramètre manquant ou invalide.", "Errors")


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Jobtab – offres d'emploi et de formation",
            "version": "1.0.0",
            "description": "API publique en lecture seule : mêmes paramètres que le formulaire de recherche.",
        },
        "paths": {
            "/api/v1/offers": {"get": {
                "operationId": "searchOffers",
                "summary": "Rechercher des offres",
                "parameters": SEARCH_PARAMETERS,
                "responses": {"200": response("Une page de résultats.", "SearchResult"), "400": BAD_REQUEST},
            }},
            "/api/v1/offers/{offer_id}": {"get": {
                "operationId": "getOffer",
                "summary": "Une offre",
                "parameters": [
                    {"name": "offer_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                    TENANT,
                ],
                "responses": {
                    "200": response("L'offre.", "OfferDetail"),
                    "400": BAD_REQUEST,
                    "404": response("Pas d'offre de ce numéro sur ce territoire.", "NotFound"),
                },
            }},
            "/api/v1/places": {"get": {
                "operationId": "suggestPlaces",
                "summary": "Communes par nom ou code postal (le département distingue les homonymes)",
                "parameters": [SUGGEST_QUERY, query("tenant", "Ses communes d'abord.", {"type": "string"})],
                "responses": {"200": response("Jusqu'à 10 communes.", "Places"), "400": BAD_REQUEST},
            }},
            "/api/v1/occupations": {"get": {
                "operationId": "suggestOccupations",
                "summary": "Appellations ROME dont chaque mot tapé commence un mot",
                "parameters": [SUGGEST_QUERY],
                "responses": {"200": response("Jusqu'à 10 appellations.", "Occupations"), "400": BAD_REQUEST},
            }},
        },
        "components": {"schemas": SCHEMAS},
    }

"""One connector per partner format, behind one interface (base.py)."""
from app.ingest.connectors import csv, france_travail, indeed_xml, jsonld, lheo
from app.ingest.connectors.base import Connector

CONNECTORS = {
    "france-travail": france_travail.FranceTravailConnector,
    "indeed-xml": indeed_xml.IndeedXmlConnector,
    "jsonld": jsonld.JsonLdConnector,
    "lheo": lheo.LheoConnector,
    "csv": csv.CsvConnector,
}
FORMATS = tuple(CONNECTORS)
# Older names some sources were created with.
FORMAT_ALIASES = {"ft-offres-v2": "france-travail"}


def connector_for(format: str, **options) -> Connector:
    return CONNECTORS[FORMAT_ALIASES.get(format, format)](**options)

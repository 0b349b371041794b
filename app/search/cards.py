"""What a page of results shows of each offer: a few columns read with one Core statement,
places and occupation labels taken from the reference data held in memory.

Loading twenty `Offer` objects through the ORM, their commune, département and région joined,
was half the search's Python (≈ 2 ms a page) and, on PostgreSQL, a three-join statement to plan.
A card has the attribute names of an offer, so the list template and the API read either.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Offer, TrainingSession
from app.search.occupations import occupation_index
from app.search.places import Place, gazetteer

offers = Offer.__table__.c
CARD_COLUMNS = (
    offers.id, offers.kind, offers.title, offers.organisation_name, offers.occupation_code, offers.place_label,
    offers.location_precision, offers.commune_code, offers.departement_code, offers.region_code,
    offers.latitude, offers.longitude, offers.published_at, offers.contract_type, offers.working_time,
)
CARD_NAMES = tuple(column.name for column in CARD_COLUMNS)  # OfferCard's first fields


class Area(NamedTuple):
    """A département or a région: what a card shows of it."""

    code: str
    name: str


class Occupation(NamedTuple):
    code: str
    label: str


class SessionDate(NamedTuple):
    start_date: date | None
    modality: str


@dataclass
class OfferCard:
    id: int
    kind: str
    title: str
    organisation_name: str | None
    occupation_code: str | None
    place_label: str | None
    location_precision: str
    commune_code: str | None
    departement_code: str | None
    region_code: str | None
    latitude: float | None
    longitude: float | None
    published_at: datetime
    contract_type: str | None  # jobs only
    working_time: str | None  # jobs only
    commune: Place | None = None
    departement: Area | None = None
    region: Area | None = None
    occupation: Occupation | None = None
    sessions: list[SessionDate] = field(default_factory=list)  # trainings: by start date


def offer_cards(session: Session, ids: list[int]) -> list[OfferCard]:
    """The cards of these offers, in the ids' order (an offer removed in between is left out)."""
    rows = {row.id: row for row in session.execute(select(*CARD_COLUMNS).where(offers.id.in_(ids)))}
    return cards_from_rows(session, [rows[offer_id] for offer_id in ids if offer_id in rows])


def cards_from_rows(session: Session, rows) -> list[OfferCard]:
    """Cards from rows of CARD_COLUMNS' values, in that order, kept in the rows' order: read by
    offer_cards, or with a search's counts (app/search/services.py, count_and_page)."""
    places = gazetteer(session)
    occupations = occupation_index(session).occupations
    cards = []
    for values in rows:
        card = OfferCard(**dict(zip(CARD_NAMES, values)))
        if card.kind != "job":
            card.contract_type = card.working_time = None
        card.commune = places.communes.get(card.commune_code) if card.commune_code else None
        if card.departement_code in places.departements:
            card.departement = Area(card.departement_code, places.departements[card.departement_code])
        if card.region_code in places.regions:
            card.region = Area(card.region_code, places.regions[card.region_code])
        if card.occupation_code in occupations:
            card.occupation = Occupation(card.occupation_code, occupations[card.occupation_code])
        cards.append(card)
    trainings = {card.id: card for card in cards if card.kind == "training"}
    if trainings:
        sessions = (
            select(TrainingSession.offer_id, TrainingSession.start_date, TrainingSession.modality)
            .where(TrainingSession.offer_id.in_(list(trainings)))
            .order_by(TrainingSession.offer_id, TrainingSession.start_date, TrainingSession.id)
        )
        for offer_id, start_date, modality in session.execute(sessions):
            trainings[offer_id].sessions.append(SessionDate(start_date, modality))
    return cards

"""Keeping the search columns filled: the one place that computes them.

Two kinds of derived columns:
- the normalised words (`search_columns`, app/search/text.py), from title, employer, description;
- a training's session facts (`session_columns` below): first and last session start, and
  whether any session is at a distance. The "starts within" and "distance" facets read them on
  the offer row instead of querying `training_sessions` for every matching offer.

ORM writes (factories, `demo load`'s save_offer, future services) go through the events below.
Bulk Core inserts bypass the ORM: they call `search_columns(row)` and `session_columns(sessions)`
on each row themselves (app/demo/generate.py, app/ingest/writer.py). The full-text indexes
follow the words on their own (SQLite triggers, PostgreSQL generated column; migration 0005).
"""
from collections.abc import Iterable, Mapping

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.catalog.models import Offer, TrainingOffer, TrainingSession
from app.search.text import search_columns

SOURCE_ATTRIBUTES = ("title", "organisation_name", "description")
DISTANCE_MODALITIES = ("distance", "blended")
SESSION_COLUMNS = ("first_session_start", "last_session_start", "has_distance_session")


def session_columns(sessions: Iterable) -> dict:
    """The offer's session facts, from its sessions: mappings (bulk rows) or TrainingSession objects."""
    starts, distance = [], False
    for item in sessions:
        values = item if isinstance(item, Mapping) else {"start_date": item.start_date, "modality": item.modality}
        if values.get("start_date") is not None:
            starts.append(values["start_date"])
        distance = distance or values.get("modality") in DISTANCE_MODALITIES
    return {
        "first_session_start": min(starts, default=None),
        "last_session_start": max(starts, default=None),
        "has_distance_session": distance,
    }


def fill_search_columns(_mapper, _connection, offer: Offer) -> None:
    values = {name: getattr(offer, name) for name in SOURCE_ATTRIBUTES}
    for name, value in search_columns(values).items():
        setattr(offer, name, value)


def refill_if_text_changed(mapper, connection, offer: Offer) -> None:
    state = inspect(offer)
    if any(state.attrs[name].history.has_changes() for name in SOURCE_ATTRIBUTES):
        fill_search_columns(mapper, connection, offer)


def refill_session_columns(session: Session, _flush_context, _instances) -> None:
    """Before each flush: trainings whose sessions were added, changed or removed get their
    session facts again (in the same flush). A training whose sessions were never touched in
    this unit of work is left alone, without loading its sessions."""
    touched: set[TrainingOffer] = set()
    pending: list[TrainingSession] = []
    with session.no_autoflush:
        for instance in (*session.new, *session.dirty, *session.deleted):
            if isinstance(instance, TrainingOffer) and "sessions" in inspect(instance).dict:
                if instance in session.new or inspect(instance).attrs.sessions.history.has_changes():
                    touched.add(instance)
            elif isinstance(instance, TrainingSession):
                offer = instance.offer
                if offer is None and instance.offer_id is not None:  # linked by id only
                    offer = session.get(TrainingOffer, instance.offer_id)
                    if instance in session.new:
                        pending.append(instance)
                if offer is not None:
                    touched.add(offer)
        for offer in touched:
            if offer in session.deleted:
                continue
            sessions = [item for item in offer.sessions if item not in session.deleted]
            sessions += [item for item in pending if item.offer_id == offer.id and item not in sessions]
            for name, value in session_columns(sessions).items():
                if getattr(offer, name) != value:
                    setattr(offer, name, value)


event.listen(Offer, "before_insert", fill_search_columns, propagate=True)
event.listen(Offer, "before_update", refill_if_text_changed, propagate=True)
event.listen(Session, "before_flush", refill_session_columns)

"""Keeping the normalised search columns filled: the one place that computes them.

ORM writes (factories, `demo load`'s save_offer, future services) go through the mapper
events below. Bulk Core inserts bypass the ORM: they call `search_columns(row)` on each row
themselves (app/demo/generate.py, the ingest bulk path). The full-text indexes follow these
columns on their own (SQLite triggers, PostgreSQL generated column; migration 0005).
"""
from sqlalchemy import event, inspect

from app.catalog.models import Offer
from app.search.text import search_columns

SOURCE_ATTRIBUTES = ("title", "organisation_name", "description")


def fill_search_columns(_mapper, _connection, offer: Offer) -> None:
    values = {name: getattr(offer, name) for name in SOURCE_ATTRIBUTES}
    for name, value in search_columns(values).items():
        setattr(offer, name, value)


def refill_if_text_changed(mapper, connection, offer: Offer) -> None:
    state = inspect(offer)
    if any(state.attrs[name].history.has_changes() for name in SOURCE_ATTRIBUTES):
        fill_search_columns(mapper, connection, offer)


event.listen(Offer, "before_insert", fill_search_columns, propagate=True)
event.listen(Offer, "before_update", refill_if_text_changed, propagate=True)

"""Bulk writes of normalised offers: one upsert per batch, never one statement per offer.

Both engines upsert by (source, partner id) and touch a row only when its content hash (or its
expiry) moved: `INSERT … ON CONFLICT … DO UPDATE … WHERE hash changed RETURNING id`. On
SQLite the batch goes through executemany; on PostgreSQL it is first COPied into a temporary
staging table and merged by one INSERT … SELECT, because row-by-row upserts under the search
indexes run at a few thousand rows a second there (SEARCH-DEDUP.md §3.5).
"""
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from app.catalog.models import Offer, TrainingSession
from app.ingest.connectors.base import OfferRecord
from app.search.index import session_columns
from app.search.text import search_columns

OFFERS = Offer.__table__
SESSIONS = TrainingSession.__table__
# The columns ingestion owns. Others (deduplication's, search's) are left as they are.
OFFER_COLUMNS = (
    "kind", "source_id", "partner_id", "title", "description", "organisation_name", "occupation_code",
    "place_label", "location_precision", "commune_code", "departement_code", "region_code", "latitude",
    "longitude", "apply_method", "apply_url", "apply_email", "source_url", "details", "search_text",
    "content_hash", "published_at", "updated_at", "expires_at",
    # Derived by search (app.search.text) from the title, organisation and description.
    "search_title", "search_organisation", "search_description",
)
KIND_COLUMNS = {
    "job": (
        "contract_type", "contract_label", "working_time", "working_hours_label", "salary_text", "salary_min",
        "salary_max", "salary_period", "experience", "experience_label", "is_apprenticeship",
        "is_accessible_disabled", "positions",
    ),
    "training": (
        "objectives", "rncp_codes", "certifinfo_codes", "is_certifying", "duration_hours", "training_body_siret",
        # Derived by search (app.search.index) from the sessions.
        "first_session_start", "last_session_start", "has_distance_session",
    ),
}
STAGING_COLUMNS = OFFER_COLUMNS + KIND_COLUMNS["job"] + KIND_COLUMNS["training"]
JSON_COLUMNS = {"details", "rncp_codes", "certifinfo_codes"}
SESSION_COLUMNS = ("offer_id", "partner_id", "start_date", "end_date", "modality", "place_label", "address",
                   "commune_code", "latitude", "longitude", "is_open")
BATCH_SIZE = 5000
IDS_PER_STATEMENT = 1000


class OfferWriter:
    """Buffers a run's offers and writes them a batch at a time; keeps the ids it wrote."""

    def __init__(self, session: Session, source_id: int, kind: str, known_ids: dict[str, int]):
        self.session, self.source_id, self.kind = session, source_id, kind
        self.known_ids = known_ids  # partner id -> offer id, for the offers the source had
        self.columns = OFFER_COLUMNS + KIND_COLUMNS[kind]
        self.is_postgresql = session.get_bind().dialect.name == "postgresql"
        self.pending: list[OfferRecord] = []
        self.new_ids: list[int] = []
        self.updated_ids: list[int] = []
        self._staging_ready = False

    def add(self, record: OfferRecord) -> None:
        self.pending.append(record)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        records, self.pending = self.pending, []
        rows = [self.row(record.values) for record in records]
        if self.kind == "training":
            for row, record in zip(rows, records):
                row.update(session_columns(record.sessions or []))
        written = self._upsert_postgresql(rows) if self.is_postgresql else self._upsert_sqlite(rows)
        for offer_id, partner_id in written:
            (self.updated_ids if partner_id in self.known_ids else self.new_ids).append(offer_id)
        if self.kind == "training":
            ids = dict((partner_id, offer_id) for offer_id, partner_id in written)
            self._replace_sessions(
                {ids[record.values["partner_id"]]: record.sessions or [] for record in records
                 if record.values["partner_id"] in ids}
            )

    def row(self, values: dict) -> dict:
        row = {name: values.get(name) for name in self.columns}
        row.update(kind=self.kind, source_id=self.source_id, details=values.get("details") or {})
        row.update(search_columns(row))  # the ORM event that fills them does not see Core writes
        return row

    # --- Per engine -----------------------------------------------------------------------

    def _upsert_sqlite(self, rows: list[dict]) -> list[tuple[int, str]]:
        statement = sqlite.insert(OFFERS)
        statement = statement.on_conflict_do_update(
            index_elements=["source_id", "partner_id"],
            set_={name: statement.excluded[name] for name in self.columns},
            where=OFFERS.c.content_hash.is_distinct_from(statement.excluded.content_hash)
            | OFFERS.c.expires_at.is_distinct_from(statement.excluded.expires_at),
        ).returning(OFFERS.c.id, OFFERS.c.partner_id)
        return [tuple(row) for row in self.session.execute(statement, rows)]

    def _upsert_postgresql(self, rows: list[dict]) -> list[tuple[int, str]]:
        connection = self.session.connection()
        columns = ", ".join(f'"{name}"' for name in self.columns)
        if not self._staging_ready:
            # Column types from offers, no constraints, gone at commit.
            connection.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS offers_staging ON COMMIT DROP AS "
                f"SELECT {', '.join(STAGING_COLUMNS)} FROM offers WITH NO DATA"
            )
            self._staging_ready = True
        connection.exec_driver_sql("TRUNCATE offers_staging")
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY offers_staging ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_copy_value(name, row[name]) for name in self.columns])
        updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in self.columns)
        merged = connection.execute(text(
            f"INSERT INTO offers ({columns}) SELECT {columns} FROM offers_staging "
            f"ON CONFLICT (source_id, partner_id) DO UPDATE SET {updates} "
            f"WHERE offers.content_hash IS DISTINCT FROM EXCLUDED.content_hash "
            f"OR offers.expires_at IS DISTINCT FROM EXCLUDED.expires_at "
            f"RETURNING id, partner_id"
        ))
        return [tuple(row) for row in merged]

    def _replace_sessions(self, sessions_by_offer: dict[int, list[dict]]) -> None:
        offer_ids = list(sessions_by_offer)
        for start in range(0, len(offer_ids), IDS_PER_STATEMENT):
            chunk = offer_ids[start:start + IDS_PER_STATEMENT]
            self.session.execute(delete(SESSIONS).where(SESSIONS.c.offer_id.in_(chunk)))
        rows = [
            {name: session.get(name) for name in SESSION_COLUMNS} | {"offer_id": offer_id}
            for offer_id, sessions in sessions_by_offer.items()
            for session in sessions
        ]
        if rows:
            self.session.execute(insert(SESSIONS), rows)


def _copy_value(name: str, value):
    """COPY's text form: JSON columns as JSON text; psycopg adapts the rest."""
    if name in JSON_COLUMNS and value is not None:
        return json.dumps(value, ensure_ascii=False)
    return value


def expire_offers(session: Session, offer_ids: Sequence[int], moment: datetime) -> None:
    """The offers a full feed no longer lists are closed now (kept, not deleted)."""
    for start in range(0, len(offer_ids), IDS_PER_STATEMENT):
        chunk = list(offer_ids[start:start + IDS_PER_STATEMENT])
        session.execute(OFFERS.update().where(OFFERS.c.id.in_(chunk)).values(expires_at=moment))

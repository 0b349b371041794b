"""Search speed: training session facts stored on the offer, covering indexes for counting.

- `offers.first_session_start`, `last_session_start`, `has_distance_session`: derived from a
  training's sessions on every write (app.search.index.session_columns), so that the "starts
  within" and "distance" facets read the offer row instead of correlated subqueries on
  `training_sessions` for every matching offer.
- `training_sessions (offer_id, start_date)`: the next start of the few trainings the stored
  dates cannot bucket alone (a session started, another to come).
- SQLite only: three B-trees, partial on `duplicate_of_id IS NULL` (only offers shown), holding
  every column a search filters, counts and orders by, so that counting the matches of a search
  reads one of them alone, never the wide offer rows. One per way in: tenant + date order
  (unfiltered lists and deep pages), commune (place searches), occupation + commune. Not on
  PostgreSQL: there they turned good bitmap plans for full-text searches (GIN AND a narrow
  B-tree, few heap rechecks) into worse ones, for a smaller gain on counts. They are outside the
  models, like the full-text objects (app/search/schema.py).

Plain ADD COLUMN / CREATE INDEX on both engines: a batch rebuild of `offers` on SQLite would
drop the full-text triggers of migration 0005.

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-23 08:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0005'
branch_labels = None
depends_on = None

BACKFILL_BATCH = 2000
COVERED = (
    'expires_at', 'region_code', 'departement_code', 'commune_code', 'occupation_code',
    'contract_type', 'working_time', 'experience', 'is_apprenticeship', 'is_accessible_disabled', 'salary_min',
    'salary_period', 'is_certifying', 'first_session_start', 'last_session_start', 'has_distance_session',
    'duplicate_of_id',  # always null there, yet SQLite reads an index alone only if it holds every column named
)
# The next session start of a training with one session started and another to come.
SESSIONS_INDEX = 'ix_training_sessions_offer_start'
INDEXES = {  # name: (leading columns, trailing columns); the covered columns go between
    'ix_offers_search_by_date': (('kind', 'region_code', 'published_at', 'id'), ('organisation_name',)),
    'ix_offers_search_by_commune': (('commune_code', 'kind', 'published_at'), ('id',)),
    'ix_offers_search_by_occupation': (('occupation_code', 'commune_code', 'kind', 'published_at'), ('id',)),
}


def upgrade():
    op.add_column('offers', sa.Column('first_session_start', sa.Date(), nullable=True))
    op.add_column('offers', sa.Column('last_session_start', sa.Date(), nullable=True))
    op.add_column('offers', sa.Column(
        'has_distance_session', sa.Boolean(), server_default=sa.false(), nullable=False
    ))
    fill_session_columns()
    op.create_index(SESSIONS_INDEX, 'training_sessions', ['offer_id', 'start_date'], unique=False)
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name, (leading, trailing) in INDEXES.items():
        columns = [*leading, *(column for column in COVERED if column not in leading), *trailing]
        op.create_index(name, 'offers', columns, unique=False, sqlite_where=sa.text('duplicate_of_id IS NULL'))


def fill_session_columns():
    """Trainings already there get the columns new writes get."""
    from app.search.index import session_columns  # the one function that computes them

    connection = op.get_bind()
    sessions = sa.table('training_sessions', sa.column('offer_id'), sa.column('start_date', sa.Date()),
                        sa.column('modality'))
    offers = sa.table('offers', sa.column('id'), sa.column('first_session_start', sa.Date()),
                      sa.column('last_session_start', sa.Date()), sa.column('has_distance_session', sa.Boolean()))
    by_offer: dict[int, list] = {}
    for row in connection.execute(sa.select(sessions.c.offer_id, sessions.c.start_date, sessions.c.modality)):
        by_offer.setdefault(row.offer_id, []).append(row._mapping)
    update = (
        sa.update(offers)
        .where(offers.c.id == sa.bindparam('offer_id'))
        .values({name: sa.bindparam(name) for name in ('first_session_start', 'last_session_start',
                                                        'has_distance_session')})
    )
    rows = [{'offer_id': offer_id, **session_columns(rows)} for offer_id, rows in by_offer.items()]
    for start in range(0, len(rows), BACKFILL_BATCH):
        connection.execute(update, rows[start:start + BACKFILL_BATCH])


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in reversed(INDEXES):
            op.drop_index(name, table_name='offers')
    op.drop_index(SESSIONS_INDEX, table_name='training_sessions')
    # SQLite ≥ 3.35 drops a column in place: no batch rebuild, the full-text triggers stay.
    op.drop_column('offers', 'has_distance_session')
    op.drop_column('offers', 'last_session_start')
    op.drop_column('offers', 'first_session_start')

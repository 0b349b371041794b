"""Precomputed counts of offers for broad searches, kept by triggers on `offers`.

A search without words or occupation (a tab's landing page, a région or département with
facets) matches a large share of the catalogue: counting its offers exactly read every one
(254,000 at 500,000 offers: 190 ms on PostgreSQL, 400 ms on SQLite). `search_count_groups`
holds those counts by kind, région, département and facet values, `search_count_bodies` the
trainings by training body (app/search/counts.py rebuilds them each day and folds the changes
in); triggers on `offers` write every change of a
visible offer to `search_count_deltas`, in the writer's own transaction, so that the groups plus the
deltas are always exact whoever wrote. The index on (kind, expires_at) finds the offers that
expired since the groups' day began.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 20:40:00
"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The columns of `offers` the groups' key is computed from (app/search/models.py, CountDelta).
COPIED = ('kind', 'organisation_name', 'region_code', 'departement_code', 'contract_type', 'working_time',
          'experience', 'is_apprenticeship', 'is_accessible_disabled', 'salary_min', 'salary_period',
          'is_certifying', 'has_distance_session', 'first_session_start', 'last_session_start',
          'published_at', 'expires_at')
INSERT_DELTA = 'INSERT INTO search_count_deltas (change, offer_id, {columns}) '.format(columns=', '.join(COPIED))


def values(row: str) -> str:
    return ', '.join([f'{row}.id'] + [f'{row}.{column}' for column in COPIED])


def counted(row: str) -> str:
    """A visible offer (not a duplicate): the rows the groups count."""
    return f"{row}.duplicate_of_id IS NULL"


def sqlite_changed() -> str:
    pairs = [('old.duplicate_of_id IS NULL', 'new.duplicate_of_id IS NULL')]
    pairs += [(f'old.{column}', f'new.{column}') for column in COPIED]
    return ' OR '.join(f'({old}) IS NOT ({new})' for old, new in pairs)


SQLITE_UPGRADE = (
    f"""CREATE TRIGGER search_counts_after_insert AFTER INSERT ON offers WHEN {counted('new')} BEGIN
        {INSERT_DELTA} VALUES (1, {values('new')});
    END""",
    f"""CREATE TRIGGER search_counts_after_delete AFTER DELETE ON offers WHEN {counted('old')} BEGIN
        {INSERT_DELTA} VALUES (-1, {values('old')});
    END""",
    f"""CREATE TRIGGER search_counts_after_update AFTER UPDATE ON offers
    WHEN ({counted('old')} OR {counted('new')}) AND ({sqlite_changed()}) BEGIN
        {INSERT_DELTA} SELECT -1, {values('old')} WHERE {counted('old')};
        {INSERT_DELTA} SELECT 1, {values('new')} WHERE {counted('new')};
    END""",
)
SQLITE_DOWNGRADE = (
    'DROP TRIGGER search_counts_after_update',
    'DROP TRIGGER search_counts_after_delete',
    'DROP TRIGGER search_counts_after_insert',
)


def postgresql_row(row: str) -> str:
    return f"({row}.duplicate_of_id IS NULL, {values(row)})"


POSTGRESQL_UPGRADE = (
    f"""CREATE FUNCTION search_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND {counted('OLD')} THEN
            {INSERT_DELTA} VALUES (-1, {values('OLD')});
        END IF;
        IF TG_OP <> 'DELETE' AND {counted('NEW')} THEN
            {INSERT_DELTA} VALUES (1, {values('NEW')});
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER search_counts_after_insert AFTER INSERT ON offers FOR EACH ROW
    WHEN ({counted('NEW')}) EXECUTE FUNCTION search_count_delta()""",
    f"""CREATE TRIGGER search_counts_after_delete AFTER DELETE ON offers FOR EACH ROW
    WHEN ({counted('OLD')}) EXECUTE FUNCTION search_count_delta()""",
    f"""CREATE TRIGGER search_counts_after_update AFTER UPDATE ON offers FOR EACH ROW
    WHEN (({counted('OLD')} OR {counted('NEW')})
          AND {postgresql_row('OLD')} IS DISTINCT FROM {postgresql_row('NEW')})
    EXECUTE FUNCTION search_count_delta()""",
)
POSTGRESQL_DOWNGRADE = (
    'DROP TRIGGER search_counts_after_update ON offers',
    'DROP TRIGGER search_counts_after_delete ON offers',
    'DROP TRIGGER search_counts_after_insert ON offers',
    'DROP FUNCTION search_count_delta()',
)


def key_columns():
    return [
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('region_code', sa.String(length=3), nullable=True),
        sa.Column('departement_code', sa.String(length=3), nullable=True),
        sa.Column('contract_type', sa.String(length=10), nullable=True),
        sa.Column('working_time', sa.String(length=10), nullable=True),
        sa.Column('experience', sa.String(length=10), nullable=True),
        sa.Column('is_apprenticeship', sa.Boolean(), nullable=True),
        sa.Column('is_accessible_disabled', sa.Boolean(), nullable=True),
        sa.Column('is_certifying', sa.Boolean(), nullable=True),
        sa.Column('has_distance_session', sa.Boolean(), nullable=True),
    ]


def upgrade():
    op.create_table(
        'search_count_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        *key_columns(),
        sa.Column('salary', sa.Integer(), nullable=True),
        sa.Column('starts', sa.Integer(), nullable=True),
        sa.Column('published', sa.Integer(), nullable=False),
        sa.Column('offers', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_count_groups')),
    )
    op.create_table(
        'search_count_deltas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('change', sa.SmallInteger(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('organisation_name', sa.String(length=300), nullable=True),
        *key_columns(),
        sa.Column('salary_min', sa.Float(), nullable=True),
        sa.Column('salary_period', sa.String(length=10), nullable=True),
        sa.Column('first_session_start', sa.Date(), nullable=True),
        sa.Column('last_session_start', sa.Date(), nullable=True),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        sa.Column('expires_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_count_deltas')),
    )
    op.create_table(
        'search_count_bodies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=3), nullable=True),
        sa.Column('departement_code', sa.String(length=3), nullable=True),
        sa.Column('organisation_name', sa.String(length=300), nullable=False),
        sa.Column('offers', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_count_bodies')),
    )
    op.create_table(
        'search_count_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('built_at', UTCDateTime(), nullable=False),
        sa.Column('folded_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_count_state')),
    )
    op.create_index('ix_offers_kind_expires', 'offers', ['kind', 'expires_at'], unique=False)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for statement in SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)
    if sqlite and op.get_bind().execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # An analysed database: without statistics of its own, SQLite took the new index for a
        # selective one and read every open offer through it (an occupation search 1 → 26 ms).
        op.execute('ANALYZE ix_offers_kind_expires')


def downgrade():
    statements = SQLITE_DOWNGRADE if op.get_bind().dialect.name == 'sqlite' else POSTGRESQL_DOWNGRADE
    for statement in statements:
        op.execute(statement)
    op.drop_index('ix_offers_kind_expires', table_name='offers')
    op.drop_table('search_count_state')
    op.drop_table('search_count_bodies')
    op.drop_table('search_count_deltas')
    op.drop_table('search_count_groups')

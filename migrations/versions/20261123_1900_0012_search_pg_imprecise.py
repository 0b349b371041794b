"""PostgreSQL: an index of the offers known only by their département, for radius searches.

A radius search also counts the offers of the commune's département that have no commune (they
cannot be placed in the ring, so the page says how many there are instead of dropping them).
On PostgreSQL that condition, `departement_code = :d AND commune_code IS NULL`, was answered by
ANDing two large bitmaps: every offer of the département (67,000 at 500,000 offers in the
Rhône) and every offer without a commune (44,000): about 50 ms of a 80 ms text search around
Lyon. This partial index holds the offers without a commune only (about one in ten), keyed by
département: the same condition reads 6,000 entries in 0.35 ms.

Nothing on SQLite: its covering search indexes (migration 0009) already answer that condition
from the département prefix.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

INDEX = 'ix_offers_pg_imprecise_by_departement'


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.create_index(INDEX, 'offers', ['departement_code'], unique=False,
                    postgresql_where=sa.text('commune_code IS NULL AND duplicate_of_id IS NULL'))


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index(INDEX, table_name='offers')

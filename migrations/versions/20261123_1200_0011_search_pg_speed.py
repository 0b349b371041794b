"""Search speed on PostgreSQL: full-text vectors kept in the offer row, searches without words
counted from covering indexes.

- `offers.search_vector` STORAGE MAIN: the vector (≈ 600 bytes compressed) stays in the row
  instead of the TOAST table. A weighted full-text match ("title or description", "employer")
  is rechecked on every row the GIN index returns; out of line, each recheck read about four
  more pages (measured on 50,000 offers: 4,800 → 1,200 buffers and 14 → 6 ms for a two-word
  count). Rows written from now on follow the new storage; rows already there keep their
  vectors out of line until rewritten: updated by a feed, or all at once with
  `VACUUM FULL offers` in a maintenance window (it re-toasts every row; it cannot run inside
  a migration's transaction, and rewriting every row here with an UPDATE would double the
  table until vacuumed).
- Three covering B-trees for searches without words, partial on shown offers *and on `id > 0`*.
  Always true, that condition is stated only by searches without words (app/search/postgresql.py,
  WITHOUT_WORDS), so full-text searches, which never state it, cannot be drawn to these indexes
  and keep their GIN bitmap plans (migration 0009 explains why a covering index hurt them).
  `ix_offers_pg_search_by_date` (kind, région, date order; facet columns, commune, occupation,
  département, training body included): unfiltered lists, places and facets count and page from
  it alone (a trainings list's training bodies were a sequential scan of the 99 MB table: 52 →
  7 ms). `ix_offers_pg_search_by_commune` (commune, kind, date): places and facets find a
  ring's matches commune by commune instead of filtering the whole région (zone + facets
  database time 13.7 → 8.0 ms median over the bench mix). `ix_offers_pg_search_by_occupation`
  (occupation, commune, kind; facet columns, date and id included): counting an occupation
  around a commune reads it alone (1.6 → 0.3 ms).
- `offers.commune_code` statistics target 10 (COMMUNE_STATISTICS below).

Nothing on SQLite (its covering indexes come from migration 0009; FTS5 keeps its own index).

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-23 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

# All three are for searches without words only: partial on `id > 0`, always true, which
# only those searches state (app/search/postgresql.py, WITHOUT_WORDS).
PARTIAL = 'duplicate_of_id IS NULL AND id > 0'
FACET_COLUMNS = (
    'expires_at', 'contract_type', 'working_time', 'experience', 'is_apprenticeship', 'is_accessible_disabled',
    'salary_min', 'salary_period', 'is_certifying', 'first_session_start', 'last_session_start',
    'has_distance_session',
)
INDEXES = {  # name: (key columns, included columns)
    'ix_offers_pg_search_by_date': (
        ('kind', 'region_code', 'published_at', 'id'),
        ('departement_code', 'commune_code', 'occupation_code', 'organisation_name', *FACET_COLUMNS),
    ),
    'ix_offers_pg_search_by_commune': (
        ('commune_code', 'kind', 'published_at'),
        ('id', 'region_code', 'departement_code', 'occupation_code', 'organisation_name', *FACET_COLUMNS),
    ),
    'ix_offers_pg_search_by_occupation': (
        ('occupation_code', 'commune_code', 'kind'),
        ('published_at', 'id', 'region_code', 'departement_code', *FACET_COLUMNS),
    ),
}
# Fewer most-common values kept for the commune: the planner estimates `commune_code = ANY(ring)`
# value by value against them, for every index it considers (a 250-commune ring: 1.5 → 0.5 ms
# of planning per statement). Over the bench mix at 50,000 offers the database time fell for
# every kind of query (occupation + zone 5.8 → 4.6 ms median); plans only, never results.
COMMUNE_STATISTICS = 10


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER TABLE offers ALTER COLUMN search_vector SET STORAGE MAIN')
    op.execute(f'ALTER TABLE offers ALTER COLUMN commune_code SET STATISTICS {COMMUNE_STATISTICS}')
    for name, (keys, included) in INDEXES.items():
        op.create_index(
            name, 'offers', list(keys), unique=False,
            postgresql_include=list(included), postgresql_where=sa.text(PARTIAL),
        )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name in reversed(INDEXES):
        op.drop_index(name, table_name='offers')
    op.execute('ALTER TABLE offers ALTER COLUMN commune_code SET STATISTICS -1')
    op.execute('ALTER TABLE offers ALTER COLUMN search_vector SET STORAGE EXTENDED')

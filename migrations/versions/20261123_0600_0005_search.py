"""Search: normalised text columns, full-text index per engine, B-trees for occupation + place.

SQLite: an FTS5 external-content table `offers_fts` over the three normalised columns
(`unicode61 remove_diacritics 2`), kept in step with `offers` by triggers.
PostgreSQL: a generated `search_vector` (the `simple` configuration over the words normalised
in Python; weights A title, B employer, D description) with a GIN index. No French stemmer
and no unaccent in the database: stemming after unaccent breaks cuisinier/cuisinière
(SEARCH-DEDUP.md §3.2), and both engines must index the same words.
These objects are outside the models; app/search/schema.py lists them for comparisons.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-23 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None

SEARCH_COLUMNS = ('search_title', 'search_organisation', 'search_description')
BACKFILL_BATCH = 2000

SQLITE_UPGRADE = (
    """CREATE VIRTUAL TABLE offers_fts USING fts5(
        search_title, search_organisation, search_description,
        content='offers', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', columnsize=0)""",
    """CREATE TRIGGER offers_fts_after_insert AFTER INSERT ON offers BEGIN
        INSERT INTO offers_fts(rowid, search_title, search_organisation, search_description)
        VALUES (new.id, new.search_title, new.search_organisation, new.search_description);
    END""",
    """CREATE TRIGGER offers_fts_after_delete AFTER DELETE ON offers BEGIN
        INSERT INTO offers_fts(offers_fts, rowid, search_title, search_organisation, search_description)
        VALUES ('delete', old.id, old.search_title, old.search_organisation, old.search_description);
    END""",
    # Only when the indexed words change: marking a duplicate must not reindex the offer.
    """CREATE TRIGGER offers_fts_after_update
    AFTER UPDATE OF search_title, search_organisation, search_description ON offers BEGIN
        INSERT INTO offers_fts(offers_fts, rowid, search_title, search_organisation, search_description)
        VALUES ('delete', old.id, old.search_title, old.search_organisation, old.search_description);
        INSERT INTO offers_fts(rowid, search_title, search_organisation, search_description)
        VALUES (new.id, new.search_title, new.search_organisation, new.search_description);
    END""",
    "INSERT INTO offers_fts(offers_fts) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER offers_fts_after_update",
    "DROP TRIGGER offers_fts_after_delete",
    "DROP TRIGGER offers_fts_after_insert",
    "DROP TABLE offers_fts",
)
POSTGRESQL_UPGRADE = (
    """ALTER TABLE offers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, search_title), 'A')
        || setweight(to_tsvector('simple'::regconfig, search_organisation), 'B')
        || setweight(to_tsvector('simple'::regconfig, search_description), 'D')
    ) STORED""",
    "CREATE INDEX ix_offers_search_vector ON offers USING gin (search_vector)",
)
POSTGRESQL_DOWNGRADE = (
    "DROP INDEX ix_offers_search_vector",
    "ALTER TABLE offers DROP COLUMN search_vector",
)


def upgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        for name in SEARCH_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_offers_commune_published', ['commune_code', 'published_at'], unique=False)
        batch_op.create_index(
            'ix_offers_occupation_commune_published', ['occupation_code', 'commune_code', 'published_at'], unique=False
        )
    fill_search_columns()
    statements = SQLITE_UPGRADE if op.get_bind().dialect.name == 'sqlite' else POSTGRESQL_UPGRADE
    for statement in statements:
        op.execute(statement)


def fill_search_columns():
    """Offers already there get their normalised words, as new ones get them on write."""
    from app.search.text import search_columns  # the one function that computes them

    connection = op.get_bind()
    offers = sa.table(
        'offers', sa.column('id'), sa.column('title'), sa.column('organisation_name'), sa.column('description'),
        *(sa.column(name) for name in SEARCH_COLUMNS),
    )
    rows = connection.execute(
        sa.select(offers.c.id, offers.c.title, offers.c.organisation_name, offers.c.description)
    ).mappings().all()
    update = (
        sa.update(offers)
        .where(offers.c.id == sa.bindparam('offer_id'))
        .values({name: sa.bindparam(name) for name in SEARCH_COLUMNS})
    )
    for start in range(0, len(rows), BACKFILL_BATCH):
        batch = rows[start:start + BACKFILL_BATCH]
        connection.execute(update, [{'offer_id': row['id'], **search_columns(row)} for row in batch])


def downgrade():
    statements = SQLITE_DOWNGRADE if op.get_bind().dialect.name == 'sqlite' else POSTGRESQL_DOWNGRADE
    for statement in statements:
        op.execute(statement)
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('ix_offers_occupation_commune_published')
        batch_op.drop_index('ix_offers_commune_published')
        for name in reversed(SEARCH_COLUMNS):
            batch_op.drop_column(name)

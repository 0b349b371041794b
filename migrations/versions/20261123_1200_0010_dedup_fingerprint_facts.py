"""Deduplication: the facts matching reads, copied into each fingerprint, also packed.

An incremental deduplication reads the fingerprints of the stock its new offers can meet.
Joined with `offers`, whose rows carry the descriptions, that read took 0.9 s for 55,000
offers on SQLite. Now it reads this narrow table alone, and only each offer's signature and
its facts packed in 128 bytes (app.dedup.prefilter.FACTS_DTYPE), which become numpy arrays
at once. The copied columns are all part of the fingerprint's content key, so a change to
any of them fingerprints the offer again: they cannot go stale. Existing fingerprints are
filled from their offers; the packing is computed here with a frozen copy of the code of
this revision (a later change of the layout packs again in its own migration).

Revision ID: 0010
Revises: 0004
Create Date: 2026-11-23 12:00:00
"""
import zlib

from alembic import op
import numpy as np
import sqlalchemy as sa


revision = '0010'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = (
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('occupation_code', sa.String(length=10), nullable=True),
    sa.Column('location_precision', sa.String(length=12), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('departement_code', sa.String(length=3), nullable=True),
    sa.Column('region_code', sa.String(length=3), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('contract_type', sa.String(length=20), nullable=True),
    sa.Column('published_epoch', sa.Float(), nullable=True),
    sa.Column('packed_facts', sa.LargeBinary(), nullable=True),
)
COPIED = [column.name for column in COLUMNS if column.name not in ('published_epoch', 'packed_facts')]
# SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (app.db.UTCDateTime).
EPOCH = {
    'sqlite': "CAST(strftime('%s', offers.published_at) AS REAL) + CAST(substr(offers.published_at, 21, 6) AS REAL) / 1e6",
    'postgresql': 'EXTRACT(EPOCH FROM offers.published_at)::double precision',
}


def upgrade():
    # Plain ADD COLUMN (no batch mode): nullable columns, and SQLite keeps its FTS triggers.
    for column in COLUMNS:
        op.add_column('dedup_fingerprints', column)
    assignments = ', '.join(f'{name} = offers.{name}' for name in COPIED)
    epoch = EPOCH[op.get_bind().dialect.name]
    op.execute(
        f'UPDATE dedup_fingerprints SET {assignments}, published_epoch = {epoch} '
        'FROM offers WHERE offers.id = dedup_fingerprints.offer_id'
    )
    _pack_existing(op.get_bind())
    op.create_index(op.f('ix_dedup_fingerprints_departement_code'), 'dedup_fingerprints', ['departement_code'], unique=False)
    op.create_index(op.f('ix_dedup_fingerprints_region_code'), 'dedup_fingerprints', ['region_code'], unique=False)


# --- Frozen copy of app.dedup.prefilter.OfferArrays.from_columns and candidates.areas_of ---

FACTS_DTYPE = np.dtype([
    ("precision", "<i8"), ("commune", "<i8"), ("departement", "<i8"), ("region", "<i8"), ("contract", "<i8"),
    ("title", "<i8"), ("latitude", "<f8"), ("longitude", "<f8"), ("published", "<f8"), ("shingles", "<i8"),
    ("index_area", "<i8"), ("query_areas", "<i8", (3,)), ("title_bloom", "<u8"), ("title_words", "<i8"),
])
PRECISION_RANK = {"commune": 0, "departement": 1, "region": 2, "country": 3}
NO_AREA = -1


def _code(value):
    return zlib.crc32(value.encode()) + 1 if value else 0


def _area_id(name):
    return zlib.crc32(name.encode())


def _areas_of(departement_code, region_code):
    if departement_code:
        index = _area_id("d" + departement_code)
    elif region_code:
        index = _area_id("r" + region_code)
    else:
        index = _area_id("fr")
    queried = [index]
    if departement_code and region_code:
        queried.append(_area_id("r" + region_code))
    if departement_code or region_code:
        queried.append(_area_id("fr"))
    return index, queried + [NO_AREA] * (3 - len(queried))


def _packed(row):
    record = np.zeros(1, dtype=FACTS_DTYPE)[0]
    record["precision"] = PRECISION_RANK[row.location_precision]
    record["commune"] = _code(row.commune_code)
    record["departement"] = _code(row.departement_code)
    record["region"] = _code(row.region_code)
    record["latitude"] = np.nan if row.latitude is None else row.latitude
    record["longitude"] = np.nan if row.longitude is None else row.longitude
    record["contract"] = _code(None if row.contract_type == "OTHER" else row.contract_type)
    record["published"] = row.published_epoch
    record["shingles"] = row.shingle_count
    record["title"] = _code(row.title_key)
    record["index_area"], record["query_areas"] = _areas_of(row.departement_code, row.region_code)
    words = set(row.title_key.split())
    record["title_bloom"] = sum({1 << (zlib.crc32(word.encode()) & 63) for word in words})
    record["title_words"] = len(words)
    return record.tobytes()


def _pack_existing(connection):
    table = sa.table('dedup_fingerprints', *(sa.column(name) for name in (
        'offer_id', 'location_precision', 'commune_code', 'departement_code', 'region_code', 'latitude', 'longitude',
        'contract_type', 'published_epoch', 'shingle_count', 'title_key', 'packed_facts')))
    statement = sa.update(table).where(table.c.offer_id == sa.bindparam('b_id')).values(packed_facts=sa.bindparam('b_packed'))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table).where(table.c.offer_id > last).order_by(table.c.offer_id).limit(5000)
        ).all()
        if not rows:
            return
        connection.execute(statement, [{'b_id': row.offer_id, 'b_packed': _packed(row)} for row in rows])
        last = rows[-1].offer_id


def downgrade():
    op.drop_index(op.f('ix_dedup_fingerprints_region_code'), table_name='dedup_fingerprints')
    op.drop_index(op.f('ix_dedup_fingerprints_departement_code'), table_name='dedup_fingerprints')
    with op.batch_alter_table('dedup_fingerprints') as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column.name)

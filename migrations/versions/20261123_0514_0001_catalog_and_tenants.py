"""Catalog and tenants: places, occupations, sources, offers (jobs, trainings) and institutions.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 05:14:00.805985
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('occupation_domains',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('large_domain_code', sa.String(length=1), nullable=False),
    sa.Column('large_domain_name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_occupation_domains'))
    )
    op.create_table('regions',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('zone', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=30), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('slug', name=op.f('uq_sources_slug'))
    )
    op.create_table('tenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_codes', sa.JSON(), nullable=False),
    sa.Column('departement_codes', sa.JSON(), nullable=False),
    sa.Column('primary_colour', sa.String(length=7), nullable=False),
    sa.Column('logo_url', sa.String(length=500), nullable=True),
    sa.Column('allowed_hosts', sa.JSON(), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_url', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug'))
    )
    op.create_table('departements',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=3), nullable=True),
    sa.Column('zone', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_departements_region_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_departements'))
    )
    op.create_table('occupations',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('parent_code', sa.String(length=5), nullable=True),
    sa.Column('domain_code', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['domain_code'], ['occupation_domains.code'], name=op.f('fk_occupations_domain_code_occupation_domains')),
    sa.ForeignKeyConstraint(['parent_code'], ['occupations.code'], name=op.f('fk_occupations_parent_code_occupations')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_occupations'))
    )
    op.create_table('communes',
    sa.Column('insee_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('search_name', sa.String(length=100), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=False),
    sa.Column('region_code', sa.String(length=3), nullable=True),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('zone', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['departement_code'], ['departements.code'], name=op.f('fk_communes_departement_code_departements')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_communes_region_code_regions')),
    sa.PrimaryKeyConstraint('insee_code', name=op.f('pk_communes'))
    )
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communes_departement_code'), ['departement_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_communes_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_communes_search_name'), ['search_name'], unique=False)

    op.create_table('job_titles',
    sa.Column('ogr_code', sa.String(length=10), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('masculine', sa.String(length=300), nullable=False),
    sa.Column('feminine', sa.String(length=300), nullable=False),
    sa.Column('search_label', sa.String(length=600), nullable=False),
    sa.Column('occupation_code', sa.String(length=5), nullable=False),
    sa.Column('is_principal', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['occupation_code'], ['occupations.code'], name=op.f('fk_job_titles_occupation_code_occupations')),
    sa.PrimaryKeyConstraint('ogr_code', name=op.f('pk_job_titles'))
    )
    with op.batch_alter_table('job_titles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_titles_occupation_code'), ['occupation_code'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('organisation_name', sa.String(length=300), nullable=True),
    sa.Column('occupation_code', sa.String(length=5), nullable=True),
    sa.Column('place_label', sa.String(length=200), nullable=True),
    sa.Column('location_precision', sa.String(length=12), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('departement_code', sa.String(length=3), nullable=True),
    sa.Column('region_code', sa.String(length=3), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('apply_method', sa.String(length=10), nullable=False),
    sa.Column('apply_url', sa.String(length=1000), nullable=True),
    sa.Column('apply_email', sa.String(length=254), nullable=True),
    sa.Column('source_url', sa.String(length=1000), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ingested_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('contract_type', sa.String(length=10), nullable=True),
    sa.Column('contract_label', sa.String(length=200), nullable=True),
    sa.Column('working_time', sa.String(length=10), nullable=True),
    sa.Column('working_hours_label', sa.String(length=200), nullable=True),
    sa.Column('salary_text', sa.String(length=300), nullable=True),
    sa.Column('salary_min', sa.Float(), nullable=True),
    sa.Column('salary_max', sa.Float(), nullable=True),
    sa.Column('salary_period', sa.String(length=10), nullable=True),
    sa.Column('experience', sa.String(length=10), nullable=True),
    sa.Column('experience_label', sa.String(length=300), nullable=True),
    sa.Column('is_apprenticeship', sa.Boolean(), nullable=True),
    sa.Column('is_accessible_disabled', sa.Boolean(), nullable=True),
    sa.Column('positions', sa.Integer(), nullable=True),
    sa.Column('objectives', sa.Text(), nullable=True),
    sa.Column('rncp_codes', sa.JSON(), nullable=True),
    sa.Column('certifinfo_codes', sa.JSON(), nullable=True),
    sa.Column('is_certifying', sa.Boolean(), nullable=True),
    sa.Column('duration_hours', sa.Integer(), nullable=True),
    sa.Column('training_body_siret', sa.String(length=14), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['communes.insee_code'], name=op.f('fk_offers_commune_code_communes')),
    sa.ForeignKeyConstraint(['departement_code'], ['departements.code'], name=op.f('fk_offers_departement_code_departements')),
    sa.ForeignKeyConstraint(['occupation_code'], ['occupations.code'], name=op.f('fk_offers_occupation_code_occupations')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_offers_region_code_regions')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_offers_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers')),
    sa.UniqueConstraint('source_id', 'partner_id', name=op.f('uq_offers_source_id'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index('ix_offers_kind_departement_published', ['kind', 'departement_code', 'published_at'], unique=False)
        batch_op.create_index('ix_offers_kind_published', ['kind', 'published_at'], unique=False)
        batch_op.create_index('ix_offers_kind_region_published', ['kind', 'region_code', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_occupation_code'), ['occupation_code'], unique=False)

    op.create_table('postal_codes',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('insee_code', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['insee_code'], ['communes.insee_code'], name=op.f('fk_postal_codes_insee_code_communes')),
    sa.PrimaryKeyConstraint('code', 'insee_code', name=op.f('pk_postal_codes'))
    )
    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.String(length=100), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('modality', sa.String(length=10), nullable=False),
    sa.Column('place_label', sa.String(length=300), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('is_open', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['communes.insee_code'], name=op.f('fk_training_sessions_commune_code_communes')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_training_sessions_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_offer_id'), ['offer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_offer_id'))

    op.drop_table('training_sessions')
    op.drop_table('postal_codes')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_occupation_code'))
        batch_op.drop_index('ix_offers_kind_region_published')
        batch_op.drop_index('ix_offers_kind_published')
        batch_op.drop_index('ix_offers_kind_departement_published')
        batch_op.drop_index(batch_op.f('ix_offers_commune_code'))

    op.drop_table('offers')
    with op.batch_alter_table('job_titles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_titles_occupation_code'))

    op.drop_table('job_titles')
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communes_search_name'))
        batch_op.drop_index(batch_op.f('ix_communes_region_code'))
        batch_op.drop_index(batch_op.f('ix_communes_departement_code'))

    op.drop_table('communes')
    op.drop_table('occupations')
    op.drop_table('departements')
    op.drop_table('tenants')
    op.drop_table('sources')
    op.drop_table('regions')
    op.drop_table('occupation_domains')

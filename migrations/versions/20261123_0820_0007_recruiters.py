"""Recruiters' postings, single-use links, and the tenant settings they need (moderation policy,
offer duration, identity providers).

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-23 08:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants') as batch:
        batch.add_column(sa.Column('moderation_policy', sa.String(length=10), server_default='before', nullable=False))
        batch.add_column(sa.Column('offer_duration_days', sa.Integer(), server_default='60', nullable=False))
        batch.add_column(sa.Column('identity_providers', sa.JSON(), nullable=True))
    op.create_table(
        'postings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=36), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('company_name', sa.String(length=200), nullable=True),
        sa.Column('siret', sa.String(length=14), nullable=True),
        sa.Column('company_commune_code', sa.String(length=5), nullable=True),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=True),
        sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('close_reason', sa.String(length=20), nullable=True),
        sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('moderated_by', sa.String(length=254), nullable=True),
        sa.Column('rejection_reason', sa.Text(), nullable=True),
        sa.Column('reminded_7_days_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_1_day_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_postings_tenant_id_tenants'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['company_commune_code'], ['communes.insee_code'], name=op.f('fk_postings_company_commune_code_communes')),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_postings_offer_id_offers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_postings')),
        sa.UniqueConstraint('public_id', name=op.f('uq_postings_public_id')),
    )
    op.create_index(op.f('ix_postings_tenant_id'), 'postings', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_postings_status'), 'postings', ['status'], unique=False)
    op.create_index(op.f('ix_postings_contact_email'), 'postings', ['contact_email'], unique=False)
    op.create_index(op.f('ix_postings_expires_at'), 'postings', ['expires_at'], unique=False)
    op.create_table(
        'used_links',
        sa.Column('token_digest', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token_digest', name=op.f('pk_used_links')),
    )


def downgrade():
    op.drop_table('used_links')
    op.drop_index(op.f('ix_postings_expires_at'), table_name='postings')
    op.drop_index(op.f('ix_postings_contact_email'), table_name='postings')
    op.drop_index(op.f('ix_postings_status'), table_name='postings')
    op.drop_index(op.f('ix_postings_tenant_id'), table_name='postings')
    op.drop_table('postings')
    with op.batch_alter_table('tenants') as batch:
        batch.drop_column('identity_providers')
        batch.drop_column('offer_duration_days')
        batch.drop_column('moderation_policy')

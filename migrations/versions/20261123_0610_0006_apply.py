"""Applying: applications and their CVs, CV access log, partner-site clicks, the mail outbox,
applicant accounts (OpenID Connect identities) and offers applied to elsewhere.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-23 06:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), server_default='email', nullable=False),
        sa.Column('recipient', sa.String(length=1000), nullable=False),
        sa.Column('reply_to', sa.String(length=254), nullable=True),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('signing_key_env', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    )
    op.create_index(op.f('ix_outbox_messages_status'), 'outbox_messages', ['status'], unique=False)
    op.create_index(op.f('ix_outbox_messages_next_attempt_at'), 'outbox_messages', ['next_attempt_at'], unique=False)
    op.create_table(
        'stored_cvs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('storage_name', sa.String(length=64), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_cvs')),
        sa.UniqueConstraint('storage_name', name=op.f('uq_stored_cvs_storage_name')),
    )
    op.create_table(
        'applicants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('cv_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(['cv_id'], ['stored_cvs.id'], name=op.f('fk_applicants_cv_id_stored_cvs'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_applicants')),
    )
    op.create_table(
        'identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('applicant_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=64), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], name=op.f('fk_identities_applicant_id_applicants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identities')),
        sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_identities_issuer')),
    )
    op.create_index(op.f('ix_identities_applicant_id'), 'identities', ['applicant_id'], unique=False)
    op.create_table(
        'elsewhere_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('applicant_id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], name=op.f('fk_elsewhere_applications_applicant_id_applicants'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_elsewhere_applications_offer_id_offers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_elsewhere_applications')),
        sa.UniqueConstraint('applicant_id', 'offer_id', name=op.f('uq_elsewhere_applications_applicant_id')),
    )
    op.create_index(op.f('ix_elsewhere_applications_applicant_id'), 'elsewhere_applications', ['applicant_id'], unique=False)
    op.create_index(op.f('ix_elsewhere_applications_offer_id'), 'elsewhere_applications', ['offer_id'], unique=False)
    op.create_table(
        'applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=36), nullable=False),
        sa.Column('idempotency_key', sa.String(length=36), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('cv_id', sa.Integer(), nullable=True),
        sa.Column('applicant_id', sa.Integer(), nullable=True),
        sa.Column('recruiter_email', sa.String(length=254), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('status_reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], name=op.f('fk_applications_applicant_id_applicants'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['cv_id'], ['stored_cvs.id'], name=op.f('fk_applications_cv_id_stored_cvs'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_applications_offer_id_offers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_applications_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_applications_idempotency_key')),
        sa.UniqueConstraint('public_id', name=op.f('uq_applications_public_id')),
    )
    op.create_index(op.f('ix_applications_applicant_id'), 'applications', ['applicant_id'], unique=False)
    op.create_index(op.f('ix_applications_offer_id'), 'applications', ['offer_id'], unique=False)
    op.create_index(op.f('ix_applications_tenant_id'), 'applications', ['tenant_id'], unique=False)
    op.create_table(
        'cv_accesses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('accessed_by', sa.String(length=254), nullable=False),
        sa.Column('accessed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_cv_accesses_application_id_applications'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cv_accesses')),
    )
    op.create_index(op.f('ix_cv_accesses_application_id'), 'cv_accesses', ['application_id'], unique=False)
    op.create_table(
        'apply_clicks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('clicked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_apply_clicks_offer_id_offers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_apply_clicks_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_apply_clicks')),
    )
    op.create_index(op.f('ix_apply_clicks_offer_id'), 'apply_clicks', ['offer_id'], unique=False)
    op.create_index(op.f('ix_apply_clicks_tenant_id'), 'apply_clicks', ['tenant_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_apply_clicks_tenant_id'), table_name='apply_clicks')
    op.drop_index(op.f('ix_apply_clicks_offer_id'), table_name='apply_clicks')
    op.drop_table('apply_clicks')
    op.drop_index(op.f('ix_cv_accesses_application_id'), table_name='cv_accesses')
    op.drop_table('cv_accesses')
    op.drop_index(op.f('ix_applications_tenant_id'), table_name='applications')
    op.drop_index(op.f('ix_applications_offer_id'), table_name='applications')
    op.drop_index(op.f('ix_applications_applicant_id'), table_name='applications')
    op.drop_table('applications')
    op.drop_index(op.f('ix_elsewhere_applications_offer_id'), table_name='elsewhere_applications')
    op.drop_index(op.f('ix_elsewhere_applications_applicant_id'), table_name='elsewhere_applications')
    op.drop_table('elsewhere_applications')
    op.drop_index(op.f('ix_identities_applicant_id'), table_name='identities')
    op.drop_table('identities')
    op.drop_table('applicants')
    op.drop_table('stored_cvs')
    op.drop_index(op.f('ix_outbox_messages_next_attempt_at'), table_name='outbox_messages')
    op.drop_index(op.f('ix_outbox_messages_status'), table_name='outbox_messages')
    op.drop_table('outbox_messages')

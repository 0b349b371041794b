"""Institution staff accounts (admins and moderators, one tenant each).

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-23 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('session_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_staff_users_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
        sa.UniqueConstraint('email', name=op.f('uq_staff_users_email')),
    )
    op.create_index(op.f('ix_staff_users_tenant_id'), 'staff_users', ['tenant_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_staff_users_tenant_id'), table_name='staff_users')
    op.drop_table('staff_users')

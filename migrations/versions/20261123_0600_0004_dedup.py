"""Deduplication: offer fingerprints, clusters of duplicates and the reason of each merge.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dedup_fingerprints',
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('content_key', sa.String(length=40), nullable=False),
    sa.Column('title_key', sa.String(length=300), nullable=False),
    sa.Column('employer_key', sa.String(length=300), nullable=True),
    sa.Column('is_intermediary', sa.Boolean(), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=False),
    sa.Column('completeness', sa.Integer(), nullable=False),
    sa.Column('shingle_count', sa.Integer(), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_dedup_fingerprints_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('offer_id', name=op.f('pk_dedup_fingerprints'))
    )
    op.create_table('dedup_clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('canonical_offer_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['canonical_offer_id'], ['offers.id'], name=op.f('fk_dedup_clusters_canonical_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dedup_clusters'))
    )
    op.create_index(op.f('ix_dedup_clusters_canonical_offer_id'), 'dedup_clusters', ['canonical_offer_id'], unique=False)
    op.create_table('dedup_links',
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('matched_offer_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['dedup_clusters.id'], name=op.f('fk_dedup_links_cluster_id_dedup_clusters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['matched_offer_id'], ['offers.id'], name=op.f('fk_dedup_links_matched_offer_id_offers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_dedup_links_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('offer_id', name=op.f('pk_dedup_links'))
    )
    op.create_index(op.f('ix_dedup_links_cluster_id'), 'dedup_links', ['cluster_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_dedup_links_cluster_id'), table_name='dedup_links')
    op.drop_table('dedup_links')
    op.drop_index(op.f('ix_dedup_clusters_canonical_offer_id'), table_name='dedup_clusters')
    op.drop_table('dedup_clusters')
    op.drop_table('dedup_fingerprints')

"""inbox of received updates

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

``inbox_update``: each update a channel delivers is stored here before the channel learns it
arrived, and deleted once handled; what a process that died left behind is handled at the next start.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('bot', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('update_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'bot', 'update_id', name='uq_inbox_update')
    )


def downgrade() -> None:
    op.drop_table('inbox_update')

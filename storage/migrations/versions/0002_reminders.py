"""deadlines and the reminder log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Two tables: ``deadline`` (due dates set per supervising org unit; ``year`` NULL is the unit's default,
kept unique by a partial index on both SQLite and PostgreSQL) and ``reminder_log`` (one row per
recipient, period and kind of reminder, written before sending: the key that prevents duplicates).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['set_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_unit_id', 'kind', 'year')
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('uq_deadline_default', ['org_unit_id', 'kind'], unique=True, sqlite_where=sa.text('year IS NULL'), postgresql_where=sa.text('year IS NULL'))

    op.create_table('reminder_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'period', 'kind')
    )


def downgrade() -> None:
    op.drop_table('reminder_log')
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index('uq_deadline_default', sqlite_where=sa.text('year IS NULL'), postgresql_where=sa.text('year IS NULL'))
        batch_op.drop_index(batch_op.f('ix_deadline_org_unit_id'))

    op.drop_table('deadline')

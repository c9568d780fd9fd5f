"""reports launched by a supervisor

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

``launch``: a report a supervising unit asks of every reporting unit below it (a template, a period
of any kind, a due date); officers are offered it, reminded of it, and it is compiled like the
6-month report. A period's key may now be a range of days (``2026-03-01..2026-05-31``): the
``period`` columns of ``report`` and ``reminder_log`` grow from 16 to 32 characters.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('launch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('template_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_unit_id', 'template_key', 'period')
    )
    op.create_index(op.f('ix_launch_org_unit_id'), 'launch', ['org_unit_id'], unique=False)
    for table in ('report', 'reminder_log'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('period', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
                                  type_=sqlmodel.sql.sqltypes.AutoString(length=32), existing_nullable=False)


def downgrade() -> None:
    for table in ('report', 'reminder_log'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('period', existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                                  type_=sqlmodel.sql.sqltypes.AutoString(length=16), existing_nullable=False)
    op.drop_index(op.f('ix_launch_org_unit_id'), table_name='launch')
    op.drop_table('launch')

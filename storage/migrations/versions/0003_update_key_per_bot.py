"""the duplicate-update key names the bot

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

``processed_update`` was keyed by (channel, update id): a second bot (another token) on the same
database had its updates taken for repeats of the first bot's. The key is now (channel, bot,
update id); rows kept from before get the empty bot name, as events without a bot have.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _rebuild(with_bot: bool) -> None:
    """A new table with the new key, the rows copied over, then it takes the old one's name (the
    same steps on SQLite, which cannot alter a primary key, and on PostgreSQL)."""
    columns = [sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False)]
    if with_bot:
        columns.append(sa.Column('bot', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False))
    columns += [sa.Column('update_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
                sa.Column('at', sa.DateTime(timezone=True), nullable=False)]
    key = ['channel', 'bot', 'update_id'] if with_bot else ['channel', 'update_id']
    op.create_table('processed_update_new', *columns, sa.PrimaryKeyConstraint(*key))
    if with_bot:
        op.execute("INSERT INTO processed_update_new (channel, bot, update_id, at) "
                   "SELECT channel, '', update_id, at FROM processed_update")
    else:
        op.execute("INSERT INTO processed_update_new (channel, update_id, at) "
                   "SELECT channel, update_id, at FROM processed_update WHERE bot = ''")
    op.drop_table('processed_update')
    op.rename_table('processed_update_new', 'processed_update')


def upgrade() -> None:
    _rebuild(with_bot=True)


def downgrade() -> None:
    _rebuild(with_bot=False)

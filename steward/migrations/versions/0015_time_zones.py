"""time zones: a person's chosen zone on their account, an organisation's for its members

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.add_column("organisations", sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("organisations", "time_zone")
    op.drop_column("accounts", "time_zone")

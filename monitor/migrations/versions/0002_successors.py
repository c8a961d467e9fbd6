"""Successors after local-government reorganisation: areas and commissioners name the
code that took over their duties and from when (`meta.schema_version` 2).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("areas", "commissioners")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("successor_code", sa.String(), nullable=True))
            batch.add_column(sa.Column("successor_from", sa.Date(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("successor_from")
            batch.drop_column("successor_code")

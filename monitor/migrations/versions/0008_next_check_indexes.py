"""The indexes a next check reads through: a partial index of the findings not done yet
(pending, due soon, overdue; about one in a hundred of a national store's findings), and
the decision letters by date (the letters dated since the last check).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('pending', 'due_soon', 'overdue')")  # as models.OPEN_FINDINGS, frozen here


def upgrade() -> None:
    op.create_index("ix_findings_open", "findings", ["duty", "record_key"], sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_decisions_decision_date", "decisions", ["decision_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_decisions_decision_date", table_name="decisions")
    op.drop_index("ix_findings_open", table_name="findings")

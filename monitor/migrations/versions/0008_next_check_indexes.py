"""The indexes a next check reads through: the findings by status (it reads the few thousand
not done yet), and the decision letters by date (the letters dated since the last check).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_findings_status", "findings", ["status", "duty", "record_key"], unique=False)
    op.create_index("ix_decisions_decision_date", "decisions", ["decision_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_decisions_decision_date", table_name="decisions")
    op.drop_index("ix_findings_status", table_name="findings")

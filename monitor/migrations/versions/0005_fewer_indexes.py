"""Drop indexes no query needs, which a full check kept up for every finding it wrote and an
import for every record: `ix_findings_area` (served by `ix_findings_area_status`),
`ix_findings_duty_status` (the status counts read the findings in primary-key order),
`ix_finding_history_check_id`, and each record table's `ix_<table>_created_batch` (new
records are found by `updated_batch`, which an insert sets too).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


RECORD_TABLES = (
    "areas",
    "commissioners",
    "decisions",
    "appeals",
    "evidence",
    "recommendations",
    "responses",
    "funding_claims",
    "recorded_exceptions",
)


def upgrade() -> None:
    for table in RECORD_TABLES:
        op.drop_index(f"ix_{table}_created_batch", table_name=table)
    op.drop_index("ix_findings_area", table_name="findings")
    op.drop_index("ix_findings_duty_status", table_name="findings")
    op.drop_index("ix_finding_history_check_id", table_name="finding_history")


def downgrade() -> None:
    op.create_index("ix_finding_history_check_id", "finding_history", ["check_id"], unique=False)
    op.create_index("ix_findings_duty_status", "findings", ["duty", "status"], unique=False)
    op.create_index("ix_findings_area", "findings", ["area"], unique=False)
    for table in RECORD_TABLES:
        op.create_index(f"ix_{table}_created_batch", table, ["created_batch"], unique=False)

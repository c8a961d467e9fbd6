"""Alerts: one-off notices, each attempt to send a message, and outbox messages that carry
their kind, the bodies they are for, attachments and a retry time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_attempts_outbox_id", "outbox_attempts", ["outbox_id"], unique=False)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(), nullable=True))
        batch.add_column(sa.Column("bodies", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("attachments", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resend_of", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("requeued_as", sa.Integer(), nullable=True))
    # Every message queued before this revision is a digest.
    op.execute("UPDATE outbox SET kind = 'digest', bodies = '[]', attachments = '[]'")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("kind", existing_type=sa.String(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for column in ("requeued_as", "resend_of", "next_attempt_at", "attachments", "bodies", "kind"):
            batch.drop_column(column)
    op.drop_index("ix_outbox_attempts_outbox_id", table_name="outbox_attempts")
    op.drop_table("outbox_attempts")
    op.drop_table("alert_notices")

"""The served dashboards: roles granted to people, the access log and sign-in sessions (on
SQLite the last two are kept in the web database beside the store; here they stay empty).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("by_email", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.String(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_grants_person", "access_grants", ["person"], unique=False)
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("area", sa.String(), nullable=True),
        sa.Column("case_refs", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"], unique=False)
    op.create_table(
        "web_sessions",
        sa.Column("sid_hash", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("token_roles", sa.JSON(), nullable=True),
        sa.Column("id_token", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("sid_hash"),
    )
    op.create_index("ix_web_sessions_started_at", "web_sessions", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_web_sessions_started_at", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_table("access_log")
    op.drop_index("ix_access_grants_person", table_name="access_grants")
    op.drop_table("access_grants")

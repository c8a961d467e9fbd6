"""Documents (records standard version 3): letter templates, saved Local Offer pages, the
documents read (by SHA-256, with the text read), and `decisions.letter_template`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_templates",
        sa.Column("created_batch", sa.Integer(), nullable=True),
        sa.Column("updated_batch", sa.Integer(), nullable=True),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("template_id", sa.String(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("in_use_from", sa.Date(), nullable=False),
        sa.Column("in_use_to", sa.Date(), nullable=True),
        sa.Column("decision_types", sa.String(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("area_code", "template_id"),
    )
    op.create_index(op.f("ix_letter_templates_updated_batch"), "letter_templates", ["updated_batch"], unique=False)
    op.create_table(
        "local_offer_pages",
        sa.Column("created_batch", sa.Integer(), nullable=True),
        sa.Column("updated_batch", sa.Integer(), nullable=True),
        sa.Column("page_id", sa.String(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("captured_on", sa.Date(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("page_id"),
    )
    op.create_index(op.f("ix_local_offer_pages_area_code"), "local_offer_pages", ["area_code"], unique=False)
    op.create_index(op.f("ix_local_offer_pages_updated_batch"), "local_offer_pages", ["updated_batch"], unique=False)
    op.create_table(
        "documents",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gap", sa.String(), nullable=True),
        sa.Column("cut_off", sa.String(), nullable=True),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("letter_template", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("letter_template")
    op.drop_table("documents")
    op.drop_index(op.f("ix_local_offer_pages_updated_batch"), table_name="local_offer_pages")
    op.drop_index(op.f("ix_local_offer_pages_area_code"), table_name="local_offer_pages")
    op.drop_table("local_offer_pages")
    op.drop_index(op.f("ix_letter_templates_updated_batch"), table_name="letter_templates")
    op.drop_table("letter_templates")

"""Initial schema: ingestions, profile, prescriptions, operations (undo log).

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Migrations never import the application's ORM classes: they describe the schema as it was at
their revision, so that they keep working when the models change (only the column type
``UTCDateTime`` is shared).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dosewise.journal.models import UTCDateTime

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingestions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("substance_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("per_kg", sa.Boolean(), nullable=False),
        sa.Column("amount_route_unit", sa.Float(), nullable=False),
        sa.Column("route_unit", sa.String(8), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("tz_offset_min", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ingestions"),
        sa.UniqueConstraint("uid", name="uq_ingestions_uid"),
    )
    op.create_index("ix_ingestions_substance_taken", "ingestions", ["substance_id", "taken_at"])
    op.create_index("ix_ingestions_taken_at", "ingestions", ["taken_at"])
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("crcl_ml_min", sa.Float(), nullable=True),
        sa.Column("egfr", sa.Float(), nullable=True),
        sa.Column("kidney", sa.String(16), nullable=True),
        sa.Column("seizure_history", sa.Boolean(), nullable=True),
        sa.Column("age_years", sa.Float(), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_profile"),
    )
    op.create_table(
        "prescriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("substance_id", sa.String(64), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("regimen", sa.String(200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_prescriptions"),
        sa.UniqueConstraint("uid", name="uq_prescriptions_uid"),
    )
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("entity", sa.String(24), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_operations"),
    )


def downgrade() -> None:
    op.drop_table("operations")
    op.drop_table("prescriptions")
    op.drop_table("profile")
    op.drop_index("ix_ingestions_taken_at", table_name="ingestions")
    op.drop_index("ix_ingestions_substance_taken", table_name="ingestions")
    op.drop_table("ingestions")

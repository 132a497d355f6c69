"""Idempotent imports: import batches, a content hash per ingestion (backfilled), batch links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

The content hash identifies a dose by what it is (substance, route, amount in the route's
unit, time to the second), so that importing the same file twice adds nothing. Existing rows are
backfilled here with the same function the application uses (copied, version-tagged ``v1``:
the tests check that the two agree).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from dosewise.journal.models import UTCDateTime

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def _hash_v1(
    substance_id: str, route: str, amount_route_unit: float, route_unit: str, taken_at: datetime
) -> str:
    when = taken_at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"{substance_id}|{route}|{amount_route_unit:.9g}|{route_unit}|{when}"
    return "v1:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("rows_in_file", sa.Integer(), nullable=False),
        sa.Column("rows_added", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_import_batches"),
        sa.UniqueConstraint("uid", name="uq_import_batches_uid"),
    )
    with op.batch_alter_table("ingestions") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(80), nullable=True))
        batch.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_ingestions_import_batch_id_import_batches",
            "import_batches",
            ["import_batch_id"],
            ["id"],
        )
        batch.create_index("ix_ingestions_content_hash", ["content_hash"])

    ingestions = sa.table(
        "ingestions",
        sa.column("id", sa.Integer()),
        sa.column("substance_id", sa.String()),
        sa.column("route", sa.String()),
        sa.column("amount_route_unit", sa.Float()),
        sa.column("route_unit", sa.String()),
        sa.column("taken_at", UTCDateTime()),
        sa.column("content_hash", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            ingestions.c.id,
            ingestions.c.substance_id,
            ingestions.c.route,
            ingestions.c.amount_route_unit,
            ingestions.c.route_unit,
            ingestions.c.taken_at,
        )
    ).all()
    if rows:
        bind.execute(
            sa.update(ingestions)
            .where(ingestions.c.id == sa.bindparam("row_id"))
            .values(content_hash=sa.bindparam("hash")),
            [{"row_id": r.id, "hash": _hash_v1(*r[1:])} for r in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("ingestions") as batch:
        batch.drop_index("ix_ingestions_content_hash")
        batch.drop_constraint("fk_ingestions_import_batch_id_import_batches", type_="foreignkey")
        batch.drop_column("import_batch_id")
        batch.drop_column("content_hash")
    op.drop_table("import_batches")

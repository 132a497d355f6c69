"""The journal's tables (SQLAlchemy 2 typed ORM). The schema at the head revision.

Every change to these classes needs a migration in ``migrations/versions`` (the test
``test_models_match_migrations`` compares them). Conventions:

* times are timezone-aware in Python and stored in UTC (:class:`UTCDateTime`); the offset the
  person gave is kept separately (``tz_offset_min``) so lists can show their local time;
* deleting is a soft delete (``deleted_at``), so it can be undone; every change is recorded in
  ``operations`` with the row before and after, which is what ``undo`` replays;
* ``amount``/``unit`` are what the person typed; ``amount_route_unit`` is the same amount in the
  route's dose unit from the data (mg, or µg intrathecal), which the engines use.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as naive
    UTC text and read back as UTC. A naive datetime is refused: the caller must say which zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("journal times must be timezone-aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Ingestion(Base):
    """One dose taken: what, how much, how, when."""

    __tablename__ = "ingestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    substance_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    per_kg: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_route_unit: Mapped[float] = mapped_column(Float)
    route_unit: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tz_offset_min: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Revision 0002: idempotent imports.
    content_hash: Mapped[str | None] = mapped_column(String(80), index=True)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    __table_args__ = (
        Index("ix_ingestions_substance_taken", "substance_id", "taken_at"),
        Index("ix_ingestions_taken_at", "taken_at"),
    )


class Profile(Base):
    """What is known about the person (one row, ``id = 1``). Unknown stays ``NULL``."""

    __tablename__ = "profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    crcl_ml_min: Mapped[float | None] = mapped_column(Float)
    egfr: Mapped[float | None] = mapped_column(Float)
    kidney: Mapped[str | None] = mapped_column(String(16))
    seizure_history: Mapped[bool | None] = mapped_column(Boolean)
    age_years: Mapped[float | None] = mapped_column(Float)
    pregnant: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Prescription(Base):
    """A current prescription, as a regimen (``20mg tid``)."""

    __tablename__ = "prescriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    substance_id: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(16))
    regimen: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Operation(Base):
    """One change, with the rows before and after (JSON), so that it can be undone."""

    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    entity: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportBatch(Base):
    """One import of a file (revision 0002): what came in and what was added."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    file_name: Mapped[str | None] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    rows_in_file: Mapped[int] = mapped_column(Integer)
    rows_added: Mapped[int] = mapped_column(Integer)
    rows_skipped: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def row_dict(row: Base) -> dict[str, Any]:
    """A row's columns as JSON-ready values (times in ISO 8601 UTC)."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        out[column.key] = value
    return out


def content_hash(
    substance_id: str, route: str, amount_route_unit: float, route_unit: str, taken_at: datetime
) -> str:
    """A stable identity of a dose: substance, route, amount in the route's unit, time (to the s).

    The note, the "estimated" flag and the unit as typed are left out on purpose: the same dose
    typed as ``20mg`` or ``0.02 g``, or with an edited note, is still the same dose. Version-tagged
    (``v1:``); migration 0002 holds a copy for its backfill.
    """
    when = taken_at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"{substance_id}|{route}|{amount_route_unit:.9g}|{route_unit}|{when}"
    return "v1:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

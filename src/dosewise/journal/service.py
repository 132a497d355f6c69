"""Journal operations: add, list, edit, delete, undo, profile, prescriptions, status.

Every operation that changes something is one transaction, and records itself in the
``operations`` table with the rows before and after, so that :meth:`JournalService.undo` can
revert it. Bad input raises :class:`~dosewise.errors.InputError` naming the field, before
anything is written.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Date, Float, Select, delete, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from dosewise.assess.dose import overdose_band, route_info, to_route_unit
from dosewise.assess.engine import HEADLINE_PREFIX, assess, emergency_block
from dosewise.assess.inputs import build_person
from dosewise.assess.models import Assessment, CheckRequest, Intake, Person
from dosewise.assess.risk import kidney_status
from dosewise.errors import InputError, NotFoundError
from dosewise.journal.activity import Activity, DoseRecord, activity, validate_regimen
from dosewise.journal.db import Journal
from dosewise.journal.models import (
    ImportBatch,
    Ingestion,
    Operation,
    Prescription,
    Profile,
    UTCDateTime,
    content_hash,
    row_dict,
)
from dosewise.journal.status import StatusReport, build_status, equivalent_finding
from dosewise.journal.tolerance import CONTINUOUS_GAP_H, USUAL_WINDOW_DAYS
from dosewise.knowledge.catalog import Catalog
from dosewise.severity import Severity, max_severity
from dosewise.units import Dose, DoseUnit, Route, parse_duration_h

STATUS_WINDOW_DAYS = 30 + USUAL_WINDOW_DAYS + 1
"""Doses loaded for ``status``: the tolerance look-back plus the usual-daily window."""
ACTIVITY_WINDOW_H = 14 * 24.0
MAX_FUTURE = timedelta(minutes=10)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""No entry before this (and no date arithmetic that overflows, e.g. year 1)."""
ACCEPTED_TIMES = (
    "now, '2h ago', '30 min ago', '1 d ago', or an ISO 8601 time such as "
    "2026-11-24T08:00+01:00 (without an offset it is read in the local time zone)"
)
_AGO = re.compile(r"^\s*(?P<d>\d+(?:\.\d+)?\s*[a-z]+)\s+ago\s*$", re.IGNORECASE)


def utcnow() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# Times


class When(BaseModel):
    """A time as given: the instant (UTC), the offset it was given in, and how it was read."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    offset_min: int | None
    note: str | None = None


def parse_when(text: str | None, now: datetime, local_tz: tzinfo) -> When:
    """``now``, ``2h ago``, ``30 min ago``, or ISO 8601 (naive = ``local_tz``, said in ``note``).

    Raises
    ------
    InputError
        Anything else, or a time more than 10 minutes in the future.
    """
    local_now = now.astimezone(local_tz)
    offset = _offset_min(local_now)
    if text is None or text.strip().lower() in ("", "now"):
        return When(at=now.replace(microsecond=0), offset_min=offset)
    raw = text.strip()
    match = _AGO.match(raw)
    if match is not None:
        hours = parse_duration_h(match["d"].replace(" ", ""), field="at")
        if hours > (now - EARLIEST).total_seconds() / 3600:
            raise InputError(
                f"{raw!r} is before 1970; the journal records doses taken in a person's lifetime",
                field="at",
                accepted=ACCEPTED_TIMES,
            )
        return When(at=(now - timedelta(hours=hours)).replace(microsecond=0), offset_min=offset)
    try:
        parsed = datetime.fromisoformat(raw.replace(" ", "T", 1) if " " in raw else raw)
    except ValueError as exc:
        raise InputError(f"{raw!r} is not a time", field="at", accepted=ACCEPTED_TIMES) from exc
    note = None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_tz)
        parsed = parsed.astimezone(local_tz)  # resolves the offset for that date (DST)
        note = f"{raw} was read in the local time zone (UTC{_fmt_offset(_offset_min(parsed))})"
    at = parsed.astimezone(UTC).replace(microsecond=0)
    if at < EARLIEST:
        raise InputError(
            f"{raw!r} is before 1970; the journal records doses taken in a person's lifetime",
            field="at",
            accepted=ACCEPTED_TIMES,
        )
    if at - now > MAX_FUTURE:
        raise InputError(
            f"{raw!r} is in the future; the journal records what has been taken",
            field="at",
            accepted=ACCEPTED_TIMES,
        )
    return When(at=at, offset_min=_offset_min(parsed), note=note)


def _offset_min(value: datetime) -> int | None:
    offset = value.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def _fmt_offset(minutes: int | None) -> str:
    if minutes is None:
        return ""
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def local_time(at: datetime, offset_min: int | None) -> datetime:
    """``at`` shown in the offset it was given in (UTC when unknown)."""
    return at.astimezone(UTC if offset_min is None else _tz(offset_min))


def _tz(offset_min: int) -> tzinfo:
    from datetime import timezone

    return timezone(timedelta(minutes=offset_min))


# --------------------------------------------------------------------------------------------
# Views


class EntryView(BaseModel):
    """One journal entry, JSON-ready."""

    model_config = ConfigDict(frozen=True)

    id: int
    uid: str
    substance_id: str
    substance_name: str
    amount: float
    unit: str
    per_kg: bool
    amount_route_unit: float
    route_unit: str
    route: Route
    taken_at: datetime
    local_time: datetime
    note: str | None
    estimated: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    content_hash: str | None

    @property
    def dose_text(self) -> str:
        prefix = "~" if self.estimated else ""
        unit = "µg" if self.unit == "ug" else self.unit
        return f"{prefix}{self.amount:g} {unit}{'/kg' if self.per_kg else ''}"


class ProfileView(BaseModel):
    model_config = ConfigDict(frozen=True)

    weight_kg: float | None = None
    crcl_ml_min: float | None = None
    egfr: float | None = None
    kidney: str | None = None
    seizure_history: bool | None = None
    age_years: float | None = None
    pregnant: bool | None = None
    prescriptions: list[dict[str, Any]] = []


class PreparedEntry(BaseModel):
    """A validated entry, ready to assess and save."""

    model_config = ConfigDict(frozen=True)

    substance_id: str
    substance_name: str
    dose: Dose
    route: Route
    amount_route_unit: float
    route_unit: str
    when: When
    note: str | None
    estimated: bool


class AddPreview(BaseModel):
    """The assessment of an entry with what is still active, before it is saved."""

    model_config = ConfigDict(frozen=True)

    entry: PreparedEntry
    assessment: Assessment
    activity_after: Activity | None
    active_others: list[str]


class UndoResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    operation_id: int
    kind: str
    summary: str


# --------------------------------------------------------------------------------------------
# Continuous runs in SQL


class epoch_hours(FunctionElement[float]):  # noqa: N801 (SQL function name)
    """Hours since an epoch, for time differences in SQL on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(epoch_hours, "sqlite")
def _epoch_sqlite(element: epoch_hours, compiler: Any, **kw: Any) -> str:
    return f"(julianday({compiler.process(element.clauses, **kw)}) * 24.0)"


@compiles(epoch_hours, "postgresql")
def _epoch_pg(element: epoch_hours, compiler: Any, **kw: Any) -> str:
    return f"(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) / 3600.0)"


def run_starts_query(substance_ids: Iterable[str], now: datetime) -> Select[Any]:
    """First dose of each substance's latest continuous run (gaps ≤ 36 h), over all history."""
    hours = epoch_hours(Ingestion.taken_at)
    gap = (
        hours
        - func.lag(hours).over(partition_by=Ingestion.substance_id, order_by=Ingestion.taken_at)
    ).label("gap")
    inner = (
        select(Ingestion.substance_id, Ingestion.taken_at, gap)
        .where(
            Ingestion.deleted_at.is_(None),
            Ingestion.substance_id.in_(list(substance_ids)),
            Ingestion.taken_at <= now,
        )
        .subquery()
    )
    return (
        select(inner.c.substance_id, func.max(inner.c.taken_at))
        .where(or_(inner.c.gap.is_(None), inner.c.gap > CONTINUOUS_GAP_H))
        .group_by(inner.c.substance_id)
    )


# --------------------------------------------------------------------------------------------
# The service


def _record(row: Ingestion) -> DoseRecord:
    return DoseRecord(
        substance_id=row.substance_id,
        route=Route(row.route),
        amount=row.amount_route_unit,
        unit=DoseUnit(row.route_unit),
        taken_at=row.taken_at,
    )


class JournalService:
    """The journal's operations over one open :class:`~dosewise.journal.db.Journal`."""

    def __init__(
        self,
        journal: Journal,
        catalog: Catalog,
        *,
        clock: Callable[[], datetime] = utcnow,
        local_tz: tzinfo | None = None,
    ) -> None:
        self.journal = journal
        self.catalog = catalog
        self.clock = clock
        self.local_tz: tzinfo = local_tz or datetime.now().astimezone().tzinfo or UTC

    # ---- entries ------------------------------------------------------------------------

    def prepare(
        self,
        substance: str,
        dose: Dose,
        *,
        route: Route = Route.ORAL,
        when: When | None = None,
        note: str | None = None,
        estimated: bool = False,
        person: Person | None = None,
    ) -> PreparedEntry:
        """Validate an entry: known substance, a route with data, a dose in a usable unit."""
        found = self.catalog.resolve(substance)
        info = route_info(found, route)
        weight = (person or self.person()).weight_kg
        amount, _ = to_route_unit(dose, info, found, weight)
        if note is not None and len(note) > 2000:
            raise InputError(
                "The note is too long", field="note", accepted="up to 2,000 characters"
            )
        return PreparedEntry(
            substance_id=found.id,
            substance_name=found.name,
            dose=dose,
            route=route,
            amount_route_unit=amount,
            route_unit=info.dose_unit.value,
            when=when or When(at=self.clock().replace(microsecond=0), offset_min=None),
            note=note or None,
            estimated=estimated or dose.estimated,
        )

    def _records(
        self, session: Session, since: datetime, until: datetime | None = None
    ) -> list[DoseRecord]:
        query = select(Ingestion).where(Ingestion.deleted_at.is_(None), Ingestion.taken_at >= since)
        if until is not None:
            query = query.where(Ingestion.taken_at <= until)
        return [_record(r) for r in session.scalars(query.order_by(Ingestion.taken_at))]

    def preview(self, entry: PreparedEntry, now: datetime | None = None) -> AddPreview:
        """Assess ``entry`` with everything still active at its time (nothing is written).

        Earlier doses of the same substance and route in the 24 hours before it count towards
        the daily total; other substances count as taken with it while still active (PK model
        or reported durations). With a PK model, the assessment's fixed-window stacking is
        replaced by the time-aware equivalent amount (see :mod:`dosewise.journal.activity`).
        """
        now = now or self.clock()
        at = min(entry.when.at, now)
        person = self.person()
        substance = self.catalog.get(entry.substance_id)
        info = route_info(substance, entry.route)
        with self.journal.reading() as session:
            records = self._records(session, at - timedelta(hours=ACTIVITY_WINDOW_H), at)
        same = [r for r in records if r.substance_id == substance.id and r.route is entry.route]
        taken_today = [
            Intake(
                substance=substance.id,
                dose=Dose(value=r.amount, unit=r.unit.value),
                route=r.route,
                hours_ago=(at - r.taken_at).total_seconds() / 3600,
            )
            for r in same
            if at - r.taken_at < timedelta(hours=24)
        ]
        groups: dict[tuple[str, Route], list[DoseRecord]] = defaultdict(list)
        for r in records:
            if r.substance_id != substance.id:
                groups[(r.substance_id, r.route)].append(r)
        others: list[Intake] = []
        for (sid, route), group in sorted(groups.items()):
            other = self.catalog.get(sid)
            other_info = other.route(route)
            if other_info is None:
                continue
            act = activity(other, other_info, group, person, at)
            if act.active and all(o.substance != sid for o in others):
                others.append(Intake(substance=sid, hours_ago=act.hours_since_last, route=route))
        request = CheckRequest(
            substance=substance.id,
            dose=entry.dose,
            route=entry.route,
            taken_today=taken_today,
            with_=others,
            person=person,
        )
        assessment = assess(self.catalog, request)
        new = DoseRecord(
            substance.id, entry.route, entry.amount_route_unit, DoseUnit(entry.route_unit), at
        )
        act_after = activity(substance, info, [*same, new], person, at)
        if act_after.method == "pk_model":
            assessment = self._pk_stacking(assessment, substance.id, entry, act_after, person)
        return AddPreview(
            entry=entry,
            assessment=assessment,
            activity_after=act_after,
            active_others=[o.substance for o in others],
        )

    def _pk_stacking(
        self,
        assessment: Assessment,
        substance_id: str,
        entry: PreparedEntry,
        act: Activity,
        person: Person,
    ) -> Assessment:
        substance = self.catalog.get(substance_id)
        info = route_info(substance, entry.route)
        kidney = kidney_status(substance, person)
        factor = kidney.factor if kidney is not None else 1.0
        findings = [f for f in assessment.findings if f.code != "overdose_band_stacked"]
        single = overdose_band(substance, info, entry.amount_route_unit, factor)
        finding, band = equivalent_finding(substance, info, act, factor)
        if (
            finding is not None
            and band is not None
            and (single is None or band.from_amount > single.from_amount)
        ):
            findings.append(finding)
        findings.sort(key=lambda f: -f.severity.rank)
        severity = max_severity(f.severity for f in findings)
        emergency = None
        if severity >= Severity.DANGER:
            emergency = emergency_block(
                self.catalog, substance, info, severity, band or single, assessment.interactions
            )
        top = [f.title for f in findings if f.severity == severity]
        headline = (
            f"{HEADLINE_PREFIX[severity]}: " + "; ".join(dict.fromkeys(top[:3]))
            if severity > Severity.INFO and top
            else assessment.headline
        )
        cited = dict(assessment.sources)
        for sid in [s for f in findings for s in f.sources] + (
            emergency.sources if emergency else []
        ):
            if sid not in cited and sid in self.catalog.sources:
                cited[sid] = self.catalog.sources[sid].citation()
        return assessment.model_copy(
            update={
                "findings": findings,
                "severity": severity,
                "headline": headline,
                "emergency": emergency,
                "sources": cited,
            }
        )

    def add(self, entry: PreparedEntry) -> EntryView:
        """Save ``entry`` (one transaction, recorded for undo)."""
        now = self.clock()
        with self.journal.writing() as session:
            row = Ingestion(
                uid=str(uuid.uuid4()),
                substance_id=entry.substance_id,
                amount=entry.dose.value,
                unit=entry.dose.unit,
                per_kg=entry.dose.per_kg,
                amount_route_unit=entry.amount_route_unit,
                route_unit=entry.route_unit,
                route=entry.route.value,
                taken_at=entry.when.at,
                tz_offset_min=entry.when.offset_min,
                note=entry.note,
                estimated=entry.estimated,
                created_at=now,
                updated_at=now,
                deleted_at=None,
                content_hash=_hash(
                    entry.substance_id,
                    entry.route.value,
                    entry.amount_route_unit,
                    entry.route_unit,
                    entry.when.at,
                ),
            )
            session.add(row)
            session.flush()
            self.log_operation(session, "add", row, None, f"added {self._describe(row)}")
            return self._view(row)

    def get(self, entry_id: int) -> EntryView:
        with self.journal.reading() as session:
            return self._view(self._row(session, entry_id, include_deleted=True))

    def list_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        substance: str | None = None,
        include_deleted: bool = False,
        limit: int | None = 50,
    ) -> list[EntryView]:
        """Entries, newest first."""
        query = select(Ingestion)
        if not include_deleted:
            query = query.where(Ingestion.deleted_at.is_(None))
        if since is not None:
            query = query.where(Ingestion.taken_at >= since)
        if until is not None:
            query = query.where(Ingestion.taken_at <= until)
        if substance is not None:
            query = query.where(Ingestion.substance_id == self.catalog.resolve(substance).id)
        query = query.order_by(Ingestion.taken_at.desc(), Ingestion.id.desc())
        if limit is not None:
            if limit < 1:
                raise InputError("The limit must be at least 1", field="limit")
            query = query.limit(limit)
        with self.journal.reading() as session:
            return [self._view(r) for r in session.scalars(query)]

    def edit(
        self,
        entry_id: int,
        *,
        substance: str | None = None,
        dose: Dose | None = None,
        route: Route | None = None,
        when: When | None = None,
        note: str | None = None,
        estimated: bool | None = None,
    ) -> EntryView:
        """Change an entry (one transaction, recorded for undo). Unchanged fields stay."""
        if all(v is None for v in (substance, dose, route, when, note, estimated)):
            raise InputError(
                "Nothing to change was given",
                field="entry",
                accepted="--substance, --dose, --route, --at, --note or --estimated",
            )
        now = self.clock()
        with self.journal.writing() as session:
            row = self._row(session, entry_id)
            before = row_dict(row)
            prepared = self.prepare(
                substance or row.substance_id,
                dose or Dose(value=row.amount, unit=row.unit, per_kg=row.per_kg),
                route=route or Route(row.route),
                when=when or When(at=row.taken_at, offset_min=row.tz_offset_min),
                note=note if note is not None else row.note,
                estimated=estimated if estimated is not None else row.estimated,
            )
            row.substance_id = prepared.substance_id
            row.amount = prepared.dose.value
            row.unit = prepared.dose.unit
            row.per_kg = prepared.dose.per_kg
            row.amount_route_unit = prepared.amount_route_unit
            row.route_unit = prepared.route_unit
            row.route = prepared.route.value
            row.taken_at = prepared.when.at
            row.tz_offset_min = prepared.when.offset_min
            row.note = prepared.note
            row.estimated = prepared.estimated
            row.updated_at = now
            row.content_hash = _hash(
                row.substance_id, row.route, row.amount_route_unit, row.route_unit, row.taken_at
            )
            session.flush()
            self.log_operation(
                session, "edit", row, before, f"edited entry {row.id}: {self._describe(row)}"
            )
            return self._view(row)

    def delete(self, entry_id: int) -> EntryView:
        """Delete an entry (soft delete: ``undo`` brings it back)."""
        now = self.clock()
        with self.journal.writing() as session:
            row = self._row(session, entry_id)
            before = row_dict(row)
            row.deleted_at = now
            row.updated_at = now
            session.flush()
            self.log_operation(session, "delete", row, before, f"deleted {self._describe(row)}")
            return self._view(row)

    def undo(self) -> UndoResult:
        """Revert the most recent operation not yet undone (repeat to go further back)."""
        now = self.clock()
        with self.journal.writing() as session:
            op = session.scalars(
                select(Operation)
                .where(Operation.undone_at.is_(None))
                .order_by(Operation.id.desc())
                .limit(1)
            ).first()
            if op is None:
                raise InputError("There is nothing to undo", field="undo")
            self._revert(session, op)
            op.undone_at = now
            return UndoResult(operation_id=op.id, kind=op.kind, summary=op.summary)

    def _revert(self, session: Session, op: Operation) -> None:
        before = json.loads(op.before) if op.before else None
        if op.entity == "ingestion" and op.entity_id is not None:
            row = session.get(Ingestion, op.entity_id)
            if op.kind == "add":
                if row is not None:
                    session.delete(row)
            elif row is not None and before is not None:
                _restore(row, before)
        elif op.entity == "profile":
            profile = session.get(Profile, 1)
            if before is None:
                if profile is not None:
                    session.delete(profile)
            elif profile is not None:
                _restore(profile, before)
        elif op.entity == "prescription" and op.entity_id is not None:
            rx = session.get(Prescription, op.entity_id)
            if rx is not None:
                if op.kind == "add":
                    session.delete(rx)
                elif before is not None:
                    _restore(rx, before)
        elif op.entity == "import_batch" and op.entity_id is not None:
            session.execute(delete(Ingestion).where(Ingestion.import_batch_id == op.entity_id))
            session.execute(delete(ImportBatch).where(ImportBatch.id == op.entity_id))

    # ---- profile ------------------------------------------------------------------------

    def person(self) -> Person:
        """The profile as the assessment's :class:`Person` (unknown stays unknown)."""
        with self.journal.reading() as session:
            profile = session.get(Profile, 1)
        if profile is None:
            return Person()
        return _person(profile)

    def profile(self) -> ProfileView:
        with self.journal.reading() as session:
            profile = session.get(Profile, 1)
            prescriptions = session.scalars(
                select(Prescription)
                .where(Prescription.deleted_at.is_(None))
                .order_by(Prescription.id)
            ).all()
            rx = [
                {
                    "id": p.id,
                    "substance_id": p.substance_id,
                    "route": p.route,
                    "regimen": p.regimen,
                    "started_on": p.started_on.isoformat() if p.started_on else None,
                    "note": p.note,
                }
                for p in prescriptions
            ]
        if profile is None:
            return ProfileView(prescriptions=rx)
        values = {k: getattr(profile, k) for k in ProfileView.model_fields if k != "prescriptions"}
        return ProfileView(**values, prescriptions=rx)

    def set_profile(self, clear: Sequence[str] = (), **values: Any) -> ProfileView:
        """Set profile fields (``None`` leaves a field as it is; ``clear`` names fields to unset).

        Raises
        ------
        InputError
            A value out of range or two kidney measures at once (nothing is changed).
        """
        fields = [k for k in ProfileView.model_fields if k != "prescriptions"]
        unknown = [k for k in [*values, *clear] if k not in fields]
        if unknown:
            raise InputError(
                f"Unknown profile field(s): {', '.join(unknown)}",
                field="profile",
                accepted=", ".join(fields),
            )
        now = self.clock()
        with self.journal.writing() as session:
            profile = session.get(Profile, 1)
            before = row_dict(profile) if profile is not None else None
            if profile is None:
                profile = Profile(id=1, updated_at=now)
                session.add(profile)
            merged = {k: getattr(profile, k) for k in fields}
            kidney_keys = ("crcl_ml_min", "egfr", "kidney")
            if any(values.get(k) is not None for k in kidney_keys):
                for k in kidney_keys:
                    merged[k] = None  # a new kidney measure replaces the old one
            merged.update({k: v for k, v in values.items() if v is not None})
            for k in clear:
                merged[k] = None
            person = build_person(**{k: v for k, v in merged.items() if k in Person.model_fields})
            for k in fields:
                setattr(profile, k, merged[k])
            profile.kidney = person.kidney
            profile.updated_at = now
            session.flush()
            self.log_operation(session, "profile", profile, before, "changed the profile")
        return self.profile()

    def add_prescription(
        self,
        substance: str,
        regimen: str,
        *,
        route: Route = Route.ORAL,
        started_on: date | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Record a current prescription as a regimen (checked by the PK regimen parser)."""
        found = self.catalog.resolve(substance)
        route_info(found, route)
        description = validate_regimen(regimen, route)
        now = self.clock()
        with self.journal.writing() as session:
            rx = Prescription(
                uid=str(uuid.uuid4()),
                substance_id=found.id,
                route=route.value,
                regimen=regimen.strip(),
                started_on=started_on,
                note=note,
                created_at=now,
                updated_at=now,
                deleted_at=None,
            )
            session.add(rx)
            session.flush()
            self.log_operation(
                session, "add", rx, None, f"added prescription {found.name} {regimen}"
            )
            return {
                "id": rx.id,
                "substance_id": found.id,
                "regimen": rx.regimen,
                "description": description,
            }

    def remove_prescription(self, prescription_id: int) -> None:
        now = self.clock()
        with self.journal.writing() as session:
            rx = session.get(Prescription, prescription_id)
            if rx is None or rx.deleted_at is not None:
                raise InputError(
                    f"There is no prescription {prescription_id}", field="prescription"
                )
            before = row_dict(rx)
            rx.deleted_at = now
            self.log_operation(session, "delete", rx, before, f"removed prescription {rx.regimen}")

    # ---- status -------------------------------------------------------------------------

    def status(self, now: datetime | None = None) -> StatusReport:
        """What is active now, the 24-hour totals and the warnings that hold now."""
        now = now or self.clock()
        since = now - timedelta(days=STATUS_WINDOW_DAYS)
        with self.journal.reading() as session:
            records = self._records(session, since, now)
            ids = sorted({r.substance_id for r in records})
            runs: dict[str, datetime] = {}
            if ids:
                for sid, start in session.execute(run_starts_query(ids, now)):
                    runs[sid] = _aware(start)
        return build_status(self.catalog, records, self.person(), now, runs)

    # ---- helpers ------------------------------------------------------------------------

    def _row(self, session: Session, entry_id: int, *, include_deleted: bool = False) -> Ingestion:
        row = session.get(Ingestion, entry_id)
        if row is None or (row.deleted_at is not None and not include_deleted):
            raise NotFoundError(
                f"There is no entry {entry_id} in the journal",
                field="id",
                hint="`dosewise log list` shows the entries with their numbers",
            )
        return row

    def _describe(self, row: Ingestion) -> str:
        name = (
            self.catalog.substances[row.substance_id].name
            if (row.substance_id in self.catalog.substances)
            else row.substance_id
        )
        unit = "µg" if row.unit == "ug" else row.unit
        when = local_time(row.taken_at, row.tz_offset_min).isoformat(timespec="minutes")
        return f"{name} {row.amount:g} {unit} {row.route} at {when}"

    def _view(self, row: Ingestion) -> EntryView:
        substance = self.catalog.substances.get(row.substance_id)
        return EntryView(
            id=row.id,
            uid=row.uid,
            substance_id=row.substance_id,
            substance_name=substance.name if substance else row.substance_id,
            amount=row.amount,
            unit=row.unit,
            per_kg=row.per_kg,
            amount_route_unit=row.amount_route_unit,
            route_unit=row.route_unit,
            route=Route(row.route),
            taken_at=row.taken_at,
            local_time=local_time(row.taken_at, row.tz_offset_min),
            note=row.note,
            estimated=row.estimated,
            created_at=row.created_at,
            updated_at=row.updated_at,
            deleted_at=row.deleted_at,
            content_hash=row.content_hash,
        )

    def log_operation(
        self,
        session: Session,
        kind: str,
        row: Ingestion | Profile | Prescription | ImportBatch,
        before: dict[str, Any] | None,
        summary: str,
    ) -> None:
        entity = {
            Ingestion: "ingestion",
            Profile: "profile",
            Prescription: "prescription",
            ImportBatch: "import_batch",
        }[type(row)]
        session.add(
            Operation(
                kind=kind,
                entity=entity,
                entity_id=row.id,
                before=json.dumps(before) if before is not None else None,
                after=json.dumps(row_dict(row)),
                summary=summary[:300],
                created_at=self.clock(),
                undone_at=None,
            )
        )


def _hash(substance_id: str, route: str, amount: float, unit: str, at: datetime) -> str:
    return content_hash(substance_id, route, amount, unit, at)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _restore(row: Ingestion | Profile | Prescription, values: dict[str, Any]) -> None:
    """Put back the column values recorded in an operation (times parsed from ISO 8601)."""
    for column in row.__table__.columns:
        if column.key not in values or column.key == "id":
            continue
        value = values[column.key]
        if isinstance(value, str) and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        setattr(row, column.key, value)


def _person(profile: Profile) -> Person:
    return build_person(
        weight_kg=profile.weight_kg,
        crcl_ml_min=profile.crcl_ml_min,
        egfr=profile.egfr,
        kidney=profile.kidney,
        seizure_history=profile.seizure_history,
        age_years=profile.age_years,
        pregnant=profile.pregnant,
    )

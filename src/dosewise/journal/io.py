"""Export and import: JSON (complete, versioned) and CSV (entries, one per row).

* **Export JSON**: ``{"format": "dosewise-journal", "version": 1, ...}`` with every entry
  (deleted ones too, marked), the profile and the prescriptions.
* **Export CSV**: the entries not deleted, one per row, with a header (see :data:`CSV_COLUMNS`).
* **Import** merges, never wipes: rows already in the journal (same ``uid``, or the same dose by
  content: substance, route, amount in the route's unit, time to the second) are skipped, so the
  same file imported twice adds nothing. Every row is checked first; if any row is bad, the
  report lists each bad row with its problem and *nothing* is written. A good file is written in
  one transaction (an interrupted import leaves the journal as it was), recorded as an import
  batch that ``undo`` can remove.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from dosewise.assess.inputs import build_person
from dosewise.errors import DosewiseError, InputError
from dosewise.journal.db import HEAD_REVISION
from dosewise.journal.models import ImportBatch, Ingestion, Prescription, Profile, content_hash
from dosewise.journal.service import JournalService, When, _offset_min, local_time
from dosewise.units import Dose, parse_dose, parse_route

FORMAT_NAME = "dosewise-journal"
FORMAT_VERSION = 1
CSV_COLUMNS = [
    "uid",
    "substance",
    "amount",
    "unit",
    "route",
    "taken_at",
    "note",
    "estimated",
    "amount_route_unit",
    "route_unit",
]
REQUIRED_COLUMNS = ("substance", "amount", "unit", "taken_at")
MAX_REPORTED_ROWS = 200
Format = Literal["json", "csv"]


PROFILE_FIELDS = (
    "weight_kg",
    "crcl_ml_min",
    "egfr",
    "kidney",
    "seizure_history",
    "age_years",
    "pregnant",
)
"""The profile fields an export carries (validated with ``build_person`` on import)."""


class RowProblem(BaseModel):
    """One problem of an import file: ``row`` is the file's row (0 = the profile section)."""

    model_config = ConfigDict(frozen=True)

    row: int
    field: str | None
    message: str


class ImportRowsError(InputError):
    """A file with bad rows: each is listed; nothing was written."""

    code = "bad_import"

    def __init__(self, problems: list[RowProblem], rows: int) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED_ROWS]
        lines = "\n".join(
            f"  row {p.row}{f' ({p.field})' if p.field else ''}: {p.message}" for p in shown
        )
        more = (
            f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        )
        super().__init__(
            f"{len(problems)} of {rows} row(s) cannot be imported, so nothing was imported:\n"
            f"{lines}{more}",
            field="file",
            hint="Fix these rows and import the file again",
        )

    def __str__(self) -> str:
        return self.message + (f" {self.hint}." if self.hint else "")

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["rows"] = [p.model_dump() for p in self.problems]
        return out


class ImportReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str | None
    format: Format
    rows_in_file: int
    added: int
    skipped_duplicates: int
    skipped_deleted_in_file: int
    batch_id: int | None
    profile_fields_filled: list[str]
    prescriptions_added: int


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)

    uid: str | None
    substance_id: str
    dose: Dose
    route: str
    amount_route_unit: float
    route_unit: str
    when: When
    note: str | None
    estimated: bool
    deleted: bool
    hash: str


# --------------------------------------------------------------------------------------------
# Export


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_json(service: JournalService) -> dict[str, Any]:
    """The whole journal as one JSON-ready document (versioned)."""
    with service.journal.reading() as session:
        rows = session.scalars(select(Ingestion).order_by(Ingestion.taken_at, Ingestion.id)).all()
        entries = [
            {
                "uid": r.uid,
                "substance": r.substance_id,
                "amount": r.amount,
                "unit": r.unit,
                "per_kg": r.per_kg,
                "route": r.route,
                "taken_at": local_time(r.taken_at, r.tz_offset_min).isoformat(),
                "note": r.note,
                "estimated": r.estimated,
                "amount_route_unit": r.amount_route_unit,
                "route_unit": r.route_unit,
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
                "deleted_at": _iso(r.deleted_at),
                "content_hash": r.content_hash,
            }
            for r in rows
        ]
        prescriptions = [
            {
                "uid": p.uid,
                "substance": p.substance_id,
                "route": p.route,
                "regimen": p.regimen,
                "started_on": p.started_on.isoformat() if p.started_on else None,
                "note": p.note,
                "deleted_at": _iso(p.deleted_at),
            }
            for p in session.scalars(select(Prescription).order_by(Prescription.id))
        ]
    profile = service.profile().model_dump(exclude={"prescriptions"})
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "schema_revision": HEAD_REVISION,
        "exported_at": service.clock().isoformat(),
        "entries": entries,
        "profile": profile,
        "prescriptions": prescriptions,
    }


def export_csv(service: JournalService) -> str:
    """The entries not deleted, as CSV with a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in export_json(service)["entries"]:
        if entry["deleted_at"] is not None:
            continue
        writer.writerow(
            {
                **{k: entry[k] for k in CSV_COLUMNS if k != "estimated"},
                "note": entry["note"] or "",
                "estimated": "yes" if entry["estimated"] else "no",
            }
        )
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Import


def detect_format(path: Path, text: str) -> Format:
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return "json"
    return "csv"


def _raw_rows(text: str, fmt: Format) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of a file (as dicts) and, for JSON, the rest of the document."""
    if fmt == "json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"The file is not valid JSON (line {exc.lineno}: {exc.msg})",
                field="file",
                accepted="a dosewise JSON export or a CSV file",
            ) from exc
        if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
            raise InputError(
                "This JSON file is not a dosewise journal export",
                field="file",
                accepted=f'a JSON object with "format": "{FORMAT_NAME}"',
            )
        version = document.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
            raise InputError(
                f"Export version {version!r} is not supported",
                field="version",
                accepted=f"versions 1 to {FORMAT_VERSION} (update dosewise for newer files)",
            )
        entries = document.get("entries")
        if not isinstance(entries, list):
            raise InputError("The export has no list of entries", field="entries")
        return [e if isinstance(e, dict) else {"__bad__": e} for e in entries], document
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"The CSV file has no column(s) {', '.join(missing)}",
            field="header",
            accepted="a header row with at least: " + ", ".join(REQUIRED_COLUMNS),
        )
    return [dict(r) for r in reader], {}


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "no", "false", "0", "n"):
        return False
    if text in ("yes", "true", "1", "y"):
        return True
    raise InputError(f"{value!r} is not yes or no", field=field, accepted="yes/no, true/false")


def _parse_row(service: JournalService, raw: dict[str, Any]) -> _Row:
    if "__bad__" in raw:
        raise InputError("an entry must be an object", field="entry")
    substance = str(raw.get("substance") or "").strip()
    if not substance:
        raise InputError("no substance", field="substance")
    amount_text = f"{raw.get('amount', '')}".strip()
    unit_text = f"{raw.get('unit', '')}".strip()
    if _bool(raw.get("per_kg"), "per_kg") and not unit_text.endswith("/kg"):
        unit_text += "/kg"
    dose = parse_dose(f"{amount_text} {unit_text}".strip())
    route = parse_route(str(raw.get("route") or "oral"))
    taken = str(raw.get("taken_at") or "").strip()
    if not taken:
        raise InputError("no time", field="taken_at", accepted="ISO 8601 with an offset")
    try:
        at = datetime.fromisoformat(taken)
    except ValueError as exc:
        raise InputError(
            f"{taken!r} is not an ISO 8601 time",
            field="taken_at",
            accepted="e.g. 2026-11-24T08:00:00+01:00",
        ) from exc
    if at.tzinfo is None:
        raise InputError(
            f"{taken!r} has no UTC offset, so the instant is ambiguous",
            field="taken_at",
            accepted="a time with an offset, e.g. 2026-11-24T08:00:00+01:00 or ...Z",
        )
    when = When(at=at.astimezone(UTC).replace(microsecond=0), offset_min=_offset_min(at))
    if when.at > service.clock():
        raise InputError(f"{taken!r} is in the future", field="taken_at")
    note = raw.get("note")
    prepared = service.prepare(
        substance,
        dose,
        route=route,
        when=when,
        note=str(note) if note not in (None, "") else None,
        estimated=_bool(raw.get("estimated"), "estimated"),
    )
    uid = str(raw.get("uid") or "").strip() or None
    if uid is not None:
        try:
            uid = str(uuid.UUID(uid))
        except ValueError as exc:
            raise InputError(f"{uid!r} is not a UUID", field="uid") from exc
    return _Row(
        uid=uid,
        substance_id=prepared.substance_id,
        dose=prepared.dose,
        route=prepared.route.value,
        amount_route_unit=prepared.amount_route_unit,
        route_unit=prepared.route_unit,
        when=when,
        note=prepared.note,
        estimated=prepared.estimated,
        deleted=bool(raw.get("deleted_at")),
        hash=content_hash(
            prepared.substance_id,
            prepared.route.value,
            prepared.amount_route_unit,
            prepared.route_unit,
            when.at,
        ),
    )


def _existing(session: Any, column: Any, values: Iterable[str]) -> set[str]:
    found: set[str] = set()
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == 500:
            found |= set(session.scalars(select(column).where(column.in_(chunk))))
            chunk = []
    if chunk:
        found |= set(session.scalars(select(column).where(column.in_(chunk))))
    return found


def import_text(
    service: JournalService,
    text: str,
    *,
    fmt: Format,
    file_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``text`` (JSON export or CSV); see the module docstring for the rules.

    Raises
    ------
    ImportRowsError
        Bad rows (each listed); nothing was written.
    InputError
        A file that is not an export or a CSV with the required columns.
    """
    raw_rows, document = _raw_rows(text, fmt)
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    for number, raw in enumerate(raw_rows, start=1 if fmt == "json" else 2):
        try:
            rows.append(_parse_row(service, raw))
        except DosewiseError as error:
            problems.append(
                RowProblem(row=number, field=error.field, message=str(error).rstrip("."))
            )
    profile = document.get("profile") if document else None
    if isinstance(profile, dict):
        try:  # the same validation as `dosewise profile` (plausible weight, kidney values...)
            build_person(**{k: profile.get(k) for k in PROFILE_FIELDS})
        except DosewiseError as error:
            problems.append(
                RowProblem(row=0, field=f"profile.{error.field}", message=str(error).rstrip("."))
            )
    if problems:
        raise ImportRowsError(problems, len(raw_rows))

    now = service.clock()
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with service.journal.writing() as session:
        known_uids = _existing(session, Ingestion.uid, (r.uid for r in rows if r.uid))
        known_hashes = _existing(session, Ingestion.content_hash, (r.hash for r in rows))
        batch = ImportBatch(
            uid=str(uuid.uuid4()),
            file_name=file_name,
            file_sha256=sha,
            format=fmt,
            rows_in_file=len(rows),
            rows_added=0,
            rows_skipped=0,
            created_at=now,
        )
        session.add(batch)
        session.flush()
        added = duplicates = deleted = 0
        for index, row in enumerate(rows, start=1):
            if row.deleted:
                deleted += 1
            elif (row.uid and row.uid in known_uids) or row.hash in known_hashes:
                duplicates += 1
            else:
                session.add(
                    Ingestion(
                        uid=row.uid or str(uuid.uuid4()),
                        substance_id=row.substance_id,
                        amount=row.dose.value,
                        unit=row.dose.unit,
                        per_kg=row.dose.per_kg,
                        amount_route_unit=row.amount_route_unit,
                        route_unit=row.route_unit,
                        route=row.route,
                        taken_at=row.when.at,
                        tz_offset_min=row.when.offset_min,
                        note=row.note,
                        estimated=row.estimated,
                        created_at=now,
                        updated_at=now,
                        deleted_at=None,
                        content_hash=row.hash,
                        import_batch_id=batch.id,
                    )
                )
                known_hashes.add(row.hash)
                if row.uid:
                    known_uids.add(row.uid)
                added += 1
            if index % 1000 == 0:
                session.flush()
                if progress is not None:
                    progress(index, len(rows))
        batch.rows_added = added
        batch.rows_skipped = duplicates + deleted
        filled = _merge_profile(session, document.get("profile"), now) if document else []
        rx_added = _merge_prescriptions(session, document.get("prescriptions"), now, service)
        session.flush()
        service.log_operation(
            session,
            "import",
            batch,
            None,
            f"imported {added} entr{'y' if added == 1 else 'ies'} from {file_name or 'a file'}",
        )
        if progress is not None:
            progress(len(rows), len(rows))
        return ImportReport(
            file=file_name,
            format=fmt,
            rows_in_file=len(rows),
            added=added,
            skipped_duplicates=duplicates,
            skipped_deleted_in_file=deleted,
            batch_id=batch.id,
            profile_fields_filled=filled,
            prescriptions_added=rx_added,
        )


def _merge_profile(session: Any, values: Any, now: datetime) -> list[str]:
    """Fill profile fields that are unknown here from the file (never overwrite)."""
    if not isinstance(values, dict):
        return []
    incoming = {k: values.get(k) for k in PROFILE_FIELDS if values.get(k) is not None}
    if not incoming:
        return []
    profile = session.get(Profile, 1)
    if profile is None:
        profile = Profile(id=1, updated_at=now)
        session.add(profile)
    kidney_known = any(getattr(profile, k) is not None for k in ("crcl_ml_min", "egfr", "kidney"))
    filled = []
    for key, value in incoming.items():
        if key in ("crcl_ml_min", "egfr", "kidney") and kidney_known:
            continue
        if getattr(profile, key) is None:
            setattr(profile, key, value)
            filled.append(key)
            if key in ("crcl_ml_min", "egfr", "kidney"):
                kidney_known = True
    if filled:
        profile.updated_at = now
    return filled


def _merge_prescriptions(session: Any, values: Any, now: datetime, service: JournalService) -> int:
    if not isinstance(values, list):
        return 0
    known = set(session.scalars(select(Prescription.uid)))
    added = 0
    for item in values:
        if not isinstance(item, dict) or item.get("deleted_at") or item.get("uid") in known:
            continue
        substance = service.catalog.resolve(str(item.get("substance", "")))
        started = item.get("started_on")
        session.add(
            Prescription(
                uid=str(item.get("uid") or uuid.uuid4()),
                substance_id=substance.id,
                route=str(item.get("route") or "oral"),
                regimen=str(item.get("regimen") or ""),
                started_on=date.fromisoformat(started) if started else None,
                note=item.get("note"),
                created_at=now,
                updated_at=now,
                deleted_at=None,
            )
        )
        added += 1
    return added


def import_file(
    service: JournalService,
    path: Path,
    *,
    fmt: Format | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a JSON export or a CSV file (format from ``fmt``, the suffix or the content)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror}", field="file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text", field="file") from exc
    return import_text(
        service, text, fmt=fmt or detect_format(path, text), file_name=path.name, progress=progress
    )

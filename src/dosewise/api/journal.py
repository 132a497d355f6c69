"""``/api/v1/journal``: log what was taken (every entry is assessed), status now, history,
export and import, over :class:`dosewise.journal.service.JournalService`.

The journal database is opened once per application (the URL given to ``create_app``, else
``DOSEWISE_DATABASE_URL``, else the embedded SQLite file) and migrated to the current schema.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from dosewise.api.errors import ERROR_RESPONSES, file_responses
from dosewise.assess.models import Assessment
from dosewise.journal.db import Journal, open_journal
from dosewise.journal.io import ImportReport, export_csv, export_json, import_text
from dosewise.journal.service import (
    AddPreview,
    EntryView,
    JournalService,
    ProfileView,
    UndoResult,
    parse_when,
)
from dosewise.journal.status import StatusReport
from dosewise.knowledge.catalog import default_catalog
from dosewise.units import Dose, Route, parse_dose, parse_route

EntryId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="The entry's number, as the list shows it.")
]

router = APIRouter(prefix="/api/v1/journal", tags=["journal"], responses=ERROR_RESPONSES)
_lock = threading.Lock()

HISTORY_MAX_DAYS = 366


def open_service(app: FastAPI) -> JournalService:
    """The application's journal service (the database is opened on first use)."""
    with _lock:
        service: JournalService | None = getattr(app.state, "journal_service", None)
        if service is None:
            journal: Journal = open_journal(getattr(app.state, "database_url", None))
            service = JournalService(journal, default_catalog())
            app.state.journal_service = service
        return service


def close_service(app: FastAPI) -> None:
    with _lock:
        service: JournalService | None = getattr(app.state, "journal_service", None)
        if service is not None:
            service.journal.close()
            app.state.journal_service = None


def get_service(request: Request) -> JournalService:
    return open_service(request.app)


ServiceDep = Annotated[JournalService, Depends(get_service)]


class LogBody(BaseModel):
    """An ingestion to log. ``at``: "now" (default), "2h ago", "30 min ago" or ISO 8601."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"substance": "baclofen", "dose": "20mg", "route": "oral", "at": "now"}]
        },
    )

    substance: Annotated[str, Field(min_length=1, max_length=200)]
    dose: Annotated[str, Field(min_length=1, max_length=60)] | Dose
    route: Annotated[str, Field(max_length=40)] | Route = Route.ORAL
    at: Annotated[str, Field(max_length=60)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    estimated: bool = False


class LogResult(BaseModel):
    """The saved entry and the assessment it got (show ``assessment.emergency`` first)."""

    entry: EntryView
    assessment: Assessment
    active_others: list[str]


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    substance: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    dose: Annotated[str, Field(min_length=1, max_length=60)] | Dose | None = None
    route: Annotated[str, Field(max_length=40)] | Route | None = None
    at: Annotated[str, Field(max_length=60)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    estimated: bool | None = None


class ProfileBody(BaseModel):
    """Profile fields to set (others stay); ``clear`` lists fields to forget."""

    model_config = ConfigDict(extra="forbid")

    weight_kg: float | None = None
    crcl_ml_min: float | None = None
    egfr: float | None = None
    kidney: Literal["normal", "mild", "moderate", "severe", "dialysis"] | None = None
    seizure_history: bool | None = None
    age_years: float | None = None
    pregnant: bool | None = None
    clear: list[
        Literal[
            "weight_kg",
            "crcl_ml_min",
            "egfr",
            "kidney",
            "seizure_history",
            "age_years",
            "pregnant",
        ]
    ] = Field(default_factory=list)


class DayTotal(BaseModel):
    date: str = Field(description="Local date (the offset each dose was logged in).")
    total: float
    doses: int


class SubstanceHistory(BaseModel):
    substance_id: str
    substance_name: str
    route: Route
    unit: str
    days_of_use: int
    days: list[DayTotal]


class History(BaseModel):
    """Daily totals and days of use over the last ``days`` days."""

    since: datetime
    until: datetime
    days: int
    substances: list[SubstanceHistory]


def _dose(value: str | Dose) -> Dose:
    return parse_dose(value) if isinstance(value, str) else value


def log_entry(service: JournalService, body: LogBody) -> AddPreview:
    """Prepare and assess an entry (nothing saved); shared by the API and the page."""
    when = parse_when(body.at, service.clock(), service.local_tz)
    entry = service.prepare(
        body.substance,
        _dose(body.dose),
        route=parse_route(body.route),
        when=when,
        note=body.note,
        estimated=body.estimated,
    )
    return service.preview(entry)


def history(service: JournalService, days: int, now: datetime | None = None) -> History:
    """Per-day totals of each substance and route (in the route's unit) and days of use."""
    now = now or service.clock()
    since = now - timedelta(days=days)
    entries = service.list_entries(since=since, until=now, limit=None)
    grouped: dict[tuple[str, Route], dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    names: dict[str, str] = {}
    units: dict[tuple[str, Route], str] = {}
    for e in entries:
        key = (e.substance_id, e.route)
        grouped[key][e.local_time.date().isoformat()].append(e.amount_route_unit)
        names[e.substance_id] = e.substance_name
        units[key] = "µg" if e.route_unit == "ug" else e.route_unit
    out = []
    for (sid, route), by_day in sorted(grouped.items()):
        day_list = [
            DayTotal(date=d, total=round(sum(v), 6), doses=len(v))
            for d, v in sorted(by_day.items())
        ]
        out.append(
            SubstanceHistory(
                substance_id=sid,
                substance_name=names[sid],
                route=route,
                unit=units[(sid, route)],
                days_of_use=len(day_list),
                days=day_list,
            )
        )
    return History(since=since, until=now, days=days, substances=out)


@router.get("/entries")
def list_entries(
    service: ServiceDep,
    substance: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[EntryView]:
    """Entries, newest first."""
    return service.list_entries(substance=substance, limit=limit)


@router.post("/entries")
def add_entry(body: LogBody, service: ServiceDep) -> LogResult:
    """Log an ingestion. It is assessed with everything still active, then saved."""
    preview = log_entry(service, body)
    saved = service.add(preview.entry)
    return LogResult(
        entry=saved, assessment=preview.assessment, active_others=preview.active_others
    )


@router.post("/preview")
def preview_entry(body: LogBody, service: ServiceDep) -> AddPreview:
    """Assess an ingestion as if logged now, without saving it."""
    return log_entry(service, body)


@router.get("/entries/{entry_id}")
def get_entry(entry_id: EntryId, service: ServiceDep) -> EntryView:
    return service.get(entry_id)


@router.patch("/entries/{entry_id}")
def edit_entry(entry_id: EntryId, body: EditBody, service: ServiceDep) -> EntryView:
    """Change an entry; fields not given stay as they are (recorded for undo)."""
    when = parse_when(body.at, service.clock(), service.local_tz) if body.at else None
    return service.edit(
        entry_id,
        substance=body.substance,
        dose=_dose(body.dose) if body.dose is not None else None,
        route=parse_route(body.route) if body.route is not None else None,
        when=when,
        note=body.note,
        estimated=body.estimated,
    )


@router.delete("/entries/{entry_id}")
def delete_entry(entry_id: EntryId, service: ServiceDep) -> EntryView:
    """Delete an entry (undo brings it back)."""
    return service.delete(entry_id)


@router.post("/undo")
def undo(service: ServiceDep) -> UndoResult:
    """Revert the most recent change not yet undone."""
    return service.undo()


@router.get("/status")
def status(service: ServiceDep) -> StatusReport:
    """What is active now, 24-hour totals, warnings (and the emergency block when needed)."""
    return service.status()


@router.get("/history")
def get_history(
    service: ServiceDep, days: Annotated[int, Query(ge=1, le=HISTORY_MAX_DAYS)] = 30
) -> History:
    """Daily totals and days of use over the last ``days`` days."""
    return history(service, days)


@router.get("/profile")
def get_profile(service: ServiceDep) -> ProfileView:
    return service.profile()


@router.put("/profile")
def set_profile(body: ProfileBody, service: ServiceDep) -> ProfileView:
    """Set what is known about the person (used by every assessment of the journal)."""
    values = body.model_dump(exclude={"clear"}, exclude_none=True)
    return service.set_profile(clear=body.clear, **values)


@router.get(
    "/export",
    response_class=Response,
    responses=file_responses("application/json", "text/csv"),
)
def export(service: ServiceDep, format: Literal["json", "csv"] = "json") -> Response:
    """The whole journal (JSON, versioned) or its entries (CSV), as a download."""
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    if format == "csv":
        return Response(
            export_csv(service),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="journal-{stamp}.csv"'},
        )
    import json

    return Response(
        json.dumps(export_json(service), ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="journal-{stamp}.json"'},
    )


@router.post("/import")
def import_entries(
    service: ServiceDep,
    text: Annotated[str, Body(media_type="text/plain", max_length=20_000_000)],
    format: Literal["json", "csv"] = "json",
) -> ImportReport:
    """Merge an export into the journal: duplicates are skipped, nothing is ever wiped, and a
    file with any bad row is refused whole (422 listing each row)."""
    return import_text(service, text, fmt=format, file_name=None)

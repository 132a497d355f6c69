"""The journal page: log an ingestion in seconds (recent entries as one-tap buttons, each still
assessed), status now, recent entries with delete and undo, history charts (daily totals and
days of use), export and import. Plain forms; JavaScript only draws the charts."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from dosewise.api import errors
from dosewise.api.journal import LogBody, history, log_entry, open_service
from dosewise.errors import DosewiseError, InputError
from dosewise.journal.io import import_text
from dosewise.journal.service import EntryView, JournalService
from dosewise.units import Route
from dosewise.web import html
from dosewise.web.pages import page, validation_message

router = APIRouter(include_in_schema=False)
HISTORY_DAYS = 30
SUGGESTIONS = 4


def suggestions(entries: list[EntryView]) -> list[EntryView]:
    """The most recent distinct (substance, dose, route) entries, for one-tap logging."""
    seen: set[tuple[str, float, str, str]] = set()
    out = []
    for e in entries:
        key = (e.substance_id, e.amount, e.unit, e.route.value)
        if key not in seen:
            seen.add(key)
            out.append(e)
        if len(out) == SUGGESTIONS:
            break
    return out


def _context(service: JournalService, form: dict[str, str] | None = None) -> dict[str, Any]:
    entries = service.list_entries(limit=50)
    report = service.status()
    hist = history(service, HISTORY_DAYS)
    chart = Markup(json.dumps(hist.model_dump(mode="json")).replace("</", "<\\/"))
    return {
        "active": "journal",
        "entries": entries[:15],
        "suggestions": suggestions(entries),
        "report": report,
        "history": hist,
        "history_json": chart,
        "routes": [r.value for r in Route],
        "names": sorted(
            (s.name for s in service.catalog.substances.values() if s.kind == "substance"),
            key=str.casefold,
        ),
        "form": form or {},
        "status_cite": html.Citer(report.sources),
    }


@router.get("/journal", response_class=HTMLResponse)
def journal_page(request: Request) -> Response:
    service = open_service(request.app)
    context = _context(service)
    message = request.query_params.get("done", "")[:200]
    return page(request, "journal.html", message=message, **context)


@router.post("/journal", response_class=HTMLResponse)
async def journal_log(request: Request) -> Response:
    service = open_service(request.app)
    raw = await request.form()
    form = {k: v.strip() for k, v in raw.items() if isinstance(v, str)}
    try:
        try:
            body = LogBody.model_validate(
                {
                    "substance": form.get("substance", ""),
                    "dose": form.get("dose", ""),
                    "route": form.get("route", "") or "oral",
                    "at": form.get("at") or None,
                    "note": form.get("note") or None,
                }
            )
        except ValidationError as exc:
            raise validation_message(exc) from None
        preview = log_entry(service, body)
        saved = service.add(preview.entry)
    except DosewiseError as error:
        return page(
            request,
            "journal.html",
            status_code=errors.status_for(error),
            error=error.to_dict(),
            **_context(service, form),
        )
    result = preview.assessment
    return page(
        request,
        "journal.html",
        saved=saved,
        result=result,
        cite=html.Citer(result.sources),
        **_context(service),
    )


@router.post("/journal/{entry_id}/delete")
def journal_delete(request: Request, entry_id: int) -> Response:
    service = open_service(request.app)
    entry = service.delete(entry_id)
    done = f"Deleted {entry.substance_name} {entry.dose_text}. Undo brings it back."
    return RedirectResponse(f"/journal?done={done}", status_code=303)


@router.post("/journal/undo")
def journal_undo(request: Request) -> Response:
    service = open_service(request.app)
    try:
        result = service.undo()
        done = f"Undone: {result.summary}."
    except InputError as error:
        done = str(error)
    return RedirectResponse(f"/journal?done={done}", status_code=303)


@router.post("/journal/import", response_class=HTMLResponse)
async def journal_import(request: Request) -> Response:
    service = open_service(request.app)
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return RedirectResponse("/journal?done=Choose a file to import.", status_code=303)
    data = await upload.read(20_000_001)
    name = upload.filename or "import"
    try:
        if len(data) > 20_000_000:
            raise InputError("The file is too large", field="file", accepted="up to 20 MB")
        text = data.decode("utf-8-sig")
        is_json = name.lower().endswith(".json") or text.lstrip().startswith("{")
        report = import_text(service, text, fmt="json" if is_json else "csv", file_name=name)
    except UnicodeDecodeError:
        error = InputError("The file is not UTF-8 text", field="file").to_dict()
        return page(
            request,
            "journal.html",
            status_code=422,
            error=error,
            error_title="Nothing was imported",
            **_context(service),
        )
    except DosewiseError as exc:
        return page(
            request,
            "journal.html",
            status_code=errors.status_for(exc),
            error=exc.to_dict(),
            error_title="Nothing was imported",
            **_context(service),
        )
    done = (
        f"Imported {report.added} entr{'y' if report.added == 1 else 'ies'} from {name}; "
        f"{report.skipped_duplicates} already in the journal were skipped."
    )
    return RedirectResponse(f"/journal?done={done}", status_code=303)

"""The timeline page: predicted concentration (median and bands) with the reference
concentrations and the felt-effect phases, for a planned regimen or for the journal's doses.

The page calls :func:`dosewise.pk.api.simulate_request` once and renders its result: a text
summary and a data table (readable without JavaScript and by screen readers), and a chart drawn
by the vendored uPlot from the same numbers embedded as JSON.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from dosewise.api import errors
from dosewise.api.v1 import bounded_simulation
from dosewise.assess.inputs import parse_weight_kg
from dosewise.errors import DosewiseError, InputError
from dosewise.knowledge.catalog import default_catalog
from dosewise.pk.api import SimulationRequest, simulate_request
from dosewise.pk.results import SimulationResult
from dosewise.units import format_hours
from dosewise.web import html
from dosewise.web.pages import number_field, page, validation_message

router = APIRouter(include_in_schema=False)

WEB_SUBJECTS = 2_000
TABLE_ROWS = 25


def chart_data(result: SimulationResult) -> dict[str, Any]:
    """The numbers the chart draws (all from the result model), for ``timeline.js``."""
    series = result.series
    effect = result.effect

    def phase(name: str) -> dict[str, float] | None:
        value = getattr(effect, name) if effect is not None else None
        return None if value is None else value.model_dump()

    return {
        "times_h": series.times_h,
        "bands": series.conc_mg_per_l,
        "references": [
            {"label": r.label, "kind": r.kind, "value": r.threshold_mg_per_l}
            for r in result.references
        ],
        "phases": {name: phase(name) for name in ("onset", "peak", "offset")},
        "doses": [e["time_h"] for e in result.dose_events],
        "unit": "mg/L",
    }


def table_rows(result: SimulationResult) -> list[dict[str, Any]]:
    """About 25 rows of the bands, evenly spaced, for the data table."""
    times = result.series.times_h
    stride = max(1, math.ceil(len(times) / TABLE_ROWS))
    bands = result.series.conc_mg_per_l
    rows = []
    for i in range(0, len(times), stride):
        rows.append(
            {
                "t": format_hours(times[i]) if times[i] > 0 else "0 min",
                "p5": bands.get("p5", [None] * len(times))[i],
                "p50": bands.get("p50", [None] * len(times))[i],
                "p95": bands.get("p95", [None] * len(times))[i],
            }
        )
    return rows


def request_from_query(params: dict[str, str]) -> SimulationRequest:
    weight = params.get("weight", "").strip()
    try:
        return SimulationRequest(
            substance=params.get("substance", "baclofen").strip() or "baclofen",
            regimen=params.get("regimen", "").strip(),
            crcl_ml_min=number_field(
                params.get("crcl", ""), "crcl", "creatinine clearance in mL/min, e.g. 45"
            ),
            weight_kg=parse_weight_kg(weight) if weight else None,
            dialysis=params.get("dialysis", "") in ("1", "yes", "on", "true"),
            population=params.get("population", "").strip() or None,
            subjects=WEB_SUBJECTS,
        )
    except ValidationError as exc:
        raise validation_message(exc) from None


def render_result(
    request: Request,
    result: SimulationResult,
    context: dict[str, Any],
    status: int = 200,
    now_h: float | None = None,
) -> Response:
    catalog = default_catalog()
    ids = [sid for r in result.references for sid in r.sources]
    ids += [sid for w in result.warnings for sid in w.sources]
    ids += list(result.parameter_set.sources)
    ids += list(result.effect.sources) if result.effect else []
    citations = {sid: catalog.sources[sid].citation() for sid in ids if sid in catalog.sources}
    numbers = chart_data(result) | {"now_h": now_h}
    data = Markup(json.dumps(numbers).replace("</", "<\\/"))
    return page(
        request,
        "timeline.html",
        status_code=status,
        result=result,
        chart_json=data,
        rows=table_rows(result),
        cite=html.Citer(citations),
        fmt_h=format_hours,
        **context,
    )


JOURNAL_DAYS = 14
JOURNAL_AFTER_H = 24.0


def journal_request(request: Request, name: str) -> tuple[SimulationRequest, float, str]:
    """The journal's doses of one substance over the last 14 days as dose events.

    Returns the request, the time of "now" in hours after the first dose, and a title.
    """
    from dosewise.api.journal import open_service
    from dosewise.pk.api import DoseEventInput

    service = open_service(request.app)
    substance = service.catalog.resolve(name)
    now = service.clock()
    entries = service.list_entries(
        substance=substance.id, since=now - timedelta(days=JOURNAL_DAYS), until=now, limit=None
    )
    if not entries:
        raise InputError(
            f"No {substance.name} in the journal in the last {JOURNAL_DAYS} days",
            field="journal",
            hint="log a dose on the journal page first",
        )
    route = entries[0].route
    doses = sorted((e for e in entries if e.route is route), key=lambda e: e.taken_at)
    first = doses[0].taken_at
    events = [
        DoseEventInput(
            t_h=(e.taken_at - first).total_seconds() / 3600,
            amount=e.amount_route_unit,
            unit=e.route_unit,
            route=e.route.value,
        )
        for e in doses
    ]
    now_h = (now - first).total_seconds() / 3600
    person = service.person()
    sim = SimulationRequest(
        substance=substance.id,
        events=events,
        crcl_ml_min=person.crcl_ml_min if person.crcl_ml_min is not None else person.egfr,
        dialysis=person.kidney == "dialysis",
        weight_kg=person.weight_kg,
        subjects=WEB_SUBJECTS,
        horizon_h=max(now_h, events[-1].t_h) + JOURNAL_AFTER_H,
    )
    title = f"Timeline of your journal: {substance.name} ({route.value}), last {JOURNAL_DAYS} days"
    return sim, now_h, title


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request) -> Response:
    params = {k: v[:200] for k, v in request.query_params.items()}
    context: dict[str, Any] = {"active": "timeline", "form": params}
    if params.get("journal"):
        context.update(active="journal", journal_mode=True)
        try:
            sim, now_h, title = journal_request(request, params["journal"])
            result = simulate_request(default_catalog(), sim)
        except DosewiseError as error:
            return page(
                request,
                "timeline.html",
                status_code=errors.status_for(error),
                error=error.to_dict(),
                **context,
            )
        return render_result(request, result, context | {"source_label": title}, now_h=now_h)
    if not params.get("regimen"):
        context["form"] = {"substance": params.get("substance", "baclofen"), "regimen": ""}
        return page(request, "timeline.html", **context)
    try:
        result = simulate_request(default_catalog(), bounded_simulation(request_from_query(params)))
    except DosewiseError as error:
        return page(
            request,
            "timeline.html",
            status_code=errors.status_for(error),
            error=error.to_dict(),
            **context,
        )
    return render_result(request, result, context)

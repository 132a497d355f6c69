"""The taper planner page, with CSV and calendar downloads (plain links: no JavaScript)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from dosewise.api import errors
from dosewise.api.models import TaperBody
from dosewise.api.v1 import taper_calendar, today
from dosewise.errors import DosewiseError
from dosewise.knowledge.catalog import default_catalog
from dosewise.plan.export import plan_to_csv
from dosewise.plan.taper import describe_doses, plan_taper
from dosewise.web import html
from dosewise.web.pages import page, validation_message

router = APIRouter(include_in_schema=False)
FIELDS = ("substance", "regimen", "route", "since", "start", "dose_times")


def body_from_query(params: dict[str, str]) -> TaperBody:
    values: dict[str, Any] = {k: params[k].strip() for k in FIELDS if params.get(k, "").strip()}
    seizures = params.get("seizure_history", "")
    if seizures in ("yes", "no"):
        values["person"] = {"seizure_history": seizures == "yes"}
    try:
        return TaperBody.model_validate(values)
    except ValidationError as exc:
        raise validation_message(exc) from None


def _params(request: Request) -> dict[str, str]:
    return {k: v[:200] for k, v in request.query_params.items()}


@router.get("/taper", response_class=HTMLResponse)
def taper_page(request: Request) -> Response:
    params = _params(request)
    context: dict[str, Any] = {"active": "taper", "form": params, "yes_no": html_yes_no()}
    if not params.get("regimen"):
        return page(request, "taper.html", **context)
    try:
        plan = plan_taper(default_catalog(), body_from_query(params).to_request(today()))
    except DosewiseError as error:
        return page(
            request,
            "taper.html",
            status_code=errors.status_for(error),
            error=error.to_dict(),
            **context,
        )
    query = urlencode({k: v for k, v in params.items() if k in FIELDS or k == "seizure_history"})
    return page(
        request,
        "taper.html",
        plan=plan,
        cite=html.Citer(plan.sources),
        describe=describe_doses,
        query=query,
        **context,
    )


@router.get("/taper/plan.csv")
def taper_csv(request: Request) -> Response:
    body = body_from_query(_params(request))
    text = plan_to_csv(plan_taper(default_catalog(), body.to_request(today())))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="taper-plan.csv"'},
    )


@router.get("/taper/plan.ics")
def taper_ics(request: Request) -> Response:
    body = body_from_query(_params(request))
    return Response(
        taper_calendar(body, default_catalog(), today()),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="taper-plan.ics"'},
    )


def html_yes_no() -> list[tuple[str, str]]:
    return [("", "Not said"), ("yes", "Yes"), ("no", "No")]

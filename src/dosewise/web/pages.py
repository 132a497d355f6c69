"""Server-rendered pages: the quick dose check, substances, seed claims, combinations, emergency.

Pages are thin like the API: they parse a form or query into the same request models, call one
engine function, and render its result model. Every page works without JavaScript (plain links and
form posts); ``static/app.js`` only adds conveniences (source tooltips on tap).

Features whose engines are optional (timeline, journal, taper) register themselves through
:data:`NAV` and their own routers in :func:`install`, so the layout needs no change when they
appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from dosewise import DISCLAIMER, __version__
from dosewise.api import errors
from dosewise.api.models import CheckBody
from dosewise.assess.engine import assess, combo
from dosewise.assess.inputs import build_person, parse_weight_kg
from dosewise.cli import render
from dosewise.errors import DosewiseError, InputError, UnknownSubstanceError
from dosewise.knowledge.catalog import Catalog, default_catalog
from dosewise.units import Route
from dosewise.web import html

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(
    severity_badge=html.severity_badge,
    category_badge=html.category_badge,
    claim_badge=html.claim_badge,
    value_html=html.value_html,
    humanize=html.humanize,
    num=html.num,
    disclaimer=DISCLAIMER,
    version=__version__,
)


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    key: str


NAV: list[NavItem] = [
    NavItem("/", "Check a dose", "check"),
    NavItem("/substances", "Substances", "substances"),
    NavItem("/combo", "Combinations", "combo"),
    NavItem("/claims", "Seed claims", "claims"),
]

router = APIRouter(include_in_schema=False)

KIDNEY_CHOICES = [
    ("", "Not known"),
    ("normal", "Normal"),
    ("mild", "Mildly reduced"),
    ("moderate", "Moderately reduced"),
    ("severe", "Severely reduced"),
    ("dialysis", "On dialysis"),
]
YES_NO = [("", "Not said"), ("yes", "Yes"), ("no", "No")]
_LIST_SPLIT = re.compile(r"[;\n]+|,\s+")


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Render ``template`` inside the layout, with the navigation and the page's citations."""
    context.setdefault("active", "")
    return templates.TemplateResponse(
        request, template, {"nav": NAV, **context}, status_code=status_code
    )


def split_list(text: str | None) -> list[str]:
    """``"alcohol 2 drinks, diazepam 10mg"`` → two items (``1,4-butanediol`` stays whole)."""
    return [item.strip() for item in _LIST_SPLIT.split(text or "") if item.strip()]


def number_field(text: str, field: str, label: str) -> float | None:
    """A plain number typed in a form field (comma or point); empty means not given."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise InputError(f"{text!r} is not a number", field=field, accepted=label) from None


def _yes_no(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text.strip().lower())


def validation_message(exc: ValidationError) -> InputError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "form"
    return InputError(f"{field}: {first['msg'].removeprefix('Value error, ')}", field=field)


def check_body_from_form(form: dict[str, str]) -> CheckBody:
    """The home page's form fields → the API's check body (the same parsing as the API)."""
    kidney = form.get("kidney", "").strip().lower() or None
    if kidney is not None and kidney not in {k for k, _ in KIDNEY_CHOICES}:
        raise InputError(f"{kidney!r} is not a kidney function category", field="kidney")
    crcl = number_field(form.get("crcl", ""), "crcl", "creatinine clearance in mL/min, e.g. 45")
    weight = form.get("weight", "").strip()
    person = build_person(
        kidney=None if crcl is not None else kidney,
        crcl_ml_min=crcl,
        age_years=number_field(form.get("age", ""), "age", "age in years, e.g. 70"),
        weight_kg=parse_weight_kg(weight) if weight else None,
        seizure_history=_yes_no(form.get("seizure_history", "")),
        pregnant=_yes_no(form.get("pregnant", "")),
    )
    try:
        return CheckBody.model_validate(
            {
                "substance": form.get("substance", "").strip(),
                "dose": form.get("dose", "").strip(),
                "route": form.get("route", "oral").strip() or "oral",
                "taken_today": split_list(form.get("taken_today")),
                "with": split_list(form.get("with")),
                "person": person,
            }
        )
    except ValidationError as exc:
        raise validation_message(exc) from None


def _home_context(catalog: Catalog) -> dict[str, Any]:
    names = sorted(
        (s.name for s in catalog.substances.values() if s.kind == "substance"), key=str.casefold
    )
    return {
        "active": "check",
        "names": names,
        "routes": [r.value for r in Route],
        "kidney_choices": KIDNEY_CHOICES,
        "yes_no": YES_NO,
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    catalog = default_catalog()
    form = {"substance": request.query_params.get("substance", "")[:200]}
    return page(request, "home.html", form=form, **_home_context(catalog))


@router.post("/", response_class=HTMLResponse)
async def home_check(request: Request) -> Response:
    catalog = default_catalog()
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    context = _home_context(catalog)
    try:
        result = assess(catalog, check_body_from_form(form).to_request())
    except DosewiseError as error:
        return page(
            request,
            "home.html",
            status_code=errors.status_for(error),
            form=form,
            error=error.to_dict(),
            **context,
        )
    cite = html.Citer(result.sources)
    return page(request, "home.html", form=form, result=result, cite=cite, **context)


@router.get("/substances", response_class=HTMLResponse)
def substances(request: Request, q: str = "") -> Response:
    catalog = default_catalog()
    query = q.strip()[:200]
    if query:
        hits = catalog.search(query)
        entries = [h.substance for h in hits]
    else:
        entries = sorted(catalog.substances.values(), key=lambda s: s.name.casefold())
    return page(
        request, "substances.html", active="substances", entries=entries, q=query, searched=bool(q)
    )


@router.get("/substances/{name}", response_class=HTMLResponse)
def substance_page(request: Request, name: str) -> Response:
    catalog = default_catalog()
    try:
        entry = catalog.resolve(name[:200])
    except UnknownSubstanceError as error:
        return page(request, "not_found.html", status_code=404, error=error.to_dict())
    data = render.monograph_json(catalog, entry, None)
    citations = {sid: s["citation"] for sid, s in data["sources"].items()}
    cite = html.Citer(citations)
    sections = [
        (key, html.humanize(key).replace("-", " "), [f for f in fields if data.get(f)])
        for key, fields in render.SECTIONS.items()
        if key not in ("sources", "claims", "interactions")
    ]
    sections = [s for s in sections if s[2]]
    return page(
        request,
        "substance.html",
        active="substances",
        s=entry,
        data=data,
        sections=sections,
        cite=cite,
    )


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, status: str = "") -> Response:
    catalog = default_catalog()
    wanted = status.strip().lower() or None
    if wanted not in (None, "supported", "corrected", "contradicted", "unclear"):
        wanted = None
    data = render.claims_json(catalog, wanted)
    cite = html.Citer({sid: s["citation"] for sid, s in data["sources"].items()})
    return page(request, "claims.html", active="claims", data=data, status=wanted, cite=cite)


@router.get("/combo", response_class=HTMLResponse)
def combo_page(request: Request, substances: str = "") -> Response:
    catalog = default_catalog()
    names = split_list(substances.replace(",", ", "))[:30]
    context: dict[str, Any] = {"active": "combo", "text": substances, "names": names}
    context["all_names"] = sorted((s.name for s in catalog.substances.values()), key=str.casefold)
    if not names:
        return page(request, "combo.html", **context)
    try:
        result = combo(catalog, names)
    except DosewiseError as error:
        return page(
            request,
            "combo.html",
            status_code=errors.status_for(error),
            error=error.to_dict(),
            **context,
        )
    ids = [s["id"] for s in result.substances]
    cells = {(p.a, p.b): p for p in result.pairs} | {(p.b, p.a): p for p in result.pairs}
    pairs = sorted(result.pairs, key=lambda p: (-p.severity.rank, -p.category.risk_rank))
    return page(
        request,
        "combo.html",
        result=result,
        ids=ids,
        cells=cells,
        pairs=pairs,
        cite=html.Citer(result.sources),
        **context,
    )


@router.get("/emergency", response_class=HTMLResponse)
def emergency_page(request: Request) -> Response:
    catalog = default_catalog()
    guidance = catalog.emergency
    citations = {sid: catalog.sources[sid].citation() for sid in catalog.sources}
    return page(
        request, "emergency.html", active="emergency", g=guidance, cite=html.Citer(citations)
    )


def error_page(request: Request, status: int, body: dict[str, Any]) -> Response:
    return page(request, "not_found.html", status_code=status, error=body)


def install(app: FastAPI) -> None:
    """Mount the static files and the pages (and the optional features whose engines exist)."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    _install_optional(app)
    errors.set_page_renderer(app, error_page)


def _add_nav(item: NavItem, after: str) -> None:
    if any(existing.key == item.key for existing in NAV):
        return
    keys = [existing.key for existing in NAV]
    NAV.insert(keys.index(after) + 1 if after in keys else len(NAV), item)


def _install_optional(app: FastAPI) -> None:
    """Pages over the PK engine, the journal and the taper planner, when those engines exist."""
    from dosewise.web import timeline

    app.include_router(timeline.router)
    _add_nav(NavItem("/timeline", "Timeline", "timeline"), after="combo")

    from dosewise.web import taper

    app.include_router(taper.router)
    _add_nav(NavItem("/taper", "Taper planner", "taper"), after="timeline")

    from dosewise.web import journal

    app.include_router(journal.router)
    _add_nav(NavItem("/journal", "Journal", "journal"), after="check")

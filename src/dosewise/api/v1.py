"""``/api/v1``: thin endpoints over the knowledge base and the assessment engine.

Each endpoint parses its input into the engine's request model, calls one engine function and
returns the engine's result model (the same JSON as ``dosewise ... --format json``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from dosewise import __version__
from dosewise.api.errors import ERROR_RESPONSES, file_responses
from dosewise.api.models import (
    CheckBody,
    ClaimsResponse,
    ClaimStatusParam,
    ComboBody,
    Health,
    Monograph,
    SearchResponse,
    SourcesResponse,
    SubstanceList,
    SubstanceSummary,
    TaperBody,
)
from dosewise.assess.engine import assess, combo
from dosewise.assess.models import Assessment, ComboResult
from dosewise.cli import render
from dosewise.errors import InputError
from dosewise.knowledge.catalog import Catalog, default_catalog
from dosewise.knowledge.schema import EmergencyGuidance
from dosewise.pk.api import SimulationRequest, simulate_request
from dosewise.pk.results import SimulationResult
from dosewise.plan.export import parse_dose_times, plan_to_csv, plan_to_ics
from dosewise.plan.taper import TaperPlan, plan_taper

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

CatalogDep = Annotated[Catalog, Depends(default_catalog)]
NamePath = Annotated[
    str, Path(min_length=1, max_length=200, description="A name, brand, alias or id.")
]


@router.get("/health", tags=["meta"])
def health() -> Health:
    """A trivial answer: the server is up (used as the baseline of the benchmark)."""
    return Health(version=__version__)


@router.get("/substances", tags=["knowledge"])
def list_substances(catalog: CatalogDep) -> SubstanceList:
    """Every entry of the knowledge base (substances and classes), by name."""
    items = sorted(catalog.substances.values(), key=lambda s: s.name.casefold())
    return SubstanceList(
        count=len(items),
        substances=[
            SubstanceSummary(
                id=s.id, name=s.name, kind=s.kind, summary=s.summary, classes=list(s.classes)
            )
            for s in items
        ],
    )


@router.get("/substances/{name}", tags=["knowledge"], response_model=Monograph)
def substance(
    name: NamePath,
    catalog: CatalogDep,
    section: Annotated[
        str | None,
        Query(
            max_length=40,
            description="One section only: " + ", ".join(render.SECTIONS) + " (aliases accepted).",
        ),
    ] = None,
) -> Any:
    """A substance's monograph by name, brand, alias or known misspelling, with its sources."""
    entry = catalog.resolve(name)
    key = render.resolve_section(section) if section else None
    return render.monograph_json(catalog, entry, key)


@router.get("/substances/{name}/sources", tags=["knowledge"])
def substance_sources(name: NamePath, catalog: CatalogDep) -> SourcesResponse:
    """The citations behind an entry, each with how its figures were checked."""
    return SourcesResponse.model_validate(render.sources_json(catalog, catalog.resolve(name)))


@router.get("/search", tags=["knowledge"])
def search(
    catalog: CatalogDep,
    q: Annotated[
        str, Query(min_length=1, max_length=200, description="Name, alias, brand, class, effect.")
    ],
) -> SearchResponse:
    """Find entries by name, alias, brand, class or effect (best first, at most 20)."""
    return SearchResponse.model_validate(render.search_json(q, catalog.search(q)))


@router.get("/claims", tags=["knowledge"])
def claims(catalog: CatalogDep, status: ClaimStatusParam | None = None) -> ClaimsResponse:
    """The seed article's claims, each with its status, correction, evidence and sources."""
    return ClaimsResponse.model_validate(render.claims_json(catalog, status))


@router.get("/emergency", tags=["safety"])
def emergency(catalog: CatalogDep) -> EmergencyGuidance:
    """What to do in a suspected overdose: when to call, first aid, what to tell responders."""
    if catalog.emergency is None:  # pragma: no cover - the built-in data always has it
        raise RuntimeError("the knowledge base has no emergency guidance")
    return catalog.emergency


@router.post("/check", tags=["assess"])
def check(body: CheckBody, catalog: CatalogDep) -> Assessment:
    """Is this dose light, common, strong or dangerous, for this person, today?

    The answer is the engine's ``Assessment``; when its severity reaches danger it carries an
    ``emergency`` block, which clients must show first.
    """
    return assess(catalog, body.to_request())


@router.post("/combo", tags=["assess"])
def combination(body: ComboBody, catalog: CatalogDep) -> ComboResult:
    """Rate every pair of two or more substances or classes (no data is shown as Unknown)."""
    return combo(catalog, body.substances)


# --------------------------------------------------------------------------------------------
# Pharmacokinetic simulation

API_MAX_SUBJECTS = 10_000
API_MAX_POINTS = 5_000


def bounded_simulation(request: SimulationRequest) -> SimulationRequest:
    """Refuse, with an explanation, simulations too large for a shared web server.

    The engine has its own, larger limits (a million subjects) for local use.
    """
    if request.subjects > API_MAX_SUBJECTS:
        raise InputError(
            f"{request.subjects:,} virtual subjects are too many for the web server",
            field="subjects",
            accepted=f"1 to {API_MAX_SUBJECTS:,} per request",
        )
    if request.step_h is not None and request.horizon_h is not None and request.step_h > 0:
        points = request.horizon_h / request.step_h + 1
        if points > API_MAX_POINTS:
            raise InputError(
                f"{points:,.0f} output times are too many for the web server",
                field="step_h",
                accepted=f"at most {API_MAX_POINTS:,} output times: a longer step or a shorter "
                "window (leave step_h out for an automatic grid)",
            )
    return request


@router.post("/simulate", tags=["pk"])
def simulate(body: SimulationRequest, catalog: CatalogDep) -> SimulationResult:
    """Predicted concentrations in a virtual population: percentile bands over time, the chance
    of exceeding each reference concentration, and the felt-effect phases.

    Bounded: at most 10,000 subjects and 5,000 output times per request (422 with an explanation
    beyond that), within the engine's own limits on the window (400 days) and grid.
    """
    return simulate_request(catalog, bounded_simulation(body))


# --------------------------------------------------------------------------------------------
# Taper plans


def today() -> date:
    """The server's local date (the engines have no clock; the interface passes it)."""
    return datetime.now().astimezone().date()


TodayDep = Annotated[date, Depends(today)]


def _plan(body: TaperBody, catalog: Catalog, day: date) -> TaperPlan:
    return plan_taper(catalog, body.to_request(day))


@router.post("/taper", tags=["plan"])
def taper(body: TaperBody, catalog: CatalogDep, day: TodayDep) -> TaperPlan:
    """A dated taper plan from the current regimen, with the sourced rules behind each step.

    Intrathecal therapy gets no schedule (``self_taper`` false): it is never self-tapered, and
    the plan explains the danger of an abrupt stop and what to do.
    """
    return _plan(body, catalog, day)


@router.post(
    "/taper/csv",
    tags=["plan"],
    response_class=Response,
    responses=file_responses("text/csv"),
)
def taper_csv(body: TaperBody, catalog: CatalogDep, day: TodayDep) -> Response:
    """The plan's steps as CSV (one row per step)."""
    text = plan_to_csv(_plan(body, catalog, day))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="taper-plan.csv"'},
    )


@router.post(
    "/taper/ics",
    tags=["plan"],
    response_class=Response,
    responses=file_responses("text/calendar"),
)
def taper_ics(body: TaperBody, catalog: CatalogDep, day: TodayDep) -> Response:
    """The plan as an iCalendar file: one event per step, or per intake with ``dose_times``."""
    return Response(
        taper_calendar(body, catalog, day),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="taper-plan.ics"'},
    )


def taper_calendar(body: TaperBody, catalog: Catalog, day: date) -> bytes:
    plan = _plan(body, catalog, day)
    times = None
    if body.dose_times and plan.current is not None:
        times = parse_dose_times(body.dose_times, plan.current.intakes_per_day)
    return plan_to_ics(plan, dose_times=times)

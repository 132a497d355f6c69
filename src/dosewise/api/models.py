"""Request and response bodies of the HTTP API that are not already engine models.

The dose check takes :class:`CheckBody`: the engine's :class:`~dosewise.assess.models.CheckRequest`
with each amount, route and intake accepted either structured or as the text a person types
(``"60mg"``, ``"po"``, ``"40mg 3h ago"``, ``"alcohol 3 drinks 2h ago"``). The text is parsed by the
same functions as the CLI, so both give the same answer and the same error messages.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from dosewise.assess.inputs import parse_earlier_dose, parse_intake
from dosewise.assess.models import CheckRequest, Intake, Person
from dosewise.cli.render import SECTIONS
from dosewise.knowledge.schema import (
    EmergencyGuidance,
    SeedClaim,
    SourceKind,
    Substance,
    Transcription,
    Verification,
)
from dosewise.plan.taper import (
    TaperPerson,
    TaperRequest,
    parse_current_regimen,
    parse_plan_date,
    parse_since,
)
from dosewise.units import Dose, Route, parse_dose, parse_route

Name = Annotated[str, Field(min_length=1, max_length=200, description="A name, brand or alias.")]
IntakeText = Annotated[str, Field(min_length=1, max_length=200)]

MAX_ITEMS = 30


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: a code, a message written for a person, and what would be accepted."""

    error: str = Field(description="bad_input, unit_error, unknown_substance, not_found, ...")
    message: str
    field: str | None = None
    accepted: str | None = None
    hint: str | None = None
    suggestions: list[str] | None = Field(
        None, description="For unknown substances: close names, best first."
    )


class CheckBody(BaseModel):
    """A dose check: one dose, what else was taken, and the person.

    Each of ``dose``, ``route``, ``taken_today[]`` and ``with[]`` is either structured (as in the
    engine's ``CheckRequest``) or text as people type it. ``person`` is always structured; every
    field in it is optional, and anything not given is listed in the answer's ``unknowns``.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "substance": "baclofen",
                    "dose": "60mg",
                    "route": "oral",
                    "taken_today": ["40mg 3h ago"],
                    "with": ["alcohol 2 drinks"],
                    "person": {"kidney": "moderate", "age_years": 70},
                },
                {
                    "substance": "baclofen",
                    "dose": {"value": 20, "unit": "mg"},
                    "with": [{"substance": "pregabalin", "dose": {"value": 150, "unit": "mg"}}],
                },
            ]
        },
    )

    substance: Name
    dose: Annotated[str, Field(min_length=1, max_length=60)] | Dose = Field(
        description="'20mg', '0.02 g', '75mcg', '~20mg', '2 drinks', or {value, unit}."
    )
    route: Annotated[str, Field(max_length=40)] | Route = Field(
        Route.ORAL,
        description="A route or a common abbreviation: oral, po, sublingual, iv, im, sc, it, ...",
    )
    taken_today: list[IntakeText | Intake] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Earlier doses of the same substance in the last 24 h: '40mg', '40mg 3h ago'.",
    )
    with_: list[IntakeText | Intake] = Field(
        default_factory=list,
        alias="with",
        max_length=MAX_ITEMS,
        description="Other substances: 'alcohol', 'diazepam 10mg', 'alcohol 3 drinks 2h ago'.",
    )
    person: Person = Field(default_factory=Person)

    def to_request(self) -> CheckRequest:
        """Parse the text forms into the engine's request model (raises ``InputError``)."""
        substance = self.substance.strip()
        return CheckRequest(
            substance=substance,
            dose=parse_dose(self.dose) if isinstance(self.dose, str) else self.dose,
            route=parse_route(self.route),
            taken_today=[
                parse_earlier_dose(item, substance, field=f"taken_today[{i}]")
                if isinstance(item, str)
                else item
                for i, item in enumerate(self.taken_today)
            ],
            with_=[
                parse_intake(item, field=f"with[{i}]") if isinstance(item, str) else item
                for i, item in enumerate(self.with_)
            ],
            person=self.person,
        )


class ComboBody(BaseModel):
    """Two or more substances or classes to rate pair by pair."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"substances": ["baclofen", "alcohol", "pregabalin"]}]},
    )

    substances: list[Name] = Field(min_length=2, max_length=MAX_ITEMS)


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class SubstanceSummary(BaseModel):
    id: str
    name: str
    kind: Literal["substance", "class"]
    summary: str
    classes: list[str]


class SubstanceList(BaseModel):
    count: int
    substances: list[SubstanceSummary]


class SourceOut(BaseModel):
    """A source (as in the data files) with its one-line citation."""

    id: str
    kind: SourceKind
    title: str
    authors: str | None = None
    year: int | None = None
    container: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    url: str | None = None
    isbn: str | None = None
    verified: Verification = Field(
        "unverified",
        description="primary: checked against the source's own text; secondary: through a "
        "summary citing it; unverified: not yet checked.",
    )
    note: str | None = None
    citation: str = Field(description="One line: authors, year. Title. Container. Locator.")


class SourcesResponse(BaseModel):
    substance: str
    count: int
    sources: list[SourceOut]


class SearchResult(BaseModel):
    id: str
    name: str
    kind: Literal["substance", "class"]
    matched_on: str
    field: str = Field(description="Where the text matched: name, brand, alias, class, effect...")
    score: float
    summary: str


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]


ClaimStatusParam = Literal["supported", "corrected", "contradicted", "unclear"]


class ClaimsResponse(BaseModel):
    substance: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    claims: list[SeedClaim]
    transcriptions: list[Transcription] = Field(default_factory=list)
    sources: dict[str, SourceOut]


class InteractionOut(BaseModel):
    """A rule naming the substance (or one of its classes), seen from the substance's side."""

    model_config = ConfigDict(extra="allow")

    with_: str = Field(alias="with", description="The other party: a substance id or class:<id>.")
    with_name: str
    category_label: str
    severity: str


def _monograph_model() -> type[BaseModel]:
    fields: dict[str, Any] = {
        "id": (str, ...),
        "name": (str, ...),
        "sources": (dict[str, SourceOut], ...),
        "emergency": (EmergencyGuidance | None, None),
        "interactions": (list[InteractionOut] | None, None),
        "claims": (list[SeedClaim] | None, None),
    }
    for names in SECTIONS.values():
        for name in names:
            if name not in fields:
                annotation: Any = Substance.model_fields[name].annotation
                fields[name] = (annotation | None, None)
    return create_model(
        "Monograph",
        __doc__="A substance's monograph (all sections, or the one asked for): the entry's "
        "fields, interactions, seed claims, and every source cited, keyed by id.",
        **fields,
    )


Monograph = _monograph_model()


class TaperBody(BaseModel):
    """A taper plan request, in the words people use.

    ``regimen`` is what is taken now ("20mg tid", "10mg q12h"; a route word such as "intrathecal"
    is read from it), ``since`` when regular use began ("2025-03", "18 months"; leave it out and
    the plan assumes long use), ``start`` the first day of the plan ("today", "2026-12-01").
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"substance": "baclofen", "regimen": "20mg tid", "since": "18 months"},
                {"substance": "baclofen", "regimen": "300 mcg/day", "route": "intrathecal"},
            ]
        },
    )

    substance: Name = "baclofen"
    regimen: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    route: Annotated[str, Field(max_length=40)] | Route = Route.ORAL
    since: Annotated[str, Field(max_length=40)] | None = None
    start: Annotated[str, Field(max_length=40)] = "today"
    person: TaperPerson = Field(default_factory=TaperPerson)
    dose_times: Annotated[str, Field(max_length=200)] | None = Field(
        None,
        description="For the calendar only: one time of day per intake, '08:00,14:00,20:00'. "
        "Without it each step is one all-day event.",
    )

    def to_request(self, today: date) -> TaperRequest:
        """Parse the text forms into the engine's request (raises ``InputError``)."""
        route = parse_route(self.route)
        regimen = None
        if self.regimen is not None:
            route, regimen = parse_current_regimen(self.regimen, route=route)
        since, months = parse_since(self.since, today=today) if self.since else (None, None)
        return TaperRequest(
            substance=self.substance,
            route=route,
            regimen=regimen,
            since=since,
            months_of_use=months,
            start=parse_plan_date(self.start, today=today, field="start"),
            today=today,
            person=self.person,
        )

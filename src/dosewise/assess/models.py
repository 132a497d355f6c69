"""Request and result models of the assessment engine (JSON-ready, shared by every interface)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dosewise.severity import InteractionCategory, Severity
from dosewise.units import Dose, Route

KidneyCategory = Literal["normal", "mild", "moderate", "severe", "dialysis"]


class Result(BaseModel):
    """Base of result models: immutable, JSON-serialisable."""

    model_config = ConfigDict(frozen=True)


# --------------------------------------------------------------------------------------------
# Requests


class Person(BaseModel):
    """What is known about the person. Every field is optional: unknown is not normal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight_kg: Annotated[float, Field(gt=0, le=400, allow_inf_nan=False)] | None = None
    crcl_ml_min: Annotated[float, Field(ge=0, le=250, allow_inf_nan=False)] | None = None
    egfr: Annotated[float, Field(ge=0, le=250, allow_inf_nan=False)] | None = None
    kidney: KidneyCategory | None = Field(
        None, description="A category when no number is known; 'dialysis' for any dialysis."
    )
    seizure_history: bool | None = None
    age_years: Annotated[float, Field(ge=0, le=125, allow_inf_nan=False)] | None = None
    pregnant: bool | None = None

    @model_validator(mode="after")
    def _one_kidney_measure(self) -> Person:
        given = [
            name
            for name, value in (
                ("crcl_ml_min", self.crcl_ml_min),
                ("egfr", self.egfr),
                ("kidney", self.kidney),
            )
            if value is not None
        ]
        if len(given) > 1:
            raise ValueError(
                "give one measure of kidney function (creatinine clearance, eGFR or a category), "
                f"not {' and '.join(given)}"
            )
        return self


class Intake(BaseModel):
    """Something taken (or about to be taken): substance, optional amount, route and time.

    ``hours_ago`` is relative to the assessment's "now"; ``None`` means the time is unknown.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    substance: str
    dose: Dose | None = None
    route: Route | None = None
    hours_ago: Annotated[float, Field(ge=0, le=24 * 365, allow_inf_nan=False)] | None = None


class CheckRequest(BaseModel):
    """One dose to assess, what else was taken, and the person."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    substance: str
    dose: Dose
    route: Route = Route.ORAL
    taken_today: list[Intake] = Field(
        default_factory=list, description="Earlier doses of the same substance (last 24 h)."
    )
    with_: list[Intake] = Field(default_factory=list, alias="with")
    person: Person = Field(default_factory=Person)


# --------------------------------------------------------------------------------------------
# Results


class Finding(Result):
    """One thing the assessment found: how serious, what it means, the figures and sources."""

    severity: Severity
    code: str
    title: str = Field(description="A few words for headlines and lists.")
    message: str
    advice: str | None = None
    figures: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)


TierName = Literal[
    "below_threshold", "threshold", "light", "common", "strong", "heavy", "above_strong"
]

TIER_ORDER: tuple[TierName, ...] = (
    "below_threshold",
    "threshold",
    "light",
    "common",
    "strong",
    "heavy",
    "above_strong",
)


class SourceTier(Result):
    """Where the dose falls on one source's tier scale."""

    tier: TierName
    range_text: str
    sources: list[str]
    note: str | None = None


class TierAssessment(Result):
    dose_in_route_unit: float
    unit: str
    per_source: list[SourceTier]
    verdict: TierName | None = Field(
        None, description="The most cautious (highest) tier across sources; None without data."
    )


class DailyTotal(Result):
    window_h: float = 24
    total: float
    unit: str
    doses_counted: int
    usual_daily: list[dict[str, Any]] = Field(default_factory=list)
    label_max_daily: float | None = None
    supervised_max_daily: float | None = None
    kidney_adjusted_max_daily: float | None = None
    status: Literal[
        "no_reference", "within_usual", "above_usual", "above_label_max", "above_supervised_max"
    ]


class InteractionResult(Result):
    a: str
    b: str
    a_name: str
    b_name: str
    category: InteractionCategory
    category_label: str
    severity: Severity
    matched: tuple[str, str] | None = Field(
        None, description="The rule's two parties (e.g. baclofen, class:opioid)."
    )
    specificity: Literal["substance", "substance-class", "class", "none"]
    mechanism: str | None = None
    effects: str | None = None
    advice: str
    sources: list[str] = Field(default_factory=list)
    other_ratings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Less specific or less risky ratings that also match (kept for transparency).",
    )


class EmergencyBlock(Result):
    """Shown first whenever the verdict reaches danger."""

    level: Literal["call_now", "be_ready"]
    headline: str
    call: str
    steps: list[str]
    tell_responders: list[str]
    do_not: list[str]
    watch_for: list[str]
    expected_duration: str | None = None
    sources: list[str]


class Unknown(Result):
    """A detail not given that would change the answer, and how."""

    field: str
    why: str


class Assessment(Result):
    """The answer to: is this dose, with these substances, dangerous for this person?"""

    severity: Severity
    headline: str
    substance: str
    substance_name: str
    dose: Dose
    route: Route
    emergency: EmergencyBlock | None = None
    findings: list[Finding]
    tiers: TierAssessment | None = None
    daily_total: DailyTotal | None = None
    interactions: list[InteractionResult] = Field(default_factory=list)
    unknowns: list[Unknown] = Field(default_factory=list)
    sources: dict[str, str] = Field(
        default_factory=dict, description="Citation of every source id used above."
    )
    disclaimer: str


class ComboResult(Result):
    """Every pair among a set of substances."""

    severity: Severity
    substances: list[dict[str, str]]
    pairs: list[InteractionResult]
    findings: list[Finding] = Field(default_factory=list)
    sources: dict[str, str] = Field(default_factory=dict)
    disclaimer: str

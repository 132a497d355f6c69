"""Taper plans: "how do I stop safely?", as a dated schedule built only from sourced figures.

The engine is pure: no I/O and no clock (the caller passes ``today``). It contains no substance
name. Every figure it uses is read from the knowledge base, with the sources of the block that
states it:

- the minimum taper duration ("reduce slowly, over at least 1-2 weeks"), from a sentence of the
  route's notes, its route-specific withdrawal warning or the withdrawal management;
- the high-dose step ("reduce by 10-15 mg every 2 days"), from the withdrawal management;
- the withdrawal onset window (``withdrawal.onset_h``) and the duration of use after which
  withdrawal is a real risk (``withdrawal.risk_after_days``);
- the label maximum and maximum single dose (the route's unsupervised ``medical`` blocks);
- the tablet strengths (the route's brands whose ``forms`` are tablets).

The two free-text figures are recognised by strict patterns (``_DURATION_RE``, ``_STEP_RE``). A
substance whose data holds no sentence of that form has no taper data and is refused with its own
advice quoted. A structured ``[withdrawal.taper]`` table in the schema would replace the patterns.

How the figures become steps (``docs/taper.md`` has the full text):

- **high dose** (daily total above the label maximum): the sourced high-dose step, at its cautious
  (lower) end, every sourced interval, down to the label maximum;
- **usual dose, shorter use**: the reduction is spread over at least the upper end of the sourced
  minimum duration, each step held at least until the onset window of withdrawal signs has passed;
- **usual dose, long use** (more than ``risk_after_days``): slower, with the smallest reduction the
  tablets allow at each step, each held for the onset window. The sources say "slower" without a
  figure; this is the slowest schedule the sourced figures define, and the plan says so.
- doses are whole multiples of the smallest tablet strength; a reduction never exceeds the step;
- intrathecal: never a self-taper. No schedule, the danger of an abrupt stop, and what to do.

References
----------
Duration: label-ozobax, pms-baclofen, baclofentreatment-cessation (UK CSM). High-dose step and
follow-up: ansm-2017. Onset window and risk after 60 days: the withdrawal block's sources.
"""

from __future__ import annotations

import calendar
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dosewise import DISCLAIMER
from dosewise.errors import InputError
from dosewise.knowledge.catalog import Catalog
from dosewise.knowledge.schema import RouteInfo, RouteWarning, Substance, Withdrawal
from dosewise.severity import Severity
from dosewise.units import DoseUnit, Route

DAYS_PER_MONTH = 365.25 / 12
MAX_INTAKES_PER_DAY = 24
MAX_MONTHS_OF_USE = 1200
MAX_START_DAYS = 366
# A regimen far above anything in the data is a typing or unit error, not something to taper
# from. The factor is a design choice (as in the assessment), not a clinical figure.
IMPLAUSIBLE_FACTOR = 10.0

STARTING_POINT = (
    "This plan is a starting point to discuss with your prescriber or another doctor, not an "
    "instruction to stop. Please agree every step with them before you begin, and tell them if "
    "anything feels wrong on the way."
)


class Result(BaseModel):
    """Base of the plan's models: immutable, JSON-serialisable."""

    model_config = ConfigDict(frozen=True)


# --------------------------------------------------------------------------------------------
# Requests


class CurrentRegimen(Result):
    """What is taken now: the same amount at each intake, a whole number of intakes a day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dose_per_intake_mg: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    intakes_per_day: Annotated[int, Field(ge=1, le=MAX_INTAKES_PER_DAY)]
    description: str = ""

    @property
    def daily_total_mg(self) -> float:
        return self.dose_per_intake_mg * self.intakes_per_day


class TaperPerson(Result):
    """Facts about the person that change the warnings (unknown is not normal)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seizure_history: bool | None = None
    pregnant: bool | None = None


class TaperRequest(Result):
    """Everything the engine needs. ``today`` is passed in: the engine has no clock.

    Give at most one of ``since`` (the date use began) and ``months_of_use``; with neither, the
    plan assumes long use (the cautious reading) and says so.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    substance: str = "baclofen"
    route: Route = Route.ORAL
    regimen: CurrentRegimen | None = None
    since: date | None = None
    months_of_use: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    start: date
    today: date
    person: TaperPerson = TaperPerson()

    @model_validator(mode="after")
    def _one_duration(self) -> TaperRequest:
        if self.since is not None and self.months_of_use is not None:
            raise InputError(
                "Give either the date use began or the months of use, not both",
                field="since",
                accepted="a date (2025-03, 2025-03-15) or a duration (18 months)",
            )
        return self


# --------------------------------------------------------------------------------------------
# Results


class RuleCode(StrEnum):
    HIGH_DOSE = "high_dose"
    USUAL = "usual"
    LONG_USE = "long_use"
    STOP = "stop"


class Figure(Result):
    """A sourced figure the plan uses, as the data states it."""

    name: str
    value: str
    quote: str | None = Field(None, description="The sentence of the data that states it.")
    sources: list[str]


class TaperRule(Result):
    """How step size and interval were chosen for part of the plan."""

    code: RuleCode
    title: str
    applies_when: str
    step_mg: float = Field(description="Largest reduction of the daily total at one step.")
    interval_days: int = Field(description="Shortest time each step is held.")
    min_total_days: int | None = None
    explanation: str
    design_choices: list[str] = Field(
        default_factory=list, description="What no source gives and dosewise chose (and why)."
    )
    sources: list[str]


class TaperStep(Result):
    """One dated step. ``kind = "stop"`` is the first days without the medicine."""

    number: int
    kind: Literal["reduce", "stop"]
    start: date
    end: date = Field(description="Last day of the step (inclusive).")
    days: int
    intake_doses_mg: list[float] = Field(
        description="One amount per intake of the current regimen, in the order of the day; "
        "0 means that intake is no longer taken."
    )
    times_per_day: int
    dose_per_intake_mg: float | None = Field(
        description="The amount at each intake when all intakes are equal."
    )
    daily_total_mg: float
    reduction_mg: float = Field(description="Reduction of the daily total from the step before.")
    rule: RuleCode
    watch_for: str


class Advice(Result):
    text: str
    who: Literal["anyone", "clinician"] = "anyone"
    sources: list[str]


class EmergencyAdvice(Result):
    signs: list[str]
    what_to_do: list[str]
    sources: list[str]


class RouteDanger(Result):
    """Why a route is never a self-taper (intrathecal), from the data's route warning."""

    route: Route
    severity: Severity
    summary: str
    signs: list[str]
    what_to_do: list[str]
    who_reduces: str
    sources: list[str]


class TaperWarning(Result):
    severity: Severity
    code: str
    message: str
    sources: list[str] = Field(default_factory=list)


class TaperPlan(Result):
    """A taper plan: dated steps with the rules, figures and sources that chose them."""

    substance: str
    substance_name: str
    route: Route
    self_taper: bool = Field(description="False: no schedule is given (intrathecal).")
    headline: str
    starting_point: str = STARTING_POINT
    current: CurrentRegimen | None = None
    daily_total_mg: float | None = None
    days_of_use: int | None = None
    long_use: bool | None = None
    high_dose: bool | None = None
    start: date | None = None
    stop: date | None = Field(None, description="First day without the medicine.")
    total_days: int | None = Field(None, description="Days from the first reduction to stop.")
    figures: list[Figure] = Field(default_factory=list)
    rules: list[TaperRule] = Field(default_factory=list)
    steps: list[TaperStep] = Field(default_factory=list)
    hold_rules: list[Advice] = Field(default_factory=list)
    emergency: EmergencyAdvice | None = None
    route_danger: RouteDanger | None = None
    warnings: list[TaperWarning] = Field(default_factory=list)
    sources: dict[str, str] = Field(
        default_factory=dict, description="Citation of every source id used above."
    )
    disclaimer: str = DISCLAIMER


# --------------------------------------------------------------------------------------------
# Reading the figures from the data

# "Taper over 1-2 weeks", "reduce slowly, over at least 1-2 weeks": a reduction and a span of
# weeks in the same clause (no "." or ";" between them, so "before tapering; make the switch over
# 1-2 weeks" is not read as a taper duration).
_DURATION_RE = re.compile(
    r"\b(?:taper|reduce)\w*\b[^.;]*?\bover\s+(?:at\s+least\s+)?"
    r"(?P<lo>\d+)\s*[-–]\s*(?P<hi>\d+)\s+weeks\b",
    re.IGNORECASE,
)
# "reduce by 10-15 mg every 2 days"
_STEP_RE = re.compile(
    r"\breduce\s+by\s+(?P<lo>\d+(?:\.\d+)?)\s*[-–]\s*(?P<hi>\d+(?:\.\d+)?)\s*mg\s+every\s+"
    r"(?P<days>\d+)\s+days\b",
    re.IGNORECASE,
)
_FOLLOW_UP_RE = re.compile(r"\bwith\s+(?P<freq>\w+)\s+follow-up\b", re.IGNORECASE)
# "generic tablets 5, 10, 20 mg", "strengths 10 and 20 mg"; not "80 mg/day", not "5 mg/5 mL".
_STRENGTHS_RE = re.compile(
    r"(?P<list>\d+(?:\.\d+)?(?:\s*(?:,|and|or)\s*\d+(?:\.\d+)?)*)\s*mg\b(?!\s*/)",
    re.IGNORECASE,
)


class _Stated:
    """A sentence of the data and the sources of its block."""

    def __init__(self, text: str, sources: Sequence[str]) -> None:
        self.text = text
        self.sources = list(sources)


def _oral_statements(info: RouteInfo, withdrawal: Withdrawal) -> list[_Stated]:
    """Where taper advice lives, most specific first: route notes, route warning, management."""
    out = [_Stated(note.text, note.sources) for note in info.notes]
    for warning in withdrawal.route_specific:
        if warning.route is info.route:
            out += [_Stated(text, warning.sources) for text in warning.what_to_do]
    out += [
        _Stated(step.text, step.sources) for step in withdrawal.management if step.who == "anyone"
    ]
    return out


def _sentence_with(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` containing ``text[start:end]``."""
    left = text.rfind(". ", 0, start)
    right = text.find(". ", end)
    sentence = text[left + 2 if left >= 0 else 0 : right + 1 if right >= 0 else len(text)]
    return sentence.strip()


class _Data:
    """The taper figures of one substance and route, each with its sources."""

    def __init__(self, substance: Substance, info: RouteInfo) -> None:
        withdrawal = substance.withdrawal
        assert withdrawal is not None
        self.substance = substance
        self.info = info
        self.withdrawal = withdrawal
        statements = _oral_statements(info, withdrawal)

        self.duration: Figure | None = None
        self.duration_weeks: tuple[int, int] | None = None
        for stated in statements:
            if m := _DURATION_RE.search(stated.text):
                self.duration_weeks = (int(m["lo"]), int(m["hi"]))
                self.duration = Figure(
                    name="minimum taper duration",
                    value=f"at least {m['lo']}-{m['hi']} weeks",
                    quote=_sentence_with(stated.text, m.start(), m.end()),
                    sources=stated.sources,
                )
                break

        self.high_step: Figure | None = None
        self.high_step_mg: tuple[float, float] | None = None
        self.high_interval_days: int | None = None
        self.follow_up: str | None = None
        for stated in statements:
            if m := _STEP_RE.search(stated.text):
                sources = stated.sources
                if self.duration is not None and _DURATION_RE.search(stated.text):
                    # One block states both figures: the duration's own sources (found in a
                    # block of its own) are not the sources of the high-dose step.
                    own = [s for s in sources if s not in self.duration.sources]
                    sources = own or sources
                self.high_step_mg = (float(m["lo"]), float(m["hi"]))
                self.high_interval_days = int(m["days"])
                follow = _FOLLOW_UP_RE.search(stated.text, m.end())
                self.follow_up = follow["freq"].lower() if follow else None
                self.high_step = Figure(
                    name="high-dose step",
                    value=f"{_num(self.high_step_mg[0])}-{_num(self.high_step_mg[1])} mg "
                    f"every {self.high_interval_days} days"
                    + (f", with {self.follow_up} follow-up" if self.follow_up else ""),
                    quote=_sentence_with(stated.text, m.start(), m.end()),
                    sources=sources,
                )
                break

        self.onset: Figure | None = None
        if withdrawal.onset_h is not None:
            lo, hi = withdrawal.onset_h
            self.onset = Figure(
                name="withdrawal onset after the last dose or a reduction",
                value=f"{_num(lo)}-{_num(hi)} h",
                sources=withdrawal.sources,
            )
        self.risk: Figure | None = None
        if withdrawal.risk_after_days is not None:
            self.risk = Figure(
                name="continuous use after which withdrawal is a real risk",
                value=f"{_num(withdrawal.risk_after_days)} days",
                sources=withdrawal.sources,
            )

        unsupervised = [
            m for m in info.medical if not m.supervised_only and not m.per_kg and m.max_daily
        ]
        self.label_max_mg: float | None = None
        self.label_max: Figure | None = None
        if unsupervised:
            low = min(m.max_daily for m in unsupervised if m.max_daily is not None)
            self.label_max_mg = low
            self.label_max = Figure(
                name="label maximum",
                value=f"{_num(low)} mg/day",
                sources=_unique(s for m in unsupervised if m.max_daily == low for s in m.sources),
            )
        singles = [
            m for m in info.medical if not m.supervised_only and not m.per_kg and m.max_single
        ]
        self.max_single: Figure | None = None
        self.max_single_mg: float | None = None
        if singles:
            low = min(m.max_single for m in singles if m.max_single is not None)
            self.max_single_mg = low
            self.max_single = Figure(
                name="label maximum single dose",
                value=f"{_num(low)} mg",
                sources=_unique(s for m in singles if m.max_single == low for s in m.sources),
            )
        supervised = [m for m in info.medical if m.supervised_only and not m.per_kg and m.max_daily]
        self.supervised_max_mg: float | None = None
        self.supervised_max: Figure | None = None
        if supervised:
            high = max(m.max_daily for m in supervised if m.max_daily is not None)
            self.supervised_max_mg = high
            self.supervised_max = Figure(
                name="highest regimen used under medical supervision",
                value=f"{_num(high)} mg/day",
                sources=_unique(s for m in supervised if m.max_daily == high for s in m.sources),
            )

        strengths: set[float] = set()
        for brand in substance.names.brands:
            forms = brand.forms or ""
            if info.route in brand.routes and "tablet" in forms.lower():
                for m in _STRENGTHS_RE.finditer(forms):
                    strengths.update(float(x) for x in re.findall(r"\d+(?:\.\d+)?", m["list"]))
        self.strengths_mg = sorted(strengths)
        self.tablets: Figure | None = None
        if self.strengths_mg:
            self.tablets = Figure(
                name="tablet strengths",
                value=", ".join(_num(s) for s in self.strengths_mg) + " mg",
                sources=substance.names.sources or withdrawal.sources,
            )

    def duration_of_use_fact(self) -> tuple[str, list[str]] | None:
        for fact in self.withdrawal.facts:
            if "duration of use" in fact.name.lower() and fact.text:
                return fact.text, list(fact.sources)
        return None

    @property
    def usable(self) -> bool:
        return (
            self.duration is not None
            and self.onset is not None
            and self.label_max is not None
            and bool(self.strengths_mg)
        )


# --------------------------------------------------------------------------------------------
# Parsing what people type (shared by the CLI and the API)

ACCEPTED_DATES = "an ISO date (2026-12-01), a month (2025-03), 'today' or 'tomorrow'"
ACCEPTED_SINCE = f"{ACCEPTED_DATES}, or a duration such as '18 months', '6 weeks', '2 years'"
_MONTH_RE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$")
_SINCE_DURATION_RE = re.compile(
    r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>d|days?|w|wks?|weeks?|mo|mos|months?|y|yrs?|years?)$"
)


def parse_plan_date(text: str, *, today: date, field: str) -> date:
    """``2026-12-01``, ``2025-03`` (the first of the month), ``today``, ``tomorrow``."""
    raw = str(text).strip().lower()
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    try:
        if m := _MONTH_RE.match(raw):
            return date(int(m["y"]), int(m["m"]), 1)
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{text!r} is not a date", field=field, accepted=ACCEPTED_DATES) from None


def parse_since(text: str, *, today: date) -> tuple[date | None, float | None]:
    """When regular use began: a date (``2025-03`` = 1 March 2025, the longer and so more
    cautious reading) or a duration of use (``18 months``). Returns ``(since, months)``."""
    raw = " ".join(str(text).strip().lower().split())
    if m := _SINCE_DURATION_RE.match(raw):
        value = float(m["n"])
        if not 0 < value < math.inf:
            raise InputError(
                f"{text!r} must be longer than zero", field="since", accepted=ACCEPTED_SINCE
            )
        unit = m["unit"]
        months = {
            "d": value / DAYS_PER_MONTH,
            "w": value * 7 / DAYS_PER_MONTH,
            "m": value,
            "y": value * 12,
        }[unit[0]]
        if months > MAX_MONTHS_OF_USE:
            raise InputError(
                f"{text!r} is longer than a lifetime of use",
                field="since",
                accepted=f"at most {MAX_MONTHS_OF_USE // 12} years",
            )
        return None, months
    return parse_plan_date(raw, today=today, field="since"), None


def parse_current_regimen(
    text: str, *, route: Route = Route.ORAL
) -> tuple[Route, CurrentRegimen | None]:
    """Read "20mg tid", "20 mg three times a day", "10mg q12h" into dose and intakes a day.

    Reuses :func:`dosewise.pk.regimen.parse_regimen`; the regimen must repeat one amount at a
    fixed interval that divides the day. Returns the route the text names (or ``route``), and no
    regimen for an intrathecal one (a pump is never tapered by a schedule here).
    """
    from dosewise.pk.regimen import parse_regimen

    try:
        regimen = parse_regimen(text, default_route=route)
    except InputError as error:
        if error.field == "regimen":
            raise
        raise type(error)(
            error.message, field="regimen", accepted=error.accepted, hint=error.hint
        ) from None
    events = regimen.events
    found_route = events[0].route
    if found_route is Route.INTRATHECAL:
        return found_route, None
    accepted = "an amount and how often it is taken each day, e.g. '20mg tid', '10mg bid', '5mg qd'"
    if len(events) < 2:
        raise InputError(
            f"{text.strip()!r} gives one dose; a taper needs the usual amount and how often",
            field="regimen",
            accepted=accepted,
        )
    amounts = {round(e.amount_mg, 9) for e in events}
    gaps = {round(b.time_h - a.time_h, 6) for a, b in itertools.pairwise(events)}
    if len(amounts) != 1 or len(gaps) != 1:
        raise InputError(
            f"{text.strip()!r} is not one amount at a regular interval",
            field="regimen",
            accepted=accepted,
            hint="for doses that differ during the day, give the usual amount per intake and "
            "ask the prescriber to adapt the plan",
        )
    interval_h = gaps.pop()
    per_day = 24.0 / interval_h
    if abs(per_day - round(per_day)) > 1e-6 or not 1 <= round(per_day) <= MAX_INTAKES_PER_DAY:
        raise InputError(
            f"every {_num(interval_h)} h is not a whole number of intakes a day",
            field="regimen",
            accepted=accepted,
        )
    if len(events) < round(per_day):
        raise InputError(
            f"{text.strip()!r} lists fewer doses than one day holds",
            field="regimen",
            accepted=accepted,
        )
    return found_route, CurrentRegimen(
        dose_per_intake_mg=events[0].amount_mg,
        intakes_per_day=round(per_day),
        description=f"{_num(events[0].amount_mg)} mg {_times_a_day(round(per_day))}",
    )


# --------------------------------------------------------------------------------------------
# The engine


def plan_taper(catalog: Catalog, request: TaperRequest) -> TaperPlan:
    """Build a taper plan (see the module docstring and ``docs/taper.md``).

    Raises
    ------
    InputError
        Unknown substance, a class, a route without data, no taper data, a missing or
        implausible regimen, dates in the wrong order. ``field`` names the input.
    """
    substance = catalog.resolve(request.substance)
    if substance.kind == "class":
        raise InputError(
            f"{substance.name} is a class of substances; a taper is planned for one medicine",
            field="substance",
            accepted="a substance name, e.g. baclofen or diazepam",
        )
    info = substance.route(request.route)
    if info is None:
        routes = ", ".join(r.route.value for r in substance.routes) or "none"
        raise InputError(
            f"The knowledge base has no {request.route.value} data for {substance.name}",
            field="route",
            accepted=routes,
        )
    if request.start > request.today + timedelta(days=MAX_START_DAYS):
        raise InputError(
            f"The plan would start more than {MAX_START_DAYS} days from today",
            field="start",
            accepted=f"a date up to {(request.today + timedelta(days=MAX_START_DAYS)).isoformat()}",
            hint="plan nearer the time, with the prescriber",
        )
    if request.start < request.today:
        raise InputError(
            f"The plan cannot start in the past ({request.start.isoformat()})",
            field="start",
            accepted=f"today ({request.today.isoformat()}) or later",
        )
    if request.route is Route.INTRATHECAL:
        return _intrathecal_plan(catalog, substance, info, request)
    return _oral_plan(catalog, substance, info, request)


def has_taper_data(substance: Substance, route: Route = Route.ORAL) -> bool:
    """Whether the data holds every figure a dated plan needs for this route."""
    info = substance.route(route)
    if substance.kind != "substance" or info is None or substance.withdrawal is None:
        return False
    if route is Route.INTRATHECAL:
        return _route_warning(substance, route) is not None
    return info.dose_unit is DoseUnit.MG and _Data(substance, info).usable


def _no_taper_data(catalog: Catalog, substance: Substance, route: Route) -> InputError:
    advice = [s.text for s in (substance.withdrawal.management if substance.withdrawal else [])]
    hint = (
        "What the knowledge base says about stopping it: " + " ".join(advice[:2])
        if advice
        else "Please ask the prescriber or a pharmacist how to reduce it safely"
    )
    supported = sorted(s.name for s in catalog.substances.values() if has_taper_data(s, route))
    caution = "; please do not stop it suddenly" if substance.withdrawal is not None else ""
    return InputError(
        f"dosewise has no sourced {route.value} taper schedule for {substance.name}, so it makes "
        f"no plan{caution}",
        field="substance",
        accepted=", ".join(supported) or "none yet",
        hint=hint,
    )


def _intrathecal_plan(
    catalog: Catalog, substance: Substance, info: RouteInfo, request: TaperRequest
) -> TaperPlan:
    warning = _route_warning(substance, Route.INTRATHECAL)
    if warning is None:
        raise _no_taper_data(catalog, substance, Route.INTRATHECAL)
    who_sources = _unique(
        [s for n in info.notes if "never stop" in n.text.lower() for s in n.sources]
        + [s for m in info.medical if m.titration and "refill" in m.titration for s in m.sources]
    ) or list(warning.sources)
    danger = RouteDanger(
        route=Route.INTRATHECAL,
        severity=warning.severity,
        summary=warning.summary,
        signs=list(warning.signs),
        what_to_do=list(warning.what_to_do),
        who_reduces=(
            "A pump dose is never reduced or stopped by the person who has the pump. Changes are "
            "made only by the pump team (the doctor and nurses who manage the pump), at refill "
            "visits and in small steps. If you want to reduce or stop, tell the pump team: they "
            "plan it with you."
        ),
        sources=who_sources,
    )
    warnings = [
        TaperWarning(
            severity=warning.severity,
            code="intrathecal_never_self_taper",
            message="Never a self-taper: stopping or running out of intrathecal baclofen "
            "suddenly can be life-threatening. This plan has no schedule on purpose.",
            sources=list(warning.sources),
        ),
        *_person_warnings(substance, request.person, unknowns=False),
    ]
    plan = TaperPlan(
        substance=substance.id,
        substance_name=substance.name,
        route=Route.INTRATHECAL,
        self_taper=False,
        headline=f"Intrathecal {substance.name.lower()} is never reduced or stopped at home: "
        "only the pump team changes the dose.",
        route_danger=danger,
        emergency=EmergencyAdvice(
            signs=list(warning.signs),
            what_to_do=[t for t in warning.what_to_do if "emergency" in t.lower()]
            or list(warning.what_to_do),
            sources=list(warning.sources),
        ),
        warnings=warnings,
    )
    return _with_sources(catalog, plan)


def _route_warning(substance: Substance, route: Route) -> RouteWarning | None:
    if substance.withdrawal is None:
        return None
    for warning in substance.withdrawal.route_specific:
        if warning.route is route:
            return warning
    return None


def _oral_plan(
    catalog: Catalog, substance: Substance, info: RouteInfo, request: TaperRequest
) -> TaperPlan:
    if not has_taper_data(substance, info.route) or substance.withdrawal is None:
        raise _no_taper_data(catalog, substance, info.route)
    data = _Data(substance, info)
    assert data.duration_weeks
    assert data.onset
    assert substance.withdrawal.onset_h
    assert data.label_max_mg is not None
    regimen = request.regimen
    if regimen is None:
        raise InputError(
            "A taper plan needs the current regimen",
            field="regimen",
            accepted="e.g. --regimen '20mg tid' (20 mg three times a day)",
        )
    daily = regimen.daily_total_mg
    ceiling = max(data.supervised_max_mg or 0.0, data.label_max_mg) * IMPLAUSIBLE_FACTOR
    if daily > ceiling:
        raise InputError(
            f"{_num(daily)} mg a day is more than {_num(IMPLAUSIBLE_FACTOR)} times any amount in "
            "the data; please check the number and the unit",
            field="regimen",
            accepted=f"a daily total up to {_num(ceiling)} mg",
        )

    # Duration of use, up to the first day of the plan.
    days_of_use: int | None = None
    if request.since is not None:
        if request.since > request.today:
            raise InputError(
                f"Use cannot begin in the future ({request.since.isoformat()})",
                field="since",
                accepted=f"a date up to today ({request.today.isoformat()})",
            )
        days_of_use = (request.start - request.since).days
    elif request.months_of_use is not None:
        days_of_use = (
            round(request.months_of_use * DAYS_PER_MONTH) + (request.start - request.today).days
        )
    risk_days = substance.withdrawal.risk_after_days
    long_use = True if days_of_use is None or risk_days is None else days_of_use > risk_days
    high_dose = daily > data.label_max_mg

    tablet_mg = data.strengths_mg[0]
    hold_days = math.ceil(substance.withdrawal.onset_h[1] / 24)
    min_total_days = data.duration_weeks[1] * 7

    rules: dict[RuleCode, TaperRule] = {}
    levels: list[tuple[float, RuleCode, int]] = []  # (daily total, rule, hold days)
    current = daily

    # High dose: the sourced high-dose step (its lower, cautious end) down to the label maximum.
    if high_dose:
        if data.high_step_mg is None or data.high_interval_days is None:
            raise _no_taper_data(catalog, substance, info.route)
        step = _round_down(data.high_step_mg[0], tablet_mg)
        rules[RuleCode.HIGH_DOSE] = _high_dose_rule(data, step, tablet_mg)
        while current > data.label_max_mg + 1e-9:
            current = _next_level(current, step, tablet_mg)
            levels.append((current, RuleCode.HIGH_DOSE, data.high_interval_days))

    # Usual doses: spread over the minimum duration, or slower after long use.
    if current > 1e-9:
        code = RuleCode.LONG_USE if long_use else RuleCode.USUAL
        if code is RuleCode.LONG_USE:
            step = tablet_mg
        else:
            target_steps = math.ceil(min_total_days / hold_days)
            step = max(tablet_mg, _round_down(current / (target_steps + 1), tablet_mg))
        usual: list[float] = []
        level = current
        while True:
            level = _next_level(level, step, tablet_mg)
            if level <= 1e-9:
                break
            usual.append(level)
        interval = max(hold_days, math.ceil(min_total_days / len(usual))) if usual else hold_days
        rules[code] = _usual_rule(data, code, step, interval, hold_days, min_total_days, tablet_mg)
        levels += [(lv, code, interval) for lv in usual]
        last_rule = code
    else:
        last_rule = RuleCode.HIGH_DOSE

    steps = _dated_steps(
        regimen, levels, last_rule, request.start, hold_days, data, substance.withdrawal.onset_h
    )
    stop_step = steps[-1]
    total_days = (stop_step.start - request.start).days

    warnings = _oral_warnings(
        data, substance, request, regimen, days_of_use, long_use, high_dose, levels
    )
    figures = [
        f
        for f in (
            data.duration,
            data.high_step if high_dose else None,
            data.onset,
            data.risk,
            data.label_max,
            data.max_single,
            data.tablets,
        )
        if f is not None
    ]
    warning = _route_warning(substance, Route.ORAL)
    plan = TaperPlan(
        substance=substance.id,
        substance_name=substance.name,
        route=request.route,
        self_taper=True,
        headline=_headline(regimen, steps, total_days),
        current=regimen,
        daily_total_mg=daily,
        days_of_use=days_of_use,
        long_use=long_use,
        high_dose=high_dose,
        start=request.start,
        stop=stop_step.start,
        total_days=total_days,
        figures=figures,
        rules=list(rules.values()),
        steps=steps,
        hold_rules=_hold_rules(data, warning),
        emergency=_oral_emergency(data, warning),
        warnings=warnings,
    )
    return _with_sources(catalog, plan)


def _round_down(amount: float, unit: float) -> float:
    return math.floor(amount / unit + 1e-9) * unit


def _next_level(current: float, step: float, tablet_mg: float) -> float:
    """The next daily total: at most ``step`` lower, a whole number of the smallest tablet."""
    level = math.ceil((current - step) / tablet_mg - 1e-9) * tablet_mg
    return max(0.0, level)


def _split(total: float, intakes: int, tablet_mg: float) -> list[float]:
    """Share a daily total among the intakes in whole tablets; the smaller amounts come first
    in the day (an order the prescriber may change), and an intake may fall to zero."""
    units = round(total / tablet_mg)
    base, extra = divmod(units, intakes)
    return [base * tablet_mg] * (intakes - extra) + [(base + 1) * tablet_mg] * extra


def _dated_steps(
    regimen: CurrentRegimen,
    levels: Sequence[tuple[float, RuleCode, int]],
    last_rule: RuleCode,
    start: date,
    hold_days: int,
    data: _Data,
    onset_h: tuple[float, float],
) -> list[TaperStep]:
    tablet_mg = data.strengths_mg[0]
    signs = _oral_signs(data)
    window = f"{_num(onset_h[0])}-{_num(onset_h[1])} hours"
    steps: list[TaperStep] = []
    previous = regimen.daily_total_mg
    previous_text = f"your current dose ({_num(previous)} mg a day)"
    day = start
    for number, (level, rule, days) in enumerate(levels, 1):
        doses = _split(level, regimen.intakes_per_day, tablet_mg)
        taken = [d for d in doses if d > 0]
        steps.append(
            TaperStep(
                number=number,
                kind="reduce",
                start=day,
                end=day + timedelta(days=days - 1),
                days=days,
                intake_doses_mg=doses,
                times_per_day=len(taken),
                dose_per_intake_mg=taken[0] if len(set(taken)) == 1 else None,
                daily_total_mg=level,
                reduction_mg=round(previous - level, 9),
                rule=rule,
                watch_for=f"In the {window} after this reduction: {signs}. If they appear, go "
                f"back to {previous_text} and contact your prescriber.",
            )
        )
        previous = level
        previous_text = f"step {number} ({_num(level)} mg a day)"
        day += timedelta(days=days)
    steps.append(
        TaperStep(
            number=len(levels) + 1,
            kind="stop",
            start=day,
            end=day + timedelta(days=hold_days - 1),
            days=hold_days,
            intake_doses_mg=[0.0] * regimen.intakes_per_day,
            times_per_day=0,
            dose_per_intake_mg=None,
            daily_total_mg=0.0,
            reduction_mg=round(previous, 9),
            rule=last_rule if levels else RuleCode.STOP,
            watch_for=f"No more doses. Withdrawal signs can still start up to {_num(onset_h[1])} "
            f"hours after the last dose: {signs}. If they appear, take {previous_text} again "
            "and contact your prescriber.",
        )
    )
    return steps


def _oral_signs(data: _Data) -> str:
    warning = _route_warning(data.substance, data.info.route)
    if warning is not None and warning.signs:
        return ", ".join(warning.signs)
    return ", ".join(s.name for s in data.withdrawal.signs[:8])


def _high_dose_rule(data: _Data, step: float, tablet_mg: float) -> TaperRule:
    assert data.high_step
    assert data.high_step_mg
    assert data.high_interval_days
    assert data.label_max
    follow = f", with {data.follow_up} follow-up by the prescriber" if data.follow_up else ""
    return TaperRule(
        code=RuleCode.HIGH_DOSE,
        title="High dose: the sourced high-dose step",
        applies_when=f"while the daily total is above the label maximum ({data.label_max.value})",
        step_mg=step,
        interval_days=data.high_interval_days,
        explanation=(
            "After high-dose use the daily total is reduced by "
            f"{data.high_step.value.split(',')[0]}{follow}. The plan uses the lower, more "
            f"cautious end: {_num(step)} mg every "
            f"{data.high_interval_days} days, until the daily total is within the label maximum; "
            "from there the rule for usual doses takes over, so the taper never speeds up."
        ),
        design_choices=[
            f"The lower end of the sourced range ({_num(step)} mg, not "
            f"{_num(data.high_step_mg[1])} mg): the cautious reading.",
            "Switching to the usual-dose rule at the label maximum: the high-dose figure comes "
            "from high-dose use; below the label maximum the label's guidance applies.",
        ],
        sources=_unique([*data.high_step.sources, *data.label_max.sources]),
    )


def _usual_rule(
    data: _Data,
    code: RuleCode,
    step: float,
    interval: int,
    hold_days: int,
    min_total_days: int,
    tablet_mg: float,
) -> TaperRule:
    assert data.duration
    assert data.onset
    assert data.tablets
    assert data.duration_weeks
    lo, hi = data.duration_weeks
    hold = (
        f"each step is held at least {hold_days} days, because withdrawal signs can start "
        f"{data.onset.value} after a reduction (so they show before the next one)"
    )
    tablets = f"doses are whole {_num(tablet_mg)} mg tablets ({data.tablets.value} exist)"
    if code is RuleCode.LONG_USE:
        risk = f"more than {data.risk.value}" if data.risk else "an unknown time"
        return TaperRule(
            code=code,
            title="Long use: slower, in the smallest tablet steps",
            applies_when=f"after {risk} of regular use, or when the duration is not known, at "
            "or below the label maximum",
            step_mg=step,
            interval_days=interval,
            min_total_days=min_total_days,
            explanation=(
                f"The sources say to reduce over at least {lo}-{hi} weeks, and more slowly "
                "after months of use, without a figure for how much slower. The plan reduces by "
                f"the smallest amount the tablets allow, {_num(step)} mg a day at a time, and "
                f"{hold}. It takes at least {min_total_days} days."
            ),
            design_choices=[
                f"No source gives a step size after long use: {_num(step)} mg a day (one of the "
                "smallest tablets) is the smallest step the tablets allow.",
                f"Holding each step {hold_days} days comes from the onset window of withdrawal, "
                "not from a taper guideline.",
            ],
            sources=_unique(
                [
                    *data.duration.sources,
                    *(data.risk.sources if data.risk else []),
                    *data.onset.sources,
                    *data.tablets.sources,
                ]
            ),
        )
    return TaperRule(
        code=code,
        title=f"Usual dose: over at least {hi} weeks",
        applies_when="at or below the label maximum, after shorter use",
        step_mg=step,
        interval_days=interval,
        min_total_days=min_total_days,
        explanation=(
            f"The sources say to reduce slowly over at least {lo}-{hi} weeks. The plan takes the "
            f"cautious end, {min_total_days} days, in equal reductions of at most {_num(step)} mg "
            f"a day; {hold}; {tablets}."
        ),
        design_choices=[
            "No source gives a step size for usual doses: the reduction is shared in equal "
            f"steps of whole tablets so that the taper lasts about {min_total_days} days.",
            f"Holding each step at least {hold_days} days comes from the onset window of "
            "withdrawal, not from a taper guideline.",
        ],
        sources=_unique([*data.duration.sources, *data.onset.sources, *data.tablets.sources]),
    )


def _hold_rules(data: _Data, warning: RouteWarning | None) -> list[Advice]:
    assert data.onset is not None
    assert data.duration is not None
    back_sources = list(warning.sources) if warning else list(data.withdrawal.sources)
    rules = [
        Advice(
            text="If withdrawal signs appear, go back to the last step at which you felt well "
            "and stay on it. Do not reduce again until you have spoken with your prescriber; "
            "the later dates then move, and the next steps may be smaller or slower.",
            sources=_unique([*back_sources, *data.duration.sources]),
        ),
        Advice(
            text=f"Signs can start {data.onset.value} after a reduction or a missed dose, so "
            "watch most closely in the first three days of each step.",
            sources=data.onset.sources,
        ),
    ]
    if warning is not None:
        rules += [
            Advice(text=text, sources=list(warning.sources))
            for text in warning.what_to_do
            if "tolerated" in text.lower()
        ]
    rules.append(
        Advice(
            text="Going slower than this plan is always allowed; going faster is not. Do not "
            "skip steps, and do not stop early because you feel well.",
            sources=data.duration.sources,
        )
    )
    for step in data.withdrawal.management:
        # Only the clinician advice about restarting belongs to a taper (the rest treats a
        # withdrawal syndrome and is not for a person reading their plan).
        if step.who == "clinician" and "restart" in step.text.lower():
            rules.append(Advice(text=step.text, who="clinician", sources=list(step.sources)))
    return rules


def _oral_emergency(data: _Data, warning: RouteWarning | None) -> EmergencyAdvice:
    if warning is not None:
        urgent = [t for t in warning.what_to_do if "emergency" in t.lower()]
        return EmergencyAdvice(
            signs=list(warning.signs),
            what_to_do=[
                *urgent,
                f"Tell them that {data.substance.name.lower()} is being reduced or was stopped, "
                "and the last dose taken.",
            ],
            sources=list(warning.sources),
        )
    return EmergencyAdvice(
        signs=[s.name for s in data.withdrawal.signs],
        what_to_do=["Seizures, hallucinations or a high fever: call emergency services."],
        sources=list(data.withdrawal.sources),
    )


def _oral_warnings(
    data: _Data,
    substance: Substance,
    request: TaperRequest,
    regimen: CurrentRegimen,
    days_of_use: int | None,
    long_use: bool,
    high_dose: bool,
    levels: Sequence[tuple[float, RuleCode, int]],
) -> list[TaperWarning]:
    out: list[TaperWarning] = []
    daily = regimen.daily_total_mg
    fact = data.duration_of_use_fact()
    if days_of_use is None:
        out.append(
            TaperWarning(
                severity=Severity.CAUTION,
                code="duration_unknown",
                message="How long it has been taken was not given, so the plan assumes long use "
                "(the slower schedule). With a shorter use the prescriber may choose a faster one.",
                sources=data.risk.sources if data.risk else [],
            )
        )
    elif long_use and data.risk is not None:
        months = days_of_use / DAYS_PER_MONTH
        extra = f" ({fact[0]})" if fact else ""
        out.append(
            TaperWarning(
                severity=Severity.WARNING,
                code="long_use",
                message=f"About {_num(round(months, 1))} months of regular use: more than "
                f"{data.risk.value}, after which stopping can cause withdrawal{extra}. "
                "The plan is slower for that reason.",
                sources=_unique([*data.risk.sources, *(fact[1] if fact else [])]),
            )
        )
    if high_dose and data.label_max is not None:
        follow = (
            f" The sources advise {data.follow_up} follow-up with the prescriber during the taper."
            if data.follow_up
            else ""
        )
        out.append(
            TaperWarning(
                severity=Severity.WARNING,
                code="high_dose",
                message=f"{_num(daily)} mg a day is above the label maximum of "
                f"{data.label_max.value}. Reducing from a high dose needs medical follow-up."
                + follow,
                sources=_unique(
                    [*data.label_max.sources, *(data.high_step.sources if data.high_step else [])]
                ),
            )
        )
    if (
        data.supervised_max_mg is not None
        and data.supervised_max is not None
        and daily > data.supervised_max_mg
    ):
        out.append(
            TaperWarning(
                severity=Severity.DANGER,
                code="above_supervised",
                message=f"{_num(daily)} mg a day is above any regimen used even under medical "
                f"supervision ({data.supervised_max.value}). Please see a doctor before changing "
                "anything: both continuing and stopping carry serious risks at this dose.",
                sources=data.supervised_max.sources,
            )
        )
    if (
        data.max_single_mg is not None
        and data.max_single is not None
        and regimen.dose_per_intake_mg > data.max_single_mg
    ):
        out.append(
            TaperWarning(
                severity=Severity.CAUTION,
                code="above_max_single",
                message=f"{_num(regimen.dose_per_intake_mg)} mg at a time is above the label's "
                f"largest single dose ({data.max_single.value}).",
                sources=data.max_single.sources,
            )
        )
    if not levels:
        out.append(
            TaperWarning(
                severity=Severity.CAUTION,
                code="smallest_dose",
                message=f"{_num(daily)} mg a day is already the smallest amount the tablets "
                "allow, so the only step left is stopping. Agree with the prescriber when and "
                "how, and watch for the signs below for three days.",
                sources=data.tablets.sources if data.tablets else [],
            )
        )
    if (
        data.tablets is not None
        and abs(
            regimen.dose_per_intake_mg / data.strengths_mg[0]
            - round(regimen.dose_per_intake_mg / data.strengths_mg[0])
        )
        > 1e-9
    ):
        out.append(
            TaperWarning(
                severity=Severity.INFO,
                code="not_whole_tablets",
                message=f"{_num(regimen.dose_per_intake_mg)} mg is not a whole number of "
                f"{_num(data.strengths_mg[0])} mg tablets; the first step rounds down to whole "
                "tablets (never by more than one step).",
                sources=data.tablets.sources,
            )
        )
    out += _person_warnings(substance, request.person)
    return out


def _person_warnings(
    substance: Substance, person: TaperPerson, *, unknowns: bool = True
) -> list[TaperWarning]:
    out: list[TaperWarning] = []
    given = {"seizure_history": person.seizure_history, "pregnancy": person.pregnant}
    for factor in substance.risk_factors:
        if given.get(factor.factor):
            out.append(
                TaperWarning(
                    severity=factor.severity,
                    code=f"person_{factor.factor}",
                    message=factor.summary + " Tell the prescriber before starting the taper.",
                    sources=list(factor.sources),
                )
            )
    if (
        unknowns
        and person.seizure_history is None
        and any(f.factor == "seizure_history" for f in substance.risk_factors)
    ):
        out.append(
            TaperWarning(
                severity=Severity.INFO,
                code="unknown_seizure_history",
                message="A history of seizures was not given; with one, withdrawal carries a "
                "higher risk and the prescriber may plan a slower taper.",
                sources=[
                    s
                    for f in substance.risk_factors
                    if f.factor == "seizure_history"
                    for s in f.sources
                ],
            )
        )
    return out


def _headline(regimen: CurrentRegimen, steps: Sequence[TaperStep], total_days: int) -> str:
    lower = len(steps) - 1
    if lower == 0:
        return (
            f"{_num(regimen.daily_total_mg)} mg a day is already the smallest tablet dose: "
            "agree with your prescriber when to stop."
        )
    span = f"{total_days} days" if total_days < 21 else f"about {_num(round(total_days / 7))} weeks"
    return (
        f"From {_num(regimen.daily_total_mg)} mg a day: {lower} lower dose"
        f"{'s' if lower != 1 else ''} over {span}, then none from "
        f"{month_name(steps[-1].start)}. A starting point to agree with your prescriber."
    )


def _with_sources(catalog: Catalog, plan: TaperPlan) -> TaperPlan:
    ids = _unique(catalog.sources_cited(plan))
    return plan.model_copy(
        update={"sources": {sid: catalog.sources[sid].citation() for sid in ids}}
    )


# --------------------------------------------------------------------------------------------
# Small helpers


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _num(value: float) -> str:
    return f"{value:.4g}"


def _times_a_day(n: int) -> str:
    words = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}
    return words.get(n, f"{n} times a day")


def describe_doses(step: TaperStep) -> str:
    """``15 mg three times a day`` or ``10 mg + 15 mg + 15 mg`` (the order of the day)."""
    if step.kind == "stop":
        return "none"
    if step.dose_per_intake_mg is not None:
        return f"{_num(step.dose_per_intake_mg)} mg {_times_a_day(step.times_per_day)}"
    return " + ".join(f"{_num(d)} mg" for d in step.intake_doses_mg if d > 0)


def month_name(d: date) -> str:
    """``1 Dec 2026`` (for people; ISO dates stay in JSON and CSV)."""
    return f"{d.day} {calendar.month_abbr[d.month]} {d.year}"

"""The knowledge schema: pydantic models for substances, sources, interactions and seed claims.

Every model forbids unknown fields, so a typo in a data file is an error that names the field.
Every block that carries a figure has a non-empty ``sources`` list of source ids; the catalog checks
that each id exists in the source registry. Figures are plain numbers in the unit the block names
(a route's ``dose_unit``, a time course's ``unit``); pairs are ``[min, max]`` with ``min <= max``.

The JSON Schema of :class:`Substance`, :class:`SourcesFile`, :class:`InteractionsFile` and
:class:`ClaimsFile` is exported for data contributors by ``dosewise data schema``; the data model is
explained in ``docs/data-model.md``.
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from dosewise.severity import InteractionCategory, Severity
from dosewise.units import DoseUnit, Route, concentration_to_mg_per_l, is_concentration_unit

# --------------------------------------------------------------------------------------------
# Building blocks

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
SOURCE_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
SourceId = Annotated[str, StringConstraints(pattern=SOURCE_ID_PATTERN, max_length=80)]
Sources = Annotated[list[SourceId], Field(min_length=1)]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


def _finite_non_negative(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    if value < 0:
        raise ValueError("must not be negative")
    return value


Amount = Annotated[float, AfterValidator(_finite_non_negative)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def _ordered_span(span: tuple[float, float]) -> tuple[float, float]:
    low, high = span
    if low > high:
        raise ValueError(f"[{low}, {high}]: the first number must not exceed the second")
    return span


Span = Annotated[tuple[Amount, Amount], AfterValidator(_ordered_span)]


class Model(BaseModel):
    """Base of every knowledge model: unknown fields are errors; instances are immutable.

    ``defer_build``: validators are built on first validation, not at import, so a process that
    loads the catalog from its cache (``catalog.default_catalog``) never pays for them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SourcedText(Model):
    """A statement and the sources that support it."""

    text: NonEmptyText
    sources: Sources


class Fact(Model):
    """A sourced figure or finding: a value, a range, or a text, with its unit and population."""

    name: NonEmptyText
    value: Amount | None = None
    range: Span | None = None
    unit: str | None = None
    text: str | None = None
    population: str | None = None
    sources: Sources
    note: str | None = None

    @model_validator(mode="after")
    def _has_content(self) -> Fact:
        if self.value is None and self.range is None and not self.text:
            raise ValueError("a fact needs a value, a range or a text")
        if (self.value is not None or self.range is not None) and not self.unit:
            raise ValueError("a numeric fact needs a unit (use '1' for a ratio, '%' for percent)")
        return self


# --------------------------------------------------------------------------------------------
# Sources

SourceKind = Literal[
    "seed",
    "label",
    "paper",
    "review",
    "reference",
    "guideline",
    "regulatory",
    "database",
    "community",
]
Verification = Literal["primary", "secondary", "unverified"]


class Source(Model):
    """A citation.

    ``verified`` says how the figures taken from it were checked: ``primary`` against the source's
    own text (abstract, label, table), ``secondary`` through a summary that cites it, ``unverified``
    not yet checked (shown as such to users).
    """

    id: SourceId
    kind: SourceKind
    title: NonEmptyText
    authors: str | None = None
    year: Annotated[int, Field(ge=1800, le=2100)] | None = None
    container: str | None = Field(None, description="Journal, publisher, website or book.")
    pmid: Annotated[str, StringConstraints(pattern=r"^\d{1,9}$")] | None = None
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC\d+$")] | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    isbn: str | None = None
    verified: Verification = "unverified"
    note: str | None = None

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if self.kind != "seed" and not (
            self.pmid or self.pmcid or self.doi or self.url or self.isbn
        ):
            raise ValueError("a source needs a locator: pmid, pmcid, doi, url or isbn")
        return self

    @property
    def locator(self) -> str:
        """The most durable locator, for display."""
        if self.pmid:
            return f"PMID {self.pmid}"
        if self.doi:
            return f"doi:{self.doi}"
        if self.pmcid:
            return self.pmcid
        if self.url:
            return self.url
        if self.isbn:
            return f"ISBN {self.isbn}"
        return "seed article"

    def citation(self) -> str:
        """A one-line citation: authors (year). Title. Container. Locator."""
        head = ", ".join(p for p in (self.authors, str(self.year) if self.year else None) if p)
        parts = [p for p in (head, self.title, self.container, self.locator) if p]
        return ". ".join(parts)


class SourcesFile(Model):
    """A file holding only sources (``sources.toml``)."""

    sources: list[Source]


# --------------------------------------------------------------------------------------------
# Names, identifiers, classification


class Brand(Model):
    name: NonEmptyText
    jurisdictions: list[str] = Field(default_factory=list)
    forms: str | None = None
    routes: list[Route] = Field(default_factory=list)
    discontinued: bool = False


class Names(Model):
    """Every name a person might type. Matching is case-insensitive and must be unique."""

    inn: str | None = Field(None, description="International nonproprietary name.")
    other: list[str] = Field(default_factory=list, description="Other official/chemical names.")
    brands: list[Brand] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list, description="Common and street names.")
    misspellings: list[str] = Field(default_factory=list)
    sources: list[SourceId] = Field(default_factory=list)


class Identifiers(Model):
    cas: Annotated[str, StringConstraints(pattern=r"^\d{2,7}-\d{2}-\d$")] | None = None
    pubchem_cid: Annotated[int, Field(gt=0)] | None = None
    drugbank: Annotated[str, StringConstraints(pattern=r"^DB\d{5}$")] | None = None
    atc: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]\d{2}[A-Z]{2}\d{2}$")]] = Field(
        default_factory=list
    )
    rxcui: Annotated[str, StringConstraints(pattern=r"^\d+$")] | None = None
    unii: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{10}$")] | None = None
    chebi: Annotated[str, StringConstraints(pattern=r"^CHEBI:\d+$")] | None = None
    formula: str | None = None
    molar_mass_g_per_mol: Annotated[float, Field(gt=0)] | None = None
    sources: Sources


class Enantiomer(Model):
    name: NonEmptyText
    description: NonEmptyText
    sources: Sources


IndicationStatus = Literal["approved", "off_label", "investigational", "historical", "none"]


class Indication(Model):
    name: NonEmptyText
    status: IndicationStatus
    jurisdictions: list[str] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    population: str | None = None
    note: str | None = None
    sources: Sources


# --------------------------------------------------------------------------------------------
# Routes: doses and time course


class DoseTiers(Model):
    """Single-dose tiers as one source reports them, in the route's ``dose_unit``.

    ``heavy`` is the lower bound of the heavy range ("100 mg and above"). Tiers must not overlap
    backwards: threshold <= light <= common <= strong <= heavy.
    """

    sources: Sources
    per_kg: bool = False
    threshold: Amount | None = None
    light: Span | None = None
    common: Span | None = None
    strong: Span | None = None
    heavy: Amount | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _monotone(self) -> DoseTiers:
        points: list[tuple[str, float]] = []
        if self.threshold is not None:
            points.append(("threshold", self.threshold))
        for name in ("light", "common", "strong"):
            span = getattr(self, name)
            if span is not None:
                points += [(f"{name} min", span[0]), (f"{name} max", span[1])]
        if self.heavy is not None:
            points.append(("heavy", self.heavy))
        if len(points) < 2:
            raise ValueError("a tier set needs at least one range or two bounds")
        for (name_a, a), (name_b, b) in itertools.pairwise(points):
            if a > b:
                raise ValueError(f"tiers out of order: {name_a} {a} > {name_b} {b}")
        return self


TimeUnit = Literal["min", "h"]


class TimeCourse(Model):
    """Onset / come-up / peak / offset / total / after-effects, as one source reports them.

    ``onset`` is the time from dose to first effects; ``peak`` the time window of the peak (as
    hours after the dose when ``peak_after_dose`` is true, else its duration as in PsychonautWiki);
    ``total`` the total duration.
    """

    sources: Sources
    unit: TimeUnit
    context: str | None = Field(None, description="e.g. 'usual doses', 'bolus', 'overdose'.")
    onset: Span | None = None
    comeup: Span | None = None
    peak: Span | None = None
    peak_after_dose: bool = False
    offset: Span | None = None
    total: Span | None = None
    afterglow: Span | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _any(self) -> TimeCourse:
        if all(
            getattr(self, f) is None
            for f in ("onset", "comeup", "peak", "offset", "total", "afterglow")
        ):
            raise ValueError("a time course needs at least one phase")
        return self

    def hours(self, phase: str) -> tuple[float, float] | None:
        """A phase in hours."""
        span: tuple[float, float] | None = getattr(self, phase)
        if span is None:
            return None
        factor = 1 / 60 if self.unit == "min" else 1.0
        return (span[0] * factor, span[1] * factor)


class MedicalDosing(Model):
    """Dosing in medical use (label or guideline), daily amounts in the route's ``dose_unit``."""

    sources: Sources
    population: NonEmptyText = "adults"
    indication: str | None = None
    per_kg: bool = Field(False, description="Daily amounts are per kg of body weight.")
    start: str | None = None
    start_daily: Span | None = None
    titration: str | None = None
    usual_daily: Span | None = None
    max_daily: Amount | None = None
    max_single: Amount | None = None
    frequency: str | None = None
    supervised_only: bool = Field(
        False, description="Only under medical supervision (e.g. high-dose AUD regimens)."
    )
    note: str | None = None


class UnitEquivalent(Model):
    """A count unit the substance accepts, e.g. alcohol 'drink' = 14 g ethanol (US)."""

    unit: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z -]*$")]
    amount: Annotated[float, Field(gt=0)]
    plural: str | None = None
    note: str | None = None
    sources: Sources


class RouteInfo(Model):
    """One route: its dose unit, tiers per source, time courses, medical dosing and facts."""

    route: Route
    dose_unit: DoseUnit
    unit_equivalents: list[UnitEquivalent] = Field(default_factory=list)
    tiers: list[DoseTiers] = Field(default_factory=list)
    timecourse: list[TimeCourse] = Field(default_factory=list)
    medical: list[MedicalDosing] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    notes: list[SourcedText] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Pharmacokinetics

PKModelName = Literal[
    "one_compartment_oral",
    "two_compartment_oral",
    "one_compartment_iv",
    "two_compartment_iv",
    "intrathecal_csf",
]

# Required and optional parameters per model. Units by name: ka, ke0 1/h; cl, q L/h; v, vp L;
# tlag, mtt h; f fraction. With ``weight_scaling = "per_kg"`` cl/q are L/h/kg and v/vp L/kg.
PK_MODEL_PARAMETERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "one_compartment_oral": (frozenset({"ka", "cl", "v"}), frozenset({"tlag", "f"})),
    "two_compartment_oral": (frozenset({"ka", "cl", "v", "q", "vp"}), frozenset({"tlag", "f"})),
    "one_compartment_iv": (frozenset({"cl", "v"}), frozenset()),
    "two_compartment_iv": (frozenset({"cl", "v", "q", "vp"}), frozenset()),
    "intrathecal_csf": (frozenset({"cl", "v"}), frozenset({"q", "vp"})),
}

PK_PARAMETER_UNITS: dict[str, str] = {
    "ka": "1/h",
    "ke0": "1/h",
    "cl": "L/h",
    "q": "L/h",
    "v": "L",
    "vp": "L",
    "tlag": "h",
    "mtt": "h",
    "f": "fraction",
}

Population = Literal[
    "healthy_adult",
    "aud_adult",
    "pediatric",
    "elderly",
    "renal_impairment",
    "spasticity",
    "intrathecal",
]


class PKParam(Model):
    """A typical value with its inter-individual variability (CV of a log-normal)."""

    value: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    iiv_cv: Annotated[float, Field(ge=0, le=3)] | None = None
    ci95: Span | None = None
    note: str | None = None


class PKParameterSet(Model):
    """A published parameter set for one population and route."""

    id: Slug
    label: NonEmptyText
    population: Population
    route: Route
    model: PKModelName
    params: dict[str, PKParam]
    weight_scaling: Literal["none", "per_kg"] = "none"
    reference_weight_kg: Annotated[float, Field(gt=0)] | None = None
    residual_proportional_cv: Annotated[float, Field(ge=0)] | None = None
    residual_additive_mg_per_l: Annotated[float, Field(ge=0)] | None = None
    n_subjects: Annotated[int, Field(gt=0)] | None = None
    design: str | None = None
    covariates: str | None = None
    default: bool = False
    sources: Sources
    note: str | None = None

    @model_validator(mode="after")
    def _params_match_model(self) -> PKParameterSet:
        required, optional = PK_MODEL_PARAMETERS[self.model]
        given = set(self.params)
        missing = required - given
        unknown = given - required - optional
        if missing:
            raise ValueError(f"model {self.model} needs parameters: {', '.join(sorted(missing))}")
        if unknown:
            raise ValueError(
                f"model {self.model} does not take: {', '.join(sorted(unknown))} "
                f"(it takes {', '.join(sorted(required | optional))})"
            )
        return self


ConcentrationKind = Literal[
    "therapeutic", "toxic", "comatose_fatal", "acute_intoxication", "postmortem", "csf_therapeutic"
]
Matrix = Literal["plasma", "serum", "blood", "plasma_or_serum", "postmortem_blood", "csf"]


class ReferenceConcentration(Model):
    """A reference concentration range; ``low``/``high`` in ``unit`` (stored as given)."""

    kind: ConcentrationKind
    low: Amount | None = None
    high: Amount | None = None
    median: Amount | None = None
    unit: str
    matrix: Matrix
    sources: Sources
    note: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> ReferenceConcentration:
        if not is_concentration_unit(self.unit) or self.unit.lower().startswith(("umol", "µmol")):
            raise ValueError(f"unit {self.unit!r}: use a mass concentration such as mg/L or ng/mL")
        if self.low is None and self.high is None:
            raise ValueError("a reference concentration needs low or high")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        return self

    @property
    def low_mg_per_l(self) -> float | None:
        return None if self.low is None else concentration_to_mg_per_l(self.low, self.unit)

    @property
    def high_mg_per_l(self) -> float | None:
        return None if self.high is None else concentration_to_mg_per_l(self.high, self.unit)


# --------------------------------------------------------------------------------------------
# Effects, overdose, risk

EffectContext = Literal[
    "therapeutic", "recreational", "high_dose", "overdose", "withdrawal", "intrathecal", "chronic"
]


class Effect(Model):
    name: NonEmptyText
    valence: Literal["positive", "negative", "neutral"]
    contexts: list[EffectContext] = Field(default_factory=list)
    frequency: str | None = Field(None, description="As reported, e.g. '10–63%' or '5/23'.")
    sources: Sources
    note: str | None = None


class Sign(Model):
    """A clinical sign with its reported frequency."""

    name: NonEmptyText
    frequency: str | None = None
    note: str | None = None
    sources: Sources


class Step(Model):
    """A management step; ``who`` says whether anyone can do it or only clinicians."""

    text: NonEmptyText
    who: Literal["anyone", "clinician"] = "anyone"
    sources: Sources


class OverdoseBand(Model):
    """A single-ingestion dose band, in the route's dose unit, with what to watch for and do."""

    route: Route = Route.ORAL
    from_amount: Amount
    to_amount: Amount | None = None
    unit: DoseUnit
    severity: Severity
    label: NonEmptyText
    summary: NonEmptyText
    watch_for: list[str] = Field(default_factory=list)
    what_to_do: list[str] = Field(default_factory=list)
    sources: Sources

    @model_validator(mode="after")
    def _ordered(self) -> OverdoseBand:
        if self.to_amount is not None and self.to_amount <= self.from_amount:
            raise ValueError("to_amount must be above from_amount")
        return self


class Overdose(Model):
    summary: NonEmptyText
    duration: SourcedText | None = Field(
        None, description="How long an overdose is expected to last, for the emergency block."
    )
    bands: list[OverdoseBand] = Field(default_factory=list)
    signs: list[Sign] = Field(default_factory=list)
    course: list[Fact] = Field(default_factory=list)
    management: list[Step] = Field(default_factory=list)
    notes: list[SourcedText] = Field(default_factory=list)
    sources: Sources

    @model_validator(mode="after")
    def _bands_monotone(self) -> Overdose:
        by_route: dict[Route, list[OverdoseBand]] = {}
        for band in self.bands:
            by_route.setdefault(band.route, []).append(band)
        for route, bands in by_route.items():
            for a, b in itertools.pairwise(bands):
                if b.from_amount <= a.from_amount or b.severity < a.severity:
                    raise ValueError(
                        f"{route.value} overdose bands must rise in dose and never fall in "
                        f"severity ({a.label!r} then {b.label!r})"
                    )
        return self


class RenalBand(Model):
    """Guidance for a band of kidney function (creatinine clearance in mL/min)."""

    label: NonEmptyText
    crcl_min: Amount | None = None
    crcl_max: Amount | None = None
    dialysis: bool = False
    dose_factor: Annotated[float, Field(gt=0, le=1)] | None = Field(
        None, description="Fraction of the usual dose suggested (e.g. 0.5 = halve the dose)."
    )
    avoid: bool = False
    max_daily_oral: Amount | None = Field(
        None,
        description="Maximum daily oral dose (oral route unit) the source states for this band. "
        "When given, the dose check uses it instead of label maximum x dose_factor.",
    )
    min_toxic_daily: Amount | None = Field(
        None, description="Lowest daily dose (route unit) reported toxic in this band."
    )
    advice: NonEmptyText
    sources: Sources


class Renal(Model):
    summary: NonEmptyText
    fraction_excreted_unchanged: Fact | None = None
    bands: list[RenalBand] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    sources: Sources


RiskFactorKind = Literal[
    "kidney",
    "seizure_history",
    "age",
    "pregnancy",
    "breastfeeding",
    "psychiatric",
    "respiratory",
    "liver",
    "cardiovascular",
    "stroke",
    "diabetes",
    "substance_use",
    "other",
]


class RiskFactor(Model):
    factor: RiskFactorKind
    summary: NonEmptyText
    severity: Severity
    details: list[str] = Field(default_factory=list)
    threshold: Fact | None = None
    sources: Sources


class Tolerance(Model):
    summary: NonEmptyText
    develops_over_days: Span | None = None
    full_after_days: Span | None = None
    half_after_days: Span | None = None
    baseline_after_days: Span | None = None
    cross_tolerance: list[str] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    sources: Sources


class Dependence(Model):
    summary: NonEmptyText
    abuse_potential: Literal["low", "moderate", "high", "unclear"] | None = None
    facts: list[Fact] = Field(default_factory=list)
    sources: Sources


class RouteWarning(Model):
    route: Route
    severity: Severity
    summary: NonEmptyText
    signs: list[str] = Field(default_factory=list)
    what_to_do: list[str] = Field(default_factory=list)
    sources: Sources


class Withdrawal(Model):
    summary: NonEmptyText
    onset_h: Span | None = Field(None, description="Hours after the last dose or reduction.")
    risk_after_days: Amount | None = Field(
        None, description="Days of continuous use after which withdrawal is a real risk."
    )
    signs: list[Sign] = Field(default_factory=list)
    route_specific: list[RouteWarning] = Field(default_factory=list)
    management: list[Step] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    sources: Sources


LegalCategory = Literal[
    "prescription",
    "controlled",
    "uncontrolled",
    "over_the_counter",
    "illegal",
    "restricted",
    "mixed",
]


class LegalStatus(Model):
    jurisdiction: NonEmptyText
    status: LegalCategory
    schedule: str | None = None
    note: str | None = None
    sources: Sources


class HistoryEvent(Model):
    year: Annotated[int, Field(ge=1000, le=2100)]
    year_end: Annotated[int, Field(ge=1000, le=2100)] | None = None
    event: NonEmptyText
    sources: Sources


# --------------------------------------------------------------------------------------------
# Substance


class Substance(Model):
    """A substance (or a class of substances) and everything known about it, with sources.

    ``kind = "class"`` entries (e.g. "benzodiazepines") let a person name a whole class; their
    ``classes`` say which class they stand for and ``members`` list the substance entries in it
    (optional: "barbiturates" may stand for the class without listing every barbiturate).
    ``classes`` are the interaction categories the
    interaction rules match on (explicit membership, never substrings).
    """

    id: Slug
    kind: Literal["substance", "class"] = "substance"
    name: NonEmptyText
    summary: NonEmptyText
    names: Names = Field(default_factory=Names)
    identifiers: Identifiers | None = None
    chemical_class: list[str] = Field(default_factory=list)
    pharmacological_class: list[str] = Field(default_factory=list)
    classes: list[Slug] = Field(default_factory=list)
    members: list[Slug] = Field(default_factory=list)
    mechanism: SourcedText | None = None
    enantiomers: list[Enantiomer] = Field(default_factory=list)
    indications: list[Indication] = Field(default_factory=list)
    routes: list[RouteInfo] = Field(default_factory=list)
    pk_facts: list[Fact] = Field(default_factory=list)
    pk_models: list[PKParameterSet] = Field(default_factory=list)
    reference_concentrations: list[ReferenceConcentration] = Field(default_factory=list)
    effects: list[Effect] = Field(default_factory=list)
    overdose: Overdose | None = None
    renal: Renal | None = None
    risk_factors: list[RiskFactor] = Field(default_factory=list)
    tolerance: Tolerance | None = None
    dependence: Dependence | None = None
    withdrawal: Withdrawal | None = None
    legal: list[LegalStatus] = Field(default_factory=list)
    history: list[HistoryEvent] = Field(default_factory=list)
    harm_reduction: list[SourcedText] = Field(default_factory=list)
    sources: list[Source] = Field(
        default_factory=list, description="Sources defined by this file (ids are global)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Substance:
        routes = [r.route for r in self.routes]
        duplicates = {r.value for r in routes if routes.count(r) > 1}
        if duplicates:
            raise ValueError(f"route listed twice: {', '.join(sorted(duplicates))}")
        ids = [p.id for p in self.pk_models]
        if len(ids) != len(set(ids)):
            raise ValueError("pk_models ids must be unique")
        defaults: dict[Route, int] = {}
        for p in self.pk_models:
            if p.default:
                defaults[p.route] = defaults.get(p.route, 0) + 1
        if any(n > 1 for n in defaults.values()):
            raise ValueError("at most one default pk_models entry per route")
        if self.kind == "class" and not self.classes:
            raise ValueError("a class entry needs the class ids it stands for in 'classes'")
        if self.kind == "substance" and self.members:
            raise ValueError("only class entries have members")
        return self

    def route(self, route: Route) -> RouteInfo | None:
        for info in self.routes:
            if info.route is route:
                return info
        return None

    @property
    def display_names(self) -> list[str]:
        """Every name that resolves to this entry (name, INN, others, brands, aliases)."""
        out = [self.name, self.id]
        if self.names.inn:
            out.append(self.names.inn)
        out += self.names.other
        out += [b.name for b in self.names.brands]
        out += self.names.aliases
        return out


# --------------------------------------------------------------------------------------------
# Classes, interactions, emergency guidance, seed claims


class ClassDef(Model):
    """An interaction category (e.g. ``opioid``, ``cns_depressant``), with its parents."""

    id: Slug
    name: NonEmptyText
    description: NonEmptyText
    parents: list[Slug] = Field(default_factory=list)


class ClassesFile(Model):
    classes: list[ClassDef]


InteractionRef = Annotated[str, StringConstraints(pattern=r"^(class:)?[a-z0-9][a-z0-9_-]*$")]


class InteractionRule(Model):
    """A rating for a pair of substances and/or classes (``"baclofen"``, ``"class:opioid"``).

    Rules are symmetric. A substance-substance rule outranks a substance-class rule, which
    outranks a class-class rule; among rules of the same specificity the engine keeps the
    riskiest (conservative).
    """

    a: InteractionRef
    b: InteractionRef
    category: InteractionCategory
    severity: Severity | None = Field(
        None, description="Override of the category's severity; may only raise it."
    )
    mechanism: NonEmptyText
    effects: NonEmptyText
    advice: NonEmptyText
    kind: Literal["pharmacodynamic", "pharmacokinetic", "both"] = "pharmacodynamic"
    sources: Sources
    note: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> InteractionRule:
        if self.a == self.b:
            raise ValueError("a rule needs two different parties")
        if self.severity is not None and self.severity < self.category.severity:
            raise ValueError(
                f"severity {self.severity.value} would lower the {self.category.label} rating"
            )
        return self

    @property
    def effective_severity(self) -> Severity:
        return self.severity if self.severity is not None else self.category.severity


class InteractionsFile(Model):
    interactions: list[InteractionRule]
    sources: list[Source] = Field(default_factory=list)


class EmergencyGuidance(Model):
    """What anyone should do in a suspected overdose; shown first, never buried."""

    title: NonEmptyText
    call: NonEmptyText
    steps: list[Step]
    tell_responders: list[str]
    do_not: list[Step] = Field(default_factory=list)
    sources: Sources


class EmergencyFile(Model):
    emergency: EmergencyGuidance
    sources: list[Source] = Field(default_factory=list)


ClaimStatus = Literal["supported", "corrected", "contradicted", "unclear"]


class SeedClaim(Model):
    """One claim of the seed article, traced to its sentence, with its status and evidence.

    ``quote`` is the exact text of the seed (a sentence or part of one). ``represented_in`` names
    the monograph sections where the claim is encoded (``"effects"``, ``"routes"``...).
    """

    id: Annotated[str, StringConstraints(pattern=r"^C\d{2,3}$")]
    quote: NonEmptyText
    claim: NonEmptyText
    topic: NonEmptyText
    status: ClaimStatus
    evidence: NonEmptyText
    correction: str | None = None
    sources: Sources
    represented_in: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _correction_given(self) -> SeedClaim:
        if self.status in ("corrected", "contradicted") and not self.correction:
            raise ValueError(f"a {self.status} claim needs a correction")
        return self


class Transcription(Model):
    """A transcription error of the seed and its correction."""

    seed_text: NonEmptyText
    corrected: NonEmptyText
    basis: NonEmptyText
    sources: Sources


class NonClaim(Model):
    """A sentence of the seed that makes no checkable claim (a heading, a transition)."""

    quote: NonEmptyText
    reason: NonEmptyText


class ClaimsFile(Model):
    seed_source: SourceId
    substance: Slug
    claims: list[SeedClaim]
    transcriptions: list[Transcription] = Field(default_factory=list)
    non_claims: list[NonClaim] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the data file types, for data contributors and editors."""
    return {
        "substance": Substance.model_json_schema(),
        "sources": SourcesFile.model_json_schema(),
        "classes": ClassesFile.model_json_schema(),
        "interactions": InteractionsFile.model_json_schema(),
        "emergency": EmergencyFile.model_json_schema(),
        "claims": ClaimsFile.model_json_schema(),
    }

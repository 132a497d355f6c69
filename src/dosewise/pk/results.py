"""Result models of a population simulation: JSON-ready, shared by every interface.

Units are in the field names (``_mg_per_l``, ``_h``, ``_mg_h_per_l``). Distributions over the
virtual subjects are given as percentiles (``p5``, ``p25``, ``p50``, ``p75``, ``p95``) of NumPy's
default "linear" definition.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dosewise.severity import Severity


class Result(BaseModel):
    """Base of result models: immutable, JSON-serialisable."""

    model_config = ConfigDict(frozen=True)


class Distribution(Result):
    """Percentiles of a per-subject quantity over the virtual population."""

    p5: float
    p25: float
    p50: float
    p75: float
    p95: float

    @classmethod
    def from_values(cls, values: list[float]) -> Distribution:
        """From the five values at the 5th, 25th, 50th, 75th and 95th percentiles."""
        p5, p25, p50, p75, p95 = (float(v) for v in values)
        return cls(p5=p5, p25=p25, p50=p50, p75=p75, p95=p95)


class SimulationSummary(Result):
    """Per-subject exposure, as distributions over the population.

    ``cmax``/``tmax`` are over the whole output window (exact for one-compartment models, on the
    output grid otherwise); ``auc`` is the exact area under the curve over the window;
    ``trough`` is the concentration just before the last dose (``None`` for a single dose).
    """

    cmax_mg_per_l: Distribution
    tmax_h: Distribution
    auc_mg_h_per_l: Distribution
    trough_mg_per_l: Distribution | None = None
    half_life_h: Distribution = Field(description="Terminal elimination half-life per subject.")


class BandedSeries(Result):
    """Percentile bands of the concentration over time: one list per percentile."""

    times_h: list[float]
    percentiles: list[float]
    conc_mg_per_l: dict[str, list[float]] = Field(
        description="Keyed 'p5', 'p50', ...: the concentration at each time in ``times_h``."
    )


class ReferenceExposure(Result):
    """How the simulated concentrations compare with one reference concentration."""

    kind: str = Field(description="therapeutic_low, therapeutic_high, toxic, comatose_fatal.")
    label: str
    threshold_mg_per_l: float
    matrix: str
    sources: list[str]
    note: str | None = None
    probability_ever_above: float = Field(
        description="Fraction of subjects whose peak exceeds the threshold at any time."
    )
    max_probability_above: float = Field(
        description="Largest fraction of subjects above the threshold at one time."
    )
    time_above_h: Distribution = Field(description="Per-subject time above the threshold.")
    median_first_above_h: float | None = Field(
        None, description="When the median curve first exceeds the threshold."
    )
    median_falls_below_h: float | None = Field(
        None, description="When the median curve falls below the threshold for good."
    )
    p95_falls_below_h: float | None = Field(
        None, description="When the 95th-percentile curve falls below the threshold for good."
    )
    probability_above: list[float] = Field(
        description="P(C > threshold) at each time of the banded series."
    )


class PhaseRange(Result):
    """A time after the reference dose: median and 5th-95th percentiles over subjects."""

    p5_h: float
    p50_h: float
    p95_h: float


class EffectPhases(Result):
    """Felt-effect timeline from the effect-compartment link.

    ``onset`` is after the first dose, ``peak`` the peak after the first dose, ``offset`` the time
    the effect-site level falls below the calibrated threshold for good (after the last dose).
    Phases are ``None`` when fewer than half of the subjects reach the threshold.
    """

    ke0_per_h: float
    threshold_mg_per_l: float
    reference_dose_mg: float
    calibrated_on: str
    fraction_with_effect: float
    onset: PhaseRange | None = None
    peak: PhaseRange | None = None
    offset: PhaseRange | None = None
    expected: dict[str, list[float]] = Field(
        default_factory=dict, description="Reported onset/total ranges (h) used for calibration."
    )
    sources: list[str] = Field(default_factory=list)
    note: str


class ParameterValue(Result):
    value: float
    unit: str
    iiv_cv: float | None = None


class ParameterSetUsed(Result):
    """The published population model and how the person's covariates changed it."""

    id: str
    label: str
    population: str
    model: str
    params: dict[str, ParameterValue]
    typical_half_life_h: float
    renal_factor: float = Field(description="Multiplier of clearance from kidney function.")
    weight_kg: float | None = None
    covariates_applied: list[str]
    sources: list[str]
    citations: list[str]
    note: str | None = None


class SimulationWarning(Result):
    severity: Severity
    code: str
    message: str
    sources: list[str] = Field(default_factory=list)


class SimulationResult(Result):
    """A population simulation of one regimen for one person."""

    kind: Literal["pk_simulation"] = "pk_simulation"
    substance: str
    substance_name: str
    regimen: str
    route: str
    dose_events: list[dict[str, float | str]]
    subjects: int
    seed: int | None
    horizon_h: float
    step_h: float
    summary: SimulationSummary
    series: BandedSeries
    references: list[ReferenceExposure]
    effect: EffectPhases | None
    parameter_set: ParameterSetUsed
    warnings: list[SimulationWarning]
    limits: list[str] = Field(description="What this model does not describe.")

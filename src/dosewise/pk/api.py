"""The pharmacokinetic engine's one entry point: a request in, a :class:`SimulationResult` out.

:func:`simulate_request` resolves the substance, parses the regimen (text or explicit events),
chooses the published parameter set for the population, applies the person's covariates (weight,
kidney function, dialysis), draws the virtual subjects (seeded), streams the simulation in blocks
while the percentile bands, exceedance probabilities and per-subject statistics are computed, runs
the effect-compartment link on a sample of the subjects, and states the model's limits.

It is pure apart from reading the (already loaded) catalog: no I/O, no clock; times are hours
relative to the first dose event.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from dosewise.errors import InputError
from dosewise.knowledge.catalog import Catalog
from dosewise.knowledge.schema import PK_PARAMETER_UNITS, PKParameterSet, Substance, TimeCourse
from dosewise.pk.effect import (
    DEFAULT_REFERENCE_DOSE_MG,
    EffectLink,
    calibrate_effect_link,
    equilibration_half_life_min,
    phase_times,
    summarise_phase,
)
from dosewise.pk.models import FloatArray
from dosewise.pk.population import (
    Covariates,
    DialysisSession,
    individuals_from_set,
    select_parameter_set,
)
from dosewise.pk.regimen import (
    DoseEvent,
    Regimen,
    dose_amount_mg,
    parse_regimen,
    split_substance,
)
from dosewise.pk.results import (
    BandedSeries,
    Distribution,
    EffectPhases,
    ParameterSetUsed,
    ParameterValue,
    PhaseRange,
    ReferenceExposure,
    SimulationResult,
    SimulationSummary,
    SimulationWarning,
)
from dosewise.pk.simulate import simulate_arrays, stream_blocks, time_grid
from dosewise.pk.summary import DEFAULT_PERCENTILES, StreamingSummary, crossing_times, quantiles
from dosewise.severity import Severity
from dosewise.units import Route, format_hours, parse_route

MAX_SUBJECTS = 1_000_000
MAX_HORIZON_H = 400 * 24.0
MAX_POINTS = 20_000
MAX_SUBJECT_POINTS = 2_100_000_000
"""subjects × output points: a million subjects on the 2,017-point standard grid."""
MIN_STEP_H = 1 / 60
DEFAULT_SUBJECTS = 2_000
DEFAULT_STEP_H = 5 / 60
TARGET_POINTS = 4_033
"""Default grids are 5 minutes, coarsened (10, 15, 30 min, 1 h, ...) to stay near this size."""
EFFECT_SAMPLE = 1_000
ANURIC_CRCL_ML_MIN = 5.0
HEALTHY_ALIASES = frozenset({"healthy", "adult", "healthy_adult", "default"})
_NICE_STEPS_H = (5 / 60, 10 / 60, 15 / 60, 0.5, 1.0, 2.0, 4.0, 6.0, 12.0)
_STAT_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)

LIMITS = [
    "Linear (first-order) kinetics: not valid for massive overdoses, where absorption is "
    "prolonged, peaks can repeat and half-lives of 12-36 h are reported.",
    "Bands show differences between people (inter-individual variability of the published "
    "model), not measurement error, and not variation from day to day in one person.",
    "Racemic baclofen is modelled as one substance; the enantiomers are not separated.",
    "Kidney function scales the renal part of clearance (an inference from renal clearance ≈ "
    "creatinine clearance); no published population model has estimated it.",
    "Doses are taken exactly as entered: no variation in timing, adherence or product.",
    "The felt-effect timeline is a threshold model calibrated on reported onset and duration; "
    "it says when effects are expected, not how strong they feel.",
]


class DoseEventInput(BaseModel):
    """One dose as a client (e.g. the journal) gives it: hours relative to the first event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    t_h: float
    amount: float
    unit: str = "mg"
    route: str = "oral"
    duration_h: float = Field(0.0, description="0 for a bolus; the length of an infusion.")


class SimulationRequest(BaseModel):
    """What to simulate, for whom. Give ``regimen`` text or ``events``, not both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    substance: str
    regimen: str | None = Field(None, description="e.g. '20mg q8h for 7d', '5 mg tid'.")
    events: list[DoseEventInput] | None = None
    weight_kg: float | None = None
    crcl_ml_min: float | None = None
    dialysis: bool = False
    population: str | None = Field(
        None, description="A parameter-set id or a population: aud, healthy, pediatric."
    )
    subjects: int = DEFAULT_SUBJECTS
    seed: int | None = 1
    horizon_h: float | None = Field(None, description="End of the window (h after the start).")
    step_h: float | None = Field(None, description="Output grid step (h); default 5 min.")
    percentiles: list[float] = Field(default_factory=lambda: list(DEFAULT_PERCENTILES))


# --------------------------------------------------------------------------------------------
# Request checks


def _check_bounds(request: SimulationRequest) -> None:
    if not 1 <= request.subjects <= MAX_SUBJECTS:
        raise InputError(
            f"{request.subjects} virtual subjects cannot be simulated",
            field="subjects",
            accepted=f"1 to {MAX_SUBJECTS:,}",
        )
    if request.dialysis and request.crcl_ml_min is not None:
        raise InputError(
            "both dialysis and a creatinine clearance were given",
            field="crcl_ml_min",
            accepted="one of them (as dosewise check does): the clearance, or dialysis",
        )
    if request.horizon_h is not None and not (
        math.isfinite(request.horizon_h) and 0 < request.horizon_h <= MAX_HORIZON_H
    ):
        raise InputError(
            f"a window of {request.horizon_h:g} h cannot be simulated",
            field="horizon_h",
            accepted=f"more than 0 and at most {MAX_HORIZON_H:g} h (400 days)",
        )
    if request.step_h is not None and not (
        math.isfinite(request.step_h) and MIN_STEP_H <= request.step_h <= 24
    ):
        raise InputError(
            f"a grid step of {request.step_h:g} h is not allowed",
            field="step_h",
            accepted="1 minute (0.0167 h) to 24 h",
        )
    p = request.percentiles
    if not p or len(p) > 20 or any(not (math.isfinite(x) and 0 <= x <= 100) for x in p):
        raise InputError(
            "percentiles must be 1 to 20 numbers from 0 to 100",
            field="percentiles",
            accepted="e.g. [5, 25, 50, 75, 95]",
        )
    if request.seed is not None and not 0 <= request.seed < 2**63:
        raise InputError("the seed must be a non-negative integer", field="seed")
    if (request.regimen is None) == (request.events is None):
        raise InputError(
            "give either a regimen text or a list of dose events",
            field="regimen",
            accepted="regimen='20mg q8h for 7d' or events=[{t_h, amount, unit, route}]",
        )


def _build_regimen(request: SimulationRequest, substance: Substance, catalog: Catalog) -> Regimen:
    if request.regimen is not None:
        text = request.regimen
        name, rest = split_substance(text)
        if name is not None:
            named = catalog.resolve(name)
            if named.id != substance.id:
                raise InputError(
                    f"the regimen names {named.name}, the request {substance.name}",
                    field="regimen",
                    hint="leave the substance out of the regimen text",
                )
            text = rest
        return parse_regimen(text, weight_kg=request.weight_kg)
    assert request.events is not None
    if not request.events:
        raise InputError("the list of dose events is empty", field="events")
    events = []
    for i, item in enumerate(request.events):
        where = f"events[{i}]"
        if not math.isfinite(item.t_h):
            raise InputError("a dose time must be a finite number of hours", field=where)
        route = parse_route(item.route)
        mg = dose_amount_mg(item.amount, item.unit, route, weight_kg=request.weight_kg, field=where)
        events.append(DoseEvent(item.t_h, mg, route, item.duration_h))
    return Regimen.from_events(events)


def _select_set(
    substance: Substance, route: Route, population: str | None
) -> tuple[PKParameterSet, SimulationWarning | None]:
    if not substance.pk_models:
        raise InputError(
            f"there is no pharmacokinetic model for {substance.name} yet", field="substance"
        )
    try:
        return select_parameter_set(substance.pk_models, route=route, population=population), None
    except InputError:
        key = (population or "").strip().lower().replace(" ", "_")
        if key not in HEALTHY_ALIASES:
            raise
    pset = select_parameter_set(substance.pk_models, route=route, population=None)
    warning = SimulationWarning(
        severity=Severity.INFO,
        code="no_healthy_set",
        message=f"There is no parameter set fitted in healthy adults; the default set "
        f"({pset.label}) is used. Its half-life and time to peak fall within the ranges "
        "reported in healthy adults (see docs/validation.md).",
        sources=list(pset.sources),
    )
    return pset, warning


def fraction_excreted(substance: Substance) -> float | None:
    """The data's fraction excreted unchanged as a fraction (a "%" value is converted)."""
    renal = substance.renal
    if renal is None or renal.fraction_excreted_unchanged is None:
        return None
    fact = renal.fraction_excreted_unchanged
    if fact.value is None:
        return None
    return fact.value / 100 if fact.unit == "%" else fact.value


def _bioavailability(substance: Substance, route: Route) -> tuple[float | None, list[str]]:
    info = substance.route(route)
    if info is None:
        return None, []
    for fact in info.facts:
        if "bioavailability" in fact.name.lower() and fact.value is not None:
            value = fact.value / 100 if fact.unit == "%" else fact.value
            if 0 < value <= 1:
                return value, list(fact.sources)
    return None, []


def overdose_thresholds_mg(substance: Substance, route: Route) -> tuple[float | None, float | None]:
    """The single dose (mg) where the data's overdose bands start, and where an emergency band
    starts, for ``route`` (``None`` when the data has no such band).

    The simulation's overdose warning and its longer default window follow these, so they stay
    the same thresholds as the dose check's (baclofen: 100 mg and 200 mg, with their sources).
    """
    bands = [
        b
        for b in (substance.overdose.bands if substance.overdose is not None else [])
        if b.route is route and b.unit.is_mass
    ]
    first = min((b.from_amount * b.unit.mg_factor for b in bands), default=None)
    severe = min(
        (b.from_amount * b.unit.mg_factor for b in bands if b.severity >= Severity.EMERGENCY),
        default=None,
    )
    return first, severe


def _dialysis_sessions(start_h: float, end_h: float) -> tuple[DialysisSession, ...]:
    """Thrice-weekly 4-h haemodialysis: first session 24 h after the start, then +48, +48, +72 h."""
    sessions: list[DialysisSession] = []
    t = start_h + 24.0
    gaps = (48.0, 48.0, 72.0)
    i = 0
    while t < end_h and len(sessions) < 1000:
        sessions.append(DialysisSession.haemodialysis(t, 4.0))
        t += gaps[i % 3]
        i += 1
    return tuple(sessions)


def _default_step(span_h: float) -> float:
    for step in _NICE_STEPS_H:
        if span_h / step + 1 <= TARGET_POINTS:
            return step
    return _NICE_STEPS_H[-1]


def _usual_timecourse(substance: Substance, route: Route) -> TimeCourse | None:
    info = substance.route(route)
    if info is None:
        return None
    usable = [tc for tc in info.timecourse if tc.onset is not None and tc.total is not None]
    for tc in usable:
        if tc.context and "usual" in tc.context.lower():
            return tc
    return usable[0] if usable else None


def _default_set(substance: Substance, route: Route) -> PKParameterSet | None:
    for s in substance.pk_models:
        if s.route is route and s.default:
            return s
    return None


# --------------------------------------------------------------------------------------------
# The entry point


def simulate_request(
    catalog: Catalog,
    request: SimulationRequest,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate a regimen in a virtual population and summarise it.

    Parameters
    ----------
    catalog
        The knowledge base (``knowledge.catalog.default_catalog()``).
    request
        What to simulate.
    progress
        Called as ``progress(done_rows, total_rows)`` while the simulation streams.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InputError
        An unknown substance, an unreadable regimen, a request outside the limits (subjects,
        window, grid points), a population without a model, a per-kg set without a weight.
    """
    _check_bounds(request)
    substance = catalog.resolve(request.substance)
    regimen = _build_regimen(request, substance, catalog)
    route = regimen.route
    pset, set_warning = _select_set(substance, route, request.population)
    warnings: list[SimulationWarning] = [set_warning] if set_warning else []

    fe = fraction_excreted(substance)
    f_oral, f_sources = _bioavailability(substance, route)
    crcl = request.crcl_ml_min
    if request.dialysis and crcl is None:
        crcl = ANURIC_CRCL_ML_MIN
    start_h = min(0.0, regimen.start_h)

    # Typical half-life with the covariates, to choose the window.
    base_cov = Covariates(
        weight_kg=request.weight_kg,
        crcl_ml_min=crcl,
        fraction_excreted=fe,
        bioavailability=f_oral,
    )
    typical, _ = individuals_from_set(pset, 1, None, base_cov)
    t_half = float(typical.elimination_half_life_h()[0])
    if request.horizon_h is not None:
        horizon = request.horizon_h
    else:
        overdose_mg, _ = overdose_thresholds_mg(substance, regimen.route)
        in_overdose = overdose_mg is not None and regimen.max_single_mg >= overdose_mg
        floor_h = 48.0 if in_overdose else 24.0
        tail = min(max(floor_h, 5 * t_half), 14 * 24.0)
        horizon = min(math.ceil(regimen.end_h + tail), MAX_HORIZON_H)
    if horizon <= start_h:
        raise InputError("the window must end after the first dose", field="horizon_h")
    dialysis = _dialysis_sessions(start_h, horizon) if request.dialysis else ()
    cov = Covariates(
        weight_kg=request.weight_kg,
        crcl_ml_min=crcl,
        fraction_excreted=fe,
        bioavailability=f_oral,
        dialysis=dialysis,
    )
    step = request.step_h if request.step_h is not None else _default_step(horizon - start_h)
    n_points = math.floor((horizon - start_h) / step + 1e-9) + 1
    if n_points > MAX_POINTS:
        raise InputError(
            f"{n_points:,} output times ({format_hours(horizon - start_h)} every "
            f"{format_hours(step)}) are too many",
            field="step_h",
            accepted=f"at most {MAX_POINTS:,} output times: a longer step or a shorter window",
        )
    if n_points * request.subjects > MAX_SUBJECT_POINTS:
        raise InputError(
            f"{request.subjects:,} subjects × {n_points:,} times is too much work",
            field="subjects",
            accepted=f"subjects × output times at most {MAX_SUBJECT_POINTS:,}",
        )
    times = time_grid(horizon, step, start_h)

    n = request.subjects
    rng = np.random.default_rng(request.seed) if request.seed is not None else None
    if rng is None and n > 1:
        rng = np.random.default_rng()
    ind, segments = individuals_from_set(pset, n, rng, cov)

    refs = _reference_thresholds(substance, ind.structure.site)
    thresholds = [r[2] for r in refs]
    band_p = sorted(set(request.percentiles) | {5.0, 50.0, 95.0})
    summ = StreamingSummary(
        times,
        n,
        thresholds,
        percentiles=band_p,
        grid_peaks=ind.structure.has_peripheral,
        per_subject_time_above=True,
    )
    _, totals = stream_blocks(
        ind,
        regimen,
        times,
        process=summ.process,
        merge=summ.merge,
        clearance_segments=segments,
        progress=progress,
    )
    cmax = totals.cmax if totals.cmax is not None else summ.cmax
    tmax = totals.tmax_h if totals.tmax_h is not None else summ.tmax_h
    assert cmax is not None
    assert tmax is not None

    def dist(values: FloatArray) -> Distribution:
        return Distribution.from_values(quantiles(values, _STAT_PERCENTILES).tolist())

    summary = SimulationSummary(
        cmax_mg_per_l=dist(cmax),
        tmax_h=dist(tmax),
        auc_mg_h_per_l=dist(totals.auc),
        trough_mg_per_l=dist(totals.trough) if totals.trough is not None else None,
        half_life_h=dist(ind.elimination_half_life_h()),
    )

    bands = summ.bands
    series = BandedSeries(
        times_h=[round(float(t), 6) for t in times],
        percentiles=list(request.percentiles),
        conc_mg_per_l={_pkey(p): bands[:, band_p.index(p)].tolist() for p in request.percentiles},
    )
    p50 = bands[:, band_p.index(50.0)]
    p95 = bands[:, band_p.index(95.0)]
    prob = summ.probability_above
    references: list[ReferenceExposure] = []
    for i, (kind, label, thr, matrix, sources, note) in enumerate(refs):
        first, below = crossing_times(times, p50, thr)
        _, below95 = crossing_times(times, p95, thr)
        assert summ.time_above_h is not None
        references.append(
            ReferenceExposure(
                kind=kind,
                label=label,
                threshold_mg_per_l=thr,
                matrix=matrix,
                sources=sources,
                note=note,
                probability_ever_above=float(np.mean(cmax > thr)),
                max_probability_above=float(prob[:, i].max()) if prob.size else 0.0,
                time_above_h=dist(summ.time_above_h[i]),
                median_first_above_h=first,
                median_falls_below_h=below,
                p95_falls_below_h=below95,
                probability_above=[round(float(x), 6) for x in prob[:, i]],
            )
        )

    effect = _effect(substance, route, pset, ind, regimen, times, segments, cov, warnings)

    warnings.extend(
        _warnings(substance, pset, regimen, request, crcl, summary, refs, p95, times, dialysis)
    )
    used = _parameter_set_used(catalog, pset, typical, t_half, cov, f_oral, f_sources)
    return SimulationResult(
        substance=substance.id,
        substance_name=substance.name,
        regimen=regimen.description,
        route=route.value,
        dose_events=[
            {
                "time_h": e.time_h,
                "amount_mg": e.amount_mg,
                "route": e.route.value,
                "duration_h": e.duration_h,
            }
            for e in regimen.events
        ],
        subjects=n,
        seed=request.seed,
        horizon_h=float(horizon),
        step_h=float(step),
        summary=summary,
        series=series,
        references=references,
        effect=effect,
        parameter_set=used,
        warnings=warnings,
        limits=list(LIMITS),
    )


def _pkey(p: float) -> str:
    return f"p{p:g}"


_REFERENCE_LABELS = {
    "therapeutic_low": "therapeutic range, low end",
    "therapeutic_high": "therapeutic range, high end",
    "toxic": "toxic, low end",
    "comatose_fatal": "comatose/fatal, low end",
    "csf_therapeutic": "CSF in intrathecal therapy, low end",
}


def _reference_thresholds(
    substance: Substance, site: str
) -> list[tuple[str, str, float, str, list[str], str | None]]:
    """``(kind, label, threshold mg/L, matrix, sources, note)`` for each reference used."""
    out: list[tuple[str, str, float, str, list[str], str | None]] = []
    for ref in substance.reference_concentrations:
        csf = ref.matrix == "csf"
        if csf != (site == "csf"):
            continue
        low, high = ref.low_mg_per_l, ref.high_mg_per_l
        if ref.kind == "therapeutic":
            if low is not None:
                out.append(("therapeutic_low", "", low, ref.matrix, list(ref.sources), ref.note))
            if high is not None:
                out.append(("therapeutic_high", "", high, ref.matrix, list(ref.sources), ref.note))
        elif ref.kind in ("toxic", "comatose_fatal", "csf_therapeutic"):
            value = low if low is not None else high
            if value is not None:
                out.append((ref.kind, "", value, ref.matrix, list(ref.sources), ref.note))
    return [(k, _REFERENCE_LABELS[k], thr, m, s, note) for k, _, thr, m, s, note in out]


def _effect(
    substance: Substance,
    route: Route,
    pset: PKParameterSet,
    ind: Any,
    regimen: Regimen,
    times: FloatArray,
    segments: Sequence[Any],
    cov: Covariates,
    warnings: list[SimulationWarning],
) -> EffectPhases | None:
    tc = _usual_timecourse(substance, route)
    calib_set = _default_set(substance, route)
    if tc is None or calib_set is None or route is not Route.ORAL:
        return None
    onset = tc.hours("onset")
    total = tc.hours("total")
    assert onset is not None
    assert total is not None
    link = _calibrated(calib_set.model_dump_json(), onset, total)
    m = int(min(ind.n, EFFECT_SAMPLE, max(1, 4_000_000 // times.size)))
    sample = ind.subset(slice(0, m)).with_ke0(link.ke0_per_h)
    res = simulate_arrays(sample, regimen, times, clearance_segments=segments, effect=True)
    assert res.effect_mg_per_l is not None
    bolus = regimen.bolus_times_h
    first = regimen.start_h
    next_dose = next((t for t in bolus if t > first), None)
    on, pk, off, reached = phase_times(
        times,
        res.effect_mg_per_l,
        link.threshold_mg_per_l,
        first_dose_h=first,
        next_dose_h=next_dose,
    )
    fraction = float(reached.mean())

    def rng_of(values: FloatArray) -> PhaseRange | None:
        s = summarise_phase(values)
        return None if s is None else PhaseRange(p5_h=s[0], p50_h=s[1], p95_h=s[2])

    fast = (
        f"plasma and effect site equilibrate within about "
        f"{equilibration_half_life_min(link.ke0_per_h):.0f} min"
    )
    note = (
        f"Threshold model calibrated so that the typical subject of {link.calibrated_on} "
        f"feels a {link.reference_dose_mg:g} mg dose from {format_hours(link.onset_h)} to "
        f"{format_hours(link.offset_h)} after it (reported: onset "
        f"{format_hours(onset[0])}-{format_hours(onset[1])}, total "
        f"{format_hours(total[0])}-{format_hours(total[1])}); {fast}."
    )
    if link.at_upper_bound:
        note += (
            " The reported time course needs no delay beyond the plasma curve, so the fastest "
            "equilibration tried was kept."
        )
    offset_nan = np.isnan(off) & (reached > 0)
    if offset_nan.mean() > 0.5:
        note += " For most subjects the effect had not ended by the end of the window."
    if fraction < 0.5:
        warnings.append(
            SimulationWarning(
                severity=Severity.INFO,
                code="effect_below_threshold",
                message=f"For {100 * (1 - fraction):.0f}% of the virtual subjects the level stays "
                f"below the level at which a usual {DEFAULT_REFERENCE_DOSE_MG:g} mg dose is first "
                "felt; a milder effect is still possible.",
                sources=list(tc.sources),
            )
        )
    return EffectPhases(
        ke0_per_h=link.ke0_per_h,
        threshold_mg_per_l=link.threshold_mg_per_l,
        reference_dose_mg=link.reference_dose_mg,
        calibrated_on=link.calibrated_on,
        fraction_with_effect=fraction,
        onset=rng_of(on),
        peak=rng_of(np.where(reached > 0, pk, np.nan)),
        offset=rng_of(off),
        expected={"onset_h": list(onset), "total_h": list(total)},
        sources=list(tc.sources) + list(calib_set.sources),
        note=note,
    )


@functools.lru_cache(maxsize=16)
def _calibrated(
    pset_json: str, onset: tuple[float, float], total: tuple[float, float]
) -> EffectLink:
    """The effect link of a parameter set (memoised: it depends on the data only)."""
    return calibrate_effect_link(PKParameterSet.model_validate_json(pset_json), onset, total)


def _overdose_facts(substance: Substance) -> tuple[str, list[str]]:
    parts: list[str] = []
    sources: list[str] = []
    od = substance.overdose
    if od is None:
        return "", sources
    for fact in od.course:
        name = fact.name.lower()
        if "half-life" in name and fact.range is not None:
            parts.append(
                f"half-lives of {fact.range[0]:g}-{fact.range[1]:g} {fact.unit} are reported after "
                "overdoses"
            )
            sources += fact.sources
        elif "ventilation" in name and fact.text:
            parts.append(f"duration of mechanical ventilation: {fact.text}")
            sources += fact.sources
    if od.duration is not None:
        parts.append(od.duration.text.rstrip("."))
        sources += od.duration.sources
    return "; ".join(parts), list(dict.fromkeys(sources))


def _warnings(
    substance: Substance,
    pset: PKParameterSet,
    regimen: Regimen,
    request: SimulationRequest,
    crcl: float | None,
    summary: SimulationSummary,
    refs: Sequence[tuple[str, str, float, str, list[str], str | None]],
    p95: FloatArray,
    times: FloatArray,
    dialysis: Sequence[DialysisSession],
) -> list[SimulationWarning]:
    out: list[SimulationWarning] = []
    toxic = next((r for r in refs if r[0] == "toxic"), None)
    single = regimen.max_single_mg
    overdose_mg, severe_mg = overdose_thresholds_mg(substance, regimen.route)
    overdose_dose = overdose_mg is not None and single >= overdose_mg
    high_levels = toxic is not None and summary.cmax_mg_per_l.p95 > toxic[2]
    if overdose_dose or high_levels:
        facts, sources = _overdose_facts(substance)
        severe = (severe_mg is not None and single >= severe_mg) or (
            toxic is not None and summary.cmax_mg_per_l.p50 > toxic[2]
        )
        what = f"a single dose of {single:g} mg" if overdose_dose else "levels in the toxic range"
        sources = sorted(
            set(sources)
            | {
                s
                for b in (substance.overdose.bands if substance.overdose is not None else [])
                if b.route is regimen.route
                for s in b.sources
            }
        )
        out.append(
            SimulationWarning(
                severity=Severity.DANGER if severe else Severity.WARNING,
                code="overdose_nonlinear",
                message=f"This simulation includes {what}. Linear kinetics do not describe "
                "massive overdoses: absorption can be prolonged, with several peaks, and the "
                "elimination is slower than modelled here, so the real curve can stay high much "
                f"longer than shown. {facts.capitalize() + '.' if facts else ''} This is a "
                "medical emergency: call emergency services.",
                sources=sources,
            )
        )
    if crcl is not None:
        out.append(
            SimulationWarning(
                severity=Severity.WARNING if crcl < 30 else Severity.CAUTION,
                code="renal_scaling",
                message=f"Clearance was scaled to a creatinine clearance of {crcl:g} mL/min "
                "(renal part of clearance ∝ creatinine clearance; about 70% of a dose is "
                "excreted unchanged). This is an inference, not a fitted model; with reduced "
                "kidney function toxicity has followed usual doses, typically 2-3 days after "
                "starting.",
                sources=["wuis-1989", "kochak-1985", "el-husseini-2011"],
            )
        )
    if dialysis:
        out.append(
            SimulationWarning(
                severity=Severity.WARNING,
                code="dialysis_assumed",
                message="Dialysis was modelled as 4-hour haemodialysis sessions three times a "
                "week (first 24 h after the first dose), with a dialysis clearance of 128 mL/min"
                + (
                    f" and a residual creatinine clearance of {ANURIC_CRCL_ML_MIN:g} mL/min"
                    if request.crcl_ml_min is None
                    else ""
                )
                + ". Real session times change the curve.",
                sources=["brvar-2007"],
            )
        )
    if request.weight_kg is not None and pset.weight_scaling != "per_kg":
        out.append(
            SimulationWarning(
                severity=Severity.INFO,
                code="weight_not_covariate",
                message=f"Body weight is not a covariate of {pset.id} (none was significant "
                "in the published model), so it did not change the simulation.",
                sources=list(pset.sources),
            )
        )
    if pset.note and pset.weight_scaling == "per_kg":
        out.append(
            SimulationWarning(
                severity=Severity.CAUTION,
                code="approximate_model",
                message=pset.note,
                sources=list(pset.sources),
            )
        )
    therapeutic = next((r for r in refs if r[0] == "therapeutic_low"), None)
    if therapeutic is not None and p95[-1] > therapeutic[2] and times[-1] > regimen.end_h:
        out.append(
            SimulationWarning(
                severity=Severity.INFO,
                code="window_too_short",
                message="At the end of the window some virtual subjects still have levels "
                "above the lower end of the therapeutic range; extend the window to see the "
                "whole decline.",
            )
        )
    return out


def _parameter_set_used(
    catalog: Catalog,
    pset: PKParameterSet,
    typical: Any,
    t_half: float,
    cov: Covariates,
    f_oral: float | None,
    f_sources: list[str],
) -> ParameterSetUsed:
    applied: list[str] = []
    if pset.weight_scaling == "per_kg" and cov.weight_kg is not None:
        applied.append(f"per-kg parameters × {cov.weight_kg:g} kg")
    if cov.crcl_ml_min is not None:
        applied.append(
            f"clearance × {cov.renal_factor():.3f} for creatinine clearance "
            f"{cov.crcl_ml_min:g} mL/min (fe {cov.fraction_excreted:g}, reference "
            f"{cov.crcl_ref_ml_min:g} mL/min)"
        )
    if cov.dialysis:
        applied.append(
            f"{len(cov.dialysis)} haemodialysis sessions (128 mL/min, divided by F = {f_oral:g} "
            "for apparent parameters)"
        )
    citations = []
    for sid in pset.sources:
        try:
            citations.append(catalog.source(sid).citation())
        except (KeyError, InputError):
            citations.append(sid)
    params = {
        name: ParameterValue(
            value=p.value,
            unit=PK_PARAMETER_UNITS.get(name, "")
            + ("/kg" if pset.weight_scaling == "per_kg" and name in ("cl", "v", "q", "vp") else ""),
            iiv_cv=p.iiv_cv,
        )
        for name, p in pset.params.items()
    }
    sources = list(pset.sources)
    if cov.dialysis:
        sources += [s for s in f_sources if s not in sources]
    return ParameterSetUsed(
        id=pset.id,
        label=pset.label,
        population=pset.population,
        model=pset.model,
        params=params,
        typical_half_life_h=t_half,
        renal_factor=cov.renal_factor(),
        weight_kg=cov.weight_kg,
        covariates_applied=applied,
        sources=sources,
        citations=citations,
        note=pset.note,
    )

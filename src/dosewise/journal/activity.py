"""What is still active from the doses taken: the one place the journal calls the PK engine.

For a substance and route with a population PK model in the data (baclofen, oral), the doses are
simulated for a virtual population (log-normal inter-individual variability on the published
parameters, the person's kidney function applied to the renal part of clearance) and the
concentration now is given as a 5th-50th-95th percentile band. Otherwise the data's reported
time course (onset, peak, total duration) is used, and the result says so: "from reported
durations, not a PK model".

Rules (design choices, documented in ``docs/journal.md``):

* **Mostly gone.** With a PK model: the first time after the predicted peak of the last dose when
  the cautious (95th percentile) concentration falls below the low end of the data's therapeutic
  range (plasma), or below 10% of that peak when the data has no range. From reported
  durations: the last dose plus the longest total duration any source reports.
* **Active.** Not yet mostly gone.
* **Equivalent amount.** With a PK model: the highest concentration still to come (from now on)
  divided by the peak of a single 1-unit dose in the same virtual person, taken at the 95th
  percentile over the population: "what is in the body now is like a single dose of X". From
  reported durations: the sum of doses taken within the longest reported duration (the cautious
  stacking of the assessment engine). Overdose bands are applied to this amount.
* **Effect phase.** From the reported time course of the last dose (the PK data have no effect
  compartment): before onset, coming on, peak, wearing off, after-effects, mostly over.

If the PK engine's interface changes, only this module changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dosewise.assess.models import Person
from dosewise.assess.risk import CATEGORY_CRCL
from dosewise.errors import DosewiseError
from dosewise.knowledge.schema import PKParameterSet, RouteInfo, Substance
from dosewise.units import DoseUnit, Route, concentration_to_mg_per_l

N_SUBJECTS = 200
SEED = 20_261_124
STEP_H = 10 / 60
HORIZON_H = 72.0
MIN_LOOKBACK_H = 48.0
MAX_LOOKBACK_H = 14 * 24.0
LOOKBACK_HALF_LIVES = 10.0
FALLBACK_FRACTION_OF_PEAK = 0.10
DURATIONS_LABEL = "from reported durations, not a PK model"

Phase = Literal[
    "before_onset", "coming_on", "peak", "wearing_off", "after_effects", "mostly_over", "unknown"
]
BandKind = Literal[
    "below_therapeutic", "therapeutic", "above_therapeutic", "toxic", "comatose_fatal"
]

PHASE_TEXT: dict[str, str] = {
    "before_onset": "taken, effects not expected yet",
    "coming_on": "coming on",
    "peak": "at or near the peak",
    "wearing_off": "wearing off",
    "after_effects": "after-effects",
    "mostly_over": "effects mostly over",
    "unknown": "no time course in the data",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


@dataclass(frozen=True)
class DoseRecord:
    """One dose, as the engines need it: amount in the route's unit, aware time."""

    substance_id: str
    route: Route
    amount: float
    unit: DoseUnit
    taken_at: datetime


class LevelBand(_Frozen):
    """Where the predicted concentration falls among the data's reference concentrations."""

    kind: BandKind
    label: str
    reference: str
    sources: list[str]


class Concentration(_Frozen):
    """Predicted concentration now (mg/L), 5th, 50th and 95th percentiles."""

    p5: float
    p50: float
    p95: float
    site: str
    trend: Literal["rising", "falling", "steady"]


class Activity(_Frozen):
    """What is still active of one substance by one route."""

    substance_id: str
    substance_name: str
    route: Route
    unit: str
    method: Literal["pk_model", "reported_durations"]
    method_label: str
    model_id: str | None = None
    doses_considered: int
    last_dose_at: datetime
    hours_since_last: float
    active: bool
    phase: Phase
    phase_text: str
    phase_sources: list[str]
    concentration: Concentration | None = None
    level_band: LevelBand | None = None
    mostly_gone_at: datetime | None
    mostly_gone_rule: str
    equivalent_amount: float
    equivalent_rule: str
    sources: list[str]
    notes: list[str]


# --------------------------------------------------------------------------------------------
# Reported time course


@dataclass(frozen=True)
class TimeWindows:
    onset: tuple[float, float] | None
    peak_end: float | None
    total: tuple[float, float] | None
    afterglow_end: float | None
    sources: list[str]


def time_windows(info: RouteInfo) -> TimeWindows:
    """The reported time course across sources, cautiously combined (hours after a dose)."""
    onsets, totals, peak_ends, afters = [], [], [], []
    sources: list[str] = []
    for tc in info.timecourse:
        if tc.context and "infusion" in tc.context:
            continue
        onset, peak, total, after = (tc.hours(p) for p in ("onset", "peak", "total", "afterglow"))
        if onset:
            onsets.append(onset)
        if total:
            totals.append(total)
        if peak:
            start = 0.0 if tc.peak_after_dose else (onset[1] if onset else 0.0)
            peak_ends.append(start + peak[1])
        if total and after:
            afters.append(total[1] + after[1])
        if onset or total or peak:
            sources += tc.sources
    return TimeWindows(
        onset=(min(o[0] for o in onsets), max(o[1] for o in onsets)) if onsets else None,
        peak_end=max(peak_ends) if peak_ends else None,
        total=(min(t[0] for t in totals), max(t[1] for t in totals)) if totals else None,
        afterglow_end=max(afters) if afters else None,
        sources=list(dict.fromkeys(sources)),
    )


def phase_at(windows: TimeWindows, hours_since: float) -> Phase:
    """The effect phase ``hours_since`` the last dose, from the reported time course."""
    if windows.onset is None and windows.total is None:
        return "unknown"
    if windows.onset is not None:
        if hours_since < windows.onset[0]:
            return "before_onset"
        if hours_since < windows.onset[1]:
            return "coming_on"
    peak_end = windows.peak_end
    if peak_end is None and windows.total is not None:
        peak_end = windows.total[0] / 2
    if peak_end is not None and hours_since < peak_end:
        return "peak"
    if windows.total is not None and hours_since < windows.total[1]:
        return "wearing_off"
    if windows.afterglow_end is not None and hours_since < windows.afterglow_end:
        return "after_effects"
    return "mostly_over"


# --------------------------------------------------------------------------------------------
# Reference concentrations


def level_band(substance: Substance, conc_mg_per_l: float, site: str) -> LevelBand | None:
    """The highest reference band the concentration reaches (plasma/blood references only)."""
    if site != "plasma":
        return None
    refs: dict[str, tuple[float, float, list[str], str]] = {}
    molar = substance.identifiers.molar_mass_g_per_mol if substance.identifiers else None
    for ref in substance.reference_concentrations:
        if ref.kind not in ("therapeutic", "toxic", "comatose_fatal") or ref.low is None:
            continue
        if ref.matrix in ("csf", "postmortem_blood", "urine"):
            continue
        try:
            low = concentration_to_mg_per_l(ref.low, ref.unit, molar_mass_g_per_mol=molar)
            high = concentration_to_mg_per_l(
                ref.high if ref.high is not None else ref.low, ref.unit, molar_mass_g_per_mol=molar
            )
        except DosewiseError:
            continue
        text = f"{_num(ref.low)}–{_num(ref.high or ref.low)} {ref.unit} ({ref.matrix})"
        refs.setdefault(ref.kind, (low, high, list(ref.sources), text))
    if "therapeutic" not in refs and "toxic" not in refs:
        return None
    for kind, label in (
        ("comatose_fatal", "in the range reported in coma and deaths"),
        ("toxic", "in the toxic range"),
    ):
        if kind in refs and conc_mg_per_l >= refs[kind][0]:
            low, high, sources, text = refs[kind]
            return LevelBand(kind=kind, label=label, reference=text, sources=sources)
    if "therapeutic" in refs:
        low, high, sources, text = refs["therapeutic"]
        if conc_mg_per_l < low:
            kind_b: BandKind = "below_therapeutic"
            label = "below the therapeutic range"
        elif conc_mg_per_l <= high:
            kind_b, label = "therapeutic", "within the therapeutic range"
        else:
            kind_b, label = "above_therapeutic", "above the therapeutic range"
        return LevelBand(kind=kind_b, label=label, reference=text, sources=sources)
    low, high, sources, text = refs["toxic"]
    return LevelBand(
        kind="below_therapeutic", label="below the toxic range", reference=text, sources=sources
    )


def therapeutic_low_mg_per_l(substance: Substance) -> tuple[float, list[str]] | None:
    for ref in substance.reference_concentrations:
        if ref.kind == "therapeutic" and ref.low is not None and ref.matrix != "csf":
            try:
                value = concentration_to_mg_per_l(ref.low, ref.unit)
            except DosewiseError:
                continue
            return value, list(ref.sources)
    return None


def _num(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------------------------
# PK model


def pk_model_for(substance: Substance, route: Route) -> PKParameterSet | None:
    """The data's default population PK model for the route, if any (adult, not per kg)."""
    from dosewise.pk.population import select_parameter_set

    candidates = [p for p in substance.pk_models if p.route is route]
    if not candidates:
        return None
    chosen = select_parameter_set(candidates, route=route)
    return chosen if chosen.weight_scaling == "none" else None


def _crcl(person: Person) -> tuple[float | None, str | None]:
    if person.kidney == "dialysis":
        from dosewise.pk.api import ANURIC_CRCL_ML_MIN

        return ANURIC_CRCL_ML_MIN, (
            f"on dialysis: modelled with a residual clearance of {ANURIC_CRCL_ML_MIN:g} mL/min, "
            "as the simulator does; the clearance of dialysis sessions is not counted (their "
            "times are not in the journal), so levels may fall faster than shown"
        )
    if person.crcl_ml_min is not None:
        return person.crcl_ml_min, None
    if person.egfr is not None:
        return person.egfr, "eGFR used as an estimate of creatinine clearance"
    if person.kidney is not None:
        value = CATEGORY_CRCL[person.kidney]
        return value, f"{person.kidney} kidney function modelled as a clearance of {value:g} mL/min"
    return None, None


def _activity_pk(
    substance: Substance,
    info: RouteInfo,
    pset: PKParameterSet,
    doses: Sequence[DoseRecord],
    person: Person,
    now: datetime,
    windows: TimeWindows,
) -> Activity:
    import numpy as np

    from dosewise.pk.api import fraction_excreted
    from dosewise.pk.population import Covariates, individuals_from_set
    from dosewise.pk.regimen import DoseEvent, Regimen
    from dosewise.pk.simulate import simulate_arrays, time_grid

    notes: list[str] = []
    crcl, crcl_note = _crcl(person)
    sources = list(pset.sources)
    fe = fraction_excreted(substance) if crcl is not None else None
    if fe is not None and substance.renal and substance.renal.fraction_excreted_unchanged:
        sources += substance.renal.fraction_excreted_unchanged.sources
        if crcl_note:
            notes.append(crcl_note)
    else:
        crcl = None
    covariates = Covariates(crcl_ml_min=crcl, fraction_excreted=fe)
    ind, _segments = individuals_from_set(pset, N_SUBJECTS, np.random.default_rng(SEED), covariates)
    half_life_p95 = float(np.percentile(ind.elimination_half_life_h(), 95))
    lookback = min(max(LOOKBACK_HALF_LIVES * half_life_p95, MIN_LOOKBACK_H), MAX_LOOKBACK_H)
    mg_factor = info.dose_unit.mg_factor
    recent = [d for d in doses if 0 <= (now - d.taken_at).total_seconds() / 3600 <= lookback] or [
        doses[-1]
    ]
    events = [
        DoseEvent((d.taken_at - now).total_seconds() / 3600, d.amount * mg_factor, info.route)
        for d in recent
    ]
    first = min(e.time_h for e in events)
    start = math.floor(first / STEP_H) * STEP_H
    times = time_grid(HORIZON_H, STEP_H, start)
    conc = simulate_arrays(ind, Regimen.from_events(events), times).conc_mg_per_l
    i_now = int(np.argmin(np.abs(times)))
    now_row = conc[i_now]
    p5, p50, p95 = (float(x) for x in np.percentile(now_row, [5, 50, 95]))
    nxt = float(np.percentile(conc[min(i_now + 1, len(times) - 1)], 50))
    trend: Literal["rising", "falling", "steady"] = (
        "rising" if nxt > p50 * 1.001 else "falling" if nxt < p50 * 0.999 else "steady"
    )
    site = ind.structure.site
    upper = np.percentile(conc, 95, axis=1)

    # Mostly gone: after the last dose's predicted peak, p95 below the threshold for good.
    last_h = events[-1].time_h
    i_last = int(np.searchsorted(times, last_h - 1e-9))
    i_peak = i_last + int(np.argmax(upper[i_last:]))
    threshold_info = therapeutic_low_mg_per_l(substance) if site == "plasma" else None
    if threshold_info is not None:
        threshold, t_sources = threshold_info
        rule = (
            "cautious (95th percentile) predicted level below the low end of the therapeutic "
            f"range ({threshold:g} mg/L) after the last dose's peak"
        )
        sources += t_sources
    else:
        threshold = FALLBACK_FRACTION_OF_PEAK * float(upper[i_peak])
        rule = "cautious (95th percentile) predicted level below 10% of the last dose's peak"
    above = np.nonzero(upper[i_peak:] >= threshold)[0]
    if above.size == 0:
        gone_index: int | None = i_peak
    else:
        last_above = i_peak + int(above[-1])
        gone_index = last_above + 1 if last_above + 1 < len(times) else None
    mostly_gone_at = (
        now + timedelta(hours=float(times[gone_index])) if gone_index is not None else None
    )
    if mostly_gone_at is None:
        notes.append(f"still above the threshold {HORIZON_H:g} h from now")
    active = mostly_gone_at is None or mostly_gone_at > now

    # Equivalent single dose: peak still to come / peak of a unit dose, per virtual person.
    unit_times = time_grid(24.0, 5 / 60)
    unit_conc = simulate_arrays(
        ind, Regimen.from_events([DoseEvent(0.0, mg_factor, info.route)]), unit_times
    ).conc_mg_per_l
    unit_peak = unit_conc.max(axis=0)
    future_peak = conc[i_now:].max(axis=0)
    equivalent = float(np.percentile(future_peak / unit_peak, 95))

    band = level_band(substance, p95, site)
    if band is not None:
        sources += band.sources
    hours_since = (now - doses[-1].taken_at).total_seconds() / 3600
    phase = phase_at(windows, hours_since)
    if len(recent) < len(doses):
        notes.append(f"{len(doses) - len(recent)} earlier dose(s) are too old to matter")
    return Activity(
        substance_id=substance.id,
        substance_name=substance.name,
        route=info.route,
        unit=info.dose_unit.symbol,
        method="pk_model",
        method_label=f"population PK model: {pset.label}",
        model_id=pset.id,
        doses_considered=len(recent),
        last_dose_at=doses[-1].taken_at,
        hours_since_last=hours_since,
        active=active,
        phase=phase,
        phase_text=PHASE_TEXT[phase],
        phase_sources=windows.sources,
        concentration=Concentration(p5=p5, p50=p50, p95=p95, site=site, trend=trend),
        level_band=band,
        mostly_gone_at=mostly_gone_at,
        mostly_gone_rule=rule,
        equivalent_amount=equivalent,
        equivalent_rule=(
            "highest level still to come, as the single dose that would reach it (95th "
            "percentile of a virtual population)"
        ),
        sources=list(dict.fromkeys(sources)),
        notes=notes,
    )


def _activity_durations(
    substance: Substance,
    info: RouteInfo,
    doses: Sequence[DoseRecord],
    now: datetime,
    windows: TimeWindows,
) -> Activity:
    last = doses[-1]
    hours_since = (now - last.taken_at).total_seconds() / 3600
    longest = windows.total[1] if windows.total is not None else None
    notes: list[str] = []
    if longest is None:
        mostly_gone_at = None
        equivalent = sum(d.amount for d in doses if (now - d.taken_at) <= timedelta(hours=24))
        rule = "no total duration in the data: doses of the last 24 h are counted as active"
        active = hours_since < 24
        notes.append("the data give no total duration for this route")
    else:
        mostly_gone_at = last.taken_at + timedelta(hours=longest)
        window = timedelta(hours=longest)
        equivalent = sum(d.amount for d in doses if timedelta(0) <= now - d.taken_at < window)
        rule = f"last dose plus the longest total duration reported ({longest:g} h)"
        active = mostly_gone_at > now
    phase = phase_at(windows, hours_since)
    return Activity(
        substance_id=substance.id,
        substance_name=substance.name,
        route=info.route,
        unit=info.dose_unit.symbol,
        method="reported_durations",
        method_label=DURATIONS_LABEL,
        doses_considered=len(doses),
        last_dose_at=last.taken_at,
        hours_since_last=hours_since,
        active=active,
        phase=phase,
        phase_text=PHASE_TEXT[phase],
        phase_sources=windows.sources,
        mostly_gone_at=mostly_gone_at,
        mostly_gone_rule=rule,
        equivalent_amount=equivalent,
        equivalent_rule="doses taken within the longest reported duration, added up (cautious)",
        sources=windows.sources,
        notes=notes,
    )


def activity(
    substance: Substance,
    info: RouteInfo,
    doses: Sequence[DoseRecord],
    person: Person,
    now: datetime,
) -> Activity:
    """What is still active of ``doses`` (one substance, one route, sorted by time) at ``now``.

    Doses after ``now`` are ignored. Pure: the same inputs give the same answer (the virtual
    population has a fixed seed).
    """
    past = sorted((d for d in doses if d.taken_at <= now), key=lambda d: d.taken_at)
    if not past:
        raise ValueError("activity needs at least one dose at or before now")
    windows = time_windows(info)
    pset = pk_model_for(substance, info.route)
    if pset is not None:
        try:
            return _activity_pk(substance, info, pset, past, person, now, windows)
        except DosewiseError as error:
            fallback = _activity_durations(substance, info, past, now, windows)
            return fallback.model_copy(
                update={"notes": [*fallback.notes, f"PK model not used: {error}"]}
            )
    return _activity_durations(substance, info, past, now, windows)


def validate_regimen(text: str, route: Route) -> str:
    """Check a prescription's regimen text with the PK engine's parser; returns its description.

    Raises
    ------
    InputError
        Text that is not a regimen (with the accepted forms).
    """
    from dosewise.pk.regimen import parse_regimen

    return parse_regimen(text, default_route=route).description


def split_prescription(text: str) -> tuple[str | None, str]:
    """``"baclofen 20mg tid"`` -> ``("baclofen", "20mg tid")`` (the PK engine's parser)."""
    from dosewise.pk.regimen import split_substance

    return split_substance(text)

"""Felt-effect timeline: an effect-compartment link calibrated on reported onset and duration.

The effect site follows plasma with a first-order delay, ``dCe/dt = ke0 (Cp - Ce)`` (Sheiner
1979). The effect is "felt" while ``Ce`` is above a threshold concentration ``Ce*``. There are no
published baclofen PK-PD parameters for felt effects, so the two unknowns ``(ke0, Ce*)`` are
calibrated on the reported time course of usual oral doses (onset 15-45 min, total duration
3-6 h): for the typical subject of the calibration set after the reference dose, ``Ce*`` is the
effect-site level at the middle of the onset range, and ``ke0`` is the one (searched on a
log grid) whose offset falls closest to the middle of the duration range.

The link then gives, per virtual subject and for any regimen, the onset (first time ``Ce > Ce*``),
the peak (time of the highest ``Ce`` after the first dose) and the offset (when ``Ce`` falls below
``Ce*`` for good), reported as median and 5th-95th percentiles. This is a threshold model: it says
*when* the effect is expected, not how strong it feels; doses whose effect-site level stays
below ``Ce*`` are reported as "below the level at which a usual dose is first felt", not as
"no effect".

References
----------
.. [1] Sheiner LB, Stanski DR, Vozeh S, Miller RD, Ham J. Simultaneous modeling of
   pharmacokinetics and pharmacodynamics: application to d-tubocurarine. *Clin Pharmacol Ther*
   1979;25:358-371.
.. [2] Holford NHG, Sheiner LB. Understanding the dose-effect relationship: clinical application
   of pharmacokinetic-pharmacodynamic models. *Clin Pharmacokinet* 1981;6:429-453.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dosewise.knowledge.schema import PKParameterSet
from dosewise.pk.models import FloatArray
from dosewise.pk.population import Covariates, individuals_from_set
from dosewise.pk.regimen import Regimen
from dosewise.pk.simulate import simulate_arrays, time_grid

KE0_BOUNDS_PER_H = (0.05, 20.0)
"""Search range of ``ke0``: equilibration half-lives from 2 min to 14 h."""
CALIBRATION_STEP_H = 1 / 60
DEFAULT_REFERENCE_DOSE_MG = 20.0
"""A usual single oral dose (label maximum single dose; TripSit 'common' starts at 20 mg)."""


@dataclass(frozen=True)
class EffectLink:
    """A calibrated effect-compartment link.

    Attributes
    ----------
    ke0_per_h
        Plasma to effect-site equilibration rate constant.
    threshold_mg_per_l
        Effect-site concentration above which the effect is felt.
    reference_dose_mg
        The dose the calibration used.
    onset_target_h, total_target_h
        The reported ranges the calibration aimed at (their midpoints).
    calibrated_on
        The parameter set id of the calibration subject.
    onset_h, offset_h
        What the calibrated link gives for the typical subject.
    at_upper_bound
        ``ke0`` hit the top of its search range: plasma and effect site equilibrate faster than the
        reported time course can resolve (the plasma curve alone reproduces it).
    """

    ke0_per_h: float
    threshold_mg_per_l: float
    reference_dose_mg: float
    onset_target_h: tuple[float, float]
    total_target_h: tuple[float, float]
    calibrated_on: str
    onset_h: float
    offset_h: float
    at_upper_bound: bool


def _first_crossing_up(times: FloatArray, ce: FloatArray, thr: FloatArray) -> FloatArray:
    """First time each column of ``ce`` rises above ``thr`` (linear interpolation); NaN if never."""
    above = ce > thr
    any_above = above.any(axis=0)
    i = np.argmax(above, axis=0)
    prev = np.maximum(i - 1, 0)
    cols = np.arange(ce.shape[1])
    c0, c1 = ce[prev, cols], ce[i, cols]
    t0, t1 = times[prev], times[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where((i > 0) & (c1 > c0), (thr - c0) / (c1 - c0), 1.0)
    out = t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0)
    return np.where(any_above, out, np.nan)


def _last_crossing_down(times: FloatArray, ce: FloatArray, thr: FloatArray) -> FloatArray:
    """When each column falls below ``thr`` for good (interpolated); NaN if never above or if
    still above at the last time."""
    above = ce > thr
    any_above = above.any(axis=0)
    t_count = ce.shape[0]
    last = t_count - 1 - np.argmax(above[::-1], axis=0)
    nxt = np.minimum(last + 1, t_count - 1)
    cols = np.arange(ce.shape[1])
    c0, c1 = ce[last, cols], ce[nxt, cols]
    t0, t1 = times[last], times[nxt]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(c0 > c1, (c0 - thr) / (c0 - c1), 0.0)
    out = t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0)
    return np.where(any_above & (last < t_count - 1), out, np.nan)


def calibrate_effect_link(
    pset: PKParameterSet,
    onset_h: tuple[float, float],
    total_h: tuple[float, float],
    *,
    reference_dose_mg: float = DEFAULT_REFERENCE_DOSE_MG,
    covariates: Covariates | None = None,
    n_candidates: int = 240,
) -> EffectLink:
    """Calibrate ``(ke0, Ce*)`` so the typical subject reproduces the reported time course.

    Parameters
    ----------
    pset
        The parameter set of the calibration subject (its typical values, no variability).
    onset_h, total_h
        Reported onset and total duration after a usual dose (hours, ``[low, high]``).
    reference_dose_mg
        The usual single dose the time course describes.
    covariates
        Needed for per-kg sets only.
    n_candidates
        Number of ``ke0`` values tried (log-spaced over :data:`KE0_BOUNDS_PER_H`).

    Returns
    -------
    EffectLink

    References
    ----------
    .. [1] Sheiner LB et al. *Clin Pharmacol Ther* 1979;25:358-371 (effect compartment).
    """
    onset_mid = 0.5 * (onset_h[0] + onset_h[1])
    total_mid = 0.5 * (total_h[0] + total_h[1])
    ke0 = np.geomspace(KE0_BOUNDS_PER_H[0], KE0_BOUNDS_PER_H[1], n_candidates)
    ind, _ = individuals_from_set(pset, n_candidates, None, covariates)
    ind = ind.with_ke0(ke0)
    horizon = max(24.0, 4 * total_h[1])
    times = time_grid(horizon, CALIBRATION_STEP_H)
    times = np.unique(np.concatenate([times, [onset_mid]]))
    res = simulate_arrays(ind, Regimen.single(reference_dose_mg), times, effect=True)
    assert res.effect_mg_per_l is not None
    ce = res.effect_mg_per_l
    i_on = int(np.searchsorted(times, onset_mid))
    thr = ce[i_on].copy()
    offset = _last_crossing_down(times, ce, thr)
    err = np.abs(np.nan_to_num(offset, nan=np.inf) - total_mid)
    j = int(np.argmin(err))
    onset = _first_crossing_up(times, ce[:, j : j + 1], thr[j : j + 1])
    return EffectLink(
        ke0_per_h=float(ke0[j]),
        threshold_mg_per_l=float(thr[j]),
        reference_dose_mg=reference_dose_mg,
        onset_target_h=(float(onset_h[0]), float(onset_h[1])),
        total_target_h=(float(total_h[0]), float(total_h[1])),
        calibrated_on=pset.id,
        onset_h=float(onset[0]),
        offset_h=float(offset[j]),
        at_upper_bound=j == n_candidates - 1,
    )


def phase_times(
    times_h: FloatArray,
    ce_mg_per_l: FloatArray,
    threshold_mg_per_l: float,
    *,
    first_dose_h: float,
    next_dose_h: float | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Onset, peak and offset of the felt effect per subject.

    Parameters
    ----------
    times_h
        Output times, shape ``(T,)``.
    ce_mg_per_l
        Effect-site concentrations, shape ``(T, N)``.
    threshold_mg_per_l
        The calibrated threshold ``Ce*``.
    first_dose_h
        Time of the first dose (onset and peak are searched after it).
    next_dose_h
        Time of the next dose, if any: the peak is the highest level before it.

    Returns
    -------
    onset_h, peak_h, offset_h, reached
        Arrays of shape ``(N,)``; ``reached`` is 1.0 where the subject's level exceeds ``Ce*``.
        ``offset_h`` is NaN when the level is still above ``Ce*`` at the end of the window.
    """
    thr = np.full(ce_mg_per_l.shape[1], threshold_mg_per_l)
    after = times_h >= first_dose_h
    t = times_h[after]
    ce = ce_mg_per_l[after]
    onset = _first_crossing_up(t, ce, thr)
    offset = _last_crossing_down(t, ce, thr)
    window = t < next_dose_h if next_dose_h is not None else np.ones(t.size, dtype=bool)
    if not window.any():
        window[:] = True
    peak = t[window][np.argmax(ce[window], axis=0)]
    reached = (ce > thr).any(axis=0).astype(float)
    return onset, np.asarray(peak, dtype=float), offset, reached


def summarise_phase(values: FloatArray) -> tuple[float, float, float] | None:
    """5th, 50th and 95th percentiles of the finite values (``None`` if fewer than half are)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0 or finite.size < 0.5 * values.size:
        return None
    p5, p50, p95 = np.percentile(finite, [5, 50, 95])
    return float(p5), float(p50), float(p95)


def equilibration_half_life_min(ke0_per_h: float) -> float:
    """``ln 2 / ke0`` in minutes."""
    return math.log(2.0) / ke0_per_h * 60.0

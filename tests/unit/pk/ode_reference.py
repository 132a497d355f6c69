"""A scipy ODE reference for the closed-form engine (tests only)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from scipy.integrate import solve_ivp

from dosewise.pk.models import ClearanceSegment, Individuals, State, rate_matrix
from dosewise.pk.regimen import Regimen


def ode_reference(
    ind: Individuals,
    subject: int,
    regimen: Regimen,
    times: np.ndarray,
    *,
    segments: Sequence[ClearanceSegment] = (),
    effect: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Central (and effect) concentration of one subject by DOP853 between events."""
    s = ind.structure
    v = float(ind.v[subject])
    f = 1.0 if ind.f is None or not s.has_depot else float(ind.f[subject])
    lag = 0.0 if ind.tlag_h is None else float(ind.tlag_h[subject])
    jumps: dict[float, float] = {}
    rate_changes: dict[float, float] = {}
    for e in regimen.events:
        if e.is_infusion:
            rate_changes[e.time_h] = rate_changes.get(e.time_h, 0.0) + e.rate_mg_per_h
            rate_changes[e.end_h] = rate_changes.get(e.end_h, 0.0) - e.rate_mg_per_h
        else:
            amount = e.amount_mg * f if s.has_depot else e.amount_mg / v
            jumps[e.time_h + lag] = jumps.get(e.time_h + lag, 0.0) + amount
    cuts = sorted(
        {float(times[0]), float(times[-1])}
        | {t for t in jumps if times[0] <= t <= times[-1]}
        | {t for t in rate_changes if times[0] <= t <= times[-1]}
        | {t for sg in segments for t in (sg.start_h, sg.end_h) if times[0] < t < times[-1]}
    )
    x = np.zeros(len(State))
    out_c = np.empty(times.size)
    out_e = np.empty(times.size)
    dose_state = int(s.dose_state)
    # doses before the window
    for t in jumps:
        if t < times[0]:
            raise ValueError("reference starts at the first output time")
    for i, (a, b) in enumerate(itertools.pairwise(cuts)):
        if a in jumps:
            x[dose_state] += jumps[a]
        if a in rate_changes:
            x[int(State.SOURCE)] += rate_changes[a]
        mid = 0.5 * (a + b)
        extra = sum(sg.extra_cl for sg in segments if sg.start_h < mid < sg.end_h)
        m = rate_matrix(ind, subject, extra_cl=extra, effect=effect, source=True)
        mask = (times >= a) & ((times < b) | ((times == b) & (i == len(cuts) - 2)))
        sol = solve_ivp(
            lambda _t, y, m=m: m @ y,
            (a, b),
            x,
            method="DOP853",
            t_eval=times[mask] if mask.any() else None,
            rtol=1e-12,
            atol=1e-16,
        )
        if mask.any():
            out_c[mask] = sol.y[int(State.CENTRAL)]
            out_e[mask] = sol.y[int(State.EFFECT)]
        x = sol.y[:, -1].copy() if not mask.any() or sol.t[-1] == b else x
        if mask.any() and sol.t[-1] != b:
            end = solve_ivp(
                lambda _t, y, m=m: m @ y, (a, b), x, method="DOP853", rtol=1e-12, atol=1e-16
            )
            x = end.y[:, -1].copy()
    last = cuts[-1]
    if last in jumps and times[-1] == last:
        # a dose exactly at the last output time is included (right-continuous)
        if s.has_depot:
            pass
        else:
            out_c[-1] += jumps[last]
    return out_c, out_e

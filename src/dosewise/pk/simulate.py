"""Exact event-to-event propagation of linear models, vectorised over subjects, streamed in blocks.

The dosing events, the output times and any change of clearance (dialysis) are merged into one
sorted list of breakpoints. Between two breakpoints the model is linear and time-invariant, so the
state moves forward by the exact propagator of :func:`dosewise.pk.models.transition`, computed once
per distinct step length and reused for every subject and every interval of that length. Each step
is then a handful of multiply-adds on arrays of length N (the subjects): no ODE solver, no
superposition over past doses, any schedule (irregular, missed or doubled doses) at the same cost.

Output rows are written into blocks of ``B × N`` that a consumer summarises and then reuses, so a
million subjects never need the full ``N × T`` matrix (:func:`simulate_population`). The full matrix
is available for small runs (:func:`simulate_arrays`).

Per-subject summaries are exact where the closed form allows it:

* **AUC** over the output window: the integral of the propagator over each stretch between events.
* **Trough**: the concentration just before the last dose (a breakpoint).
* **Cmax and Tmax** for one-compartment models: the maximum of the closed-form curve on each
  stretch, ``t* = [ln(1 + δ/k) - ln(1 + δ A_c/(ka A_d))] / δ`` with ``δ = ka - k`` (written with
  ``log1p(x)/x`` so that it holds at ``ka = k``). Two-compartment models use the output grid.

Conventions: time in hours; a dose given at an output time is included in that output
(concentrations are right-continuous); the simulation starts from zero drug at the first event or
output time.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dosewise.errors import InputError
from dosewise.pk.models import (
    ClearanceSegment,
    FloatArray,
    Individuals,
    State,
    Transition,
    disposition,
    transition,
)
from dosewise.pk.regimen import Regimen
from dosewise.units import Route

IntArray = npt.NDArray[np.intp]
DEFAULT_STEP_H = 5 / 60
MAX_OUTPUT_POINTS = 200_000

_D, _C, _P, _E, _U = (
    int(State.DEPOT),
    int(State.CENTRAL),
    int(State.PERIPHERAL),
    int(State.EFFECT),
    int(State.SOURCE),
)


def time_grid(end_h: float, step_h: float = DEFAULT_STEP_H, start_h: float = 0.0) -> FloatArray:
    """Output times ``start_h, start_h + step_h, …, end_h`` (``end_h`` included when on the grid).

    Computed as ``start + i · step`` so that doses on the grid fall exactly on output times.
    """
    if not (math.isfinite(end_h) and math.isfinite(step_h) and math.isfinite(start_h)):
        raise InputError("the simulation window must be finite", field="window")
    if step_h <= 0 or end_h < start_h:
        raise InputError("the simulation needs a positive step and end ≥ start", field="window")
    n = math.floor((end_h - start_h) / step_h + 1e-9) + 1
    if n > MAX_OUTPUT_POINTS:
        raise InputError(
            f"{n} output times are too many",
            field="window",
            accepted=f"at most {MAX_OUTPUT_POINTS} (use a longer step)",
        )
    return start_h + step_h * np.arange(n, dtype=float)


# --------------------------------------------------------------------------------------------
# Compilation of events


@dataclass
class _Program:
    """Update rules of one propagator: ``(target, [(coefficient, source), ...])``."""

    ops: list[tuple[int, list[tuple[FloatArray, int]]]]
    depot: FloatArray | None
    trans: Transition
    oral_coefs: tuple[FloatArray, FloatArray, FloatArray] | None = None


@dataclass
class _LaggedDose:
    index: IntArray
    delta_h: FloatArray
    amount: FloatArray
    arrival_h: FloatArray


@dataclass
class Totals:
    """Per-subject exact summaries over the output window (arrays of shape ``(N,)``)."""

    auc: FloatArray
    trough: FloatArray | None
    cmax: FloatArray | None
    tmax_h: FloatArray | None
    final_state: dict[int, FloatArray]


def _check_routes(ind: Individuals, regimen: Regimen) -> None:
    s = ind.structure
    for e in regimen.events:
        if s.has_depot:
            ok = e.route in (Route.ORAL, Route.SUBLINGUAL, Route.BUCCAL) and not e.is_infusion
        elif s.site == "csf":
            ok = e.route is Route.INTRATHECAL
        else:
            ok = e.route is Route.INTRAVENOUS
        if not ok:
            kind = "an infusion" if e.is_infusion else "a dose"
            raise InputError(
                f"the model {s.name} cannot take {kind} by the {e.route.value} route",
                field="route",
                hint="choose a parameter set for this route",
            )


class Engine:
    """One compiled simulation problem: a model, its subjects, a regimen and output times.

    Parameters
    ----------
    ind
        Individual parameters of N subjects.
    regimen
        The dosing events.
    times_h
        Sorted, distinct output times (hours).
    clearance_segments
        Extra clearance during time windows (dialysis), in the model's units.
    effect
        Also compute the effect-compartment concentration (needs ``ind.ke0``).
    """

    def __init__(
        self,
        ind: Individuals,
        regimen: Regimen,
        times_h: npt.ArrayLike,
        *,
        clearance_segments: Sequence[ClearanceSegment] = (),
        effect: bool = False,
    ) -> None:
        times = np.asarray(times_h, dtype=float)
        if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)):
            raise InputError("output times must be a non-empty list of numbers", field="times")
        if np.any(np.diff(times) <= 0):
            raise InputError("output times must be increasing", field="times")
        if effect and ind.ke0 is None:
            raise ValueError("effect=True needs ind.ke0")
        _check_routes(ind, regimen)
        self.ind = ind
        self.regimen = regimen
        self.times = times
        self.effect = effect
        self.segments = tuple(clearance_segments)
        self.exact_peaks = not ind.structure.has_peripheral
        self._peak_cache: dict[float, tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = {}
        self._compile()

    # ---- compilation ----------------------------------------------------------------------

    def _compile(self) -> None:
        ind, times = self.ind, self.times
        n = ind.n
        t_first, t_last = float(times[0]), float(times[-1])
        s = ind.structure
        dose_state = int(s.dose_state)

        common: dict[float, list[tuple[int, FloatArray | float]]] = {}
        lagged: list[tuple[float, float, FloatArray | float]] = []  # (nominal time, amount, f)
        rate_changes: dict[float, float] = {}
        f = ind.f
        lag = ind.tlag_h
        common_lag = 0.0
        per_subject_lag = False
        if lag is not None:
            if float(np.ptp(lag)) == 0.0:
                common_lag = float(lag[0])
            else:
                per_subject_lag = True
        for e in self.regimen.events:
            if e.is_infusion:
                for when, delta in ((e.time_h, e.rate_mg_per_h), (e.end_h, -e.rate_mg_per_h)):
                    if when <= t_last:
                        rate_changes[when] = rate_changes.get(when, 0.0) + delta
                continue
            amount: FloatArray | float = (
                e.amount_mg if f is None or not s.has_depot else e.amount_mg * f
            )
            if dose_state == _C:
                amount = amount / ind.v
            if per_subject_lag:
                lagged.append((e.time_h, e.amount_mg, amount))
                continue
            arrival = e.time_h + common_lag
            if arrival <= t_last:
                common.setdefault(arrival, []).append((dose_state, amount))

        bolus_times = sorted({e.time_h for e in self.regimen.events if not e.is_infusion})
        trough_time = bolus_times[-1] if len(bolus_times) >= 2 else None
        if trough_time is not None and not (t_first <= trough_time <= t_last):
            trough_time = None

        seg_times = {t for sg in self.segments for t in (sg.start_h, sg.end_h)}
        candidates = [
            times,
            np.fromiter(common.keys(), float, len(common)),
            np.fromiter(rate_changes.keys(), float, len(rate_changes)),
            np.fromiter(seg_times, float, len(seg_times)),
            np.asarray([trough_time] if trough_time is not None else [], float),
            np.asarray([e.time_h for e in self.regimen.events], float),
        ]
        bp = np.unique(np.concatenate(candidates))
        bp = bp[bp <= t_last]
        self.breakpoints = bp
        nb = bp.size

        out_row = np.full(nb, -1, dtype=np.intp)
        out_row[np.searchsorted(bp, times)] = np.arange(times.size)
        self.out_row = out_row

        # Extra clearance active on the interval ending at each breakpoint (midpoint rule).
        mids = np.empty(nb)
        mids[0] = bp[0]
        mids[1:] = 0.5 * (bp[1:] + bp[:-1])
        extra = np.zeros(nb)
        for sg in self.segments:
            extra += np.where((mids > sg.start_h) & (mids < sg.end_h), sg.extra_cl, 0.0)
        self.extra_cl = extra

        rate_idx = np.searchsorted(bp, np.fromiter(rate_changes.keys(), float, len(rate_changes)))
        rate_delta = dict(zip(rate_idx.tolist(), rate_changes.values(), strict=True))
        deltas = np.zeros(nb)
        np.add.at(deltas, rate_idx, np.fromiter(rate_changes.values(), float, len(rate_changes)))
        rate_after = np.cumsum(deltas)
        rate_after[np.abs(rate_after) < 1e-12] = 0.0
        self.rate_delta = rate_delta
        self.has_source = bool(rate_changes)
        # the infusion is running during the interval that ends at b if it ran after b - 1
        active = np.zeros(nb, dtype=bool)
        active[1:] = rate_after[:-1] != 0.0

        self.injections: dict[int, list[tuple[int, FloatArray | float]]] = {}
        for when, items in common.items():
            b = int(np.searchsorted(bp, when))
            self.injections.setdefault(b, []).extend(items)

        self.lagged: dict[int, list[_LaggedDose]] = {}
        if per_subject_lag:
            assert lag is not None
            for nominal, _amount_mg, amount in lagged:
                arrivals: FloatArray = nominal + lag
                inside = np.flatnonzero(arrivals <= t_last)
                if inside.size == 0:
                    continue
                arr = arrivals[inside]
                b_idx = np.searchsorted(bp, arr, side="left")
                amounts = np.broadcast_to(np.asarray(amount, float), (n,))[inside]
                for b in np.unique(b_idx).tolist():
                    sel = b_idx == b
                    self.lagged.setdefault(b, []).append(
                        _LaggedDose(
                            index=inside[sel],
                            delta_h=bp[b] - arr[sel],
                            amount=amounts[sel],
                            arrival_h=arr[sel],
                        )
                    )

        self.trough_b = int(np.searchsorted(bp, trough_time)) if trough_time is not None else -1
        self.first_out_b = int(np.searchsorted(bp, t_first))

        is_event = np.zeros(nb, dtype=bool)
        for b in (*self.injections, *self.lagged, *self.rate_delta):
            is_event[b] = True
        change = np.zeros(nb, dtype=bool)
        change[1:-1] = extra[2:] != extra[1:-1]
        is_event |= change
        is_event[0] = True
        is_event[-1] = True
        is_event[self.first_out_b] = True
        if self.trough_b >= 0:
            is_event[self.trough_b] = True
        self.is_event = is_event

        # Distinct propagators: one per (step length, extra clearance, infusion on/off).
        dt = np.zeros(nb)
        dt[1:] = np.diff(bp)
        keys = np.round(dt, 12)
        self._programs: list[_Program] = []
        combo = np.stack([keys, extra, active.astype(float)], axis=1)[1:]
        unique, inverse = np.unique(combo, axis=0, return_inverse=True)
        for row in unique:
            first = int(np.flatnonzero((combo == row).all(axis=1))[0]) + 1
            self._programs.append(self._program(float(dt[first]), float(row[1]), bool(row[2])))
        prog_idx = np.zeros(nb, dtype=np.intp)
        prog_idx[1:] = inverse.reshape(-1)
        self.prog_idx = prog_idx

        # Fast path: runs of output steps without events under a one-compartment oral propagator
        # (the hot loop of repeated oral dosing): run_end[b] = first breakpoint after the run.
        oral = np.array([p.oral_coefs is not None for p in self._programs] or [False])
        eligible = np.zeros(nb, dtype=bool)
        eligible[1:] = (~is_event[1:]) & (out_row[1:] >= 0) & oral[prog_idx[1:]]
        run_end = np.zeros(nb, dtype=np.intp)
        end = nb
        for b in range(nb - 1, -1, -1):
            if not eligible[b]:
                end = b
            elif b + 1 < nb and prog_idx[b + 1] != prog_idx[b]:
                end = b + 1
            run_end[b] = end if eligible[b] else b
        self.run_end = run_end

    def _program(self, dt: float, extra_cl: float, source: bool) -> _Program:
        s = self.ind.structure
        tr = transition(self.ind, dt, extra_cl=extra_cl, effect=self.effect, source=source)
        present = [_D] if s.has_depot else []
        present.append(_C)
        if s.has_peripheral:
            present.append(_P)
        if self.effect:
            present.append(_E)
        if source:
            present.append(_U)
        ops: list[tuple[int, list[tuple[FloatArray, int]]]] = []
        for tgt in (_C, _P, _E):
            if tgt not in present:
                continue
            terms = [(tr.entries[(tgt, src)], src) for src in present if (tgt, src) in tr.entries]
            # the state's own term first: it is always present
            terms.sort(key=lambda term: term[1] != tgt)
            ops.append((tgt, terms))
        depot = tr.entries.get((_D, _D))
        oral = None
        if present == [_D, _C]:
            oral = (tr.entries[(_C, _C)], tr.entries[(_C, _D)], tr.entries[(_D, _D)])
        return _Program(ops=ops, depot=depot, trans=tr, oral_coefs=oral)

    # ---- running --------------------------------------------------------------------------

    def run(
        self,
        take_block: Callable[[int], tuple[FloatArray, FloatArray | None]],
        emit: Callable[[int, int], None],
    ) -> Totals:
        """Propagate, writing output rows into blocks.

        ``take_block(row)`` returns arrays to fill from output row ``row`` on (shape
        ``(rows, N)``, and the same for the effect or ``None``); ``emit(row, count)`` is called
        when a block is complete (the last one may be partial). Returns the per-subject totals.
        """
        ind = self.ind
        n = ind.n
        s = ind.structure
        bp = self.breakpoints
        nb = bp.size
        mul, add = np.multiply, np.add
        zeros = np.zeros

        cur: dict[int, FloatArray] = {_C: zeros(n)}
        if s.has_depot:
            cur[_D] = zeros(n)
        if s.has_peripheral:
            cur[_P] = zeros(n)
        if self.effect:
            cur[_E] = zeros(n)
        if self.has_source:
            cur[_U] = zeros(n)
        scratch_c = (zeros(n), zeros(n))
        scratch_e = (zeros(n), zeros(n))
        pbufs = (cur[_P], zeros(n)) if s.has_peripheral else None
        tmp = np.empty(n)

        auc = zeros(n)
        trough: FloatArray | None = None
        exact = self.exact_peaks
        cmax = zeros(n) if exact else None
        tmax = zeros(n) if exact else None
        start_state = {k: v.copy() for k, v in cur.items()}
        start_t = float(bp[0])
        counting = self.first_out_b == 0
        stretch_cache: dict[tuple[float, float], Transition] = {}

        block: FloatArray | None = None
        eblock: FloatArray | None = None
        block_rows = 0
        r = 0
        j0 = 0
        out_row: list[int] = self.out_row.tolist()
        is_event: list[bool] = self.is_event.tolist()
        programs = self._programs
        prog_idx: list[int] = self.prog_idx.tolist()
        effect = self.effect
        peripheral = s.has_peripheral

        run_end: list[int] = self.run_end.tolist()
        b = -1
        while b + 1 < nb:
            b += 1
            end = run_end[b]
            if end > b:
                # hot loop: C ← Pcc·C + Pcd·D, D ← Pdd·D, straight into the output rows
                pcc, pcd, pdd = programs[prog_idx[b]].oral_coefs  # type: ignore[misc]
                prev = cur[_C]
                depot = cur[_D]
                for _ in range(b, end):
                    if r == block_rows:
                        assert block is not None
                        emit(j0, block_rows)
                        j0 += block_rows
                        block, eblock = take_block(j0)
                        block_rows = block.shape[0]
                        r = 0
                    assert block is not None
                    dst = block[r]
                    r += 1
                    mul(prev, pcc, out=dst)
                    mul(depot, pcd, out=tmp)
                    add(dst, tmp, out=dst)
                    mul(depot, pdd, out=depot)
                    prev = dst
                cur[_C] = prev
                b = end - 1
                continue
            row = out_row[b]
            if row >= 0:
                if block is None or r == block_rows:
                    if block is not None:
                        emit(j0, block_rows)
                    j0 = row
                    block, eblock = take_block(row)
                    block_rows = block.shape[0]
                    r = 0
                dst_c = block[r]
                dst_e = eblock[r] if eblock is not None else None
                r += 1
            else:
                old = cur[_C]
                dst_c = scratch_c[1] if old is scratch_c[0] else scratch_c[0]
                dst_e = None
            if effect and dst_e is None:
                old_e = cur[_E]
                dst_e = scratch_e[1] if old_e is scratch_e[0] else scratch_e[0]

            if b == 0:
                np.copyto(dst_c, cur[_C])
                cur[_C] = dst_c
                if effect:
                    assert dst_e is not None
                    np.copyto(dst_e, cur[_E])
                    cur[_E] = dst_e
            else:
                prog = programs[prog_idx[b]]
                new_p: FloatArray | None = None
                for tgt, terms in prog.ops:
                    if tgt == _C:
                        out = dst_c
                    elif tgt == _P:
                        assert pbufs is not None
                        new_p = pbufs[1] if cur[_P] is pbufs[0] else pbufs[0]
                        out = new_p
                    else:
                        assert dst_e is not None
                        out = dst_e
                    coef, src = terms[0]
                    mul(cur[src], coef, out=out)
                    for coef, src in terms[1:]:
                        mul(cur[src], coef, out=tmp)
                        add(out, tmp, out=out)
                if prog.depot is not None:
                    mul(cur[_D], prog.depot, out=cur[_D])
                cur[_C] = dst_c
                if peripheral:
                    assert new_p is not None
                    cur[_P] = new_p
                if effect:
                    assert dst_e is not None
                    cur[_E] = dst_e

            if not is_event[b]:
                continue

            # ---- events: close the stretch that ends here, then apply what happens at bp[b]
            t_b = float(bp[b])
            if counting and t_b > start_t:
                length = t_b - start_t
                key = (round(length, 12), float(self.extra_cl[b]))
                tr = stretch_cache.get(key)
                if tr is None:
                    tr = transition(ind, length, extra_cl=key[1], source=self.has_source, auc=True)
                    stretch_cache[key] = tr
                for src, coef in tr.auc.items():
                    if src in start_state:
                        auc += coef * start_state[src]
                if exact:
                    assert cmax is not None
                    assert tmax is not None
                    self._stretch_peak(
                        start_state, start_t, length, cur[_C], float(self.extra_cl[b]), cmax, tmax
                    )
            if b == self.trough_b:
                trough = cur[_C].copy()
            if b == self.first_out_b:
                counting = True
                auc[:] = 0.0
                if exact:
                    assert cmax is not None
                    assert tmax is not None
                    cmax[:] = cur[_C]
                    tmax[:] = t_b
            for state, amount in self.injections.get(b, ()):
                cur[state] += amount
            for dose in self.lagged.get(b, ()):
                self._inject_lagged(dose, cur, auc if counting else None, float(self.extra_cl[b]))
            if b in self.rate_delta:
                cur[_U] += self.rate_delta[b]
                np.copyto(cur[_U], 0.0, where=np.abs(cur[_U]) < 1e-12)
            if exact and counting:
                assert cmax is not None
                assert tmax is not None
                better = cur[_C] > cmax
                np.copyto(cmax, cur[_C], where=better)
                np.copyto(tmax, t_b, where=better)
            start_state = {k: v.copy() for k, v in cur.items()}
            start_t = t_b

        if block is not None:
            emit(j0, r)
        return Totals(
            auc=auc,
            trough=trough,
            cmax=cmax,
            tmax_h=tmax,
            final_state={k: v.copy() for k, v in cur.items()},
        )

    def _inject_lagged(
        self,
        dose: _LaggedDose,
        cur: dict[int, FloatArray],
        auc: FloatArray | None,
        extra_cl: float,
    ) -> None:
        """A dose that arrived ``delta_h`` before this breakpoint, subject by subject."""
        sub = self.ind.subset(dose.index)
        tr = transition(sub, dose.delta_h, extra_cl=extra_cl, effect=self.effect, auc=True)
        src = int(self.ind.structure.dose_state)
        for tgt, coef in tr.column(src).items():
            if tgt in cur:
                cur[tgt][dose.index] += coef * dose.amount
        if auc is not None:
            auc[dose.index] += tr.auc[src] * dose.amount

    def _stretch_peak(
        self,
        start: dict[int, FloatArray],
        start_t: float,
        length: float,
        end_c: FloatArray,
        extra_cl: float,
        cmax: FloatArray,
        tmax: FloatArray,
    ) -> None:
        """Exact maximum of a one-compartment curve on ``[start_t, start_t + length]``."""
        c0 = start[_C]
        if not self.ind.structure.has_depot:
            # monotone between events (bolus decay or approach to the infusion plateau)
            better = end_c > cmax
            np.copyto(cmax, end_c, where=better)
            np.copyto(tmax, start_t + length, where=better)
            return
        d0 = start[_D]
        k, ka, v, a_const = self._oral_constants(extra_cl)
        amount_c = c0 * v
        kd = ka * d0
        rising = kd > k * amount_c
        if not rising.any():
            return
        ratio = np.divide(amount_c, kd, out=np.zeros_like(kd), where=rising)
        tstar = a_const - ratio * _log1p_over((ka - k) * ratio)
        # Rising over the whole stretch: the maximum is the value at its end.
        at_end = rising & (tstar >= length)
        better = at_end & (end_c > cmax)
        np.copyto(cmax, end_c, where=better)
        np.copyto(tmax, start_t + length, where=better)
        # Interior maximum: there ka·A_depot = k·A_central, so C = (ka / k) · A_depot / V.
        inside = rising & ~at_end
        value = (ka / k) * (d0 / v) * np.exp(-ka * np.where(inside, tstar, 0.0))
        better = inside & (value > cmax)
        np.copyto(cmax, value, where=better)
        np.copyto(tmax, start_t + tstar, where=better)

    def _oral_constants(
        self, extra_cl: float
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """``k``, ``ka``, ``V`` and ``ln(1 + δ/k)/δ`` per subject (cached per clearance)."""
        cached = self._peak_cache.get(extra_cl)
        if cached is None:
            ind = self.ind
            assert ind.ka is not None
            k = disposition(ind, extra_cl)[0]
            ka = ind.ka
            cached = (k, ka, ind.v, _log1p_over((ka - k) / k) / k)
            self._peak_cache[extra_cl] = cached
        return cached


def _log1p_over(x: FloatArray) -> FloatArray:
    """``log1p(x) / x`` with the limit 1 at 0 (for x > -1)."""
    small = np.abs(x) < 1e-8
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 - 0.5 * x, np.log1p(safe) / safe)


# --------------------------------------------------------------------------------------------
# Front ends


@dataclass
class ArrayResult:
    """Full simulation output: concentrations ``(T, N)`` and per-subject totals."""

    times_h: FloatArray
    conc_mg_per_l: FloatArray
    effect_mg_per_l: FloatArray | None
    totals: Totals


def simulate_arrays(
    ind: Individuals,
    regimen: Regimen,
    times_h: npt.ArrayLike,
    *,
    clearance_segments: Sequence[ClearanceSegment] = (),
    effect: bool = False,
    out: FloatArray | None = None,
) -> ArrayResult:
    """Concentrations of every subject at every output time, as one ``(T, N)`` array.

    For large populations use :func:`dosewise.pk.simulate.simulate_population`, which streams.
    ``out`` may be a preallocated ``(T, N)`` float64 array to write into.
    """
    engine = Engine(ind, regimen, times_h, clearance_segments=clearance_segments, effect=effect)
    t = engine.times.size
    conc = np.empty((t, ind.n)) if out is None else out
    if conc.shape != (t, ind.n):
        raise ValueError(f"out has shape {conc.shape}, expected {(t, ind.n)}")
    eff = np.empty((t, ind.n)) if effect else None

    def take(row: int) -> tuple[FloatArray, FloatArray | None]:
        return conc[row:], (eff[row:] if eff is not None else None)

    totals = engine.run(take, lambda _row, _count: None)
    return ArrayResult(engine.times, conc, eff, totals)


BlockConsumer = Callable[[int, FloatArray], object]


def stream_blocks(
    ind: Individuals,
    regimen: Regimen,
    times_h: npt.ArrayLike,
    *,
    process: Callable[[int, FloatArray], object],
    merge: Callable[[object], None],
    clearance_segments: Sequence[ClearanceSegment] = (),
    block_rows: int | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Engine, Totals]:
    """Run the engine and hand each block of rows to ``process`` on worker threads.

    ``process(row, block)`` runs on a worker thread (NumPy releases the GIL for the heavy parts),
    must not keep a reference to ``block`` and returns a value that ``merge`` receives on the
    calling thread, in block order. At most ``workers + 1`` blocks are in flight, so memory stays at
    a few blocks whatever the number of subjects. ``progress(done_rows, total_rows)`` is called
    after each block.
    """
    engine = Engine(ind, regimen, times_h, clearance_segments=clearance_segments)
    n = ind.n
    total_rows = engine.times.size
    if block_rows is None:
        block_rows = int(max(1, min(64, 16_000_000 // (8 * n))))
    n_buffers = workers + 2
    buffers = [np.empty((block_rows, n)) for _ in range(n_buffers)]
    in_flight: deque[tuple[int, Future[object]]] = deque()
    state = {"next": 0, "done": 0}

    def drain_one() -> None:
        count, future = in_flight.popleft()
        merge(future.result())
        state["done"] += count
        if progress is not None:
            progress(state["done"], total_rows)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: dict[int, FloatArray] = {}

        def take(row: int) -> tuple[FloatArray, FloatArray | None]:
            while len(in_flight) >= n_buffers - 1:
                drain_one()
            buf = buffers[state["next"] % n_buffers]
            state["next"] += 1
            view = buf[: min(block_rows, total_rows - row)]
            pending[row] = view
            return view, None

        def emit(row: int, count: int) -> None:
            view = pending.pop(row)[:count]
            in_flight.append((count, pool.submit(process, row, view)))

        totals = engine.run(take, emit)
        while in_flight:
            drain_one()
    return engine, totals

"""Benchmark: the population PK engine on the standard workload of issue 5.

Standard workload: 10,000 subjects, one-compartment oral (ka 1.2 /h, CL 12 L/h, V 60 L), 30%
log-normal IIV on ka, CL and V, 20 mg every 8 h for 7 days, a 5-minute grid from 0 to 168 h
(2,017 points), the five percentile bands (5/25/50/75/95) and P(C > 0.4 mg/L) at every point.

Prints, all measured in this process:

* the whole workload (sampling + streamed simulation + bands + exceedance), best of 7 and first;
* the simulation alone into a fresh (T, N) array and into a reused one;
* the memory floor: the time to write a (T, N) float64 array once (fresh, and reused);
* the baseline: per-subject ``scipy.integrate.solve_ivp`` (LSODA, rtol 1e-6, segment-wise between
  doses) on a sample of subjects, extrapolated to 10,000, and the speed-up over it;
* 1,000,000 subjects streamed (in a child process, so its peak RSS is its own): wall time,
  subjects/s and peak memory (target < 1.5 GB).

Run: ``.venv/bin/python benchmarks/bench_pk.py`` (``--million`` runs only the 1e6 case).
"""

from __future__ import annotations

import itertools
import resource
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from dosewise.pk.models import Individuals, Structure
from dosewise.pk.regimen import Regimen
from dosewise.pk.simulate import simulate_arrays, stream_blocks, time_grid
from dosewise.pk.summary import StreamingSummary

N = 10_000
OMEGA = float(np.sqrt(np.log1p(0.3**2)))
THRESHOLD = 0.4
BASELINE_SAMPLE = 20


def population(n: int, seed: int = 1) -> Individuals:
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal((3, n)) * OMEGA
    return Individuals(
        structure=Structure.from_name("one_compartment_oral"),
        ka=1.2 * np.exp(eta[0]),
        cl=12.0 * np.exp(eta[1]),
        v=60.0 * np.exp(eta[2]),
    )


REGIMEN = Regimen.repeated(20.0, 8.0, duration_h=168.0)
TIMES = time_grid(168.0, 5 / 60)


def workload(n: int = N, seed: int = 1) -> StreamingSummary:
    ind = population(n, seed)
    summ = StreamingSummary(TIMES, n, [THRESHOLD])
    stream_blocks(ind, REGIMEN, TIMES, process=summ.process, merge=summ.merge)
    return summ


def best(fn: Callable[[], object], runs: int = 7) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times[0], min(times)


def baseline_per_subject(n_sample: int) -> float:
    """Per-subject solve_ivp, segment-wise between doses; seconds per subject."""
    from scipy.integrate import solve_ivp

    ind = population(n_sample, seed=2)
    assert ind.ka is not None
    doses = np.array([e.time_h for e in REGIMEN.events])
    start = time.perf_counter()
    for j in range(n_sample):
        ka, k = float(ind.ka[j]), float(ind.cl[j] / ind.v[j])
        v = float(ind.v[j])
        jac = np.array([[-ka, 0.0], [ka, -k]])
        y = np.zeros(2)
        edges = [*doses.tolist(), float(TIMES[-1])]
        for a, b in itertools.pairwise(edges):
            y[0] += 20.0
            mask = (a <= TIMES) & (b > TIMES) if b < TIMES[-1] else (a <= TIMES)
            sol = solve_ivp(
                lambda _t, x, jac=jac: jac @ x,
                (a, b),
                y,
                method="LSODA",
                t_eval=TIMES[mask],
                rtol=1e-6,
                atol=1e-9,
                jac=lambda _t, _x, jac=jac: jac,
            )
            _ = sol.y[1] / v
            y = sol.y[:, -1].copy()
    return (time.perf_counter() - start) / n_sample


def million() -> None:
    n = 1_000_000
    start = time.perf_counter()
    summ = workload(n)
    wall = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"1,000,000 subjects streamed: {wall:.2f} s ({n / wall:,.0f} subjects/s), "
        f"peak RSS {peak_gb:.2f} GB (target < 1.5 GB); median Cmax band at 168 h "
        f"{summ.bands[-1, 2]:.4f} mg/L"
    )


def main() -> None:
    if "--million" in sys.argv:
        million()
        return
    t_count = TIMES.size
    print(f"Standard workload: {N:,} subjects × {t_count:,} times, 21 doses, 5 bands + P(C>0.4)")
    first, whole = best(workload)
    print(
        f"  whole workload (sample + simulate + summaries): best {whole * 1e3:.1f} ms "
        f"(first {first * 1e3:.1f} ms), {N / whole:,.0f} subjects/s; target ≤ 150 ms: "
        f"{'met' if whole <= 0.15 else 'NOT met'}"
    )
    ind = population(N)
    first_sim, sim_fresh = best(lambda: simulate_arrays(ind, REGIMEN, TIMES))
    out = np.empty((t_count, N))
    _, sim_reused = best(lambda: simulate_arrays(ind, REGIMEN, TIMES, out=out))

    def fresh_write() -> None:
        a = np.empty((t_count, N))
        a.fill(1.0)

    _, floor_fresh = best(fresh_write)
    _, floor_reused = best(lambda: out.fill(1.0))
    print(
        f"  simulation alone, fresh array: {sim_fresh * 1e3:.1f} ms (first "
        f"{first_sim * 1e3:.1f}); into a reused array: {sim_reused * 1e3:.1f} ms"
    )
    print(
        f"  memory floor (write {t_count * N * 8 / 1e6:.0f} MB once): fresh "
        f"{floor_fresh * 1e3:.1f} ms, reused {floor_reused * 1e3:.1f} ms"
    )
    print(
        f"  simulation / floor: fresh {sim_fresh / floor_fresh:.2f}x, reused "
        f"{sim_reused / floor_reused:.2f}x (target ≤ 3x)"
    )
    per_subject = baseline_per_subject(BASELINE_SAMPLE)
    extrapolated = per_subject * N
    print(
        f"  baseline: per-subject solve_ivp (LSODA) {per_subject * 1e3:.1f} ms/subject on "
        f"{BASELINE_SAMPLE} subjects → {extrapolated:.0f} s for {N:,} (extrapolated); "
        f"whole workload is {extrapolated / whole:,.0f}x faster"
    )
    sys.stdout.flush()
    subprocess.run([sys.executable, __file__, "--million"], check=True)


if __name__ == "__main__":
    main()

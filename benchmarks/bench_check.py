"""Benchmark: the dose check, cold (a new CLI process) and warm (the engine in a loop).

Cold start: median wall time of ``dosewise check baclofen 60mg --with alcohol`` in a new process
(target < 0.5 s), against a baseline new process that only starts Python (``python -c pass``),
both measured here, after one warm-up run that fills the catalog cache.
Warm: assessments per second of the pure engine, against parsing the same dose string (baseline).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> None:
    env = dict(os.environ, DOSEWISE_CACHE_DIR=tempfile.mkdtemp(prefix="dosewise-bench-"))
    env.pop("DOSEWISE_NO_CACHE", None)
    exe = str(Path(sys.executable).with_name("dosewise"))
    command = [exe, "check", "baclofen", "60mg", "--with", "alcohol", "--crcl", "45"]
    first = wall(command, env)  # fills the cache
    cold = [wall(command, env) for _ in range(RUNS)]
    bare = [wall([sys.executable, "-c", "pass"], env) for _ in range(RUNS)]
    cold_median, bare_median = statistics.median(cold), statistics.median(bare)
    print(f"CLI check, first run (builds the cache): {first:.3f} s")
    print(
        f"CLI check, cold process, median of {RUNS}: {cold_median:.3f} s (p90 "
        f"{sorted(cold)[int(RUNS * 0.9)]:.3f}); target < 0.5 s: "
        f"{'met' if cold_median < 0.5 else 'NOT met'}"
    )
    print(
        f"baseline `python -c pass`, median:      {bare_median:.3f} s; "
        f"ratio {cold_median / bare_median:.1f}x"
    )

    from dosewise.assess.engine import assess
    from dosewise.assess.models import CheckRequest, Intake, Person
    from dosewise.knowledge.catalog import default_catalog
    from dosewise.units import parse_dose

    catalog = default_catalog()
    request = CheckRequest(
        substance="baclofen",
        dose=parse_dose("60mg"),
        taken_today=[Intake(substance="baclofen", dose=parse_dose("40mg"), hours_ago=3)],
        with_=[Intake(substance="alcohol"), Intake(substance="diazepam")],
        person=Person(crcl_ml_min=45, age_years=70),
    )
    assess(catalog, request)
    n = 300
    start = time.perf_counter()
    for _ in range(n):
        assess(catalog, request)
    engine_s = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n * 10):
        parse_dose("60mg")
    parse_s = (time.perf_counter() - start) / (n * 10)
    print(
        f"engine: {1 / engine_s:,.0f} assessments/s ({engine_s * 1000:.2f} ms each; 3 substances,"
        " earlier dose, kidney and age)"
    )
    print(
        f"baseline parse_dose: {1 / parse_s:,.0f}/s; "
        f"one assessment costs {engine_s / parse_s:.0f}x a parse"
    )


if __name__ == "__main__":
    main()

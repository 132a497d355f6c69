"""Benchmark: loading the knowledge base.

Prints the time to load and validate every data file (no cache), to load from the cache, and the
baseline of merely parsing the same TOML files with tomllib, measured in this process.
Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_knowledge.py``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path


def best_of(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    os.environ["DOSEWISE_CACHE_DIR"] = tempfile.mkdtemp(prefix="dosewise-bench-")
    started = time.perf_counter()
    from dosewise.knowledge.catalog import DATA_DIR, load_catalog, load_catalog_cached

    import_s = time.perf_counter() - started
    files = sorted(DATA_DIR.rglob("*.toml"))
    size = sum(f.stat().st_size for f in files)

    def parse_only() -> None:
        for path in files:
            tomllib.loads(Path(path).read_text(encoding="utf-8"))

    parse_best, parse_median = best_of(parse_only)
    full_best, full_median = best_of(load_catalog)
    load_catalog_cached()  # write the cache
    cached_best, cached_median = best_of(load_catalog_cached)
    catalog = load_catalog()
    print(
        f"data: {len(files)} files, {size / 1024:.0f} KiB, {len(catalog.substances)} entries, "
        f"{len(catalog.sources)} sources, {len(catalog.interactions)} interaction rules"
    )
    print(f"import of the catalog module:         {import_s * 1000:7.1f} ms")
    print(
        f"baseline, tomllib parse only:         {parse_best * 1000:7.1f} ms (median "
        f"{parse_median * 1000:.1f})"
    )
    print(
        f"load + validate + cross-check:        {full_best * 1000:7.1f} ms (median "
        f"{full_median * 1000:.1f})  ratio to parse {full_best / parse_best:.2f}x"
    )
    print(
        f"load from the validated cache:        {cached_best * 1000:7.1f} ms (median "
        f"{cached_median * 1000:.1f})  ratio to parse {cached_best / parse_best:.2f}x"
    )


if __name__ == "__main__":
    main()

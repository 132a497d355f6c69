"""Benchmark: ``status`` on a journal with 100,000 entries over 5 years (SQLite).

The journal: baclofen three times a day, caffeine five times, alcohol twice and nicotine (smoked)
forty-five times a day, every day for five years (100,000 rows, inserted in bulk). ``status`` is
timed as the service runs it (queries, PK simulation, assessment rules, tolerance), median of
several runs, against a baseline in the same process: ``status`` on an empty journal. Target:
well under 1 s.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from dosewise.journal.db import open_journal
from dosewise.journal.models import Ingestion, content_hash
from dosewise.journal.service import JournalService
from dosewise.knowledge.catalog import default_catalog

N_ENTRIES = 100_000
DAYS = 5 * 365
RUNS = 7
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PER_DAY = [  # substance, route, amount, unit, doses a day
    ("baclofen", "oral", 20.0, "mg", 3),
    ("caffeine", "oral", 100.0, "mg", 5),
    ("alcohol", "oral", 14.0, "g", 2),
    ("nicotine", "smoked", 1.0, "mg", 45),
]


def rows() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    start = NOW - timedelta(days=DAYS)
    for day in range(DAYS + 1):
        for substance, route, amount, unit, n in PER_DAY:
            for k in range(n):
                at = start + timedelta(days=day, hours=7 + 16 * k / n)
                if at > NOW - timedelta(minutes=30):
                    continue
                out.append(
                    {
                        "uid": str(uuid.uuid4()),
                        "substance_id": substance,
                        "amount": amount,
                        "unit": unit,
                        "per_kg": False,
                        "amount_route_unit": amount,
                        "route_unit": unit,
                        "route": route,
                        "taken_at": at,
                        "tz_offset_min": 60,
                        "note": None,
                        "estimated": False,
                        "created_at": at,
                        "updated_at": at,
                        "deleted_at": None,
                        "content_hash": content_hash(substance, route, amount, unit, at),
                    }
                )
    return sorted(out, key=lambda r: r["taken_at"])[-N_ENTRIES:]  # type: ignore[arg-type,return-value]


def timed(service: JournalService) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        service.status(NOW)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    catalog = default_catalog()
    with tempfile.TemporaryDirectory(prefix="dosewise-bench-") as folder:
        empty = JournalService(
            open_journal(f"sqlite:///{Path(folder) / 'empty.sqlite3'}"), catalog, clock=lambda: NOW
        )
        journal = open_journal(f"sqlite:///{Path(folder) / 'full.sqlite3'}")
        data = rows()
        start = time.perf_counter()
        with journal.writing() as session:
            session.execute(insert(Ingestion), data)
        load = time.perf_counter() - start
        full = JournalService(journal, catalog, clock=lambda: NOW)
        full.status(NOW)  # warm-up (imports, caches)
        empty.status(NOW)
        baseline = timed(empty)
        median = timed(full)
        report = full.status(NOW)
        first, last = data[0]["taken_at"], data[-1]["taken_at"]
        print(
            f"journal: {len(data):,} entries from {first:%Y-%m-%d} to {last:%Y-%m-%d} "
            f"(bulk insert {load:.2f} s)"
        )
        print(f"status, empty journal (baseline), median of {RUNS}: {baseline * 1000:.1f} ms")
        print(
            f"status, 100,000 entries, median of {RUNS}: {median * 1000:.1f} ms "
            f"({median / baseline:.1f}x the empty journal); target well under 1 s: "
            f"{'met' if median < 1.0 else 'NOT met'}"
        )
        print(
            f"  active: {', '.join(a.substance_name for a in report.active)}; "
            f"warnings: {len(report.warnings)}; tolerance lines: {len(report.tolerance)}"
        )


if __name__ == "__main__":
    main()

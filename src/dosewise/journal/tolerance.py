"""Continuous use, tolerance and withdrawal, from the journal and the data (pure; ``now`` given).

Every figure comes from the substance's ``[tolerance]`` and ``[withdrawal]`` data with its
sources; the rules that turn them into notices use the design constants below (documented in
``docs/journal.md``, not clinical figures):

* **Continuous use**: doses no more than :data:`CONTINUOUS_GAP_H` apart belong to one run; days
  of continuous use = time from the run's first to its last dose.
* **Withdrawal risk**: a run of at least ``withdrawal.risk_after_days`` days.
* **Missed dose**: after such a run, more than :data:`MISSED_FACTOR` × the usual interval
  (median interval over the last 7 days of the run) since the last dose, within the reported
  onset window (``withdrawal.onset_h``, e.g. 12–72 h) of the last dose.
* **Much smaller dose**: after such a run, the last 24 hours' total below
  :data:`REDUCTION_FRACTION` of the usual daily total (median of the 24-hour totals over the
  previous 14 days).
* **Tolerance**: during a run, the data's ``full_after_days`` / ``develops_over_days``; after a
  break, ``half_after_days`` / ``baseline_after_days`` (days without use). A break after at least
  :data:`REGULAR_USE_DAYS` days of use raises the "lower tolerance" notice: a dose that used to
  be usual can now be too strong.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dosewise.assess.models import Finding
from dosewise.journal.activity import DoseRecord
from dosewise.knowledge.schema import Substance
from dosewise.severity import Severity
from dosewise.units import Route

CONTINUOUS_GAP_H = 36.0
MISSED_FACTOR = 1.5
REDUCTION_FRACTION = 0.5
USUAL_WINDOW_DAYS = 14
INTERVAL_WINDOW_DAYS = 7
REGULAR_USE_DAYS = 7.0

ToleranceLevel = Literal[
    "baseline", "returning", "reduced", "likely", "developing", "possible", "unknown"
]


class ToleranceReport(BaseModel):
    """Continuous use, tolerance and withdrawal risk for one substance."""

    model_config = ConfigDict(frozen=True)

    substance_id: str
    substance_name: str
    run_start: datetime
    last_dose_at: datetime
    days_of_use: float
    days_since_last: float
    current: bool
    tolerance_level: ToleranceLevel
    tolerance_text: str
    tolerance_sources: list[str]
    withdrawal_risk: bool
    usual_interval_h: float | None = None
    usual_daily: float | None = None
    last_24h: float | None = None
    unit: str | None = None
    notices: list[Finding]


def continuous_run(times: Sequence[datetime], gap_h: float = CONTINUOUS_GAP_H) -> datetime | None:
    """Start of the latest run of doses no more than ``gap_h`` apart (``times`` in any order)."""
    if not times:
        return None
    ordered = sorted(times)
    start = ordered[-1]
    for earlier, later in zip(reversed(ordered[:-1]), reversed(ordered[1:]), strict=True):
        if (later - earlier).total_seconds() / 3600 > gap_h:
            break
        start = earlier
    return start


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def _fmt_span(span: tuple[float, float]) -> str:
    low, high = span
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


def _tolerance(
    substance: Substance, days_of_use: float, days_off: float
) -> tuple[ToleranceLevel, str, list[str]]:
    tol = substance.tolerance
    if tol is None:
        return "unknown", "The data have nothing on tolerance to this substance.", []
    sources = list(tol.sources)
    base, half = tol.baseline_after_days, tol.half_after_days
    if base is not None and days_off >= base[1]:
        return (
            "baseline",
            f"Tolerance is likely back to baseline: {days_off:.0f} days without use; reported "
            f"return to baseline after {_fmt_span(base)} days.",
            sources,
        )
    if base is not None and days_off >= base[0]:
        return (
            "returning",
            f"Tolerance is probably close to baseline: {days_off:.0f} days without use; "
            f"reported return to baseline after {_fmt_span(base)} days.",
            sources,
        )
    if half is not None and days_off >= half[0]:
        return (
            "reduced",
            f"Tolerance is probably much lower: {days_off:.0f} days without use; reported "
            f"halving after {_fmt_span(half)} days.",
            sources,
        )
    full, develops = tol.full_after_days, tol.develops_over_days
    if full is not None and days_of_use >= full[0]:
        return (
            "likely",
            f"Tolerance is likely after {days_of_use:.0f} days of continuous use (reported "
            f"full after {_fmt_span(full)} days).",
            sources,
        )
    if develops is not None and days_of_use >= develops[0]:
        return (
            "developing",
            f"Tolerance is probably developing: {days_of_use:.0f} days of continuous use "
            f"(reported to develop over {_fmt_span(develops)} days).",
            sources,
        )
    return (
        "possible",
        f"What the data say: {tol.summary}",
        sources,
    )


def _daily_totals(doses: Sequence[DoseRecord], now: datetime, days: int) -> list[float]:
    """Totals of the 24-hour windows ending now-1 d, now-2 d, ... (``days`` windows)."""
    totals = []
    for k in range(1, days + 1):
        end, start = now - timedelta(days=k), now - timedelta(days=k + 1)
        totals.append(sum(d.amount for d in doses if start < d.taken_at <= end))
    return totals


def tolerance_report(
    substance: Substance,
    route: Route,
    run_start: datetime,
    doses: Sequence[DoseRecord],
    now: datetime,
) -> ToleranceReport:
    """Tolerance and withdrawal notices for one substance.

    ``run_start`` is the first dose of the latest continuous run (see :func:`continuous_run`;
    the service computes it in SQL over the whole history); ``doses`` must hold at least the
    doses of the last :data:`USUAL_WINDOW_DAYS` + 1 days by ``route``, in the route's unit.
    """
    past = sorted((d for d in doses if d.taken_at <= now), key=lambda d: d.taken_at)
    if not past:
        raise ValueError("tolerance_report needs at least one dose at or before now")
    last = past[-1].taken_at
    days_of_use = _days(last - run_start)
    hours_off = (now - last).total_seconds() / 3600
    days_off = hours_off / 24
    current = hours_off <= CONTINUOUS_GAP_H
    level, text, tol_sources = _tolerance(substance, days_of_use, days_off if not current else 0)
    notices: list[Finding] = []
    unit = past[-1].unit.symbol

    withdrawal = substance.withdrawal
    risk_days = withdrawal.risk_after_days if withdrawal is not None else None
    long_use = risk_days is not None and days_of_use >= risk_days
    in_run = [d for d in past if d.taken_at >= run_start]
    interval_from = last - timedelta(days=INTERVAL_WINDOW_DAYS)
    interval_times = [d.taken_at for d in in_run if d.taken_at >= interval_from]
    gaps = [(b - a).total_seconds() / 3600 for a, b in pairwise(interval_times) if b > a]
    usual_interval = statistics.median(gaps) if gaps else None
    daily = _daily_totals(in_run, now, USUAL_WINDOW_DAYS)
    daily_nonzero = [t for t in daily if t > 0]
    usual_daily = statistics.median(daily_nonzero) if daily_nonzero else None
    last_24h = sum(d.amount for d in past if now - d.taken_at < timedelta(hours=24))

    if withdrawal is not None and long_use and risk_days is not None:
        specific = next((r for r in withdrawal.route_specific if r.route is route), None)
        signs = specific.signs if specific else [s.name for s in withdrawal.signs]
        todo = (
            specific.what_to_do
            if specific
            else [m.text for m in withdrawal.management if m.who == "anyone"]
        )
        w_sources = list(withdrawal.sources) + (list(specific.sources) if specific else [])
        onset = withdrawal.onset_h
        onset_text = f"{_fmt_span(onset)} h" if onset else "hours to days"
        recent_enough = current or (onset is not None and hours_off <= onset[1])
        if recent_enough:
            notices.append(
                Finding(
                    severity=Severity.WARNING if current else Severity.CAUTION,
                    code="withdrawal_risk",
                    title="Withdrawal risk after long daily use",
                    message=f"{substance.name} has been taken daily for {days_of_use:.0f} days. "
                    f"After about {risk_days:g} days of daily use, stopping suddenly or cutting "
                    f"down fast can cause withdrawal, starting {onset_text} after the last dose or "
                    "a cut.",
                    advice=" ".join(todo[:1]) or "Do not stop suddenly; reduce slowly.",
                    figures={"days_of_use": round(days_of_use, 1), "risk_after_days": risk_days},
                    sources=list(dict.fromkeys(w_sources)),
                )
            )
        reason = None
        if (
            usual_interval is not None
            and hours_off > MISSED_FACTOR * usual_interval
            and (onset is None or hours_off <= onset[1])
        ):
            reason = (
                f"The last dose was {hours_off:.0f} h ago, longer than the usual interval "
                f"of about {usual_interval:.0f} h"
            )
        elif usual_daily is not None and current and last_24h < REDUCTION_FRACTION * usual_daily:
            reason = (
                f"The last 24 hours' total ({last_24h:g} {unit}) is much smaller than the usual "
                f"daily total (about {usual_daily:g} {unit})"
            )
        if reason is not None:
            severity = specific.severity if specific else Severity.WARNING
            notices.append(
                Finding(
                    severity=max(severity, Severity.WARNING),
                    code="withdrawal_possible",
                    title="Possible withdrawal: a missed or much smaller dose after long use",
                    message=f"{reason}. After {days_of_use:.0f} days of daily use, withdrawal "
                    f"signs can begin {onset_text} after the last dose or a cut. Watch for: "
                    + "; ".join(signs)
                    + ".",
                    advice=" ".join(todo),
                    figures={
                        "hours_since_last": round(hours_off, 1),
                        "usual_interval_h": usual_interval,
                        "last_24h": last_24h,
                        "usual_daily": usual_daily,
                        "onset_h": list(onset) if onset else None,
                    },
                    sources=list(dict.fromkeys(w_sources)),
                )
            )

    tol = substance.tolerance
    if (
        tol is not None
        and not current
        and days_of_use >= REGULAR_USE_DAYS
        and level in ("reduced", "returning", "baseline")
    ):
        notices.append(
            Finding(
                severity=Severity.WARNING,
                code="tolerance_lower_after_break",
                title="Lower tolerance after a break",
                message=f"{substance.name} was last taken {days_off:.0f} days ago, after "
                f"{days_of_use:.0f} days of regular use. {text}",
                advice="A dose that used to be usual can now be too strong: start with much "
                "less, and do not use alone.",
                figures={"days_since_last": round(days_off, 1)},
                sources=tol_sources,
            )
        )
    return ToleranceReport(
        substance_id=substance.id,
        substance_name=substance.name,
        run_start=run_start,
        last_dose_at=last,
        days_of_use=days_of_use,
        days_since_last=days_off,
        current=current,
        tolerance_level=level,
        tolerance_text=text,
        tolerance_sources=tol_sources,
        withdrawal_risk=long_use,
        usual_interval_h=usual_interval,
        usual_daily=usual_daily,
        last_24h=last_24h,
        unit=unit,
        notices=notices,
    )

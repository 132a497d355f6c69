"""A taper plan as CSV text and as an iCalendar file (RFC 5545, written by ``icalendar``).

Both are pure functions of the plan: no file is written here and no clock is read (the
calendar's DTSTAMP defaults to midnight UTC of the plan's first day; pass ``stamp`` to set it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from dosewise.errors import InputError
from dosewise.plan.taper import TaperPlan, TaperStep, describe_doses

CSV_COLUMNS = (
    "step",
    "kind",
    "start",
    "end",
    "days",
    "daily_total_mg",
    "times_per_day",
    "doses_mg",
    "reduction_mg",
    "rule",
    "watch_for",
)
DOSE_TIME_MINUTES = 15
_TIME_RE = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?$")


def _num(value: float) -> str:
    return f"{value:.4g}"


def _require_schedule(plan: TaperPlan, what: str) -> None:
    if not plan.steps:
        raise InputError(
            f"This plan has no schedule to export as {what}"
            + (
                ": intrathecal doses are changed only by the pump team"
                if not plan.self_taper
                else ""
            ),
            field=what.lower(),
        )


def plan_to_csv(plan: TaperPlan) -> str:
    """One row per step; ``doses_mg`` lists the amount at each intake (``10+15+15``)."""
    _require_schedule(plan, "CSV")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for step in plan.steps:
        writer.writerow(
            [
                step.number,
                step.kind,
                step.start.isoformat(),
                step.end.isoformat(),
                step.days,
                _num(step.daily_total_mg),
                step.times_per_day,
                "+".join(_num(d) for d in step.intake_doses_mg if d > 0),
                _num(step.reduction_mg),
                step.rule.value,
                step.watch_for,
            ]
        )
    return out.getvalue()


def parse_dose_times(text: str, intakes: int) -> list[time]:
    """``08:00,14:00,20:00`` (24-hour clock, one per intake of the current regimen)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    accepted = f"{intakes} times of day, 24-hour clock, e.g. " + ",".join(
        f"{8 + i * (12 // max(intakes - 1, 1)):02d}:00" for i in range(intakes)
    )
    times: list[time] = []
    for part in parts:
        m = _TIME_RE.match(part)
        if m is None or int(m["h"]) > 23 or int(m["m"] or 0) > 59:
            raise InputError(
                f"{part!r} is not a time of day", field="dose_times", accepted=accepted
            )
        times.append(time(int(m["h"]), int(m["m"] or 0)))
    if len(times) != intakes:
        raise InputError(
            f"{len(times)} dose time(s) given for {intakes} intake(s) a day",
            field="dose_times",
            accepted=accepted,
        )
    if times != sorted(times) or len(set(times)) != len(times):
        raise InputError("Dose times must be in the order of the day", field="dose_times")
    return times


def _uid(plan: TaperPlan, step: TaperStep, suffix: str = "") -> str:
    key = f"{plan.substance}|{plan.start}|{plan.daily_total_mg}|{step.number}|{step.start}{suffix}"
    return hashlib.sha256(key.encode()).hexdigest()[:24] + "@dosewise"


def _description(plan: TaperPlan, step: TaperStep) -> str:
    lines = [
        f"{plan.substance_name} taper, step {step.number} of {len(plan.steps)}.",
        f"Daily total: {_num(step.daily_total_mg)} mg ({describe_doses(step)}).",
        step.watch_for,
    ]
    if plan.emergency is not None:
        lines += plan.emergency.what_to_do
    lines.append(plan.starting_point)
    return "\n".join(lines)


def _summary(plan: TaperPlan, step: TaperStep) -> str:
    if step.kind == "stop":
        return f"{plan.substance_name} taper: stopped, watch for withdrawal signs"
    return (
        f"{plan.substance_name} taper step {step.number}: {_num(step.daily_total_mg)} mg a day "
        f"({describe_doses(step)})"
    )


def plan_to_ics(
    plan: TaperPlan,
    *,
    dose_times: Sequence[time] | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """An iCalendar file of the plan.

    Without ``dose_times``: one all-day event per step, spanning its days. With them (one per
    intake of the current regimen): for each step, one event per intake taken at that step,
    repeating daily for the step's days, at the local time of day (floating time, so it follows
    the person across time zones). UIDs are stable, so importing a re-exported plan updates it.
    """
    from icalendar import Calendar, Event

    _require_schedule(plan, "ICS")
    assert plan.start is not None
    assert plan.current is not None
    if dose_times is not None and len(dose_times) != plan.current.intakes_per_day:
        raise InputError(
            f"{len(dose_times)} dose time(s) for {plan.current.intakes_per_day} intake(s) a day",
            field="dose_times",
        )
    stamp = stamp or datetime.combine(plan.start, time(0), tzinfo=UTC)
    cal = Calendar()
    cal.add("prodid", "-//dosewise//taper plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{plan.substance_name} taper")
    for step in plan.steps:
        if dose_times is None or step.kind == "stop":
            event = Event()
            event.add("uid", _uid(plan, step))
            event.add("dtstamp", stamp)
            event.add("dtstart", step.start)
            event.add("dtend", step.end + timedelta(days=1))
            event.add("summary", _summary(plan, step))
            event.add("description", _description(plan, step))
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
            continue
        for index, (at, amount) in enumerate(zip(dose_times, step.intake_doses_mg, strict=True)):
            if amount <= 0:
                continue
            begin = datetime.combine(step.start, at)
            event = Event()
            event.add("uid", _uid(plan, step, f"|{index}"))
            event.add("dtstamp", stamp)
            event.add("dtstart", begin)
            event.add("dtend", begin + timedelta(minutes=DOSE_TIME_MINUTES))
            event.add("rrule", {"freq": "daily", "count": step.days})
            event.add(
                "summary",
                f"{plan.substance_name} {_num(amount)} mg (taper step {step.number})",
            )
            event.add("description", _description(plan, step))
            cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical

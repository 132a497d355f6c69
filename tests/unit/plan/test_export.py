"""CSV and iCalendar exports parse back to the plan (standard library csv, icalendar)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar, Component

from dosewise.errors import InputError
from dosewise.knowledge.catalog import default_catalog
from dosewise.plan.export import CSV_COLUMNS, parse_dose_times, plan_to_csv, plan_to_ics
from dosewise.plan.taper import TaperPlan, TaperRequest, parse_current_regimen, plan_taper
from dosewise.units import Route

TODAY = date(2026, 11, 24)


def make(regimen: str | None = "20mg tid", route: Route = Route.ORAL) -> TaperPlan:
    current = None
    if regimen is not None:
        route, current = parse_current_regimen(regimen, route=route)
    return plan_taper(
        default_catalog(),
        TaperRequest(
            route=route,
            regimen=current,
            since=date(2025, 3, 1),
            start=date(2026, 12, 1),
            today=TODAY,
        ),
    )


def test_csv_round_trip() -> None:
    plan = make()
    rows = list(csv.DictReader(io.StringIO(plan_to_csv(plan))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(plan.steps)
    for row, step in zip(rows, plan.steps, strict=True):
        assert int(row["step"]) == step.number
        assert row["kind"] == step.kind
        assert date.fromisoformat(row["start"]) == step.start
        assert date.fromisoformat(row["end"]) == step.end
        assert int(row["days"]) == step.days
        assert float(row["daily_total_mg"]) == step.daily_total_mg
        assert int(row["times_per_day"]) == step.times_per_day
        doses = [float(x) for x in row["doses_mg"].split("+") if x]
        assert doses == [d for d in step.intake_doses_mg if d > 0]
        assert float(row["reduction_mg"]) == step.reduction_mg
        assert row["rule"] == step.rule.value
        assert row["watch_for"] == step.watch_for  # commas and quotes survive
    assert rows[0]["doses_mg"] == "15+20+20"
    assert rows[-1]["doses_mg"] == ""


def events(data: bytes) -> list[Component]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_ics_all_day_event_per_step() -> None:
    plan = make()
    stamp = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    data = plan_to_ics(plan, stamp=stamp)
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    found = events(data)
    assert len(found) == len(plan.steps)
    for event, step in zip(found, plan.steps, strict=True):
        assert event.decoded("DTSTART") == step.start
        assert event.decoded("DTEND") == step.end + timedelta(days=1)  # exclusive end
        assert event.decoded("DTSTAMP") == stamp
        assert str(event["SUMMARY"]).startswith("Baclofen taper")
        description = str(event["DESCRIPTION"])
        assert step.watch_for in description
        assert "prescriber" in description
    assert "55 mg a day" in str(found[0]["SUMMARY"])
    assert "stopped" in str(found[-1]["SUMMARY"])
    assert len({str(e["UID"]) for e in found}) == len(found)
    # Stable: the same plan exported twice gives the same file.
    assert plan_to_ics(plan, stamp=stamp) == data


def test_ics_at_dose_times() -> None:
    plan = make()
    times = parse_dose_times("08:00,14:00,20:00", 3)
    found = events(plan_to_ics(plan, dose_times=times))
    reduce_steps = [s for s in plan.steps if s.kind == "reduce"]
    taken = sum(1 for s in reduce_steps for d in s.intake_doses_mg if d > 0)
    assert len(found) == taken + 1  # plus the all-day "stopped" event
    first = found[0]
    assert first.decoded("DTSTART") == datetime(2026, 12, 1, 8, 0)  # floating local time
    assert first["RRULE"]["COUNT"] == [3]
    assert "15 mg" in str(first["SUMMARY"])
    # Step 10 (5 mg twice a day): no morning event.
    step10 = [e for e in found if "(taper step 10)" in str(e["SUMMARY"])]
    assert [e.decoded("DTSTART").time() for e in step10] == [time(14), time(20)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("08:00,14:00", "2 dose time(s) given for 3"),
        ("08:00,25:00,20:00", "not a time of day"),
        ("20:00,14:00,08:00", "order of the day"),
        ("8,14,20", None),
    ],
)
def test_dose_times(text: str, fragment: str | None) -> None:
    if fragment is None:
        assert parse_dose_times(text, 3) == [time(8), time(14), time(20)]
        return
    with pytest.raises(InputError) as info:
        parse_dose_times(text, 3)
    assert info.value.field == "dose_times"
    assert fragment in str(info.value)


def test_intrathecal_plan_has_nothing_to_export() -> None:
    plan = make(None, Route.INTRATHECAL)
    for export in (plan_to_csv, plan_to_ics):
        with pytest.raises(InputError) as info:
            export(plan)
        assert "pump team" in str(info.value)

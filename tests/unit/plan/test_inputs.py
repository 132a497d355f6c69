"""Reading what people type: regimens, dates and the duration of use."""

from __future__ import annotations

from datetime import date

import pytest

from dosewise.errors import InputError
from dosewise.plan.taper import parse_current_regimen, parse_plan_date, parse_since
from dosewise.units import Route

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "dose", "per_day"),
    [
        ("20mg tid", 20, 3),
        ("20 mg three times a day", 20, 3),
        ("20mg q8h for 7d", 20, 3),
        ("10mg bid", 10, 2),
        ("10 mg twice daily", 10, 2),
        ("5mg qd", 5, 1),
        ("20mg qid", 20, 4),
        ("0.02 g q6h", 20, 4),
        ("10mg 4 times a day", 10, 4),
    ],
)
def test_regimens(text: str, dose: float, per_day: int) -> None:
    route, regimen = parse_current_regimen(text)
    assert route is Route.ORAL
    assert regimen is not None
    assert regimen.dose_per_intake_mg == pytest.approx(dose)
    assert regimen.intakes_per_day == per_day
    assert regimen.daily_total_mg == pytest.approx(dose * per_day)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("20mg", "one dose"),
        ("20mg q5h", "whole number of intakes"),
        ("1mg q30min", "whole number of intakes"),
        ("20mg at 0h, 10mg at 8h", "regular interval"),
        ("20mg at 0h, 20mg at 8h", "fewer doses than one day"),
        ("20 tid", "not a dose unit"),
        ("tid", "does not start with a dose"),
        ("", "No regimen"),
    ],
)
def test_bad_regimens_name_the_field(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_current_regimen(text)
    assert info.value.field == "regimen"
    assert fragment in str(info.value)


def test_intrathecal_regimen_keeps_its_route() -> None:
    route, regimen = parse_current_regimen("400 mcg/day intrathecal")
    assert route is Route.INTRATHECAL
    assert regimen is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        ("tomorrow", date(2026, 11, 25)),
        ("Tomorrow", date(2026, 11, 25)),
        ("2026-12-01", date(2026, 12, 1)),
        ("2025-03", date(2025, 3, 1)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_plan_date(text, today=TODAY, field="start") == expected


@pytest.mark.parametrize(
    "text", ["next week", "2025-13", "0000-01", "01/12/2026", "2026-02-30", "2026-00"]
)
def test_bad_dates_name_the_field(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_plan_date(text, today=TODAY, field="start")
    assert info.value.field == "start"


@pytest.mark.parametrize(
    ("text", "since", "months"),
    [
        ("2025-03", date(2025, 3, 1), None),
        ("2025-03-15", date(2025, 3, 15), None),
        ("18 months", None, 18),
        ("2 years", None, 24),
        ("2y", None, 24),
    ],
)
def test_since(text: str, since: date | None, months: float | None) -> None:
    assert parse_since(text, today=TODAY) == (since, months)


def test_since_in_weeks_and_days() -> None:
    _, months = parse_since("6 weeks", today=TODAY)
    assert months == pytest.approx(42 / (365.25 / 12))
    with pytest.raises(InputError) as info:
        parse_since("0 days", today=TODAY)
    assert info.value.field == "since"
    for text in ("a while", "9" * 400 + " years", "200 years"):
        with pytest.raises(InputError) as info:
            parse_since(text, today=TODAY)
        assert info.value.field == "since"

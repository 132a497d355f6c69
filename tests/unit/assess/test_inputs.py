from __future__ import annotations

import pytest

from dosewise.assess.inputs import build_person, parse_earlier_dose, parse_intake, parse_weight_kg
from dosewise.errors import InputError


@pytest.mark.parametrize(
    ("text", "substance", "dose", "hours"),
    [
        ("alcohol", "alcohol", None, None),
        ("diazepam 10mg", "diazepam", "10 mg", None),
        ("diazepam 10 mg 2h ago", "diazepam", "10 mg", 2.0),
        ("alcohol 3 drinks, 90 min ago", "alcohol", "3 drink", 1.5),
        ("1,4-butanediol 2ml", "1,4-butanediol", "2 mL", None),
        ("nitrous oxide 8g", "nitrous oxide", "8 g", None),
    ],
)
def test_parse_intake(text: str, substance: str, dose: str | None, hours: float | None) -> None:
    intake = parse_intake(text)
    assert intake.substance == substance
    assert (str(intake.dose) if intake.dose else None) == dose
    assert intake.hours_ago == hours


def test_earlier_dose() -> None:
    intake = parse_earlier_dose("40mg 3h ago", "baclofen")
    assert intake.substance == "baclofen"
    assert intake.hours_ago == 3
    assert intake.dose is not None
    assert intake.dose.value == 40


@pytest.mark.parametrize("text", ["40", "3h ago", "40mg yesterday ago", ""])
def test_bad_earlier_doses(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_earlier_dose(text, "baclofen", field="taken_today[0]")
    assert info.value.field is not None


@pytest.mark.parametrize(("text", "kg"), [("70", 70), ("70kg", 70), ("154 lb", 69.853225)])
def test_weight(text: str, kg: float) -> None:
    assert parse_weight_kg(text) == pytest.approx(kg)


@pytest.mark.parametrize("text", ["0kg", "9000kg", "heavy", "-3"])
def test_bad_weight(text: str) -> None:
    with pytest.raises(InputError):
        parse_weight_kg(text)


def test_person_errors_name_the_field() -> None:
    with pytest.raises(InputError) as info:
        build_person(crcl_ml_min=-5)
    assert info.value.field == "crcl_ml_min"
    with pytest.raises(InputError) as info:
        build_person(crcl_ml_min=40, egfr=40)
    assert "one measure of kidney function" in str(info.value)

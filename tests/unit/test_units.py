"""Dose, route, concentration and duration parsing against hand-computed expectations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dosewise.errors import InputError, UnitError
from dosewise.units import (
    Dose,
    DoseUnit,
    Route,
    concentration_to_mg_per_l,
    format_hours,
    format_hours_range,
    parse_dose,
    parse_duration_h,
    parse_route,
)


@pytest.mark.parametrize(
    ("text", "mg"),
    [
        ("20mg", 20.0),
        ("20 mg", 20.0),
        ("20 MG", 20.0),
        ("20Mg", 20.0),  # never megagrams
        ("0.02 g", 20.0),
        ("1.5g", 1500.0),
        ("75mcg", 0.075),
        ("75 µg", 0.075),  # micro sign U+00B5
        ("75 μg", 0.075),  # Greek mu U+03BC
        ("75ug", 0.075),
        ("75 micrograms", 0.075),
        ("500 ng", 0.0005),
        ("0,5 mg", 0.5),  # decimal comma
        (".5mg", 0.5),
        ("~20mg", 20.0),
        ("20 milligrams", 20.0),
    ],
)
def test_mass_doses_convert_to_mg(text: str, mg: float) -> None:
    assert parse_dose(text).mass_mg() == pytest.approx(mg, rel=1e-12)


def test_estimated_marker() -> None:
    assert parse_dose("~20mg").estimated
    assert parse_dose("about 20 mg").estimated
    assert not parse_dose("20mg").estimated


def test_per_kg_needs_weight() -> None:
    dose = parse_dose("2 mg/kg")
    assert dose.per_kg
    assert dose.mass_mg(weight_kg=70) == pytest.approx(140)
    with pytest.raises(UnitError) as info:
        dose.mass_mg()
    assert info.value.field == "weight"


@pytest.mark.parametrize(
    ("text", "error", "fragment"),
    [
        ("", InputError, "No dose"),
        ("   ", InputError, "No dose"),
        ("mg", InputError, "does not start with a number"),
        ("twenty mg", InputError, "does not start with a number"),
        ("20", UnitError, "has no unit"),
        ("0mg", InputError, "zero"),
        ("-5mg", InputError, "negative"),
        ("nan mg", InputError, "not a number"),
        ("inf mg", InputError, "not a number"),
        ("1,500 mg", InputError, "ambiguous"),
        ("5 gr", UnitError, "grain"),
        ("2 kg", UnitError, "kilograms"),
        ("2 tabs", UnitError, "tablets vary"),
        ("20 mmg", UnitError, "did you mean mg?"),
        ("1 gm", UnitError, "did you mean g?"),
        ("2000 g", UnitError, "more than 1 kg"),
        ("6000 mL", UnitError, "mL"),
    ],
)
def test_bad_doses_are_refused_with_a_reason(
    text: str, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error) as info:
        parse_dose(text)
    assert fragment in str(info.value)
    assert getattr(info.value, "field", None) in ("dose", "weight")


def test_missing_unit_suggests_units() -> None:
    with pytest.raises(UnitError) as info:
        parse_dose("50")
    assert "50mg" in str(info.value)
    assert "50mcg" in str(info.value)


def test_count_units_are_kept_for_the_substance_to_define() -> None:
    dose = parse_dose("2 drinks")
    assert dose.unit == "drink"
    assert dose.value == 2
    with pytest.raises(UnitError):
        dose.mass_mg()
    with pytest.raises(UnitError):
        parse_dose("2 drinks", allow_count_units=False)


def test_display_uses_micro_sign() -> None:
    assert str(parse_dose("75ug")) == "75 µg"
    assert str(parse_dose("~2 mg/kg")) == "~2 mg/kg"


units = st.sampled_from([u.value for u in DoseUnit])
values = st.floats(min_value=1e-3, max_value=900, allow_nan=False, allow_infinity=False)


@given(values, units, st.booleans(), st.booleans())
def test_printing_and_parsing_a_dose_round_trips(
    value: float, unit: str, per_kg: bool, estimated: bool
) -> None:
    dose = Dose(value=value, unit=unit, per_kg=per_kg and unit != "mL", estimated=estimated)
    assert parse_dose(str(dose)) == dose


@given(values)
def test_unit_conversions_are_consistent(value: float) -> None:
    as_g = parse_dose(f"{value} g").mass_mg()
    as_mg = parse_dose(f"{value * 1000} mg").mass_mg()
    assert math.isclose(as_g, as_mg, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("oral", Route.ORAL),
        ("PO", Route.ORAL),
        ("it", Route.INTRATHECAL),
        ("pump", Route.INTRATHECAL),
        ("IV", Route.INTRAVENOUS),
        ("snorted", Route.INSUFFLATED),
        ("sub-q", Route.SUBCUTANEOUS),
    ],
)
def test_routes(text: str, route: Route) -> None:
    assert parse_route(text) is route


def test_unknown_route_lists_accepted_routes() -> None:
    with pytest.raises(InputError) as info:
        parse_route("eyeball")
    assert "intrathecal" in str(info.value)
    assert info.value.field == "route"


@pytest.mark.parametrize(
    ("value", "unit", "mg_per_l"),
    [
        (80, "ng/mL", 0.08),
        (400, "ng/ml", 0.4),
        (1.1, "mg/L", 1.1),
        (3.3, "µg/mL", 3.3),
        (80, "mg/dL", 800.0),
        (0.08, "g/dL", 800.0),
        (250, "µg/L", 0.25),
    ],
)
def test_concentrations(value: float, unit: str, mg_per_l: float) -> None:
    assert concentration_to_mg_per_l(value, unit) == pytest.approx(mg_per_l)


def test_micromolar_needs_molar_mass() -> None:
    # 1 µmol/L of baclofen (213.66 g/mol) = 213.66 µg/L = 0.21366 mg/L
    assert concentration_to_mg_per_l(1, "µmol/L", molar_mass_g_per_mol=213.66) == pytest.approx(
        0.21366
    )
    with pytest.raises(UnitError):
        concentration_to_mg_per_l(1, "µmol/L")


@pytest.mark.parametrize(
    ("text", "hours"),
    [("30min", 0.5), ("8h", 8), ("7d", 168), ("2 weeks", 336), ("90 s", 0.025), ("1.5 hours", 1.5)],
)
def test_durations(text: str, hours: float) -> None:
    assert parse_duration_h(text) == pytest.approx(hours)


@pytest.mark.parametrize("text", ["", "0h", "soon", "-3h", "8 parsecs"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration_h(text)


def test_formatting_hours() -> None:
    assert format_hours(0.25) == "15 min"
    assert format_hours(1.25) == "1 h 15 min"
    assert format_hours(3) == "3 h"
    assert format_hours(50) == "2 d 2 h"
    assert format_hours_range(0.25, 0.75) == "15–45 min"
    assert format_hours_range(3, 6) == "3–6 h"


def test_structured_doses_have_the_same_ceilings_as_typed_ones() -> None:
    from pydantic import ValidationError

    from dosewise.units import Dose

    with pytest.raises(ValidationError, match="more than 1 kg"):
        Dose(value=1001, unit="g")
    with pytest.raises(ValidationError, match="mL"):
        Dose(value=6000, unit="mL")
    assert Dose(value=1000, unit="g").value == 1000  # exactly 1 kg is the ceiling

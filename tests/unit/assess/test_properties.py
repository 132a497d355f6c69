"""Invariants (hypothesis): more never gives less."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dosewise.assess.engine import assess
from dosewise.assess.models import TIER_ORDER, CheckRequest, Intake, Person
from dosewise.knowledge.catalog import default_catalog
from dosewise.units import MAX_PLAUSIBLE_MASS_MG, Dose, DoseUnit

CATALOG = default_catalog()
ROUTES = [
    (s.id, r.route, r.dose_unit)
    for s in CATALOG.substances.values()
    if s.kind == "substance"
    for r in s.routes
    if r.dose_unit is not DoseUnit.ML and (r.tiers or r.medical)
]
NAMES = sorted(s for s in CATALOG.substances)
PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(substance: str, route: object, unit: DoseUnit, amount: float, **kw: object) -> object:
    request = CheckRequest(
        substance=substance,
        # amounts above 1 kg are refused as doses (units.MAX_PLAUSIBLE_MASS_MG): clamp there
        dose=Dose(value=min(amount, MAX_PLAUSIBLE_MASS_MG / unit.mg_factor), unit=unit.value),
        route=route,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
    return assess(CATALOG, request)


amounts = st.floats(min_value=0.01, max_value=5000, allow_nan=False, allow_infinity=False)


@PROFILE
@given(st.sampled_from(ROUTES), amounts, amounts)
def test_higher_dose_never_lowers_tier_or_severity(
    route: tuple[str, object, DoseUnit], a: float, b: float
) -> None:
    low, high = sorted((a, b))
    substance, route_, unit = route
    first = run(substance, route_, unit, low)
    second = run(substance, route_, unit, high)
    assert second.severity >= first.severity  # type: ignore[attr-defined]
    if first.tiers and second.tiers:  # type: ignore[attr-defined]
        assert TIER_ORDER.index(second.tiers.verdict) >= TIER_ORDER.index(first.tiers.verdict)  # type: ignore[attr-defined]


@PROFILE
@given(
    st.floats(min_value=1, max_value=300),
    st.lists(st.sampled_from(NAMES), max_size=3),
    st.sampled_from(NAMES),
)
def test_adding_a_substance_never_lowers_severity(
    amount: float, others: list[str], extra: str
) -> None:
    base = [Intake(substance=n) for n in others]
    before = run("baclofen", "oral", DoseUnit.MG, amount, with_=base)
    after = run("baclofen", "oral", DoseUnit.MG, amount, with_=[*base, Intake(substance=extra)])
    assert after.severity >= before.severity  # type: ignore[attr-defined]


risk = st.fixed_dictionaries(
    {},
    optional={
        "seizure_history": st.booleans(),
        "pregnant": st.booleans(),
        "age_years": st.floats(min_value=18, max_value=100),
    },
)


@PROFILE
@given(
    st.floats(min_value=1, max_value=300),
    risk,
    st.sampled_from(["seizure_history", "pregnant", "age_years", "dialysis"]),
)
def test_adding_a_risk_factor_never_lowers_severity(
    amount: float, person: dict[str, object], factor: str
) -> None:
    before = run("baclofen", "oral", DoseUnit.MG, amount, person=Person(**person))
    worse = dict(person)
    if factor == "age_years":
        worse["age_years"] = max(float(person.get("age_years", 18)), 80.0)  # type: ignore[arg-type]
    elif factor == "dialysis":
        worse["kidney"] = "dialysis"
    else:
        worse[factor] = True
    after = run("baclofen", "oral", DoseUnit.MG, amount, person=Person(**worse))
    assert after.severity >= before.severity  # type: ignore[attr-defined]


@PROFILE
@given(
    st.floats(min_value=1, max_value=300),
    st.floats(min_value=0, max_value=200),
    st.floats(min_value=0, max_value=200),
)
def test_worse_kidney_function_never_lowers_severity(amount: float, a: float, b: float) -> None:
    better, worse = max(a, b), min(a, b)
    first = run("baclofen", "oral", DoseUnit.MG, amount, person=Person(crcl_ml_min=better))
    second = run("baclofen", "oral", DoseUnit.MG, amount, person=Person(crcl_ml_min=worse))
    dialysis = run("baclofen", "oral", DoseUnit.MG, amount, person=Person(kidney="dialysis"))
    assert second.severity >= first.severity  # type: ignore[attr-defined]
    assert dialysis.severity >= second.severity  # type: ignore[attr-defined]

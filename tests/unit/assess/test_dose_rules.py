"""Hand-made cases for each band, tier and modifier, against the seed's and the labels' figures."""

from __future__ import annotations

import pytest

from dosewise.assess.dose import classify
from dosewise.errors import InputError, UnitError
from dosewise.knowledge.schema import DoseTiers
from dosewise.severity import Severity
from dosewise.units import Route

from .conftest import check, codes

SEED_TIERS = DoseTiers(sources=["seed"], light=(10, 20), common=(20, 50), strong=(50, 75))


@pytest.mark.parametrize(
    ("amount", "tier"),
    [
        (5, "below_threshold"),
        (10, "light"),
        (19.9, "light"),
        (20, "common"),  # boundary goes to the higher tier
        (50, "strong"),
        (75, "strong"),
        (75.1, "above_strong"),
    ],
)
def test_classify_on_the_seed_scale(amount: float, tier: str) -> None:
    assert classify(amount, SEED_TIERS) == tier


@pytest.mark.parametrize(
    ("dose", "verdict", "severity"),
    [
        ("15mg", "light", Severity.INFO),
        ("30mg", "common", Severity.INFO),
        ("60mg", "strong", Severity.CAUTION),
        ("80mg", "above_strong", Severity.WARNING),  # seed stops at 75; TripSit heavy from 75
    ],
)
def test_baclofen_tiers_take_the_most_cautious_source(
    dose: str, verdict: str, severity: Severity
) -> None:
    result = check(dose)
    assert result.tiers is not None
    assert result.tiers.verdict == verdict
    assert result.severity == severity


def test_tiers_are_reported_per_source() -> None:
    result = check("80mg")
    assert result.tiers is not None
    by_source = {t.sources[0]: t.tier for t in result.tiers.per_source}
    assert by_source == {"seed": "above_strong", "pw-baclofen": "strong", "tripsit-drugs": "heavy"}


@pytest.mark.parametrize(
    ("dose", "severity", "band_from"),
    [
        ("99mg", Severity.WARNING, None),
        ("100mg", Severity.DANGER, 100),  # seed: "even 100mg can bring some negative effects"
        ("199mg", Severity.DANGER, 100),
        ("200mg", Severity.EMERGENCY, 200),  # seed/Leung: classic overdose from 200 mg
        ("1.5g", Severity.EMERGENCY, 1000),  # grams: life-threatening
    ],
)
def test_overdose_bands(dose: str, severity: Severity, band_from: float | None) -> None:
    result = check(dose)
    assert result.severity == severity
    bands = [f for f in result.findings if f.code == "overdose_band"]
    if band_from is None:
        assert bands == []
    else:
        assert bands[0].figures["band_from"] == band_from


def test_emergency_block_is_first_class_when_danger() -> None:
    danger = check("150mg")
    assert danger.emergency is not None
    assert danger.emergency.level == "be_ready"
    emergency = check("300mg")
    assert emergency.emergency is not None
    assert emergency.emergency.level == "call_now"
    assert "24 hours or more" in (emergency.emergency.expected_duration or "")
    assert any("recovery position" in s for s in emergency.emergency.steps)
    assert check("20mg").emergency is None


def test_daily_total_against_the_label_maximum() -> None:
    within = check("20mg", earlier=[("20mg", None), ("20mg", None)])
    assert within.daily_total is not None
    assert within.daily_total.total == 60
    assert within.daily_total.status == "within_usual"
    over = check("60mg", earlier=[("40mg", None)])  # 100 mg/day > 80 mg/day label maximum
    assert over.daily_total is not None
    assert over.daily_total.status == "above_label_max"
    assert "daily_above_label_max" in codes(over)
    assert over.severity >= Severity.WARNING
    way_over = check("60mg", earlier=[("90mg", 20), ("90mg", 16), ("90mg", 12)])  # 330 > 300
    assert way_over.daily_total is not None
    assert way_over.daily_total.status == "above_supervised_max"
    assert way_over.severity >= Severity.DANGER


def test_doses_older_than_24h_do_not_count() -> None:
    result = check("60mg", earlier=[("60mg", 30)])
    assert result.daily_total is not None
    assert result.daily_total.total == 60


def test_recent_doses_stack_into_an_overdose_band() -> None:
    # 60 + 60 mg two hours apart: 120 mg active, the 100 mg band (danger)
    stacked = check("60mg", earlier=[("60mg", 2)])
    assert "overdose_band_stacked" in codes(stacked)
    assert stacked.severity == Severity.DANGER
    # the same dose a day earlier does not stack (beyond the longest reported duration, 14 h)
    apart = check("60mg", earlier=[("60mg", 20)])
    assert "overdose_band_stacked" not in codes(apart)
    # unknown times are reported as an unknown that could change the answer
    untimed = check("60mg", earlier=[("60mg", None)])
    assert "taken_today.time" in {u.field for u in untimed.unknowns}


def test_kidney_function_lowers_thresholds() -> None:
    # CrCl 40: moderate band, dose factor 0.5 -> overdose threshold 100 x 0.5 = 50 mg
    result = check("60mg", crcl_ml_min=40)
    band = next(f for f in result.findings if f.code == "overdose_band")
    assert band.figures["band_from"] == 100
    assert band.figures["kidney_factor"] == 0.5
    assert result.severity == Severity.DANGER
    assert "kidney_reduce" in codes(result)
    # and the adjusted daily maximum is 80 x 0.5 = 40 mg
    assert result.daily_total is not None
    assert result.daily_total.kidney_adjusted_max_daily == pytest.approx(40)


def test_dialysis_is_toxic_at_5mg_a_day() -> None:
    result = check("5mg", kidney="dialysis")
    assert result.severity == Severity.DANGER
    assert {"kidney_avoid", "daily_toxic_with_kidney_function"} <= codes(result)


def test_a_band_with_a_stated_maximum_uses_it() -> None:
    # Pregabalin SmPC renal table: on haemodialysis the daily maximum is 75 mg (plus a
    # supplementary dose after each session). Label maximum x factor would give 300 x 0.125.
    ok = check("75mg", "pregabalin", kidney="dialysis")
    assert ok.daily_total is not None
    assert ok.daily_total.kidney_adjusted_max_daily == pytest.approx(75)
    assert "daily_above_kidney_adjusted_max" not in codes(ok)
    over = check("100mg", "pregabalin", kidney="dialysis")
    assert "daily_above_kidney_adjusted_max" in codes(over)


def test_of_two_matching_renal_tables_the_stricter_applies() -> None:
    # Gabapentin at CrCl 40 mL/min: US Neurontin 400-1400 mg/day, UK-style 300-900 mg/day.
    result = check("400mg", "gabapentin", crcl_ml_min=40, earlier=[("600mg", 6)])
    assert result.daily_total is not None
    assert result.daily_total.kidney_adjusted_max_daily == pytest.approx(900)
    assert "daily_above_kidney_adjusted_max" in codes(result)  # 1000 mg > 900 mg


def test_severe_renal_impairment_is_best_avoided() -> None:
    result = check("10mg", egfr=20)
    assert "kidney_avoid" in codes(result)


def test_normal_kidney_function_adds_nothing_dangerous() -> None:
    result = check("20mg", crcl_ml_min=100)
    assert result.severity == Severity.INFO
    assert "kidney_function" not in {u.field for u in result.unknowns}


def test_unknown_is_not_normal() -> None:
    result = check("20mg")
    fields = {u.field for u in result.unknowns}
    assert {"kidney_function", "seizure_history"} <= fields


def test_risk_factors_from_the_data() -> None:
    assert check("20mg", seizure_history=True).severity == Severity.WARNING
    assert check("20mg", pregnant=True).severity == Severity.WARNING
    assert check("20mg", age_years=70).severity == Severity.CAUTION
    assert check("20mg", age_years=40).severity == Severity.INFO


def test_intrathecal_is_micrograms_and_mg_is_refused() -> None:
    result = check("50ug", route=Route.INTRATHECAL)
    assert result.severity == Severity.INFO
    with pytest.raises(UnitError) as info:
        check("50mg", route=Route.INTRATHECAL)
    message = str(info.value)
    assert "MICROGRAMS" in message
    assert "emergency" in message
    assert info.value.field == "dose"


def test_intrathecal_bolus_overdose() -> None:
    assert check("1500ug", route=Route.INTRATHECAL).severity == Severity.EMERGENCY


def test_oral_dose_in_the_wrong_unit_is_flagged() -> None:
    low = check("20mcg")
    assert "unit_check_low" in codes(low)
    assert "check the unit" in low.headline
    high = check("20g")  # 20,000 mg: more than ten times anything in the data
    assert "unit_check_high" in codes(high)
    assert high.severity == Severity.EMERGENCY  # still assessed as given


def test_unknown_route_and_class_entries_are_refused() -> None:
    with pytest.raises(InputError) as info:
        check("20mg", route=Route.SMOKED)
    assert "oral" in str(info.value)
    assert info.value.field == "route"
    with pytest.raises(InputError) as info:
        check("10mg", substance="benzodiazepines")
    assert "class" in str(info.value)


def test_count_units_come_from_the_substance() -> None:
    with pytest.raises(UnitError):
        check("2 drinks")  # baclofen has no 'drink'


def test_earlier_doses_must_be_the_same_substance() -> None:
    from dosewise.assess.engine import assess
    from dosewise.assess.models import CheckRequest, Intake
    from dosewise.knowledge.catalog import default_catalog
    from dosewise.units import parse_dose

    request = CheckRequest(
        substance="baclofen",
        dose=parse_dose("20mg"),
        taken_today=[Intake(substance="alcohol", dose=parse_dose("20g"))],
    )
    with pytest.raises(InputError) as info:
        assess(default_catalog(), request)
    assert info.value.field == "taken_today[0]"


def test_an_earlier_dose_outside_24h_is_said_not_silently_dropped() -> None:
    result = check("20mg", earlier=[("40mg", 30)])
    assert result.daily_total is not None
    assert result.daily_total.total == 20
    assert "earlier_dose_outside_24h" in codes(result)

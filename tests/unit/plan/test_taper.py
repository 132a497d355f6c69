"""The taper engine against hand-computed schedules (docs/taper.md explains each rule).

Baclofen figures used below, all read from the data: reduce over at least 1-2 weeks (cautious
end: 14 days); withdrawal signs 12-72 h after a cut (each step held 72 h = 3 days); long use
beyond 60 days; label maximum 80 mg/day; high-dose step 10-15 mg every 2 days (lower end 10 mg);
tablets 5, 10, 20 mg (doses in whole 5 mg tablets).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from dosewise.errors import InputError, UnitError, UnknownSubstanceError
from dosewise.knowledge.catalog import Catalog, default_catalog
from dosewise.plan.taper import (
    CurrentRegimen,
    RuleCode,
    TaperPerson,
    TaperPlan,
    TaperRequest,
    has_taper_data,
    parse_current_regimen,
    plan_taper,
)
from dosewise.severity import Severity
from dosewise.units import Route

TODAY = date(2026, 11, 24)
START = date(2026, 12, 1)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def plan(
    catalog: Catalog,
    regimen: str | None = "20mg tid",
    *,
    since: date | None = date(2025, 3, 1),
    months: float | None = None,
    route: Route = Route.ORAL,
    substance: str = "baclofen",
    start: date = START,
    person: TaperPerson | None = None,
) -> TaperPlan:
    current = None
    if regimen is not None:
        route, current = parse_current_regimen(regimen, route=route)
    return plan_taper(
        catalog,
        TaperRequest(
            substance=substance,
            route=route,
            regimen=current,
            since=since,
            months_of_use=months,
            start=start,
            today=TODAY,
            person=person or TaperPerson(),
        ),
    )


def schedule(p: TaperPlan) -> list[tuple[str, str, float, list[float]]]:
    return [
        (s.start.isoformat(), s.end.isoformat(), s.daily_total_mg, s.intake_doses_mg)
        for s in p.steps
    ]


# ---- hand-computed schedules ----------------------------------------------------------------


def test_20mg_tid_since_march_2025_is_long_use_in_5mg_steps_every_3_days(catalog: Catalog) -> None:
    p = plan(catalog, "20mg tid", since=date(2025, 3, 1))
    # 1 Mar 2025 to 1 Dec 2026 = 640 days > 60: long use. 60 mg/day falls 5 mg at a time
    # (the smallest tablet), each step held 3 days: 11 lower doses, 33 days, then stop.
    assert p.days_of_use == 640
    assert p.long_use is True
    assert p.high_dose is False
    assert schedule(p) == [
        ("2026-12-01", "2026-12-03", 55, [15, 20, 20]),
        ("2026-12-04", "2026-12-06", 50, [15, 15, 20]),
        ("2026-12-07", "2026-12-09", 45, [15, 15, 15]),
        ("2026-12-10", "2026-12-12", 40, [10, 15, 15]),
        ("2026-12-13", "2026-12-15", 35, [10, 10, 15]),
        ("2026-12-16", "2026-12-18", 30, [10, 10, 10]),
        ("2026-12-19", "2026-12-21", 25, [5, 10, 10]),
        ("2026-12-22", "2026-12-24", 20, [5, 5, 10]),
        ("2026-12-25", "2026-12-27", 15, [5, 5, 5]),
        ("2026-12-28", "2026-12-30", 10, [0, 5, 5]),
        ("2026-12-31", "2027-01-02", 5, [0, 0, 5]),
        ("2027-01-03", "2027-01-05", 0, [0, 0, 0]),
    ]
    assert p.stop == date(2027, 1, 3)
    assert p.total_days == 33
    assert [s.kind for s in p.steps][-1] == "stop"
    assert p.steps[9].times_per_day == 2
    assert p.steps[9].dose_per_intake_mg == 5
    assert p.steps[0].dose_per_intake_mg is None  # 15 + 20 + 20
    assert [r.code for r in p.rules] == [RuleCode.LONG_USE]
    assert p.rules[0].step_mg == 5
    assert p.rules[0].interval_days == 3


def test_20mg_tid_for_one_month_spreads_over_at_least_two_weeks(catalog: Catalog) -> None:
    p = plan(catalog, "20 mg three times a day", since=date(2026, 11, 1))
    # 30 days of use: usual rule. 14 days / 3-day holds -> 5 steps; 60 / 6 = 10 mg per step.
    assert p.long_use is False
    assert schedule(p) == [
        ("2026-12-01", "2026-12-03", 50, [15, 15, 20]),
        ("2026-12-04", "2026-12-06", 40, [10, 15, 15]),
        ("2026-12-07", "2026-12-09", 30, [10, 10, 10]),
        ("2026-12-10", "2026-12-12", 20, [5, 5, 10]),
        ("2026-12-13", "2026-12-15", 10, [0, 5, 5]),
        ("2026-12-16", "2026-12-18", 0, [0, 0, 0]),
    ]
    assert p.total_days == 15
    assert p.rules[0].code is RuleCode.USUAL
    assert p.rules[0].min_total_days == 14


def test_5mg_bid_short_use_holds_the_single_lower_step_two_weeks(catalog: Catalog) -> None:
    p = plan(catalog, "5mg bid", since=date(2026, 11, 1))
    assert schedule(p) == [
        ("2026-12-01", "2026-12-14", 5, [0, 5]),
        ("2026-12-15", "2026-12-17", 0, [0, 0]),
    ]


def test_150mg_a_day_steps_down_10mg_every_2_days_then_slows(catalog: Catalog) -> None:
    p = plan(catalog, "50mg tid", since=date(2025, 3, 1))
    assert p.high_dose is True
    high = [s for s in p.steps if s.rule is RuleCode.HIGH_DOSE]
    assert [s.daily_total_mg for s in high] == [140, 130, 120, 110, 100, 90, 80]
    assert all(10 <= s.reduction_mg <= 15 and s.days == 2 for s in high)
    assert high[0].start == START
    assert high[-1].end == date(2026, 12, 14)
    # From the label maximum down, the long-use rule: 5 mg every 3 days (never faster).
    rest = [s for s in p.steps if s.rule is RuleCode.LONG_USE and s.kind == "reduce"]
    assert rest[0].daily_total_mg == 75
    assert rest[0].start == date(2026, 12, 15)
    assert all(s.reduction_mg == 5 and s.days == 3 for s in rest)
    assert p.steps[-1].start == date(2027, 1, 29)
    rule = next(r for r in p.rules if r.code is RuleCode.HIGH_DOSE)
    assert (rule.step_mg, rule.interval_days) == (10, 2)
    assert "ansm-2017" in rule.sources
    figure = next(f for f in p.figures if f.name == "high-dose step")
    assert figure.sources == ["ansm-2017"]
    assert "monthly follow-up" in figure.value
    codes = {w.code for w in p.warnings}
    assert {"high_dose", "above_max_single", "long_use"} <= codes
    assert "monthly" in next(w for w in p.warnings if w.code == "high_dose").message


def test_high_dose_after_short_use_uses_the_usual_rule_below_the_maximum(catalog: Catalog) -> None:
    p = plan(catalog, "30mg tid", since=date(2026, 11, 1))  # 90 mg/day, 30 days
    assert [s.daily_total_mg for s in p.steps] == [80, 70, 60, 50, 40, 30, 20, 10, 0]
    assert [s.days for s in p.steps[:2]] == [2, 3]
    assert [s.rule for s in p.steps[:2]] == [RuleCode.HIGH_DOSE, RuleCode.USUAL]


def test_unknown_duration_assumes_long_use(catalog: Catalog) -> None:
    p = plan(catalog, "10mg tid", since=None)
    assert p.long_use is True
    assert p.days_of_use is None
    assert "duration_unknown" in {w.code for w in p.warnings}


@pytest.mark.parametrize(("months", "long_use"), [(1, False), (1.5, False), (2.5, True)])
def test_months_of_use(catalog: Catalog, months: float, long_use: bool) -> None:
    # Use continues until the plan starts (7 days after today).
    p = plan(catalog, "10mg tid", since=None, months=months)
    assert p.long_use is long_use


def test_smallest_dose_has_only_the_stop_step(catalog: Catalog) -> None:
    p = plan(catalog, "5mg qd")
    assert [s.kind for s in p.steps] == ["stop"]
    assert p.steps[0].start == START
    assert "smallest_dose" in {w.code for w in p.warnings}


def test_dose_that_is_not_whole_tablets_rounds_down_by_less_than_a_step(catalog: Catalog) -> None:
    p = plan(catalog, "12.5mg bid")
    assert p.steps[0].daily_total_mg == 20
    assert p.steps[0].reduction_mg == 5
    assert "not_whole_tablets" in {w.code for w in p.warnings}


@pytest.mark.parametrize(
    "regimen", ["5mg tid", "10mg bid", "20mg qid", "25mg tid", "40mg bid", "100mg tid", "15mg qd"]
)
@pytest.mark.parametrize("since", [date(2026, 11, 20), date(2020, 1, 1)])
def test_schedule_invariants(catalog: Catalog, regimen: str, since: date) -> None:
    p = plan(catalog, regimen, since=since)
    rules = {r.code: r for r in p.rules}
    previous = p.daily_total_mg
    assert previous is not None
    day = START
    for step in p.steps:
        assert step.start == day
        assert step.end == step.start + timedelta(days=step.days - 1)
        day = step.end + timedelta(days=1)
        assert step.daily_total_mg == pytest.approx(sum(step.intake_doses_mg))
        assert all(d % 5 == 0 for d in step.intake_doses_mg)
        assert step.daily_total_mg < previous
        assert step.reduction_mg == pytest.approx(previous - step.daily_total_mg)
        assert step.reduction_mg <= rules[step.rule].step_mg + 1e-9  # never more than the step
        assert step.days >= rules[step.rule].interval_days or step.kind == "stop"
        assert step.watch_for
        previous = step.daily_total_mg
    assert p.steps[-1].daily_total_mg == 0
    usual = [s for s in p.steps if s.rule in (RuleCode.USUAL, RuleCode.LONG_USE)]
    if len(usual) > 1:
        assert (usual[-1].start - usual[0].start).days >= 14  # at least 2 weeks
    for sid in (
        s
        for part in (p.rules, p.figures, p.hold_rules, p.warnings)
        for x in part
        for s in x.sources
    ):
        assert sid in p.sources


def test_long_use_is_never_faster_than_usual(catalog: Catalog) -> None:
    for regimen in ("5mg tid", "20mg tid", "20mg qid", "50mg tid"):
        short = plan(catalog, regimen, since=date(2026, 11, 20))
        long = plan(catalog, regimen, since=date(2020, 1, 1))
        assert long.total_days is not None
        assert short.total_days is not None
        assert long.total_days >= short.total_days


# ---- figures, sources, hold rules -----------------------------------------------------------


def test_figures_come_from_the_data_with_their_sources(catalog: Catalog) -> None:
    p = plan(catalog, "20mg tid")
    figures = {f.name: f for f in p.figures}
    duration = figures["minimum taper duration"]
    assert duration.value == "at least 1-2 weeks"
    assert duration.sources == ["label-ozobax", "pms-baclofen", "baclofentreatment-cessation"]
    assert duration.quote is not None
    assert "1-2 weeks" in duration.quote
    assert figures["label maximum"].value == "80 mg/day"
    assert figures["tablet strengths"].value == "5, 10, 20 mg"
    assert figures["withdrawal onset after the last dose or a reduction"].value == "12-72 h"
    assert figures["continuous use after which withdrawal is a real risk"].value == "60 days"
    assert "high-dose step" not in figures  # only when it is used
    for rule in p.rules:
        assert rule.sources
        assert rule.design_choices


def test_hold_rules_and_emergency(catalog: Catalog) -> None:
    p = plan(catalog, "20mg tid")
    texts = " ".join(a.text for a in p.hold_rules)
    assert "go back to the last step at which you felt well" in texts
    assert "last tolerated dose" in texts
    assert "12-72 h" in texts
    assert all(a.sources for a in p.hold_rules)
    assert p.emergency is not None
    assert "seizures" in p.emergency.signs
    assert any("call emergency services" in t for t in p.emergency.what_to_do)
    assert "go back to your current dose (60 mg a day)" in p.steps[0].watch_for
    assert "go back to step 1 (55 mg a day)" in p.steps[1].watch_for
    assert "prescriber" in p.starting_point
    assert "not medical advice" in p.disclaimer


def test_person_facts_add_their_warnings(catalog: Catalog) -> None:
    p = plan(catalog, "20mg tid", person=TaperPerson(seizure_history=True, pregnant=True))
    warnings = {w.code: w for w in p.warnings}
    assert warnings["person_seizure_history"].severity is Severity.WARNING
    assert "person_pregnancy" in warnings
    assert "unknown_seizure_history" not in warnings
    assert "unknown_seizure_history" in {w.code for w in plan(catalog, "20mg tid").warnings}


# ---- intrathecal ----------------------------------------------------------------------------


@pytest.mark.parametrize("regimen", [None, "400 mcg/day intrathecal", "50ug intrathecal"])
def test_intrathecal_has_no_schedule_and_explains_the_danger(
    catalog: Catalog, regimen: str | None
) -> None:
    p = plan(catalog, regimen, route=Route.INTRATHECAL)
    assert p.route is Route.INTRATHECAL
    assert p.self_taper is False
    assert p.steps == []
    assert p.rules == []
    assert p.stop is None
    danger = p.route_danger
    assert danger is not None
    assert danger.severity is Severity.EMERGENCY
    summary = danger.summary.lower()
    for word in (
        "fever",
        "mental status",
        "rebound spasticity",
        "rigidity",
        "rhabdomyolysis",
        "death",
    ):
        assert word in summary
    todo = " ".join(danger.what_to_do).lower()
    assert "alarm" in todo
    assert "refill" in todo
    assert "emergency services" in todo
    assert "pump team" in danger.who_reduces
    assert danger.sources
    assert p.warnings[0].code == "intrathecal_never_self_taper"
    assert "label-gablofen" in p.sources


# ---- refusals name the field ---------------------------------------------------------------


def request(**changes: object) -> TaperRequest:
    base: dict[str, object] = {
        "substance": "baclofen",
        "regimen": CurrentRegimen(dose_per_intake_mg=20, intakes_per_day=3),
        "since": date(2025, 3, 1),
        "start": START,
        "today": TODAY,
    }
    base.update(changes)
    return TaperRequest.model_validate(base)


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"substance": "diazepam"}, "substance", "no sourced oral taper schedule"),
        ({"substance": "benzos"}, "substance", "class of substances"),
        ({"substance": "caffeine"}, "substance", "no sourced oral taper schedule"),
        ({"route": Route.INTRAVENOUS}, "route", "no intravenous data"),
        ({"regimen": None}, "regimen", "needs the current regimen"),
        ({"start": TODAY - timedelta(days=1)}, "start", "in the past"),
        ({"start": date(9999, 12, 31)}, "start", "more than 366 days"),
        ({"since": TODAY + timedelta(days=1)}, "since", "in the future"),
        (
            {"regimen": CurrentRegimen(dose_per_intake_mg=2000, intakes_per_day=3)},
            "regimen",
            "check the number and the unit",
        ),
    ],
)
def test_refusals_name_the_field(
    catalog: Catalog, changes: dict[str, object], field: str, fragment: str
) -> None:
    with pytest.raises(InputError) as info:
        plan_taper(catalog, request(**changes))
    assert info.value.field == field
    assert fragment in str(info.value)


def test_diazepam_refusal_quotes_its_own_advice(catalog: Catalog) -> None:
    with pytest.raises(InputError) as info:
        plan_taper(catalog, request(substance="diazepam"))
    assert "gradual taper" in str(info.value)
    assert info.value.accepted == "Baclofen"


def test_unknown_substance(catalog: Catalog) -> None:
    with pytest.raises(UnknownSubstanceError) as info:
        plan_taper(catalog, request(substance="baclofenn"))
    assert info.value.field == "substance"


def test_since_and_months_together_are_refused() -> None:
    with pytest.raises(InputError) as info:
        request(months_of_use=3)
    assert info.value.field == "since"


def test_without_the_duration_sentence_there_is_no_taper_data(catalog: Catalog) -> None:
    baclofen = catalog.get("baclofen")
    assert baclofen.withdrawal is not None
    oral = baclofen.route(Route.ORAL)
    assert oral is not None

    def strip(text: str) -> str:
        return text.replace("1-2 weeks", "a while")

    withdrawal = baclofen.withdrawal.model_copy(
        update={
            "management": [
                m.model_copy(update={"text": strip(m.text)}) for m in baclofen.withdrawal.management
            ],
            "route_specific": [
                w.model_copy(update={"what_to_do": [strip(t) for t in w.what_to_do]})
                for w in baclofen.withdrawal.route_specific
            ],
        }
    )
    routes = [
        r.model_copy(
            update={"notes": [n.model_copy(update={"text": strip(n.text)}) for n in r.notes]}
        )
        for r in baclofen.routes
    ]
    changed = baclofen.model_copy(update={"withdrawal": withdrawal, "routes": routes})
    assert not has_taper_data(changed)
    other = dataclasses.replace(catalog, substances={**catalog.substances, "baclofen": changed})
    with pytest.raises(InputError) as info:
        plan_taper(other, request())
    assert info.value.field == "substance"
    # The intrathecal plan needs only the route warning.
    assert has_taper_data(changed, Route.INTRATHECAL)


def test_only_baclofen_has_taper_data_today(catalog: Catalog) -> None:
    with_data = {s.id for s in catalog.substances.values() if has_taper_data(s)}
    assert with_data == {"baclofen"}


def test_intrathecal_mg_regimen_is_a_unit_error() -> None:
    with pytest.raises(UnitError) as info:
        parse_current_regimen("20mg tid", route=Route.INTRATHECAL)
    assert info.value.field == "regimen"

"""Single-dose rules: the route's unit, unit-confusion checks, tiers per source, overdose bands,
and the 24-hour total against medical use.

Conventions
-----------
* A dose on the boundary of two tiers belongs to the higher one (20 mg with light 10-20 and
  common 20-50 is *common*): the cautious reading.
* The verdict across sources is the highest tier any source gives.
* Overdose bands come from the data; with reduced kidney function their thresholds are scaled
  by the kidney band's ``dose_factor`` (exposure rises as clearance falls; the factor is the
  published dose reduction that restores usual exposure). See ``docs/assessment.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

from dosewise.assess.models import TIER_ORDER, DailyTotal, Finding, SourceTier, TierAssessment
from dosewise.errors import InputError, UnitError
from dosewise.knowledge.schema import DoseTiers, OverdoseBand, RouteInfo, Substance
from dosewise.severity import Severity
from dosewise.units import Dose, DoseUnit, Route

# How far outside every amount in the data a dose must be before it is called a probable unit
# error: ten times the largest amount, or a hundredth of the smallest. Design choice, not a
# clinical figure: wide enough that real heavy use and real overdoses are assessed as given.
UNIT_SUSPICION_FACTOR_HIGH = 10.0
UNIT_SUSPICION_FACTOR_LOW = 100.0

TIER_SEVERITY: dict[str, Severity] = {
    "below_threshold": Severity.INFO,
    "threshold": Severity.INFO,
    "light": Severity.INFO,
    "common": Severity.INFO,
    "strong": Severity.CAUTION,
    "heavy": Severity.WARNING,
    "above_strong": Severity.WARNING,
}

TIER_PHRASES: dict[str, str] = {
    "below_threshold": "below the lowest tier",
    "threshold": "a threshold dose",
    "light": "a light dose",
    "common": "a common dose",
    "strong": "a strong dose",
    "heavy": "a heavy dose",
    "above_strong": "above the strong range",
}


TIER_TITLES: dict[str, str] = {
    "below_threshold": "Below the lowest dose tier",
    "threshold": "Threshold dose",
    "light": "Light dose",
    "common": "Common dose",
    "strong": "Strong dose",
    "heavy": "Heavy dose",
    "above_strong": "Dose above the strong range",
}


def fmt(value: float) -> str:
    """A figure for messages: 20, 0.075, 1,500."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.3g}" if value < 1 else f"{value:,.4g}"


# --------------------------------------------------------------------------------------------
# Route and unit


def route_info(substance: Substance, route: Route) -> RouteInfo:
    """The route's data, or a clear error naming the routes that have data."""
    if substance.kind == "class":
        raise InputError(
            f"{substance.name} is a class: doses depend on the specific medicine",
            field="substance",
            hint=f"Name the specific substance, or check combinations with `dosewise combo "
            f"{substance.id} ...`",
        )
    info = substance.route(route)
    if info is None:
        known = ", ".join(r.route.value for r in substance.routes) or "none"
        raise InputError(
            f"There is no dose data for {substance.name} by the {route.value} route",
            field="route",
            accepted=f"routes with data for {substance.name}: {known}",
        )
    return info


def route_amounts(info: RouteInfo, substance: Substance) -> list[float]:
    """Every amount the data states for this route, in its dose unit (for plausibility)."""
    amounts: list[float] = []
    for tiers in info.tiers:
        if tiers.per_kg:
            continue
        amounts += [a for a in (tiers.threshold, tiers.heavy) if a is not None]
        for span in (tiers.light, tiers.common, tiers.strong):
            if span is not None:
                amounts += list(span)
    for medical in info.medical:
        if medical.per_kg:
            continue
        amounts += [a for a in (medical.max_daily, medical.max_single) if a is not None]
        for span in (medical.start_daily, medical.usual_daily):
            if span is not None:
                amounts += list(span)
    unit = info.dose_unit.symbol
    for fact in info.facts:
        if fact.unit in (unit, f"{unit}/day", info.dose_unit.value, f"{info.dose_unit.value}/day"):
            amounts += [a for a in (fact.value,) if a is not None]
            if fact.range is not None:
                amounts += list(fact.range)
    if substance.overdose is not None:
        for band in substance.overdose.bands:
            if band.route is info.route and band.unit is info.dose_unit:
                amounts += [a for a in (band.from_amount, band.to_amount) if a is not None]
    return [a for a in amounts if a > 0]


def to_route_unit(
    dose: Dose, info: RouteInfo, substance: Substance, weight_kg: float | None
) -> tuple[float, list[Finding]]:
    """The dose in the route's unit, and any unit-plausibility findings.

    Raises
    ------
    UnitError
        A unit the route cannot use, a count unit the substance does not define, a per-kg dose
        without a weight, or a microgram route (intrathecal) given an amount in mg or g that is
        beyond anything in the data (refused as a probable unit error).
    """
    route_unit = info.dose_unit
    findings: list[Finding] = []
    given_unit = dose.dose_unit
    if given_unit is None:
        amount = _count_unit_amount(dose, info, substance)
    elif given_unit is DoseUnit.ML or route_unit is DoseUnit.ML:
        if given_unit is not route_unit:
            raise UnitError(
                f"{substance.name} by the {info.route.value} route is assessed in "
                f"{route_unit.symbol}, and {dose} cannot be converted without knowing the "
                "product's strength or density",
                field="dose",
                accepted=f"an amount in {route_unit.symbol}",
                hint="For a liquid medicine, multiply the volume by its strength (e.g. 5 mL of "
                "a 1 mg/mL solution = 5 mg)",
            )
        amount = dose.value * (weight_kg if dose.per_kg and weight_kg else 1.0)
        if dose.per_kg and weight_kg is None:
            raise UnitError(
                f"{dose} is per kg of body weight; a body weight is needed",
                field="weight",
                accepted="a body weight, e.g. --weight 70kg",
            )
    else:
        amount = dose.mass_mg(weight_kg) / route_unit.mg_factor

    known = route_amounts(info, substance)
    if known:
        largest, smallest = max(known), min(known)
        unit = route_unit.symbol
        if (
            route_unit is DoseUnit.UG
            and given_unit in (DoseUnit.MG, DoseUnit.G)
            and amount > largest
        ):
            raise UnitError(
                f"{dose} {info.route.value} is {fmt(amount)} {unit}, {fmt(amount / largest)} "
                f"times the largest amount in the data ({fmt(largest)} {unit}). "
                f"{substance.name} by this route is dosed in MICROGRAMS: this is almost "
                "certainly a unit error, so it was not assessed",
                field="dose",
                accepted=f"the amount in µg, e.g. {fmt(dose.value)} µg",
                hint="If this amount in mg really was given, it is a massive overdose: call "
                "emergency services now",
            )
        if amount > UNIT_SUSPICION_FACTOR_HIGH * largest:
            findings.append(
                Finding(
                    severity=Severity.WARNING,
                    code="unit_check_high",
                    title="Check the unit",
                    message=f"{dose} is {fmt(amount / largest)} times the largest amount in the "
                    f"data for this route ({fmt(largest)} {unit}). Please check the number and "
                    "the unit. It is assessed as given.",
                    figures={"amount": amount, "largest_in_data": largest, "unit": unit},
                )
            )
        elif amount * UNIT_SUSPICION_FACTOR_LOW < smallest:
            findings.append(
                Finding(
                    severity=Severity.INFO,
                    code="unit_check_low",
                    title="Check the unit",
                    message=f"{dose} is far below any amount in the data for this route (the "
                    f"smallest is {fmt(smallest)} {unit}). Did you mean {fmt(dose.value)} "
                    f"{unit}? It is assessed as given.",
                    figures={"amount": amount, "smallest_in_data": smallest, "unit": unit},
                )
            )
    return amount, findings


def _count_unit_amount(dose: Dose, info: RouteInfo, substance: Substance) -> float:
    for eq in info.unit_equivalents:
        names = {eq.unit, eq.plural or "", eq.unit + "s"}
        if dose.unit in names or dose.unit + "s" in names:
            return dose.value * eq.amount
    count_units = ", ".join(eq.unit for eq in info.unit_equivalents)
    accepted = f"a mass (mg, g, µg){', or ' + count_units if count_units else ''}"
    raise UnitError(
        f"'{dose.unit}' is not a unit dosewise knows for {substance.name} ({info.route.value})",
        field="dose",
        accepted=accepted,
    )


# --------------------------------------------------------------------------------------------
# Tiers


def classify(amount: float, tiers: DoseTiers) -> str:
    """Where ``amount`` falls on one source's tiers (boundaries go to the higher tier)."""
    bounds: list[tuple[str, float]] = []
    if tiers.threshold is not None:
        bounds.append(("threshold", tiers.threshold))
    for name in ("light", "common", "strong"):
        span = getattr(tiers, name)
        if span is not None:
            bounds.append((name, span[0]))
    if tiers.heavy is not None:
        bounds.append(("heavy", tiers.heavy))
    tier = "below_threshold"
    for name, lower in bounds:
        if amount >= lower:
            tier = name
    if tier == "strong" and tiers.heavy is None and tiers.strong and amount > tiers.strong[1]:
        tier = "above_strong"
    if tier in ("light", "common") and tiers.heavy is None and tiers.strong is None:
        top = getattr(tiers, tier)
        if top is not None and amount > top[1]:
            tier = "above_strong"
    return tier


def _range_text(tiers: DoseTiers, tier: str, unit: str) -> str:
    per = "/kg" if tiers.per_kg else ""
    if tier == "threshold" and tiers.threshold is not None:
        return f"threshold {fmt(tiers.threshold)} {unit}{per}"
    if tier == "heavy" and tiers.heavy is not None:
        return f"heavy from {fmt(tiers.heavy)} {unit}{per}"
    if tier in ("light", "common", "strong"):
        span = getattr(tiers, tier)
        return f"{tier} {fmt(span[0])}–{fmt(span[1])} {unit}{per}"
    if tier == "above_strong":
        top = tiers.strong or tiers.common or tiers.light
        return f"above {fmt(top[1])} {unit}{per}" if top else "above the scale"
    lowest = tiers.threshold if tiers.threshold is not None else (tiers.light or (0, 0))[0]
    return f"below {fmt(lowest)} {unit}{per}"


def assess_tiers(
    amount: float, info: RouteInfo, weight_kg: float | None
) -> tuple[TierAssessment | None, list[Finding]]:
    """Tier per source, the cautious verdict, and the finding that goes with it."""
    if not info.tiers:
        return None, []
    unit = info.dose_unit.symbol
    per_source: list[SourceTier] = []
    for tiers in info.tiers:
        if tiers.per_kg:
            if weight_kg is None:
                continue
            value = amount / weight_kg
        else:
            value = amount
        tier = classify(value, tiers)
        per_source.append(
            SourceTier(
                tier=tier,
                range_text=_range_text(tiers, tier, unit),
                sources=list(tiers.sources),
                note=tiers.note,
            )
        )
    if not per_source:
        return None, []
    verdict = max((s.tier for s in per_source), key=TIER_ORDER.index)
    assessment = TierAssessment(
        dose_in_route_unit=amount, unit=unit, per_source=per_source, verdict=verdict
    )
    agreeing = [s for s in per_source if s.tier == verdict]
    sources = sorted({sid for s in agreeing for sid in s.sources})
    lines = "; ".join(f"{', '.join(s.sources)}: {s.range_text}" for s in per_source)
    finding = Finding(
        severity=TIER_SEVERITY[verdict],
        code=f"tier_{verdict}",
        title=TIER_TITLES[verdict],
        message=f"{fmt(amount)} {unit} is {TIER_PHRASES[verdict]} by the most cautious "
        f"source ({lines}). These tiers are community-reported, not medical dosing.",
        advice=_tier_advice(verdict),
        figures={"amount": amount, "unit": unit, "verdict": verdict},
        sources=sources,
    )
    return assessment, [finding]


def _tier_advice(tier: str) -> str | None:
    if tier in ("heavy", "above_strong"):
        return (
            "Heavy doses raise the risk of blackouts and overdose; do not redose, and do not "
            "use alone."
        )
    if tier == "strong":
        return "Strong doses are where side effects and accidents become likely; do not redose."
    return None


# --------------------------------------------------------------------------------------------
# Overdose bands


def overdose_band(
    substance: Substance, info: RouteInfo, amount: float, kidney_factor: float
) -> OverdoseBand | None:
    """The highest band whose (kidney-scaled) threshold ``amount`` reaches."""
    if substance.overdose is None:
        return None
    chosen: OverdoseBand | None = None
    for band in substance.overdose.bands:
        if band.route is not info.route:
            continue
        threshold = band.from_amount * _unit_ratio(band.unit, info.dose_unit) * kidney_factor
        if amount >= threshold:
            chosen = band
    return chosen


def _unit_ratio(from_unit: DoseUnit, to_unit: DoseUnit) -> float:
    if from_unit is to_unit:
        return 1.0
    if from_unit.is_mass and to_unit.is_mass:
        return from_unit.mg_factor / to_unit.mg_factor
    raise ValueError(f"cannot compare {from_unit.value} with {to_unit.value}")


def band_finding(
    band: OverdoseBand, info: RouteInfo, amount: float, kidney_factor: float, *, stacked: bool
) -> Finding:
    unit = info.dose_unit.symbol
    threshold = band.from_amount * _unit_ratio(band.unit, info.dose_unit)
    what = (
        f"The doses taken recently add up to {fmt(amount)} {unit}, which"
        if stacked
        else f"This dose, {fmt(amount)} {unit},"
    )
    kidney = (
        f" With this kidney function the threshold is lowered to about "
        f"{fmt(threshold * kidney_factor)} {unit}."
        if kidney_factor < 1
        else ""
    )
    return Finding(
        severity=band.severity,
        code="overdose_band_stacked" if stacked else "overdose_band",
        title=band.label + (" (doses added up)" if stacked else ""),
        message=f"{what} is in the range '{band.label}' (from "
        f"{fmt(threshold)} {unit}). {band.summary}{kidney}",
        advice=" ".join(band.what_to_do) or None,
        figures={
            "amount": amount,
            "unit": unit,
            "band_from": threshold,
            "kidney_factor": kidney_factor,
            "watch_for": band.watch_for,
        },
        sources=list(band.sources),
    )


# --------------------------------------------------------------------------------------------
# 24-hour total


def daily_total(
    total: float,
    doses_counted: int,
    info: RouteInfo,
    kidney_factor: float,
    kidney_min_toxic_daily: float | None,
    kidney_sources: Iterable[str],
    kidney_max_daily: float | None = None,
) -> tuple[DailyTotal, list[Finding]]:
    """The 24-hour total against usual ranges, the label maximum and supervised regimens.

    With reduced kidney function the maximum is the band's stated maximum when the data gives
    one (``kidney_max_daily``), otherwise the smallest label maximum scaled by the band's factor.
    """
    unit = info.dose_unit.symbol
    adult = [m for m in info.medical if not m.per_kg]
    usual = [m for m in adult if m.usual_daily and not m.supervised_only]
    label = [m for m in adult if m.max_daily is not None and not m.supervised_only]
    supervised = [m for m in adult if m.max_daily is not None and m.supervised_only]
    label_max = min((m.max_daily for m in label if m.max_daily is not None), default=None)
    supervised_max = max((m.max_daily for m in supervised if m.max_daily is not None), default=None)
    if kidney_max_daily is not None:
        adjusted_max: float | None = kidney_max_daily
    elif label_max is not None and kidney_factor < 1:
        adjusted_max = label_max * kidney_factor
    else:
        adjusted_max = None
    findings: list[Finding] = []

    if not usual and label_max is None:
        status = "no_reference"
    elif supervised_max is not None and total > supervised_max:
        status = "above_supervised_max"
    elif label_max is not None and total > label_max:
        status = "above_label_max"
    elif usual and total > max(m.usual_daily[1] for m in usual if m.usual_daily):
        status = "above_usual"
    else:
        status = "within_usual"

    label_sources = sorted({s for m in label for s in m.sources})
    if status == "above_supervised_max" and supervised_max is not None:
        findings.append(
            Finding(
                severity=Severity.DANGER,
                code="daily_above_supervised_max",
                title="24-hour total above any supervised regimen",
                message=f"{fmt(total)} {unit} in 24 hours is above even the highest regimens used "
                f"under medical supervision ({fmt(supervised_max)} {unit}/day).",
                advice="Do not take more today. At this total, drowsiness, confusion and slowed "
                "breathing are likely; do not be alone.",
                figures={"total": total, "supervised_max": supervised_max, "unit": unit},
                sources=sorted({s for m in supervised for s in m.sources}),
            )
        )
    elif status == "above_label_max" and label_max is not None:
        supervised_note = (
            f" Higher totals (up to {fmt(supervised_max)} {unit}/day) are used only under "
            "medical supervision."
            if supervised_max is not None
            else ""
        )
        findings.append(
            Finding(
                severity=Severity.WARNING,
                code="daily_above_label_max",
                title=f"24-hour total above the {fmt(label_max)} {unit}/day label maximum",
                message=f"{fmt(total)} {unit} in 24 hours is above the label maximum of "
                f"{fmt(label_max)} {unit}/day.{supervised_note}",
                advice="Do not take more today unless a prescriber has set this dose.",
                figures={"total": total, "label_max": label_max, "unit": unit},
                sources=label_sources + sorted({s for m in supervised for s in m.sources}),
            )
        )
    elif status in ("within_usual", "above_usual") and (usual or label_max is not None):
        ranges = ", ".join(
            f"{fmt(m.usual_daily[0])}–{fmt(m.usual_daily[1])} {unit}/day ({', '.join(m.sources)})"
            for m in usual
            if m.usual_daily
        )
        findings.append(
            Finding(
                severity=Severity.INFO,
                code="daily_within_label",
                title="24-hour total within the medical range",
                message=f"{fmt(total)} {unit} in 24 hours is within the medical range"
                + (f" (usual {ranges}" if ranges else " (")
                + (f"; label maximum {fmt(label_max)} {unit}/day)." if label_max else ")."),
                figures={"total": total, "label_max": label_max, "unit": unit},
                sources=sorted({s for m in usual for s in m.sources} | set(label_sources)),
            )
        )
    if adjusted_max is not None and total > adjusted_max:
        findings.append(
            Finding(
                severity=Severity.WARNING,
                code="daily_above_kidney_adjusted_max",
                title="24-hour total too high for this kidney function",
                message=(
                    f"With this kidney function the label's maximum is {fmt(adjusted_max)} "
                    f"{unit}/day; {fmt(total)} {unit} in 24 hours is above it."
                    if kidney_max_daily is not None
                    else f"With this kidney function the maximum is about {fmt(adjusted_max)} "
                    f"{unit}/day ({round(kidney_factor * 100)}% of the label's "
                    f"{fmt(label_max or 0)}); {fmt(total)} {unit} in 24 hours is above it."
                ),
                advice="Ask the prescriber to adjust the dose for kidney function; watch for "
                "drowsiness or confusion over the next days.",
                figures={"total": total, "adjusted_max": adjusted_max, "unit": unit},
                sources=sorted(set(kidney_sources)),
            )
        )
    if kidney_min_toxic_daily is not None and total >= kidney_min_toxic_daily:
        findings.append(
            Finding(
                severity=Severity.DANGER,
                code="daily_toxic_with_kidney_function",
                title="Toxic daily amount for this kidney function",
                message=f"With this kidney function toxicity has been reported from "
                f"{fmt(kidney_min_toxic_daily)} {unit}/day; {fmt(total)} {unit} in 24 hours "
                "reaches that.",
                advice="Speak to a doctor today. New drowsiness, confusion or slowed breathing: "
                "seek urgent care.",
                figures={"total": total, "min_toxic_daily": kidney_min_toxic_daily, "unit": unit},
                sources=sorted(set(kidney_sources)),
            )
        )
    result = DailyTotal(
        total=total,
        unit=unit,
        doses_counted=doses_counted,
        usual_daily=[
            {"range": list(m.usual_daily), "sources": m.sources} for m in usual if m.usual_daily
        ],
        label_max_daily=label_max,
        supervised_max_daily=supervised_max,
        kidney_adjusted_max_daily=adjusted_max,
        status=status,
    )
    return result, findings


def active_window_h(info: RouteInfo) -> float | None:
    """The longest total duration any source reports for the route (cautious)."""
    totals = [tc.hours("total") for tc in info.timecourse]
    longest = [t[1] for t in totals if t is not None]
    return max(longest) if longest else None

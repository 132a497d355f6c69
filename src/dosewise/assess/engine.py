"""The assessment: is this dose, with these substances, dangerous for this person?

Pure: takes the catalog and a request, returns an :class:`Assessment`; no I/O and no clock
(earlier doses carry ``hours_ago`` relative to the moment of the check). Every interface (CLI,
HTTP API, web page) renders the same result.

The verdict is the most severe finding, so it is monotone by construction: a higher dose, another
substance, another risk factor or worse kidney function can only add findings or raise them.
"""

from __future__ import annotations

from collections.abc import Iterable

from dosewise import DISCLAIMER
from dosewise.assess.dose import (
    active_window_h,
    assess_tiers,
    band_finding,
    daily_total,
    fmt,
    overdose_band,
    route_info,
    to_route_unit,
)
from dosewise.assess.interactions import depressants_among, rate_all_pairs
from dosewise.assess.models import (
    Assessment,
    CheckRequest,
    ComboResult,
    EmergencyBlock,
    Finding,
    InteractionResult,
    Unknown,
)
from dosewise.assess.risk import kidney_findings, kidney_status, person_findings
from dosewise.errors import InputError
from dosewise.knowledge.catalog import Catalog
from dosewise.knowledge.schema import OverdoseBand, RouteInfo, Substance
from dosewise.severity import Severity, max_severity
from dosewise.units import Route

HEADLINE_PREFIX: dict[Severity, str] = {
    Severity.EMERGENCY: "Emergency",
    Severity.DANGER: "Dangerous",
    Severity.WARNING: "Risky",
    Severity.CAUTION: "Take care",
    Severity.INFO: "No specific danger found in the data",
}


def assess(catalog: Catalog, request: CheckRequest) -> Assessment:
    """Assess one dose of one substance for one person, with what else was taken."""
    substance = catalog.resolve(request.substance)
    info = route_info(substance, request.route)
    person = request.person
    findings: list[Finding] = []
    unknowns: list[Unknown] = []

    amount, unit_findings = to_route_unit(request.dose, info, substance, person.weight_kg)
    findings += unit_findings
    if any(t.per_kg for t in info.tiers) and person.weight_kg is None:
        unknowns.append(
            Unknown(field="weight", why="Some sources give doses per kg of body weight.")
        )

    kidney = kidney_status(substance, person)
    factor = kidney.factor if kidney is not None else 1.0

    tiers, tier_findings = assess_tiers(amount, info, person.weight_kg)
    findings += tier_findings

    earlier = _earlier_doses(catalog, request, substance, info, person.weight_kg)
    in_24h = [a for a, hours in earlier if hours is None or hours < 24]
    older = [hours for _, hours in earlier if hours is not None and hours >= 24]
    if older:
        findings.append(
            Finding(
                severity=Severity.INFO,
                code="earlier_dose_outside_24h",
                title="Earlier dose not in the 24-hour total",
                message=f"{len(older)} earlier dose(s) taken {min(older):g} h or more ago "
                "are outside the 24-hour window, so they are not added to today's total.",
                figures={"hours_ago": sorted(older)},
            )
        )
    daily, daily_findings = daily_total(
        amount + sum(in_24h),
        len(in_24h) + 1,
        info,
        factor,
        kidney.min_toxic_daily if kidney is not None else None,
        kidney.sources if kidney is not None else [],
        kidney_max_daily=(
            kidney.max_daily_oral if kidney is not None and info.route == Route.ORAL else None
        ),
    )
    findings += daily_findings

    band = overdose_band(substance, info, amount, factor)
    if band is not None:
        findings.append(band_finding(band, info, amount, factor, stacked=False))
    stacked_band = _stacked(substance, info, amount, earlier, factor, band, findings, unknowns)

    findings += kidney_findings(kidney, substance)
    person_f, person_u = person_findings(substance, person)
    findings += person_f
    unknowns += person_u

    others = [catalog.resolve(intake.substance) for intake in request.with_]
    interactions = rate_all_pairs(catalog, [substance, *others]) if others else []
    findings += interaction_findings(catalog, [substance, *others], interactions)

    findings.sort(key=lambda f: -f.severity.rank)
    severity = max_severity(f.severity for f in findings)
    emergency = None
    if severity >= Severity.DANGER:
        emergency = emergency_block(
            catalog, substance, info, severity, stacked_band or band, interactions
        )
    return Assessment(
        severity=severity,
        headline=_headline(severity, findings),
        substance=substance.id,
        substance_name=substance.name,
        dose=request.dose,
        route=request.route,
        emergency=emergency,
        findings=findings,
        tiers=tiers,
        daily_total=daily,
        interactions=interactions,
        unknowns=unknowns,
        sources=_citations(
            catalog,
            findings,
            interactions,
            emergency,
            [s for t in (tiers.per_source if tiers else []) for s in t.sources],
        ),
        disclaimer=DISCLAIMER,
    )


def _earlier_doses(
    catalog: Catalog,
    request: CheckRequest,
    substance: Substance,
    info: RouteInfo,
    weight_kg: float | None,
) -> list[tuple[float, float | None]]:
    """Earlier doses of the same substance by the same route, in the route's unit."""
    out: list[tuple[float, float | None]] = []
    for index, intake in enumerate(request.taken_today):
        field = f"taken_today[{index}]"
        other = catalog.resolve(intake.substance)
        if other.id != substance.id:
            raise InputError(
                f"'taken today' is for earlier doses of {substance.name}, not {other.name}",
                field=field,
                hint=f"Add {other.name} with --with instead",
            )
        if intake.dose is None:
            raise InputError("An earlier dose needs an amount", field=field, accepted="e.g. 40mg")
        if intake.route is not None and intake.route is not info.route:
            raise InputError(
                f"Earlier doses by the {intake.route.value} route cannot be added to "
                f"{info.route.value} doses (different units and kinetics)",
                field=field,
            )
        amount, _ = to_route_unit(intake.dose, info, substance, weight_kg)
        out.append((amount, intake.hours_ago))
    return out


def _stacked(
    substance: Substance,
    info: RouteInfo,
    amount: float,
    earlier: list[tuple[float, float | None]],
    factor: float,
    band: OverdoseBand | None,
    findings: list[Finding],
    unknowns: list[Unknown],
) -> OverdoseBand | None:
    """Doses taken within the longest reported duration add up; report a higher band if reached."""
    window = active_window_h(info)
    untimed = [a for a, hours in earlier if hours is None]
    if untimed:
        unknowns.append(
            Unknown(
                field="taken_today.time",
                why=f"The times of {len(untimed)} earlier dose(s) were not given. Doses taken "
                f"within about {fmt(window or 24)} h add up: with them the amount active could be "
                f"up to {fmt(amount + sum(untimed))} {info.dose_unit.symbol}.",
            )
        )
    if window is None:
        return None
    recent = [a for a, hours in earlier if hours is not None and hours < window]
    if not recent:
        return None
    stacked_amount = amount + sum(recent)
    stacked = overdose_band(substance, info, stacked_amount, factor)
    if stacked is not None and (band is None or stacked.from_amount > band.from_amount):
        findings.append(band_finding(stacked, info, stacked_amount, factor, stacked=True))
        return stacked
    return None


def interaction_findings(
    catalog: Catalog, substances: list[Substance], pairs: Iterable[InteractionResult]
) -> list[Finding]:
    """One finding per pair, and one about the depressants taken together."""
    findings = [
        Finding(
            severity=pair.severity,
            code="interaction" if pair.specificity != "none" else "interaction_unknown",
            title=(
                f"{pair.a_name} with {pair.b_name}"
                if pair.specificity != "none"
                else f"{pair.a_name} with {pair.b_name}: no data (Unknown is not safe)"
            ),
            message=f"{pair.a_name} + {pair.b_name}: {pair.category_label}."
            + (f" {pair.effects}" if pair.effects else " No rating in the data."),
            advice=pair.advice,
            figures={"category": pair.category.value, "specificity": pair.specificity},
            sources=list(pair.sources),
        )
        for pair in pairs
    ]
    depressants = {s.id: s for s in depressants_among(catalog, substances)}
    if len(depressants) >= 3:
        names = ", ".join(s.name for s in depressants.values())
        related = [f for f in findings if f.code == "interaction"]
        findings.append(
            Finding(
                severity=max_severity(f.severity for f in related),
                code="several_depressants",
                title=f"{len(depressants)} depressants together",
                message=f"{len(depressants)} substances that slow breathing and the brain are "
                f"combined ({names}). Their effects add up; each pair above is rated separately.",
                advice="This is the combination most often found in fatal overdoses: avoid it, "
                "and never be alone if it has happened.",
                sources=sorted({s for f in related for s in f.sources}),
            )
        )
    return findings


def emergency_block(
    catalog: Catalog,
    substance: Substance,
    info: RouteInfo,
    severity: Severity,
    band: OverdoseBand | None,
    interactions: list[InteractionResult],
) -> EmergencyBlock | None:
    guidance = catalog.emergency
    if guidance is None:
        return None
    if band is None and substance.overdose is not None:
        route_bands = [b for b in substance.overdose.bands if b.route is info.route]
        band = route_bands[0] if route_bands else None
    watch_for = list(band.watch_for) if band is not None else []
    if not watch_for and any(p.severity >= Severity.DANGER for p in interactions):
        watch_for = ["deep sleepiness, cannot be woken", "slow, shallow or noisy breathing"]
    duration = substance.overdose.duration if substance.overdose is not None else None
    sources = list(guidance.sources) + [s for step in guidance.steps for s in step.sources]
    if band is not None:
        sources += band.sources
    if duration is not None:
        sources += duration.sources
    call_now = severity is Severity.EMERGENCY
    return EmergencyBlock(
        level="call_now" if call_now else "be_ready",
        headline=(
            "If this has been taken: call emergency services now, even if the person seems fine."
            if call_now
            else "If this has been taken: stay with the person, watch closely, and call "
            "emergency services at once if any of these signs appear."
        ),
        call=guidance.call,
        steps=[step.text for step in guidance.steps],
        tell_responders=list(guidance.tell_responders),
        do_not=[step.text for step in guidance.do_not],
        watch_for=watch_for,
        expected_duration=duration.text if duration is not None else None,
        sources=list(dict.fromkeys(sources)),
    )


def _headline(severity: Severity, findings: list[Finding]) -> str:
    if severity is Severity.INFO or not findings:
        unit_check = [f for f in findings if f.code == "unit_check_low"]
        if unit_check:
            return f"{HEADLINE_PREFIX[Severity.INFO]}, but check the unit: {unit_check[0].message}"
        return f"{HEADLINE_PREFIX[Severity.INFO]}. This is information, not a guarantee of safety."
    top = [f.title for f in findings if f.severity == severity]
    return f"{HEADLINE_PREFIX[severity]}: " + "; ".join(dict.fromkeys(top[:3]))


def _citations(
    catalog: Catalog,
    findings: Iterable[Finding],
    interactions: Iterable[InteractionResult],
    emergency: EmergencyBlock | None,
    extra: Iterable[str] = (),
) -> dict[str, str]:
    ids: list[str] = [s for f in findings for s in f.sources] + list(extra)
    ids += [s for p in interactions for s in p.sources]
    if emergency is not None:
        ids += emergency.sources
    return {sid: catalog.sources[sid].citation() for sid in dict.fromkeys(ids)}


def combo(catalog: Catalog, names: list[str]) -> ComboResult:
    """Every pair among any number of substances (or classes), with the overall severity."""
    if len(names) < 2:
        raise InputError(
            "A combination needs at least two substances",
            field="substances",
            accepted="two or more names, e.g. baclofen alcohol pregabalin",
        )
    substances = [catalog.resolve(name) for name in names]
    unique = list({s.id: s for s in substances}.values())
    if len(unique) < 2:
        raise InputError(
            "These names are all the same substance",
            field="substances",
            accepted="two different substances",
        )
    pairs = rate_all_pairs(catalog, unique)
    findings = [
        f for f in interaction_findings(catalog, unique, pairs) if f.code == "several_depressants"
    ]
    severity = max_severity([p.severity for p in pairs] + [f.severity for f in findings])
    ids = [s for p in pairs for s in p.sources]
    return ComboResult(
        severity=severity,
        substances=[{"id": s.id, "name": s.name, "kind": s.kind} for s in unique],
        pairs=pairs,
        findings=findings,
        sources={sid: catalog.sources[sid].citation() for sid in dict.fromkeys(ids)},
        disclaimer=DISCLAIMER,
    )

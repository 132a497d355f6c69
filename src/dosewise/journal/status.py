"""``dosewise status``: what is active now and the warnings that hold now (pure; ``now`` given).

Given the journal's recent doses, the start of each substance's latest continuous run, the
person and ``now``, :func:`build_status` returns:

* per substance and route still active: predicted level band (PK model) or the reported time
  course, effect phase, when it will be mostly gone (see :mod:`dosewise.journal.activity`);
* the 24-hour totals against the data's medical ranges and label maximum (the assessment
  engine's rules, ``docs/assessment.md`` §3);
* the warnings that hold now: a 24-hour total above a limit, what is active reaching an
  overdose band (the PK-based equivalent amount, or the reported-duration stacking), a predicted
  level in the toxic range, dangerous combinations among what is still active, kidney function,
  and tolerance and withdrawal notices (:mod:`dosewise.journal.tolerance`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from dosewise import DISCLAIMER
from dosewise.assess.dose import band_finding, daily_total, fmt, overdose_band
from dosewise.assess.engine import HEADLINE_PREFIX, emergency_block, interaction_findings
from dosewise.assess.interactions import rate_all_pairs
from dosewise.assess.models import DailyTotal, EmergencyBlock, Finding, InteractionResult, Person
from dosewise.assess.risk import kidney_findings, kidney_status
from dosewise.journal.activity import Activity, DoseRecord, activity
from dosewise.journal.tolerance import ToleranceReport, tolerance_report
from dosewise.knowledge.catalog import Catalog
from dosewise.knowledge.schema import OverdoseBand, RouteInfo, Substance
from dosewise.severity import Severity, max_severity
from dosewise.units import Route

TOLERANCE_LOOKBACK_DAYS = 30
"""Substances last taken within this many days get a tolerance line (design choice)."""


class Total24h(BaseModel):
    model_config = ConfigDict(frozen=True)

    substance_id: str
    substance_name: str
    route: Route
    total: float
    unit: str
    doses: int
    daily: DailyTotal


class StatusReport(BaseModel):
    """Everything ``dosewise status`` shows, JSON-ready."""

    model_config = ConfigDict(frozen=True)

    now: datetime
    severity: Severity
    headline: str
    active: list[Activity]
    recently_gone: list[Activity] = Field(
        default_factory=list, description="Taken in the last 24 h and already mostly gone."
    )
    totals_24h: list[Total24h]
    warnings: list[Finding]
    tolerance: list[ToleranceReport]
    interactions: list[InteractionResult]
    emergency: EmergencyBlock | None = None
    sources: dict[str, str]
    disclaimer: str


def equivalent_finding(
    substance: Substance, info: RouteInfo, act: Activity, kidney_factor: float
) -> tuple[Finding | None, OverdoseBand | None]:
    """An overdose-band finding for what is active now, if it reaches a band."""
    band = overdose_band(substance, info, act.equivalent_amount, kidney_factor)
    if band is None:
        return None, None
    if act.method == "reported_durations":
        finding = band_finding(band, info, act.equivalent_amount, kidney_factor, stacked=True)
        return finding.model_copy(
            update={"message": finding.message + f" (Active doses {act.method_label}.)"}
        ), band
    base = band_finding(band, info, act.equivalent_amount, kidney_factor, stacked=False)
    unit = info.dose_unit.symbol
    message = (
        f"What is active now is like a single dose of about {fmt(round(act.equivalent_amount))} "
        f"{unit} (cautious estimate: {act.method_label}), in the range '{band.label}' (from "
        f"{fmt(base.figures['band_from'])} {unit}). {band.summary}"
    )
    return base.model_copy(
        update={
            "code": "overdose_band_active",
            "title": band.label + " (what is active now)",
            "message": message,
            "sources": list(dict.fromkeys([*band.sources, *act.sources])),
        }
    ), band


def level_finding(act: Activity) -> Finding | None:
    """A finding when the cautious predicted level is in the toxic range or worse."""
    band = act.level_band
    if band is None or band.kind not in ("toxic", "comatose_fatal") or act.concentration is None:
        return None
    c = act.concentration
    return Finding(
        severity=Severity.EMERGENCY if band.kind == "comatose_fatal" else Severity.DANGER,
        code="level_" + band.kind,
        title=f"Predicted level {band.label}",
        message=f"The predicted {act.substance_name} level now is {c.p50:.2g} mg/L (95th "
        f"percentile {c.p95:.2g} mg/L), {band.label} ({band.reference}). This is a model "
        "estimate, not a measurement.",
        advice="Do not take more. Stay with someone; if there is deep sleepiness, confusion or "
        "slow breathing, call emergency services.",
        figures={"p50_mg_per_l": c.p50, "p95_mg_per_l": c.p95},
        sources=list(dict.fromkeys([*band.sources, *act.sources])),
    )


def build_status(
    catalog: Catalog,
    doses: Sequence[DoseRecord],
    person: Person,
    now: datetime,
    run_starts: Mapping[str, datetime] | None = None,
) -> StatusReport:
    """The status at ``now`` from ``doses`` (at least everything recent enough to matter).

    ``run_starts`` maps a substance id to the first dose of its latest continuous run over the
    whole history (the service computes it in SQL); when missing, it is computed from ``doses``.
    """
    from dosewise.journal.tolerance import continuous_run

    groups: dict[tuple[str, Route], list[DoseRecord]] = defaultdict(list)
    for dose in doses:
        if dose.taken_at <= now:
            groups[(dose.substance_id, dose.route)].append(dose)

    actives: list[Activity] = []
    gone: list[Activity] = []
    totals: list[Total24h] = []
    warnings: list[Finding] = []
    bands: dict[str, OverdoseBand] = {}
    infos: dict[str, tuple[Substance, RouteInfo]] = {}
    for (substance_id, route), group in sorted(groups.items()):
        substance = catalog.get(substance_id)
        info = substance.route(route)
        if info is None:
            continue
        group.sort(key=lambda d: d.taken_at)
        kidney = kidney_status(substance, person)
        factor = kidney.factor if kidney is not None else 1.0
        last_24 = [d for d in group if now - d.taken_at < timedelta(hours=24)]
        if last_24:
            total = sum(d.amount for d in last_24)
            daily, daily_findings = daily_total(
                total,
                len(last_24),
                info,
                factor,
                kidney.min_toxic_daily if kidney is not None else None,
                kidney.sources if kidney is not None else [],
            )
            totals.append(
                Total24h(
                    substance_id=substance.id,
                    substance_name=substance.name,
                    route=route,
                    total=total,
                    unit=info.dose_unit.symbol,
                    doses=len(last_24),
                    daily=daily,
                )
            )
            warnings += [f for f in daily_findings if f.severity > Severity.INFO]
        if now - group[-1].taken_at > timedelta(hours=14 * 24):
            continue
        act = activity(substance, info, group, person, now)
        if not act.active:
            if last_24:
                gone.append(act)
            continue
        actives.append(act)
        infos[substance.id] = (substance, info)
        finding, band = equivalent_finding(substance, info, act, factor)
        if finding is not None and band is not None:
            warnings.append(finding)
            bands[substance.id] = band
        level = level_finding(act)
        if level is not None:
            warnings.append(level)
        warnings += [f for f in kidney_findings(kidney, substance) if f.severity > Severity.INFO]

    interactions: list[InteractionResult] = []
    active_substances = list(
        {a.substance_id: catalog.get(a.substance_id) for a in actives}.values()
    )
    if len(active_substances) >= 2:
        interactions = rate_all_pairs(catalog, active_substances)
        warnings += [
            f
            for f in interaction_findings(catalog, active_substances, interactions)
            if f.severity > Severity.INFO
        ]

    reports: list[ToleranceReport] = []
    by_substance: dict[str, list[DoseRecord]] = defaultdict(list)
    for (substance_id, _route), group in groups.items():
        by_substance[substance_id] += group
    for substance_id, group in sorted(by_substance.items()):
        group.sort(key=lambda d: d.taken_at)
        if now - group[-1].taken_at > timedelta(days=TOLERANCE_LOOKBACK_DAYS):
            continue
        route = group[-1].route
        same_route = [d for d in group if d.route is route]
        start = (run_starts or {}).get(substance_id) or continuous_run([d.taken_at for d in group])
        assert start is not None
        report = tolerance_report(catalog.get(substance_id), route, start, same_route, now)
        reports.append(report)
        warnings += report.notices

    warnings = _dedupe(warnings)
    warnings.sort(key=lambda f: -f.severity.rank)
    severity = max_severity(f.severity for f in warnings)
    emergency = None
    if severity >= Severity.DANGER and actives:
        top = next((a for a in actives if a.substance_id in bands), actives[0])
        substance, info = infos[top.substance_id]
        emergency = emergency_block(
            catalog, substance, info, severity, bands.get(top.substance_id), interactions
        )
    return StatusReport(
        now=now,
        severity=severity,
        headline=_headline(severity, warnings, actives),
        active=actives,
        recently_gone=gone,
        totals_24h=totals,
        warnings=warnings,
        tolerance=reports,
        interactions=interactions,
        emergency=emergency,
        sources=_citations(catalog, warnings, actives, reports, totals, emergency),
        disclaimer=DISCLAIMER,
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        key = (f.code, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _headline(severity: Severity, warnings: list[Finding], actives: list[Activity]) -> str:
    if not warnings:
        if not actives:
            return "Nothing in the journal is active now."
        names = ", ".join(a.substance_name for a in actives)
        return f"Active now: {names}. No warning holds now."
    top = [f.title for f in warnings if f.severity == severity]
    return f"{HEADLINE_PREFIX[severity]}: " + "; ".join(dict.fromkeys(top[:3]))


def _citations(
    catalog: Catalog,
    warnings: list[Finding],
    actives: list[Activity],
    reports: list[ToleranceReport],
    totals: list[Total24h],
    emergency: EmergencyBlock | None,
) -> dict[str, str]:
    ids = [s for f in warnings for s in f.sources]
    ids += [s for a in actives for s in [*a.sources, *a.phase_sources]]
    ids += [s for r in reports for s in r.tolerance_sources]
    ids += [s for t in totals for u in t.daily.usual_daily for s in u.get("sources", [])]
    if emergency is not None:
        ids += emergency.sources
    return {
        sid: catalog.sources[sid].citation() for sid in dict.fromkeys(ids) if sid in catalog.sources
    }

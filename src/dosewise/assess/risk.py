"""Risk modifiers from the person: kidney function, seizure history, age, pregnancy.

Every modifier comes from the substance's data (``renal.bands``, ``risk_factors``); nothing is
hard-coded per substance. A detail the person did not give is reported as an :class:`Unknown`
with what it would change, never silently treated as normal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dosewise.assess.models import Finding, Person, Unknown
from dosewise.knowledge.schema import RenalBand, RiskFactor, Substance
from dosewise.severity import Severity

# A kidney category without a number is placed in the band containing this creatinine
# clearance (mL/min): the middle of the usual staging bands, used only to pick a band.
CATEGORY_CRCL: dict[str, float] = {"normal": 100.0, "mild": 65.0, "moderate": 40.0, "severe": 15.0}


@dataclass(frozen=True)
class KidneyStatus:
    """The kidney band that applies, and what it does to the thresholds."""

    band: RenalBand | None
    basis: str
    factor: float = 1.0
    min_toxic_daily: float | None = None
    max_daily_oral: float | None = None
    sources: list[str] = field(default_factory=list)


def kidney_status(substance: Substance, person: Person) -> KidneyStatus | None:
    """The band for the person's kidney function; None when unknown or without renal data."""
    renal = substance.renal
    if renal is None or not renal.bands:
        return None
    if person.kidney == "dialysis":
        bands = [b for b in renal.bands if b.dialysis]
        basis = "on dialysis"
    else:
        if person.crcl_ml_min is not None:
            value, basis = person.crcl_ml_min, f"creatinine clearance {person.crcl_ml_min:g} mL/min"
        elif person.egfr is not None:
            value = person.egfr
            basis = f"eGFR {person.egfr:g} (used as an estimate of creatinine clearance)"
        elif person.kidney is not None:
            value, basis = CATEGORY_CRCL[person.kidney], f"{person.kidney} kidney impairment"
            if person.kidney == "normal":
                basis = "normal kidney function"
        else:
            return None
        bands = [
            b
            for b in renal.bands
            if not b.dialysis
            and (b.crcl_min is None or value >= b.crcl_min)
            and (b.crcl_max is None or value < b.crcl_max)
        ]
    if not bands:
        return KidneyStatus(band=None, basis=basis)
    band = min(bands, key=_band_risk_key)
    factor = band.dose_factor if band.dose_factor is not None else 1.0
    return KidneyStatus(
        band=band,
        basis=basis,
        factor=factor,
        min_toxic_daily=band.min_toxic_daily,
        max_daily_oral=band.max_daily_oral,
        sources=list(band.sources),
    )


def _band_risk_key(band: RenalBand) -> tuple[int, float]:
    """Sort key: the most restrictive band first (avoid, then the smallest dose factor)."""
    return (0 if band.avoid else 1, band.dose_factor if band.dose_factor is not None else 1.0)


def kidney_findings(status: KidneyStatus | None, substance: Substance) -> list[Finding]:
    if status is None or status.band is None:
        return []
    band = status.band
    figures: dict[str, object] = {"basis": status.basis, "band": band.label}
    if band.dose_factor is not None:
        figures["dose_factor"] = band.dose_factor
    if band.avoid:
        return [
            Finding(
                severity=Severity.DANGER,
                code="kidney_avoid",
                title="Kidney function: best avoided",
                message=f"{band.label} ({status.basis}): {substance.name} is best avoided or used "
                f"only at much lower doses under medical care. {band.advice}",
                advice="Do not take it without a prescriber who knows your kidney function; new "
                "drowsiness or confusion needs urgent care.",
                figures=figures,
                sources=list(band.sources),
            )
        ]
    if band.dose_factor is not None and band.dose_factor < 1:
        return [
            Finding(
                severity=Severity.WARNING,
                code="kidney_reduce",
                title="Kidney function: lower doses",
                message=f"{band.label} ({status.basis}): doses should be about "
                f"{round(band.dose_factor * 100)}% of usual; the thresholds in this assessment "
                f"are lowered accordingly. {band.advice}",
                figures=figures,
                sources=list(band.sources),
            )
        ]
    return [
        Finding(
            severity=Severity.INFO,
            code="kidney_normal",
            title="Kidney function: no adjustment",
            message=f"{band.label} ({status.basis}): {band.advice}",
            figures=figures,
            sources=list(band.sources),
        )
    ]


def _factor(substance: Substance, kind: str) -> RiskFactor | None:
    for factor in substance.risk_factors:
        if factor.factor == kind:
            return factor
    return None


def _risk_finding(factor: RiskFactor, code: str, title: str, context: str) -> Finding:
    details = " ".join(factor.details)
    return Finding(
        severity=factor.severity,
        code=code,
        title=title,
        message=f"{context}: {factor.summary}" + (f" {details}" if details else ""),
        figures={"factor": factor.factor},
        sources=list(factor.sources),
    )


def person_findings(substance: Substance, person: Person) -> tuple[list[Finding], list[Unknown]]:
    """Findings for the person's risk factors, and the unknowns that would change the answer."""
    findings: list[Finding] = []
    unknowns: list[Unknown] = []

    seizure = _factor(substance, "seizure_history")
    if seizure is not None:
        if person.seizure_history:
            findings.append(
                _risk_finding(seizure, "seizure_history", "Seizure history", "Seizure history")
            )
        elif person.seizure_history is None:
            unknowns.append(
                Unknown(
                    field="seizure_history",
                    why=f"A history of seizures makes {substance.name} riskier "
                    f"({seizure.severity.value}).",
                )
            )

    pregnancy = _factor(substance, "pregnancy")
    if pregnancy is not None:
        if person.pregnant:
            findings.append(_risk_finding(pregnancy, "pregnancy", "Pregnancy", "Pregnancy"))
        elif person.pregnant is None:
            unknowns.append(
                Unknown(field="pregnant", why=f"Pregnancy changes the advice: {pregnancy.summary}")
            )

    age = _factor(substance, "age")
    if age is not None and age.threshold is not None and age.threshold.value is not None:
        threshold = age.threshold.value
        if person.age_years is not None and person.age_years >= threshold:
            findings.append(_risk_finding(age, "age", "Older age", f"Age {person.age_years:g}"))
        elif person.age_years is None:
            unknowns.append(
                Unknown(
                    field="age",
                    why=f"From about {threshold:g} years: {age.summary}",
                )
            )

    renal = substance.renal
    no_kidney_info = person.crcl_ml_min is None and person.egfr is None and person.kidney is None
    if renal is not None and renal.bands and no_kidney_info:
        toxic = [b.min_toxic_daily for b in renal.bands if b.min_toxic_daily is not None]
        unit = substance.routes[0].dose_unit.symbol if substance.routes else ""
        lowest = f" (toxicity reported from {min(toxic):g} {unit} a day)" if toxic else ""
        unknowns.append(
            Unknown(
                field="kidney_function",
                why=f"This answer assumes normal kidney function. With reduced kidney function "
                f"{substance.name} builds up and usual doses can be toxic{lowest}: give "
                "--crcl, --egfr or --dialysis.",
            )
        )
    return findings, unknowns

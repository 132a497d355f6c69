"""Terminal and JSON views of the knowledge base: monograph, sources, claims, search.

Figures carry numbered source markers (``[3]``) that refer to one references list printed at the
end, so a reader can trace every number without the page drowning in citations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dosewise import DISCLAIMER
from dosewise.cli.style import CLAIM_STYLE, SourceMarks, category_text, severity_text
from dosewise.errors import InputError
from dosewise.knowledge.catalog import Catalog, SearchHit, iter_source_ids
from dosewise.knowledge.schema import (
    DoseTiers,
    Fact,
    InteractionRule,
    MedicalDosing,
    RouteInfo,
    Source,
    Substance,
    TimeCourse,
)
from dosewise.units import DoseUnit, format_hours_range

# --------------------------------------------------------------------------------------------
# Sections

SECTIONS: dict[str, list[str]] = {
    "overview": [
        "name",
        "kind",
        "summary",
        "names",
        "identifiers",
        "chemical_class",
        "pharmacological_class",
        "classes",
        "members",
        "mechanism",
        "enantiomers",
    ],
    "indications": ["indications"],
    "dosing": ["routes"],
    "pharmacokinetics": ["pk_facts", "pk_models", "reference_concentrations"],
    "effects": ["effects"],
    "overdose": ["overdose"],
    "kidney": ["renal"],
    "risks": ["risk_factors"],
    "dependence": ["tolerance", "dependence", "withdrawal"],
    "interactions": [],
    "legal": ["legal"],
    "history": ["history"],
    "harm-reduction": ["harm_reduction"],
    "claims": [],
    "sources": [],
}

_SECTION_ALIASES = {
    "dose": "dosing",
    "doses": "dosing",
    "dosage": "dosing",
    "routes": "dosing",
    "pk": "pharmacokinetics",
    "kinetics": "pharmacokinetics",
    "renal": "kidney",
    "kidneys": "kidney",
    "withdrawal": "dependence",
    "tolerance": "dependence",
    "addiction": "dependence",
    "risk": "risks",
    "risk-factors": "risks",
    "harm_reduction": "harm-reduction",
    "harmreduction": "harm-reduction",
    "safer-use": "harm-reduction",
    "legal-status": "legal",
    "interaction": "interactions",
    "combos": "interactions",
    "seed": "claims",
    "references": "sources",
    "citations": "sources",
    "effect": "effects",
}


def resolve_section(name: str) -> str:
    key = name.strip().lower().replace(" ", "-")
    key = _SECTION_ALIASES.get(key, key)
    if key not in SECTIONS:
        raise InputError(
            f"{name!r} is not a section", field="section", accepted=", ".join(SECTIONS)
        )
    return key


# --------------------------------------------------------------------------------------------
# Source markers


class Citer(SourceMarks):
    """Source marks for the monograph, with the catalog's citations for the reference list."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def mark(self, sources: Iterable[str], *, lead: str = "") -> str:
        return super().mark(sources, lead=lead)

    def references(self) -> Table:
        table = Table(show_header=False, box=None, padding=(0, 1), expand=True)
        table.add_column(justify="right", style="dim", no_wrap=True)
        table.add_column(ratio=1)
        for source_id, number in self.numbers.items():
            source = self.catalog.sources[source_id]
            table.add_row(f"[{number}]", _citation_markup(source))
        return table


_VERIFIED_NOTE = {
    "primary": "",
    "secondary": " [dim](checked through a summary)[/]",
    "unverified": " [magenta](not yet verified)[/]",
}


def _citation_markup(source: Source) -> str:
    return escape(source.citation()) + f" [dim]{source.kind}[/]" + _VERIFIED_NOTE[source.verified]


# --------------------------------------------------------------------------------------------
# Number formatting


def num(value: float) -> str:
    """A figure as people write it: 20, 0.75, 1,500."""
    if value == int(value) and abs(value) >= 1000:
        return f"{int(value):,}"
    if value == int(value):
        return str(int(value))
    return f"{value:.4g}"


def span(values: tuple[float, float] | None, unit: str = "") -> str:
    if values is None:
        return "—"
    low, high = values
    text = num(low) if low == high else f"{num(low)}–{num(high)}"
    return f"{text} {unit}".strip()


def unit_symbol(unit: DoseUnit) -> str:
    return unit.symbol


def _fact_value(fact: Fact) -> str:
    parts = []
    unit = "" if fact.unit in (None, "1") else fact.unit
    if fact.value is not None:
        parts.append(f"{num(fact.value)} {unit}".strip())
    if fact.range is not None:
        parts.append(span(fact.range, unit))
    if fact.text:
        parts.append(fact.text)
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------
# Monograph (text)


def print_monograph(catalog: Catalog, substance: Substance, section: str | None) -> None:
    console = Console(highlight=False)
    cite = Citer(catalog)
    wanted = [section] if section else [s for s in SECTIONS if s != "sources"]
    blocks: list[Any] = []
    if section is None:
        kind = " (class)" if substance.kind == "class" else ""
        blocks.append(
            Panel(
                f"{escape(substance.summary)}",
                title=f"[bold]{escape(substance.name)}[/]{kind}",
                title_align="left",
                border_style="blue",
            )
        )
        if catalog.emergency is not None and substance.overdose is not None:
            blocks.append(
                Text.from_markup(
                    "[bold red]In an emergency:[/] "
                    + escape(catalog.emergency.call)
                    + "  [dim](dosewise info "
                    + substance.id
                    + " --section overdose)[/]"
                )
            )
    for name in wanted:
        if name == "claims" and section is None:
            renderable = _claims_summary(catalog, substance)
        else:
            renderable = _SECTION_RENDERERS[name](catalog, substance, cite)
        if renderable is None:
            if section is not None:
                blocks.append(Text(f"No {name} information for {substance.name}.", style="dim"))
            continue
        blocks.append(Text.from_markup(f"\n[bold underline]{name.capitalize()}[/]"))
        blocks.append(renderable)
    if cite.numbers:
        blocks.append(Text.from_markup("\n[bold underline]Sources[/]"))
        blocks.append(cite.references())
    elif section == "sources":
        blocks.append(_sources_table(catalog, substance))
    if section is None:
        blocks.append(Text(f"\n{DISCLAIMER}", style="dim italic"))
    for block in blocks:
        console.print(block)


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"  • {line}" for line in lines)


def _overview(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    rows: list[str] = []
    names = s.names
    if names.inn:
        rows.append(f"[bold]INN[/]: {escape(names.inn)}")
    if names.brands:
        brand_texts = []
        for b in names.brands:
            extra = f" ({escape(b.forms)})" if b.forms else ""
            where = f" [dim]{', '.join(b.jurisdictions)}[/]" if b.jurisdictions else ""
            gone = " [dim](discontinued)[/]" if b.discontinued else ""
            brand_texts.append(f"{escape(b.name)}{extra}{where}{gone}")
        rows.append("[bold]Brands[/]:\n" + _bullets(brand_texts))
    if names.aliases:
        rows.append(f"[bold]Also called[/]: {escape(', '.join(names.aliases))}")
    if names.other:
        rows.append(f"[bold]Other names[/]: {escape('; '.join(names.other))}")
    if names.sources:
        rows[-1:] = [rows[-1] + " " + cite.mark(names.sources)] if rows else []
    if s.pharmacological_class:
        rows.append(f"[bold]Pharmacology[/]: {escape('; '.join(s.pharmacological_class))}")
    if s.chemical_class:
        rows.append(f"[bold]Chemistry[/]: {escape('; '.join(s.chemical_class))}")
    class_names = [catalog.classes[c].name for c in s.classes if c in catalog.classes]
    if class_names:
        rows.append(f"[bold]Interaction classes[/]: {escape(', '.join(class_names))}")
    if s.members:
        member_names = [catalog.substances[m].name for m in s.members if m in catalog.substances]
        rows.append(f"[bold]Members[/]: {escape(', '.join(member_names))}")
    if s.mechanism:
        rows.append(
            f"[bold]Mechanism[/]: {escape(s.mechanism.text)} {cite.mark(s.mechanism.sources)}"
        )
    for e in s.enantiomers:
        rows.append(f"[bold]{escape(e.name)}[/]: {escape(e.description)} {cite.mark(e.sources)}")
    ids = s.identifiers
    if ids:
        parts = [
            f"{label} {value}"
            for label, value in (
                ("CAS", ids.cas),
                ("PubChem CID", ids.pubchem_cid),
                ("DrugBank", ids.drugbank),
                ("ATC", ", ".join(ids.atc) if ids.atc else None),
                ("UNII", ids.unii),
                ("RxCUI", ids.rxcui),
                ("ChEBI", ids.chebi),
                ("formula", ids.formula),
                (
                    "molar mass",
                    f"{ids.molar_mass_g_per_mol} g/mol" if ids.molar_mass_g_per_mol else None,
                ),
            )
            if value
        ]
        rows.append(f"[bold]Identifiers[/]: {escape(' · '.join(parts))} {cite.mark(ids.sources)}")
    return Text.from_markup("\n".join(rows)) if rows else None


def _indications(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    if not s.indications:
        return None
    table = Table(expand=True, show_lines=False)
    table.add_column("Use", ratio=3)
    table.add_column("Status", no_wrap=True)
    table.add_column("Where / route", ratio=1)
    for ind in s.indications:
        where = ", ".join(ind.jurisdictions + [r.value for r in ind.routes])
        text = escape(ind.name) + (f"\n[dim]{escape(ind.note)}[/]" if ind.note else "")
        table.add_row(
            text + " " + cite.mark(ind.sources), ind.status.replace("_", "-"), escape(where)
        )
    return table


def _tiers_table(route: RouteInfo, cite: Citer) -> Table | None:
    if not route.tiers:
        return None
    unit = unit_symbol(route.dose_unit)
    table = Table(title=f"Single doses ({unit})", title_justify="left", expand=True)
    for column in ("Source", "Threshold", "Light", "Common", "Strong", "Heavy"):
        table.add_column(column, no_wrap=column != "Source")
    for tiers in route.tiers:
        table.add_row(*_tier_cells(tiers, cite))
    return table


def _tier_cells(t: DoseTiers, cite: Citer) -> list[str]:
    per_kg = "/kg" if t.per_kg else ""
    name = ", ".join(t.sources) + " " + cite.mark(t.sources)
    return [
        name + (f"\n[dim]{escape(t.note)}[/]" if t.note else ""),
        (num(t.threshold) + per_kg) if t.threshold is not None else "—",
        span(t.light) + per_kg if t.light else "—",
        span(t.common) + per_kg if t.common else "—",
        span(t.strong) + per_kg if t.strong else "—",
        (f"{num(t.heavy)}+" + per_kg) if t.heavy is not None else "—",
    ]


def _timecourse_table(route: RouteInfo, cite: Citer) -> Table | None:
    if not route.timecourse:
        return None
    table = Table(title="Time course", title_justify="left", expand=True)
    for column in ("Context", "Onset", "Peak", "Total", "After-effects"):
        table.add_column(column)
    for tc in route.timecourse:
        table.add_row(
            escape(tc.context or "") + " " + cite.mark(tc.sources),
            _phase(tc, "onset"),
            _phase(tc, "peak") + (" after dose" if tc.peak_after_dose and tc.peak else ""),
            _phase(tc, "total"),
            _phase(tc, "afterglow"),
        )
    return table


def _phase(tc: TimeCourse, phase: str) -> str:
    hours = tc.hours(phase)
    if hours is None:
        return "—"
    return format_hours_range(*hours)


def _medical_lines(route: RouteInfo, cite: Citer) -> list[str]:
    lines = []
    unit = unit_symbol(route.dose_unit)
    for m in route.medical:
        lines.append(_medical_line(m, unit, cite))
    return lines


def _medical_line(m: MedicalDosing, unit: str, cite: Citer) -> str:
    per = f"{unit}/kg/day" if m.per_kg else f"{unit}/day"
    head = f"[bold]{escape(m.population)}[/]" + (
        f", {escape(m.indication)}" if m.indication else ""
    )
    if m.supervised_only:
        head += " [bold yellow](only under medical supervision)[/]"
    parts = []
    if m.start:
        parts.append(f"start {escape(m.start)}")
    if m.titration:
        parts.append(f"titration: {escape(m.titration)}")
    if m.usual_daily:
        parts.append(f"usual {span(m.usual_daily, per)}")
    if m.max_daily is not None:
        parts.append(f"maximum {num(m.max_daily)} {per}")
    if m.frequency:
        parts.append(escape(m.frequency))
    body = "; ".join(parts)
    note = f"\n      [dim]{escape(m.note)}[/]" if m.note else ""
    return f"  • {head}: {body} {cite.mark(m.sources)}{note}"


def _dosing(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    if not s.routes:
        return None
    parts: list[Any] = []
    for route in s.routes:
        unit = unit_symbol(route.dose_unit)
        parts.append(Text.from_markup(f"\n[bold]{route.route.label}[/] (doses in {unit})"))
        for eq in route.unit_equivalents:
            parts.append(
                Text.from_markup(
                    f"  1 {escape(eq.unit)} = {num(eq.amount)} {unit}"
                    + (f" [dim]({escape(eq.note)})[/]" if eq.note else "")
                    + f" {cite.mark(eq.sources)}"
                )
            )
        tiers = _tiers_table(route, cite)
        if tiers is not None:
            parts.append(tiers)
        tc = _timecourse_table(route, cite)
        if tc is not None:
            parts.append(tc)
        medical = _medical_lines(route, cite)
        if medical:
            parts.append(Text.from_markup("[bold]Medical dosing[/]\n" + "\n".join(medical)))
        for fact in route.facts:
            parts.append(
                Text.from_markup(
                    f"  • {escape(fact.name)}: {escape(_fact_value(fact))} "
                    f"{cite.mark(fact.sources)}"
                )
            )
        for note in route.notes:
            parts.append(
                Text.from_markup(f"  [yellow]![/] {escape(note.text)} {cite.mark(note.sources)}")
            )
    return Group(*parts)


def _facts_lines(facts: Sequence[Fact], cite: Citer) -> list[str]:
    lines = []
    for fact in facts:
        population = f" [dim]({escape(fact.population)})[/]" if fact.population else ""
        note = f" [dim]{escape(fact.note)}[/]" if fact.note else ""
        lines.append(
            f"  • {escape(fact.name)}: {escape(_fact_value(fact))}{population}{note} "
            f"{cite.mark(fact.sources)}"
        )
    return lines


def _pharmacokinetics(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    parts: list[Any] = []
    if s.pk_facts:
        parts.append(Text.from_markup("\n".join(_facts_lines(s.pk_facts, cite))))
    if s.pk_models:
        table = Table(title="Population PK models", title_justify="left", expand=True)
        for column in ("Model", "Population", "Structure", "Parameters (IIV)"):
            table.add_column(column)
        for p in s.pk_models:
            params = ", ".join(
                f"{k} {num(v.value)}" + (f" ({num(v.iiv_cv * 100)}%)" if v.iiv_cv else "")
                for k, v in p.params.items()
            )
            scale = " per kg" if p.weight_scaling == "per_kg" else ""
            default = " [bold green](default)[/]" if p.default else ""
            table.add_row(
                escape(p.label) + default + " " + cite.mark(p.sources),
                p.population.replace("_", " "),
                p.model.replace("_", " ") + scale,
                escape(params),
            )
        parts.append(table)
    if s.reference_concentrations:
        table = Table(title="Reference concentrations", title_justify="left", expand=True)
        for column in ("Kind", "Range", "Matrix", "Note"):
            table.add_column(column)
        for rc in s.reference_concentrations:
            low = num(rc.low) if rc.low is not None else "?"
            high = num(rc.high) if rc.high is not None else "?"
            median = f" (median {num(rc.median)})" if rc.median is not None else ""
            table.add_row(
                rc.kind.replace("_", " ") + " " + cite.mark(rc.sources),
                f"{low}–{high} {escape(rc.unit)}{median}",
                rc.matrix.replace("_", " "),
                f"[dim]{escape(rc.note or '')}[/]",
            )
        parts.append(table)
    return Group(*parts) if parts else None


def _effects(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    if not s.effects:
        return None
    table = Table(expand=True)
    table.add_column("Effect", ratio=2)
    table.add_column("Kind", no_wrap=True)
    table.add_column("When", ratio=1)
    table.add_column("Frequency / note", ratio=2)
    style = {"positive": "green", "negative": "red", "neutral": "yellow"}
    for e in s.effects:
        table.add_row(
            escape(e.name) + " " + cite.mark(e.sources),
            f"[{style[e.valence]}]{e.valence}[/]",
            ", ".join(c.replace("_", " ") for c in e.contexts),
            escape("; ".join(x for x in (e.frequency, e.note) if x)),
        )
    return table


def _overdose(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    od = s.overdose
    if od is None:
        return None
    parts: list[Any] = []
    if catalog.emergency is not None:
        parts.append(emergency_panel(catalog, cite))
    parts.append(Text.from_markup(f"{escape(od.summary)} {cite.mark(od.sources)}"))
    if od.bands:
        table = Table(title="Single-dose bands", title_justify="left", expand=True, show_lines=True)
        for column in ("Dose", "Level", "What it means", "Watch for", "What to do"):
            table.add_column(column)
        for band in od.bands:
            unit = band.unit.symbol
            dose = (
                f"{num(band.from_amount)}–{num(band.to_amount)} {unit}"
                if band.to_amount is not None
                else f"≥ {num(band.from_amount)} {unit}"
            )
            table.add_row(
                f"{band.route.value}\n{dose}",
                severity_text(band.severity),
                f"[bold]{escape(band.label)}[/]\n{escape(band.summary)} {cite.mark(band.sources)}",
                escape("\n".join(band.watch_for)),
                escape("\n".join(band.what_to_do)),
            )
        parts.append(table)
    if od.signs:
        lines = [
            f"  • {escape(sign.name)}"
            + (f" [dim]({escape(sign.frequency)})[/]" if sign.frequency else "")
            + (f" [dim]{escape(sign.note)}[/]" if sign.note else "")
            + f" {cite.mark(sign.sources)}"
            for sign in od.signs
        ]
        parts.append(Text.from_markup("[bold]Signs[/]\n" + "\n".join(lines)))
    if od.course:
        parts.append(
            Text.from_markup("[bold]Course[/]\n" + "\n".join(_facts_lines(od.course, cite)))
        )
    if od.management:
        lines = [
            f"  • {_who(m.who)} {escape(m.text)} {cite.mark(m.sources)}"
            for m in sorted(od.management, key=lambda m: m.who != "anyone")
        ]
        parts.append(Text.from_markup("[bold]Management[/]\n" + "\n".join(lines)))
    for note in od.notes:
        parts.append(Text.from_markup(f"  {escape(note.text)} {cite.mark(note.sources)}"))
    return Group(*parts)


def _who(who: str) -> str:
    return "[bold]Anyone:[/]" if who == "anyone" else "[dim]Clinicians:[/]"


def emergency_panel(catalog: Catalog, cite: Citer | None = None) -> Panel:
    """The emergency guidance, always the same words, never buried."""
    guidance = catalog.emergency
    if guidance is None:
        raise RuntimeError("the knowledge base has no emergency guidance")
    mark = cite.mark if cite is not None else (lambda _sources: "")
    lines = [f"[bold]{escape(guidance.call)}[/]"]
    lines += [
        f"  {i}. {escape(step.text)} {mark(step.sources)}"
        for i, step in enumerate(guidance.steps, 1)
    ]
    if guidance.tell_responders:
        lines.append("[bold]Tell the responders:[/] " + escape("; ".join(guidance.tell_responders)))
    for step in guidance.do_not:
        lines.append(f"  [bold]Do not[/] {escape(step.text)} {mark(step.sources)}")
    return Panel(
        "\n".join(lines),
        title=f"[bold]{escape(guidance.title)}[/]",
        title_align="left",
        border_style="bold red",
    )


def _kidney(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    renal = s.renal
    if renal is None:
        return None
    parts: list[Any] = [Text.from_markup(f"{escape(renal.summary)} {cite.mark(renal.sources)}")]
    if renal.fraction_excreted_unchanged:
        parts.append(
            Text.from_markup("\n".join(_facts_lines([renal.fraction_excreted_unchanged], cite)))
        )
    if renal.bands:
        table = Table(expand=True, show_lines=True)
        for column in ("Kidney function", "Dose", "Advice"):
            table.add_column(column)
        for band in renal.bands:
            dose = []
            if band.avoid:
                dose.append("[bold red]avoid[/]")
            if band.dose_factor is not None and band.dose_factor < 1:
                dose.append(f"≈{round(band.dose_factor * 100)}% of usual")
            if band.min_toxic_daily is not None:
                dose.append(f"toxic from {num(band.min_toxic_daily)}/day")
            table.add_row(
                escape(band.label),
                "\n".join(dose) or "usual",
                escape(band.advice) + " " + cite.mark(band.sources),
            )
        parts.append(table)
    if renal.facts:
        parts.append(Text.from_markup("\n".join(_facts_lines(renal.facts, cite))))
    return Group(*parts)


def _risks(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    if not s.risk_factors:
        return None
    lines = []
    for r in sorted(s.risk_factors, key=lambda r: -r.severity.rank):
        detail = "".join(f"\n      - {escape(d)}" for d in r.details)
        lines.append(
            f"  {severity_text(r.severity)} [bold]{r.factor.replace('_', ' ')}[/]: "
            f"{escape(r.summary)} {cite.mark(r.sources)}{detail}"
        )
    return Text.from_markup("\n".join(lines))


def _dependence(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    parts: list[Any] = []
    if s.tolerance:
        t = s.tolerance
        parts.append(
            Text.from_markup(f"[bold]Tolerance[/]: {escape(t.summary)} {cite.mark(t.sources)}")
        )
        if t.facts:
            parts.append(Text.from_markup("\n".join(_facts_lines(t.facts, cite))))
    if s.dependence:
        d = s.dependence
        parts.append(
            Text.from_markup(f"[bold]Dependence[/]: {escape(d.summary)} {cite.mark(d.sources)}")
        )
        if d.facts:
            parts.append(Text.from_markup("\n".join(_facts_lines(d.facts, cite))))
    if s.withdrawal:
        w = s.withdrawal
        onset = f" Onset {span(w.onset_h, 'h')} after the last dose." if w.onset_h else ""
        parts.append(
            Text.from_markup(
                f"[bold]Withdrawal[/]: {escape(w.summary)}{onset} {cite.mark(w.sources)}"
            )
        )
        for rw in w.route_specific:
            lines = [
                f"{severity_text(rw.severity)} [bold]{rw.route.label}[/]: {escape(rw.summary)} "
                f"{cite.mark(rw.sources)}"
            ]
            if rw.signs:
                lines.append("    Signs: " + escape(", ".join(rw.signs)))
            lines += [f"    → {escape(step)}" for step in rw.what_to_do]
            parts.append(Text.from_markup("\n".join(lines)))
        if w.signs:
            signs = ", ".join(
                escape(sg.name)
                + (f" ({escape(sg.frequency)})" if sg.frequency else "")
                + " "
                + cite.mark(sg.sources)
                for sg in w.signs
            )
            parts.append(Text.from_markup(f"  Signs: {signs}"))
        for step in w.management:
            who = "Anyone" if step.who == "anyone" else "Clinicians"
            parts.append(
                Text.from_markup(f"  • {who}: {escape(step.text)} {cite.mark(step.sources)}")
            )
        if w.facts:
            parts.append(Text.from_markup("\n".join(_facts_lines(w.facts, cite))))
    return Group(*parts) if parts else None


def _ref_name(catalog: Catalog, ref: str) -> str:
    if ref.startswith("class:"):
        definition = catalog.classes.get(ref[6:])
        return f"{definition.name if definition else ref[6:]} (class)"
    entry = catalog.substances.get(ref)
    return entry.name if entry else ref


def interaction_partners(
    catalog: Catalog, substance: Substance
) -> list[tuple[InteractionRule, str]]:
    """Rules naming this substance or one of its classes, with the other party of each."""
    refs = {substance.id} | {f"class:{c}" for c in catalog.classes_of(substance)}
    out = []
    for rule in catalog.interactions:
        if rule.a in refs and rule.b not in refs:
            out.append((rule, rule.b))
        elif rule.b in refs and rule.a not in refs:
            out.append((rule, rule.a))
    out.sort(key=lambda pair: (-pair[0].category.risk_rank, _ref_name(catalog, pair[1])))
    return out


def _interactions(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    pairs = interaction_partners(catalog, s)
    if not pairs:
        return None
    table = Table(expand=True, show_lines=True)
    table.add_column("With", ratio=1)
    table.add_column("Rating", no_wrap=True)
    table.add_column("Why and what to do", ratio=3)
    for rule, partner in pairs:
        table.add_row(
            escape(_ref_name(catalog, partner)),
            category_text(rule.category),
            f"{escape(rule.effects)}\n[bold]→[/] {escape(rule.advice)} {cite.mark(rule.sources)}",
        )
    note = Text.from_markup(
        "[dim]Combinations not listed have no rating in the data: that means Unknown, not safe. "
        "Check one with `dosewise combo`.[/]"
    )
    return Group(table, note)


def _legal(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    if not s.legal:
        return None
    lines = [
        f"  • [bold]{escape(entry.jurisdiction)}[/]: {entry.status.replace('_', ' ')}"
        + (f" ({escape(entry.schedule)})" if entry.schedule else "")
        + (f" — {escape(entry.note)}" if entry.note else "")
        + f" {cite.mark(entry.sources)}"
        for entry in s.legal
    ]
    return Text.from_markup("\n".join(lines))


def _history(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    if not s.history:
        return None
    lines = [
        f"  [bold]{event.year}{'–' + str(event.year_end) if event.year_end else ''}[/]  "
        f"{escape(event.event)} {cite.mark(event.sources)}"
        for event in sorted(s.history, key=lambda e: e.year)
    ]
    return Text.from_markup("\n".join(lines))


def _harm_reduction(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    if not s.harm_reduction:
        return None
    return Text.from_markup(
        "\n".join(f"  • {escape(n.text)} {cite.mark(n.sources)}" for n in s.harm_reduction)
    )


def _claims(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    claims = catalog.claims_for(s.id)
    if claims is None:
        return None
    return claims_table(claims.claims, cite)


def _claims_summary(catalog: Catalog, s: Substance) -> Any:
    claims = catalog.claims_for(s.id)
    if claims is None:
        return None
    counts: dict[str, int] = {}
    for claim in claims.claims:
        counts[claim.status] = counts.get(claim.status, 0) + 1
    parts = ", ".join(
        f"[{CLAIM_STYLE[k]}]{counts.get(k, 0)} {k}[/]"
        for k in ("supported", "corrected", "contradicted", "unclear")
    )
    return Text.from_markup(
        f"The seed article's {len(claims.claims)} claims were checked: {parts}; "
        f"{len(claims.transcriptions)} transcription errors corrected. "
        "[dim]See them with `dosewise claims` or `--section claims`.[/]"
    )


def _sources_section(catalog: Catalog, s: Substance, cite: Citer) -> Any:
    for source_id in catalog.sources_cited(s):
        cite.mark([source_id])
    return None


_SECTION_RENDERERS = {
    "overview": _overview,
    "indications": _indications,
    "dosing": _dosing,
    "pharmacokinetics": _pharmacokinetics,
    "effects": _effects,
    "overdose": _overdose,
    "kidney": _kidney,
    "risks": _risks,
    "dependence": _dependence,
    "interactions": _interactions,
    "legal": _legal,
    "history": _history,
    "harm-reduction": _harm_reduction,
    "claims": _claims,
    "sources": _sources_section,
}


# --------------------------------------------------------------------------------------------
# Monograph (JSON)


def source_json(source: Source) -> dict[str, Any]:
    data = source.model_dump(mode="json", exclude_none=True)
    data["citation"] = source.citation()
    return data


def monograph_json(catalog: Catalog, substance: Substance, section: str | None) -> dict[str, Any]:
    """The monograph (or one section) with the sources it cites, as JSON-ready data."""
    data = substance.model_dump(mode="json", exclude={"sources"})
    out: dict[str, Any] = {"id": substance.id, "name": substance.name}
    cited: list[str] = []
    wanted = [section] if section else list(SECTIONS)
    for name in wanted:
        if name == "interactions":
            pairs = interaction_partners(catalog, substance)
            out["interactions"] = [
                {
                    "with": partner,
                    "with_name": _ref_name(catalog, partner),
                    "category_label": rule.category.label,
                    "severity": rule.effective_severity.value,
                    **rule.model_dump(mode="json", exclude_none=True),
                }
                for rule, partner in pairs
            ]
            cited += [sid for rule, _ in pairs for sid in rule.sources]
        elif name == "claims":
            claims = catalog.claims_for(substance.id)
            if claims is not None:
                out["claims"] = [c.model_dump(mode="json") for c in claims.claims]
                cited += list(iter_source_ids(claims))
        elif name == "sources":
            cited += catalog.sources_cited(substance)
        else:
            for field_name in SECTIONS[name]:
                out[field_name] = data.get(field_name)
    if section in (None, "overdose") and catalog.emergency is not None:
        out["emergency"] = catalog.emergency.model_dump(mode="json")
    if section is None:
        cited = catalog.sources_cited(substance) + cited
    elif section not in ("interactions", "claims", "sources"):
        for field_name in SECTIONS[section]:
            cited += list(iter_source_ids(getattr(substance, field_name)))
    out["sources"] = {sid: source_json(catalog.sources[sid]) for sid in dict.fromkeys(cited)}
    return out


# --------------------------------------------------------------------------------------------
# Sources, claims, search


def _sources_table(catalog: Catalog, substance: Substance) -> Table:
    table = Table(expand=True)
    table.add_column("Id", no_wrap=True)
    table.add_column("Citation", ratio=3)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Checked", no_wrap=True)
    for source_id in catalog.sources_cited(substance):
        source = catalog.sources[source_id]
        table.add_row(source_id, escape(source.citation()), source.kind, source.verified)
    return table


def sources_json(catalog: Catalog, substance: Substance) -> dict[str, Any]:
    ids = catalog.sources_cited(substance)
    return {
        "substance": substance.id,
        "count": len(ids),
        "sources": [source_json(catalog.sources[i]) for i in ids],
    }


def print_sources(catalog: Catalog, substance: Substance) -> None:
    console = Console(highlight=False)
    ids = catalog.sources_cited(substance)
    by_level: dict[str, int] = {}
    for source_id in ids:
        level = catalog.sources[source_id].verified
        by_level[level] = by_level.get(level, 0) + 1
    console.print(f"[bold]{escape(substance.name)}[/]: {len(ids)} sources cited")
    console.print(_sources_table(catalog, substance))
    summary = ", ".join(f"{n} {level}" for level, n in sorted(by_level.items()))
    console.print(
        f"[dim]Checked: {summary}. primary = figures checked against the source's own text; "
        "secondary = through a summary citing it; unverified = not yet checked.[/]"
    )


def claims_table(claims: Sequence[Any], cite: Citer) -> Table:
    table = Table(expand=True, show_lines=True)
    table.add_column("#", no_wrap=True)
    table.add_column("The article says", ratio=2)
    table.add_column("Status", no_wrap=True)
    table.add_column("What the evidence says", ratio=3)
    for claim in claims:
        style = CLAIM_STYLE[claim.status]
        evidence = escape(claim.evidence)
        if claim.correction:
            evidence = f"[bold]{escape(claim.correction)}[/]\n{evidence}"
        table.add_row(
            claim.id,
            f"“{escape(claim.quote)}”",
            f"[{style}]{claim.status}[/]",
            f"{evidence} {cite.mark(claim.sources)}",
        )
    return table


def claims_json(catalog: Catalog, status: str | None) -> dict[str, Any]:
    claims_file = catalog.claims
    if claims_file is None:
        return {"claims": [], "sources": {}}
    claims = [c for c in claims_file.claims if status is None or c.status == status]
    counts: dict[str, int] = {}
    for claim in claims_file.claims:
        counts[claim.status] = counts.get(claim.status, 0) + 1
    cited = [sid for c in claims for sid in c.sources] + [
        sid for t in claims_file.transcriptions for sid in t.sources
    ]
    return {
        "substance": claims_file.substance,
        "counts": counts,
        "claims": [c.model_dump(mode="json") for c in claims],
        "transcriptions": [t.model_dump(mode="json") for t in claims_file.transcriptions],
        "sources": {sid: source_json(catalog.sources[sid]) for sid in dict.fromkeys(cited)},
    }


def print_claims(catalog: Catalog, status: str | None) -> None:
    console = Console(highlight=False)
    claims_file = catalog.claims
    if claims_file is None:
        console.print("No seed claims in the knowledge base.")
        return
    cite = Citer(catalog)
    claims = [c for c in claims_file.claims if status is None or c.status == status]
    counts: dict[str, int] = {}
    for claim in claims_file.claims:
        counts[claim.status] = counts.get(claim.status, 0) + 1
    summary = "  ".join(
        f"[{CLAIM_STYLE[k]}]{k}[/] {counts.get(k, 0)}"
        for k in ("supported", "corrected", "contradicted", "unclear")
    )
    console.print(
        f"[bold]The seed article on baclofen[/]: {len(claims_file.claims)} claims. {summary}"
    )
    console.print(claims_table(claims, cite))
    if status is None and claims_file.transcriptions:
        table = Table(title="Transcription errors corrected", title_justify="left", expand=True)
        table.add_column("Transcript says")
        table.add_column("Meant")
        table.add_column("Basis", ratio=2)
        for t in claims_file.transcriptions:
            table.add_row(
                f"“{escape(t.seed_text)}”",
                escape(t.corrected),
                escape(t.basis) + " " + cite.mark(t.sources),
            )
        console.print(table)
    console.print(Text.from_markup("\n[bold underline]Sources[/]"))
    console.print(cite.references())


def search_json(text: str, hits: Sequence[SearchHit]) -> dict[str, Any]:
    return {
        "query": text,
        "results": [
            {
                "id": h.substance.id,
                "name": h.substance.name,
                "kind": h.substance.kind,
                "matched_on": h.matched_on,
                "field": h.field,
                "score": round(h.score, 1),
                "summary": h.substance.summary,
            }
            for h in hits
        ],
    }


def print_search(text: str, hits: Sequence[SearchHit]) -> None:
    console = Console(highlight=False)
    if not hits:
        console.print(
            f"Nothing matches {text!r}. Try part of a name, a brand, a class or an effect."
        )
        return
    table = Table(expand=True)
    table.add_column("Substance", no_wrap=True)
    table.add_column("Matched", no_wrap=True)
    table.add_column("Summary", ratio=1)
    for hit in hits:
        kind = " (class)" if hit.substance.kind == "class" else ""
        table.add_row(
            f"[bold]{escape(hit.substance.name)}[/]{kind}\n[dim]{hit.substance.id}[/]",
            f"{hit.field}: {escape(hit.matched_on)}",
            escape(hit.substance.summary),
        )
    console.print(table)

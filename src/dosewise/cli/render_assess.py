"""Terminal views of an assessment and of a combination matrix.

Order matters for a person in a hurry: the emergency block first (when there is one), then the
verdict in one line, then what was found with what to do, then the detail and the sources.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dosewise.assess.models import (
    Assessment,
    ComboResult,
    EmergencyBlock,
    Finding,
    InteractionResult,
)
from dosewise.cli.style import (
    CATEGORY_STYLE,
    CATEGORY_SYMBOL,
    SourceMarks,
    category_text,
    severity_text,
)
from dosewise.severity import InteractionCategory


def emergency_panel(block: EmergencyBlock) -> Panel:
    lines = [f"[bold]{escape(block.headline)}[/]", escape(block.call)]
    if block.watch_for:
        lines.append("[bold]Watch for:[/] " + escape("; ".join(block.watch_for)))
    lines += [f"  {i}. {escape(step)}" for i, step in enumerate(block.steps, 1)]
    lines.append("[bold]Tell the responders:[/] " + escape("; ".join(block.tell_responders)))
    lines += [f"  [bold]Do not[/] {escape(step)}" for step in block.do_not]
    if block.expected_duration:
        lines.append(f"[bold]How long:[/] {escape(block.expected_duration)}")
    title = "EMERGENCY" if block.level == "call_now" else "DANGER: be ready to call for help"
    return Panel("\n".join(lines), title=f"[bold]{title}[/]", border_style="bold red")


def _finding_line(finding: Finding, numbers: SourceMarks) -> str:
    line = f"{severity_text(finding.severity)} [bold]{escape(finding.title)}[/]"
    line += f"\n    {escape(finding.message)}{numbers.mark(finding.sources)}"
    if finding.advice:
        line += f"\n    [bold]→[/] {escape(finding.advice)}"
    return line


def print_assessment(assessment: Assessment, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    numbers = SourceMarks()
    if assessment.emergency is not None:
        console.print(emergency_panel(assessment.emergency))
    console.print(
        f"{severity_text(assessment.severity)} [bold]{escape(assessment.headline)}[/]",
        soft_wrap=True,
    )
    console.print(
        f"[dim]{escape(assessment.substance_name)}, {escape(str(assessment.dose))}, "
        f"{assessment.route.value}[/]"
    )
    console.print()
    for finding in assessment.findings:
        console.print(_finding_line(finding, numbers), soft_wrap=False)
    if assessment.tiers is not None:
        table = Table(title="Dose tier by source", title_justify="left")
        table.add_column("Source")
        table.add_column("Tier")
        table.add_column("Range")
        for tier in assessment.tiers.per_source:
            table.add_row(
                escape(", ".join(tier.sources)) + numbers.mark(tier.sources),
                tier.tier.replace("_", " "),
                escape(tier.range_text),
            )
        console.print(table)
    if assessment.daily_total is not None:
        daily = assessment.daily_total
        limits = []
        if daily.label_max_daily is not None:
            limits.append(f"label maximum {daily.label_max_daily:g} {daily.unit}/day")
        if daily.kidney_adjusted_max_daily is not None:
            limits.append(f"for your kidneys about {daily.kidney_adjusted_max_daily:g}")
        console.print(
            f"24-hour total: [bold]{daily.total:g} {daily.unit}[/] from {daily.doses_counted} "
            f"dose(s)" + (f" ({'; '.join(limits)})" if limits else "")
        )
    if assessment.interactions:
        console.print(combo_pairs_table(assessment.interactions, numbers))
    if assessment.unknowns:
        console.print("\n[bold]What would change this answer[/]")
        for unknown in assessment.unknowns:
            console.print(f"  • [bold]{escape(unknown.field)}[/]: {escape(unknown.why)}")
    _sources(console, numbers, assessment.sources)
    console.print(f"\n[dim italic]{escape(assessment.disclaimer)}[/]")


def _sources(console: Console, numbers: SourceMarks, citations: dict[str, str]) -> None:
    if not numbers.numbers:
        return
    console.print("\n[bold]Sources[/]")
    for source_id, number in numbers.numbers.items():
        console.print(f"  [dim]\\[{number}][/] {escape(citations.get(source_id, source_id))}")


def combo_pairs_table(pairs: list[InteractionResult], numbers: SourceMarks) -> Table:
    table = Table(title="Combinations", title_justify="left", expand=True, show_lines=True)
    table.add_column("Pair", ratio=1)
    table.add_column("Rating", no_wrap=True)
    table.add_column("What happens and what to do", ratio=3)
    for pair in pairs:
        effects = escape(pair.effects) if pair.effects else "[italic]No rating in the data.[/]"
        basis = (
            f"\n[dim]matched by {pair.specificity} rule {pair.matched[0]} + {pair.matched[1]}[/]"
            if pair.matched
            else ""
        )
        table.add_row(
            f"{escape(pair.a_name)} + {escape(pair.b_name)}",
            category_text(pair.category),
            f"{effects}\n[bold]→[/] {escape(pair.advice)}{numbers.mark(pair.sources)}{basis}",
        )
    return table


def print_combo(result: ComboResult, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    numbers = SourceMarks()
    names = [s["name"] for s in result.substances]
    ids = [s["id"] for s in result.substances]
    rating: dict[tuple[str, str], InteractionCategory] = {}
    for pair in result.pairs:
        rating[(pair.a, pair.b)] = rating[(pair.b, pair.a)] = pair.category
    matrix = Table(title="Combination chart", title_justify="left", show_lines=True)
    matrix.add_column("")
    for name in names:
        matrix.add_column(escape(name), justify="center")
    for row_id, row_name in zip(ids, names, strict=True):
        cells = []
        for col_id in ids:
            if row_id == col_id:
                cells.append("—")
                continue
            category = rating[(row_id, col_id)]
            style = CATEGORY_STYLE[category]
            cells.append(f"[{style}] {CATEGORY_SYMBOL[category]} {category.label} [/]")
        matrix.add_row(f"[bold]{escape(row_name)}[/]", *cells)
    console.print(f"{severity_text(result.severity)} [bold]Overall: {result.severity.label}[/]")
    console.print(matrix)
    for finding in result.findings:
        console.print(_finding_line(finding, numbers))
    console.print(combo_pairs_table(result.pairs, numbers))
    console.print(
        Text.from_markup(
            "[dim]Unknown means no rating is in the data: it is not the same as safe.[/]"
        )
    )
    _sources(console, numbers, result.sources)
    console.print(f"\n[dim italic]{escape(result.disclaimer)}[/]")

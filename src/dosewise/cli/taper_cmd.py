"""``dosewise taper``: a dated taper plan, as a table, JSON, CSV or a calendar file.

The command is a plain function with typer annotations; ``cli/main.py`` registers it with
``app.command()(taper)`` so that errors are printed like every other command's (exit code 2).
Engines, rich and the data are imported inside the function (cold start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dosewise.cli.common import STATE, FormatOption, OutputFormat, emit_json

if TYPE_CHECKING:
    from rich.console import Console

    from dosewise.plan.taper import TaperPlan


def taper(
    substance: Annotated[
        str, typer.Argument(help="The medicine to reduce (name, brand or alias).")
    ] = "baclofen",
    regimen: Annotated[
        str | None,
        typer.Option(
            "--regimen",
            "-r",
            help="What is taken now, e.g. '20mg tid', '10 mg twice a day', '50mg q8h'.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="When regular use began: 2025-03, 2025-03-15, or a duration such as "
            "'18 months'. Not given: long use is assumed.",
        ),
    ] = None,
    start: Annotated[
        str, typer.Option("--start", help="First day of the plan: tomorrow, today or a date.")
    ] = "tomorrow",
    route: Annotated[
        str, typer.Option("--route", help="oral (default) or intrathecal (pump).")
    ] = "oral",
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write the steps to this CSV file.")
    ] = None,
    ics_file: Annotated[
        Path | None,
        typer.Option("--ics", help="Also write the steps to this calendar file (.ics)."),
    ] = None,
    dose_times: Annotated[
        str | None,
        typer.Option(
            "--dose-times",
            help="With --ics: one calendar event per dose at these times, e.g. "
            "08:00,14:00,20:00 (one per intake). Without: one all-day event per step.",
        ),
    ] = None,
    seizure_history: Annotated[
        bool | None,
        typer.Option("--seizure-history/--no-seizure-history", help="History of seizures."),
    ] = None,
    pregnant: Annotated[
        bool | None, typer.Option("--pregnant/--not-pregnant", help="Pregnancy.")
    ] = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """A dated plan to reduce and stop a medicine, from cited guidance, to discuss with the
    prescriber. Intrathecal pumps: never a self-taper (the plan explains why and what to do).

    Exit codes: 0 the plan was made; 2 bad input (nothing was made or written).
    """
    from datetime import UTC, datetime

    from dosewise.knowledge.catalog import default_catalog
    from dosewise.plan.export import parse_dose_times, plan_to_csv, plan_to_ics
    from dosewise.plan.taper import (
        TaperPerson,
        TaperRequest,
        parse_current_regimen,
        parse_plan_date,
        parse_since,
        plan_taper,
    )
    from dosewise.units import parse_route

    STATE.format = fmt
    now = datetime.now().astimezone()
    today = now.date()
    chosen_route = parse_route(route)
    current = None
    if regimen is not None:
        chosen_route, current = parse_current_regimen(regimen, route=chosen_route)
    since_date, months = parse_since(since, today=today) if since is not None else (None, None)
    request = TaperRequest(
        substance=substance,
        route=chosen_route,
        regimen=current,
        since=since_date,
        months_of_use=months,
        start=parse_plan_date(start, today=today, field="start"),
        today=today,
        person=TaperPerson(seizure_history=seizure_history, pregnant=pregnant),
    )
    plan = plan_taper(default_catalog(), request)

    # Everything that can fail is checked before anything is printed or written.
    times = None
    if dose_times is not None:
        if ics_file is None:
            from dosewise.errors import InputError

            raise InputError(
                "--dose-times only applies to the calendar file",
                field="dose_times",
                accepted="--ics FILE --dose-times 08:00,14:00,20:00",
            )
        intakes = plan.current.intakes_per_day if plan.current else 1
        times = parse_dose_times(dose_times, intakes)
    csv_text = plan_to_csv(plan) if csv_file is not None else None
    ics_bytes = (
        plan_to_ics(plan, dose_times=times, stamp=now.astimezone(UTC))
        if ics_file is not None
        else None
    )
    written = _write_files(csv_file, csv_text, ics_file, ics_bytes)

    if fmt is OutputFormat.JSON:
        emit_json(plan.model_dump(mode="json"))
        return
    print_plan(plan)
    if written:
        from rich.console import Console

        console = Console(stderr=True, highlight=False)
        for path in written:
            console.print(f"Wrote {path}")


def _write_files(
    csv_file: Path | None, csv_text: str | None, ics_file: Path | None, ics_bytes: bytes | None
) -> list[Path]:
    from dosewise.errors import InputError

    written: list[Path] = []
    try:
        if csv_file is not None and csv_text is not None:
            csv_file.write_text(csv_text, encoding="utf-8")
            written.append(csv_file)
        if ics_file is not None and ics_bytes is not None:
            ics_file.write_bytes(ics_bytes)
            written.append(ics_file)
    except OSError as error:
        raise InputError(
            f"Could not write {error.filename}: {error.strerror}",
            field="csv" if csv_file is not None and not written else "ics",
        ) from None
    return written


# --------------------------------------------------------------------------------------------
# Terminal view


def print_plan(plan: TaperPlan, console: Console | None = None) -> None:
    """The plan for a person: the danger first (pump), then the steps, what to do, sources."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    from dosewise.cli.style import SourceMarks, severity_text
    from dosewise.plan.taper import describe_doses, month_name

    console = console or Console(highlight=False)
    numbers = SourceMarks()

    if plan.route_danger is not None:
        danger = plan.route_danger
        lines = [
            f"[bold]{escape(plan.headline)}[/]",
            escape(danger.summary) + numbers.mark(danger.sources),
            "",
            escape(danger.who_reduces),
            "",
            "[bold]What to do[/]",
            *(f"  • {escape(t)}" for t in danger.what_to_do),
            "[bold]Early and serious signs:[/] " + escape("; ".join(danger.signs)),
        ]
        console.print(
            Panel(
                "\n".join(lines),
                title="[bold]NEVER A SELF-TAPER[/]",
                border_style="bold red",
            )
        )
    else:
        console.print(
            Panel(
                escape(plan.starting_point), title="[bold]Before you start[/]", border_style="cyan"
            )
        )
        console.print(f"[bold]{escape(plan.headline)}[/]")
        if plan.current is not None:
            use = (
                f", about {plan.days_of_use / (365.25 / 12):.1f} months of use"
                if plan.days_of_use is not None
                else ", duration of use not given"
            )
            console.print(
                f"Now: {escape(plan.current.description)} "
                f"({plan.current.daily_total_mg:g} mg a day){use}."
            )
        table = Table(title=f"{plan.substance_name} taper plan", title_justify="left")
        table.add_column("Step", justify="right")
        table.add_column("Dates")
        table.add_column("Days", justify="right")
        table.add_column("Daily total", justify="right")
        table.add_column("Doses through the day")
        table.add_column("Change", justify="right")
        for step in plan.steps:
            dates = (
                month_name(step.start)
                if step.start == step.end
                else f"{month_name(step.start)} – {month_name(step.end)}"
            )
            if step.kind == "stop":
                table.add_row(
                    str(step.number),
                    dates,
                    str(step.days),
                    "[bold]0 mg[/]",
                    "stopped: watch for signs",
                    f"−{step.reduction_mg:g} mg",
                )
            else:
                table.add_row(
                    str(step.number),
                    dates,
                    str(step.days),
                    f"{step.daily_total_mg:g} mg",
                    escape(describe_doses(step)),
                    f"−{step.reduction_mg:g} mg",
                )
        console.print(table)

        console.print("\n[bold]Why these steps[/]")
        for rule in plan.rules:
            console.print(
                f"  [bold]{escape(rule.title)}.[/] Applies {escape(rule.applies_when)}. "
                f"{escape(rule.explanation)}{numbers.mark(rule.sources)}",
                soft_wrap=True,
            )
            for choice in rule.design_choices:
                console.print(f"    [dim]Not from a source: {escape(choice)}[/]", soft_wrap=True)

        console.print("\n[bold]If withdrawal signs appear[/]")
        for i, advice in enumerate(plan.hold_rules, 1):
            who = " [dim](for the doctor)[/]" if advice.who == "clinician" else ""
            console.print(
                f"  {i}. {escape(advice.text)}{who}{numbers.mark(advice.sources)}", soft_wrap=True
            )

    if plan.emergency is not None:
        lines = [
            "[bold]Watch for:[/] " + escape("; ".join(plan.emergency.signs)),
            *(f"  • {escape(t)}" for t in plan.emergency.what_to_do),
        ]
        console.print(
            Panel(
                "\n".join(lines) + numbers.mark(plan.emergency.sources),
                title="[bold]When to call emergency services[/]",
                border_style="red",
            )
        )

    if plan.warnings:
        console.print("[bold]Please note[/]")
        for warning in plan.warnings:
            console.print(
                f"{severity_text(warning.severity)} {escape(warning.message)}"
                f"{numbers.mark(warning.sources)}",
                soft_wrap=True,
            )

    if plan.figures:
        console.print("\n[bold]Figures used[/]")
        for figure in plan.figures:
            console.print(
                f"  • {escape(figure.name)}: {escape(figure.value)}{numbers.mark(figure.sources)}"
            )

    console.print("\n[bold]Sources[/]")
    for source_id, n in numbers.numbers.items():
        citation = plan.sources.get(source_id, source_id)
        console.print(f"  [{n}] {escape(citation)} [dim]({escape(source_id)})[/]", soft_wrap=True)
    console.print(f"\n[dim]{escape(plan.disclaimer)}[/]")

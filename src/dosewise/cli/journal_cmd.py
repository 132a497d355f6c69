"""Journal commands: ``log add|list|edit|delete|undo``, ``status``, ``profile``, ``export``,
``import``.

Registered in :mod:`dosewise.cli.main` (``app.add_typer(log_app, name="log")``,
``app.command()(status)``, ``app.command()(profile)``, ``app.command()(export)``,
``app.command("import")(import_)``). Engines, rich and the database are imported inside the
commands so that the CLI starts fast.

``--db URL`` (or ``DOSEWISE_DATABASE_URL``) chooses the database; the default is a SQLite file
in the user data folder. Exit codes: 0 done; 2 bad input (nothing changed); 1 an entry was not
saved because the confirmation was declined.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dosewise.cli.common import DosewiseTyper, FormatOption, OutputFormat, emit_json
from dosewise.cli.style import SourceMarks

if TYPE_CHECKING:
    from rich.console import Console

    from dosewise.assess.models import Assessment, Finding
    from dosewise.journal.service import EntryView, JournalService
    from dosewise.journal.status import StatusReport

log_app = DosewiseTyper(
    help="The journal: log what was taken, list, edit, delete, undo.", no_args_is_help=True
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: DOSEWISE_DATABASE_URL, else a SQLite file in the user "
        "data folder).",
        show_default=False,
    ),
]


def _local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


def _service(db: str | None) -> JournalService:
    from dosewise.journal.db import open_journal
    from dosewise.journal.service import JournalService
    from dosewise.knowledge.catalog import default_catalog

    return JournalService(open_journal(db), default_catalog(), local_tz=_local_tz())


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def _is_tty() -> bool:
    return sys.stdin.isatty()


def _ago(at: datetime, now: datetime) -> str:
    from dosewise.units import format_hours

    hours = (now - at).total_seconds() / 3600
    return "just now" if hours < 1 / 60 else f"{format_hours(hours)} ago"


def _local(at: datetime) -> str:
    return at.astimezone(_local_tz()).strftime("%a %d %b %H:%M")


class _Marks(SourceMarks):
    """Numbered source marks, collected for the Sources list at the end."""

    def __call__(self, sources: list[str]) -> str:
        return self.mark(sources)

    def print(self, console: Console, citations: dict[str, str]) -> None:
        from rich.markup import escape

        if not self.numbers:
            return
        console.print("\n[bold]Sources[/]")
        for sid, number in self.numbers.items():
            console.print(f"  [dim]\\[{number}][/] {escape(citations.get(sid, sid))}")


def _print_findings(console: Console, findings: list[Finding], marks: _Marks) -> None:
    from rich.markup import escape

    from dosewise.cli.style import severity_text

    for f in findings:
        console.print(f"{severity_text(f.severity)} [bold]{escape(f.title)}[/]", soft_wrap=True)
        console.print(f"    {escape(f.message)}{marks(f.sources)}", soft_wrap=True)
        if f.advice:
            console.print(f"    [bold]→[/] {escape(f.advice)}", soft_wrap=True)


def _print_assessment(console: Console, assessment: Assessment, title: str) -> None:
    from rich.markup import escape

    from dosewise.cli.render_assess import emergency_panel
    from dosewise.cli.style import severity_text

    marks = _Marks()
    console.print(f"[bold underline]{escape(title)}[/]")
    if assessment.emergency is not None:
        console.print(emergency_panel(assessment.emergency))
    console.print(
        f"{severity_text(assessment.severity)} [bold]{escape(assessment.headline)}[/]",
        soft_wrap=True,
    )
    _print_findings(console, assessment.findings, marks)
    if assessment.unknowns:
        console.print("[bold]What would change this answer[/] (set it with `dosewise profile`)")
        for unknown in assessment.unknowns:
            console.print(f"  • [bold]{escape(unknown.field)}[/]: {escape(unknown.why)}")
    marks.print(console, assessment.sources)


def print_status(report: StatusReport, console: Console | None = None) -> None:
    """The status for a person: verdict, what is active, totals, warnings, tolerance, sources."""
    from rich.markup import escape
    from rich.table import Table

    from dosewise.cli.render_assess import emergency_panel
    from dosewise.cli.style import severity_text

    console = console or _console()
    marks = _Marks()
    now = report.now
    console.print(f"[bold]Status at {_local(now)}[/]")
    if report.emergency is not None:
        console.print(emergency_panel(report.emergency))
    console.print(f"{severity_text(report.severity)} [bold]{escape(report.headline)}[/]")
    if report.active:
        table = Table(title="Active now", title_justify="left", show_lines=True)
        for column in ("Substance", "Last dose", "Effect phase", "Predicted level", "Mostly gone"):
            table.add_column(column)
        for a in report.active:
            if a.concentration is not None:
                c = a.concentration
                level = f"{c.p5:.2g}–{c.p50:.2g}–{c.p95:.2g} mg/L ({c.trend})"
                if a.level_band is not None:
                    level += f"\n{a.level_band.label}{marks(a.level_band.sources)}"
            else:
                level = "—"
            if a.mostly_gone_at is not None:
                in_text = _ago(now, a.mostly_gone_at).removesuffix(" ago")
                gone = f"{_local(a.mostly_gone_at)}\n(in {in_text})"
            else:
                gone = "more than 3 days from now"
            band_sources = a.level_band.sources if a.level_band is not None else []
            model_sources = [s for s in a.sources if s not in band_sources]
            table.add_row(
                f"[bold]{escape(a.substance_name)}[/] ({a.route.value})\n"
                f"[dim]{escape(a.method_label)}{marks(model_sources)}[/]",
                f"{_ago(a.last_dose_at, now)}\n[dim]{a.doses_considered} dose(s) counted[/]",
                f"{escape(a.phase_text)}{marks(a.phase_sources)}",
                level,
                gone,
            )
        console.print(table)
    else:
        console.print("Nothing in the journal is active now.")
    for a in report.recently_gone:
        console.print(
            f"[dim]{escape(a.substance_name)}: taken {_ago(a.last_dose_at, now)}, mostly gone "
            f"({escape(a.mostly_gone_rule)}).[/]"
        )
    if report.totals_24h:
        console.print("\n[bold]Last 24 hours[/]")
        for t in report.totals_24h:
            limit = (
                f"; label maximum {t.daily.label_max_daily:g} {t.unit}/day"
                if t.daily.label_max_daily is not None
                else ""
            )
            console.print(
                f"  {escape(t.substance_name)} ({t.route.value}): [bold]{t.total:g} {t.unit}[/] "
                f"in {t.doses} dose(s){limit} — {t.daily.status.replace('_', ' ')}"
            )
    if report.warnings:
        console.print("\n[bold]Warnings that hold now[/]")
        _print_findings(console, report.warnings, marks)
    else:
        console.print("\nNo warning holds now.")
    if report.tolerance:
        console.print("\n[bold]Tolerance and dependence[/]")
        for r in report.tolerance:
            risk = " [bold]Withdrawal risk[/] (long daily use)." if r.withdrawal_risk else ""
            console.print(
                f"  {escape(r.substance_name)}: {r.days_of_use:.0f} day(s) of continuous use, "
                f"last dose {_ago(r.last_dose_at, now)}.{risk} "
                f"{escape(r.tolerance_text)}{marks(r.tolerance_sources)}",
                soft_wrap=True,
            )
    marks.print(console, report.sources)
    console.print(f"\n[dim italic]{escape(report.disclaimer)}[/]")


def _entry_line(e: EntryView) -> str:
    from rich.markup import escape

    local = e.local_time.strftime("%Y-%m-%d %H:%M %z")
    note = f"  [dim]{escape(e.note)}[/]" if e.note else ""
    deleted = " [red](deleted)[/]" if e.deleted_at is not None else ""
    return (
        f"#{e.id}  {local}  [bold]{escape(e.substance_name)}[/] {escape(e.dose_text)} "
        f"{e.route.value}{deleted}{note}"
    )


# --------------------------------------------------------------------------------------------
# log add | list | edit | delete | undo


@log_app.command("add")
def add(
    substance: Annotated[str, typer.Argument(help="Substance name, brand or alias.")],
    dose: Annotated[str, typer.Argument(help="The amount, e.g. 20mg, 75mcg, ~2 drinks.")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="When: now (default), '2h ago', '30 min ago', 2026-11-24T08:00+01:00 "
            "(without an offset: local time).",
        ),
    ] = None,
    route: Annotated[str, typer.Option("--route", "-r", help="oral (default), iv, ...")] = "oral",
    note: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
    estimated: Annotated[
        bool, typer.Option("--estimated", help="The amount is an estimate.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Save without asking, even on a danger verdict.")
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Log a dose. Shows the warnings with what is still active, before and after saving."""
    from dosewise.journal.service import parse_when
    from dosewise.severity import Severity
    from dosewise.units import parse_dose, parse_route

    service = _service(db)
    now = service.clock()
    when = parse_when(at, now, service.local_tz)
    entry = service.prepare(
        substance,
        parse_dose(dose),
        route=parse_route(route),
        when=when,
        note=note,
        estimated=estimated,
    )
    preview = service.preview(entry, now)
    danger = preview.assessment.severity >= Severity.DANGER
    console = _console()
    if fmt is OutputFormat.TEXT:
        _print_assessment(
            console, preview.assessment, "Before saving: this dose with what is active"
        )
        if when.note:
            console.print(f"[dim]{when.note}[/]")
    ask = danger and not yes and _is_tty() and fmt is OutputFormat.TEXT
    if ask and not typer.confirm("The verdict is danger. Save this entry anyway?", default=False):
        console.print("Not saved.")
        raise typer.Exit(1)
    saved = service.add(entry)
    report = service.status()
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "entry": saved.model_dump(mode="json"),
                "time_note": when.note,
                "before": preview.assessment.model_dump(mode="json"),
                "after": report.model_dump(mode="json"),
            }
        )
        return
    console.print(f"\n[green]Saved[/] {_entry_line(saved)}")
    console.print("\n[bold underline]After saving: the warnings that hold now[/]")
    marks = _Marks()
    if report.warnings:
        _print_findings(console, report.warnings, marks)
    else:
        console.print("No warning holds now.")
    marks.print(console, report.sources)


def _parse_since(text: str | None, now: datetime, tz: tzinfo) -> datetime | None:
    from dosewise.errors import InputError
    from dosewise.units import parse_duration_h

    if text is None:
        return None
    try:
        return now - timedelta(hours=parse_duration_h(text, field="since"))
    except InputError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"{text!r} is not a duration or a date",
            field="since",
            accepted="a duration (7d, 12h) or an ISO date (2026-11-01)",
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


@log_app.command("list")
def list_(
    since: Annotated[
        str | None, typer.Option("--since", help="7d, 12h, or a date (2026-11-01).")
    ] = None,
    substance: Annotated[str | None, typer.Option("--substance", "-s")] = None,
    include_deleted: Annotated[
        bool, typer.Option("--all", help="Include deleted entries.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many.")] = 50,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List entries, newest first."""
    service = _service(db)
    entries = service.list_entries(
        since=_parse_since(since, service.clock(), service.local_tz),
        substance=substance,
        include_deleted=include_deleted,
        limit=limit,
    )
    if fmt is OutputFormat.JSON:
        emit_json([e.model_dump(mode="json") for e in entries])
        return
    console = _console()
    if not entries:
        console.print("No entries.")
    for e in entries:
        console.print(_entry_line(e), soft_wrap=True)


@log_app.command("edit")
def edit(
    entry_id: Annotated[int, typer.Argument(help="The entry number (from `log list`).")],
    substance: Annotated[str | None, typer.Option("--substance")] = None,
    dose: Annotated[str | None, typer.Option("--dose")] = None,
    route: Annotated[str | None, typer.Option("--route", "-r")] = None,
    at: Annotated[str | None, typer.Option("--at")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    estimated: Annotated[
        bool | None, typer.Option("--estimated/--not-estimated", show_default=False)
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Change an entry (undo reverts it)."""
    from dosewise.journal.service import parse_when
    from dosewise.units import parse_dose, parse_route

    service = _service(db)
    changed = service.edit(
        entry_id,
        substance=substance,
        dose=parse_dose(dose) if dose is not None else None,
        route=parse_route(route) if route is not None else None,
        when=parse_when(at, service.clock(), service.local_tz) if at is not None else None,
        note=note,
        estimated=estimated,
    )
    if fmt is OutputFormat.JSON:
        emit_json(changed.model_dump(mode="json"))
    else:
        _console().print(f"[green]Changed[/] {_entry_line(changed)}")


@log_app.command("delete")
def delete(
    entry_id: Annotated[int, typer.Argument(help="The entry number (from `log list`).")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Delete an entry (`dosewise log undo` brings it back)."""
    service = _service(db)
    deleted = service.delete(entry_id)
    if fmt is OutputFormat.JSON:
        emit_json(deleted.model_dump(mode="json"))
    else:
        _console().print(f"Deleted {_entry_line(deleted)}\n[dim]Undo: dosewise log undo[/]")


@log_app.command("undo")
def undo(db: DbOption = None, fmt: FormatOption = OutputFormat.TEXT) -> None:
    """Undo the last change (add, edit, delete, profile, import); repeat to go further back."""
    result = _service(db).undo()
    if fmt is OutputFormat.JSON:
        emit_json(result.model_dump(mode="json"))
    else:
        _console().print(f"Undone: {result.summary}")


# --------------------------------------------------------------------------------------------
# status, profile, export, import


def status(
    now: Annotated[
        str | None,
        typer.Option("--now", help="Show the status at another time (ISO 8601).", hidden=True),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """What is active now, its predicted level and effect phase, when it will be mostly gone,
    the 24-hour totals and the warnings that hold now."""
    from dosewise.journal.service import parse_when

    service = _service(db)
    at = parse_when(now, service.clock(), service.local_tz).at if now else None
    report = service.status(at)
    if fmt is OutputFormat.JSON:
        emit_json(report.model_dump(mode="json"))
    else:
        print_status(report)


def profile(
    weight: Annotated[str | None, typer.Option("--weight", help="70kg or 154lb.")] = None,
    crcl: Annotated[float | None, typer.Option("--crcl", help="Creatinine clearance.")] = None,
    egfr: Annotated[float | None, typer.Option("--egfr", help="eGFR.")] = None,
    kidney: Annotated[
        str | None, typer.Option("--kidney", help="normal, mild, moderate, severe, dialysis.")
    ] = None,
    seizure_history: Annotated[
        bool | None, typer.Option("--seizure-history/--no-seizure-history", show_default=False)
    ] = None,
    age: Annotated[float | None, typer.Option("--age", help="Age in years.")] = None,
    pregnant: Annotated[
        bool | None, typer.Option("--pregnant/--not-pregnant", show_default=False)
    ] = None,
    clear: Annotated[
        list[str] | None, typer.Option("--clear", help="Forget a field (e.g. --clear weight_kg).")
    ] = None,
    prescription: Annotated[
        str | None,
        typer.Option("--prescription", help="Add a prescription: 'baclofen 20mg tid'."),
    ] = None,
    remove_prescription: Annotated[
        int | None, typer.Option("--remove-prescription", help="Remove prescription number N.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Show or set what the journal knows about you (used by every check and the status)."""
    from dosewise.assess.inputs import parse_weight_kg
    from dosewise.errors import InputError

    service = _service(db)
    values: dict[str, Any] = {
        "weight_kg": parse_weight_kg(weight) if weight is not None else None,
        "crcl_ml_min": crcl,
        "egfr": egfr,
        "kidney": kidney.lower() if kidney else None,
        "seizure_history": seizure_history,
        "age_years": age,
        "pregnant": pregnant,
    }
    allowed = ("normal", "mild", "moderate", "severe", "dialysis")
    if values["kidney"] is not None and values["kidney"] not in allowed:
        raise InputError(
            f"{kidney!r} is not a kidney category", field="kidney", accepted=", ".join(allowed)
        )
    if any(v is not None for v in values.values()) or clear:
        service.set_profile(clear=clear or [], **values)
    if prescription is not None:
        from dosewise.journal.activity import split_prescription

        name, regimen = split_prescription(prescription)
        if not name:
            raise InputError(
                "The prescription needs a substance name",
                field="prescription",
                accepted="e.g. 'baclofen 20mg tid'",
            )
        service.add_prescription(name, regimen)
    if remove_prescription is not None:
        service.remove_prescription(remove_prescription)
    view = service.profile()
    if fmt is OutputFormat.JSON:
        emit_json(view.model_dump(mode="json"))
        return
    console = _console()
    labels = {
        "weight_kg": "Weight (kg)",
        "crcl_ml_min": "Creatinine clearance (mL/min)",
        "egfr": "eGFR",
        "kidney": "Kidney function",
        "seizure_history": "Seizure history",
        "age_years": "Age",
        "pregnant": "Pregnant",
    }
    for key, label in labels.items():
        value = getattr(view, key)
        shown = (
            "not given"
            if value is None
            else (
                "yes"
                if value is True
                else "no"
                if value is False
                else f"{value:g}"
                if isinstance(value, float)
                else str(value)
            )
        )
        console.print(f"  {label}: {shown}")
    console.print("  Prescriptions: " + ("none" if not view.prescriptions else ""))
    for rx in view.prescriptions:
        console.print(f"    #{rx['id']} {rx['substance_id']} {rx['regimen']} ({rx['route']})")
    console.print("[dim]Anything not given is treated as unknown, not as normal.[/]")


def export(
    as_: Annotated[str, typer.Option("--as", help="json (complete) or csv (entries).")] = "json",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write.")] = None,
    db: DbOption = None,
) -> None:
    """Export the journal: JSON (complete, versioned) or CSV."""
    import json

    from dosewise.errors import InputError
    from dosewise.journal.io import export_csv, export_json

    kind = as_.lower()
    if kind not in ("json", "csv"):
        raise InputError(f"{as_!r} is not an export format", field="as", accepted="json, csv")
    service = _service(db)
    text = (
        json.dumps(export_json(service), indent=2, ensure_ascii=False) + "\n"
        if kind == "json"
        else export_csv(service)
    )
    if out is None:
        sys.stdout.write(text)
        return
    temporary = out.with_name(out.name + ".tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(out)
    except OSError as error:
        from dosewise.errors import InputError

        raise InputError(
            f"cannot write {out}: {error.strerror or error}",
            field="out",
            accepted="a file path in a folder that exists and can be written",
        ) from None
    typer.echo(f"Wrote {out}", err=True)


def import_(
    path: Annotated[Path, typer.Argument(help="A dosewise JSON export or a CSV file.")],
    as_: Annotated[
        str | None, typer.Option("--as", help="json or csv (default: from the file).")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Import entries. Merges, never wipes; the same file twice adds nothing; a file with bad
    rows is reported row by row and nothing is imported."""
    from dosewise.errors import InputError
    from dosewise.journal.io import import_file

    if as_ is not None and as_.lower() not in ("json", "csv"):
        raise InputError(f"{as_!r} is not an import format", field="as", accepted="json, csv")
    kind: Any = as_.lower() if as_ else None
    report = import_file(_service(db), path, fmt=kind)
    if fmt is OutputFormat.JSON:
        emit_json(report.model_dump(mode="json"))
        return
    _console().print(
        f"Imported {report.added} new entr{'y' if report.added == 1 else 'ies'} from "
        f"{report.rows_in_file} row(s); {report.skipped_duplicates} already in the journal"
        + (
            f", {report.skipped_deleted_in_file} deleted in the file"
            if report.skipped_deleted_in_file
            else ""
        )
        + ". Undo: dosewise log undo"
    )


# Registration helper for tests (the lead registers the same commands in cli.main).
def register(app: typer.Typer) -> None:
    """Add the journal commands to ``app``."""
    app.add_typer(log_app, name="log")
    for function, name in (
        (status, "status"),
        (profile, "profile"),
        (export, "export"),
        (import_, "import"),
    ):
        app.command(name)(function)

"""The ``dosewise`` command line: thin commands over the engines, rendered with rich or as JSON.

Imports of the engines, rich and the data are made inside the commands so that each command only
pays for what it uses (cold start matters: a person in a hurry runs ``dosewise check``).

Exit codes: 0 the command ran (whatever it found); 1 a ``--fail-on`` threshold was reached or data
validation found problems; 2 bad input (nothing was done).
"""

from __future__ import annotations

import json
import os

# The CLI uses no pydantic plugins; looking for them scans installed packages' metadata (about
# 20 ms of every cold start). Set before pydantic is imported; the library itself is unaffected.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dosewise.cli.common import (
    STATE,
    DosewiseTyper,
    FormatOption,
    OutputFormat,
    emit_json,
    fail,
)

__all__ = ["STATE", "DosewiseTyper", "FormatOption", "OutputFormat", "app", "emit_json", "fail"]


app = DosewiseTyper(
    name="dosewise",
    help="Evidence-based dose safety: substance facts with sources, dose checks, "
    "pharmacokinetic timelines, interactions, journal and taper plans. Information, not "
    "medical advice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
data_app = DosewiseTyper(
    help="Validate and export knowledge-base data files.", no_args_is_help=True
)
app.add_typer(data_app, name="data")

# --------------------------------------------------------------------------------------------
# Knowledge base


@app.command()
def info(
    name: Annotated[str, typer.Argument(help="Substance name, brand, alias or class.")],
    section: Annotated[
        str | None,
        typer.Option("--section", "-s", help="Show one section only (see the list in the help)."),
    ] = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Show a substance's monograph, every figure marked with its sources.

    Sections: overview, indications, dosing, pharmacokinetics, effects, overdose, kidney,
    risks, dependence, interactions, legal, history, harm-reduction, claims, sources.
    """
    from dosewise.cli import render
    from dosewise.knowledge.catalog import default_catalog

    catalog = default_catalog()
    substance = catalog.resolve(name)
    section_key = render.resolve_section(section) if section else None
    if fmt is OutputFormat.JSON:
        emit_json(render.monograph_json(catalog, substance, section_key))
    else:
        render.print_monograph(catalog, substance, section_key)


@app.command()
def sources(
    name: Annotated[str, typer.Argument(help="Substance name, brand or alias.")],
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List the citations behind an entry, with how each was checked."""
    from dosewise.cli import render
    from dosewise.knowledge.catalog import default_catalog

    catalog = default_catalog()
    substance = catalog.resolve(name)
    if fmt is OutputFormat.JSON:
        emit_json(render.sources_json(catalog, substance))
    else:
        render.print_sources(catalog, substance)


@app.command()
def claims(
    status: Annotated[
        str | None,
        typer.Option(
            help="Only claims with this status: supported, corrected, contradicted, unclear."
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """The seed article's claims: each with its status, correction and evidence."""
    from dosewise.cli import render
    from dosewise.errors import InputError
    from dosewise.knowledge.catalog import default_catalog

    allowed = ("supported", "corrected", "contradicted", "unclear")
    if status is not None and status.lower() not in allowed:
        raise InputError(
            f"{status!r} is not a claim status", field="status", accepted=", ".join(allowed)
        )
    catalog = default_catalog()
    if fmt is OutputFormat.JSON:
        emit_json(render.claims_json(catalog, status.lower() if status else None))
    else:
        render.print_claims(catalog, status.lower() if status else None)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Part of a name, alias, brand, class or effect.")],
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Find substances by name, alias, brand, class or effect."""
    from dosewise.cli import render
    from dosewise.knowledge.catalog import default_catalog

    hits = default_catalog().search(text)
    if fmt is OutputFormat.JSON:
        emit_json(render.search_json(text, hits))
    else:
        render.print_search(text, hits)


class FailOn(StrEnum):
    INFO = "info"
    CAUTION = "caution"
    WARNING = "warning"
    DANGER = "danger"
    EMERGENCY = "emergency"


FailOnOption = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        help="Exit with code 1 when the verdict reaches this level (for scripts).",
        case_sensitive=False,
    ),
]


@app.command()
def check(
    substance: Annotated[str, typer.Argument(help="Substance name, brand or alias.")],
    dose: Annotated[str, typer.Argument(help="The dose, e.g. 20mg, 0.02g, 75mcg, 2 drinks.")],
    route: Annotated[
        str, typer.Option("--route", "-r", help="oral (default), intrathecal, iv, ...")
    ] = "oral",
    taken_today: Annotated[
        list[str] | None,
        typer.Option(
            "--taken-today",
            "-t",
            help="An earlier dose of the same substance in the last 24 h, e.g. '40mg' or "
            "'40mg 3h ago'. Repeat for each dose.",
        ),
    ] = None,
    with_: Annotated[
        list[str] | None,
        typer.Option(
            "--with",
            "-w",
            help="Something else taken, e.g. alcohol, 'diazepam 10mg', 'alcohol 3 drinks 2h ago'."
            " Repeat for each.",
        ),
    ] = None,
    crcl: Annotated[
        float | None, typer.Option("--crcl", help="Creatinine clearance, mL/min.")
    ] = None,
    egfr: Annotated[float | None, typer.Option("--egfr", help="eGFR, mL/min/1.73 m².")] = None,
    dialysis: Annotated[bool, typer.Option("--dialysis", help="On dialysis.")] = False,
    kidney: Annotated[
        str | None,
        typer.Option("--kidney", help="Kidney function category: normal, mild, moderate, severe."),
    ] = None,
    seizure_history: Annotated[
        bool | None,
        typer.Option("--seizure-history/--no-seizure-history", help="History of seizures."),
    ] = None,
    age: Annotated[float | None, typer.Option("--age", help="Age in years.")] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Body weight: 70kg, 154lb.")
    ] = None,
    pregnant: Annotated[
        bool | None, typer.Option("--pregnant/--not-pregnant", help="Pregnancy.")
    ] = None,
    fail_on: FailOnOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Is this dose light, common, strong or dangerous, for this person, today?

    Exit codes: 0 the assessment ran (whatever it found); 2 bad input (nothing assessed);
    1 with --fail-on when the verdict reaches that level.
    """
    from dosewise.assess.engine import assess
    from dosewise.assess.inputs import (
        build_person,
        parse_earlier_dose,
        parse_intake,
        parse_weight_kg,
    )
    from dosewise.assess.models import CheckRequest
    from dosewise.errors import InputError
    from dosewise.knowledge.catalog import default_catalog
    from dosewise.severity import Severity
    from dosewise.units import parse_dose, parse_route

    kidney_category = "dialysis" if dialysis else kidney
    if dialysis and kidney is not None:
        raise InputError("Give either --dialysis or --kidney, not both", field="kidney")
    allowed_kidney = ("normal", "mild", "moderate", "severe")
    if kidney is not None and kidney.lower() not in allowed_kidney:
        raise InputError(
            f"{kidney!r} is not a kidney function category",
            field="kidney",
            accepted=", ".join(allowed_kidney) + " (or --dialysis, --crcl, --egfr)",
        )
    person = build_person(
        crcl_ml_min=crcl,
        egfr=egfr,
        kidney=kidney_category.lower() if kidney_category else None,
        seizure_history=seizure_history,
        age_years=age,
        weight_kg=parse_weight_kg(weight) if weight is not None else None,
        pregnant=pregnant,
    )
    request = CheckRequest(
        substance=substance,
        dose=parse_dose(dose),
        route=parse_route(route),
        taken_today=[
            parse_earlier_dose(text, substance, field=f"taken_today[{i}]")
            for i, text in enumerate(taken_today or [])
        ],
        with_=[parse_intake(text, field=f"with[{i}]") for i, text in enumerate(with_ or [])],
        person=person,
    )
    result = assess(default_catalog(), request)
    if fmt is OutputFormat.JSON:
        emit_json(result.model_dump(mode="json"))
    else:
        from dosewise.cli.render_assess import print_assessment

        print_assessment(result)
    if fail_on is not None and result.severity >= Severity(fail_on.value):
        raise typer.Exit(1)


@app.command()
def combo(
    substances: Annotated[
        list[str], typer.Argument(help="Two or more substances or classes, e.g. baclofen alcohol.")
    ],
    fail_on: FailOnOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Rate every pair of substances: a colour-coded chart and a list with what to do."""
    from dosewise.assess.engine import combo as rate_combo
    from dosewise.knowledge.catalog import default_catalog
    from dosewise.severity import Severity

    result = rate_combo(default_catalog(), substances)
    if fmt is OutputFormat.JSON:
        emit_json(result.model_dump(mode="json"))
    else:
        from dosewise.cli.render_assess import print_combo

        print_combo(result)
    if fail_on is not None and result.severity >= Severity(fail_on.value):
        raise typer.Exit(1)


@data_app.command("validate")
def data_validate(
    paths: Annotated[list[Path], typer.Argument(help="Data files or folders (TOML).")],
    alone: Annotated[
        bool,
        typer.Option(
            "--alone", help="Validate without the built-in knowledge base (a complete data set)."
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Validate third-party data files; every problem names its file and field. Exit 1 if any."""
    from dosewise.knowledge.catalog import validate_paths

    errors = validate_paths(paths, with_builtin=not alone)
    if fmt is OutputFormat.JSON:
        emit_json({"valid": not errors, "files": [e.to_dict() for e in errors]})
    else:
        from rich.console import Console

        console = Console(highlight=False)
        from rich.markup import escape

        if not errors:
            console.print(f"[green]Valid:[/] {', '.join(str(p) for p in paths)}")
        for error in errors:
            console.print(f"[bold red]{escape(error.file)}[/]")
            for problem in error.problems:
                console.print(f"  - {escape(problem)}", soft_wrap=True)
    if errors:
        raise typer.Exit(1)


@data_app.command("schema")
def data_schema(
    out: Annotated[
        Path | None, typer.Option(help="Folder to write one <kind>.schema.json per file kind.")
    ] = None,
) -> None:
    """Export the JSON Schemas of the data files (for editors and contributors)."""
    from dosewise.knowledge.schema import json_schemas

    schemas = json_schemas()
    if out is None:
        emit_json(schemas)
        return
    out.mkdir(parents=True, exist_ok=True)
    for kind, schema in schemas.items():
        (out / f"{kind}.schema.json").write_text(json.dumps(schema, indent=2) + "\n")
    typer.echo(f"Wrote {len(schemas)} schemas to {out}")


# Commands whose modules keep their heavy imports inside the function (cold start stays fast).
from dosewise.cli.journal_cmd import register as register_journal  # noqa: E402
from dosewise.cli.serve_cmd import serve  # noqa: E402
from dosewise.cli.simulate_cmd import simulate  # noqa: E402
from dosewise.cli.taper_cmd import taper  # noqa: E402

app.command()(simulate)
app.command()(taper)
register_journal(app)
app.command()(serve)


def main() -> None:
    """Entry point of the ``dosewise`` command."""
    app()


if __name__ == "__main__":
    main()

"""`dosewise taper` as people and scripts use it (typer CliRunner).

The command is registered the way ``cli/main.py`` registers it (``app.command()(taper)``); when
main already has it, that app is used.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer
from icalendar import Calendar
from typer.testing import CliRunner

from dosewise.cli import main
from dosewise.cli.taper_cmd import taper

runner = CliRunner()


def _app() -> typer.Typer:
    names = {
        c.name or (c.callback.__name__ if c.callback else "") for c in main.app.registered_commands
    }
    if "taper" in names:
        return main.app
    app = main.DosewiseTyper()
    app.command()(taper)

    @app.command()
    def _other() -> None:  # a second command keeps "taper" as a subcommand, as in main
        pass

    return app


APP = _app()
START = date.today() + timedelta(days=7)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(APP, ["taper", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_json_plan() -> None:
    code, out = run(
        "--regimen", "20mg tid", "--since", "2025-03", "--start", START.isoformat(), "-f", "json"
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["substance"] == "baclofen"
    assert data["self_taper"] is True
    assert data["long_use"] is True
    steps = data["steps"]
    assert steps[0]["start"] == START.isoformat()
    assert [s["daily_total_mg"] for s in steps] == [55, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 0]
    assert all(s["days"] == 3 for s in steps)
    for part in ("rules", "figures", "hold_rules", "warnings"):
        for item in data[part]:
            for sid in item["sources"]:
                assert sid in data["sources"]
    assert "prescriber" in data["starting_point"]


def test_text_plan_defaults_to_baclofen_starting_tomorrow() -> None:
    code, out = run("--regimen", "10mg bid", "--since", "3 weeks")
    assert code == 0, out
    assert "Before you start" in out
    assert "Baclofen taper plan" in out
    tomorrow = date.today() + timedelta(days=1)
    assert f"{tomorrow.day} " in out
    assert "If withdrawal signs appear" in out
    assert "When to call emergency services" in out
    assert "not medical advice" in out


def test_files_written(tmp_path: Path) -> None:
    csv_file, ics_file = tmp_path / "plan.csv", tmp_path / "plan.ics"
    code, out = run(
        "baclofen",
        "--regimen", "50mg tid",
        "--since", "2 years",
        "--start", START.isoformat(),
        "--csv", str(csv_file),
        "--ics", str(ics_file),
        "--dose-times", "08:00,14:00,20:00",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)  # stdout stays pure JSON
    rows = list(csv.DictReader(csv_file.open(encoding="utf-8")))
    assert len(rows) == len(data["steps"])
    assert rows[0]["daily_total_mg"] == "140"
    assert rows[0]["rule"] == "high_dose"
    calendar = Calendar.from_ical(ics_file.read_bytes())
    assert calendar.walk("VEVENT")


def test_intrathecal_says_never_a_self_taper() -> None:
    code, out = run("--route", "intrathecal", "--regimen", "400 mcg/day")
    assert code == 0, out
    assert "NEVER A SELF-TAPER" in out
    assert "pump team" in out
    code, out = run("--regimen", "400 mcg/day intrathecal", "-f", "json")
    data = json.loads(out)
    assert data["steps"] == []
    assert data["route_danger"]["severity"] == "emergency"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--regimen", "20 tid"], "regimen"),
        (["--regimen", "20mg"], "regimen"),
        (["--regimen", "20mg tid", "--start", "2020-01-01"], "start"),
        (["--regimen", "20mg tid", "--start", "someday"], "start"),
        (["--regimen", "20mg tid", "--since", "2999-01"], "since"),
        (["diazepam", "--regimen", "5mg tid"], "substance"),
        (["baclofenn", "--regimen", "5mg tid"], "substance"),
        (["--regimen", "20mg tid", "--route", "iv"], "route"),
        (["--regimen", "20mg tid", "--route", "teleport"], "route"),
        (["--since", "2025-03"], "regimen"),
        (["--regimen", "20mg tid", "--dose-times", "08:00,14:00,20:00"], "dose_times"),
        (["--regimen", "20mg tid", "--route", "intrathecal"], "regimen"),
    ],
)
def test_bad_input_exits_2_and_names_the_field(args: list[str], field: str) -> None:
    code, out = run(*args, "--format", "json")
    assert code == 2, out
    assert json.loads(out)["field"] == field
    code, out = run(*args)
    assert code == 2
    assert "Error:" in out
    assert "Traceback" not in out


def test_nothing_is_written_on_bad_input(tmp_path: Path) -> None:
    csv_file, ics_file = tmp_path / "plan.csv", tmp_path / "plan.ics"
    code, _ = run(
        "--route", "intrathecal", "--csv", str(csv_file), "--ics", str(ics_file)
    )  # fmt: skip
    assert code == 2
    assert not csv_file.exists()
    assert not ics_file.exists()
    code, _ = run(
        "--regimen", "20mg tid", "--ics", str(ics_file), "--dose-times", "08:00,20:00"
    )  # fmt: skip
    assert code == 2
    assert not ics_file.exists()

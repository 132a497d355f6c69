"""`dosewise check` and `dosewise combo` as scripts and people use them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dosewise.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_check_json_contract() -> None:
    code, out = run(
        "check",
        "baclofen",
        "60mg",
        "--taken-today",
        "40mg",
        "--with",
        "alcohol",
        "--crcl",
        "45",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    for key in ("severity", "findings", "tiers", "daily_total", "interactions", "emergency"):
        assert key in data
    assert data["severity"] == "danger"
    assert data["daily_total"]["total"] == 100
    assert all(
        {"severity", "code", "message", "figures", "sources"} <= set(f) for f in data["findings"]
    )
    for finding in data["findings"]:
        for sid in finding["sources"]:
            assert sid in data["sources"]


def test_check_text_puts_the_emergency_first() -> None:
    code, out = run("check", "baclofen", "300mg")
    assert code == 0
    assert out.lstrip().startswith("╭")
    assert out.index("EMERGENCY") < out.index("Classic overdose")
    assert "not medical advice" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check", "baclofen", "60"], "no unit"),
        (["check", "baclofen", "0mg"], "zero"),
        (["check", "baclofen", "--", "-5mg"], "negative"),
        (["check", "baclofen", "-5mg"], "-5"),  # read as an option by the parser: still exit 2
        (["check", "baclofen", "nan mg"], "not a number"),
        (["check", "baclofen", "50mg", "--route", "intrathecal"], "MICROGRAMS"),
        (["check", "baclofen", "20mg", "--route", "eyeball"], "not a route"),
        (["check", "baclofen", "20mg", "--route", "smoked"], "no dose data"),
        (["check", "baclofn", "20mg"], "Did you mean"),
        (["check", "baclofen", "20mg", "--crcl", "40", "--egfr", "40"], "one measure"),
        (["check", "baclofen", "20mg", "--kidney", "bad"], "kidney function category"),
        (["check", "baclofen", "20mg", "--weight", "heavy"], "body weight"),
        (["check", "baclofen", "20mg", "--taken-today", "40"], "no unit"),
    ],
)
def test_bad_input_exits_2_and_explains(args: list[str], fragment: str) -> None:
    code, out = run(*args)
    assert code == 2, out
    assert fragment in out


def test_bad_input_as_json() -> None:
    code, out = run("check", "baclofen", "60", "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert data["field"] == "dose"
    assert data["error"] == "unit_error"


def test_fail_on() -> None:
    assert run("check", "baclofen", "20mg", "--fail-on", "danger")[0] == 0
    assert run("check", "baclofen", "150mg", "--fail-on", "danger")[0] == 1
    assert run("check", "baclofen", "20mg", "--with", "alcohol", "--fail-on", "warning")[0] == 1
    assert run("combo", "baclofen", "caffeine", "--fail-on", "danger")[0] == 0


def test_combo_matrix_and_json() -> None:
    code, out = run("combo", "baclofen", "alcohol", "pregabalin")
    assert code == 0
    assert "Combination chart" in out
    assert "Dangerous" in out
    code, out = run("combo", "baclofen", "caffeine", "-f", "json")
    data = json.loads(out)
    assert data["pairs"][0]["category"] == "unknown"
    assert data["severity"] == "caution"

"""The knowledge-base commands, run as a person or a script would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dosewise.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_info_shows_sections_with_source_markers() -> None:
    code, out = run("info", "baclofen")
    assert code == 0
    for heading in ("Overview", "Dosing", "Overdose", "Kidney", "Dependence", "Sources"):
        assert heading in out
    assert "[1]" in out
    assert "not medical advice" in out


def test_info_section_and_alias() -> None:
    code, out = run("info", "Lioresal", "--section", "renal")
    assert code == 0
    assert "dialysis" in out.lower()
    code, out = run("info", "baclofen", "-s", "nonsense")
    assert code == 2
    assert "is not a section" in out


def test_info_json_carries_sources() -> None:
    code, out = run("info", "baclofen", "--section", "overdose", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["overdose"]["bands"][0]["from_amount"] == 100
    for sid in data["overdose"]["sources"]:
        assert sid in data["sources"]


def test_unknown_name_exits_2_with_suggestions() -> None:
    code, out = run("info", "baclofn")
    assert code == 2
    assert "Did you mean" in out
    assert "Baclofen" in out
    code, out = run("info", "baclofn", "--format", "json")
    assert code == 2
    assert json.loads(out)["suggestions"] == ["Baclofen"]


def test_sources_lists_every_cited_source() -> None:
    code, out = run("sources", "baclofen", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["count"] == len(data["sources"]) > 50
    assert all(
        s.get("pmid")
        or s.get("doi")
        or s.get("url")
        or s["kind"] == "seed"
        or s.get("pmcid")
        or s.get("isbn")
        for s in data["sources"]
    )


def test_claims_command() -> None:
    code, out = run("claims", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert sum(data["counts"].values()) == len(data["claims"])
    code, out = run("claims", "--status", "contradicted")
    assert code == 0
    assert "contradicted" in out
    code, out = run("claims", "--status", "maybe")
    assert code == 2


def test_search() -> None:
    code, out = run("search", "gablofen", "--format", "json")
    assert code == 0
    assert json.loads(out)["results"][0]["id"] == "baclofen"
    code, out = run("search", "zzzzqqq")
    assert code == 0
    assert "Nothing matches" in out


def test_data_validate_builtin_is_valid() -> None:
    code, out = run("data", "validate", "src/dosewise/knowledge/data", "--alone")
    assert code == 0, out


def test_data_validate_reports_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'id = "x"\nname = "X"\nsummary = "s"\n[[routes]]\nroute = "oral"\ndose_unit = "mg"\n'
        '[[routes.tiers]]\nsources = ["seed"]\nlight = [5, 1]\n'
    )
    code, out = run("data", "validate", str(bad))
    assert code == 1
    assert str(bad) in out
    assert "routes[0].tiers[0].light" in out
    code, out = run("data", "validate", str(bad), "--format", "json")
    assert json.loads(out)["valid"] is False


@pytest.mark.parametrize("kind", ["substance", "interactions", "claims"])
def test_data_schema_exports(tmp_path: Path, kind: str) -> None:
    code, _ = run("data", "schema", "--out", str(tmp_path))
    assert code == 0
    schema = json.loads((tmp_path / f"{kind}.schema.json").read_text())
    assert schema["type"] == "object"

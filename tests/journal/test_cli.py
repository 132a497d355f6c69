"""The journal commands as people and scripts use them (typer's CliRunner, SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dosewise.cli import journal_cmd
from dosewise.cli.main import DosewiseTyper

app = DosewiseTyper()
journal_cmd.register(app)
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", db])
    return result.exit_code, result.output


def test_log_add_shows_warnings_before_and_after(db: str) -> None:
    assert run(db, "log", "add", "baclofen", "40mg", "--at", "3h ago")[0] == 0
    assert run(db, "log", "add", "alcohol", "2 drinks", "--at", "30 min ago")[0] == 0
    code, out = run(db, "log", "add", "baclofen", "60mg", "--note", "evening")
    assert code == 0  # not a TTY: saved and printed
    assert "Before saving" in out
    assert "After saving" in out
    assert "DANGER" in out
    assert "Alcohol" in out
    assert "Saved" in out
    code, out = run(db, "log", "list", "--format", "json")
    entries = json.loads(out)
    assert [e["substance_id"] for e in entries] == ["baclofen", "alcohol", "baclofen"]
    assert entries[0]["note"] == "evening"


def test_danger_asks_on_a_terminal(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run(db, "log", "add", "alcohol", "3 drinks", "--at", "10 min ago")
    monkeypatch.setattr(journal_cmd, "_is_tty", lambda: True)
    result = runner.invoke(app, ["log", "add", "baclofen", "60mg", "--db", db], input="n\n")
    assert result.exit_code == 1
    assert "Not saved" in result.output
    assert len(json.loads(run(db, "log", "list", "--format", "json")[1])) == 1
    result = runner.invoke(app, ["log", "add", "baclofen", "60mg", "--yes", "--db", db])
    assert result.exit_code == 0
    assert len(json.loads(run(db, "log", "list", "--format", "json")[1])) == 2


def test_naive_time_is_local_and_said(db: str) -> None:
    code, out = run(db, "log", "add", "baclofen", "10mg", "--at", "2026-01-02T08:00")
    assert code == 0
    assert "local time zone" in out


def test_bad_input_exit_2_and_nothing_saved(db: str) -> None:
    code, out = run(db, "log", "add", "baclofen", "60", "--format", "json")
    assert code == 2
    assert json.loads(out)["field"] == "dose"
    code, out = run(db, "log", "add", "baclofen", "10mg", "--at", "tomorrow")
    assert code == 2
    assert "not a time" in out
    assert run(db, "log", "list")[1].strip() == "No entries."


def test_edit_delete_undo(db: str) -> None:
    run(db, "log", "add", "baclofen", "10mg", "--at", "1h ago")
    assert run(db, "log", "edit", "1", "--dose", "15mg")[0] == 0
    assert "15 mg" in run(db, "log", "list")[1]
    assert run(db, "log", "delete", "1")[0] == 0
    assert run(db, "log", "list")[1].strip() == "No entries."
    code, out = run(db, "log", "undo")
    assert code == 0
    assert "deleted" in out
    assert "15 mg" in run(db, "log", "list")[1]


def test_status_text_and_json(db: str) -> None:
    run(db, "log", "add", "baclofen", "20mg", "--at", "2h ago")
    code, out = run(db, "status")
    assert code == 0
    assert "Active now" in out
    assert "Baclofen" in out
    assert "Sources" in out
    code, out = run(db, "status", "--format", "json")
    data = json.loads(out)
    assert data["active"][0]["method"] == "pk_model"
    assert data["totals_24h"][0]["total"] == 20


def test_profile_set_and_show(db: str) -> None:
    code, out = run(
        db, "profile", "--weight", "154lb", "--crcl", "45", "--prescription", "baclofen 20mg tid"
    )
    assert code == 0
    assert "69.85" in out
    assert "20mg tid" in out
    code, out = run(db, "profile", "--format", "json")
    assert json.loads(out)["crcl_ml_min"] == 45
    assert run(db, "profile", "--kidney", "awful")[0] == 2


def test_export_import(db: str, tmp_path: Path) -> None:
    run(db, "log", "add", "baclofen", "20mg", "--at", "2h ago")
    out_file = tmp_path / "export.json"
    assert run(db, "export", "--as", "json", "--out", str(out_file))[0] == 0
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    code, out = run(other, "import", str(out_file))
    assert code == 0
    assert "Imported 1 new entry" in out
    code, out = run(other, "import", str(out_file))
    assert "Imported 0 new entries" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("substance,amount,unit,taken_at\nbaclofen,20,mg,yesterday\n")
    code, out = run(other, "import", str(bad), "--format", "json")
    assert code == 2
    assert json.loads(out)["rows"][0]["row"] == 2


def test_export_to_a_missing_folder_is_a_clear_error(db: str, tmp_path: Path) -> None:
    code, output = run(db, "export", "--out", str(tmp_path / "missing" / "x.json"))
    assert code == 2
    assert "cannot write" in output

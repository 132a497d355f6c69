"""Journal endpoints: log (assessed), list, edit, delete, undo, status, history, profile,
export and import; and the taper plan with its CSV and calendar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dosewise.api import create_app


@pytest.fixture
def jc(tmp_path: Path) -> Iterator[TestClient]:
    """A client over a fresh, empty journal."""
    app = create_app(database_url=f"sqlite:///{tmp_path / 'journal.sqlite3'}", web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_log_is_assessed_and_warns(jc: TestClient) -> None:
    first = jc.post(
        "/api/v1/journal/entries", json={"substance": "baclofen", "dose": "20mg", "at": "2h ago"}
    )
    assert first.status_code == 200
    assert first.json()["entry"]["substance_id"] == "baclofen"
    second = jc.post("/api/v1/journal/entries", json={"substance": "alcohol", "dose": "3 drinks"})
    body = second.json()
    assert body["assessment"]["severity"] == "danger"
    assert body["assessment"]["emergency"] is not None
    assert "baclofen" in body["active_others"]
    status = jc.get("/api/v1/journal/status").json()
    assert status["severity"] == "danger"
    assert {a["substance_id"] for a in status["active"]} == {"baclofen", "alcohol"}


def test_preview_saves_nothing(jc: TestClient) -> None:
    response = jc.post("/api/v1/journal/preview", json={"substance": "baclofen", "dose": "20mg"})
    assert response.status_code == 200
    assert jc.get("/api/v1/journal/entries").json() == []


def test_edit_delete_undo(jc: TestClient) -> None:
    entry = jc.post(
        "/api/v1/journal/entries", json={"substance": "baclofen", "dose": "20mg"}
    ).json()["entry"]
    edited = jc.patch(f"/api/v1/journal/entries/{entry['id']}", json={"dose": "25mg"}).json()
    assert edited["amount"] == 25
    assert jc.delete(f"/api/v1/journal/entries/{entry['id']}").status_code == 200
    assert jc.get("/api/v1/journal/entries").json() == []
    undone = jc.post("/api/v1/journal/undo").json()
    assert undone["kind"] == "delete"
    assert len(jc.get("/api/v1/journal/entries").json()) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"substance": "baclofen", "dose": "20"}, "dose"),
        ({"substance": "baclofen", "dose": "20mg", "at": "next week"}, "at"),
        ({"substance": "baclofen", "dose": "20mg", "route": "ear"}, "route"),
        ({"substance": "baclofn", "dose": "20mg"}, "substance"),
    ],
)
def test_log_bad_input_writes_nothing(jc: TestClient, body: dict[str, str], field: str) -> None:
    response = jc.post("/api/v1/journal/entries", json=body)
    assert response.status_code in (404, 422)
    assert response.json()["field"] == field
    assert jc.get("/api/v1/journal/entries").json() == []


def test_missing_entry_and_empty_undo(jc: TestClient) -> None:
    missing = jc.get("/api/v1/journal/entries/99")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert jc.delete("/api/v1/journal/entries/99").status_code == 404
    assert jc.post("/api/v1/journal/undo").json()["field"] == "undo"


def test_history_and_profile(jc: TestClient) -> None:
    for at in ("2 d ago", "1 d ago", "1h ago"):
        jc.post("/api/v1/journal/entries", json={"substance": "baclofen", "dose": "10mg", "at": at})
    history = jc.get("/api/v1/journal/history", params={"days": 7}).json()
    (baclofen,) = history["substances"]
    assert sum(d["doses"] for d in baclofen["days"]) == 3
    assert baclofen["days_of_use"] == len(baclofen["days"])
    assert jc.get("/api/v1/journal/history", params={"days": 0}).status_code == 422
    profile = jc.put("/api/v1/journal/profile", json={"kidney": "severe"}).json()
    assert profile["kidney"] == "severe"
    cleared = jc.put("/api/v1/journal/profile", json={"clear": ["kidney"]}).json()
    assert cleared["kidney"] is None


def test_export_import_round_trip_merges(jc: TestClient) -> None:
    jc.post("/api/v1/journal/entries", json={"substance": "baclofen", "dose": "20mg"})
    exported = jc.get("/api/v1/journal/export").text
    csv = jc.get("/api/v1/journal/export", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    report = jc.post(
        "/api/v1/journal/import",
        params={"format": "json"},
        content=exported,
        headers={"content-type": "text/plain"},
    ).json()
    assert report["added"] == 0
    assert report["skipped_duplicates"] == 1
    bad = jc.post(
        "/api/v1/journal/import",
        params={"format": "csv"},
        content="substance,amount,unit,taken_at\nbaclofen,x,mg,2026-01-01T00:00Z\n",
        headers={"content-type": "text/plain"},
    )
    assert bad.status_code == 422
    assert bad.json()["rows"]


def test_taper_plan_and_exports(client: TestClient) -> None:
    body = {"regimen": "20mg tid", "since": "18 months", "start": "tomorrow"}
    plan = client.post("/api/v1/taper", json=body).json()
    assert plan["self_taper"] is True
    assert plan["steps"][-1]["kind"] == "stop"
    csv = client.post("/api/v1/taper/csv", json=body)
    assert csv.text.startswith("step,kind,start")
    ics = client.post("/api/v1/taper/ics", json=body | {"dose_times": "08:00,14:00,20:00"})
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text


def test_intrathecal_is_never_a_self_taper(client: TestClient) -> None:
    body = {"regimen": "300 mcg/day", "route": "intrathecal"}
    plan = client.post("/api/v1/taper", json=body).json()
    assert plan["self_taper"] is False
    assert plan["route_danger"]["summary"]
    assert client.post("/api/v1/taper/ics", json=body).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"regimen": "20mg"}, "regimen"),
        ({"regimen": "20mg tid", "start": "2001-01-01"}, "start"),
        ({"regimen": "20mg tid", "since": "last year"}, "since"),
        ({"regimen": "20mg tid", "dose_times": "8"}, "dose_times"),
    ],
)
def test_taper_bad_input(client: TestClient, body: dict[str, str], field: str) -> None:
    path = "/api/v1/taper/ics" if "dose_times" in body else "/api/v1/taper"
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_structured_amounts_and_ids_are_bounded(jc: TestClient) -> None:
    # the text form "1e308mg" was refused but the structured form was saved; a 20-digit id
    # overflowed SQLite (HTTP 500)
    huge = jc.post(
        "/api/v1/journal/entries",
        json={"substance": "baclofen", "dose": {"value": 1e308, "unit": "mg"}},
    )
    assert huge.status_code == 422
    assert huge.json()["field"].startswith("dose")
    assert jc.get("/api/v1/journal/entries").json() == []
    assert jc.get("/api/v1/journal/entries/99999999999999999999").status_code == 422

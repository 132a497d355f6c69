"""The dose check, combinations and the simulation, with good and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def check(client: TestClient, **body: Any) -> Any:
    return client.post("/api/v1/check", json=body)


def test_check_text_forms_same_as_cli_example(client: TestClient) -> None:
    response = check(
        client,
        substance="baclofen",
        dose="60mg",
        taken_today=["40mg 3h ago"],
        **{"with": ["alcohol"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["severity"] == "danger"
    assert body["emergency"]["level"] == "be_ready"
    codes = [f["code"] for f in body["findings"]]
    assert "overdose_band_stacked" in codes
    assert "interaction" in codes
    assert body["daily_total"]["total"] == 100


def test_check_structured_forms(client: TestClient) -> None:
    body = check(
        client,
        substance="baclofen",
        dose={"value": 20, "unit": "mg"},
        route="oral",
        person={"kidney": "severe"},
        **{"with": [{"substance": "pregabalin", "dose": {"value": 150, "unit": "mg"}}]},
    ).json()
    assert body["severity"] in ("danger", "emergency")
    assert any(p["b"] == "pregabalin" or p["a"] == "pregabalin" for p in body["interactions"])


def test_check_route_alias_and_micrograms(client: TestClient) -> None:
    body = check(client, substance="baclofen", dose="50 mcg", route="it").json()
    assert body["route"] == "intrathecal"


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"substance": "baclofen", "dose": "60"}, 422, "unit_error", "dose"),
        ({"substance": "baclofen", "dose": "50mg", "route": "it"}, 422, "unit_error", "dose"),
        ({"substance": "baclofen", "dose": "20mg", "route": "ear"}, 422, "bad_input", "route"),
        ({"substance": "baclofn", "dose": "20mg"}, 404, "unknown_substance", "substance"),
        ({"substance": "baclofen"}, 422, "bad_input", "dose"),
        ({"substance": "baclofen", "dose": "20mg", "extra": 1}, 422, "bad_input", "extra"),
        (
            {"substance": "baclofen", "dose": "20mg", "taken_today": ["40mg yesterday ago"]},
            422,
            "bad_input",
            "taken_today[0]",
        ),
        (
            {"substance": "baclofen", "dose": "20mg", "person": {"egfr": 40, "kidney": "mild"}},
            422,
            "bad_input",
            "person",
        ),
        ({"substance": "benzodiazepines", "dose": "10mg"}, 422, "bad_input", None),
    ],
)
def test_check_bad_input(
    client: TestClient, body: dict[str, Any], status: int, error: str, field: str | None
) -> None:
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == status, response.text
    out = response.json()
    assert out["error"] == error
    assert out["message"]
    assert "Traceback" not in response.text
    if field is not None:
        assert out.get("field", "").startswith(field)


def test_check_not_json(client: TestClient) -> None:
    response = client.post(
        "/api/v1/check", content=b"substance=baclofen", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "bad_input"


def test_combo(client: TestClient) -> None:
    body = client.post(
        "/api/v1/combo", json={"substances": ["baclofen", "alcohol", "caffeine"]}
    ).json()
    assert body["severity"] == "danger"
    ratings = {frozenset((p["a"], p["b"])): p["category"] for p in body["pairs"]}
    assert ratings[frozenset(("baclofen", "alcohol"))] == "dangerous"
    assert ratings[frozenset(("baclofen", "caffeine"))] == "unknown"


@pytest.mark.parametrize(
    ("substances", "status"),
    [(["baclofen"], 422), (["baclofen", "baclofen"], 422), (["baclofen", "nope-nope"], 404)],
)
def test_combo_bad_input(client: TestClient, substances: list[str], status: int) -> None:
    response = client.post("/api/v1/combo", json={"substances": substances})
    assert response.status_code == status
    assert response.json()["message"]


def test_simulate(client: TestClient) -> None:
    response = client.post(
        "/api/v1/simulate", json={"substance": "baclofen", "regimen": "20mg", "subjects": 200}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "pk_simulation"
    assert len(body["series"]["times_h"]) == len(body["series"]["conc_mg_per_l"]["p50"])
    assert {r["kind"] for r in body["references"]} >= {"toxic"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"substance": "baclofen", "regimen": "20mg", "subjects": 50_000}, "subjects"),
        (
            {"substance": "baclofen", "regimen": "20mg", "horizon_h": 240, "step_h": 0.02},
            "step_h",
        ),
        ({"substance": "baclofen", "regimen": "20mg", "horizon_h": 100_000}, "horizon_h"),
        ({"substance": "baclofen"}, "regimen"),
        ({"substance": "alcohol", "regimen": "2 drinks"}, None),
    ],
)
def test_simulate_refusals_say_why(
    client: TestClient, body: dict[str, Any], field: str | None
) -> None:
    response = client.post("/api/v1/simulate", json=body)
    assert response.status_code == 422, response.text
    out = response.json()
    assert out["message"]
    if field is not None:
        assert out["field"] == field


def test_internal_errors_are_plain(app: Any, client: TestClient) -> None:
    from dosewise.api.errors import INTERNAL_MESSAGE

    @app.get("/api/v1/_boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    response = client.get("/api/v1/_boom")
    assert response.status_code == 500
    assert response.json() == {"error": "internal", "message": INTERNAL_MESSAGE}
    assert "secret" not in response.text

"""The knowledge-base endpoints: substances, sections, sources, search, claims, emergency."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_health(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_list_substances(client: TestClient) -> None:
    body = client.get("/api/v1/substances").json()
    assert body["count"] == len(body["substances"]) >= 30
    ids = {s["id"] for s in body["substances"]}
    assert {"baclofen", "alcohol", "benzodiazepines"} <= ids


def test_monograph_resolves_brands_and_cites_sources(client: TestClient) -> None:
    body = client.get("/api/v1/substances/Lioresal").json()
    assert body["id"] == "baclofen"
    assert body["routes"]
    assert body["overdose"]
    assert body["emergency"]
    assert body["interactions"]
    assert body["claims"]
    cited = body["sources"]
    assert "seed" in cited
    assert all("citation" in s for s in cited.values())


@pytest.mark.parametrize(("section", "field"), [("dosing", "routes"), ("pk", "pk_models")])
def test_one_section(client: TestClient, section: str, field: str) -> None:
    body = client.get("/api/v1/substances/baclofen", params={"section": section}).json()
    assert body[field]
    assert body.get("overdose") is None


def test_unknown_section_is_422_with_accepted(client: TestClient) -> None:
    response = client.get("/api/v1/substances/baclofen", params={"section": "nope"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "bad_input"
    assert body["field"] == "section"
    assert "dosing" in body["accepted"]


def test_unknown_substance_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/api/v1/substances/baclofn")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_substance"
    assert body["suggestions"] == ["Baclofen"]
    assert body["message"].startswith("No substance called 'baclofn'")


def test_sources(client: TestClient) -> None:
    body = client.get("/api/v1/substances/baclofen/sources").json()
    assert body["substance"] == "baclofen"
    assert body["count"] == len(body["sources"]) > 50
    assert {"primary", "secondary", "unverified"} >= {s["verified"] for s in body["sources"]}
    assert client.get("/api/v1/substances/nothing-like-this/sources").status_code == 404


def test_search(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "muscle relaxant"}).json()
    assert body["results"][0]["id"] == "baclofen"
    assert client.get("/api/v1/search", params={"q": "zzzzzzzz"}).json()["results"] == []
    missing = client.get("/api/v1/search")
    assert missing.status_code == 422
    assert missing.json()["field"] == "q"


def test_claims_and_filter(client: TestClient) -> None:
    everything = client.get("/api/v1/claims").json()
    corrected = client.get("/api/v1/claims", params={"status": "corrected"}).json()
    assert len(corrected["claims"]) == everything["counts"]["corrected"]
    assert all(c["status"] == "corrected" and c["correction"] for c in corrected["claims"])
    bad = client.get("/api/v1/claims", params={"status": "true"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "status"


def test_emergency(client: TestClient) -> None:
    body = client.get("/api/v1/emergency").json()
    assert body["call"]
    assert body["steps"]
    assert body["tell_responders"]


def test_unknown_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/health",
        "/api/v1/substances",
        "/api/v1/substances/{name}",
        "/api/v1/substances/{name}/sources",
        "/api/v1/search",
        "/api/v1/claims",
        "/api/v1/emergency",
        "/api/v1/check",
        "/api/v1/combo",
        "/api/v1/simulate",
    ):
        assert path in paths, path
    assert not any(p == "/" or p.startswith("/substances") for p in paths), "pages stay out"
    check = paths["/api/v1/check"]["post"]
    assert check["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Assessment"
    )
    assert "404" in check["responses"]
    assert "422" in check["responses"]

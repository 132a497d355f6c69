"""The pages through the test client: they render, work without JavaScript (form posts), and
show errors as pages (HTML 4xx), not as JSON or tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dosewise.api import create_app


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(database_url=f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/substances",
        "/substances?q=benzo",
        "/substances/lioresal",
        "/claims",
        "/claims?status=corrected",
        "/combo",
        "/emergency",
        "/timeline",
        "/taper",
        "/journal",
    ],
)
def test_pages_render_with_emergency_link(web: TestClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/emergency"' in response.text
    assert "cdn" not in response.text.lower()


def test_form_post_check_puts_emergency_first(web: TestClient) -> None:
    form = {"substance": "baclofen", "dose": "60mg", "with": "alcohol", "route": "oral"}
    html = web.post("/", data=form).text
    assert html.index("be ready to call for help") < html.index("What was found")


def test_form_errors_are_pages(web: TestClient) -> None:
    response = web.post("/", data={"substance": "baclofen", "dose": "60"})
    assert response.status_code == 422
    assert "Nothing was checked" in response.text
    missing = web.get("/substances/baclofn")
    assert missing.status_code == 404
    assert "Did you mean" in missing.text
    assert web.get("/nowhere").headers["content-type"].startswith("text/html")


def test_with_list_keeps_commas_inside_names(web: TestClient) -> None:
    from dosewise.web.pages import split_list

    assert split_list("1,4-butanediol 2ml, alcohol; diazepam 10mg") == [
        "1,4-butanediol 2ml",
        "alcohol",
        "diazepam 10mg",
    ]


def test_combo_page_matrix(web: TestClient) -> None:
    html = web.get("/combo", params={"substances": "baclofen, alcohol, caffeine"}).text
    assert 'class="matrix"' in html
    assert "Dangerous" in html
    assert "Unknown" in html


def test_journal_timeline_and_taper_downloads(web: TestClient) -> None:
    web.post("/journal", data={"substance": "baclofen", "dose": "20mg", "at": "3h ago"})
    timeline = web.get("/timeline", params={"journal": "baclofen"})
    assert timeline.status_code == 200
    assert "Timeline of your journal" in timeline.text
    assert web.get("/timeline", params={"journal": "cocaine"}).status_code == 422
    ics = web.get("/taper/plan.ics", params={"regimen": "20mg tid"})
    assert ics.headers["content-type"].startswith("text/calendar")
    csv = web.get("/taper/plan.csv", params={"regimen": "20mg tid"})
    assert csv.text.startswith("step,")

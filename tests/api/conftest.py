"""One application for the API tests, with a temporary journal database."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from dosewise.api import create_app


def pytest_configure(config: pytest.Config) -> None:
    # Starlette's test client warns that it will move to httpx2; nothing to act on here.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx`:DeprecationWarning")


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    db: Path = tmp_path_factory.mktemp("journal") / "journal.sqlite3"
    return create_app(database_url=f"sqlite:///{db}")


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client

"""Fixtures for the journal tests: a journal on SQLite and, when available, PostgreSQL.

PostgreSQL tests need ``DOSEWISE_TEST_POSTGRES_URL`` (``.ci/postgres.sh`` prints it); without it
they are skipped with that reason. Each test gets its own PostgreSQL database, dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dosewise.journal.db import Journal, open_journal
from dosewise.journal.service import JournalService
from dosewise.knowledge.catalog import Catalog, default_catalog

PG_ENV = "DOSEWISE_TEST_POSTGRES_URL"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


def _pg_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f'PostgreSQL tests need {PG_ENV} (run `eval "$(.ci/postgres.sh)"`)')
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (dropped afterwards)."""
    admin_url = make_url(_pg_admin_url()).set(drivername="postgresql+psycopg")
    name = f"dosewise_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url


class Clock:
    """A settable clock for the service."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(db_url: str) -> Iterator[Journal]:
    opened = open_journal(db_url)
    yield opened
    opened.close()


@pytest.fixture
def service(journal: Journal, catalog: Catalog, clock: Clock) -> JournalService:
    return JournalService(journal, catalog, clock=clock, local_tz=UTC)


ServiceFactory = Callable[[], JournalService]

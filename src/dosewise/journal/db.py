"""Where the journal lives, how to connect, and bringing the schema up to date on open.

* Default: SQLite in the platform's user data folder
  (``platformdirs.user_data_path("dosewise") / "journal.sqlite3"``). ``DOSEWISE_DATABASE_URL``
  or an explicit URL (``--db``) selects any other database, e.g.
  ``postgresql://user:password@host/dosewise`` (driver psycopg 3).
* SQLite runs in WAL mode (readers never block the writer), with a busy timeout (a second
  writer waits instead of failing) and foreign keys on. Write transactions start with
  ``BEGIN IMMEDIATE``, so two processes writing at once are serialised rather than failing
  half-way; read transactions use a plain ``BEGIN``.
* Opening a journal upgrades it to the newest schema (Alembic, migrations shipped in the
  package). The check costs one query when the schema is already current; concurrent openers
  are serialised (SQLite write lock, PostgreSQL advisory lock), so a migration runs once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from dosewise.errors import InputError

ENV_URL = "DOSEWISE_DATABASE_URL"
HEAD_REVISION = "0002"
"""The newest migration (checked against the scripts by the tests)."""
SQLITE_BUSY_TIMEOUT_MS = 30_000
_PG_MIGRATION_LOCK = 72_317_001  # arbitrary constant key for pg_advisory_xact_lock
ACCEPTED_URLS = (
    "a SQLAlchemy URL: sqlite:///path/to/journal.sqlite3 or "
    "postgresql://user:password@host:5432/database"
)


def default_path() -> Path:
    """The default SQLite file in the platform's user data folder."""
    from platformdirs import user_data_path

    return user_data_path("dosewise", appauthor=False) / "journal.sqlite3"


def resolve_url(url: str | None = None) -> str:
    """The URL to use: the one given, else ``DOSEWISE_DATABASE_URL``, else the default file."""
    chosen = url or os.environ.get(ENV_URL)
    if chosen:
        return chosen
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _normalise(url: str) -> Any:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(
            f"{url!r} is not a database URL", field="db", accepted=ACCEPTED_URLS
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise InputError(
            f"{backend!r} databases are not supported", field="db", accepted=ACCEPTED_URLS
        )
    return parsed


def make_engine(url: str | None = None) -> Engine:
    """An engine for the journal at ``url`` (see :func:`resolve_url`), configured per backend."""
    parsed = _normalise(resolve_url(url))
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        if not memory and parsed.database:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **({"poolclass": StaticPool} if memory else {}),
        )
        _configure_sqlite(engine, wal=not memory)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is turned off so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("dosewise_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@dataclass
class Journal:
    """An open journal: the engine and its read and write sessions."""

    engine: Engine
    url: str

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(dosewise_write=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading (its transaction is rolled back when it closes)."""
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed if the block succeeds, rolled back otherwise.

        On SQLite it holds the write lock from the start (``BEGIN IMMEDIATE``); on PostgreSQL
        a transaction-level advisory lock is taken so that read-modify-write operations
        (undo, imports with duplicate checks) do not interleave.
        """
        with self._write() as session, session.begin():
            if self.dialect == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 72_317_002})
            yield session

    def close(self) -> None:
        self.engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database (``None`` for an empty database)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
            conn.rollback()
            return None


def alembic_config(connection: Connection | None = None) -> Any:
    """The Alembic configuration for the migrations shipped in the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "dosewise.journal:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction (a no-op when already there)."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    with engine.execution_options(dosewise_write=True).begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        command.upgrade(alembic_config(conn), revision)


def open_journal(url: str | None = None, *, migrate: bool = True) -> Journal:
    """Open (and create or upgrade) the journal at ``url``.

    Raises
    ------
    InputError
        A URL that is not a database URL or names an unsupported database; a database that
        cannot be reached (with the reason).
    """
    resolved = resolve_url(url)
    engine = make_engine(resolved)
    try:
        if migrate:
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        raise InputError(
            f"The journal database could not be opened: {reason}",
            field="db",
            accepted=ACCEPTED_URLS,
        ) from exc
    return Journal(engine=engine, url=_display_url(resolved))


def _display_url(url: str) -> str:
    """The URL without its password (for messages and exports)."""
    try:
        return str(make_url(url).set(password=None)) if "@" in url else url
    except ArgumentError:
        return url

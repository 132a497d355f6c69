"""Storage reliability: migrations, concurrent writers, a process killed mid-import."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from dosewise.journal.db import HEAD_REVISION, current_revision, make_engine, open_journal, upgrade
from dosewise.journal.models import Base, ImportBatch, Ingestion, Profile, content_hash
from dosewise.journal.service import JournalService, When
from dosewise.knowledge.catalog import default_catalog
from dosewise.units import parse_dose

FIXTURE = Path(__file__).parent / "fixtures" / "journal-0001.db"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CTX = multiprocessing.get_context("spawn")


def test_head_constant_matches_scripts() -> None:
    from alembic.script import ScriptDirectory

    from dosewise.journal.db import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_models_match_migrations(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_fixture_from_revision_0001_upgrades_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURE, path)
    engine = make_engine(f"sqlite:///{path}")
    assert current_revision(engine) == "0001"
    engine.dispose()
    with sqlite3.connect(FIXTURE) as con:
        before = con.execute(
            "SELECT uid, amount, unit, taken_at, note, deleted_at FROM ingestions ORDER BY id"
        ).fetchall()

    journal = open_journal(f"sqlite:///{path}")
    assert current_revision(journal.engine) == HEAD_REVISION
    with journal.reading() as session:
        rows = session.scalars(select(Ingestion).order_by(Ingestion.id)).all()
        after = [
            (
                r.uid,
                r.amount,
                r.unit,
                r.taken_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                r.note,
                r.deleted_at.strftime("%Y-%m-%d %H:%M:%S.%f") if r.deleted_at else None,
            )
            for r in rows
        ]
        assert after == before
        # the backfilled hashes equal the application's (the migration holds a copy)
        for r in rows:
            assert r.content_hash == content_hash(
                r.substance_id, r.route, r.amount_route_unit, r.route_unit, r.taken_at
            )
        profile = session.get(Profile, 1)
        assert profile is not None
        assert (profile.weight_kg, profile.crcl_ml_min) == (70, 45)
    service = JournalService(journal, default_catalog(), clock=lambda: NOW, local_tz=UTC)
    assert [e.uid[-1] for e in service.list_entries()] == ["3", "2", "1"]  # deleted one hidden
    journal.close()


def _writer(url: str, worker: int, n: int) -> None:
    journal = open_journal(url)
    service = JournalService(journal, default_catalog(), clock=lambda: NOW, local_tz=UTC)
    for i in range(n):
        when = When(at=NOW - timedelta(minutes=worker * 10_000 + i), offset_min=0)
        service.add(service.prepare("baclofen", parse_dose("10mg"), when=when))
    journal.close()


def test_two_processes_writing_at_once_lose_nothing(db_url: str) -> None:
    open_journal(db_url).close()  # create the schema once, as the app would
    n = 60
    workers = [CTX.Process(target=_writer, args=(db_url, w, n)) for w in (1, 2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    journal = open_journal(db_url)
    with journal.reading() as session:
        assert session.scalar(select(func.count()).select_from(Ingestion)) == 2 * n
        assert session.scalar(select(func.count(func.distinct(Ingestion.uid)))) == 2 * n
    journal.close()


def _importer(url: str, csv_path: str, marker: str) -> None:
    from dosewise.journal.io import import_text

    journal = open_journal(url)
    service = JournalService(journal, default_catalog(), clock=lambda: NOW, local_tz=UTC)

    def progress(done: int, total: int) -> None:
        if done >= total // 2 and not os.path.exists(marker):
            Path(marker).write_text("half")
            time.sleep(60)  # the parent kills us here, in the middle of the transaction

    import_text(service, Path(csv_path).read_text(), fmt="csv", progress=progress)


def test_process_killed_mid_import_leaves_journal_consistent(db_url: str, tmp_path: Path) -> None:
    journal = open_journal(db_url)
    service = JournalService(journal, default_catalog(), clock=lambda: NOW, local_tz=UTC)
    service.add(service.prepare("baclofen", parse_dose("20mg"), when=When(at=NOW, offset_min=0)))
    journal.close()
    lines = ["substance,amount,unit,route,taken_at"]
    start = NOW - timedelta(days=400)
    lines += [
        f"baclofen,10,mg,oral,{(start + timedelta(hours=i)).isoformat()}" for i in range(1500)
    ]
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("\n".join(lines) + "\n")
    marker = tmp_path / "marker"
    child = CTX.Process(target=_importer, args=(db_url, str(csv_path), str(marker)))
    child.start()
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and child.is_alive():
        time.sleep(0.05)
    assert marker.exists(), "the import did not reach its middle"
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL

    journal = open_journal(db_url)
    with journal.reading() as session:
        assert session.scalar(select(func.count()).select_from(Ingestion)) == 1
        assert session.scalar(select(func.count()).select_from(ImportBatch)) == 0
        if journal.dialect == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    # the journal still works, and the same import now succeeds in full
    from dosewise.journal.io import import_text

    service = JournalService(journal, default_catalog(), clock=lambda: NOW, local_tz=UTC)
    assert import_text(service, csv_path.read_text(), fmt="csv").added == 1500
    journal.close()


def test_open_refuses_bad_urls() -> None:
    from dosewise.errors import InputError

    with pytest.raises(InputError) as info:
        open_journal("mysql://localhost/x")
    assert info.value.field == "db"
    with pytest.raises(InputError):
        open_journal("not a url")

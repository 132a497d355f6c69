"""The service and imports/exports on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dosewise.errors import InputError
from dosewise.journal.io import ImportRowsError, export_csv, export_json, import_text
from dosewise.journal.models import Ingestion
from dosewise.journal.service import JournalService, When, run_starts_query
from dosewise.journal.tolerance import continuous_run
from dosewise.units import Route, parse_dose

from .conftest import NOW, Clock


def at(hours_ago: float) -> When:
    return When(at=NOW - timedelta(hours=hours_ago), offset_min=60)


def add(service: JournalService, substance: str, dose: str, hours_ago: float, **kw: object) -> int:
    entry = service.prepare(substance, parse_dose(dose), when=at(hours_ago), **kw)  # type: ignore[arg-type]
    return service.add(entry).id


def count(service: JournalService) -> int:
    with service.journal.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Ingestion)) or 0)


def test_add_list_edit_delete_undo(service: JournalService) -> None:
    first = add(service, "Lioresal", "20mg", 5, note="brand name resolves")
    second = add(service, "baclofen", "0.01 g", 1)
    entries = service.list_entries()
    assert [e.id for e in entries] == [second, first]  # newest first
    assert entries[1].substance_id == "baclofen"
    assert entries[1].note == "brand name resolves"
    assert entries[0].amount == 0.01
    assert entries[0].unit == "g"
    assert entries[0].amount_route_unit == pytest.approx(10)
    assert entries[0].taken_at == NOW - timedelta(hours=1)
    assert entries[0].local_time.utcoffset() == timedelta(hours=1)

    edited = service.edit(second, dose=parse_dose("15mg"), note="corrected")
    assert (edited.amount, edited.unit, edited.amount_route_unit) == (15, "mg", 15)
    service.delete(first)
    assert [e.id for e in service.list_entries()] == [second]
    assert [e.id for e in service.list_entries(include_deleted=True)] == [second, first]

    assert service.undo().kind == "delete"
    assert len(service.list_entries()) == 2
    assert service.undo().kind == "edit"
    assert service.get(second).amount_route_unit == pytest.approx(10)
    assert service.undo().kind == "add"
    assert [e.id for e in service.list_entries()] == [first]
    service.undo()
    with pytest.raises(InputError, match="nothing to undo"):
        service.undo()


def test_bad_input_changes_nothing(service: JournalService) -> None:
    with pytest.raises(InputError) as info:
        service.prepare("baclofen", parse_dose("50mg"), route=Route.INTRATHECAL)
    assert info.value.field == "dose"
    with pytest.raises(InputError) as unknown:
        service.prepare("baclofenn", parse_dose("20mg"))
    assert unknown.value.field == "substance"
    with pytest.raises(InputError, match="no entry 99"):
        service.delete(99)
    with pytest.raises(InputError):
        service.set_profile(crcl_ml_min=45, egfr=40)
    assert count(service) == 0
    assert service.profile().crcl_ml_min is None


def test_profile_and_prescriptions(service: JournalService) -> None:
    service.set_profile(weight_kg=70, crcl_ml_min=45, seizure_history=True)
    service.set_profile(kidney="moderate")  # a new kidney measure replaces the old one
    view = service.profile()
    assert (view.weight_kg, view.crcl_ml_min, view.kidney) == (70, None, "moderate")
    assert service.person().kidney == "moderate"
    assert service.person().seizure_history
    rx = service.add_prescription("baclofen", "20mg tid")
    assert service.profile().prescriptions[0]["regimen"] == "20mg tid"
    with pytest.raises(InputError):
        service.add_prescription("baclofen", "twenty mg sometimes")
    service.remove_prescription(rx["id"])
    assert service.profile().prescriptions == []
    service.undo()
    assert len(service.profile().prescriptions) == 1


def test_preview_uses_what_is_active(service: JournalService) -> None:
    add(service, "baclofen", "40mg", 3)
    add(service, "alcohol", "2 drinks", 1)
    preview = service.preview(service.prepare("baclofen", parse_dose("60mg"), when=at(0)), NOW)
    codes = {f.code for f in preview.assessment.findings}
    assert preview.active_others == ["alcohol"]
    assert "interaction" in codes
    assert "daily_above_label_max" in codes
    assert preview.assessment.daily_total is not None
    assert preview.assessment.daily_total.total == 100
    # PK-aware stacking replaces the fixed-window one: 40 mg 3 h ago is partly eliminated
    assert "overdose_band_stacked" not in codes
    assert preview.activity_after is not None
    assert preview.activity_after.method == "pk_model"
    assert 60 < preview.activity_after.equivalent_amount < 100


def test_preview_ignores_alcohol_long_gone(service: JournalService) -> None:
    add(service, "alcohol", "2 drinks", 20)
    preview = service.preview(service.prepare("baclofen", parse_dose("20mg"), when=at(0)), NOW)
    assert preview.active_others == []
    assert not any(f.code == "interaction" for f in preview.assessment.findings)


def test_status_from_the_database(service: JournalService) -> None:
    for day in range(70):
        for hour in (2, 10, 18):
            add(service, "baclofen", "20mg", hour + 24 * day)
    report = service.status()
    assert report.active[0].substance_id == "baclofen"
    assert report.totals_24h[0].total == 60
    tol = report.tolerance[0]
    assert tol.withdrawal_risk
    assert tol.days_of_use == pytest.approx(69 + 16 / 24)


def test_run_start_sql_matches_python(service: JournalService) -> None:
    hours = [1, 9, 17, 30, 60, 100, 101, 150, 160, 400]
    for h in hours:
        add(service, "baclofen", "10mg", h)
    with service.journal.reading() as session:
        rows = dict(session.execute(run_starts_query(["baclofen"], NOW)).all())
    expected = continuous_run([NOW - timedelta(hours=h) for h in hours])
    start = rows["baclofen"]
    start = start.replace(tzinfo=UTC) if start.tzinfo is None else start
    assert start == expected == NOW - timedelta(hours=60)


def test_export_import_roundtrip_is_idempotent(
    service: JournalService, catalog: object, clock: Clock
) -> None:
    add(service, "baclofen", "20mg", 5, note='with "quotes", commas')
    add(service, "alcohol", "2 drinks", 3, estimated=True)
    gone = add(service, "baclofen", "10mg", 2)
    service.delete(gone)
    service.set_profile(weight_kg=70)
    document = export_json(service)
    assert document["format"] == "dosewise-journal"
    assert document["version"] == 1
    assert len(document["entries"]) == 3
    assert document["profile"]["weight_kg"] == 70
    text = json.dumps(document)

    # the same file into the same journal: nothing new
    report = import_text(service, text, fmt="json")
    assert (report.added, report.skipped_duplicates, report.skipped_deleted_in_file) == (0, 2, 1)

    # CSV of the same entries: nothing new either (content hash)
    csv_text = export_csv(service)
    assert csv_text.count("\n") == 3
    assert import_text(service, csv_text, fmt="csv").added == 0
    assert count(service) == 3


def test_import_merges_into_another_journal(
    service: JournalService, tmp_path: object, catalog: object
) -> None:
    add(service, "baclofen", "20mg", 6)
    csv_text = (
        "substance,amount,unit,route,taken_at,note,estimated\n"
        "baclofen,20,mg,oral,2026-11-24T08:00:00+01:00,from another app,no\n"
        "baclofen,20,mg,oral,2026-11-24T08:00:00+01:00,duplicate in the same file,no\n"
        "alcohol,1,drink,oral,2026-11-23T21:00:00Z,,yes\n"
    )
    first = import_text(service, csv_text, fmt="csv", file_name="other.csv")
    assert (first.added, first.skipped_duplicates) == (2, 1)
    again = import_text(service, csv_text, fmt="csv", file_name="other.csv")
    assert again.added == 0
    assert count(service) == 3  # the journal's own entry is still there (merge, never wipe)
    undone = service.undo()  # the second import added nothing; undo it, then the first
    assert undone.kind == "import"
    service.undo()
    assert count(service) == 1


def test_bad_rows_are_reported_and_nothing_is_written(service: JournalService) -> None:
    csv_text = (
        "substance,amount,unit,route,taken_at\n"
        "baclofen,20,mg,oral,2026-11-24T08:00:00+01:00\n"
        "baclofenn,20,mg,oral,2026-11-24T09:00:00+01:00\n"
        "baclofen,20,,oral,2026-11-24T09:00:00+01:00\n"
        "baclofen,50,mg,intrathecal,2026-11-24T09:00:00+01:00\n"
        "baclofen,20,mg,oral,2026-11-24T09:00:00\n"
        "baclofen,20,mg,oral,2030-01-01T09:00:00Z\n"
    )
    with pytest.raises(ImportRowsError) as info:
        import_text(service, csv_text, fmt="csv")
    rows = [(p.row, p.field) for p in info.value.problems]
    assert rows == [(3, "substance"), (4, "dose"), (5, "dose"), (6, "taken_at"), (7, "taken_at")]
    assert "nothing was imported" in str(info.value)
    assert count(service) == 0


def test_an_implausible_profile_in_a_file_is_refused(service: JournalService) -> None:
    service.add(service.prepare("baclofen", parse_dose("20mg")))
    document = export_json(service)
    document["profile"] = {"weight_kg": 9999, "kidney": "moderate"}
    with pytest.raises(ImportRowsError) as info:
        import_text(service, json.dumps(document), fmt="json")
    assert [(p.row, p.field) for p in info.value.problems] == [(0, "profile.weight_kg")]
    assert service.profile().weight_kg is None  # nothing was written
    assert service.profile().kidney is None


def test_import_refuses_other_files(service: JournalService) -> None:
    with pytest.raises(InputError, match="not a dosewise journal export"):
        import_text(service, '{"entries": []}', fmt="json")
    with pytest.raises(InputError, match="no column"):
        import_text(service, "name,dose\nbaclofen,20mg\n", fmt="csv")


def test_times_round_trip_in_utc(service: JournalService) -> None:
    when = When(at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC), offset_min=60)
    service.add(service.prepare("baclofen", parse_dose("20mg"), when=when))
    entry = service.list_entries()[0]
    assert entry.taken_at == when.at
    assert entry.taken_at.tzinfo is not None
    assert entry.local_time.isoformat() == "2026-03-29T01:30:00+01:00"

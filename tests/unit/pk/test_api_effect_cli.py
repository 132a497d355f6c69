"""The facade, the effect link and the CLI command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dosewise.errors import InputError, UnitError
from dosewise.knowledge.catalog import default_catalog
from dosewise.pk.api import SimulationRequest, overdose_thresholds_mg, simulate_request
from dosewise.pk.effect import calibrate_effect_link
from dosewise.pk.population import select_parameter_set
from dosewise.severity import Severity
from dosewise.units import Route


def _run(**kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("subjects", 400)
    return simulate_request(default_catalog(), SimulationRequest(substance="baclofen", **kwargs))


def test_standard_request_round_trips_to_json() -> None:
    r = _run(regimen="20mg q8h for 7d")
    data = json.loads(r.model_dump_json())
    assert set(data["summary"]) >= {"cmax_mg_per_l", "tmax_h", "auc_mg_h_per_l", "trough_mg_per_l"}
    assert set(data["summary"]["cmax_mg_per_l"]) == {"p5", "p25", "p50", "p75", "p95"}
    series = data["series"]
    assert len(series["conc_mg_per_l"]["p50"]) == len(series["times_h"])
    assert [ref["kind"] for ref in data["references"]] == [
        "therapeutic_low",
        "therapeutic_high",
        "toxic",
        "comatose_fatal",
    ]
    assert data["parameter_set"]["id"] == "simon-2018-aud"
    assert data["parameter_set"]["citations"]
    assert data["effect"]["onset"]["p50_h"] == pytest.approx(0.5, abs=0.1)
    s = r.summary
    assert s.cmax_mg_per_l.p5 < s.cmax_mg_per_l.p50 < s.cmax_mg_per_l.p95


def test_same_seed_same_result() -> None:
    a = _run(regimen="20mg bid x 2d", seed=5)
    b = _run(regimen="20mg bid x 2d", seed=5)
    c = _run(regimen="20mg bid x 2d", seed=6)
    assert a.summary == b.summary
    assert a.summary != c.summary


def test_events_from_journal() -> None:
    r = _run(events=[{"t_h": 0, "amount": 20}, {"t_h": 5.5, "amount": 10, "unit": "mg"}])
    assert [e["time_h"] for e in r.dose_events] == [0.0, 5.5]
    with pytest.raises(UnitError):
        _run(events=[{"t_h": 0, "amount": 50, "unit": "mg", "route": "intrathecal"}])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"regimen": "20mg", "subjects": 0}, "subjects"),
        ({"regimen": "20mg", "subjects": 5_000_000}, "subjects"),
        ({"regimen": "20mg", "horizon_h": 1e6}, "horizon_h"),
        ({"regimen": "20mg", "horizon_h": 9000, "step_h": 1 / 60}, "step_h"),
        ({"regimen": "20mg", "percentiles": [120]}, "percentiles"),
        ({}, "regimen"),
        ({"regimen": "20mg", "population": "martians"}, "population"),
        ({"regimen": "20mg", "population": "pediatric"}, "weight"),
        ({"regimen": "20mg", "crcl_ml_min": 900}, "crcl"),
    ],
)
def test_absurd_requests_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        _run(**kwargs)
    assert info.value.field == field
    assert str(info.value)


def test_healthy_alias_falls_back_to_default_with_warning() -> None:
    r = _run(regimen="20mg", population="healthy")
    assert r.parameter_set.id == "simon-2018-aud"
    assert any(w.code == "no_healthy_set" for w in r.warnings)


def test_overdose_warning_is_sourced() -> None:
    r = _run(regimen="400mg")
    w = next(w for w in r.warnings if w.code == "overdose_nonlinear")
    assert w.severity >= Severity.DANGER
    assert "12-36" in w.message
    assert "franchitto-2018" in w.sources
    assert r.horizon_h >= 48
    usual = _run(regimen="20mg")
    assert not any(w.code == "overdose_nonlinear" for w in usual.warnings)


def test_overdose_thresholds_are_the_data_bands() -> None:
    # baclofen.toml oral overdose bands: danger from 100 mg, emergency from 200 mg (the dose
    # check's thresholds), so the simulation warns from the same doses.
    baclofen = default_catalog().resolve("baclofen")
    assert overdose_thresholds_mg(baclofen, Route.ORAL) == (100, 200)
    at_band = next(w for w in _run(regimen="100mg").warnings if w.code == "overdose_nonlinear")
    assert at_band.severity == Severity.WARNING
    assert not any(w.code == "overdose_nonlinear" for w in _run(regimen="40mg").warnings)


def test_kidney_function_raises_exposure() -> None:
    normal = _run(regimen="10mg tid x 3d")
    severe = _run(regimen="10mg tid x 3d", crcl_ml_min=15)
    dialysis = _run(regimen="10mg tid x 3d", dialysis=True)
    assert severe.summary.auc_mg_h_per_l.p50 > 2 * normal.summary.auc_mg_h_per_l.p50
    assert severe.summary.half_life_h.p50 > 2 * normal.summary.half_life_h.p50
    assert any(w.code == "dialysis_assumed" for w in dialysis.warnings)
    assert dialysis.parameter_set.renal_factor < 0.4


def test_effect_calibration_reproduces_reported_time_course() -> None:
    """Seed/TripSit: onset 15-45 min, total 3-6 h after usual oral doses."""
    pset = select_parameter_set(default_catalog().resolve("baclofen").pk_models, route=Route.ORAL)
    link = calibrate_effect_link(pset, (0.25, 0.75), (3.0, 6.0))
    assert 0.25 <= link.onset_h <= 0.75
    assert 3.0 <= link.offset_h <= 6.0
    assert link.threshold_mg_per_l > 0


def _app() -> typer.Typer:
    from dosewise.cli.main import DosewiseTyper
    from dosewise.cli.simulate_cmd import simulate

    app = DosewiseTyper()
    app.command()(simulate)

    @app.command()
    def other() -> None:  # a second command keeps typer's sub-command layout
        pass

    return app


def test_cli_text_json_plot(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _app()
    out = runner.invoke(app, ["simulate", "baclofen 20mg q8h for 2d", "-n", "300"])
    assert out.exit_code == 0, out.output
    assert "Peak level" in out.output
    assert "Felt effect" in out.output
    js = runner.invoke(app, ["simulate", "baclofen 20mg", "-n", "200", "--format", "json"])
    assert js.exit_code == 0
    assert json.loads(js.output)["summary"]["cmax_mg_per_l"]["p50"] > 0
    for name in ("t.png", "t.svg"):
        path = tmp_path / name
        res = runner.invoke(app, ["simulate", "baclofen 20mg", "-n", "200", "--plot", str(path)])
        assert res.exit_code == 0, res.output
        assert path.stat().st_size > 1000


def test_cli_errors_exit_2() -> None:
    runner = CliRunner()
    app = _app()
    res = runner.invoke(app, ["simulate", "baclofen 50 mg intrathecal"])
    assert res.exit_code == 2
    js = runner.invoke(app, ["simulate", "baclofen 20mg", "--subjects", "0", "-f", "json"])
    assert js.exit_code == 2
    assert json.loads(js.output)["field"] == "subjects"
    bad_plot = runner.invoke(app, ["simulate", "baclofen 20mg", "--plot", "x.pdf"])
    assert bad_plot.exit_code == 2


def test_dialysis_and_a_clearance_together_are_refused() -> None:
    with pytest.raises(InputError) as info:
        _run(regimen="20mg", dialysis=True, crcl_ml_min=50)
    assert info.value.field == "crcl_ml_min"

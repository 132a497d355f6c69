"""The closed-form engine agrees with a scipy ODE solution to 1e-6 relative on every model and
schedule type (issue 5). Error is measured relative to the subject's peak concentration."""

from __future__ import annotations

import numpy as np
import pytest

from dosewise.pk.models import ClearanceSegment, Individuals, Structure
from dosewise.pk.regimen import DoseEvent, Regimen, parse_regimen
from dosewise.pk.simulate import simulate_arrays, time_grid
from dosewise.units import Route

from .ode_reference import ode_reference

TOL = 1e-6
N = 6


def _individuals(
    name: str,
    *,
    peripheral: bool = False,
    f: bool = False,
    lag: bool = False,
    ke0: bool = False,
    ka_equals_k: bool = False,
) -> Individuals:
    rng = np.random.default_rng(7)

    def draw(typical: float) -> np.ndarray:
        return typical * np.exp(0.3 * rng.standard_normal(N))

    structure = Structure.from_name(name, peripheral=peripheral)
    cl, v = draw(11.6), draw(72.8)
    kwargs: dict[str, np.ndarray | None] = {}
    if structure.has_depot:
        kwargs["ka"] = cl / v if ka_equals_k else draw(1.64)
        if f:
            kwargs["f"] = np.clip(draw(0.74), 0.3, 1.0)
        if lag:
            kwargs["tlag_h"] = draw(0.25)
    if structure.has_peripheral:
        kwargs["q"] = draw(20.0)
        kwargs["vp"] = draw(30.0)
    if ke0:
        kwargs["ke0"] = draw(2.0)
    if structure.site == "csf":
        cl, v = draw(0.04), draw(0.12)
    return Individuals(structure=structure, cl=cl, v=v, **kwargs)


ORAL_SCHEDULES = {
    "single": Regimen.single(20.0),
    "repeated": parse_regimen("20mg q8h for 3d"),
    "tid": parse_regimen("5 mg tid"),
    "irregular": parse_regimen("20mg at 0h, 10mg at 2.3h, 40mg at 10.7h, 5mg at 11h"),
    "missed_doubled": parse_regimen("20mg q8h for 2d, missed 3, doubled 5"),
    "extra": parse_regimen("20mg q12h for 2d, extra 20mg at 30.2h"),
}


def _check(
    ind: Individuals,
    regimen: Regimen,
    times: np.ndarray,
    *,
    effect: bool = False,
    segments: tuple[ClearanceSegment, ...] = (),
) -> None:
    res = simulate_arrays(ind, regimen, times, clearance_segments=segments, effect=effect)
    for j in range(ind.n):
        ref_c, ref_e = ode_reference(ind, j, regimen, times, segments=segments, effect=effect)
        scale = np.max(np.abs(ref_c))
        assert np.max(np.abs(res.conc_mg_per_l[:-1, j] - ref_c[:-1])) <= TOL * scale
        if effect:
            assert res.effect_mg_per_l is not None
            e_scale = np.max(np.abs(ref_e))
            assert np.max(np.abs(res.effect_mg_per_l[:-1, j] - ref_e[:-1])) <= TOL * e_scale


@pytest.mark.parametrize("schedule", sorted(ORAL_SCHEDULES))
@pytest.mark.parametrize("model", ["one_compartment_oral", "two_compartment_oral"])
def test_oral_models_match_ode(model: str, schedule: str) -> None:
    regimen = ORAL_SCHEDULES[schedule]
    times = time_grid(regimen.end_h + 24, 0.25)
    _check(_individuals(model), regimen, times)


@pytest.mark.parametrize("model", ["one_compartment_oral", "two_compartment_oral"])
def test_oral_with_bioavailability_lag_and_effect(model: str) -> None:
    ind = _individuals(model, f=True, lag=True, ke0=True)
    regimen = ORAL_SCHEDULES["irregular"]
    _check(ind, regimen, time_grid(36, 1 / 12), effect=True)


def test_flip_flop_boundary_ka_equals_k() -> None:
    """ka = k exactly: the Bateman formula divides by zero; the engine must not."""
    ind = _individuals("one_compartment_oral", ka_equals_k=True, ke0=True)
    _check(ind, ORAL_SCHEDULES["repeated"], time_grid(96, 0.5), effect=True)


def test_ka_close_to_k_no_cancellation() -> None:
    base = _individuals("one_compartment_oral")
    k = base.cl / base.v
    ind = Individuals(structure=base.structure, cl=base.cl, v=base.v, ka=k * (1 + 1e-9))
    _check(ind, Regimen.single(20.0), time_grid(48, 0.5))


@pytest.mark.parametrize("model", ["one_compartment_iv", "two_compartment_iv"])
def test_iv_bolus_and_infusion(model: str) -> None:
    ind = _individuals(model, ke0=True)
    regimen = Regimen.from_events(
        [
            DoseEvent(0.0, 10.0, Route.INTRAVENOUS),
            DoseEvent(3.0, 15.0, Route.INTRAVENOUS, duration_h=1.0),
            DoseEvent(12.5, 5.0, Route.INTRAVENOUS),
            DoseEvent(13.0, 30.0, Route.INTRAVENOUS, duration_h=6.25),
        ]
    )
    _check(ind, regimen, time_grid(40, 1 / 6), effect=True)


@pytest.mark.parametrize("peripheral", [False, True])
def test_intrathecal_bolus_and_continuous_infusion(peripheral: bool) -> None:
    ind = _individuals("intrathecal_csf", peripheral=peripheral)
    bolus = parse_regimen("50ug intrathecal")
    _check(ind, bolus, time_grid(24, 0.25))
    pump = parse_regimen("400 mcg/day intrathecal for 3d")
    _check(ind, pump, time_grid(96, 0.5))


@pytest.mark.parametrize("model", ["one_compartment_oral", "two_compartment_oral"])
def test_dialysis_segment(model: str) -> None:
    ind = _individuals(model)
    segments = (ClearanceSegment(10.3, 14.3, 7.7), ClearanceSegment(40.0, 44.0, 7.7))
    _check(ind, ORAL_SCHEDULES["repeated"], time_grid(72, 0.25), segments=segments)


def test_grid_off_dose_times() -> None:
    """Doses between output times (the engine adds breakpoints)."""
    ind = _individuals("one_compartment_oral")
    regimen = parse_regimen("20mg at 0.1h, 20mg at 7.93h, 20mg at 16.01h")
    _check(ind, regimen, np.linspace(0.1, 40.0, 97))

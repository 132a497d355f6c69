"""Regimen parsing, parameter sampling and covariates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dosewise.errors import InputError, UnitError
from dosewise.knowledge.catalog import default_catalog
from dosewise.pk.population import (
    Covariates,
    DialysisSession,
    individuals_from_set,
    omega_from_cv,
    select_parameter_set,
)
from dosewise.pk.regimen import dose_amount_mg, parse_regimen
from dosewise.units import Route


@pytest.mark.parametrize(
    ("text", "n_doses", "interval", "total_mg"),
    [
        ("20mg q8h for 7d", 21, 8.0, 420.0),
        ("5 mg tid", 9, 8.0, 45.0),
        ("10mg bid x 3d", 6, 12.0, 60.0),
        ("20mg q6h x 4 doses", 4, 6.0, 80.0),
        ("40mg", 1, None, 40.0),
    ],
)
def test_parse_repeated(text: str, n_doses: int, interval: float | None, total_mg: float) -> None:
    r = parse_regimen(text)
    assert r.n_doses == n_doses
    assert math.isclose(r.total_mg, total_mg)
    if interval is not None:
        assert r.events[1].time_h - r.events[0].time_h == interval


def test_missed_doubled_extra() -> None:
    r = parse_regimen("20mg q8h for 3d, missed 4, doubled 6")
    assert r.n_doses == 8
    assert r.total_mg == 20 * 8 + 20
    r2 = parse_regimen("20mg q8h for 2d, extra 20mg at 30h")
    assert 30.0 in r2.bolus_times_h


def test_event_list_and_intrathecal() -> None:
    r = parse_regimen("20mg at 0h, 20mg at 6h, 40mg at 10.5h")
    assert r.bolus_times_h == (0.0, 6.0, 10.5)
    it = parse_regimen("50ug intrathecal")
    assert it.route is Route.INTRATHECAL
    assert math.isclose(it.events[0].amount_mg, 0.05)
    pump = parse_regimen("400 mcg/day intrathecal for 3d")
    assert pump.events[0].is_infusion
    assert math.isclose(pump.events[0].rate_mg_per_h * 24, 0.4)


def test_intrathecal_milligrams_are_refused_not_converted() -> None:
    with pytest.raises(UnitError, match="micrograms"):
        parse_regimen("50 mg intrathecal")
    with pytest.raises(UnitError):
        dose_amount_mg(50, "mg", Route.INTRATHECAL)
    assert dose_amount_mg(50, "ug", Route.INTRATHECAL) == pytest.approx(0.05)


@pytest.mark.parametrize("text", ["", "twenty mg", "20mg q8h for", "20mg sometimes"])
def test_bad_regimens(text: str) -> None:
    with pytest.raises(InputError):
        parse_regimen(text)


def _baclofen_sets():  # type: ignore[no-untyped-def]
    return default_catalog().resolve("baclofen").pk_models


def test_default_set_and_aliases() -> None:
    sets = _baclofen_sets()
    assert select_parameter_set(sets, route=Route.ORAL).id == "simon-2018-aud"
    assert select_parameter_set(sets, route=Route.ORAL, population="aud").population == "aud_adult"
    assert select_parameter_set(sets, route=Route.ORAL, population="kids").id == "he-2014-pediatric"
    with pytest.raises(InputError):
        select_parameter_set(sets, route=Route.INTRATHECAL)


def test_lognormal_iiv_matches_published_cv() -> None:
    """Simon 2018: CL/F 11.6 L/h, IIV 21% (baclofen-facts §4); median = typical value."""
    pset = select_parameter_set(_baclofen_sets(), route=Route.ORAL)
    ind, _ = individuals_from_set(pset, 200_000, np.random.default_rng(3))
    assert np.median(ind.cl) == pytest.approx(11.6, rel=0.01)
    assert np.std(np.log(ind.cl)) == pytest.approx(omega_from_cv(0.21), rel=0.01)
    cv = np.std(ind.cl) / np.mean(ind.cl)
    assert cv == pytest.approx(0.21, rel=0.03)


def test_renal_scaling_only_renal_part() -> None:
    pset = select_parameter_set(_baclofen_sets(), route=Route.ORAL)
    ref, _ = individuals_from_set(pset, 1, None)
    cov = Covariates(crcl_ml_min=0.0, fraction_excreted=0.69)
    anuric, _ = individuals_from_set(pset, 1, None, cov)
    assert anuric.cl[0] == pytest.approx(ref.cl[0] * 0.31)
    half = Covariates(crcl_ml_min=50.0, fraction_excreted=0.69)
    assert half.renal_factor() == pytest.approx(0.31 + 0.69 * 0.5)
    with pytest.raises(InputError):
        Covariates(crcl_ml_min=30.0).renal_factor()


def test_per_kg_set_needs_weight_and_scales() -> None:
    sets = _baclofen_sets()
    pset = select_parameter_set(sets, route=Route.ORAL, population="pediatric")
    with pytest.raises(InputError, match="per kg"):
        individuals_from_set(pset, 1, None)
    ind, _ = individuals_from_set(pset, 1, None, Covariates(weight_kg=20.0))
    assert ind.cl[0] == pytest.approx(0.273 * 20)
    assert ind.v[0] == pytest.approx(1.16 * 20)


def test_dialysis_clearance_divided_by_f_for_apparent_sets() -> None:
    pset = select_parameter_set(_baclofen_sets(), route=Route.ORAL)
    session = DialysisSession.haemodialysis(10.0)
    cov = Covariates(dialysis=(session,), bioavailability=0.74)
    _, segments = individuals_from_set(pset, 1, None, cov)
    assert segments[0].extra_cl == pytest.approx(128 * 60 / 1000 / 0.74)
    with pytest.raises(InputError):
        individuals_from_set(pset, 1, None, Covariates(dialysis=(session,)))


def test_seeded_sampling_is_reproducible() -> None:
    pset = select_parameter_set(_baclofen_sets(), route=Route.ORAL)
    a, _ = individuals_from_set(pset, 50, np.random.default_rng(1))
    b, _ = individuals_from_set(pset, 50, np.random.default_rng(1))
    assert np.array_equal(a.cl, b.cl)
    assert np.array_equal(a.ka, b.ka)  # type: ignore[arg-type]

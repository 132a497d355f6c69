"""Predictions against published observations (../shared/research/pk-observations.md) that pass,
kept as regression tests with their tolerances. Misses are documented in docs/validation.md,
not tested here. No parameter was fitted to these observations."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import itertools

from observations import (
    FE,
    cvvh_half_life_h,
    haemodialysis_rate_constant,
    half_life_h,
    population_single,
    sets,
    tmax_h,
    typical,
)

from dosewise.pk.population import Covariates, individuals_from_set
from dosewise.pk.regimen import Regimen
from dosewise.pk.simulate import simulate_arrays, time_grid

DEFAULT = "simon-2018-aud"


def test_a3_a6_healthy_tmax_and_half_life_inside_population_range() -> None:
    """A3: Tmax ≈ 0.75 h (solution), 1.25-1.5 h (tablets), t½ 5.7 h; A6: t½ 5.24 h oral.
    Tolerance: each observed value inside the default set's 5th-95th percentile range."""
    pset = sets()[DEFAULT]
    ind, _, res = population_single(pset, 20.0, n=20_000)
    assert res.totals.tmax_h is not None
    t5, t95 = np.percentile(res.totals.tmax_h, [5, 95])
    for observed in (1.25, 1.5):  # tablets; the 0.75 h of the solution is a miss (docs)
        assert t5 <= observed <= t95
    h5, h95 = np.percentile(ind.elimination_half_life_h(), [5, 95])
    for observed in (5.24, 5.7, 6.8):
        assert h5 <= observed <= h95
    # typical values within 30% of the healthy-adult observations
    assert tmax_h(typical(pset)) == pytest.approx(1.375, rel=0.3)  # tablets, median 1.25-1.5 h
    assert half_life_h(typical(pset)) == pytest.approx(5.5, rel=0.3)  # 4.5-6.8 h reported


def test_a6_auc_variability() -> None:
    """A6 (Agarwal 2015): AUC CV 18-24% in healthy adults; tolerance: the model's CV in 15-27%."""
    _, _, res = population_single(sets()[DEFAULT], 10.0, n=20_000, horizon_h=120.0)
    auc = res.totals.auc
    assert 0.15 <= auc.std() / auc.mean() <= 0.27


def test_r1_renal_impairment_same_cmax_higher_auc() -> None:
    """R1 (Vlavonou 2014), 5 mg: Cmax not different across CrCl groups; AUC and t½ rise with
    severity. Tolerance: Cmax within 15% of normal; AUC and t½ strictly increasing."""
    pset = sets()[DEFAULT]
    times = time_grid(240, 1 / 12)
    cmax, auc, t_half = [], [], []
    for crcl in (100, 65, 40, 20):
        ind = typical(pset, Covariates(crcl_ml_min=crcl, fraction_excreted=FE))
        r = simulate_arrays(ind, Regimen.single(5.0), times)
        assert r.totals.cmax is not None
        cmax.append(float(r.totals.cmax[0]))
        auc.append(float(r.totals.auc[0]))
        t_half.append(half_life_h(ind))
    assert max(cmax) / min(cmax) < 1.15
    assert all(b > a for a, b in itertools.pairwise(auc))
    assert all(b > a for a, b in itertools.pairwise(t_half))


def test_r1_dose_reductions_restore_exposure_within_tolerance() -> None:
    """R1: cuts of 1/3, 1/2, 2/3 for CrCl 50-80, 30-50, <30 restore exposure. Tolerance: the
    model's exposure-matching dose fraction within 0.15 of the recommended one (CrCl 65, 40)."""
    for crcl, recommended in ((65, 2 / 3), (40, 1 / 2)):
        factor = Covariates(crcl_ml_min=crcl, fraction_excreted=FE).renal_factor()
        assert abs(factor - recommended) <= 0.15


def test_r2_haemodialysis_removal_rate_constant() -> None:
    """R2 (Brvar 2007): removal rate constant 0.152 /h during haemodialysis at 128 mL/min.
    Tolerance: ±35% (the patient's volume is unknown; the set's V/F × F is used)."""
    k = haemodialysis_rate_constant(sets()[DEFAULT])
    assert k == pytest.approx(0.152, rel=0.35)


def test_o5_cvvh_half_life() -> None:
    """O5: t½ 4.8 h on CVVH with total clearance 6.6 L/h. Tolerance: ±25% from the set's volume."""
    assert cvvh_half_life_h(sets()[DEFAULT]) == pytest.approx(4.8, rel=0.25)


def test_dialysis_segment_speeds_decline_in_engine() -> None:
    """The engine's dialysis segment reproduces the rate constant of the closed form above."""
    pset = sets()[DEFAULT]
    cov = Covariates(crcl_ml_min=5.0, fraction_excreted=FE)
    ind, _ = individuals_from_set(pset, 1, None, cov)
    from dosewise.pk.models import ClearanceSegment

    seg = ClearanceSegment(30.0, 34.0, 128 * 60 / 1000 / 0.74)
    times = time_grid(40, 0.25)
    r = simulate_arrays(ind, Regimen.single(20.0), times, clearance_segments=[seg])
    c = r.conc_mg_per_l[:, 0]
    i30, i34 = np.searchsorted(times, [30.0, 34.0])
    k_obs = np.log(c[i30] / c[i34]) / 4.0
    assert k_obs == pytest.approx(haemodialysis_rate_constant(pset), rel=0.02)

"""Model predictions for the published observations (shared by the validation tests and the
plots in docs/validation.md). Observations: ../shared/research/pk-observations.md."""

from __future__ import annotations

import math

import numpy as np

from dosewise.knowledge.catalog import default_catalog
from dosewise.knowledge.schema import PKParameterSet
from dosewise.pk.models import ClearanceSegment, Individuals
from dosewise.pk.population import Covariates, individuals_from_set
from dosewise.pk.regimen import Regimen
from dosewise.pk.simulate import simulate_arrays, time_grid

F_ORAL = 0.74  # Agarwal 2015 (A6)
FE = 0.69  # Wuis 1989 (A4)


def sets() -> dict[str, PKParameterSet]:
    return {s.id: s for s in default_catalog().resolve("baclofen").pk_models}


def typical(pset: PKParameterSet, cov: Covariates | None = None) -> Individuals:
    ind, _ = individuals_from_set(pset, 1, None, cov)
    return ind


def tmax_h(ind: Individuals) -> float:
    assert ind.ka is not None
    ka, k = float(ind.ka[0]), float(ind.cl[0] / ind.v[0])
    return math.log(ka / k) / (ka - k)


def half_life_h(ind: Individuals) -> float:
    return float(ind.elimination_half_life_h()[0])


def population_single(
    pset: PKParameterSet,
    dose_mg: float,
    n: int = 20_000,
    cov: Covariates | None = None,
    horizon_h: float = 72.0,
):  # type: ignore[no-untyped-def]
    ind, _ = individuals_from_set(pset, n, np.random.default_rng(11), cov)
    times = time_grid(horizon_h, 5 / 60)
    return ind, times, simulate_arrays(ind, Regimen.single(dose_mg), times)


def haemodialysis_rate_constant(pset: PKParameterSet, crcl_ml_min: float = 5.0) -> float:
    """Elimination rate constant during haemodialysis at 128 mL/min (R2, Brvar 2007)."""
    cov = Covariates(crcl_ml_min=crcl_ml_min, fraction_excreted=FE)
    ind = typical(pset, cov)
    extra = 128 * 60 / 1000 / F_ORAL
    return float((ind.cl[0] + extra) / ind.v[0])


def hd_curve(pset: PKParameterSet, c0_mg_per_l: float = 0.70):  # type: ignore[no-untyped-def]
    """A patient at 0.70 mg/L in acute renal failure, 4-h haemodialysis from t = 0 (R2)."""
    cov = Covariates(crcl_ml_min=5.0, fraction_excreted=FE)
    ind = typical(pset, cov)
    times = time_grid(12.0, 1 / 12)
    k_off = float(ind.cl[0] / ind.v[0])
    k_on = haemodialysis_rate_constant(pset)
    c = np.where(
        times <= 4,
        c0_mg_per_l * np.exp(-k_on * times),
        c0_mg_per_l * np.exp(-k_on * 4) * np.exp(-k_off * (times - 4)),
    )
    _ = ClearanceSegment  # the engine's dialysis segments are checked in tests/unit/pk
    return times, c


def cvvh_half_life_h(pset: PKParameterSet, total_cl_l_per_h: float = 6.6) -> float:
    """Half-life for the measured total clearance on CVVH (O5) with the set's volume (true V)."""
    v_true = float(pset.params["v"].value) * F_ORAL
    return math.log(2) * v_true / total_cl_l_per_h

"""Virtual subjects: individual parameters drawn from a published population model.

Inter-individual variability (IIV) is log-normal, the parameterisation of NONMEM-type population
models: ``θ_i = θ_pop · exp(η_i)``, ``η_i ~ N(0, ω²)``, so the published typical value is the
*median* subject. The published "CV%" is converted exactly, ``ω² = ln(1 + CV²)``. No correlation
between parameters is assumed (none of the baclofen models reports one). A bioavailability ``f``
with IIV is varied on the logit scale so that it stays below 1.

Covariates
----------
* **Body weight.** Per-kg sets (``weight_scaling = "per_kg"``, e.g. children) multiply ``cl``,
  ``q``, ``v``, ``vp`` by the weight. For adult sets weight is only used on request
  (``allometric=True``): ``CL, Q ∝ (W/W_ref)^0.75`` and ``V, Vp ∝ W/W_ref`` (theory-based allometry,
  ``W_ref`` = the set's reference weight or 70 kg), which the published adult models did *not*
  estimate.
* **Kidney function.** Renal clearance of baclofen is about equal to creatinine clearance and
  ~70% of a dose is excreted unchanged, so only the renal part of clearance scales with it:
  ``CL = CL_ref · [(1 - fe) + fe · CrCl / CrCl_ref]``.
* **Dialysis.** An extracorporeal clearance added during sessions (intermittent haemodialysis) or
  throughout (CVVH). It is a true clearance; for sets with apparent parameters (CL/F, V/F) it is
  divided by the oral bioavailability so that it acts on the true volume.

References
----------
.. [1] Wuis EW, Dirks MJ, Termond EF, Vree TB, Van der Kleijn E. Plasma and urinary excretion
   kinetics of oral baclofen in healthy subjects. *Eur J Clin Pharmacol* 1989;37:181-184
   (fraction excreted unchanged 69 ± 14%, renal clearance ≈ creatinine clearance).
.. [2] Kochak GM, Rakhit A, Wagner WE, Honc F, Waldes L, Kershaw RA. The pharmacokinetics of
   baclofen derived from intestinal infusion. *Clin Pharmacol Ther* 1985;38:251-257
   (renal clearance 103 mL/min).
.. [3] Anderson BJ, Holford NHG. Mechanism-based concepts of size and maturity in
   pharmacokinetics. *Annu Rev Pharmacol Toxicol* 2008;48:303-332 (allometric exponents).
.. [4] Brvar M, Vrtovec M, Kovač D, et al. Haemodialysis clearance of baclofen. *Eur J Clin
   Pharmacol* 2007;63:1143-1146 (haemodialysis clearance 2.14 mL/s ≈ 128 mL/min).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from dosewise.errors import InputError
from dosewise.knowledge.schema import PKParameterSet
from dosewise.pk.models import ClearanceSegment, FloatArray, Individuals, Structure
from dosewise.units import Route

DEFAULT_CRCL_REF_ML_MIN = 100.0
"""Creatinine clearance of the reference (healthy adult) population: about the renal clearance of
baclofen in healthy adults (103 mL/min, Kochak 1985)."""

DEFAULT_REFERENCE_WEIGHT_KG = 70.0
HAEMODIALYSIS_CL_ML_MIN = 128.0
"""Haemodialysis clearance of baclofen, 2.14 mL/s (Brvar 2007)."""
CVVH_CL_L_PER_H = 2.4
"""Continuous veno-venous haemofiltration clearance of baclofen, 2.4 L/h (CVVH case, 2014)."""

_PARAM_ORDER = ("ka", "cl", "v", "q", "vp", "f", "tlag")


def omega_from_cv(cv: float) -> float:
    """Standard deviation of ``η`` for a log-normal with coefficient of variation ``cv``."""
    return math.sqrt(math.log1p(cv * cv))


@dataclass(frozen=True)
class DialysisSession:
    """Extracorporeal clearance from ``start_h`` to ``end_h`` (true clearance, L/h)."""

    start_h: float
    end_h: float
    clearance_l_per_h: float
    kind: Literal["haemodialysis", "cvvh", "other"] = "haemodialysis"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start_h) and math.isfinite(self.end_h)):
            raise InputError("dialysis times must be finite", field="dialysis")
        if self.end_h <= self.start_h:
            raise InputError("a dialysis session must end after it starts", field="dialysis")
        if not (math.isfinite(self.clearance_l_per_h) and 0 < self.clearance_l_per_h <= 30):
            raise InputError(
                f"a dialysis clearance of {self.clearance_l_per_h:g} L/h is not plausible",
                field="dialysis",
                accepted="0-30 L/h (haemodialysis of baclofen ≈ 7.7 L/h)",
            )

    @classmethod
    def haemodialysis(
        cls, start_h: float, hours: float = 4.0, clearance_ml_min: float = HAEMODIALYSIS_CL_ML_MIN
    ) -> DialysisSession:
        """An intermittent haemodialysis session (default clearance: Brvar 2007)."""
        return cls(start_h, start_h + hours, clearance_ml_min * 60 / 1000, "haemodialysis")

    @classmethod
    def cvvh(
        cls, start_h: float, end_h: float, clearance_l_per_h: float = CVVH_CL_L_PER_H
    ) -> DialysisSession:
        """Continuous veno-venous haemofiltration (default clearance: CVVH case 2014)."""
        return cls(start_h, end_h, clearance_l_per_h, "cvvh")


@dataclass(frozen=True)
class Covariates:
    """What is known about the person (``None`` = unknown: the population's own distribution).

    Parameters
    ----------
    weight_kg
        Body weight; required by per-kg parameter sets.
    crcl_ml_min
        Creatinine clearance (Cockcroft-Gault or measured).
    fraction_excreted
        Fraction of clearance that is renal (baclofen ≈ 0.69); needed with ``crcl_ml_min``.
    crcl_ref_ml_min
        Creatinine clearance of the population the parameter set describes.
    allometric
        Scale an adult set by weight with fixed allometric exponents.
    bioavailability
        Oral bioavailability, to convert a true dialysis clearance for apparent (CL/F) sets.
    dialysis
        Dialysis sessions.
    """

    weight_kg: float | None = None
    crcl_ml_min: float | None = None
    fraction_excreted: float | None = None
    crcl_ref_ml_min: float = DEFAULT_CRCL_REF_ML_MIN
    allometric: bool = False
    bioavailability: float | None = None
    dialysis: tuple[DialysisSession, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.weight_kg is not None and not (
            math.isfinite(self.weight_kg) and 0.5 <= self.weight_kg <= 350
        ):
            raise InputError(
                f"a body weight of {self.weight_kg:g} kg is not plausible",
                field="weight",
                accepted="a body weight from 0.5 to 350 kg",
            )
        if self.crcl_ml_min is not None and not (
            math.isfinite(self.crcl_ml_min) and 0 <= self.crcl_ml_min <= 250
        ):
            raise InputError(
                f"a creatinine clearance of {self.crcl_ml_min:g} mL/min is not plausible",
                field="crcl",
                accepted="0 to 250 mL/min (normal is about 90-140)",
            )
        if self.fraction_excreted is not None and not 0 <= self.fraction_excreted <= 1:
            raise InputError("the fraction excreted must be between 0 and 1", field="renal")
        if self.bioavailability is not None and not 0 < self.bioavailability <= 1:
            raise InputError("bioavailability must be in (0, 1]", field="bioavailability")
        if not self.crcl_ref_ml_min > 0:
            raise InputError("the reference creatinine clearance must be above 0", field="crcl")

    def renal_factor(self) -> float:
        """``(1 - fe) + fe · CrCl / CrCl_ref`` (1 when kidney function is not given)."""
        if self.crcl_ml_min is None:
            return 1.0
        if self.fraction_excreted is None:
            raise InputError(
                "kidney function cannot be used without the fraction excreted unchanged",
                field="crcl",
                hint="the substance's data has no 'renal.fraction_excreted_unchanged'",
            )
        fe = self.fraction_excreted
        return (1.0 - fe) + fe * self.crcl_ml_min / self.crcl_ref_ml_min


def _structure(pset: PKParameterSet) -> Structure:
    return Structure.from_name(pset.model, peripheral="q" in pset.params)


def _check_route(pset: PKParameterSet) -> None:
    if pset.model.endswith("_oral") and pset.route is not Route.ORAL:
        raise InputError(f"parameter set {pset.id} is oral but lists route {pset.route.value}")


def individuals_from_set(
    pset: PKParameterSet,
    n: int,
    rng: np.random.Generator | None,
    covariates: Covariates | None = None,
) -> tuple[Individuals, list[ClearanceSegment]]:
    """Individual parameters for ``n`` subjects of a published parameter set.

    Parameters
    ----------
    pset
        The published population model (typical values and IIV as CV).
    n
        Number of subjects.
    rng
        A seeded generator; ``None`` gives ``n`` copies of the typical (median) subject.
    covariates
        Weight, kidney function and dialysis.

    Returns
    -------
    individuals, clearance_segments
        The parameters (mg, L, h) and the dialysis clearances in the set's units.

    Raises
    ------
    InputError
        A per-kg set without a body weight; kidney function without a fraction excreted.
    """
    if not 1 <= n <= 50_000_000:
        raise InputError(f"{n} subjects cannot be simulated", field="subjects", accepted="1 to 5e7")
    cov = covariates or Covariates()
    _check_route(pset)
    structure = _structure(pset)
    eta = rng.standard_normal((len(_PARAM_ORDER), n)) if rng is not None else None

    def draw(name: str) -> FloatArray | None:
        param = pset.params.get(name)
        if param is None:
            return None
        values = np.full(n, float(param.value))
        cv = param.iiv_cv or 0.0
        if eta is not None and cv > 0:
            row = eta[_PARAM_ORDER.index(name)]
            if name == "f":
                logit = math.log(param.value / (1 - param.value)) if param.value < 1 else 6.0
                values = 1.0 / (1.0 + np.exp(-(logit + omega_from_cv(cv) * row)))
            else:
                values = values * np.exp(omega_from_cv(cv) * row)
        return values

    ka, cl, v, q, vp, f, tlag = (draw(name) for name in _PARAM_ORDER)
    assert cl is not None
    assert v is not None

    if pset.weight_scaling == "per_kg":
        if cov.weight_kg is None:
            raise InputError(
                f"the parameter set {pset.id} is per kg of body weight",
                field="weight",
                accepted="a body weight, e.g. --weight 25kg",
            )
        w = cov.weight_kg
        cl, v = cl * w, v * w
        q = None if q is None else q * w
        vp = None if vp is None else vp * w
    elif cov.allometric and cov.weight_kg is not None:
        ratio = cov.weight_kg / (pset.reference_weight_kg or DEFAULT_REFERENCE_WEIGHT_KG)
        cl, v = cl * ratio**0.75, v * ratio
        q = None if q is None else q * ratio**0.75
        vp = None if vp is None else vp * ratio

    cl = cl * cov.renal_factor()

    segments: list[ClearanceSegment] = []
    if cov.dialysis:
        apparent = "f" not in pset.params and structure.has_depot
        if apparent and cov.bioavailability is None:
            raise InputError(
                f"dialysis with the apparent parameter set {pset.id} needs the oral "
                "bioavailability",
                field="dialysis",
            )
        scale = 1.0 / cov.bioavailability if apparent and cov.bioavailability else 1.0
        segments = [
            ClearanceSegment(s.start_h, s.end_h, s.clearance_l_per_h * scale) for s in cov.dialysis
        ]

    ind = Individuals(
        structure=structure,
        cl=cl,
        v=v,
        ka=ka,
        q=q,
        vp=vp,
        f=f,
        tlag_h=tlag,
    )
    return ind, segments


def select_parameter_set(
    sets: Sequence[PKParameterSet],
    *,
    route: Route,
    population: str | None = None,
) -> PKParameterSet:
    """Choose a parameter set by id, by population name, or the route's default.

    ``population`` may be a set id (``simon-2018-aud``), a schema population
    (``aud_adult``), or a short name: ``aud``, ``healthy``, ``child``/``pediatric``,
    ``elderly``, ``renal``.

    Raises
    ------
    InputError
        No set for the route or the population, with the available choices.
    """
    candidates = [s for s in sets if s.route is route]
    if not candidates:
        raise InputError(
            f"there is no pharmacokinetic model for the {route.value} route yet",
            field="route",
            accepted=", ".join(sorted({s.route.value for s in sets})) or "none",
        )
    if population is None:
        for s in candidates:
            if s.default:
                return s
        return candidates[0]
    key = population.strip().lower().replace(" ", "_")
    for s in candidates:
        if s.id == key:
            return s
    aliases = {
        "aud": "aud_adult",
        "alcohol": "aud_adult",
        "healthy": "healthy_adult",
        "adult": "healthy_adult",
        "child": "pediatric",
        "children": "pediatric",
        "paediatric": "pediatric",
        "kids": "pediatric",
        "renal": "renal_impairment",
        "ckd": "renal_impairment",
    }
    wanted = aliases.get(key, key)
    matching = [s for s in candidates if s.population == wanted]
    if matching:
        return next((s for s in matching if s.default), matching[0])
    choices = sorted({s.id for s in candidates} | {s.population for s in candidates})
    raise InputError(
        f"no {route.value} model for the population {population!r}",
        field="population",
        accepted=", ".join(choices),
    )

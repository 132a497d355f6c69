"""Linear compartment models in closed form: exact propagators, vectorised over subjects.

Every model here is a linear, time-invariant system ``x' = A x + b u`` between dosing events, so
the state at ``t + dt`` is exactly ``exp(A dt) x(t)`` plus the response to a constant infusion rate.
This module writes each entry of that propagator as a *non-negative* combination of divided
differences of the exponential, which is exact, has no cancellation (every term is positive) and
stays accurate when rate constants coincide (``ka ≈ k``, the "flip-flop" boundary where the
textbook Bateman formula divides by zero).

States (amounts in mg unless stated):

========= ===================================================================================
depot     drug waiting to be absorbed (oral models); first-order absorption ``ka``
central   plasma, or CSF for the intrathecal model; stored as a *concentration* (mg/L)
periph    peripheral compartment (two-compartment models), exchange clearance ``q``
effect    effect-site concentration (mg/L) of an effect-compartment link, rate ``ke0``
source    a constant infusion rate into the central compartment (mg/h)
========= ===================================================================================

Divided differences of the exponential
--------------------------------------
For rate constants (nodes) ``λ_0..λ_m`` let ``Φ(λ_0..λ_m; t) = (-1)^m φ[λ_0..λ_m]`` where
``φ(λ) = exp(-λ t)`` and ``φ[...]`` is the divided difference. ``Φ`` is positive, symmetric in its
nodes, ``Φ(a) = e^{-at}``, ``Φ(a, b) = (e^{-at} - e^{-bt}) / (b - a)`` and, by the Hermite-Genocchi
formula, the convolution of exponentials: ``∫_0^t e^{-λ(t-s)} Φ(S; s) ds = Φ(S ∪ {λ}; t)``. So
the response of a chain of first-order steps is a rate product times one ``Φ``. With the
two-compartment eigenvalues ``α > β`` and ``E1 = k10 + k12``, the central impulse response is
``Φ(α) + (α - E1) Φ(β, α)`` with ``α - E1 ≥ 0``; every other entry follows by convolution.

References
----------
.. [1] Gibaldi M, Perrier D. *Pharmacokinetics*, 2nd ed. Marcel Dekker, 1982, ch. 1-2 (one- and
   two-compartment models, Bateman function).
.. [2] McCurdy AC, Ng KC, Parlett BN. Accurate computation of divided differences of the
   exponential function. *Math Comput* 1984;43:501-528.
.. [3] de Boor C. Divided differences. *Surveys in Approximation Theory* 2005;1:46-69
   (Hermite-Genocchi formula).
.. [4] Sheiner LB, Stanski DR, Vozeh S, Miller RD, Ham J. Simultaneous modeling of
   pharmacokinetics and pharmacodynamics: application to d-tubocurarine. *Clin Pharmacol Ther*
   1979;25:358-371 (effect compartment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

ModelName = Literal[
    "one_compartment_oral",
    "two_compartment_oral",
    "one_compartment_iv",
    "two_compartment_iv",
    "intrathecal_csf",
]

# Below this spread (nodes × time) a divided difference is evaluated by its Taylor series around the
# mean node: the recursion would lose digits to cancellation, the series error is below 1e-10.
_SERIES_SPREAD = 1e-3


class State(IntEnum):
    """Index of each state in a state vector."""

    DEPOT = 0
    CENTRAL = 1
    PERIPHERAL = 2
    EFFECT = 3
    SOURCE = 4


@dataclass(frozen=True)
class Structure:
    """The shape of a model: which compartments it has and where doses go.

    Parameters
    ----------
    name
        One of the schema's model names (``knowledge.schema.PKModelName``).
    has_depot
        First-order absorption from a depot (oral models).
    has_peripheral
        A peripheral compartment (two-compartment models, or the intrathecal model with ``q`` and
        ``vp``).
    site
        What the central compartment stands for: ``"plasma"`` or ``"csf"``.
    """

    name: ModelName
    has_depot: bool
    has_peripheral: bool
    site: Literal["plasma", "csf"] = "plasma"

    @classmethod
    def from_name(cls, name: str, *, peripheral: bool | None = None) -> Structure:
        """The structure of a schema model name (``peripheral`` decides for ``intrathecal_csf``)."""
        if name == "one_compartment_oral":
            return cls("one_compartment_oral", True, False)
        if name == "two_compartment_oral":
            return cls("two_compartment_oral", True, True)
        if name == "one_compartment_iv":
            return cls("one_compartment_iv", False, False)
        if name == "two_compartment_iv":
            return cls("two_compartment_iv", False, True)
        if name == "intrathecal_csf":
            return cls("intrathecal_csf", False, bool(peripheral), site="csf")
        raise ValueError(f"unknown model {name!r}")

    @property
    def dose_state(self) -> State:
        """Where a bolus goes: the depot for oral models, else the central compartment."""
        return State.DEPOT if self.has_depot else State.CENTRAL


@dataclass(frozen=True)
class Individuals:
    """Individual parameters of N subjects, one array of shape ``(N,)`` per parameter.

    Units: ``ka`` and ``ke0`` 1/h; ``cl`` and ``q`` L/h; ``v`` and ``vp`` L; ``f`` fraction;
    ``tlag_h`` h. ``cl`` and ``v`` of oral sets are apparent (CL/F, V/F) when the set has no ``f``.
    ``extra_cl`` is added to ``cl`` during clearance segments (dialysis), see
    :class:`ClearanceSegment`.
    """

    structure: Structure
    cl: FloatArray
    v: FloatArray
    ka: FloatArray | None = None
    q: FloatArray | None = None
    vp: FloatArray | None = None
    f: FloatArray | None = None
    tlag_h: FloatArray | None = None
    ke0: FloatArray | None = None

    def __post_init__(self) -> None:
        n = self.cl.shape[0]
        for name in ("cl", "v", "ka", "q", "vp", "f", "tlag_h", "ke0"):
            value = getattr(self, name)
            if value is None:
                continue
            if value.shape != (n,):
                raise ValueError(f"{name} has shape {value.shape}, expected ({n},)")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{name} has non-finite values")
        for name in ("cl", "v", "ka", "q", "vp", "ke0"):
            value = getattr(self, name)
            if value is not None and np.any(value <= 0):
                raise ValueError(f"{name} must be positive")
        if self.structure.has_depot and self.ka is None:
            raise ValueError(f"{self.structure.name} needs ka")
        if not self.structure.has_depot and (self.ka is not None or self.tlag_h is not None):
            raise ValueError(f"{self.structure.name} takes no ka or tlag (no absorption)")
        if self.structure.has_peripheral and (self.q is None or self.vp is None):
            raise ValueError(f"{self.structure.name} needs q and vp")
        if not self.structure.has_peripheral and (self.q is not None or self.vp is not None):
            raise ValueError(f"{self.structure.name} takes no q or vp")
        if self.f is not None and np.any((self.f <= 0) | (self.f > 1)):
            raise ValueError("f must be in (0, 1]")
        if self.tlag_h is not None and np.any(self.tlag_h < 0):
            raise ValueError("tlag_h must not be negative")

    @property
    def n(self) -> int:
        return int(self.cl.shape[0])

    def subset(self, index: npt.NDArray[np.intp] | slice) -> Individuals:
        """The same model for a subset of subjects."""

        def pick(a: FloatArray | None) -> FloatArray | None:
            return None if a is None else np.ascontiguousarray(a[index])

        return Individuals(
            structure=self.structure,
            cl=np.ascontiguousarray(self.cl[index]),
            v=np.ascontiguousarray(self.v[index]),
            ka=pick(self.ka),
            q=pick(self.q),
            vp=pick(self.vp),
            f=pick(self.f),
            tlag_h=pick(self.tlag_h),
            ke0=pick(self.ke0),
        )

    def with_ke0(self, ke0: FloatArray | float | None) -> Individuals:
        """A copy with an effect-compartment rate constant (``None`` removes it)."""
        value = None if ke0 is None else np.broadcast_to(np.asarray(ke0, float), (self.n,)).copy()
        return Individuals(
            structure=self.structure,
            cl=self.cl,
            v=self.v,
            ka=self.ka,
            q=self.q,
            vp=self.vp,
            f=self.f,
            tlag_h=self.tlag_h,
            ke0=value,
        )

    def elimination_half_life_h(self, extra_cl: float = 0.0) -> FloatArray:
        """Terminal half-life ``ln 2 / λ_z`` (``λ_z = k`` or ``β``) per subject."""
        _, beta, *_ = disposition(self, extra_cl)
        return np.asarray(np.log(2.0) / beta, dtype=np.float64)


@dataclass(frozen=True)
class ClearanceSegment:
    """Extra clearance (L/h, in the model's units) added to ``cl`` from ``start_h`` to ``end_h``."""

    start_h: float
    end_h: float
    extra_cl: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.start_h) and np.isfinite(self.end_h)):
            raise ValueError("clearance segment times must be finite")
        if self.end_h <= self.start_h:
            raise ValueError("a clearance segment must end after it starts")
        if not self.extra_cl >= 0:
            raise ValueError("extra clearance must not be negative")


# --------------------------------------------------------------------------------------------
# Divided differences of exp(-λ t)


def _phi1(a: FloatArray, t: FloatArray) -> FloatArray:
    return np.exp(-a * t)


def _dexpm1(d: FloatArray, t: FloatArray) -> FloatArray:
    """``(1 - e^{-d t}) / d`` for ``d >= 0`` (``t`` when ``d = 0``), without cancellation."""
    safe = np.where(d > 0, d, 1.0)
    return np.where(d > 0, -np.expm1(-d * t) / safe, t)


def _phi2_sorted(a: FloatArray, b: FloatArray, t: FloatArray) -> FloatArray:
    """Φ(a, b) for ``a <= b``: ``e^{-at} (1 - e^{-(b-a)t}) / (b - a)``."""
    return np.exp(-a * t) * _dexpm1(b - a, t)


def _phi3_sorted(a: FloatArray, b: FloatArray, c: FloatArray, t: FloatArray) -> FloatArray:
    spread = (c - a) * t
    with np.errstate(invalid="ignore", divide="ignore"):
        recursive = (_phi2_sorted(a, b, t) - _phi2_sorted(b, c, t)) / (c - a)
    m = (a + b + c) / 3.0
    dev2 = (a - m) ** 2 + (b - m) ** 2 + (c - m) ** 2
    series = 0.5 * t * t * np.exp(-m * t) * (1.0 + t * t * dev2 / 24.0)
    return np.where(spread < _SERIES_SPREAD, series, recursive)


def _phi4_sorted(
    a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray, t: FloatArray
) -> FloatArray:
    spread = (d - a) * t
    with np.errstate(invalid="ignore", divide="ignore"):
        recursive = (_phi3_sorted(a, b, c, t) - _phi3_sorted(b, c, d, t)) / (d - a)
    m = (a + b + c + d) / 4.0
    dev2 = (a - m) ** 2 + (b - m) ** 2 + (c - m) ** 2 + (d - m) ** 2
    series = t**3 / 6.0 * np.exp(-m * t) * (1.0 + t * t * dev2 / 40.0)
    return np.where(spread < _SERIES_SPREAD, series, recursive)


def exp_divided_difference(
    nodes: Sequence[FloatArray | float], t: FloatArray | float
) -> FloatArray:
    """``Φ(λ_0..λ_m; t) = (-1)^m φ[λ_0..λ_m]`` for ``φ(λ) = e^{-λt}``, up to four nodes.

    Nodes and ``t`` broadcast against each other. Nodes must be ``>= 0``; repeated nodes are
    allowed (the confluent limit, e.g. ``Φ(k, k; t) = t e^{-kt}``).

    The nodes are sorted and the recursion ``Φ(S) = (Φ(S without max) - Φ(S without min)) /
    (max - min)`` is used, which only divides by the largest gap; when the largest gap times ``t``
    is below 1e-3 a second-order Taylor series around the mean node is used instead (relative error
    below 1e-10).

    References
    ----------
    .. [1] McCurdy AC, Ng KC, Parlett BN. Accurate computation of divided differences of the
       exponential function. *Math Comput* 1984;43:501-528.
    """
    arrays = np.broadcast_arrays(*[np.asarray(n, dtype=float) for n in nodes], np.asarray(t, float))
    *node_arrays, tt = arrays
    if not 1 <= len(node_arrays) <= 4:
        raise ValueError("exp_divided_difference takes one to four nodes")
    if len(node_arrays) == 1:
        return _phi1(node_arrays[0], tt)
    s = np.sort(np.stack(node_arrays), axis=0)
    if len(node_arrays) == 2:
        return _phi2_sorted(s[0], s[1], tt)
    if len(node_arrays) == 3:
        return _phi3_sorted(s[0], s[1], s[2], tt)
    return _phi4_sorted(s[0], s[1], s[2], s[3], tt)


_phi = exp_divided_difference


# --------------------------------------------------------------------------------------------
# Disposition


def disposition(
    ind: Individuals, extra_cl: float | FloatArray = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Rate constants of the central/peripheral system.

    Returns ``(alpha, beta, alpha_minus_e1, alpha_minus_e2, k12, k21)`` with ``alpha >= beta > 0``
    the eigenvalues (1/h). For a one-compartment model ``alpha = beta = k = CL / V`` and the other
    four are zero. ``alpha - E1`` and ``alpha - E2`` are computed without cancellation.
    """
    cl = ind.cl + extra_cl
    k10 = cl / ind.v
    zero = np.zeros_like(k10)
    if not ind.structure.has_peripheral:
        return k10, k10, zero, zero, zero, zero
    assert ind.q is not None
    assert ind.vp is not None
    k12 = ind.q / ind.v
    k21 = ind.q / ind.vp
    e1 = k10 + k12
    e2 = k21
    s = e1 + e2
    root = np.sqrt((e1 - e2) ** 2 + 4.0 * k12 * k21)
    alpha = 0.5 * (s + root)
    beta = k10 * k21 / alpha

    def alpha_minus(x: FloatArray) -> FloatArray:
        # alpha - E_i = (x + root) / 2 with x = E_j - E_i; rewritten when x < 0 (no cancellation)
        with np.errstate(divide="ignore", invalid="ignore"):
            alt = 2.0 * k12 * k21 / (root - x)
        return np.where(x >= 0, 0.5 * (x + root), alt)

    return alpha, beta, alpha_minus(e2 - e1), alpha_minus(e1 - e2), k12, k21


# --------------------------------------------------------------------------------------------
# Propagators


@dataclass(frozen=True)
class Transition:
    """The exact propagator over a step ``dt``: ``x_i(t + dt) = Σ_j entries[i, j] · x_j(t)``.

    Only structurally non-zero entries are stored. Central and effect states are concentrations
    (mg/L); depot and peripheral are amounts (mg); the source is an infusion rate (mg/h). With
    ``auc=True`` the ``auc`` mapping holds the integral over the step of the central concentration
    contributed by each state (mg·h/L per unit of that state).
    """

    dt: FloatArray
    entries: Mapping[tuple[int, int], FloatArray]
    auc: Mapping[int, FloatArray] = field(default_factory=dict)

    def column(self, source: int) -> dict[int, FloatArray]:
        """The response of every state to a unit of ``source``."""
        return {i: e for (i, j), e in self.entries.items() if j == source}


def transition(
    ind: Individuals,
    dt: FloatArray | float,
    *,
    extra_cl: float | FloatArray = 0.0,
    effect: bool = False,
    source: bool = False,
    auc: bool = False,
) -> Transition:
    """The exact propagator of a model over ``dt`` hours, per subject.

    Parameters
    ----------
    ind
        Individual parameters (``N`` subjects).
    dt
        Step length in hours: a scalar, or an array of shape ``(N,)`` (one step per subject).
    extra_cl
        Clearance added to ``cl`` (L/h), e.g. dialysis.
    effect
        Include the effect compartment (needs ``ind.ke0``).
    source
        Include the response to a constant infusion rate into the central compartment.
    auc
        Also return the AUC of the central concentration over the step contributed by each state.

    Returns
    -------
    Transition
        Entries as arrays of shape ``(N,)``.

    References
    ----------
    .. [1] Gibaldi M, Perrier D. *Pharmacokinetics*, 2nd ed., 1982 (one- and two-compartment
       solutions), written here with divided differences of the exponential (module docstring).
    """
    s = ind.structure
    t = np.broadcast_to(np.asarray(dt, dtype=float), (ind.n,))
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("dt must be finite and non-negative")
    if effect and ind.ke0 is None:
        raise ValueError("the effect compartment needs ke0")
    alpha, beta, ame1, ame2, k12, k21 = disposition(ind, extra_cl)
    v = ind.v
    two = s.has_peripheral
    zero = np.zeros_like(alpha)
    d, c, p, e, u = State.DEPOT, State.CENTRAL, State.PERIPHERAL, State.EFFECT, State.SOURCE

    def central_kernel(extra: Sequence[FloatArray | float]) -> FloatArray:
        """∫-convolution of the central impulse response with exponentials at ``extra`` nodes."""
        out = _phi([*extra, alpha], t)
        if two:
            out = out + ame1 * _phi([*extra, beta, alpha], t)
        return out

    def peripheral_kernel(extra: Sequence[FloatArray | float]) -> FloatArray:
        """The same, for the central → peripheral (or peripheral → central) response / k."""
        return _phi([*extra, beta, alpha], t)

    entries: dict[tuple[int, int], FloatArray] = {}
    aucs: dict[int, FloatArray] = {}
    entries[(c, c)] = central_kernel([])
    if auc:
        aucs[c] = central_kernel([zero])
    if two:
        entries[(c, p)] = k21 / v * peripheral_kernel([])
        entries[(p, c)] = k12 * v * peripheral_kernel([])
        entries[(p, p)] = _phi([alpha], t) + ame2 * _phi([beta, alpha], t)
        if auc:
            aucs[p] = k21 / v * peripheral_kernel([zero])
    if s.has_depot:
        assert ind.ka is not None
        ka = ind.ka
        entries[(d, d)] = _phi([ka], t)
        entries[(c, d)] = ka / v * central_kernel([ka])
        if two:
            entries[(p, d)] = ka * k12 * peripheral_kernel([ka])
        if auc:
            aucs[d] = ka / v * central_kernel([zero, ka])
    if source:
        entries[(c, u)] = central_kernel([zero]) / v
        if two:
            entries[(p, u)] = k12 * peripheral_kernel([zero])
        if auc:
            aucs[u] = central_kernel([zero, zero]) / v
    if effect:
        assert ind.ke0 is not None
        ke0 = ind.ke0
        entries[(e, e)] = _phi([ke0], t)
        entries[(e, c)] = ke0 * central_kernel([ke0])
        if two:
            entries[(e, p)] = ke0 * k21 / v * peripheral_kernel([ke0])
        if s.has_depot:
            assert ind.ka is not None
            entries[(e, d)] = ke0 * ind.ka / v * central_kernel([ind.ka, ke0])
        if source:
            entries[(e, u)] = ke0 / v * central_kernel([zero, ke0])
    return Transition(dt=np.asarray(t), entries=entries, auc=aucs)


def rate_matrix(
    ind: Individuals,
    subject: int,
    *,
    extra_cl: float = 0.0,
    effect: bool = False,
    source: bool = False,
) -> FloatArray:
    """The rate matrix ``A`` of one subject (``x' = A x``) in the scaled states of this module.

    For checks against an ODE solver or a matrix exponential (tests); the engine never uses it.
    """
    s = ind.structure
    n_states = len(State)
    a = np.zeros((n_states, n_states))
    v = float(ind.v[subject])
    cl = float(ind.cl[subject]) + extra_cl
    d, c, p, e, u = State.DEPOT, State.CENTRAL, State.PERIPHERAL, State.EFFECT, State.SOURCE
    a[c, c] = -cl / v
    if s.has_peripheral:
        assert ind.q is not None
        assert ind.vp is not None
        q = float(ind.q[subject])
        vp = float(ind.vp[subject])
        a[c, c] -= q / v
        a[c, p] = q / vp / v  # peripheral amount → central concentration
        a[p, c] = q  # central concentration → peripheral amount
        a[p, p] = -q / vp
    if s.has_depot:
        assert ind.ka is not None
        ka = float(ind.ka[subject])
        a[d, d] = -ka
        a[c, d] = ka / v
    if source:
        a[c, u] = 1.0 / v
    if effect:
        assert ind.ke0 is not None
        ke0 = float(ind.ke0[subject])
        a[e, e] = -ke0
        a[e, c] = ke0
    return a

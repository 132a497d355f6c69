"""The one ordered severity scale, and the harm-reduction interaction categories mapped onto it.

``info < caution < warning < danger < emergency`` is used by every engine and interface. The
interaction categories are the ones harm-reduction users know from the TripSit combination chart
(Dangerous, Unsafe, Caution, Low risk & synergy, Low risk & no synergy, Low risk & decrease), plus
``Unknown``, which is *never* presented as safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Severity(StrEnum):
    """Ordered severity. Comparisons follow the clinical order, not the alphabet."""

    INFO = "info"
    CAUTION = "caution"
    WARNING = "warning"
    DANGER = "danger"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    __hash__ = StrEnum.__hash__


_SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(Severity)}


def max_severity(values: Iterable[Severity], default: Severity = Severity.INFO) -> Severity:
    """The most severe of ``values`` (``default`` when there are none)."""
    best = default
    for value in values:
        if value > best:
            best = value
    return best


class InteractionCategory(StrEnum):
    """Harm-reduction rating of a combination."""

    DANGEROUS = "dangerous"
    UNSAFE = "unsafe"
    CAUTION = "caution"
    LOW_RISK_SYNERGY = "low_risk_synergy"
    LOW_RISK_NO_SYNERGY = "low_risk_no_synergy"
    LOW_RISK_DECREASE = "low_risk_decrease"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _CATEGORY_LABEL[self]

    @property
    def severity(self) -> Severity:
        """The severity this category means on the common scale.

        ``Unknown`` maps to *caution*: no data is not evidence of safety.
        """
        return _CATEGORY_SEVERITY[self]

    @property
    def risk_rank(self) -> int:
        """Order used to pick the most conservative of several ratings (higher = riskier).

        Any explicit rating outranks ``Unknown`` only when it is riskier; a documented low-risk
        rating is preferred to ``Unknown`` by the interaction engine, not by this rank.
        """
        return _CATEGORY_RISK[self]


_CATEGORY_LABEL = {
    InteractionCategory.DANGEROUS: "Dangerous",
    InteractionCategory.UNSAFE: "Unsafe",
    InteractionCategory.CAUTION: "Caution",
    InteractionCategory.LOW_RISK_SYNERGY: "Low risk & synergy",
    InteractionCategory.LOW_RISK_NO_SYNERGY: "Low risk & no synergy",
    InteractionCategory.LOW_RISK_DECREASE: "Low risk & decrease",
    InteractionCategory.UNKNOWN: "Unknown",
}

_CATEGORY_SEVERITY = {
    InteractionCategory.DANGEROUS: Severity.DANGER,
    InteractionCategory.UNSAFE: Severity.WARNING,
    InteractionCategory.CAUTION: Severity.CAUTION,
    InteractionCategory.LOW_RISK_SYNERGY: Severity.INFO,
    InteractionCategory.LOW_RISK_NO_SYNERGY: Severity.INFO,
    InteractionCategory.LOW_RISK_DECREASE: Severity.INFO,
    InteractionCategory.UNKNOWN: Severity.CAUTION,
}

_CATEGORY_RISK = {
    InteractionCategory.DANGEROUS: 6,
    InteractionCategory.UNSAFE: 5,
    InteractionCategory.CAUTION: 4,
    InteractionCategory.UNKNOWN: 3,
    InteractionCategory.LOW_RISK_SYNERGY: 2,
    InteractionCategory.LOW_RISK_NO_SYNERGY: 1,
    InteractionCategory.LOW_RISK_DECREASE: 0,
}

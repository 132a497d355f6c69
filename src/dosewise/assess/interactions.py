"""Interactions between any number of substances, by substance and by explicit class membership.

Matching never looks at names: a rule names substance ids or ``class:<id>``, and a substance
belongs to a class only if its entry lists that class (or a descendant of it).

Precedence for one pair:

1. rules naming both substances (``substance``),
2. rules naming one substance and a class of the other (``substance-class``),
3. rules naming two classes (``class``).

The most specific level that has any rule decides; within it the riskiest rating wins (sources
that disagree are resolved conservatively). The other matching ratings are returned alongside for
transparency. A pair with no rule is **Unknown**, shown as such and never as safe.
"""

from __future__ import annotations

from itertools import combinations
from typing import Literal

from dosewise.assess.models import InteractionResult
from dosewise.knowledge.catalog import Catalog
from dosewise.knowledge.schema import InteractionRule, Substance
from dosewise.severity import InteractionCategory

Specificity = Literal["substance", "substance-class", "class", "none"]
_LEVEL: dict[int, Specificity] = {2: "substance", 1: "substance-class", 0: "class"}

UNKNOWN_ADVICE = (
    "No rating for this combination is in the data. That does not mean it is safe: if you "
    "combine them, take less of each, do not redose quickly, and do not use alone."
)


Refs = tuple[str, frozenset[str]]


def _refs(catalog: Catalog, substance: Substance) -> Refs:
    return substance.id, frozenset(f"class:{c}" for c in catalog.classes_of(substance))


def _rule_level(rule: InteractionRule, a_refs: Refs, b_refs: Refs) -> int | None:
    """2 / 1 / 0 for the specificity with which ``rule`` matches (a, b), or None."""
    a_id, a_classes = a_refs
    b_id, b_classes = b_refs

    def level(x: str, y: str) -> int | None:
        x_sub, y_sub = x == a_id, y == b_id
        if (x_sub or x in a_classes) and (y_sub or y in b_classes):
            return int(x_sub) + int(y_sub)
        return None

    forward = level(rule.a, rule.b)
    backward = level(rule.b, rule.a)
    candidates = [v for v in (forward, backward) if v is not None]
    return max(candidates) if candidates else None


def rate_pair(catalog: Catalog, a: Substance, b: Substance) -> InteractionResult:
    """The rating of one pair, following the precedence in the module docstring."""
    matches: list[tuple[int, InteractionRule]] = []
    a_refs, b_refs = _refs(catalog, a), _refs(catalog, b)
    for rule in catalog.interactions:
        found = _rule_level(rule, a_refs, b_refs)
        if found is not None:
            matches.append((found, rule))
    if not matches:
        category = InteractionCategory.UNKNOWN
        return InteractionResult(
            a=a.id,
            b=b.id,
            a_name=a.name,
            b_name=b.name,
            category=category,
            category_label=category.label,
            severity=category.severity,
            specificity="none",
            advice=UNKNOWN_ADVICE,
        )
    best_level = max(level for level, _ in matches)
    top = [rule for level, rule in matches if level == best_level]
    chosen = max(top, key=lambda r: (r.category.risk_rank, r.effective_severity.rank))
    others = [
        {
            "a": rule.a,
            "b": rule.b,
            "category": rule.category.value,
            "category_label": rule.category.label,
            "specificity": _LEVEL[level],
            "sources": rule.sources,
        }
        for level, rule in sorted(matches, key=lambda m: (-m[0], -m[1].category.risk_rank))
        if rule is not chosen
    ]
    return InteractionResult(
        a=a.id,
        b=b.id,
        a_name=a.name,
        b_name=b.name,
        category=chosen.category,
        category_label=chosen.category.label,
        severity=chosen.effective_severity,
        matched=(chosen.a, chosen.b),
        specificity=_LEVEL[best_level],
        mechanism=chosen.mechanism,
        effects=chosen.effects,
        advice=chosen.advice,
        sources=list(chosen.sources),
        other_ratings=others,
    )


def rate_all_pairs(catalog: Catalog, substances: list[Substance]) -> list[InteractionResult]:
    """Every pair among ``substances`` (duplicates ignored), riskiest first."""
    unique: dict[str, Substance] = {}
    for substance in substances:
        unique.setdefault(substance.id, substance)
    pairs = [rate_pair(catalog, a, b) for a, b in combinations(unique.values(), 2)]
    return sorted(pairs, key=lambda p: (-p.category.risk_rank, -p.severity.rank, p.a, p.b))


def depressants_among(catalog: Catalog, substances: list[Substance]) -> list[Substance]:
    """The CNS depressants in a list (explicit class membership)."""
    return [s for s in substances if "cns_depressant" in catalog.classes_of(s)]

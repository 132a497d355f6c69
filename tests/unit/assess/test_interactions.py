"""Interaction rules: by substance and explicit class membership, never by name substrings."""

from __future__ import annotations

import pytest

from dosewise.assess.engine import combo
from dosewise.assess.interactions import rate_pair
from dosewise.errors import InputError
from dosewise.knowledge.catalog import Catalog
from dosewise.knowledge.schema import InteractionRule, Substance
from dosewise.severity import InteractionCategory, Severity

from .conftest import check


def rating(catalog: Catalog, a: str, b: str) -> InteractionCategory:
    return rate_pair(catalog, catalog.resolve(a), catalog.resolve(b)).category


@pytest.mark.parametrize(
    "partner",
    [
        "alcohol",
        "ghb",
        "gbl",
        "butanediol",
        "diazepam",
        "alprazolam",
        "clonazepam",
        "lorazepam",
        "benzodiazepines",
        "morphine",
        "oxycodone",
        "heroin",
        "methadone",
        "fentanyl",
        "tramadol",
        "opioids",
        "gabapentin",
        "pregabalin",
        "phenibut",
        "zolpidem",
        "barbiturates",
    ],
)
def test_baclofen_with_depressants_is_dangerous(catalog: Catalog, partner: str) -> None:
    assert rating(catalog, "baclofen", partner) is InteractionCategory.DANGEROUS


@pytest.mark.parametrize("partner", ["caffeine", "nicotine"])
def test_caffeine_and_nicotine_are_not_flagged_dangerous(catalog: Catalog, partner: str) -> None:
    result = rate_pair(catalog, catalog.resolve("baclofen"), catalog.resolve(partner))
    assert result.severity < Severity.WARNING
    assert result.category not in (InteractionCategory.DANGEROUS, InteractionCategory.UNSAFE)


def test_rules_are_symmetric(catalog: Catalog) -> None:
    for a, b in [("baclofen", "alcohol"), ("diazepam", "oxycodone"), ("mdma", "maois")]:
        assert rating(catalog, a, b) is rating(catalog, b, a)


def test_no_data_is_unknown_never_safe(catalog: Catalog) -> None:
    unrated = None
    names = sorted(catalog.substances)
    for a in names:
        for b in names:
            if a < b and rate_pair(catalog, catalog.get(a), catalog.get(b)).specificity == "none":
                unrated = (a, b)
                break
        if unrated:
            break
    assert unrated is not None, "expected at least one pair without data"
    result = rate_pair(catalog, catalog.get(unrated[0]), catalog.get(unrated[1]))
    assert result.category is InteractionCategory.UNKNOWN
    assert result.severity is Severity.CAUTION
    assert "does not mean it is safe" in result.advice


def _members(catalog: Catalog, ref: str) -> list[Substance]:
    if ref.startswith("class:"):
        return [s for s in catalog.substances.values() if ref[6:] in catalog.classes_of(s)]
    return [catalog.get(ref)]


def _level(rule_side_a: str, rule_side_b: str) -> int:
    return int(not rule_side_a.startswith("class:")) + int(not rule_side_b.startswith("class:"))


_SPECIFICITY = {"substance": 2, "substance-class": 1, "class": 0, "none": -1}


def test_every_rule_applies_to_the_pairs_it_names(catalog: Catalog) -> None:
    """For every rule and every concrete pair it covers, the engine's answer is that rule or a
    rule at least as specific, and at equal specificity at least as risky (conservative)."""
    checked = 0
    for rule in catalog.interactions:
        for a in _members(catalog, rule.a):
            for b in _members(catalog, rule.b):
                if a.id == b.id:
                    continue
                result = rate_pair(catalog, a, b)
                level = _level(rule.a, rule.b)
                got = _SPECIFICITY[result.specificity]
                assert got >= level, (rule.a, rule.b, a.id, b.id)
                if got == level:
                    assert result.category.risk_rank >= rule.category.risk_rank, (
                        rule.a,
                        rule.b,
                        a.id,
                        b.id,
                    )
                checked += 1
    assert checked > 500


def test_classes_are_matched_by_membership_not_by_name(catalog: Catalog) -> None:
    """A made-up rule for class:stimulant must not reach a substance merely named like one."""
    rule = InteractionRule(
        a="baclofen",
        b="class:sympathomimetic",
        category=InteractionCategory.DANGEROUS,
        mechanism="m",
        effects="e",
        advice="a",
        sources=["seed"],
    )
    assert "sympathomimetic" not in catalog.classes_of(catalog.get("caffeine"))
    assert rule.b[6:] in catalog.classes_of(catalog.get("cocaine"))


def test_combo_rates_every_pair(catalog: Catalog) -> None:
    result = combo(catalog, ["baclofen", "alcohol", "pregabalin"])
    assert len(result.pairs) == 3
    assert result.severity is Severity.DANGER
    assert any(f.code == "several_depressants" for f in result.findings)


def test_combo_needs_two_different_substances(catalog: Catalog) -> None:
    with pytest.raises(InputError):
        combo(catalog, ["baclofen"])
    with pytest.raises(InputError):
        combo(catalog, ["baclofen", "Lioresal"])


def test_check_with_co_used_depressant() -> None:
    result = check("20mg", with_=["alcohol"])
    assert result.severity == Severity.DANGER
    assert result.emergency is not None
    assert result.interactions[0].category is InteractionCategory.DANGEROUS

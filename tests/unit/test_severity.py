from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dosewise.severity import InteractionCategory, Severity, max_severity


def test_clinical_order_not_alphabetical() -> None:
    assert (
        Severity.INFO < Severity.CAUTION < Severity.WARNING < Severity.DANGER < Severity.EMERGENCY
    )
    assert sorted([Severity.EMERGENCY, Severity.CAUTION, Severity.DANGER]) == [
        Severity.CAUTION,
        Severity.DANGER,
        Severity.EMERGENCY,
    ]


@given(st.lists(st.sampled_from(list(Severity))))
def test_max_severity_is_the_maximum(values: list[Severity]) -> None:
    result = max_severity(values)
    assert all(result >= v for v in values)
    assert result in values or result is Severity.INFO


def test_unknown_is_never_shown_as_safe() -> None:
    assert InteractionCategory.UNKNOWN.severity > Severity.INFO
    assert InteractionCategory.UNKNOWN.label == "Unknown"


def test_category_mapping() -> None:
    assert InteractionCategory.DANGEROUS.severity is Severity.DANGER
    assert InteractionCategory.UNSAFE.severity is Severity.WARNING
    assert InteractionCategory.CAUTION.severity is Severity.CAUTION
    ranks = [c.risk_rank for c in InteractionCategory]
    assert len(set(ranks)) == len(ranks)

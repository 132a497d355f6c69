"""Colours and labels shared by every terminal view. Colour is never the only signal: every
coloured cell also carries its word (Danger, Unsafe, Unknown...)."""

from __future__ import annotations

from collections.abc import Iterable

from dosewise.severity import InteractionCategory, Severity


class SourceMarks:
    """Numbers source ids in order of first citation and renders ``[1,3]`` markers (rich markup).

    Every terminal view uses one per output, then lists ``numbers`` as its Sources.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def mark(self, sources: Iterable[str], *, lead: str = " ") -> str:
        marks = sorted({self.numbers.setdefault(s, len(self.numbers) + 1) for s in sources})
        return f"{lead}[dim]\\[{','.join(map(str, marks))}][/]" if marks else ""


SEVERITY_STYLE: dict[Severity, str] = {
    Severity.INFO: "cyan",
    Severity.CAUTION: "yellow",
    Severity.WARNING: "dark_orange",
    Severity.DANGER: "bold red",
    Severity.EMERGENCY: "bold white on red",
}

CATEGORY_STYLE: dict[InteractionCategory, str] = {
    InteractionCategory.DANGEROUS: "bold white on red",
    InteractionCategory.UNSAFE: "bold black on dark_orange",
    InteractionCategory.CAUTION: "black on yellow",
    InteractionCategory.LOW_RISK_SYNERGY: "white on blue",
    InteractionCategory.LOW_RISK_NO_SYNERGY: "black on cyan",
    InteractionCategory.LOW_RISK_DECREASE: "black on bright_cyan",
    InteractionCategory.UNKNOWN: "black on grey70",
}

CATEGORY_SYMBOL: dict[InteractionCategory, str] = {
    InteractionCategory.DANGEROUS: "☠",
    InteractionCategory.UNSAFE: "⛔",
    InteractionCategory.CAUTION: "⚠",
    InteractionCategory.LOW_RISK_SYNERGY: "↗",
    InteractionCategory.LOW_RISK_NO_SYNERGY: "→",
    InteractionCategory.LOW_RISK_DECREASE: "↘",
    InteractionCategory.UNKNOWN: "?",
}

CLAIM_STYLE: dict[str, str] = {
    "supported": "green",
    "corrected": "yellow",
    "contradicted": "bold red",
    "unclear": "magenta",
}


def severity_text(severity: Severity) -> str:
    style = SEVERITY_STYLE[severity]
    return f"[{style}] {severity.label.upper()} [/]"


def category_text(category: InteractionCategory) -> str:
    style = CATEGORY_STYLE[category]
    return f"[{style}] {CATEGORY_SYMBOL[category]} {category.label} [/]"

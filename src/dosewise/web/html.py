"""HTML fragments shared by the pages: source markers, severity badges, generic value rendering.

Every figure carries numbered source markers. A marker is a link to the page's reference list
(works without JavaScript) whose citation shows on hover and keyboard focus (CSS) and on tap
(``app.js``). Colour is never the only signal: every badge also carries its word and a symbol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from dosewise.cli.style import CATEGORY_SYMBOL as CLI_CATEGORY_SYMBOL
from dosewise.severity import InteractionCategory, Severity

# Symbols drawn by common system fonts (DejaVu, Noto): no emoji font is needed.
SEVERITY_SYMBOL: dict[str, str] = {
    "info": "i",
    "caution": "!",
    "warning": "▲",
    "danger": "✖",
    "emergency": "☎",
}
CATEGORY_SYMBOL: dict[InteractionCategory, str] = {
    **CLI_CATEGORY_SYMBOL,
    InteractionCategory.UNSAFE: "✖",
    InteractionCategory.CAUTION: "▲",
}

CLAIM_SYMBOL: dict[str, str] = {
    "supported": "✓",
    "corrected": "✎",
    "contradicted": "✗",
    "unclear": "?",
}

_SKIP_KEYS = frozenset({"sources", "id"})


class Citer:
    """Numbers sources in order of first citation on one page; renders markers and the list.

    Parameters
    ----------
    citations
        Source id → one-line citation, for every source the page may cite.
    """

    def __init__(self, citations: Mapping[str, str]) -> None:
        self.citations = dict(citations)
        self.numbers: dict[str, int] = {}

    def number(self, source_id: str) -> int:
        return self.numbers.setdefault(source_id, len(self.numbers) + 1)

    def __call__(self, sources: Iterable[str] | None) -> Markup:
        ids = [s for s in dict.fromkeys(sources or []) if s]
        if not ids:
            return Markup("")
        links = []
        for source_id in sorted(ids, key=self.number):
            n = self.number(source_id)
            tip = self.citations.get(source_id, source_id)
            links.append(
                Markup(
                    '<a class="cite" href="#ref-{n}" data-tip="{tip}" '
                    'aria-label="Source {n}: {tip}">{n}</a>'
                ).format(n=n, tip=tip)
            )
        return Markup('<span class="cites">') + Markup("").join(links) + Markup("</span>")

    def references(self) -> list[tuple[int, str, str]]:
        """``(number, id, citation)`` in number order, for the page's reference list."""
        return [
            (n, sid, self.citations.get(sid, sid))
            for sid, n in sorted(self.numbers.items(), key=lambda item: item[1])
        ]


def severity_badge(severity: Severity | str) -> Markup:
    value = Severity(severity)
    return Markup(
        '<span class="badge sev-{v}"><span aria-hidden="true">{s}</span> {label}</span>'
    ).format(v=value.value, s=SEVERITY_SYMBOL[value.value], label=value.label)


def category_badge(category: InteractionCategory | str) -> Markup:
    value = InteractionCategory(category)
    return Markup(
        '<span class="badge cat-{v}"><span aria-hidden="true">{s}</span> {label}</span>'
    ).format(v=value.value, s=CATEGORY_SYMBOL[value], label=value.label)


def claim_badge(status: str) -> Markup:
    return Markup(
        '<span class="badge claim-{v}"><span aria-hidden="true">{s}</span> {v}</span>'
    ).format(v=status, s=CLAIM_SYMBOL.get(status, "?"))


def num(value: float) -> str:
    """A number without a needless ``.0``; thousands separated."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def humanize(key: str) -> str:
    text = key.replace("_", " ").strip()
    fixes = {
        "pk": "PK",
        "iiv cv": "variability (CV)",
        "ci95": "95% CI",
        "crcl": "CrCl",
        "inn": "INN",
        "atc": "ATC",
        "cas": "CAS",
        "unii": "UNII",
        "chebi": "ChEBI",
        "rxcui": "RxCUI",
    }
    for short, long in fixes.items():
        if text == short or text.startswith(short + " "):
            text = long + text[len(short) :]
    return text[:1].upper() + text[1:]


def _is_span(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def value_html(value: Any, cite: Citer, depth: int = 0) -> Markup:
    """Any JSON value from a monograph as readable HTML; ``sources`` lists become markers."""
    if isinstance(value, Mapping):
        return _mapping_html(value, cite, depth)
    if isinstance(value, list | tuple):
        if _is_span(value):
            return Markup("{}–{}").format(num(value[0]), num(value[1]))
        items = [v for v in value if not _empty(v)]
        if not items:
            return Markup("")
        if all(isinstance(v, str | int | float) for v in items):
            return escape("; ".join(num(v) if not isinstance(v, str) else v for v in items))
        parts = [Markup("<li>{}</li>").format(value_html(v, cite, depth + 1)) for v in items]
        return Markup('<ul class="items">') + Markup("").join(parts) + Markup("</ul>")
    if isinstance(value, bool):
        return escape("yes" if value else "no")
    if isinstance(value, int | float):
        return escape(num(value))
    return escape("" if value is None else str(value))


_LEAD_KEYS = ("name", "label", "text", "summary", "event", "jurisdiction", "factor", "route")


def _mapping_html(data: Mapping[str, Any], cite: Citer, depth: int) -> Markup:
    lead_key = next((k for k in _LEAD_KEYS if isinstance(data.get(k), str)), None)
    out = Markup("")
    if lead_key is not None:
        out += Markup('<span class="lead">{}</span> ').format(data[lead_key])
    if "value" in data and "unit" in data and data.get("value") is not None:
        out += Markup("<strong>{} {}</strong> ").format(num(data["value"]), data["unit"] or "")
    elif "range" in data and data.get("range") is not None and "unit" in data:
        lo, hi = data["range"]
        out += Markup("<strong>{}–{} {}</strong> ").format(num(lo), num(hi), data["unit"] or "")
    rows = []
    shown = {lead_key, "value", "range"} if "unit" in data else {lead_key}
    if "unit" in data and ("value" in data or "range" in data):
        shown.add("unit")
    for key, item in data.items():
        if key in shown or key in _SKIP_KEYS or _empty(item) or item is False:
            continue
        rows.append(
            Markup("<dt>{}</dt><dd>{}</dd>").format(
                humanize(key), value_html(item, cite, depth + 1)
            )
        )
    if rows:
        out += Markup('<dl class="kv">') + Markup("").join(rows) + Markup("</dl>")
    sources = data.get("sources")
    if isinstance(sources, list) and sources:
        out += cite(sources)
    return out

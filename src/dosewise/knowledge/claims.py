"""Tracing the seed article: split it into sentences and check every sentence is accounted for.

A sentence is accounted for when a claim's ``quote`` (exact seed text) lies inside it, or it is
listed as a non-claim (a heading). Each quote must lie in exactly one sentence, so every claim
points back to the sentence it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dosewise.knowledge.schema import ClaimsFile

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\s*\|\s*")


def seed_sentences(text: str) -> list[str]:
    """The seed's sentences, in order (paragraphs split on newlines; stray '|' split too)."""
    out: list[str] = []
    for paragraph in text.splitlines():
        for sentence in _SENTENCE_END.split(paragraph.strip()):
            if sentence.strip():
                out.append(sentence.strip())
    return out


@dataclass
class Coverage:
    """How the claims file covers the seed article."""

    sentences: list[str]
    claims_by_sentence: dict[int, list[str]] = field(default_factory=dict)
    uncovered: list[str] = field(default_factory=list)
    quotes_not_found: list[str] = field(default_factory=list)
    quotes_ambiguous: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.uncovered or self.quotes_not_found or self.quotes_ambiguous)


def check_coverage(claims: ClaimsFile, seed_text: str) -> Coverage:
    """Map every claim to its sentence and list sentences no claim accounts for."""
    sentences = seed_sentences(seed_text)
    coverage = Coverage(sentences=sentences)
    non_claims = {n.quote for n in claims.non_claims}
    for claim in claims.claims:
        hits = [i for i, s in enumerate(sentences) if claim.quote in s]
        if not hits:
            coverage.quotes_not_found.append(f"{claim.id}: {claim.quote!r}")
        elif len(hits) > 1:
            coverage.quotes_ambiguous.append(
                f"{claim.id}: {claim.quote!r} occurs in {len(hits)} sentences"
            )
        else:
            coverage.claims_by_sentence.setdefault(hits[0], []).append(claim.id)
    for non_claim in claims.non_claims:
        if non_claim.quote not in sentences:
            coverage.quotes_not_found.append(f"non-claim: {non_claim.quote!r}")
    for index, sentence in enumerate(sentences):
        if index not in coverage.claims_by_sentence and sentence not in non_claims:
            coverage.uncovered.append(sentence)
    return coverage


def read_seed(path: Path) -> str:
    return path.read_text(encoding="utf-8")

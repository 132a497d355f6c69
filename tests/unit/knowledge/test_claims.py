"""Every sentence of the seed article is traced to a claim with a status and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from dosewise.knowledge.catalog import SEED_ARTICLE, Catalog, default_catalog, iter_source_ids
from dosewise.knowledge.claims import check_coverage, read_seed, seed_sentences
from dosewise.knowledge.schema import ClaimsFile

SHARED_SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "000_0fbaba6dff468c90.txt"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="module")
def claims(catalog: Catalog) -> ClaimsFile:
    assert catalog.claims is not None
    return catalog.claims


def test_packaged_seed_matches_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert read_seed(SEED_ARTICLE) == SHARED_SEED.read_text(encoding="utf-8")


def test_sentence_splitting_on_a_known_paragraph() -> None:
    text = "One claim. Another one? |Third.\nHeading\n"
    assert seed_sentences(text) == ["One claim.", "Another one?", "Third.", "Heading"]


def test_every_sentence_is_covered(claims: ClaimsFile) -> None:
    coverage = check_coverage(claims, read_seed(SEED_ARTICLE))
    assert coverage.quotes_not_found == []
    assert coverage.quotes_ambiguous == []
    assert coverage.uncovered == []
    assert len(coverage.sentences) == 78


def test_only_headings_are_non_claims(claims: ClaimsFile) -> None:
    assert {n.reason for n in claims.non_claims} == {"heading"}
    assert len(claims.non_claims) == 4


def test_statuses_are_all_used(claims: ClaimsFile) -> None:
    statuses = {c.status for c in claims.claims}
    assert statuses == {"supported", "corrected", "contradicted", "unclear"}


def test_known_verdicts(claims: ClaimsFile) -> None:
    by_quote = {c.quote: c for c in claims.claims}
    # Overdose causes hypothermia; hyperthermia belongs to withdrawal (Perry 1998).
    emergence = next(c for q, c in by_quote.items() if "hyperthermia, delirium, tachycardia" in q)
    assert emergence.status == "corrected"
    assert "LOW body temperature" in (emergence.correction or "")
    # Tolerance to pain relief does not build faster (mouse data).
    analgesia = next(
        c for c in claims.claims if c.claim == "Tolerance to pain relief builds faster."
    )
    assert analgesia.status == "contradicted"
    # Label: usual 40-80 mg/day, maximum 80.
    dose = next(
        c for q, c in by_quote.items() if q.startswith("Baclofen is normally used at 30 to 75")
    )
    assert dose.status == "corrected"
    assert "80 mg/day" in (dose.correction or "")
    first_overdose = next(c for q, c in by_quote.items() if "first overdose" in q)
    assert first_overdose.status == "unclear"


def test_transcription_errors_are_recorded(claims: ClaimsFile) -> None:
    fixes = {t.seed_text: t.corrected for t in claims.transcriptions}
    assert "Ciba" in fixes["Sibugay"]
    assert fixes["meiosis or mitosis"].startswith("miosis or mydriasis")
    assert fixes["antique craving"] == "anti-craving"
    assert fixes["Phenabut"] == "phenibut"
    assert "R-baclofen" in fixes["our Baclofen was more active enantiomer"]
    seed = read_seed(SEED_ARTICLE)
    for seed_text in fixes:
        assert seed_text in seed


def test_claims_are_represented_in_the_monograph_with_their_evidence(
    catalog: Catalog, claims: ClaimsFile
) -> None:
    substance = catalog.get(claims.substance)
    for claim in claims.claims:
        cited_in_sections: set[str] = set()
        for section in claim.represented_in:
            value = getattr(substance, section.split(".")[0])
            assert value, f"{claim.id}: section {section} is empty"
            cited_in_sections |= set(iter_source_ids(value))
        evidence = {"seed", *claim.sources}
        structural = {"names", "chemical_class", "classes", "pharmacological_class"}
        if not set(claim.represented_in) <= structural:
            assert cited_in_sections & evidence, (
                f"{claim.id}: none of {sorted(evidence)} is cited in {claim.represented_in}"
            )

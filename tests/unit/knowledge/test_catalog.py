"""The built-in knowledge base: loads, resolves names, suggests, searches."""

from __future__ import annotations

import pytest

from dosewise.errors import UnknownSubstanceError
from dosewise.knowledge.catalog import Catalog, default_catalog, name_key


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


@pytest.mark.parametrize(
    "name",
    [
        "baclofen",
        "BACLOFEN",
        " Baclofen ",
        "Lioresal",
        "lioresal intrathecal",
        "Gablofen",
        "Ozobax",
        "Ozobax DS",
        "Lyvispah",
        "Fleqsuvy",
        "Kemstro",
        "Baclocur",
        "baclofène",
        "ITB",
        "baclophen",
        "bacolfen",
    ],
)
def test_brands_aliases_and_typos_resolve_to_baclofen(catalog: Catalog, name: str) -> None:
    assert catalog.resolve(name).id == "baclofen"


@pytest.mark.parametrize(("typo", "expected"), [("baclofn", "Baclofen"), ("lioresl", "Lioresal")])
def test_unknown_names_get_suggestions(catalog: Catalog, typo: str, expected: str) -> None:
    with pytest.raises(UnknownSubstanceError) as info:
        catalog.resolve(typo)
    assert any(expected in s for s in info.value.suggestions)
    assert "Did you mean" in str(info.value)
    assert info.value.to_dict()["suggestions"] == info.value.suggestions


def test_nonsense_gets_a_clear_error(catalog: Catalog) -> None:
    with pytest.raises(UnknownSubstanceError) as info:
        catalog.resolve("qqqqzzzz")
    assert "qqqqzzzz" in str(info.value)


def test_no_two_entries_share_a_name(catalog: Catalog) -> None:
    owner: dict[str, str] = {}
    for substance in catalog.substances.values():
        names = [*substance.display_names, *substance.names.misspellings]
        for name in names:
            key = name_key(name)
            assert owner.setdefault(key, substance.id) == substance.id, name


def test_every_cited_source_exists(catalog: Catalog) -> None:
    for substance in catalog.substances.values():
        for source_id in catalog.sources_cited(substance):
            assert source_id in catalog.sources, (substance.id, source_id)


def test_class_closure_includes_parents(catalog: Catalog) -> None:
    classes = catalog.classes_of(catalog.get("baclofen"))
    assert {"gaba_b_agonist", "muscle_relaxant", "cns_depressant"} <= classes


def test_search_by_brand_class_and_effect(catalog: Catalog) -> None:
    assert catalog.search("lioresal")[0].substance.id == "baclofen"
    relaxants = {h.substance.id for h in catalog.search("muscle relaxant")}
    assert {"baclofen", "tizanidine"} <= relaxants
    assert "baclofen" in {h.substance.id for h in catalog.search("euphoria")}
    assert catalog.search("") == []


def test_every_expected_entry_exists(catalog: Catalog) -> None:
    expected = {
        "baclofen",
        "alcohol",
        "ghb",
        "gbl",
        "butanediol",
        "phenibut",
        "benzodiazepines",
        "diazepam",
        "alprazolam",
        "clonazepam",
        "lorazepam",
        "opioids",
        "morphine",
        "oxycodone",
        "heroin",
        "methadone",
        "fentanyl",
        "tramadol",
        "gabapentin",
        "pregabalin",
        "zolpidem",
        "barbiturates",
        "tizanidine",
        "tricyclic-antidepressants",
        "maois",
        "lithium",
        "levodopa",
        "antihypertensives",
        "cannabis",
        "amphetamine",
        "cocaine",
        "mdma",
        "ketamine",
        "dextromethorphan",
        "nitrous-oxide",
        "caffeine",
        "nicotine",
    }
    assert expected <= set(catalog.substances)

"""The built-in knowledge base: loads, resolves names, suggests, searches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dosewise.errors import UnknownSubstanceError
from dosewise.knowledge.catalog import (
    DATA_DIR,
    Catalog,
    default_catalog,
    load_catalog_cached,
    name_key,
)


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


def test_cache_is_reused_and_invalidated_by_a_data_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    monkeypatch.setenv("DOSEWISE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DOSEWISE_NO_CACHE", raising=False)
    first = load_catalog_cached(data)
    cached = list((tmp_path / "cache").glob("catalog-*.pickle"))
    assert len(cached) == 1
    second = load_catalog_cached(data)
    assert second.get("baclofen") == first.get("baclofen")
    assert second.sources == first.sources
    # a changed data file gives a new fingerprint: validated again, old cache replaced
    caffeine = data / "substances" / "caffeine.toml"
    caffeine.write_text(caffeine.read_text().replace('name = "Caffeine"', 'name = "Caffeine X"', 1))
    third = load_catalog_cached(data)
    assert third.get("caffeine").name == "Caffeine X"
    assert len(list((tmp_path / "cache").glob("catalog-*.pickle"))) == 1


def test_unreadable_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSEWISE_CACHE_DIR", str(tmp_path))
    first = load_catalog_cached()
    for path in tmp_path.glob("catalog-*.pickle"):
        path.write_bytes(b"not a pickle")
    assert load_catalog_cached().get("baclofen") == first.get("baclofen")


def test_cache_fingerprint_covers_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dosewise.knowledge import catalog as catalog_module

    before = catalog_module._fingerprint(DATA_DIR)
    fake = tmp_path / "code"
    fake.mkdir()
    for name in ("catalog.py", "schema.py"):
        (fake / name).write_text((Path(catalog_module.__file__).parent / name).read_text() + "\n#")
    monkeypatch.setattr(catalog_module, "__file__", str(fake / "catalog.py"))
    assert catalog_module._fingerprint(DATA_DIR) != before

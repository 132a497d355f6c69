"""Malformed data gives a clear error that names the file and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dosewise.errors import DataError
from dosewise.knowledge.catalog import load_catalog, validate_paths

CLASSES = """
[[classes]]
id = "cns_depressant"
name = "CNS depressants"
description = "slow the brain"
"""

SOURCES = """
[[sources]]
id = "src-a"
kind = "paper"
title = "A paper"
pmid = "12345"
"""

GOOD = """
id = "testol"
name = "Testol"
summary = "A test substance."
classes = ["cns_depressant"]

[[routes]]
route = "oral"
dose_unit = "mg"

[[routes.tiers]]
sources = ["src-a"]
light = [1, 2]
common = [2, 4]
"""


def make_tree(tmp_path: Path, substance: str, *, extra: dict[str, str] | None = None) -> Path:
    (tmp_path / "substances").mkdir()
    (tmp_path / "classes.toml").write_text(CLASSES)
    (tmp_path / "sources.toml").write_text(SOURCES)
    (tmp_path / "substances" / "testol.toml").write_text(textwrap.dedent(substance))
    for name, text in (extra or {}).items():
        (tmp_path / name).write_text(text)
    return tmp_path


def problems_of(tmp_path: Path, substance: str, **kwargs: dict[str, str]) -> str:
    root = make_tree(tmp_path, substance, **kwargs)
    with pytest.raises(DataError) as info:
        load_catalog(root)
    return str(info.value)


def test_good_tree_loads(tmp_path: Path) -> None:
    catalog = load_catalog(make_tree(tmp_path, GOOD))
    assert catalog.resolve("TESTOL").id == "testol"


def test_typo_in_a_field_name(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace("light = [1, 2]", "ligth = [1, 2]"))
    assert "substances/testol.toml" in text
    assert "routes[0].tiers[0].ligth: unknown field" in text


def test_missing_sources(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace('sources = ["src-a"]\n', ""))
    assert "routes[0].tiers[0].sources: required field is missing" in text


def test_empty_sources(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace('sources = ["src-a"]', "sources = []"))
    assert "routes[0].tiers[0].sources" in text


def test_reversed_range(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace("light = [1, 2]", "light = [2, 1]"))
    assert "routes[0].tiers[0].light" in text
    assert "must not exceed" in text


def test_tiers_out_of_order(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace("common = [2, 4]", "common = [0.5, 4]"))
    assert "tiers out of order" in text


def test_negative_and_nan_figures(tmp_path: Path) -> None:
    assert "must not be negative" in problems_of(
        tmp_path, GOOD.replace("light = [1, 2]", "light = [-1, 2]")
    )


def test_unknown_dose_unit(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace('dose_unit = "mg"', 'dose_unit = "mgs"'))
    assert "routes[0].dose_unit" in text
    assert "'mgs'" in text


def test_unknown_source_id(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace('sources = ["src-a"]', 'sources = ["src-b"]'))
    assert "unknown source id 'src-b'" in text


def test_unknown_class(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace('"cns_depressant"]', '"cns_depresant"]'))
    assert "unknown class 'cns_depresant'" in text


def test_source_without_locator(tmp_path: Path) -> None:
    bad = GOOD + '\n[[sources]]\nid = "src-c"\nkind = "paper"\ntitle = "No locator"\n'
    text = problems_of(tmp_path, bad)
    assert "sources[0]" in text
    assert "locator" in text


def test_file_name_must_match_id(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD.replace('id = "testol"', 'id = "other"'))
    assert "must match the file name" in text


def test_invalid_toml(tmp_path: Path) -> None:
    text = problems_of(tmp_path, GOOD + "\n[[routes\n")
    assert "not valid TOML" in text


def test_names_must_be_unique_across_entries(tmp_path: Path) -> None:
    other = 'id = "second"\nname = "Second"\nsummary = "x"\n[names]\naliases = ["Test-ol"]\n'
    root = make_tree(tmp_path, GOOD)
    (root / "substances" / "second.toml").write_text(other)
    with pytest.raises(DataError) as info:
        load_catalog(root)
    text = str(info.value)
    assert "names must be unique" in text
    assert "'Test-ol'" in text
    assert text.count("names must be unique") == 1


def test_validate_paths_collects_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("light = [1, 2]", "light = [2, 1]").replace('"mg"', '"mgs"'))
    errors = validate_paths([bad])
    assert len(errors) == 1
    assert len(errors[0].problems) == 2
    assert errors[0].file == str(bad)


def test_third_party_file_may_cite_builtin_sources(tmp_path: Path) -> None:
    new = tmp_path / "newdrug.toml"
    new.write_text(GOOD.replace("src-a", "seed").replace("testol", "newdrug"))
    assert validate_paths([new]) == []


def test_third_party_name_clash_with_builtin(tmp_path: Path) -> None:
    new = tmp_path / "x.toml"
    new.write_text(GOOD.replace("src-a", "seed") + '\n[names]\nbrands = [{name = "Lioresal"}]\n')
    errors = validate_paths([new])
    assert errors
    assert "already a name of 'baclofen'" in "\n".join(errors[0].problems)


def test_missing_path_is_reported(tmp_path: Path) -> None:
    errors = validate_paths([tmp_path / "nope.toml"])
    assert errors[0].problems == ["no such file or folder"]

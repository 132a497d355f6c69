"""The flagship entry holds the figures of the labels, the papers and the seed article.

Expected values are typed here from the sources (labels, papers, the seed text), not read back
from the data, so a changed figure fails loudly.
"""

from __future__ import annotations

import pytest

from dosewise.knowledge.catalog import Catalog, default_catalog
from dosewise.knowledge.schema import Substance
from dosewise.severity import Severity
from dosewise.units import DoseUnit, Route


@pytest.fixture(scope="module")
def baclofen() -> Substance:
    return default_catalog().get("baclofen")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def test_every_section_is_filled(baclofen: Substance) -> None:
    for section in (
        "identifiers",
        "mechanism",
        "enantiomers",
        "indications",
        "routes",
        "pk_facts",
        "pk_models",
        "reference_concentrations",
        "effects",
        "overdose",
        "renal",
        "risk_factors",
        "tolerance",
        "dependence",
        "withdrawal",
        "legal",
        "history",
        "harm_reduction",
    ):
        assert getattr(baclofen, section), section


def test_identifiers(baclofen: Substance) -> None:
    ids = baclofen.identifiers
    assert ids is not None
    assert ids.cas == "1134-47-0"
    assert ids.molar_mass_g_per_mol == pytest.approx(213.66, abs=0.01)
    assert "M03BX01" in ids.atc


def test_label_dosing(baclofen: Substance) -> None:
    oral = baclofen.route(Route.ORAL)
    assert oral is not None
    assert oral.dose_unit is DoseUnit.MG
    label = next(m for m in oral.medical if "label-ozobax" in m.sources)
    assert label.max_daily == 80  # 20 mg four times a day
    assert label.start_daily == (15, 15)  # 5 mg three times a day


def test_seed_and_community_tiers_are_both_kept(baclofen: Substance) -> None:
    oral = baclofen.route(Route.ORAL)
    assert oral is not None
    by_source = {t.sources[0]: t for t in oral.tiers}
    assert by_source["seed"].light == (10, 20)
    assert by_source["seed"].common == (20, 50)
    assert by_source["seed"].strong == (50, 75)
    assert by_source["pw-baclofen"].strong == (50, 100)
    assert by_source["pw-baclofen"].threshold == 5


def test_seed_time_course(baclofen: Substance) -> None:
    oral = baclofen.route(Route.ORAL)
    assert oral is not None
    seed = next(tc for tc in oral.timecourse if tc.sources == ["seed"])
    assert seed.hours("onset") == pytest.approx((0.25, 0.75))
    assert seed.hours("total") == pytest.approx((3, 6))


def test_intrathecal_is_micrograms(baclofen: Substance) -> None:
    it = baclofen.route(Route.INTRATHECAL)
    assert it is not None
    assert it.dose_unit is DoseUnit.UG
    screening = next(m for m in it.medical if m.indication and "screening" in m.indication)
    assert screening.max_single == 100
    assert "50 µg" in (screening.start or "")


def test_reference_concentrations(baclofen: Substance) -> None:
    refs = {r.kind: r for r in baclofen.reference_concentrations}
    assert refs["therapeutic"].low_mg_per_l == pytest.approx(0.08)
    assert refs["therapeutic"].high_mg_per_l == pytest.approx(0.40)
    assert (refs["toxic"].low_mg_per_l, refs["toxic"].high_mg_per_l) == (1.1, 3.5)
    assert (refs["comatose_fatal"].low_mg_per_l, refs["comatose_fatal"].high_mg_per_l) == (6, 9.6)


def test_overdose_bands_follow_the_seed_and_case_series(baclofen: Substance) -> None:
    assert baclofen.overdose is not None
    oral = [b for b in baclofen.overdose.bands if b.route is Route.ORAL]
    assert [b.from_amount for b in oral] == [100, 200, 1000]
    assert oral[0].severity is Severity.DANGER
    assert oral[1].severity is Severity.EMERGENCY
    assert oral[2].severity is Severity.EMERGENCY


def test_renal_bands(baclofen: Substance) -> None:
    renal = baclofen.renal
    assert renal is not None
    assert renal.fraction_excreted_unchanged is not None
    assert renal.fraction_excreted_unchanged.value == pytest.approx(0.69)
    dialysis = next(b for b in renal.bands if b.dialysis)
    assert dialysis.min_toxic_daily == 5
    assert dialysis.avoid
    moderate = next(b for b in renal.bands if b.crcl_min == 30 and b.crcl_max == 50)
    assert moderate.dose_factor == 0.5


def test_withdrawal(baclofen: Substance) -> None:
    w = baclofen.withdrawal
    assert w is not None
    assert w.onset_h == (12, 72)
    it = next(r for r in w.route_specific if r.route is Route.INTRATHECAL)
    assert it.severity is Severity.EMERGENCY
    assert any("alarm" in step for step in it.what_to_do)


def test_pk_models(baclofen: Substance) -> None:
    models = {p.id: p for p in baclofen.pk_models}
    simon = models["simon-2018-aud"]
    assert simon.params["ka"].value == 1.64
    assert simon.params["ka"].iiv_cv == 0.44
    assert simon.params["cl"].value == 11.6
    assert simon.params["v"].value == 72.8
    assert sum(p.default for p in baclofen.pk_models if p.route is Route.ORAL) == 1


def test_us_legal_status(baclofen: Substance) -> None:
    us = next(entry for entry in baclofen.legal if entry.jurisdiction == "US")
    assert us.status == "prescription"

from __future__ import annotations

from typing import Any

import pytest

from dosewise.assess.engine import assess
from dosewise.assess.models import Assessment, CheckRequest, Intake, Person
from dosewise.knowledge.catalog import Catalog, default_catalog
from dosewise.units import Route, parse_dose


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


def check(
    dose: str,
    substance: str = "baclofen",
    *,
    route: Route = Route.ORAL,
    with_: list[str] | None = None,
    earlier: list[tuple[str, float | None]] | None = None,
    **person: Any,
) -> Assessment:
    request = CheckRequest(
        substance=substance,
        dose=parse_dose(dose),
        route=route,
        with_=[Intake(substance=name) for name in with_ or []],
        taken_today=[
            Intake(substance=substance, dose=parse_dose(d), hours_ago=h) for d, h in earlier or []
        ],
        person=Person(**person),
    )
    return assess(default_catalog(), request)


def codes(result: Assessment) -> set[str]:
    return {f.code for f in result.findings}

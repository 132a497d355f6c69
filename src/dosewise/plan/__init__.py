"""Plans built from the knowledge base: taper schedules ("how do I stop safely?").

:func:`plan_taper` is the engine (pure: the caller passes ``today``); :mod:`dosewise.plan.export`
turns a plan into CSV text and an iCalendar file.
"""

from __future__ import annotations

from dosewise.plan.taper import (
    CurrentRegimen,
    TaperPerson,
    TaperPlan,
    TaperRequest,
    TaperStep,
    parse_current_regimen,
    parse_plan_date,
    parse_since,
    plan_taper,
)

__all__ = [
    "CurrentRegimen",
    "TaperPerson",
    "TaperPlan",
    "TaperRequest",
    "TaperStep",
    "parse_current_regimen",
    "parse_plan_date",
    "parse_since",
    "plan_taper",
]

"""Turning what a person types into request models, with errors that name the field.

* ``"40mg"``, ``"40mg 3h ago"``, ``"40 mg, 90 min ago"``: an earlier dose of the same substance;
* ``"alcohol"``, ``"diazepam 10mg"``, ``"alcohol 3 drinks 2h ago"``, ``"1,4-butanediol 2ml"``: a
  substance with an optional amount and time.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from dosewise.assess.models import Intake, Person
from dosewise.errors import InputError
from dosewise.units import parse_dose, parse_duration_h

_AGO = re.compile(
    r"^(?P<rest>.*?)[\s,]*(?P<duration>\d+(?:\.\d+)?\s*(?:min|mins|minutes?|m|h|hr|hrs|hours?|d|"
    r"days?))\s+ago\s*$",
    re.IGNORECASE,
)
_WEIGHT = re.compile(
    r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>kg|kgs|kilos?|kilograms?|lb|lbs|pounds?)?\s*$",
    re.IGNORECASE,
)
KG_PER_LB = 0.45359237  # exact, by definition of the international avoirdupois pound


def _split_time(text: str, field: str) -> tuple[str, float | None]:
    match = _AGO.match(text)
    if match is None:
        if re.search(r"\bago\b", text, re.IGNORECASE):
            raise InputError(
                f"{text!r}: the time could not be read",
                field=field,
                accepted="a duration before 'ago', e.g. '40mg 3h ago' or '40mg 90min ago'",
            )
        return text, None
    return match["rest"].strip(), parse_duration_h(match["duration"], field=field)


def parse_earlier_dose(text: str, substance: str, *, field: str = "taken_today") -> Intake:
    """An earlier dose of ``substance``: ``"40mg"`` or ``"40mg 3h ago"``."""
    rest, hours_ago = _split_time(text.strip(), field)
    try:
        dose = parse_dose(rest)
    except InputError as error:
        error.field = field
        raise
    return Intake(substance=substance, dose=dose, hours_ago=hours_ago)


def parse_intake(text: str, *, field: str = "with") -> Intake:
    """A substance with an optional amount and time: ``"diazepam 10mg 2h ago"``."""
    raw = text.strip()
    if not raw:
        raise InputError(
            "An empty substance was given", field=field, accepted="a name, e.g. alcohol"
        )
    rest, hours_ago = _split_time(raw, field)
    tokens = rest.split()
    name, dose = rest, None
    for cut in range(1, len(tokens)):
        candidate = " ".join(tokens[cut:])
        if not re.match(r"^[~≈]?\d|^\.\d", candidate):
            continue
        try:
            dose = parse_dose(candidate)
        except InputError:
            continue
        name = " ".join(tokens[:cut])
        break
    if not name:
        raise InputError(f"{raw!r} has no substance name", field=field)
    return Intake(substance=name, dose=dose, hours_ago=hours_ago)


def parse_weight_kg(text: str) -> float:
    """``70``, ``70kg``, ``154 lb`` → kilograms."""
    match = _WEIGHT.match(str(text))
    if match is None:
        raise InputError(
            f"{text!r} is not a body weight", field="weight", accepted="e.g. 70kg or 154lb"
        )
    value = float(match["num"])
    unit = (match["unit"] or "kg").lower()
    kg = value * KG_PER_LB if unit.startswith(("lb", "pound")) else value
    if not 1 <= kg <= 400:
        raise InputError(
            f"{text!r} is not a plausible body weight",
            field="weight",
            accepted="between 1 and 400 kg",
        )
    return kg


def build_person(**values: Any) -> Person:
    """A :class:`Person`, with pydantic's errors turned into :class:`InputError`."""
    try:
        return Person(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "person"
        message = first["msg"].removeprefix("Value error, ")
        raise InputError(f"{field}: {message}", field=field) from exc

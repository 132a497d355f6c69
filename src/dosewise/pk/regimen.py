"""Dosing events: what was (or will be) taken, when, and by which route.

A :class:`Regimen` is an immutable, time-ordered tuple of :class:`DoseEvent` (bolus doses and
zero-order infusions, amounts in mg, times in hours from the start). It knows nothing about the
model or the subjects; :mod:`dosewise.pk.simulate` combines the three.

:func:`parse_regimen` reads what a person types::

    20mg q8h for 7d            every 8 hours for 7 days (21 doses)
    5 mg tid                   three times a day (3 days unless a duration is given)
    10mg bid x 3d              twice a day for 3 days
    20mg q6h x 4 doses         four doses
    40mg                       one dose
    20mg at 0h, 20mg at 6h, 40mg at 10.5h       an explicit list (e.g. from a journal)
    20mg q8h for 3d, missed 4, doubled 6        dose 4 skipped, dose 6 taken twice
    20mg q8h for 2d, extra 20mg at 30h          an extra dose
    50ug intrathecal           an intrathecal bolus (intrathecal doses are in micrograms)
    400 mcg/day intrathecal for 3d              a continuous intrathecal infusion

Intrathecal doses must be written in micrograms: ``50 mg intrathecal`` is refused with an
explanation instead of being converted (a thousand-fold error there is lethal).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dosewise.errors import InputError, UnitError
from dosewise.units import Dose, DoseUnit, Route, format_hours, parse_dose, parse_route

MAX_EVENTS = 20_000
MIN_INTERVAL_H = 5 / 60
MAX_SPAN_H = 366 * 24.0
DEFAULT_REPEAT_DAYS = 3.0
DEFAULT_INFUSION_H = 72.0

ACCEPTED_REGIMENS = (
    "a dose, optionally with a frequency and a duration: '20mg', '20mg q8h for 7d', '5 mg tid', "
    "'10mg bid x 3d', '20mg q6h x 4 doses'; a list: '20mg at 0h, 20mg at 6h'; modifiers: "
    "', missed 4', ', doubled 6', ', extra 20mg at 30h'; intrathecal: '50ug intrathecal', "
    "'400 mcg/day intrathecal for 3d'"
)


@dataclass(frozen=True)
class DoseEvent:
    """One administration.

    Parameters
    ----------
    time_h
        Start, in hours from the reference time (may be negative for doses before it).
    amount_mg
        The amount given (for an infusion, the total over ``duration_h``).
    route
        Route of administration.
    duration_h
        0 for a bolus (tablet, injection); the length of a zero-order infusion otherwise.
    """

    time_h: float
    amount_mg: float
    route: Route = Route.ORAL
    duration_h: float = 0.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.time_h):
            raise InputError("a dose time must be a finite number of hours", field="regimen")
        if not (math.isfinite(self.amount_mg) and self.amount_mg > 0):
            raise InputError("a dose must be a positive amount", field="regimen")
        if not (math.isfinite(self.duration_h) and self.duration_h >= 0):
            raise InputError("an infusion duration must not be negative", field="regimen")

    @property
    def is_infusion(self) -> bool:
        return self.duration_h > 0

    @property
    def rate_mg_per_h(self) -> float:
        """Infusion rate (mg/h); ``inf`` for a bolus."""
        return self.amount_mg / self.duration_h if self.duration_h > 0 else math.inf

    @property
    def end_h(self) -> float:
        return self.time_h + self.duration_h


@dataclass(frozen=True)
class Regimen:
    """A time-ordered set of dose events and a short description for people."""

    events: tuple[DoseEvent, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if not self.events:
            raise InputError("a regimen needs at least one dose", field="regimen")
        if len(self.events) > MAX_EVENTS:
            raise InputError(
                f"{len(self.events)} doses is more than can be simulated",
                field="regimen",
                accepted=f"at most {MAX_EVENTS} doses",
            )
        ordered = tuple(sorted(self.events, key=lambda e: (e.time_h, e.duration_h)))
        if ordered != self.events:
            object.__setattr__(self, "events", ordered)
        span = self.end_h - self.start_h
        if span > MAX_SPAN_H:
            raise InputError(
                f"the regimen spans {format_hours(span)}, more than a year",
                field="regimen",
                accepted="at most 366 days",
            )

    # ---- construction ---------------------------------------------------------------------

    @classmethod
    def single(cls, amount_mg: float, *, at_h: float = 0.0, route: Route = Route.ORAL) -> Regimen:
        """One bolus dose."""
        return cls((DoseEvent(at_h, amount_mg, route),), f"{_mg(amount_mg, route)} once")

    @classmethod
    def repeated(
        cls,
        amount_mg: float,
        interval_h: float,
        *,
        n_doses: int | None = None,
        duration_h: float | None = None,
        start_h: float = 0.0,
        route: Route = Route.ORAL,
    ) -> Regimen:
        """Equal doses every ``interval_h``: ``n_doses`` of them, or all that start before
        ``start_h + duration_h`` (so "q8h for 7 days" is 21 doses)."""
        if not (math.isfinite(interval_h) and interval_h >= MIN_INTERVAL_H):
            raise InputError(
                f"a dosing interval of {format_hours(interval_h)} is too short",
                field="regimen",
                accepted="an interval of at least 5 minutes",
            )
        if (n_doses is None) == (duration_h is None):
            raise ValueError("give exactly one of n_doses and duration_h")
        if n_doses is None:
            assert duration_h is not None
            if not duration_h > 0:
                raise InputError("a duration must be longer than zero", field="regimen")
            n_doses = max(1, math.ceil(duration_h / interval_h - 1e-9))
        if not 1 <= n_doses <= MAX_EVENTS:
            raise InputError(
                f"{n_doses} doses cannot be simulated",
                field="regimen",
                accepted=f"1 to {MAX_EVENTS} doses",
            )
        events = tuple(
            DoseEvent(start_h + i * interval_h, amount_mg, route) for i in range(n_doses)
        )
        text = f"{_mg(amount_mg, route)} every {format_hours(interval_h)}"
        text += f" × {n_doses} doses" if duration_h is None else f" for {format_hours(duration_h)}"
        return cls(events, text)

    @classmethod
    def infusion(
        cls,
        rate_mg_per_h: float,
        duration_h: float,
        *,
        start_h: float = 0.0,
        route: Route = Route.INTRAVENOUS,
    ) -> Regimen:
        """A zero-order infusion (e.g. an intrathecal pump) of ``rate_mg_per_h``."""
        if not (math.isfinite(rate_mg_per_h) and rate_mg_per_h > 0):
            raise InputError("an infusion rate must be above zero", field="regimen")
        if not (math.isfinite(duration_h) and duration_h > 0):
            raise InputError("an infusion must last longer than zero", field="regimen")
        event = DoseEvent(start_h, rate_mg_per_h * duration_h, route, duration_h)
        per_day = rate_mg_per_h * 24
        return cls((event,), f"{_mg(per_day, route)}/day for {format_hours(duration_h)}")

    @classmethod
    def from_events(cls, events: Iterable[DoseEvent], description: str | None = None) -> Regimen:
        """A regimen from explicit events (a journal, an irregular schedule)."""
        items = tuple(events)
        if not items:
            raise InputError("a regimen needs at least one dose", field="regimen")
        text = description or ", ".join(
            f"{_mg(e.amount_mg, e.route)} at {format_hours(e.time_h)}" for e in items[:6]
        ) + (" …" if len(items) > 6 else "")
        return cls(items, text)

    # ---- modifications --------------------------------------------------------------------

    def _bolus_index(self, number: int) -> int:
        bolus = [i for i, e in enumerate(self.events) if not e.is_infusion]
        if not 1 <= number <= len(bolus):
            raise InputError(
                f"there is no dose number {number}",
                field="regimen",
                accepted=f"a dose number from 1 to {len(bolus)}",
            )
        return bolus[number - 1]

    def missed(self, *numbers: int) -> Regimen:
        """Without the doses numbered ``numbers`` (1-based, in time order)."""
        drop = {self._bolus_index(n) for n in numbers}
        kept = tuple(e for i, e in enumerate(self.events) if i not in drop)
        if not kept:
            raise InputError("every dose would be missed", field="regimen")
        label = ", ".join(str(n) for n in sorted(numbers))
        return Regimen(kept, f"{self.description}, missed dose {label}")

    def doubled(self, *numbers: int) -> Regimen:
        """With the doses numbered ``numbers`` (1-based) taken twice."""
        change = {self._bolus_index(n) for n in numbers}
        events = tuple(
            replace(e, amount_mg=2 * e.amount_mg) if i in change else e
            for i, e in enumerate(self.events)
        )
        label = ", ".join(str(n) for n in sorted(numbers))
        return Regimen(events, f"{self.description}, doubled dose {label}")

    def with_extra(self, time_h: float, amount_mg: float, route: Route | None = None) -> Regimen:
        """With one more bolus dose."""
        route = route or self.events[0].route
        event = DoseEvent(time_h, amount_mg, route)
        return Regimen(
            (*self.events, event),
            f"{self.description}, extra {_mg(amount_mg, route)} at {format_hours(time_h)}",
        )

    # ---- properties -----------------------------------------------------------------------

    @property
    def routes(self) -> frozenset[Route]:
        return frozenset(e.route for e in self.events)

    @property
    def route(self) -> Route:
        """The route, when there is only one."""
        routes = self.routes
        if len(routes) != 1:
            raise InputError(
                "this regimen mixes routes: " + ", ".join(sorted(r.value for r in routes)),
                field="regimen",
                accepted="one route per simulation",
            )
        return next(iter(routes))

    @property
    def start_h(self) -> float:
        return self.events[0].time_h

    @property
    def end_h(self) -> float:
        """When the last dose is given (the end of the last infusion)."""
        return max(e.end_h for e in self.events)

    @property
    def bolus_times_h(self) -> tuple[float, ...]:
        return tuple(e.time_h for e in self.events if not e.is_infusion)

    @property
    def n_doses(self) -> int:
        return len(self.events)

    @property
    def total_mg(self) -> float:
        return math.fsum(e.amount_mg for e in self.events)

    @property
    def max_single_mg(self) -> float:
        """The largest amount given at one time (bolus doses at the same time are added)."""
        totals: dict[float, float] = {}
        for e in self.events:
            if not e.is_infusion:
                totals[e.time_h] = totals.get(e.time_h, 0.0) + e.amount_mg
        return max(totals.values(), default=0.0)


def _mg(amount_mg: float, route: Route) -> str:
    if route is Route.INTRATHECAL:
        return f"{_num(amount_mg * 1000)} µg"
    return f"{_num(amount_mg)} mg"


def _num(x: float) -> str:
    return f"{x:.4g}"


# --------------------------------------------------------------------------------------------
# Parsing

_DOSE_HEAD = re.compile(
    r"^(?P<dose>(?:~|≈)?\s*(?:\d+(?:[.,]\d+)?|[.,]\d+)\s*(?:[a-zµμ]+)(?:\s*/\s*kg)?)"
    r"(?:\s*(?:/|per\s+)\s*(?P<per>day|d|24\s*h|hours?|hr|h)\b)?",
    re.IGNORECASE,
)
_FREQ_WORDS: dict[str, float] = {
    "qd": 24.0,
    "od": 24.0,
    "daily": 24.0,
    "once daily": 24.0,
    "once a day": 24.0,
    "once per day": 24.0,
    "bid": 12.0,
    "twice daily": 12.0,
    "twice a day": 12.0,
    "twice per day": 12.0,
    "tid": 8.0,
    "three times daily": 8.0,
    "three times a day": 8.0,
    "three times per day": 8.0,
    "qid": 6.0,
    "four times daily": 6.0,
    "four times a day": 6.0,
    "four times per day": 6.0,
}
_FREQ_WORDS_RE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(k) for k in _FREQ_WORDS), key=len, reverse=True)) + r")\b"
)
_Q_RE = re.compile(r"\bq\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>h|hr|hrs|hours?|min|mins|minutes?)?\b")
_EVERY_RE = re.compile(
    r"\bevery\s+(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>h|hr|hrs|hours?|min|mins|minutes?|d|days?)\b"
)
_TIMES_RE = re.compile(r"\b(?P<n>\d+)\s*(?:x|times)\s*(?:(?:a|per|/)\s*day|daily)\b")
_DOSES_RE = re.compile(r"\b(?:for|x)?\s*(?P<n>\d+)\s*doses?\b")
_FOR_RE = re.compile(
    r"\b(?:for|x|over|during)\s*(?P<dur>\d+(?:\.\d+)?\s*(?:h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?"
    r"|min|mins|minutes?))\b"
)
_X_COUNT_RE = re.compile(r"\bx\s*(?P<n>\d+)\b(?!\s*(?:h|d|w|m))")
_ONCE_RE = re.compile(r"\b(?:once|single(?:\s+dose)?|stat|bolus)\b")
_ROUTE_WORDS = r"by mouth|orally|oral|po|intravenous(?:ly)?|iv|intrathecal(?:ly)?|itb|it"
_ROUTE_RE = re.compile(rf"\b(?:{_ROUTE_WORDS})\b")
_MISSED_RE = re.compile(r"^(?:missed|miss|skipped|skip)\s*(?:doses?)?\s*(?P<list>[\d\s,and]+)$")
_DOUBLED_RE = re.compile(r"^(?:doubled|double)\s*(?:doses?)?\s*(?P<list>[\d\s,and]+)$")
_EXTRA_RE = re.compile(r"^(?:extra|plus|\+)\s*(?P<dose>.+?)\s+at\s+(?P<time>.+)$")
_AT_RE = re.compile(rf"^(?P<dose>.+?)\s+at\s+(?P<time>[^,;]+?)(?:\s+(?P<route>{_ROUTE_WORDS}))?$")
_OFFSET_RE = re.compile(
    r"^(?:t\s*=\s*|\+)?(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>h|hr|hrs|hours?|min|mins|minutes?|d|days?)?$"
)
_HOURS_PER_UNIT = {"h": 1.0, "m": 1 / 60, "d": 24.0, "w": 168.0}


def _unit_hours(unit: str | None) -> float:
    if not unit:
        return 1.0
    key = "m" if unit.startswith("mi") else unit[0]
    return _HOURS_PER_UNIT[key]


def _parse_offset_h(text: str) -> float:
    """``0``, ``6h``, ``90 min``, ``1.5 d``, ``t=6h`` → hours (a time after the start)."""
    t = text.strip().lower()
    hh_mm = re.fullmatch(r"(\d{1,3}):(\d{2})", t)
    if hh_mm:
        return int(hh_mm[1]) + int(hh_mm[2]) / 60
    match = _OFFSET_RE.match(t)
    if match is None:
        raise InputError(
            f"{text!r} is not a time after the start",
            field="regimen",
            accepted="hours after the first dose, e.g. 0h, 6h, 90min, 1.5d, 10:30",
        )
    value = float(match["num"])
    if match["unit"] is None and value != 0:
        raise InputError(
            f"{text!r} has no unit",
            field="regimen",
            accepted="a time with a unit, e.g. 6h or 90min",
        )
    return value * _unit_hours(match["unit"])


def _parse_duration(text: str) -> float:
    match = re.fullmatch(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]+)", text.strip())
    if match is None:
        raise InputError(f"{text!r} is not a duration", field="regimen", accepted=ACCEPTED_REGIMENS)
    hours = float(match["n"]) * _unit_hours(match["unit"])
    if hours <= 0:
        raise InputError(f"{text!r} must be longer than zero", field="regimen")
    return hours


def _route_of(word: str) -> Route:
    return parse_route(
        {"orally": "oral", "intravenously": "iv", "intrathecally": "it"}.get(word, word)
    )


def _dose_mg(dose: Dose, route: Route, weight_kg: float | None, *, rate: bool = False) -> float:
    """The amount in mg, refusing intrathecal amounts not written in micrograms."""
    unit = dose.dose_unit
    if unit is None or not unit.is_mass:
        raise UnitError(
            f"{dose} is not a mass; the simulation needs the amount of baclofen",
            field="regimen",
            accepted="an amount in mg (oral) or µg (intrathecal)",
        )
    if route is Route.INTRATHECAL and unit is not DoseUnit.UG:
        as_ug = dose.value * unit.mg_factor * 1000
        raise UnitError(
            f"intrathecal doses are given in micrograms, and {dose} would be {as_ug:g} µg"
            + (" a day" if rate else ""),
            field="regimen",
            accepted="intrathecal amounts in µg (also written mcg or ug), e.g. 50ug or 400 mcg/day",
            hint=f"if you meant micrograms, write {dose.value:g}ug; nothing was converted",
        )
    return dose.mass_mg(weight_kg)


def _parse_numbers(text: str) -> list[int]:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not numbers:
        raise InputError(f"{text!r} names no dose number", field="regimen")
    return numbers


def _split_clauses(text: str) -> list[str]:
    return [
        c.strip() for c in re.split(r"[;,]\s*(?=[a-z+~≈]|\d+(?:\.\d+)?\s*[a-zµμ]+\s+at\b)", text)
    ]


def parse_regimen(
    text: str, *, default_route: Route = Route.ORAL, weight_kg: float | None = None
) -> Regimen:
    """Parse a dosing regimen as a person types it (see the module docstring for examples).

    Parameters
    ----------
    text
        The regimen, without the substance name.
    default_route
        Route when the text names none.
    weight_kg
        Needed for per-kg doses (``2 mg/kg``).

    Raises
    ------
    InputError
        Text that is not a regimen, with the accepted forms.
    UnitError
        A dose with a missing, unknown or wrong unit (e.g. milligrams for an intrathecal dose).
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("No regimen was given", field="regimen", accepted=ACCEPTED_REGIMENS)
    norm = " ".join(text.replace("×", "x").replace("\u2009", " ").split()).lower()
    norm = re.sub(r"\b([btq])\.?i\.?d\.?(?=\s|$|,|;)", r"\1id", norm)
    norm = re.sub(r"\b([qo])\.d\.?(?=\s|$|,|;)", r"\1d", norm)
    clauses = [c for c in _split_clauses(norm) if c]
    if _AT_RE.match(clauses[0]) and not _EXTRA_RE.match(clauses[0]):
        return _parse_event_list(clauses, default_route, weight_kg)
    regimen = _parse_main(clauses[0], default_route, weight_kg, original=text)
    for clause in clauses[1:]:
        regimen = _apply_modifier(regimen, clause, weight_kg)
    return regimen


def _parse_event_list(
    clauses: Sequence[str], default_route: Route, weight_kg: float | None
) -> Regimen:
    events: list[DoseEvent] = []
    modifiers: list[str] = []
    for clause in clauses:
        match = _AT_RE.match(clause)
        if match is None or _EXTRA_RE.match(clause):
            modifiers.append(clause)
            continue
        route = _route_of(match["route"].strip()) if match["route"] else default_route
        dose_text = match["dose"]
        route_in_dose = _ROUTE_RE.search(dose_text)
        if route_in_dose:
            route = _route_of(route_in_dose.group(0))
            dose_text = _ROUTE_RE.sub("", dose_text).strip()
        dose = parse_dose(dose_text, allow_count_units=False)
        events.append(
            DoseEvent(_parse_offset_h(match["time"]), _dose_mg(dose, route, weight_kg), route)
        )
    regimen = Regimen.from_events(events)
    for clause in modifiers:
        regimen = _apply_modifier(regimen, clause, weight_kg)
    return regimen


def _apply_modifier(regimen: Regimen, clause: str, weight_kg: float | None) -> Regimen:
    if m := _MISSED_RE.match(clause):
        return regimen.missed(*_parse_numbers(m["list"]))
    if m := _DOUBLED_RE.match(clause):
        return regimen.doubled(*_parse_numbers(m["list"]))
    if m := _EXTRA_RE.match(clause):
        route = regimen.events[0].route
        dose = parse_dose(_ROUTE_RE.sub("", m["dose"]).strip(), allow_count_units=False)
        return regimen.with_extra(
            _parse_offset_h(m["time"]), _dose_mg(dose, route, weight_kg), route
        )
    raise InputError(
        f"{clause!r} is not understood",
        field="regimen",
        accepted="modifiers such as 'missed 4', 'doubled 6', 'extra 20mg at 30h'",
    )


def _parse_main(
    clause: str, default_route: Route, weight_kg: float | None, *, original: str
) -> Regimen:
    head = _DOSE_HEAD.match(clause)
    if head is None:
        first = clause.split(" ")[0]
        if re.match(r"^(?:~|≈)?\d", first):
            parse_dose(first, allow_count_units=False)  # raises the precise unit error
        raise InputError(
            f"{original.strip()!r} does not start with a dose",
            field="regimen",
            accepted=ACCEPTED_REGIMENS,
        )
    dose = parse_dose(head["dose"], allow_count_units=False)
    per = head["per"]
    rest = " " + clause[head.end() :] + " "

    route = default_route
    if m := _ROUTE_RE.search(rest):
        route = _route_of(m.group(0))
        rest = _ROUTE_RE.sub(" ", rest)

    interval_h: float | None = None
    n_doses: int | None = None
    duration_h: float | None = None
    once = False

    if m := _Q_RE.search(rest):
        interval_h = float(m["n"]) * _unit_hours(m["unit"] or "h")
        rest = rest[: m.start()] + " " + rest[m.end() :]
    elif m := _EVERY_RE.search(rest):
        interval_h = float(m["n"]) * _unit_hours(m["unit"])
        rest = rest[: m.start()] + " " + rest[m.end() :]
    elif m := _TIMES_RE.search(rest):
        per_day = int(m["n"])
        if per_day < 1:
            raise InputError("at least one dose a day", field="regimen")
        interval_h = 24.0 / per_day
        rest = rest[: m.start()] + " " + rest[m.end() :]
    elif m := _FREQ_WORDS_RE.search(rest):
        interval_h = _FREQ_WORDS[m.group(0)]
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := _DOSES_RE.search(rest):
        n_doses = int(m["n"])
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := _FOR_RE.search(rest):
        duration_h = _parse_duration(m["dur"])
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if n_doses is None and (m := _X_COUNT_RE.search(rest)):
        n_doses = int(m["n"])
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := _ONCE_RE.search(rest):
        once = True
        rest = rest[: m.start()] + " " + rest[m.end() :]
    leftover = rest.strip(" .")
    if leftover:
        raise InputError(
            f"{leftover!r} in {original.strip()!r} is not understood",
            field="regimen",
            accepted=ACCEPTED_REGIMENS,
        )

    if per is not None:
        per_hours = 1.0 if per.startswith("h") else 24.0
        if interval_h is not None or n_doses is not None or once:
            raise InputError(
                "a rate (per day or per hour) is a continuous infusion and takes a duration only",
                field="regimen",
                accepted="e.g. '400 mcg/day intrathecal for 3d'",
            )
        if route is Route.ORAL:
            raise InputError(
                "an amount per day by mouth needs a frequency: how much at a time, how often",
                field="regimen",
                accepted="e.g. '20mg tid' for 60 mg a day in three doses",
            )
        rate_mg_per_h = _dose_mg(dose, route, weight_kg, rate=True) / per_hours
        regimen = Regimen.infusion(rate_mg_per_h, duration_h or DEFAULT_INFUSION_H, route=route)
        if duration_h is None:
            regimen = Regimen(
                regimen.events,
                regimen.description.replace(
                    f"for {format_hours(DEFAULT_INFUSION_H)}",
                    f"for {format_hours(DEFAULT_INFUSION_H)} (default)",
                ),
            )
        return regimen

    amount_mg = _dose_mg(dose, route, weight_kg)
    if interval_h is None:
        if (n_doses is not None and n_doses > 1) or duration_h is not None:
            raise InputError(
                "a number of doses or a duration needs a frequency",
                field="regimen",
                accepted="e.g. '20mg q8h for 7d' or '10mg bid x 3d'",
            )
        return Regimen.single(amount_mg, route=route)
    if once:
        raise InputError("'once' contradicts a frequency", field="regimen")
    if n_doses is not None and duration_h is not None:
        raise InputError(
            "give either a number of doses or a duration, not both",
            field="regimen",
            accepted=ACCEPTED_REGIMENS,
        )
    if n_doses is not None:
        return Regimen.repeated(amount_mg, interval_h, n_doses=n_doses, route=route)
    if duration_h is None:
        regimen = Regimen.repeated(
            amount_mg, interval_h, duration_h=DEFAULT_REPEAT_DAYS * 24, route=route
        )
        return Regimen(regimen.events, regimen.description + " (default duration)")
    return Regimen.repeated(amount_mg, interval_h, duration_h=duration_h, route=route)


_LEADING_NUMBER = re.compile(r"(?:^|\s)(?=(?:~|≈)?\s*(?:\d|[.,]\d))")


def split_substance(text: str) -> tuple[str | None, str]:
    """Split ``"baclofen 20mg q8h"`` into ``("baclofen", "20mg q8h")`` (name ``None`` if absent)."""
    stripped = text.strip()
    match = _LEADING_NUMBER.search(stripped)
    if match is None:
        raise InputError(
            f"{stripped!r} has no dose",
            field="regimen",
            accepted="a substance and a regimen, e.g. 'baclofen 20mg q8h for 7d'",
        )
    name = stripped[: match.start()].strip()
    return (name or None), stripped[match.start() :].strip()


def dose_amount_mg(
    amount: float, unit: str, route: Route, *, weight_kg: float | None = None, field: str = "events"
) -> float:
    """An amount as a client gives it (``20``, ``"mg"``) in mg, with the same checks as the parser.

    Intrathecal amounts must be in micrograms (a milligram intrathecal amount is refused, never
    converted).
    """
    if not (isinstance(amount, int | float) and math.isfinite(amount) and amount > 0):
        raise InputError(f"{amount!r} is not a positive amount", field=field)
    text = f"{amount:.12g} {unit.strip()}"
    dose = parse_dose(text, allow_count_units=False)
    try:
        return _dose_mg(dose, route, weight_kg)
    except InputError as error:
        error.field = field
        raise

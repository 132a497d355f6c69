"""Doses, routes, concentrations and durations: parsing at the edges, one canonical form inside.

Why not a general units library
-------------------------------
Doses use a small closed set of units, and the dangerous mistakes are specific: ``mg`` typed for
``µg`` (intrathecal baclofen is dosed in micrograms), ``g`` for ``mg``, the apothecary grain
``gr`` (64.8 mg) read as a gram, or a unit missing altogether. A general units library accepts far
more than a dose can be (``20Mg`` parses as 20 *megagrams* in pint) and costs 0.2-0.4 s to import,
half of the CLI's cold-start budget. So this module parses against an explicit, case-insensitive
table and refuses everything else with a message that says what would be accepted.

Canonical units inside the engines: mass in mg, time in hours, concentration in mg/L.
"""

from __future__ import annotations

import difflib
import math
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dosewise.errors import InputError, UnitError

# --------------------------------------------------------------------------------------------
# Mass and volume units


class DoseUnit(StrEnum):
    """Units a dose can be written in. ``ug`` is shown as µg."""

    NG = "ng"
    UG = "ug"
    MG = "mg"
    G = "g"
    ML = "mL"

    @property
    def symbol(self) -> str:
        return "µg" if self is DoseUnit.UG else self.value

    @property
    def is_mass(self) -> bool:
        return self is not DoseUnit.ML

    @property
    def mg_factor(self) -> float:
        """Milligrams in one of this unit (mass units only)."""
        if not self.is_mass:
            raise ValueError(f"{self.value} is a volume, not a mass")
        return _MG_PER_UNIT[self]


_MG_PER_UNIT: dict[DoseUnit, float] = {
    DoseUnit.NG: 1e-6,
    DoseUnit.UG: 1e-3,
    DoseUnit.MG: 1.0,
    DoseUnit.G: 1e3,
}

# Every spelling accepted, lower-cased. Both micro signs: U+00B5 (µ, keyboard) and
# U+03BC (μ, Greek).
_UNIT_SPELLINGS: dict[str, DoseUnit] = {
    **dict.fromkeys(["ng", "nanogram", "nanograms"], DoseUnit.NG),
    **dict.fromkeys(
        ["ug", "µg", "μg", "mcg", "mcgs", "microgram", "micrograms", "microgramme", "microgrammes"],
        DoseUnit.UG,
    ),
    **dict.fromkeys(
        ["mg", "mgs", "milligram", "milligrams", "milligramme", "milligrammes"], DoseUnit.MG
    ),
    **dict.fromkeys(["g", "gs", "gram", "grams", "gramme", "grammes"], DoseUnit.G),
    **dict.fromkeys(
        ["ml", "mls", "milliliter", "milliliters", "millilitre", "millilitres"], DoseUnit.ML
    ),
}

# Spellings refused on purpose, with the reason shown to the person.
_REFUSED_UNITS: dict[str, str] = {
    "gr": "'gr' is ambiguous: it can mean grams or the apothecary grain (64.8 mg)",
    "grain": "grains (64.8 mg) are not accepted to avoid confusion with grams",
    "grains": "grains (64.8 mg) are not accepted to avoid confusion with grams",
    "kg": "kilograms are not a dose unit (for a dose per body weight write e.g. 2 mg/kg)",
    "cc": "'cc' is not accepted: write mL",
    "l": "litres are not accepted as a dose: write mL",
    "oz": "ounces are not accepted: write mL or g",
    "iu": "international units are not used for any substance here",
    "tab": "tablets vary in strength: write the amount in mg (e.g. 2 × 10 mg tablets = 20mg)",
    "tabs": "tablets vary in strength: write the amount in mg (e.g. 2 × 10 mg tablets = 20mg)",
    "tablet": "tablets vary in strength: write the amount in mg (e.g. 2 × 10 mg tablets = 20mg)",
    "tablets": "tablets vary in strength: write the amount in mg (e.g. 2 × 10 mg tablets = 20mg)",
    "pill": "pills vary in strength: write the amount in mg",
    "pills": "pills vary in strength: write the amount in mg",
}

# Short unit spellings a typo is likely to be near ("mmg", "mgg", "mcq"): refused, never
# taken as a substance-defined count unit such as "drink".
_SHORT_SPELLINGS = [s for s in _UNIT_SPELLINGS if len(s) <= 4]

ACCEPTED_DOSE_UNITS = "mg, g, µg (also mcg or ug), ng, mL, optionally per kg (mg/kg)"
DOSE_EXAMPLES = "20mg, 20 mg, 0.02 g, 75mcg, 75 µg, 1.5g, 2 mg/kg"

# Above this a mass is not a dose of anything: a typo or a unit error (1 kg).
MAX_PLAUSIBLE_MASS_MG = 1e6
MAX_PLAUSIBLE_VOLUME_ML = 5000.0
MAX_PLAUSIBLE_COUNT = 1000.0

_NUMBER = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
_DOSE_RE = re.compile(
    rf"^(?P<approx>~|≈|approx\.?|about|ca\.?)?\s*(?P<num>{_NUMBER})\s*(?P<unit>.*?)\s*$",
    re.IGNORECASE,
)
_SPECIAL_NUMBER_RE = re.compile(r"^[-+]?(nan|inf|infinity)\b", re.IGNORECASE)
_COUNT_UNIT_RE = re.compile(r"^[a-z][a-z \-]*[a-z]$|^[a-z]$")


def _format_number(value: float) -> str:
    """Shortest text that reads back as exactly ``value`` (no trailing ``.0``)."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text


def _parse_number(text: str, original: str) -> float:
    if "," in text:
        whole, _, frac = text.partition(",")
        if "." in text or len(frac) == 3:
            raise InputError(
                f"{original!r} is ambiguous: the comma could separate thousands or decimals",
                field="dose",
                accepted="a plain number with a decimal point, e.g. 1500mg or 1.5g",
            )
        text = f"{whole}.{frac}"
    return float(text)


class Dose(BaseModel):
    """An amount as a person gave it, in a canonical unit spelling.

    ``unit`` is a :class:`DoseUnit` value (``"mg"``, ``"ug"``, ``"g"``, ``"ng"``, ``"mL"``) or a
    count unit a substance defines (``"drink"`` for alcohol). ``per_kg`` marks a dose per body
    weight; ``estimated`` a dose the person marked as approximate (``~20mg``).
    """

    model_config = ConfigDict(frozen=True)

    value: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    unit: str
    per_kg: bool = False
    estimated: bool = False

    @field_validator("unit")
    @classmethod
    def _unit_known_shape(cls, unit: str) -> str:
        if unit in DoseUnit._value2member_map_ or _COUNT_UNIT_RE.match(unit):
            return unit
        raise ValueError(f"unit {unit!r} is not a dose unit ({ACCEPTED_DOSE_UNITS})")

    @model_validator(mode="after")
    def _plausible(self) -> Dose:
        # The same ceilings parse_dose applies to typed text, for doses given as structured
        # values (API bodies, imports): an impossible amount is a typo or a unit error.
        unit = self.dose_unit
        if (
            unit is not None
            and unit.is_mass
            and self.value * unit.mg_factor > MAX_PLAUSIBLE_MASS_MG
        ):
            raise ValueError(
                f"{self.value:g} {self.unit} is more than 1 kg, not a dose of anything"
            )
        if unit is not None and not unit.is_mass and self.value > MAX_PLAUSIBLE_VOLUME_ML:
            raise ValueError(
                f"{self.value:g} {self.unit} is more than {MAX_PLAUSIBLE_VOLUME_ML:g} mL"
            )
        if unit is None and self.value > MAX_PLAUSIBLE_COUNT:
            raise ValueError(f"{self.value:g} {self.unit} is more than {MAX_PLAUSIBLE_COUNT:g}")
        return self

    @property
    def dose_unit(self) -> DoseUnit | None:
        """The unit as a :class:`DoseUnit`, or ``None`` for a count unit such as ``drink``."""
        return DoseUnit(self.unit) if self.unit in DoseUnit._value2member_map_ else None

    @property
    def is_mass(self) -> bool:
        unit = self.dose_unit
        return unit is not None and unit.is_mass

    def mass_mg(self, weight_kg: float | None = None) -> float:
        """The dose in milligrams.

        Raises
        ------
        UnitError
            For a volume or count unit (convert it with the product's strength first), or a
            per-kg dose without a body weight.
        """
        unit = self.dose_unit
        if unit is None or not unit.is_mass:
            raise UnitError(
                f"{self} is not a mass, so it cannot be converted to mg without knowing the "
                "product's strength",
                field="dose",
                accepted="a mass: " + ACCEPTED_DOSE_UNITS,
            )
        mg = self.value * unit.mg_factor
        if self.per_kg:
            if weight_kg is None:
                raise UnitError(
                    f"{self} is a dose per body weight; a body weight is needed to assess it",
                    field="weight",
                    accepted="a body weight in kg, e.g. --weight 70kg",
                )
            mg *= weight_kg
        return mg

    @property
    def unit_symbol(self) -> str:
        unit = self.dose_unit
        return unit.symbol if unit is not None else self.unit

    def __str__(self) -> str:
        prefix = "~" if self.estimated else ""
        suffix = "/kg" if self.per_kg else ""
        return f"{prefix}{_format_number(self.value)} {self.unit_symbol}{suffix}"


def parse_dose(text: str, *, allow_count_units: bool = True) -> Dose:
    """Parse a dose as a person types it.

    Accepts ``20mg``, ``20 mg``, ``0.02 g``, ``75mcg``, ``75 µg``, ``75ug``, ``1.5g``, ``2 mg/kg``,
    ``~20mg`` (estimated), a decimal comma (``0,5 mg``), and, when ``allow_count_units``, a count
    unit word (``2 drinks``) that the substance must define.

    Raises
    ------
    InputError
        Empty input, no number, zero, negative, NaN or infinite values, an ambiguous comma.
    UnitError
        No unit, an unknown or refused unit, or an amount no dose could be.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(
            "No dose was given",
            field="dose",
            accepted=f"a number with a unit, e.g. {DOSE_EXAMPLES}",
        )
    raw = text.strip()
    if _SPECIAL_NUMBER_RE.match(raw):
        raise InputError(
            f"{raw!r} is not a number",
            field="dose",
            accepted=f"a positive number with a unit, e.g. {DOSE_EXAMPLES}",
        )
    match = _DOSE_RE.match(raw)
    if match is None:
        raise InputError(
            f"{raw!r} does not start with a number",
            field="dose",
            accepted=f"a number with a unit, e.g. {DOSE_EXAMPLES}",
        )
    value = _parse_number(match["num"], raw)
    unit_text = match["unit"].strip()
    estimated = match["approx"] is not None

    if not math.isfinite(value):
        raise InputError(f"{raw!r} is not a finite number", field="dose", accepted=DOSE_EXAMPLES)
    if value == 0:
        raise InputError(
            "A dose of zero cannot be assessed", field="dose", accepted="an amount above zero"
        )
    if value < 0:
        raise InputError(
            f"A dose cannot be negative ({raw!r})", field="dose", accepted="an amount above zero"
        )
    if not unit_text:
        raise UnitError(
            f"{raw!r} has no unit; the same number means very different amounts in mg, µg or g",
            field="dose",
            accepted=f"a unit after the number, e.g. {_format_number(value)}mg or "
            f"{_format_number(value)}mcg",
        )

    per_kg = False
    unit_lower = unit_text.lower().replace(" ", "")
    for per_kg_suffix in ("/kg", "perkg", "/kgbw"):
        if unit_lower.endswith(per_kg_suffix) and len(unit_lower) > len(per_kg_suffix):
            per_kg = True
            unit_lower = unit_lower[: -len(per_kg_suffix)]
            break

    if unit_lower in _REFUSED_UNITS:
        raise UnitError(_REFUSED_UNITS[unit_lower], field="dose", accepted=f"{ACCEPTED_DOSE_UNITS}")
    unit = _UNIT_SPELLINGS.get(unit_lower)
    if unit is not None:
        _check_plausible(value, unit, raw)
        return Dose(value=value, unit=unit.value, per_kg=per_kg, estimated=estimated)

    word = unit_text.lower().strip()
    near = difflib.get_close_matches(unit_lower, _SHORT_SPELLINGS, n=1, cutoff=0.66)
    if near:
        intended = _UNIT_SPELLINGS[near[0]]
        raise UnitError(
            f"{unit_text!r} is not a dose unit; did you mean {intended.symbol}?",
            field="dose",
            accepted=f"{ACCEPTED_DOSE_UNITS}; e.g. {DOSE_EXAMPLES}",
        )
    if allow_count_units and not per_kg and _COUNT_UNIT_RE.match(word):
        if value > MAX_PLAUSIBLE_COUNT:
            raise UnitError(
                f"{raw!r} is more than any dose could be",
                field="dose",
                accepted=f"at most {MAX_PLAUSIBLE_COUNT:g} {word}",
            )
        return Dose(value=value, unit=_singular(word), per_kg=False, estimated=estimated)
    raise UnitError(
        f"{unit_text!r} is not a dose unit",
        field="dose",
        accepted=f"{ACCEPTED_DOSE_UNITS}; e.g. {DOSE_EXAMPLES}",
    )


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _check_plausible(value: float, unit: DoseUnit, raw: str) -> None:
    if unit.is_mass:
        if value * unit.mg_factor > MAX_PLAUSIBLE_MASS_MG:
            raise UnitError(
                f"{raw!r} is more than 1 kg, which is not a dose of anything; "
                "please check the number and the unit",
                field="dose",
                accepted=f"an amount in {ACCEPTED_DOSE_UNITS}",
            )
    elif value > MAX_PLAUSIBLE_VOLUME_ML:
        raise UnitError(
            f"{raw!r} is more than {MAX_PLAUSIBLE_VOLUME_ML:g} mL; please check the number",
            field="dose",
            accepted="a volume in mL",
        )


# --------------------------------------------------------------------------------------------
# Routes


class Route(StrEnum):
    """Routes of administration."""

    ORAL = "oral"
    SUBLINGUAL = "sublingual"
    BUCCAL = "buccal"
    INSUFFLATED = "insufflated"
    INHALED = "inhaled"
    SMOKED = "smoked"
    INTRAVENOUS = "intravenous"
    INTRAMUSCULAR = "intramuscular"
    SUBCUTANEOUS = "subcutaneous"
    RECTAL = "rectal"
    TRANSDERMAL = "transdermal"
    INTRATHECAL = "intrathecal"

    @property
    def label(self) -> str:
        return self.value.capitalize()


_ROUTE_ALIASES: dict[str, Route] = {
    **{r.value: r for r in Route},
    "po": Route.ORAL,
    "by mouth": Route.ORAL,
    "mouth": Route.ORAL,
    "swallowed": Route.ORAL,
    "drink": Route.ORAL,
    "sl": Route.SUBLINGUAL,
    "under the tongue": Route.SUBLINGUAL,
    "nasal": Route.INSUFFLATED,
    "intranasal": Route.INSUFFLATED,
    "snorted": Route.INSUFFLATED,
    "snort": Route.INSUFFLATED,
    "vaporized": Route.INHALED,
    "vaporised": Route.INHALED,
    "vaped": Route.INHALED,
    "inhalation": Route.INHALED,
    "iv": Route.INTRAVENOUS,
    "injected": Route.INTRAVENOUS,
    "im": Route.INTRAMUSCULAR,
    "sc": Route.SUBCUTANEOUS,
    "subq": Route.SUBCUTANEOUS,
    "sub-q": Route.SUBCUTANEOUS,
    "pr": Route.RECTAL,
    "patch": Route.TRANSDERMAL,
    "it": Route.INTRATHECAL,
    "itb": Route.INTRATHECAL,
    "pump": Route.INTRATHECAL,
    "spinal": Route.INTRATHECAL,
}


def parse_route(text: str) -> Route:
    """Parse a route name or common abbreviation (``po``, ``iv``, ``it``, ``sl``...)."""
    key = " ".join(str(text).strip().lower().split())
    route = _ROUTE_ALIASES.get(key)
    if route is None:
        raise InputError(
            f"{text!r} is not a route of administration",
            field="route",
            accepted=", ".join(r.value for r in Route) + " (or po, iv, im, sc, sl, it)",
        )
    return route


# --------------------------------------------------------------------------------------------
# Concentrations

_MG_PER_L_PER_UNIT: dict[str, float] = {
    "mg/l": 1.0,
    "ug/ml": 1.0,
    "µg/ml": 1.0,
    "μg/ml": 1.0,
    "mcg/ml": 1.0,
    "ng/ml": 1e-3,
    "ug/l": 1e-3,
    "µg/l": 1e-3,
    "μg/l": 1e-3,
    "mcg/l": 1e-3,
    "g/l": 1e3,
    "mg/dl": 10.0,
    "g/dl": 1e4,
}

ACCEPTED_CONCENTRATION_UNITS = (
    "mg/L, µg/mL, ng/mL, µg/L, g/L, mg/dL, g/dL, µmol/L (with a molar mass)"
)


def concentration_to_mg_per_l(
    value: float, unit: str, *, molar_mass_g_per_mol: float | None = None
) -> float:
    """Convert a concentration to mg/L.

    ``µmol/L`` needs the molar mass (baclofen: 213.66 g/mol): 1 µmol/L × M g/mol = M µg/L.
    """
    key = unit.strip().lower().replace(" ", "")
    if key in _MG_PER_L_PER_UNIT:
        return value * _MG_PER_L_PER_UNIT[key]
    if key in {"umol/l", "µmol/l", "μmol/l"}:
        if molar_mass_g_per_mol is None:
            raise UnitError("µmol/L needs the substance's molar mass to convert", field="unit")
        return value * molar_mass_g_per_mol * 1e-3
    raise UnitError(
        f"{unit!r} is not a concentration unit",
        field="unit",
        accepted=ACCEPTED_CONCENTRATION_UNITS,
    )


def is_concentration_unit(unit: str) -> bool:
    key = unit.strip().lower().replace(" ", "")
    return key in _MG_PER_L_PER_UNIT or key in {"umol/l", "µmol/l", "μmol/l"}


# --------------------------------------------------------------------------------------------
# Durations

_DURATION_RE = re.compile(
    r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|"
    r"hours?|d|day|days|w|wk|wks|weeks?)\s*$",
    re.IGNORECASE,
)
_HOURS_PER: dict[str, float] = {"s": 1 / 3600, "m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
ACCEPTED_DURATIONS = "a number with s, min, h, d or w, e.g. 30min, 8h, 7d, 2w"


def parse_duration_h(text: str, *, field: str = "duration") -> float:
    """Parse ``30min``, ``8h``, ``7 days``, ``2w`` into hours (must be above zero)."""
    match = _DURATION_RE.match(str(text))
    if match is None:
        raise InputError(f"{text!r} is not a duration", field=field, accepted=ACCEPTED_DURATIONS)
    unit = match["unit"].lower()
    key = "m" if unit.startswith("mi") or unit == "m" else unit[0]
    hours = float(match["num"]) * _HOURS_PER[key]
    if hours <= 0:
        raise InputError(
            f"{text!r} must be longer than zero", field=field, accepted=ACCEPTED_DURATIONS
        )
    return hours


def format_hours(hours: float) -> str:
    """A duration for people: ``45 min``, ``1 h 15 min``, ``12.5 h``, ``2 d 4 h``."""
    if not math.isfinite(hours):
        return "—"
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    if hours < 10:
        whole, rest = divmod(minutes, 60)
        return f"{whole} h {rest} min" if rest else f"{whole} h"
    if hours < 48:
        text = f"{round(hours * 2) / 2:.1f}".removesuffix(".0")
        return f"{text} h"
    days = int(hours // 24)
    rest_h = round(hours - days * 24)
    return f"{days} d {rest_h} h" if rest_h else f"{days} d"


def format_hours_range(low: float, high: float) -> str:
    """A range of durations with the unit once where possible: ``15–45 min``, ``3–6 h``."""
    if low == high:
        return format_hours(low)
    if high < 1:
        return f"{round(low * 60)}–{round(high * 60)} min"
    low_text, high_text = format_hours(low), format_hours(high)
    if low >= 1 and low_text.endswith(" h") and high_text.endswith(" h") and " min" not in low_text:
        return f"{low_text[:-2]}–{high_text}"
    return f"{low_text}–{high_text}"

"""One exception family, with messages written for a person.

Every error says what was wrong, names the field it concerns where there is one, and says what
would be accepted. Interfaces print ``str(error)`` without a traceback (CLI, exit code 2) or map
:meth:`DosewiseError.to_dict` to a 4xx JSON body (HTTP API).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


class DosewiseError(Exception):
    """Base class of every error dosewise raises on purpose.

    Parameters
    ----------
    message
        What was wrong, in plain language.
    field
        The input field or data field concerned (``"dose"``, ``"routes[0].tiers[1].light"``).
    accepted
        What would have been accepted instead.
    hint
        Anything else that helps the person fix it (a likely intended value, a suggestion).
    """

    code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        accepted: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.accepted = accepted
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [_sentence(self.message)]
        if self.accepted:
            parts.append(_sentence(f"Accepted: {self.accepted}"))
        if self.hint:
            parts.append(_sentence(self.hint))
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the error (for ``--format json`` and the HTTP API)."""
        out: dict[str, Any] = {"error": self.code, "message": str(self)}
        if self.field is not None:
            out["field"] = self.field
        if self.accepted is not None:
            out["accepted"] = self.accepted
        if self.hint is not None:
            out["hint"] = self.hint
        return out


class InputError(DosewiseError):
    """Input from a person or a client that cannot be used as given. Nothing was changed."""

    code = "bad_input"


class UnitError(InputError):
    """A dose whose unit is missing, unknown, or probably wrong (a real cause of overdose)."""

    code = "unit_error"


class NotFoundError(InputError):
    """A record asked for by its id (e.g. a journal entry) that does not exist."""

    code = "not_found"


class UnknownSubstanceError(InputError):
    """A substance name that matches no name, alias or brand in the knowledge base."""

    code = "unknown_substance"

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        hint = (
            "Did you mean: " + ", ".join(self.suggestions) + "?"
            if self.suggestions
            else "Try `dosewise search` with part of the name, a brand or a class"
        )
        super().__init__(
            f"No substance called {name!r} is in the knowledge base",
            field="substance",
            hint=hint,
        )

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["suggestions"] = self.suggestions
        return out


class DataError(DosewiseError):
    """A knowledge-base data file that does not follow the schema or refers to something missing.

    Parameters
    ----------
    file
        The data file concerned.
    problems
        One line per problem, each naming the field (``field: what is wrong``).
    """

    code = "bad_data"

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{file}: {len(self.problems)} problem(s) in the data\n{listing}")

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "file": self.file, "problems": self.problems}

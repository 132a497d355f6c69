"""Plumbing shared by every CLI command module: output format, JSON output, error exit.

Kept apart from ``main`` so that command modules (journal, taper, simulate, serve) can import it
at module level while ``main`` imports and registers them, without a circular import.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer

from dosewise.errors import DosewiseError


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class _State:
    format: OutputFormat = OutputFormat.TEXT


STATE = _State()


class DosewiseTyper(typer.Typer):
    """A Typer whose commands turn a :class:`DosewiseError` into a clear message and exit 2.

    The output format is read from the command's ``fmt`` argument before the command runs, so
    an error is printed as JSON when JSON was asked for.
    """

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register = super().command(*args, **kwargs)

        def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(function)
            def wrapper(*f_args: Any, **f_kwargs: Any) -> Any:
                fmt = f_kwargs.get("fmt")
                STATE.format = fmt if isinstance(fmt, OutputFormat) else OutputFormat.TEXT
                try:
                    return function(*f_args, **f_kwargs)
                except DosewiseError as error:
                    fail(error)

            register(wrapper)
            return function

        return decorator


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format", "-f", help="text for people, json for programs.", case_sensitive=False
    ),
]


def emit_json(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(error: DosewiseError, exit_code: int = 2) -> NoReturn:
    """Print an error for a person (stderr) or a program (JSON on stdout) and exit."""
    if STATE.format is OutputFormat.JSON:
        emit_json(error.to_dict())
    else:
        from rich.console import Console

        console = Console(stderr=True, highlight=False)
        from rich.markup import escape

        console.print(f"[bold red]Error:[/] {escape(str(error))}", soft_wrap=True)
    raise typer.Exit(exit_code)

"""Errors as JSON with a 4xx status and the message the CLI prints; never a stack trace.

* :class:`~dosewise.errors.UnknownSubstanceError` → 404 with ``suggestions``;
* any other :class:`~dosewise.errors.DosewiseError` (bad input, unit error) → 422;
* a request that does not match the OpenAPI document → 422, naming the first field;
* an unknown path → 404; anything unexpected → 500 with a plain message (logged, not sent).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from dosewise.api.models import ErrorBody
from dosewise.errors import DosewiseError, NotFoundError, UnknownSubstanceError

log = logging.getLogger("dosewise.api")

INTERNAL_MESSAGE = (
    "Something went wrong on our side and nothing was assessed. Please try again; if it keeps "
    "happening, report it. If someone may be in danger, call your local emergency number now."
)


def _json_error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A body that could not be read (not JSON/UTF-8)."},
    404: {
        "model": ErrorBody,
        "description": "Unknown substance (with suggestions), journal entry or path.",
    },
    422: {"model": ErrorBody, "description": "Input that cannot be used; nothing was assessed."},
}


def status_for(error: DosewiseError) -> int:
    return 404 if isinstance(error, UnknownSubstanceError | NotFoundError) else 422


def _location(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = _location(first.get("loc", ()))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    out: dict[str, Any] = {"error": "bad_input", "message": f"{field}: {message}."}
    out["field"] = field
    if len(errors) > 1:
        out["hint"] = f"{len(errors) - 1} more problem(s) in the request."
    return out


PageRenderer = Callable[[Request, int, dict[str, Any]], Response]


def set_page_renderer(app: FastAPI, renderer: PageRenderer) -> None:
    """Errors outside ``/api/`` are shown as an HTML page rendered by ``renderer``."""
    app.state.error_page = renderer


def _respond(
    request: Request, body: dict[str, Any], status: int, headers: Mapping[str, str] | None = None
) -> Response:
    renderer: PageRenderer | None = getattr(request.app.state, "error_page", None)
    if renderer is not None and not request.url.path.startswith(("/api/", "/static/")):
        try:
            return renderer(request, status, body)
        except Exception:  # never let a broken error page hide the error
            log.exception("error page failed")
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document lists at this path (Starlette's 405 names only the
    methods of the first route that matched the path)."""
    table: list[tuple[re.Pattern[str], list[str]]] | None = getattr(
        request.app.state, "allowed_methods", None
    )
    if table is None:
        table = []
        for path, operations in request.app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path))
            table.append((re.compile(f"^{pattern}$"), sorted(m.upper() for m in operations)))
        request.app.state.allowed_methods = table
    path = request.url.path
    return sorted({m for pattern, methods in table if pattern.match(path) for m in methods})


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``: JSON under ``/api/``, an HTML page elsewhere."""

    @app.exception_handler(DosewiseError)
    async def _dosewise(request: Request, exc: DosewiseError) -> Response:
        return _respond(request, exc.to_dict(), status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _respond(request, validation_body(exc), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = "not_found" if exc.status_code == 404 else "http_error"
        message = "Nothing is at this address." if exc.status_code == 404 else str(exc.detail)
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        if exc.status_code == 405:
            headers["allow"] = ", ".join(allowed_methods(request)) or headers.get("allow", "")
            message = f"This address accepts {headers['allow']}."
        return _respond(request, {"error": code, "message": message}, exc.status_code, headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal", "message": INTERNAL_MESSAGE}, status_code=500)


FILE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _json_error("A body that could not be read (not JSON/UTF-8)."),
    404: _json_error("Unknown substance (with suggestions) or path."),
    422: _json_error("Input that cannot be used; nothing was done."),
}
"""Error responses of endpoints that answer with a file: the errors are still JSON."""


def file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of an endpoint answering with a file of one of ``media_types``."""
    content = {
        m: {"schema": {"type": "object" if m.endswith("json") else "string"}} for m in media_types
    }
    return {200: {"content": content}, **FILE_ERRORS}

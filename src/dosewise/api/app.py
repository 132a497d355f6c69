"""The application: the JSON API under ``/api/v1``, the pages, and the static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from dosewise import __version__
from dosewise.api import errors, journal, v1

DESCRIPTION = """Evidence-based dose safety: substance facts with their sources, dose checks,
combinations, emergency guidance, pharmacokinetic timelines, taper plans and a
journal. Request and response bodies are the engines' models.

Errors are JSON (`error`, `message`, and where useful `field`, `accepted`, `hint`,
`suggestions`): 404 for an unknown substance, 422 for input that cannot be used.

dosewise gives information, not medical advice. If someone may be in danger, call your local
emergency number."""


def create_app(*, database_url: str | None = None, web: bool = True) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    database_url
        The journal database (SQLAlchemy URL); ``None`` for the default embedded SQLite file.
    web
        Serve the HTML pages and static files as well as the API.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        journal.open_service(app)  # open (and migrate) the journal now: fail early, clearly
        try:
            yield
        finally:
            journal.close_service(app)

    app = FastAPI(
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load Swagger UI and ReDoc from a CDN; the app must
        # work offline, so only the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
        title="dosewise",
        version=__version__,
        description=DESCRIPTION,
        license_info={"name": "MIT"},
    )
    app.state.database_url = database_url
    errors.install(app)
    app.include_router(v1.router)
    app.include_router(journal.router)
    if web:
        from dosewise.web import pages

        pages.install(app)
    return app

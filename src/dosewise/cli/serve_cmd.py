"""``dosewise serve``: the web app and HTTP API on this machine (loopback unless told otherwise).

The journal database is the embedded SQLite file by default; ``--db URL`` or
``DOSEWISE_DATABASE_URL`` chooses another (e.g. PostgreSQL).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _display_url(url: str) -> str:
    """The database URL with any password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported by the journal when opened
        return url


def database_url(db: str | None) -> str:
    """``--db``, else ``DOSEWISE_DATABASE_URL``, else the default embedded SQLite file."""
    from dosewise.journal.db import resolve_url

    return resolve_url(db)


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on. 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Journal database URL (default: DOSEWISE_DATABASE_URL, else the embedded "
            "SQLite file).",
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Start the web app and the HTTP API and print the address to open."""
    import uvicorn

    from dosewise.api import create_app
    from dosewise.journal.db import open_journal

    url = database_url(db)
    open_journal(url).close()  # create or migrate it now: a bad URL fails here, clearly
    app = create_app(database_url=url)
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}/"
    print(f"dosewise is running at {address}  (API: {address}openapi.json)", flush=True)
    print(f"Journal database: {_display_url(url)}", flush=True)
    if host not in LOOPBACK:
        print(
            f"Warning: listening on {host}: other machines on the network can reach it.",
            file=sys.stderr,
            flush=True,
        )
    print("Press Ctrl+C to stop.", flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level)

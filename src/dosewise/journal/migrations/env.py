"""Alembic environment: migrations run on the connection handed over by ``journal.db.upgrade``.

Used from the command line too (``alembic -x url=sqlite:///journal.sqlite3 upgrade head`` with a
config pointing here), in which case it opens its own connection.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from dosewise.journal.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from dosewise.journal.db import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url")
    engine = make_engine(url)
    with engine.execution_options(dosewise_write=True).connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported for the journal")
run_migrations_online()

"""The journal: what was taken and when, what is active now, tolerance, imports and exports.

Layers (see ``docs/journal.md``):

* :mod:`~dosewise.journal.db`, :mod:`~dosewise.journal.models`, ``migrations/``: storage
  (SQLAlchemy 2 and Alembic; SQLite by default, PostgreSQL by URL);
* :mod:`~dosewise.journal.activity`: the only module that calls the pharmacokinetic engine;
* :mod:`~dosewise.journal.status`, :mod:`~dosewise.journal.tolerance`: pure engines (``now`` is
  an argument);
* :mod:`~dosewise.journal.service`, :mod:`~dosewise.journal.io`: one transaction per operation.
"""

"""Test-wide settings: the catalog is always validated from the data files, never from a cache
left on the machine (the cache itself is tested in tests/unit/knowledge/test_catalog.py)."""

from __future__ import annotations

import os

os.environ["DOSEWISE_NO_CACHE"] = "1"

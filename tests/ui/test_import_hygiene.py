"""What importing the application costs: "I dag" paints before the database, the migrations,
PIN hashing or the intake's validation are needed, so none of them is loaded by the import.

Each of these takes tens of milliseconds to import (benchmarks/startup.py); they are imported
inside the functions that use them, in a worker after the first frame.
"""

from __future__ import annotations

import json
import subprocess
import sys

NOT_AT_START = ("sqlalchemy", "alembic", "argon2", "pydantic", "plotext", "textual_plotext")

LOADED = """
import json, sys
import skranke.ui.app
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _loaded_by_importing_the_app() -> set[str]:
    # A fresh interpreter: this test process has imported everything already.
    finished = subprocess.run([sys.executable, "-c", LOADED], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(finished.stdout))


def test_importing_the_app_loads_no_database_hashing_or_validation_library() -> None:
    loaded = _loaded_by_importing_the_app()
    assert "textual" in loaded and "skranke" in loaded  # the import did run
    assert sorted(loaded & set(NOT_AT_START)) == []

"""skranke.sync works on plain values: no store, no database library, no UI, no clock."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("skranke.store", "skranke.clock", "skranke.services", "skranke.ui", "sqlalchemy", "textual")


def test_sync_imports_no_store_ui_or_clock() -> None:
    code = (
        "import sys\n"
        "import skranke.sync, skranke.sync.reader, skranke.sync.rows, skranke.sync.outbox\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""

"""The domain reads no clock: "now" is always handed in (import-linter keeps out the modules)."""

from __future__ import annotations

import ast
from pathlib import Path

import skranke.domain

CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}
CLOCK_OWNERS = {"datetime", "date", "time"}


def test_no_clock_reads_in_the_domain() -> None:
    offenders = []
    for path in Path(skranke.domain.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in CLOCK_OWNERS
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []

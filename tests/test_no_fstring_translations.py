"""A translated string inside an f-string is never extracted, so it is never translated."""

from __future__ import annotations

import re
from pathlib import Path

import skranke

SOURCE = Path(skranke.__file__).resolve().parent
CALL_IN_FSTRING = re.compile(r"""\bf(["']).*?\{_\(""")


def test_no_gettext_call_inside_an_f_string() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in SOURCE.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CALL_IN_FSTRING.search(line)
    ]
    assert offenders == []

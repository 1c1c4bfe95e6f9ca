"""What every command prints the same way: JSON answers and warnings on stderr."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from typing import Any

from skranke.clock import to_local

# An ISO date-time as JSON carries it: with seconds, fractions and an offset (or Z), or naive.
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def copenhagen_times(value: Any) -> Any:
    """Every date-time in a JSON answer in Copenhagen time with its offset (+01:00/+02:00), so a
    script never meets UTC from the store beside local time from the clock (DESIGN §3)."""
    if isinstance(value, dict):
        return {key: copenhagen_times(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [copenhagen_times(item) for item in value]
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # A naive one can only be the clock's own (Copenhagen) time: the store's come back in UTC.
        return to_local(moment).isoformat()
    return value


def print_json(value: dict[str, Any]) -> None:
    print(json.dumps(copenhagen_times(value), ensure_ascii=False, indent=2))


def warn(text: str) -> None:
    print(f"skranke: {text}", file=sys.stderr)

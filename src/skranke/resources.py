"""Where the shipped styles/ and data/ folders are, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """`styles` or `data`: inside the installed wheel, else at the top of the checkout."""
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"skranke is installed without its {name}/ folder ({installed})")


def sites_dir() -> Path:
    return resource_dir("data") / "sites"


def styles_dir() -> Path:
    return resource_dir("styles")

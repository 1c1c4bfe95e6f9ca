"""Who runs a command: --staff (or SKRANKE_STAFF) with the PIN from SKRANKE_PIN or a prompt."""

from __future__ import annotations

import sys

from skranke.i18n import _
from skranke.services.access import AccessError, Actor
from skranke.services.context import Skranke
from skranke.services.staff import StaffInputError


def read_pin(prompt: str, variable: str, twice: bool = False) -> str:
    import getpass
    import os

    given = os.environ.get(variable)
    if given:
        return given
    if not sys.stdin.isatty():
        raise AccessError(_("No PIN: set {variable} or run the command in a terminal.").format(variable=variable))
    pin = getpass.getpass(prompt)
    if twice and getpass.getpass(_("Once more: ")) != pin:
        raise StaffInputError(_("The two PINs differ."))
    return pin


def signed_in_actor(skranke: Skranke) -> Actor | None:
    """The --staff / SKRANKE_STAFF person, signed in with SKRANKE_PIN or a hidden prompt; else None."""
    from skranke.services.staff import sign_in

    initials = skranke.settings.staff
    if not initials:
        return None
    return sign_in(skranke, initials, read_pin(_("PIN for {staff}: ").format(staff=initials.upper()), "SKRANKE_PIN"))


def needs_actor(skranke: Skranke) -> Actor:
    actor = signed_in_actor(skranke)
    if actor is None:
        raise AccessError(_("Sign in with --staff INITIALS (or SKRANKE_STAFF) and the PIN in SKRANKE_PIN."))
    return actor

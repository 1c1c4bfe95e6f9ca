"""Without a command: the application."""

from __future__ import annotations

import argparse
import sys

from skranke.cli.errors import EXIT_DATABASE, EXIT_OK
from skranke.services.context import Skranke


def run_app(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.ui.app import SkrankeApp

    app = SkrankeApp(skranke)
    app.run()
    if app.database_fault is not None:
        # Quit while the database could not be used: say so where scripts and the log see it.
        print(f"skranke: {app.database_fault}", file=sys.stderr)
        return EXIT_DATABASE
    return EXIT_OK

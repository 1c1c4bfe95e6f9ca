"""The `skranke` console script: Python's cycle collector held back while the application starts.

Start-up makes some 200,000 objects that live as long as the process (modules, classes, the
first screen's widgets), and none of them is garbage yet; every full collection during the
imports and the first frame walks them all again for nothing (~20 ms of the first frame,
benchmarks/startup.py). The collector is turned on again before a command does its work
(`cli.main`) or, for the application, once its first screen has settled
(`collector.keep_start_up_objects`, which first collects and freezes what start-up made).
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from skranke.cli import main as run  # after: the imports are most of what start-up makes

    return run()

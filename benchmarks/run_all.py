"""Every benchmark, one after the other, with the default sizes (or `--quick`: fewer runs).

Each prints its figure beside its baseline, measured in the same run, with peak RSS.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = {
    "startup.py": ["--runs", "3"],
    "commands.py": ["--runs", "3"],
    "import_rows.py": ["--runs", "1"],
    "deadlines.py": ["--runs", "2"],
    "report.py": ["--runs", "2"],
    "dispensing_queue.py": ["--runs", "2"],
    "search.py": ["--runs", "1"],
    "audit_chain.py": ["--runs", "1"],
    "encryption.py": ["--runs", "1", "--rows", "50000"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs of each (noisier)")
    args = parser.parse_args()
    failed = []
    for script, quick in BENCHMARKS.items():
        print(f"\n### {script}", flush=True)
        if subprocess.run([sys.executable, str(HERE / script), *(quick if args.quick else [])]).returncode:
            failed.append(script)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

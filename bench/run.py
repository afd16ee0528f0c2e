"""Runs every benchmark of Tunas (``make bench``): each ``bench/*_bench.py`` in turn, arguments passed on.

python bench/run.py [--db sqlite|postgresql|both] [--repeat N] …
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    failed = []
    for script in sorted(HERE.glob("*_bench.py")):
        print(f"### {script.stem}", flush=True)
        done = subprocess.run([sys.executable, str(script), *argv], check=False)  # noqa: S603
        if done.returncode:
            failed.append(script.stem)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

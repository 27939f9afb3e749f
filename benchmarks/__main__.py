"""Run every ``benchmarks/bench_*.py`` module's ``run()`` in name order and print its table.

Usage: ``python -m benchmarks [NAME ...]``; with names, only the modules whose
name contains one of them (e.g. ``python -m benchmarks convolution sparse``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from benchmarks import single_threaded


def discover() -> list[str]:
    """Module names ``bench_*`` in this package, sorted by name."""
    here = Path(__file__).resolve().parent
    return sorted(info.name for info in pkgutil.iter_modules([str(here)])
                  if info.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    wanted = sys.argv[1:] if argv is None else argv
    names = [n for n in discover() if not wanted or any(w in n for w in wanted)]
    if not names:
        print(f"no benchmark matches {wanted}; available: {', '.join(discover())}",
              file=sys.stderr)
        return 2
    failed = []
    with single_threaded():
        for name in names:
            print(f"== {name} ==", flush=True)
            start = time.perf_counter()
            try:
                module = importlib.import_module(f"benchmarks.{name}")
                print(module.run())
            except Exception as exc:  # report and carry on with the other tables
                failed.append(name)
                print(f"FAILED: {type(exc).__name__}: {exc}")
            print(f"({time.perf_counter() - start:.1f} s)\n", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

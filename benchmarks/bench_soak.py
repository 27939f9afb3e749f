"""Soak: every slider app driven through many random moves in the kernel (no browser).

For each app (the builders the notebooks call, with their default ranges) the
benchmark sets one control at a time to a random allowed value, ``MOVES``
times (2,000 by default; ``CNNMOTIV_SOAK_MOVES`` overrides), and checks:

* no exception escapes a move (a refused setting is shown in the caption and
  counted as "refused", which is allowed);
* after every move the controls and ``app.result`` agree (for the apps whose
  result is a dict of the control values);
* the process' resident memory (RSS, psutil) is flat after warm-up: the
  growth from the end of the warm-up (first 10 % of the moves) to the end is
  reported, with a goal of at most 20 MB per app;
* moving back to the first state reproduces the first image byte for byte.

This is a benchmark, not a test: it takes minutes and reports numbers.
"""

from __future__ import annotations

import gc
import os
import random
import time

from benchmarks import format_table

MOVES = int(os.environ.get("CNNMOTIV_SOAK_MOVES", "2000"))
RSS_GOAL_MB = 20.0
#: Result keys that hold the value actually used, clamped to the layer (documented).
CLAMPED = ("unit", "highlight")


def apps() -> dict:
    """Builders of every slider app, by name (no arguments: their default ranges)."""
    from cnnmotiv.widgets import builders

    return builders()


def random_value(control, rng: random.Random):
    """A random value the control allows: a slider position or one of its options."""
    if hasattr(control, "options") and not hasattr(control, "min"):
        labels = list(control.options)
        choice = rng.choice(labels)
        return choice[1] if isinstance(choice, tuple) else choice
    steps = (control.max - control.min) // (control.step or 1)
    return control.min + rng.randint(0, steps) * (control.step or 1)


def restore(app, values: dict) -> None:
    """Set every control back to ``values`` (a few passes: one control's range may follow
    another's)."""
    for _ in range(3):
        for name, value in values.items():
            if app.controls[name].value != value:
                app.controls[name].value = value
        if app.values() == values:
            return


def soak(name: str, build, moves: int, seed: int = 0) -> dict:
    """Drive one app through ``moves`` random moves; return what was measured."""
    import psutil

    process = psutil.Process()
    app = build()
    first_values, first_png = app.values(), app.png
    rng = random.Random(seed)
    escaped = refused = disagree = 0
    warm = max(1, moves // 10)
    rss_warm = None
    start = time.perf_counter()
    for i in range(moves):
        control_name = rng.choice(list(app.controls))
        try:
            app.controls[control_name].value = random_value(app.controls[control_name], rng)
        except Exception:  # an escape is what the soak looks for
            escaped += 1
        refused += app.error is not None
        if isinstance(app.result, dict):
            values = app.values()
            disagree += any(app.result[k] != v for k, v in values.items()
                            if k in app.result and k not in CLAMPED)
        if i + 1 == warm:
            gc.collect()
            rss_warm = process.memory_info().rss
    seconds = time.perf_counter() - start
    gc.collect()
    rss_end = process.memory_info().rss
    restore(app, first_values)
    return {"app": name, "moves": moves, "escaped": escaped, "refused": refused,
            "disagree": disagree, "rss_mb": rss_end / 1e6,
            "growth_mb": (rss_end - rss_warm) / 1e6,
            "identical": app.values() == first_values and app.png == first_png,
            "ms_per_move": 1e3 * seconds / moves}


def run(moves: int = MOVES) -> str:
    rows, misses = [], []
    for name, build in apps().items():
        r = soak(name, build, moves)
        ok = (r["escaped"] == 0 and r["disagree"] == 0 and r["identical"]
              and r["growth_mb"] <= RSS_GOAL_MB)
        if not ok:
            misses.append(name)
        rows.append([name, f"{r['moves']:,}", str(r["escaped"]), str(r["refused"]),
                     str(r["disagree"]), f"{r['rss_mb']:.0f}", f"{r['growth_mb']:+.1f}",
                     "yes" if r["identical"] else "NO", f"{r['ms_per_move']:.1f}",
                     "PASS" if ok else "MISS"])
    lines = [f"Soak: {moves:,} random moves per slider app in the kernel; RSS growth from the "
             f"end of warm-up (first 10 %) to the end, goal <= {RSS_GOAL_MB:g} MB; "
             "'back' = the first state's PNG reproduced byte for byte.",
             format_table(["app", "moves", "escaped", "refused", "controls != result",
                           "RSS MB", "growth MB", "back", "ms/move", "status"], rows)]
    if misses:
        lines.append("MISS: " + ", ".join(misses))
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks import single_threaded

    with single_threaded():
        print(run())

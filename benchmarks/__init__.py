"""Benchmarks of cnnmotiv: ``python -m benchmarks`` prints every table.

Each ``benchmarks/bench_*.py`` module defines ``run() -> str``, returning its
table as text. Timings follow :mod:`timeit`: a call is repeated enough times
for one measurement to last a few milliseconds, the measurement is repeated
round-robin over the functions compared, and the median is reported, as CPU
time of the process (the default, robust on a shared machine) and wall time.
Every time is shown next to a reference measured in the same run (a ratio),
so the tables compare like with like on whatever machine runs them.
BLAS/OpenMP pools and OpenCV are pinned to one thread (:func:`single_threaded`).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Timing", "single_threaded", "time_interleaved", "format_table"]


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """Pin BLAS/OpenMP thread pools (threadpoolctl) and OpenCV to one thread.

    threadpoolctl only reaches libraries already loaded, so NumPy's and SciPy's
    BLAS (SciPy ships its own OpenBLAS) are loaded first.
    """
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.signal  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    try:
        import cv2
    except ImportError:  # OpenCV is only needed by some benchmarks
        cv2 = None
    previous = cv2.getNumThreads() if cv2 is not None else None
    with threadpool_limits(limits=1):
        if cv2 is not None:
            cv2.setNumThreads(1)
        try:
            yield
        finally:
            if cv2 is not None:
                cv2.setNumThreads(previous)


def _loops(func: Callable[[], object], min_seconds: float) -> int:
    """Calls per measurement so that one measurement lasts about ``min_seconds``."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            func()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds or number >= 1 << 20:
            return number
        number = max(number * 2, int(number * min_seconds / max(elapsed, 1e-9) * 1.1))


@dataclass(frozen=True)
class Timing:
    """Per-call seconds of several functions measured round-robin, on two clocks.

    ``cpu[name]`` holds one per-call CPU time of this process
    (:func:`time.process_time`, all its threads) per round, ``wall[name]`` the
    elapsed time (:func:`time.perf_counter`). :meth:`median` is the median
    over rounds; :meth:`ratio` the median over rounds of the per-round ratio
    (numerator and denominator measured in the same round, so a slow phase of
    a busy machine affects both alike).

    CPU time is the default: every library runs on one thread here, so it is
    the cost of the computation, without the time the process spent waiting
    for a core that other programs were using.
    """

    cpu: Mapping[str, Sequence[float]]
    wall: Mapping[str, Sequence[float]]

    def _clock(self, clock: str):
        if clock not in ("cpu", "wall"):
            raise ValueError(f"clock must be 'cpu' or 'wall'; got {clock!r}")
        return self.cpu if clock == "cpu" else self.wall

    def median(self, name: str, clock: str = "cpu") -> float:
        return statistics.median(self._clock(clock)[name])

    def ratio(self, name: str, reference: str, clock: str = "cpu") -> float:
        seconds = self._clock(clock)
        return statistics.median(a / b for a, b in zip(seconds[name], seconds[reference]))


def time_interleaved(funcs: Mapping[str, Callable[[], object]], *, rounds: int = 15,
                     min_seconds: float = 0.005, max_seconds: float = 20.0) -> Timing:
    """Time each function ``rounds`` times, one after the other in every round.

    Each measurement loops a function enough times to last ``min_seconds``
    (timeit's autorange) and records the CPU and wall time per call. Rounds
    stop early (keeping at least 3) once ``max_seconds`` have passed.
    """
    for func in funcs.values():  # warm up: caches, allocator, lazy imports
        func()
    numbers = {name: _loops(func, min_seconds) for name, func in funcs.items()}
    cpu: dict[str, list[float]] = {name: [] for name in funcs}
    wall: dict[str, list[float]] = {name: [] for name in funcs}
    begin = time.perf_counter()
    for r in range(rounds):
        for name, func in funcs.items():
            number = numbers[name]
            start_cpu, start = time.process_time(), time.perf_counter()
            for _ in range(number):
                func()
            wall[name].append((time.perf_counter() - start) / number)
            cpu[name].append((time.process_time() - start_cpu) / number)
        if r >= 2 and time.perf_counter() - begin > max_seconds:
            break
    return Timing(cpu, wall)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Plain-text table: first column left-aligned, the others right-aligned."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])

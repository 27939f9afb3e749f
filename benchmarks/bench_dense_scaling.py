"""Dense mat-vec against convolution: the bandwidth-based prediction, the fit as its check.

The dense matrix of a 3x3 layer is timed on square images small enough for it
to fit in memory, and the streaming bandwidth of main memory is measured (a sum
over a 128 MiB array). A dense product reads its matrix once, so at the
280x320 photograph (a 63 GB matrix) it would take *bytes moved / bandwidth*;
the power law ``t = c * m**p`` fitted on the sizes whose matrix no longer fits
in the last-level cache is shown beside it as the check, with the bandwidth
each measured size achieved. The convolution
(:func:`cnnmotiv.convolution.correlate2d`) is timed at the same sizes and at
280x320. BLAS is pinned to one thread (``threadpoolctl``) so both run on one
core.

Run with ``python -m benchmarks`` (all benchmarks) or
``python -m benchmarks.bench_dense_scaling``.
"""

from __future__ import annotations

SIDES = (16, 24, 32, 40, 48, 56, 64)
TARGET = (280, 320)
KERNEL = (3, 3)


def run(sides=SIDES, *, repeats: int = 5) -> str:
    """Time, measure the bandwidth, predict; return the table as text."""
    from cnnmotiv.budget import format_bytes
    from cnnmotiv.timing import dense_conclusion, fit_power_law, scaling_study

    study = scaling_study(sides, KERNEL, target=TARGET, methods=("conv",), repeats=repeats,
                          threads=1)
    dense, conv, fitted = study.dense, study.others["conv"], study.fitted
    conclusion = dense_conclusion(study)
    cache = study.cache_bytes
    macs_fit = fit_power_law(dense.pixels[fitted], dense.macs[fitted])
    k = KERNEL[0] * KERNEL[1]

    lines = [f"Dense mat-vec vs convolution, {KERNEL[0]}x{KERNEL[1]} kernel, valid, float64, "
             f"1 BLAS thread; last-level cache {format_bytes(cache) if cache else 'unknown'}; "
             f"streaming bandwidth {format_bytes(conclusion.bandwidth)}/s "
             f"({study.bandwidth!r})",
             f"{'image':>9} {'m':>6} {'matrix':>9} {'dense':>10} {'conv':>10} "
             f"{'dense GB/s':>10} {'dense GMAC/s':>12} {'conv GMAC/s':>11} {'time ratio':>10} "
             f"{'m/k':>8}"]
    for i, shape in enumerate(dense.shapes):
        lines.append(
            f"{shape[0]:>4}x{shape[1]:<4} {dense.pixels[i]:>6} "
            f"{format_bytes(dense.footprint[i]):>9}{'*' if fitted[i] else ' '}"
            f"{dense.seconds[i] * 1e3:>8.3f}ms {conv.seconds[i] * 1e3:>8.3f}ms "
            f"{dense.nbytes[i] / dense.seconds[i] / 1e9:>10.1f} "
            f"{dense.macs_per_second[i] / 1e9:>12.2f} {conv.macs_per_second[i] / 1e9:>11.2f} "
            f"{dense.seconds[i] / conv.seconds[i]:>10.1f} {dense.pixels[i] / k:>8.1f}")
    e = study.extrapolation
    lines += [
        "* fitted (matrix larger than the cache)",
        f"prediction at {TARGET[0]}x{TARGET[1]}: {e.seconds:.2f} s = {e.traffic:,} bytes moved "
        f"/ {conclusion.bandwidth / 1e9:.2f} GB/s (matrix holds {format_bytes(e.nbytes)}: "
        "not built)",
        f"check: fit p = {study.fit.exponent:.3f} (R^2 {study.fit.r_squared:.3f}) predicts "
        f"{e.fit_seconds:.2f} s, i.e. {e.traffic / e.fit_seconds / 1e9:.1f} GB/s; the MAC count "
        f"grows as m^{macs_fit.exponent:.3f} over the same sizes",
        f"convolution at {TARGET[0]}x{TARGET[1]}: {conclusion.conv_seconds * 1e3:.3f} ms "
        f"({conv.macs_per_second[-1] / 1e9:.2f} GMAC/s)",
        f"time ratio {conclusion.time_ratio:,.0f} vs MAC ratio m/k = {conclusion.mac_ratio:,.1f}",
        str(conclusion),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

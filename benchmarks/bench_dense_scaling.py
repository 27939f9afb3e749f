"""Dense mat-vec against convolution: measured scaling, extrapolation, and the speed-up.

The dense matrix of a 3x3 layer is timed on square images small enough for it
to fit in memory; ``t = c * m**p`` is fitted (``m = H * W``) on the sizes whose
matrix no longer fits in the last-level cache, and extrapolated to the
280x320 photograph, whose matrix would need about 63 GB. The convolution
(:func:`cnnmotiv.convolution.correlate2d`) is timed at the same sizes; the
measured time ratio is compared with the operation-count ratio ``m / k``
(dense MACs over convolution MACs). BLAS is pinned to one thread
(``threadpoolctl``) so both run on one core.

Run with ``python -m benchmarks`` (all benchmarks) or
``python -m benchmarks.bench_dense_scaling``.
"""

from __future__ import annotations

SIDES = (16, 24, 32, 40, 48, 56, 64)
TARGET = (280, 320)
KERNEL = (3, 3)


def run(sides=SIDES, *, repeats: int = 5) -> str:
    """Time, fit, extrapolate; return the table as text."""
    from cnnmotiv._validation import format_bytes
    from cnnmotiv.timing import (extrapolate_dense, fit_power_law, last_level_cache_bytes,
                                 time_convolution, time_dense_matvec)

    cache = last_level_cache_bytes()
    dense = time_dense_matvec(sides, KERNEL, repeats=repeats, threads=1)
    conv = time_convolution(list(sides) + [TARGET], KERNEL, repeats=repeats, threads=1)
    big = dense.nbytes > (cache or 0)
    if big.sum() < 2:  # a huge cache: fit on everything
        big[:] = True
    fit = fit_power_law(dense.pixels[big], dense.seconds[big])
    macs_fit = fit_power_law(dense.pixels[big], dense.macs[big])
    k = KERNEL[0] * KERNEL[1]

    lines = [f"Dense mat-vec vs convolution, {KERNEL[0]}x{KERNEL[1]} kernel, valid, float64, "
             f"1 BLAS thread; last-level cache {format_bytes(cache) if cache else 'unknown'}",
             f"{'image':>9} {'m':>6} {'matrix':>9} {'dense':>10} {'conv':>10} "
             f"{'dense GMAC/s':>12} {'conv GMAC/s':>11} {'time ratio':>10} {'m/k':>8} "
             f"{'time/(m/k)':>10}"]
    for i, shape in enumerate(dense.shapes):
        ratio = dense.seconds[i] / conv.seconds[i]
        mk = dense.pixels[i] / k
        lines.append(
            f"{shape[0]:>4}x{shape[1]:<4} {dense.pixels[i]:>6} "
            f"{format_bytes(dense.nbytes[i]):>9}{'*' if big[i] else ' '}"
            f"{dense.seconds[i] * 1e3:>8.3f}ms {conv.seconds[i] * 1e3:>8.3f}ms "
            f"{dense.macs_per_second[i] / 1e9:>12.2f} {conv.macs_per_second[i] / 1e9:>11.2f} "
            f"{ratio:>10.1f} {mk:>8.1f} {ratio / mk:>10.2f}")
    e = extrapolate_dense(fit, TARGET, KERNEL)
    conv_target = float(conv.seconds[-1])
    mk = e.pixels / k
    lines += [
        "* fitted (matrix larger than the cache)",
        f"fitted exponent p = {fit.exponent:.3f} (R^2 {fit.r_squared:.3f}); "
        f"the MAC count itself grows as m^{macs_fit.exponent:.3f} over the same sizes",
        f"extrapolated dense at {TARGET[0]}x{TARGET[1]}: {e.seconds:.2f} s per product, "
        f"matrix {e.nbytes:,} bytes ({format_bytes(e.nbytes)}): not built",
        f"convolution at {TARGET[0]}x{TARGET[1]}: {conv_target * 1e3:.3f} ms "
        f"({conv.macs_per_second[-1] / 1e9:.2f} GMAC/s)",
        f"extrapolated time ratio {e.seconds / conv_target:,.0f} vs MAC ratio m/k = {mk:,.1f} "
        f"-> time ratio / MAC ratio = {e.seconds / conv_target / mk:.2f}",
        f"bytes read per MAC: dense {dense.bytes_per_mac[big][-1]:.2f}, "
        f"conv {conv.bytes_per_mac[-1]:.2f} (image and kernel once; reused from cache)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

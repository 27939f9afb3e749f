"""Speed of :func:`cnnmotiv.convolution.correlate2d` ('valid') against OpenCV and SciPy.

Workloads (random image and kernel, seeded; W2 is the section's edge kernel):

====  ==========  ===========  =====================================================
name  image       kernel       goal (time ratio cnnmotiv / reference)
====  ==========  ===========  =====================================================
W1    280 x 320   3 x 3        <= 1.5 x cv2.filter2D and <= 1/8 x signal.correlate2d
W2    280 x 320   1 x 2        <= 3 x cv2.filter2D
W3    1024x1024   3 x 3        <= 3 x cv2.filter2D
W4    280 x 320   7 x 7        <= 3 x cv2.filter2D
====  ==========  ===========  =====================================================

each in float64 and float32. References: ``cv2.filter2D`` (a correlation,
anchor at the kernel's corner, output cropped to the 'valid' region; the border
type does not matter there), ``scipy.signal.correlate2d(..., 'valid')`` and
``scipy.ndimage.correlate`` (cropped likewise). Before timing, every reference
is checked to compute the same values. All run on one thread; each ratio is
the median over rounds of (cnnmotiv time / reference time) measured in the
same round. The column "short /cv2" times cnnmotiv as it runs when BLAS is
not known to be single-threaded (calls of at most 10,000 elements, see
:mod:`cnnmotiv.convolution`); the goals are judged on the pinned run.
"""

from __future__ import annotations

from unittest import mock

import numpy as np

from benchmarks import format_table, time_interleaved

#: name: (image shape, kernel shape or fixed kernel, goal vs cv2, goal vs scipy.signal)
WORKLOADS = {
    "W1": ((280, 320), (3, 3), 1.5, 1 / 8),
    "W2": ((280, 320), np.array([[-1.0, 1.0]]), 3.0, None),
    "W3": ((1024, 1024), (3, 3), 3.0, None),
    "W4": ((280, 320), (7, 7), 3.0, None),
}
DTYPES = (np.float64, np.float32)


def _problem(shape, kernel, dtype, seed=0):
    rng = np.random.default_rng(seed)
    image = rng.standard_normal(shape).astype(dtype)
    if isinstance(kernel, tuple):
        kernel = rng.standard_normal(kernel)
    return image, np.asarray(kernel, dtype=dtype)


def candidates(image, kernel):
    """The functions timed: cnnmotiv and the references, each giving the 'valid' output."""
    import cv2
    import scipy.ndimage
    import scipy.signal

    from cnnmotiv import convolution
    from cnnmotiv.convolution import correlate2d

    (h, w), (kh, kw) = image.shape, kernel.shape
    ho, wo = h - kh + 1, w - kw + 1
    ch, cw = kh // 2, kw // 2  # ndimage centres the kernel on tap (kh//2, kw//2)
    def short_calls():
        # what runs when BLAS may use several threads: calls of <= 10,000 elements
        with mock.patch.object(convolution, "_block_length", lambda itemsize: convolution._BLOCK):
            return correlate2d(image, kernel)

    return {
        "cnnmotiv": lambda: correlate2d(image, kernel),
        "cnnmotiv short calls": short_calls,
        "cv2.filter2D": lambda: cv2.filter2D(image, -1, kernel, anchor=(0, 0),
                                             borderType=cv2.BORDER_CONSTANT)[:ho, :wo],
        "signal.correlate2d": lambda: scipy.signal.correlate2d(image, kernel, "valid"),
        "ndimage.correlate": lambda: scipy.ndimage.correlate(
            image, kernel, mode="constant")[ch:ch + ho, cw:cw + wo],
    }


def measure(rounds: int = 21):
    """Rows of (workload, dtype, Timing, goal vs cv2, goal vs scipy)."""
    rows = []
    for name, (shape, kernel, goal_cv, goal_scipy) in WORKLOADS.items():
        for dtype in DTYPES:
            image, k = _problem(shape, kernel, dtype)
            funcs = candidates(image, k)
            expected = funcs["cnnmotiv"]()
            tol = 1e-9 if dtype == np.float64 else 1e-3
            for ref, func in funcs.items():
                np.testing.assert_allclose(func(), expected, rtol=tol, atol=tol,
                                           err_msg=f"{ref} computes something else")
            rows.append((name, shape, k.shape, np.dtype(dtype).name,
                         time_interleaved(funcs, rounds=rounds), goal_cv, goal_scipy))
    return rows


def run(rounds: int = 21) -> str:
    """Time every workload and return the table."""
    lines = ["correlate2d, mode 'valid', 1 thread. Ratio = cnnmotiv time / reference time "
             "(median over rounds; lower is better, 0.10 = 10x faster), CPU time of the "
             "process; 'wall' = the same on the wall clock; 'short' = cnnmotiv with BLAS "
             "calls of <= 10,000 elements, as used when BLAS is not pinned to one thread."]
    table = []
    misses = []
    for name, shape, kshape, dtype, timing, goal_cv, goal_scipy in measure(rounds):
        r_cv = timing.ratio("cnnmotiv", "cv2.filter2D")
        r_sig = timing.ratio("cnnmotiv", "signal.correlate2d")
        r_nd = timing.ratio("cnnmotiv", "ndimage.correlate")
        ok = r_cv <= goal_cv and (goal_scipy is None or r_sig <= goal_scipy)
        goal = f"cv2 <= {goal_cv:g}" + (f", signal <= 1/{1 / goal_scipy:g}" if goal_scipy else "")
        label = f"{name} {shape[0]}x{shape[1]} k{kshape[0]}x{kshape[1]}"
        if not ok:
            over = [f"{r_cv / goal_cv:.2f}x the cv2 goal"] if r_cv > goal_cv else []
            if goal_scipy is not None and r_sig > goal_scipy:
                over.append(f"{r_sig / goal_scipy:.2f}x the scipy goal")
            misses.append(f"MISS {label} {dtype}: {', '.join(over)}")
        table.append([
            label, dtype,
            f"{timing.median('cnnmotiv') * 1e3:.3f}",
            f"{timing.median('cv2.filter2D') * 1e3:.3f}",
            f"{r_cv:.2f}", f"{timing.ratio('cnnmotiv', 'cv2.filter2D', 'wall'):.2f}",
            f"{timing.ratio('cnnmotiv short calls', 'cv2.filter2D'):.2f}",
            f"{r_sig:.3f}", f"{r_nd:.3f}", goal, "PASS" if ok else "MISS"])
    lines.append(format_table(
        ["workload", "dtype", "cnnmotiv ms", "cv2 ms", "/cv2", "/cv2 wall", "short /cv2",
         "/signal.correlate2d", "/ndimage.correlate", "goal", "status"], table))
    lines.append(f"{len(table) - len(misses)} of {len(table)} goals met")
    lines.extend(misses)
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks import single_threaded

    with single_threaded():
        print(run())

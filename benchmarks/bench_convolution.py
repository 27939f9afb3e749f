"""Speed of :func:`cnnmotiv.convolution.correlate2d` ('valid') against OpenCV and SciPy.

Workloads (random image and kernel, seeded; W2 is the section's edge kernel):

====  ==========  ===========
name  image       kernel
====  ==========  ===========
W1    280 x 320   3 x 3
W2    280 x 320   1 x 2 ``[-1, 1]``
W3    1024x1024   3 x 3
W4    280 x 320   7 x 7
====  ==========  ===========

Goal on each, in float64: ``correlate2d`` takes at most half the time of
``scipy.signal.correlate2d`` and at most 6x the time of ``cv2.filter2D``
(float32 is timed and reported beside, without a goal). References:
``cv2.filter2D`` (a correlation, anchor at the kernel's corner, output cropped
to the 'valid' region; the border type does not matter there),
``scipy.signal.correlate2d(..., 'valid')`` and ``scipy.ndimage.correlate``
(cropped likewise). Before timing, every reference is checked to compute the
same values. Everything runs on one thread (BLAS pools and OpenCV pinned
here, in the benchmark); each ratio is the median over rounds of
(cnnmotiv time / reference time) measured in the same round.
"""

from __future__ import annotations

import numpy as np

from benchmarks import format_table, time_interleaved

#: name: (image shape, kernel shape or fixed kernel)
WORKLOADS = {
    "W1": ((280, 320), (3, 3)),
    "W2": ((280, 320), np.array([[-1.0, 1.0]])),
    "W3": ((1024, 1024), (3, 3)),
    "W4": ((280, 320), (7, 7)),
}
DTYPES = (np.float64, np.float32)
#: Goals for float64 (time ratio cnnmotiv / reference, at most).
GOAL_CV2 = 6.0
GOAL_SCIPY = 0.5


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

    from cnnmotiv.convolution import correlate2d

    (h, w), (kh, kw) = image.shape, kernel.shape
    ho, wo = h - kh + 1, w - kw + 1
    ch, cw = kh // 2, kw // 2  # ndimage centres the kernel on tap (kh//2, kw//2)
    return {
        "cnnmotiv": lambda: correlate2d(image, kernel),
        "cv2.filter2D": lambda: cv2.filter2D(image, -1, kernel, anchor=(0, 0),
                                             borderType=cv2.BORDER_CONSTANT)[:ho, :wo],
        "signal.correlate2d": lambda: scipy.signal.correlate2d(image, kernel, "valid"),
        "ndimage.correlate": lambda: scipy.ndimage.correlate(
            image, kernel, mode="constant")[ch:ch + ho, cw:cw + wo],
    }


def measure(rounds: int = 21):
    """Rows of (workload, image shape, kernel shape, dtype name, Timing)."""
    rows = []
    for name, (shape, kernel) in WORKLOADS.items():
        for dtype in DTYPES:
            image, k = _problem(shape, kernel, dtype)
            funcs = candidates(image, k)
            expected = funcs["cnnmotiv"]()
            assert expected.dtype == dtype, f"correlate2d returned {expected.dtype} for {dtype}"
            tol = 1e-9 if dtype == np.float64 else 1e-3
            for ref, func in funcs.items():
                np.testing.assert_allclose(func(), expected, rtol=tol, atol=tol,
                                           err_msg=f"{ref} computes something else")
            rows.append((name, shape, k.shape, np.dtype(dtype).name,
                         time_interleaved(funcs, rounds=rounds)))
    return rows


def run(rounds: int = 21) -> str:
    """Time every workload and return the table."""
    lines = ["correlate2d, mode 'valid', 1 thread. Ratio = cnnmotiv time / reference time "
             "(median over rounds; lower is better, 0.10 = 10x faster), CPU time of the "
             "process; 'wall' = the same on the wall clock. Goals (float64 only): "
             f"/cv2 <= {GOAL_CV2:g} and /signal <= {GOAL_SCIPY:g}."]
    table, misses, judged = [], [], 0
    for name, shape, kshape, dtype, timing in measure(rounds):
        r_cv = timing.ratio("cnnmotiv", "cv2.filter2D")
        r_sig = timing.ratio("cnnmotiv", "signal.correlate2d")
        label = f"{name} {shape[0]}x{shape[1]} k{kshape[0]}x{kshape[1]}"
        status = "-"
        if dtype == "float64":
            judged += 1
            over = ([f"{r_cv / GOAL_CV2:.2f}x the cv2 goal"] if r_cv > GOAL_CV2 else []) + \
                   ([f"{r_sig / GOAL_SCIPY:.2f}x the scipy goal"] if r_sig > GOAL_SCIPY else [])
            status = "MISS" if over else "PASS"
            if over:
                misses.append(f"MISS {label} {dtype}: {', '.join(over)}")
        table.append([
            label, dtype,
            f"{timing.median('cnnmotiv') * 1e3:.3f}",
            f"{timing.median('cv2.filter2D') * 1e3:.3f}",
            f"{timing.median('signal.correlate2d') * 1e3:.3f}",
            f"{r_cv:.2f}", f"{timing.ratio('cnnmotiv', 'cv2.filter2D', 'wall'):.2f}",
            f"{r_sig:.3f}", f"{timing.ratio('cnnmotiv', 'ndimage.correlate'):.3f}", status])
    lines.append(format_table(
        ["workload", "dtype", "cnnmotiv ms", "cv2 ms", "signal ms", "/cv2", "/cv2 wall",
         "/signal.correlate2d", "/ndimage.correlate", "goal"], table))
    lines.append(f"{judged - len(misses)} of {judged} float64 goals met")
    lines.extend(misses)
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks import single_threaded

    with single_threaded():
        print(run())

"""The sparse matrix of a convolution: how fast it is built and applied.

For W1 (a 280 x 320 image, 3 x 3 kernel, 'valid') and the section's edge
kernel ``[-1, 1]`` (W2): the time to build the CSR matrix with
:func:`cnnmotiv.matrices.sparse_correlation_matrix` (goal for W1: < 10 ms, also
shown as a multiple of one convolution), and the time of the sparse
matrix-vector product ``M @ x.ravel()`` next to
:func:`cnnmotiv.convolution.correlate2d`, which computes the same numbers
(checked before timing). One thread, CPU time of the process, median over
rounds (see :mod:`benchmarks`).
"""

from __future__ import annotations

import numpy as np

from benchmarks import format_table, time_interleaved

BUILD_GOAL_S = 10e-3
#: name: (image shape, kernel shape or fixed kernel, build goal in seconds or None)
WORKLOADS = {
    "W1": ((280, 320), (3, 3), BUILD_GOAL_S),
    "W2": ((280, 320), np.array([[-1.0, 1.0]]), None),
}


def measure(rounds: int = 15):
    from cnnmotiv.convolution import correlate2d
    from cnnmotiv.matrices import sparse_correlation_matrix

    rows = []
    rng = np.random.default_rng(0)
    for name, (shape, kernel, goal) in WORKLOADS.items():
        image = rng.standard_normal(shape)
        k = rng.standard_normal(kernel) if isinstance(kernel, tuple) else kernel
        matrix = sparse_correlation_matrix(k, shape)
        flat = image.ravel()
        np.testing.assert_allclose(matrix @ flat, correlate2d(image, k).ravel(),
                                   rtol=1e-12, atol=1e-12)
        timing = time_interleaved({
            "conv": lambda: correlate2d(image, k),
            "build": lambda: sparse_correlation_matrix(k, shape),
            "matvec": lambda: matrix @ flat,
        }, rounds=rounds)
        rows.append((name, shape, k.shape, matrix, timing, goal))
    return rows


def run(rounds: int = 15) -> str:
    lines = ["Sparse (CSR) matrix of correlate2d, 'valid', float64, 1 thread, CPU time; "
             "ratios are against correlate2d measured in the same rounds."]
    table, notes = [], []
    for name, shape, kshape, matrix, timing, goal in measure(rounds):
        build = timing.median("build")
        ok = None if goal is None else build < goal
        label = f"{name} {shape[0]}x{shape[1]} k{kshape[0]}x{kshape[1]}"
        if ok is False:
            notes.append(f"MISS {label}: build {build * 1e3:.2f} ms is {build / goal:.2f}x "
                         f"the {goal * 1e3:g} ms goal")
        nbytes = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
        table.append([
            label, f"{matrix.nnz:,}", f"{nbytes:,}",
            f"{timing.median('conv') * 1e3:.3f}",
            f"{build * 1e3:.2f}", f"{timing.ratio('build', 'conv'):.1f}",
            f"{timing.median('matvec') * 1e3:.3f}", f"{timing.ratio('matvec', 'conv'):.2f}",
            "-" if goal is None else f"< {goal * 1e3:g} ms",
            "-" if ok is None else ("PASS" if ok else "MISS")])
    lines.append(format_table(
        ["workload", "nnz", "bytes", "conv ms", "build ms", "build/conv", "matvec ms",
         "matvec/conv", "build goal", "status"], table))
    lines.extend(notes)
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks import single_threaded

    with single_threaded():
        print(run())

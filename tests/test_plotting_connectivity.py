"""Connection diagrams draw exactly the non-zeros of the layer matrices."""

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from cnnmotiv.matrices import layer_matrices, touched_units
from cnnmotiv.plotting.connectivity import (
    FIGURES,
    draw_connectivity,
    output_centres,
    plot_connectivity,
    plot_dense_vs_conv,
)
from cnnmotiv.plotting.style import ROLE


def _segments(ax):
    """All drawn connection segments of a diagram: (muted, highlighted)."""
    return ax.collections[0].get_segments(), ax.collections[1].get_segments()


def _pairs(segments, positions):
    """(output index, input index) for each segment, read back from its end points."""
    out = []
    for seg in segments:
        (x0, y0), (x1, y1) = seg
        assert (y0, y1) == (0.0, 1.0)
        out.append((int(np.argmin(np.abs(positions - x1))), int(round(x0))))
    return sorted(out)


def _impulse_outputs(n, kernel, j, mode):
    """Outputs that input j reaches, found by scipy on an impulse (independent oracle).

    correlate2d on a single row: the package centres 'same' as correlate2d does
    (for even kernels 1-D scipy.signal.correlate centres the other way).
    """
    e = np.zeros((1, n))
    e[0, j] = 1.0
    return np.flatnonzero(scipy.signal.correlate2d(e, kernel[None], mode=mode)[0])


geometry = st.tuples(st.integers(2, 14), st.integers(1, 6), st.sampled_from(["valid", "same", "full"]),
                     st.integers(1, 3), st.integers(1, 2))


@settings(max_examples=25)  # each example builds two figures
@given(geometry, st.sampled_from(["above", "below"]), st.data())
def test_one_segment_per_nonzero_with_its_row_and_column(geom, view, data):
    n, k, mode, stride, dilation = geom
    assume(mode != "valid" or dilation * (k - 1) + 1 <= n)
    mats = layer_matrices(n, k, mode=mode, stride=stride, dilation=dilation)
    pos = output_centres(n, k, mode=mode, stride=stride, dilation=dilation)
    for kind, m in mats.items():
        count = m.shape[0] if view == "above" else m.shape[1]
        unit = data.draw(st.integers(0, count - 1))
        drawing = draw_connectivity(m, view=view, unit=unit, positions=pos)
        muted, lit = _segments(drawing.ax)
        assert len(muted) + len(lit) == np.count_nonzero(m)
        rows, cols = np.nonzero(m)
        assert _pairs(list(muted) + list(lit), pos) == sorted(zip(rows.tolist(), cols.tolist()))
        line = m[unit] if view == "above" else m[:, unit]
        assert len(lit) == np.count_nonzero(line)
        assert drawing.counts["connections"] == np.count_nonzero(m)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_conv_matrix_is_scipys_and_dense_has_no_zero(mode, k):
    n = 9
    mats = layer_matrices(n, k, mode=mode)
    kernel = np.arange(1, k + 1, dtype=float)
    # scipy's convolution matrix convolves; correlating with kernel == convolving with its flip.
    expected = scipy.linalg.convolution_matrix(kernel[::-1], n, mode=mode)
    if mode == "same":  # scipy centres 'same' like np.convolve; compare the support counts
        assert np.count_nonzero(mats["conv"]) == np.count_nonzero(expected)
    else:
        np.testing.assert_array_equal(mats["conv"], expected)
    assert mats["dense"].shape == mats["conv"].shape
    assert np.count_nonzero(mats["dense"]) == mats["dense"].size


def test_dense_weights_are_seeded():
    a, b = layer_matrices(7, 3, rng=1)["dense"], layer_matrices(7, 3, rng=1)["dense"]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, layer_matrices(7, 3, rng=2)["dense"])


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_touched_units_match_scipy_impulse_responses(mode, k):
    n = 10
    conv = layer_matrices(n, k, mode=mode)["conv"]
    kernel = np.ones(k)
    for j in range(n):
        np.testing.assert_array_equal(touched_units(conv, "below", j),
                                      _impulse_outputs(n, kernel, j, mode))
    for i in range(conv.shape[0]):
        seen = [j for j in range(n) if i in _impulse_outputs(n, kernel, j, mode)]
        np.testing.assert_array_equal(touched_units(conv, "above", i), seen)


@given(st.integers(3, 20), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3))
def test_outputs_sit_over_the_middle_of_their_window(n, k, stride, dilation):
    assume(dilation * (k - 1) + 1 <= n)
    conv = layer_matrices(n, k, mode="valid", stride=stride, dilation=dilation)["conv"]
    centres = [np.flatnonzero(row).mean() for row in conv]  # valid: every tap is inside
    np.testing.assert_allclose(output_centres(n, k, mode="valid", stride=stride,
                                              dilation=dilation), centres)


def test_highlight_colours_the_chosen_unit_and_its_field():
    m = layer_matrices(9, 3)["conv"]
    drawing = draw_connectivity(m, view="above", unit=4, color=ROLE["conv"])
    out_faces = drawing.outputs.get_facecolors()
    in_faces = drawing.inputs.get_facecolors()
    assert tuple(out_faces[4]) == to_rgba(ROLE["highlight"])
    coloured = [j for j, f in enumerate(in_faces) if tuple(f) == to_rgba(ROLE["conv"])]
    assert coloured == [3, 4, 5]
    drawing.update(m, view="below", unit=0)
    in_faces = drawing.inputs.get_facecolors()
    out_faces = drawing.outputs.get_facecolors()
    assert tuple(in_faces[0]) == to_rgba(ROLE["highlight"])
    assert [i for i, f in enumerate(out_faces) if tuple(f) == to_rgba(ROLE["conv"])] == [0, 1]


def test_update_reuses_the_same_artists():
    mats3, mats5 = layer_matrices(9, 3), layer_matrices(9, 5)
    drawing = draw_connectivity(mats3["conv"])
    lines, before = drawing.lines, len(drawing.ax.collections)
    drawing.update(mats5["conv"], view="below", unit=2)
    assert drawing.lines is lines and len(drawing.ax.collections) == before
    muted, lit = _segments(drawing.ax)
    assert len(muted) + len(lit) == np.count_nonzero(mats5["conv"])
    assert drawing.count.get_text() == f"{np.count_nonzero(mats5['conv'])} connections"


def test_dense_vs_conv_counts_m_times_n_against_about_k_times_n():
    n, k = 12, 3
    fig = plot_dense_vs_conv(n, k)
    dense_ax, conv_ax = fig.axes
    assert sum(map(len, _segments(dense_ax))) == n * n
    conv = scipy.linalg.convolution_matrix(np.ones(k), n, mode="same")
    assert sum(map(len, _segments(conv_ax))) == np.count_nonzero(conv)
    # 'same' zero padding loses one tap at each end for k = 3: k * n - 2
    assert np.count_nonzero(conv) == k * n - 2


def test_plot_connectivity_draws_on_a_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_connectivity(np.eye(4), ax=ax) is ax
    assert sum(map(len, _segments(ax))) == 4


def test_figures_registry_builds_detached_figures():
    assert list(FIGURES)[0] == "1-connectivity-from-above"
    for build in FIGURES.values():
        fig = build()
        assert isinstance(fig, Figure) and len(fig.axes) == 2


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(matrix=np.ones(4)), ValueError, "matrix must be 2-D"),
    (dict(matrix=np.full((2, 2), np.nan)), ValueError, "matrix must be finite"),
    (dict(matrix=np.array([["a"]])), TypeError, "matrix must be a real numeric"),
    (dict(matrix=np.ones((2, 3)), view="sideways"), ValueError, "view must be one of"),
    (dict(matrix=np.ones((2, 3)), view="above", unit=2), ValueError, r"unit must be an output index in 0\.\.1"),
    (dict(matrix=np.ones((2, 3)), view="below", unit=3), ValueError, r"unit must be an input index in 0\.\.2"),
    (dict(matrix=np.ones((2, 3)), unit=-1), ValueError, "unit must be an integer >= 0"),
    (dict(matrix=np.ones((2, 3)), unit=1.0), TypeError, "unit must be an integer"),
    (dict(matrix=np.ones((2, 3)), positions=[0.0]), ValueError, r"positions must have shape \(2,\)"),
])
def test_plot_connectivity_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_connectivity(**kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n=0, kernel_size=3), ValueError, "n must be an integer >= 1"),
    (dict(n=5, kernel_size=0), ValueError, "kernel_size must be an integer >= 1"),
    (dict(n=5, kernel_size=2.5), TypeError, "kernel_size must be an integer"),
    (dict(n=5, kernel_size=3, mode="wide"), ValueError, "mode"),
    (dict(n=5, kernel_size=3, stride=0), ValueError, "stride"),
    (dict(n=3, kernel_size=5, mode="valid"), ValueError, "kernel"),
])
def test_layer_matrices_rejects_bad_geometry(kwargs, error, match):
    with pytest.raises(error, match=match):
        layer_matrices(**kwargs)


def test_touched_units_rejects_bad_view():
    with pytest.raises(ValueError, match="view must be one of"):
        touched_units(np.eye(3), "left", 0)

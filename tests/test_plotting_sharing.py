"""Tests of cnnmotiv.plotting.sharing: the pictures show the matrices they claim to show."""

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text

from cnnmotiv.counting import count_conv, count_dense, count_locally_connected
from cnnmotiv.data import shapes
from cnnmotiv.learning.sharing_study import MODELS, TRUTHS, sharing_study
from cnnmotiv.matrices import correlation_matrix, correlation_matrix_1d, locally_connected_matrix
from cnnmotiv.plotting import sharing as S
from cnnmotiv.plotting.style import ROLE


def _kernel(k):
    return np.arange(1.0, k + 1.0)  # distinct, non-zero values: one value per tap


# --------------------------------------------------------------------------- connection data

@given(k=st.integers(1, 6), extra=st.integers(0, 8))
def test_conv_parameter_ids_rebuild_the_scipy_convolution_matrix(k, extra):
    n = k + extra
    kernel = np.random.default_rng(k * 31 + n).normal(size=k)
    ids, _ = S.parameter_image("conv", k, n)
    rebuilt = np.where(ids >= 0, kernel[np.maximum(ids, 0)], 0.0)
    # scipy builds true-convolution matrices; correlation uses the flipped kernel.
    oracle = scipy.linalg.convolution_matrix(kernel[::-1], n, mode="valid")
    np.testing.assert_allclose(rebuilt, oracle, rtol=0, atol=1e-12)


@given(kh=st.integers(1, 3), kw=st.integers(1, 3), dh=st.integers(0, 3), dw=st.integers(0, 3))
def test_2d_conv_parameter_ids_compute_scipy_correlate2d(kh, kw, dh, dw):
    shape = (kh + dh, kw + dw)
    rng = np.random.default_rng(kh + 7 * kw + 49 * dh + 343 * dw)
    kernel, x = rng.normal(size=(kh, kw)), rng.normal(size=shape)
    ids, _ = S.parameter_image("conv", (kh, kw), shape)
    m = np.where(ids >= 0, kernel.ravel()[np.maximum(ids, 0)], 0.0)
    expected = scipy.signal.correlate2d(x, kernel, mode="valid").ravel()
    np.testing.assert_allclose(m @ x.ravel(), expected, atol=1e-12)
    np.testing.assert_allclose(m, correlation_matrix(kernel, shape), atol=1e-12)


@given(k=st.integers(1, 6), extra=st.integers(0, 8))
def test_parameter_counts_match_counting_and_sharing_pattern(k, extra):
    n = k + extra
    n_out = n - k + 1
    _, _, conv_p, conv_n = S.connection_parameters("conv", k, n)
    _, _, loc_p, loc_n = S.connection_parameters("locally_connected", k, n)
    _, _, den_p, den_n = S.connection_parameters("dense", k, n)
    assert conv_n == count_conv((1, n), (1, k)).parameters == k
    assert loc_n == count_locally_connected((1, n), (1, k)).parameters
    assert den_n == count_dense((1, n), (1, n_out)).parameters
    # conv: every tap used once per output; unshared layers: every parameter used once
    assert np.bincount(conv_p, minlength=k).tolist() == [n_out] * k
    assert np.bincount(loc_p, minlength=loc_n).tolist() == [1] * loc_n
    assert np.bincount(den_p, minlength=den_n).tolist() == [1] * den_n


def test_locally_connected_has_the_conv_sparsity_and_one_parameter_per_entry():
    for kernel_shape, shape in ((3, 9), ((2, 3), (4, 5))):
        conv_ids, _ = S.parameter_image("conv", kernel_shape, shape)
        loc_ids, _ = S.parameter_image("locally_connected", kernel_shape, shape)
        np.testing.assert_array_equal(conv_ids >= 0, loc_ids >= 0)
        kshape = (1, kernel_shape) if isinstance(kernel_shape, int) else kernel_shape
        ishape = (1, shape) if isinstance(shape, int) else shape
        lc = locally_connected_matrix(kshape, ishape, rng=0, sparse=False)
        np.testing.assert_array_equal(lc != 0, loc_ids >= 0)
        assert np.unique(loc_ids[loc_ids >= 0]).size == np.count_nonzero(lc)


def test_dense_ids_fill_the_matrix():
    ids, rgba = S.parameter_image("dense", 3, 7)
    assert ids.shape == (5, 7) and (ids >= 0).all()
    assert np.unique(ids).size == 35
    assert not np.all(rgba == 1.0, axis=-1).any()  # no white (zero) entry


def test_unshared_colours_are_all_different_and_taps_use_the_palette():
    colours = S.parameter_colours("locally_connected", 40)
    assert np.unique(colours.round(6), axis=0).shape[0] == 40
    taps = S.parameter_colours("conv", 9)
    assert [tuple(c) for c in taps] == [to_rgba(c) for c in S.TAP_COLOURS]


# --------------------------------------------------------------------------- diagrams

@pytest.mark.parametrize("kind", S.LAYER_KINDS)
@pytest.mark.parametrize("k, n", [(1, 5), (3, 8), (4, 9)])
def test_diagram_has_one_line_per_multiplication_and_one_colour_per_parameter(kind, k, n):
    ax = S.plot_connections(kind, k, n)
    lines = ax.collections[0]
    counts = {"dense": count_dense((1, n), (1, n - k + 1)),
              "locally_connected": count_locally_connected((1, n), (1, k)),
              "conv": count_conv((1, n), (1, k))}[kind]
    assert len(lines.get_segments()) == counts.macs
    distinct = np.unique(np.asarray(lines.get_colors()).round(6), axis=0).shape[0]
    assert distinct == counts.parameters
    assert len(ax.collections[1].get_offsets()) == n
    assert len(ax.collections[2].get_offsets()) == n - k + 1
    assert f"{counts.parameters:,} weights" in ax.get_title()


@pytest.mark.parametrize("t", [0, 1, 2])
def test_highlighted_lines_join_output_i_to_input_i_plus_t(t):
    k, n = 3, 8
    ax = S.plot_connections("conv", k, n, highlight=t)
    lines = ax.collections[0]
    widths = np.asarray(lines.get_linewidths())
    thick = [seg for seg, w in zip(lines.get_segments(), widths) if w == widths.max()]
    assert len(thick) == n - k + 1
    for seg in thick:
        (x_in, y_in), (x_out, y_out) = seg
        i = x_out - (k - 1) / 2          # output i is drawn above its window's centre
        assert (y_in, y_out) == (0, 1) and x_in == i + t
    colours = np.asarray(lines.get_colors())[widths == widths.max()]
    np.testing.assert_allclose(colours, [to_rgba(S.TAP_COLOURS[t])] * (n - k + 1))


# --------------------------------------------------------------------------- matrices

@pytest.mark.parametrize("k, n", [(2, 6), (3, 10), (5, 9)])
def test_conv_matrix_picture_is_coloured_by_the_value_of_each_entry(k, n):
    ax = S.plot_parameter_matrix("conv", k, n)
    rgba = np.asarray(ax.images[0].get_array())
    m = correlation_matrix_1d(_kernel(k), n)
    assert rgba.shape[:2] == m.shape
    np.testing.assert_array_equal(np.all(rgba == 1.0, axis=-1), m == 0)
    for t in range(k):                     # tied diagonals: entry value <-> tap colour
        np.testing.assert_allclose(rgba[m == _kernel(k)[t]],
                                   np.tile(to_rgba(S.TAP_COLOURS[t]), ((m == t + 1).sum(), 1)))
    # one colour per distinct value of the matrix
    nz = m != 0
    assert np.unique(rgba[nz].round(6), axis=0).shape[0] == np.unique(m[nz]).size == k


def test_locally_connected_matrix_picture_has_a_colour_per_stored_entry():
    ax = S.plot_parameter_matrix("locally_connected", 3, 10, highlight=2)
    rgba = np.asarray(ax.images[0].get_array())
    lc = locally_connected_matrix((1, 3), (1, 10), rng=0)
    nz = ~np.all(rgba == 1.0, axis=-1)   # not white
    np.testing.assert_array_equal(nz, lc.toarray() != 0)
    assert np.unique(rgba[nz].round(6), axis=0).shape[0] == lc.nnz
    xs, ys = ax.collections[0].get_offsets().T
    np.testing.assert_array_equal(xs - ys, 2)  # dots on the diagonal of offset 2
    assert "24 non-zero entries, 24 parameters" in ax.get_title()


def test_2d_matrix_draws_block_lines_and_a_kernel_key():
    ax = S.plot_parameter_matrix("conv", (3, 3), (5, 6), kernel_key=True)
    m = correlation_matrix(np.arange(1.0, 10.0).reshape(3, 3), (5, 6))
    assert ax.images[0].get_array().shape[:2] == m.shape == (12, 30)
    vertical = [line.get_xdata()[0] for line in ax.lines
                if line.get_xdata()[0] == line.get_xdata()[1]]
    assert sorted(vertical) == [c - 0.5 for c in range(6, 30, 6)]
    key = ax.child_axes[0]
    assert [t.get_text() for t in key.texts] == [f"w{a}{b}" for a in range(3) for b in range(3)]


def test_kernel_key_labels_taps_in_their_colours():
    ax = S.draw_kernel_key(4)
    np.testing.assert_allclose(ax.images[0].get_array()[0], S.parameter_colours("conv", 4))
    assert [t.get_text() for t in ax.texts] == ["w0", "w1", "w2", "w3"]


# --------------------------------------------------------------------------- growth

def test_growth_counts_agree_with_the_counting_functions():
    sides = [3, 16, 100]
    g = S.growth_counts(sides, 3)
    for i, s in enumerate(sides):
        assert g["inputs"][i] == s * s
        assert g["conv"]["parameters"][i] == count_conv((s, s), (3, 3)).parameters == 9
        assert g["locally_connected"]["macs"][i] == count_locally_connected((s, s), (3, 3)).macs
        assert g["dense"]["parameters"][i] == count_dense((s, s), (s - 2, s - 2)).parameters
    # sharing leaves the arithmetic unchanged
    np.testing.assert_array_equal(g["conv"]["macs"], g["locally_connected"]["macs"])


def test_growth_slopes_on_log_axes_are_two_one_and_zero():
    ax = S.plot_parameter_growth(3, sides=[256, 512, 1024, 2048], mark=None)
    slopes = [np.polyfit(np.log(line.get_xdata()), np.log(line.get_ydata()), 1)[0]
              for line in ax.lines[:3]]
    assert slopes[0] == pytest.approx(2, abs=0.02)
    assert slopes[1] == pytest.approx(1, abs=0.02)
    assert slopes[2] == pytest.approx(0, abs=1e-12)
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_growth_marks_the_section_example_with_its_counts_and_ratios():
    ax = S.plot_parameter_growth()
    dense = count_dense((280, 320), (278, 318)).parameters
    local = count_locally_connected((280, 320), (3, 3)).parameters
    points = sorted(line.get_ydata()[0] for line in ax.lines[3:] if len(line.get_xdata()) == 1)
    assert points == [9, local, dense]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"sparsity ÷{dense / local:,.0f}" in texts
    assert f"sharing ÷{local / 9:,.0f}" in texts   # 88,404: the number of output positions


def test_mac_panel_shows_locally_connected_and_conv_on_one_line():
    ax = S.plot_parameter_growth(quantity="macs")
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), ax.lines[2].get_ydata())
    macs = count_conv((280, 320), (3, 3)).macs
    assert any(f"{macs:,} MACs" in t.get_text() for t in ax.texts)


# --------------------------------------------------------------------------- edges

def test_edge_response_is_scipy_correlate2d():
    image = shapes((40, 60))
    ax = S.plot_edge_response(image)
    expected = scipy.signal.correlate2d(image, S.VERTICAL_EDGE_KERNEL, mode="valid")
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    vmin, vmax = ax.images[0].get_clim()
    assert vmin == -vmax == -np.abs(expected).max()


def test_edge_response_limit_sets_a_symmetric_colour_scale():
    ax = S.plot_edge_response(shapes((40, 60)), limit=1.5)
    assert ax.images[0].get_clim() == (-1.5, 1.5)


def test_scattered_shapes_repeats_the_shapes_mirrored_below():
    img = S.scattered_shapes((40, 60))
    np.testing.assert_array_equal(img[:20], shapes((20, 60)))
    np.testing.assert_array_equal(img[20:], shapes((20, 60))[:, ::-1])


# --------------------------------------------------------------------------- held-out study

@pytest.fixture(scope="module")
def small_study():
    return sharing_study(train_sizes=(5, 20, 100), repeats=3, n_test=500)


def test_sharing_study_figure_draws_the_studys_numbers_and_nothing_else(small_study):
    fig = S.sharing_study_figure(small_study)
    assert [ax.get_title() for ax in fig.axes] == [S.TRUTH_TITLES[t] for t in TRUTHS]
    for ax, truth in zip(fig.axes, TRUTHS):
        assert ax.get_xscale() == ax.get_yscale() == "log"
        for line, model in zip(ax.lines, MODELS):
            assert list(line.get_xdata()) == list(small_study.train_sizes)
            assert np.array_equal(line.get_ydata(), small_study.test_errors[truth][model])
            assert to_rgba(line.get_color()) == to_rgba(ROLE[model])
            assert f"{small_study.parameters[model]:,} weights" in line.get_label()
        floors = ax.lines[len(MODELS):]
        expected = [small_study.noise_floor]
        if truth == "per_position":   # on shared truth the conv's floor is the noise floor
            expected.append(small_study.conv_floor[truth])
        assert [line.get_ydata()[0] for line in floors] == expected
        assert all(line.get_linestyle() == "--" and line.get_label() for line in floors)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [line.get_label() for line in ax.lines]
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()]
    assert sizes and min(sizes) >= 9


# --------------------------------------------------------------------------- figures

def test_figures_dict_builds_every_figure_main_first():
    assert list(S.FIGURES)[0] == "2-parameter-sharing"
    assert all(name.startswith("2-") for name in S.FIGURES)
    for name, build in S.FIGURES.items():
        fig = build()
        assert isinstance(fig, Figure) and fig.axes, name


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("call, error, match", [
    (lambda: S.connection_parameters("pooling", 3, 8), ValueError, "kind must be one of"),
    (lambda: S.connection_parameters("conv", 5, 3), ValueError, "kernel_shape must fit"),
    (lambda: S.connection_parameters("conv", (2, 5), (4, 4)), ValueError, "kernel_shape must fit"),
    (lambda: S.connection_parameters("conv", 0, 3), ValueError,
     "kernel_shape must be an integer >= 1"),
    (lambda: S.connection_parameters("conv", 2.0, 3), TypeError, "kernel_shape must be an integer"),
    (lambda: S.plot_connections("conv", 3, 8, highlight=3), ValueError,
     r"highlight must be a kernel offset in range\(3\)"),
    (lambda: S.plot_connections("conv", 3, 8, highlight=-1), ValueError,
     "highlight must be an integer >= 0"),
    (lambda: S.plot_connections("conv", 3, "8"), TypeError, "n must be an integer"),
    (lambda: S.plot_parameter_matrix("conv", (2, 2), (3, 3), highlight=4), ValueError, "highlight"),
    (lambda: S.plot_parameter_growth(quantity="flops"), ValueError, "quantity must be one of"),
    (lambda: S.growth_counts([2, 8], 3), ValueError, "sides must all be >= the kernel size 3"),
    (lambda: S.growth_counts([], 3), ValueError, "sides must not be empty"),
    (lambda: S.plot_edge_response(np.ones(5)), ValueError, "image must be 2-D"),
    (lambda: S.plot_edge_response(np.ones((2, 2))), ValueError, "kernel must fit inside image"),
    (lambda: S.plot_edge_response(np.full((5, 5), np.nan)), ValueError, "image must be finite"),
    (lambda: S.plot_edge_response(np.ones((5, 5)), limit=0), ValueError,
     "limit must be a positive"),
    (lambda: S.parameter_colours("conv", 0), ValueError, "n_params must be an integer >= 1"),
    (lambda: S.edges_everywhere_figure([np.ones((2, 2))]), ValueError,
     "kernel must fit inside image"),
    (lambda: S.edges_everywhere_figure([np.ones((8, 8))], kernel=np.ones(3)), ValueError,
     "kernel must be 2-D"),
    (lambda: S.sharing_study_figure("study"), TypeError, "study must be a SharingStudy"),
    (lambda: S.plot_sharing_study(sharing_study(train_sizes=(5,), repeats=1, n_test=10), "table"),
     ValueError, "truth must be one of 'shared', 'per_position'"),
])
def test_bad_input_is_rejected_with_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()

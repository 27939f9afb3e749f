"""Receptive-field figures: the stack, the squares and the effective field agree with oracles."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from cnnmotiv.plotting.receptive_fields import (
    FIGURES,
    draw_field_squares,
    draw_layer_stack,
    field_layers,
    layer_stack,
    plot_effective_receptive_field,
    plot_erf_spread,
    plot_field_squares,
    plot_layer_stack,
    uniform_erf_std,
)
from cnnmotiv.receptive_fields import (
    LayerSpec,
    effective_receptive_field,
    input_region,
    measure_receptive_field,
    receptive_field,
)


def _dilated_ones(k, d):
    w = np.zeros(d * (k - 1) + 1)
    w[::d] = 1.0
    return w


def _forward(x, k, s, d, depth):
    """The 1-D valid stack with numpy only: np.correlate with a dilated kernel, subsample."""
    for _ in range(depth):
        x = np.correlate(x, _dilated_ones(k, d), mode="valid")[::s]
    return x


def _oracle_field(n, k, s, d, depth, u):
    """Inputs whose impulse reaches top unit u."""
    return [j for j in range(n) if _forward(np.eye(n)[j], k, s, d, depth)[u] > 0]


stack_args = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))


@given(stack_args, st.data())
def test_traced_field_is_the_impulse_response_and_its_width_the_closed_form(args, data):
    depth, k, s, d = args
    st_ = layer_stack(depth, k, stride=s, dilation=d)
    n = st_.positions[0].size
    top = st_.matrices[-1].shape[0]
    u = data.draw(st.integers(0, top - 1))
    st_ = layer_stack(depth, k, stride=s, dilation=d, n=n, unit=u)
    assert st_.field[0].tolist() == _oracle_field(n, k, s, d, depth, u)
    info = receptive_field([LayerSpec((1, k), stride=(1, s), dilation=(1, d))] * depth)
    assert st_.span(0) == info[-1].size[1]
    # every layer's units sit where the closed form puts their field centres
    for layer, f in enumerate(info, start=1):
        centres = f.start[1] + np.arange(st_.positions[layer].size) * f.jump[1]
        np.testing.assert_allclose(st_.positions[layer], centres)


def test_default_length_leaves_three_top_units():
    for args in [(1, 3, 1, 1), (3, 3, 2, 1), (2, 5, 1, 3)]:
        st_ = layer_stack(*args[:2], stride=args[2], dilation=args[3])
        assert st_.matrices[-1].shape[0] == 3 and st_.unit == 1


@settings(max_examples=20)  # each example builds a figure
@given(stack_args)
def test_stack_drawing_has_one_segment_per_nonzero(args):
    depth, k, s, d = args
    st_ = layer_stack(depth, k, stride=s, dilation=d)
    drawing = draw_layer_stack(st_)
    muted = drawing.lines.get_segments()
    lit = drawing.highlight.get_segments()
    assert len(muted) + len(lit) == sum(np.count_nonzero(m) for m in st_.matrices)
    # highlighted = connections between consecutive traced sets
    expected = sum(np.count_nonzero(m[np.ix_(st_.field[l + 1], st_.field[l])])
                   for l, m in enumerate(st_.matrices))
    assert len(lit) == expected == drawing.counts["highlighted"]
    assert drawing.counts["field_size"] == st_.span(0)
    n = st_.positions[0].size
    assert drawing.count.get_text() == f"top unit sees {st_.span(0)} of {n} inputs"


def test_stack_update_reuses_artists_and_relabels_layers():
    drawing = draw_layer_stack(layer_stack(2, 3), max_depth=4)
    lines, limits = drawing.lines, (drawing.ax.get_xlim(), drawing.ax.get_ylim())
    assert [t.get_visible() for t in drawing.labels] == [True, True, True, False, False]
    drawing.update(layer_stack(4, 3))
    assert drawing.lines is lines
    assert (drawing.ax.get_xlim(), drawing.ax.get_ylim()) == limits  # background unchanged
    labels = [t.get_text() for t in drawing.labels if t.get_visible()]
    assert labels == ["input", "layer 1", "layer 2", "layer 3", "layer 4"]
    # the transform puts input 0 and the last input inside [0, 1], the top layer at 1
    n = drawing.stack.positions[0].size
    ends = drawing.transform.transform([[0, 0], [n - 1, 4]])
    np.testing.assert_allclose(ends, [[0.5 / n, 0.0], [1 - 0.5 / n, 1.0]])
    with pytest.raises(ValueError, match="at most 4 layers can be drawn here; got 5"):
        drawing.update(layer_stack(5, 3))


@pytest.mark.parametrize("depth, k, s, d", [(3, 3, 1, 1), (2, 3, 2, 1), (3, 2, 1, 2), (4, 5, 2, 3)])
def test_squares_are_the_closed_form_regions_and_the_measured_masks(depth, k, s, d):
    image = np.linspace(0, 1, 120 * 130).reshape(120, 130)
    layers = field_layers(depth, k, stride=s, dilation=d, same=True)
    drawing = draw_field_squares(image, layers, point=(60, 65), zoom=False)
    sizes = [f.size for f in receptive_field(layers)]
    assert drawing.counts["sizes"] == sizes
    for l, (square, region) in enumerate(zip(drawing.squares, drawing.counts["regions"])):
        (r0, r1), (c0, c1) = region
        assert region == input_region(layers[:l + 1], drawing.counts["units"][l])
        assert (square.get_width(), square.get_height()) == (c1 - c0, r1 - r0) == sizes[l][::-1]
        assert (square.get_x(), square.get_y()) == (c0 - 0.5, r0 - 0.5)
        mask = measure_receptive_field(layers[:l + 1], image.shape, drawing.counts["units"][l])
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if r0 >= 0 and c0 >= 0 and r1 <= image.shape[0] and c1 <= image.shape[1]:
            assert (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1) == (r0, r1, c0, c1)
        else:  # the field reaches into the padding: the measured pixels lie inside it
            assert r0 <= rows[0] and rows[-1] < r1 and c0 <= cols[0] and cols[-1] < c1


def test_squares_scipy_impulse_oracle_for_three_3x3_layers():
    image = np.zeros((41, 41))
    layers = field_layers(3, 3, same=True)
    drawing = draw_field_squares(image, layers, point=(20, 20))
    (r0, r1), (c0, c1) = drawing.counts["regions"][-1]
    # which pixels reach the centre unit: three 'same' 3x3 correlations of an impulse
    reach = np.zeros_like(image, dtype=bool)
    for a in range(41):
        for b in range(41):
            x = np.zeros_like(image)
            x[a, b] = 1.0
            for _ in range(3):
                x = scipy.signal.correlate2d(x, np.ones((3, 3)), mode="same")
            reach[a, b] = x[20, 20] > 0
    rows, cols = np.flatnonzero(reach.any(axis=1)), np.flatnonzero(reach.any(axis=0))
    assert (r0, r1, c0, c1) == (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1) == (17, 24, 17, 24)


def test_zoom_window_holds_the_largest_field_and_stays_in_the_image():
    image = np.arange(100 * 120, dtype=float).reshape(100, 120) / 12000
    drawing = draw_field_squares(image, field_layers(2, 3, same=True), point=(2, 118))
    (x0, x1), (y1, y0) = drawing.counts["window"]
    assert (x1 - x0, y1 - y0) == (32, 32)
    assert x0 >= -0.5 and x1 <= 119.5 and y0 >= -0.5 and y1 <= 99.5
    shown = drawing.image.get_array()
    np.testing.assert_array_equal(shown, image[int(y0 + 0.5):int(y1 + 0.5),
                                               int(x0 + 0.5):int(x1 + 0.5)])
    # the axes never move: the window is mapped onto [0, 1] x [0, 1]
    assert drawing.ax.get_xlim() == (0.0, 1.0) and drawing.ax.get_ylim() == (1.0, 0.0)
    corner = drawing.transform.transform([[x0, y0], [x1, y1]])
    np.testing.assert_allclose(corner, [[0, 0], [1, 1]])


def test_unused_squares_are_hidden_after_a_shallower_update():
    drawing = draw_field_squares(np.zeros((60, 60)), field_layers(4, 3, same=True))
    drawing.update(field_layers(2, 3, same=True))
    assert [sq.get_visible() for sq in drawing.squares] == [True, True, False, False]
    assert [t.get_visible() for t in drawing.labels] == [True, True, False, False]


@pytest.mark.parametrize("depth, k", [(1, 3), (4, 3), (3, 5)])
def test_erf_heatmap_is_the_repeated_box_blur(depth, k):
    ax = plot_effective_receptive_field(depth, k)
    shown = ax.images[0].get_array()
    profile = np.ones(1)
    for _ in range(depth):
        profile = np.convolve(profile, np.ones(k) / k)
    width = profile.size
    size = shown.shape[0]
    start = (size - width) // 2
    expected = np.zeros((size, size))
    expected[start:start + width, start:start + width] = np.outer(profile, profile)
    np.testing.assert_allclose(shown, expected, atol=1e-15)
    square = ax.patches[0]
    assert square.get_width() == square.get_height() == 1 + depth * (k - 1) == width


def test_erf_random_kernel_is_the_package_map():
    ax = plot_effective_receptive_field(3, 3, init="random", rng=4, size=15)
    np.testing.assert_array_equal(ax.images[0].get_array(),
                                  effective_receptive_field(3, 3, init="random", rng=4,
                                                            size=15))


@given(st.integers(1, 12), st.integers(1, 7))
def test_uniform_std_is_the_std_of_the_repeated_box_blur(depth, k):
    p = np.ones(1)
    for _ in range(depth):
        p = np.convolve(p, np.ones(k) / k)
    x = np.arange(p.size)
    std = np.sqrt((p * (x - (p * x).sum()) ** 2).sum())
    assert uniform_erf_std(depth, k) == pytest.approx(std, rel=1e-9, abs=1e-12)


def test_spread_plot_shows_measured_sqrt_and_linear_curves():
    ax = plot_erf_spread(6, 3)
    linear, sqrt_law, measured = ax.lines
    depths = np.arange(1, 7)
    np.testing.assert_allclose(linear.get_ydata(), depths)                  # (3 - 1) / 2 * L
    np.testing.assert_allclose(sqrt_law.get_ydata(), np.sqrt(depths * 8 / 12))
    np.testing.assert_allclose(measured.get_ydata(), sqrt_law.get_ydata(), rtol=1e-9)


def test_layer_stack_axes_and_figures_registry():
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_layer_stack(2, 3, ax=ax) is ax
    assert plot_field_squares(np.zeros((40, 40)), field_layers(1, 3, same=True)).patches
    assert list(FIGURES)[0] == "1-receptive-fields"
    for build in FIGURES.values():
        assert isinstance(build(), Figure)


@pytest.mark.parametrize("call, error, match", [
    (lambda: layer_stack(0, 3), ValueError, "depth must be an integer >= 1"),
    (lambda: layer_stack(2, 3.0), TypeError, "kernel_size must be an integer"),
    (lambda: layer_stack(2, 3, stride=0), ValueError, "stride must be an integer >= 1"),
    (lambda: layer_stack(3, 3, n=6), ValueError, "n must be at least the top unit's field, 7"),
    (lambda: layer_stack(1, 3, n=5, unit=3), ValueError, r"unit must be a top-layer index in 0\.\.2"),
    (lambda: field_layers(2, 0), ValueError, "kernel_size must be an integer >= 1"),
    (lambda: field_layers(2, 3, dilation=(1, 0)), ValueError, r"dilation\[1\] must be"),
    (lambda: draw_field_squares(np.zeros(5), field_layers(1, 3)), ValueError,
     "image must be 2-D"),
    (lambda: draw_field_squares(np.zeros((9, 9)), field_layers(2, 3), max_layers=1),
     ValueError, "at most 1 layers"),
    (lambda: draw_field_squares(np.zeros((4, 4)), field_layers(3, 3)), ValueError,
     "no output unit"),
    (lambda: plot_effective_receptive_field(2, 3, init="gauss"), ValueError,
     "init must be one of"),
    (lambda: plot_erf_spread(0), ValueError, "max_depth must be an integer >= 1"),
    (lambda: uniform_erf_std(2, 0), ValueError, "kernel_size must be an integer >= 1"),
])
def test_bad_input_is_rejected(call, error, match):
    with pytest.raises(error, match=match):
        call()

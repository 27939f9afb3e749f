"""Tests for cnnmotiv.plotting.equivariance: what is drawn is what the package computes."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnmotiv.equivariance import (
    EDGE_KERNEL,
    blur_subsample,
    equivariance_error,
    invariance_curve,
    pooling_change,
    shift,
    stripes,
    subsampling_curve,
)
from cnnmotiv.plotting import equivariance as pe
from cnnmotiv.plotting.style import new_axes, new_figure

X = np.random.default_rng(0).random((24, 20))


def test_figures_dict_builds_detached_figures_without_touching_rcparams():
    before = dict(matplotlib.rcParams)
    assert next(iter(pe.FIGURES)) == "4-equivariance"
    for name, build in pe.FIGURES.items():
        fig = build()
        assert isinstance(fig, Figure), name
        fig.canvas.draw()
    assert plt.get_fignums() == []
    assert dict(matplotlib.rcParams) == before


def test_default_image_is_the_downsampled_photo():
    from cnnmotiv.data import photo

    np.testing.assert_array_equal(pe.default_image(), photo((64, 64)))


@pytest.mark.parametrize("padding, stride, offset", [
    ("circular", 1, (3, -2)), ("zeros", 1, (5, 3)), ("circular", 2, (3, 1)), ("zeros", 2, (2, 4))])
def test_equivariance_panels_show_the_report(padding, stride, offset):
    fig = new_figure((7, 4.6))
    panels = pe.EquivariancePanels(fig, X, EDGE_KERNEL)
    rep = panels.update(offset, padding, stride)
    ref = equivariance_error(X, EDGE_KERNEL, offset, padding=padding, stride=stride)
    assert rep.max_abs == ref.max_abs and rep.border == ref.border
    np.testing.assert_array_equal(panels.images["diff"].get_array(), ref.difference)
    np.testing.assert_array_equal(panels.images["fgx"].get_array(), ref.shifted_then_filtered)
    np.testing.assert_array_equal(panels.images["gfx"].get_array(), ref.filtered_then_shifted)
    np.testing.assert_array_equal(panels.images["gx"].get_array(), np.roll(X, offset, axis=(0, 1)))
    # a stride-s map of n cells covers the n*s input pixels it samples, cell i centred on i*s
    h_out, w_out = ref.difference.shape
    assert panels.images["diff"].get_extent() == [-stride / 2, w_out * stride - stride / 2,
                                                  h_out * stride - stride / 2, -stride / 2]
    # the tracked peak moves with the shift, modulo the image size
    (r, c) = panels._peak
    xs, ys = panels.markers["fgx"].get_data()
    assert (ys[0], xs[0]) == ((r + offset[0]) % X.shape[0], (c + offset[1]) % X.shape[1])
    assert panels.text.get_text() == pe.readout(ref)
    assert f"shift {ref.offset}" in panels.text.get_text()


def test_readout_lines():
    exact = equivariance_error(X, EDGE_KERNEL, (2, 2))
    assert pe.readout(exact).splitlines()[1].endswith("= 0 (exact)")
    odd = equivariance_error(X, EDGE_KERNEL, (1, 0), stride=2)
    lines = pe.readout(odd).splitlines()
    assert len(lines) == 3 and f"output shift {odd.output_offset}" in lines[2]


def test_panels_without_readout_draw_no_text():
    fig = new_figure()
    panels = pe.EquivariancePanels(fig, X, EDGE_KERNEL, readout=False)
    panels.update((1, 1), "zeros", 1)
    assert panels.text is None and fig._suptitle is None
    assert all(a.get_figure(root=True) is fig for a in panels.artists)


def test_cases_figure_notes_state_the_measured_errors():
    cases = (("circular", 1, (5, 3)), ("zeros", 1, (5, 3)), ("circular", 2, (5, 3)))
    fig = pe.equivariance_cases_figure(X, cases=cases)
    notes = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert len(notes) == 3
    for note, (padding, stride, off) in zip(notes, cases):
        rep = equivariance_error(X, EDGE_KERNEL, off, padding=padding, stride=stride)
        if rep.equivariant:
            assert "max |difference| = 0" in note
        else:
            assert f"{rep.max_abs:.2f}" in note and f"{rep.fraction_different:.0%}" in note
    with pytest.raises(ValueError, match="cases must hold at least one"):
        pe.equivariance_cases_figure(X, cases=())
    with pytest.raises(ValueError, match="padding must be one of"):
        pe.equivariance_cases_figure(X, cases=(("reflect", 1, (1, 1)),))


def test_edge_example_marks_the_section_positions():
    fig = pe.edge_example_figure()
    labels = sorted(t.get_text() for ax in fig.axes for t in ax.texts)
    assert labels == ["peak at (10, 20)", "peak at (15, 23)"]


def test_plot_invariance_curve_draws_the_table_on_the_given_axes():
    curve = invariance_curve(X, EDGE_KERNEL, [(0, d) for d in range(6)], [2, 4])
    ax = new_axes()
    assert pe.plot_invariance_curve(curve, ax=ax) is ax
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_ydata(), curve.detector)
    np.testing.assert_array_equal(lines[1].get_ydata(), curve.pooled[0])
    np.testing.assert_array_equal(lines[2].get_ydata(), curve.pooled[1])
    np.testing.assert_array_equal(lines[0].get_xdata(), range(6))
    rel = invariance_curve(X, EDGE_KERNEL, [(0, 1)], [2], measure="relative")
    assert pe.plot_invariance_curve(rel).get_ylabel() == "relative change"
    with pytest.raises(ValueError, match="pool_sizes: 3 is not in"):
        pe.plot_invariance_curve(curve, pool_sizes=[3])


def test_pooling_panels_show_the_change():
    fig = new_figure((8, 3))
    panels = pe.PoolingPanels(fig, X, EDGE_KERNEL, shifts=range(6), max_pool=4)
    ch = panels.update(3, 2)
    ref = pooling_change(X, EDGE_KERNEL, (0, 2), pool_size=3)
    assert ch.pooled_fraction == ref.pooled_fraction
    # The detector panel shows how much each value changed (a map of which changed is
    # nearly solid), relative to the largest |detector value|, under a 0..1 colour bar.
    size = np.abs(ref.detector_shifted - ref.detector) / np.abs(ref.detector).max()
    np.testing.assert_allclose(panels.det_image.get_array(), size)
    assert panels.det_image.get_clim() == (0, 1) and panels.det_image.colorbar is not None
    assert 0.05 < size.mean() < 0.5           # not a solid square
    np.testing.assert_array_equal(panels.pool_image.get_array(), ref.pooled_changed)
    hp, wp = ref.pooled.shape
    assert panels.pool_image.get_extent() == [-0.5, 3 * wp - 0.5, 3 * hp - 0.5, -0.5]
    np.testing.assert_array_equal(panels.current_line.get_ydata(), panels.curve.pooled[2])
    assert panels.dot.get_ydata()[0] == ref.pooled_fraction
    assert panels.text.get_text() == pe.pooling_readout(ref)
    with pytest.raises(ValueError, match="pool_size must be at most 4"):
        panels.update(5, 1)


def test_pooling_readout_states_percentages():
    ref = pooling_change(X, EDGE_KERNEL, (0, 1), pool_size=4)
    text = pe.pooling_readout(ref)
    assert f"{ref.detector_fraction:.0%} of detector values" in text
    assert f"{ref.pooled_fraction:.0%} of 4x4 max-pooled values" in text


def test_stripe_sampling_draws_the_row_and_both_phases_of_the_grid():
    x = stripes((3, 20), [10, 2.5])
    for blur in (1, 3):
        ax = pe.plot_stripe_sampling(x, blur_size=blur)
        row, even, odd = ax.get_lines()
        np.testing.assert_array_equal(row.get_ydata(), blur_subsample(x, 1, blur_size=blur)[0])
        np.testing.assert_array_equal(even.get_xdata(), range(0, 20, 2))
        np.testing.assert_array_equal(even.get_ydata(), blur_subsample(x, blur_size=blur)[0])
        np.testing.assert_array_equal(odd.get_xdata(), range(1, 20, 2))
        np.testing.assert_array_equal(odd.get_ydata(),
                                      blur_subsample(shift(x, (0, -1)), blur_size=blur)[0])
        if blur == 1:                           # no blur: the odd samples are the odd pixels
            np.testing.assert_array_equal(odd.get_ydata(), x[0, 1::2])


def test_subsampling_curve_plot_and_aliasing_figure_draw_the_measured_curve():
    curve = subsampling_curve(X[:, :20], EDGE_KERNEL, [(0, d) for d in range(5)])
    ax = new_axes()
    assert pe.plot_subsampling_curve(curve, ax=ax) is ax
    lines = ax.get_lines()
    assert len(lines) == 4
    for i in range(2):
        np.testing.assert_array_equal(lines[2 * i].get_ydata(), curve.moved_relative[i])
        np.testing.assert_array_equal(lines[2 * i + 1].get_ydata(), curve.relative[i])
        np.testing.assert_array_equal(lines[2 * i].get_xdata(), range(5))
    fig = pe.aliasing_figure(X[:, :20], shifts=range(5))
    fig.canvas.draw()
    a_plain, a_blur, a_curve = fig.axes
    for got, want in zip(a_curve.get_lines(), lines):
        np.testing.assert_array_equal(got.get_ydata(), want.get_ydata())
    assert a_curve.get_title(loc="left").endswith("pooled 2x2, stride 2, blur 3")
    assert len(a_plain.get_lines()) == len(a_blur.get_lines()) == 3
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_fontsize")) if t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= 9
    assert "4-aliasing" in pe.FIGURES

"""Slider apps for translation equivariance and pooling.

* :func:`equivariance_app`: shift the input with two sliders, pick the
  padding (zeros, circular) and the stride (1, 2), and watch ``f(g(x))``,
  ``g(f(x))`` and their difference; ``app.result`` is the
  :class:`~cnnmotiv.equivariance.EquivarianceReport` drawn.
* :func:`pooling_app`: pick a pool size and a shift, and see which detector
  values and which max-pooled values change; ``app.result`` is the
  :class:`~cnnmotiv.equivariance.PoolingChange` drawn.

Both build their figure once (from :mod:`cnnmotiv.plotting.equivariance`); a
control change updates the existing images, lines and texts in place.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from cnnmotiv.validation import as_float_array, check_int
from cnnmotiv.equivariance import COMPARED_PADDINGS, EDGE_KERNEL
from cnnmotiv.plotting.equivariance import (EquivariancePanels, PoolingPanels, default_image,
                                            pooling_readout, readout)
from cnnmotiv.plotting.style import new_figure
from cnnmotiv.widgets.figure_app import FigureApp

__all__ = ["STRIDES", "equivariance_app", "pooling_app"]

#: Strides offered by :func:`equivariance_app`.
STRIDES = (1, 2)

_DPI = 72
_STYLE = {"description_width": "initial"}


def _html(text: str) -> str:
    lines = html.escape(text).split("\n")
    return "<div style='font-family: monospace'>" + "<br>".join(lines) + "</div>"


def _slider(name: str, description: str, low: int, high: int, value: int) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=low, max=high, step=1, description=description,
                             style=_STYLE, continuous_update=True,
                             layout=widgets.Layout(width="260px"))


def equivariance_app(x=None, kernel=EDGE_KERNEL, *, max_shift: int = 10, offset=(5, 3),
                     padding: str = "zeros", stride: int = 1) -> FigureApp:
    """Sliders for the shift, choices for padding and stride, over the six-panel comparison.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        The input; default the photo at 64 x 64
        (:func:`cnnmotiv.plotting.equivariance.default_image`).
    kernel : array_like, optional
        Default :data:`cnnmotiv.equivariance.EDGE_KERNEL`.
    max_shift : int, optional
        The shift sliders run from ``-max_shift`` to ``max_shift``.
    offset : (int, int), optional
        Initial ``(rows, cols)`` shift.
    padding : {"zeros", "circular"}, optional
        Initial padding.
    stride : {1, 2}, optional
        Initial stride.

    Returns
    -------
    FigureApp
        Controls ``shift_y``, ``shift_x`` (IntSlider), ``padding``, ``stride``
        (ToggleButtons). ``app.result`` is the
        :class:`~cnnmotiv.equivariance.EquivarianceReport` of the current
        setting (``max_abs``, ``mask``, ``border`` ...).

    Raises
    ------
    TypeError, ValueError
        For a bad image or kernel, ``max_shift`` below 0, an initial shift
        outside the sliders' range or an unknown padding or stride.
    """
    x = default_image() if x is None else as_float_array(x, "x", ndim=2)
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    dy, dx = (check_int(v, f"offset[{i}]", minimum=-max_shift) for i, v in enumerate(offset))
    if max(abs(dy), abs(dx)) > max_shift:
        raise ValueError(f"offset must lie within +-max_shift = {max_shift}; got {tuple(offset)}")
    if padding not in COMPARED_PADDINGS:
        raise ValueError(f"padding must be one of {COMPARED_PADDINGS!r}; got {padding!r}")
    if stride not in STRIDES:
        raise ValueError(f"stride must be one of {STRIDES!r}; got {stride!r}")
    fig = new_figure((7.2, 4.6), dpi=_DPI)
    panels = EquivariancePanels(fig, x, kernel, readout=False)
    controls = {
        "shift_y": _slider("shift_y", "shift rows", -max_shift, max_shift, dy),
        "shift_x": _slider("shift_x", "shift columns", -max_shift, max_shift, dx),
        "padding": widgets.ToggleButtons(options=list(COMPARED_PADDINGS[::-1]), value=padding,
                                         description="padding", style=_STYLE),
        "stride": widgets.ToggleButtons(options=list(STRIDES), value=stride,
                                        description="stride", style=_STYLE),
    }

    def update(shift_y, shift_x, padding, stride):
        return panels.update((shift_y, shift_x), padding, stride)

    return FigureApp(fig, update, controls, dynamic=panels.artists,
                     caption=lambda report: _html(readout(report)),
                     alt="Six panels: the input, the filtered input f(x) and its shifted copy "
                         "g(f(x)) above the shifted input g(x), its filtered copy f(g(x)) and "
                         "the difference f(g(x)) - g(f(x)), with a colour bar of its scale.")


def pooling_app(x=None, kernel=EDGE_KERNEL, *, max_shift: int = 12, max_pool: int = 8,
                pool_size: int = 4, shift: int = 1) -> FigureApp:
    """Sliders for the pool size and a column shift, over detector vs pooled changes.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        Default: the photo at 64 x 64.
    kernel : array_like, optional
        Default :data:`cnnmotiv.equivariance.EDGE_KERNEL`.
    max_shift : int, optional
        The shift slider runs from 0 to ``max_shift`` (the curve is tabulated
        over that range once, when the app is built).
    max_pool : int, optional
        The pool-size slider runs from 1 to ``max_pool``.
    pool_size, shift : int, optional
        Initial values.

    Returns
    -------
    FigureApp
        Controls ``pool_size`` and ``shift`` (IntSlider). ``app.result`` is
        the :class:`~cnnmotiv.equivariance.PoolingChange` of the current
        setting (``detector_fraction``, ``pooled_fraction`` ...).

    Raises
    ------
    TypeError, ValueError
        For a bad image or kernel, or sizes and initial values outside range.
    """
    x = default_image() if x is None else as_float_array(x, "x", ndim=2)
    max_shift = check_int(max_shift, "max_shift", minimum=1)
    max_pool = check_int(max_pool, "max_pool", minimum=1)
    if max_pool > min(x.shape):
        raise ValueError(f"max_pool must be at most the image's smaller side {min(x.shape)}; "
                         f"got {max_pool}")
    pool_size = check_int(pool_size, "pool_size")
    shift = check_int(shift, "shift", minimum=0)
    if pool_size > max_pool or shift > max_shift:
        raise ValueError(f"pool_size must be <= max_pool ({max_pool}) and shift <= max_shift "
                         f"({max_shift}); got {pool_size} and {shift}")
    fig = new_figure((8.4, 2.9), dpi=_DPI)
    references = tuple(p for p in (2, 4, 8) if p <= max_pool)
    panels = PoolingPanels(fig, x, kernel, shifts=range(0, max_shift + 1),
                           pool_sizes=references, max_pool=max_pool, readout=False)
    controls = {
        "pool_size": _slider("pool_size", "pool size", 1, max_pool, pool_size),
        "shift": _slider("shift", "shift (px)", 0, max_shift, shift),
    }

    return FigureApp(fig, panels.update, controls, dynamic=panels.artists,
                     caption=lambda change: _html(pooling_readout(change)),
                     alt="Which detector values and which max-pooled values a column shift "
                         "changed (orange), and the share changed against the shift for "
                         "several pool sizes.")

"""Receptive fields that grow with depth: in 1-D stacks, on the photo, and measured.

Three pictures of one fact: a unit of layer ``l`` sees a window of the input
that widens with every layer stacked below it.

* :func:`plot_layer_stack` draws stacked 1-D layers from the non-zeros of
  their real matrices (:func:`cnnmotiv.matrices.correlation_matrix_1d`) and
  follows one top unit down, layer by layer, colouring every unit it depends on.
* :func:`plot_field_squares` draws, on the photo, the square of input pixels
  seen by a unit of each layer (:func:`cnnmotiv.receptive_fields.input_region`).
* :func:`plot_effective_receptive_field` shows how much each input pixel
  actually matters (the *effective* receptive field, a heatmap) inside the
  theoretical square, and :func:`plot_erf_spread` how its width grows only
  like the square root of depth while the square grows linearly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, blended_transform_factory

from cnnmotiv.validation import as_float_array, check_choice, check_int
from cnnmotiv.plotting.style import PALETTE, ROLE, SEQUENTIAL_CMAP, new_axes, new_figure
from cnnmotiv.receptive_fields import (  # the numbers live in the core; re-exported here
    ERF_INITS,
    LayerStack,
    field_layers,
    input_region,
    layer_stack,
    nearest_units,
    uniform_erf_std,
)

__all__ = [
    "FIGURES",
    "LAYER_COLOURS",
    "PHOTO_POINT",
    "FieldSquares",
    "StackDrawing",
    "draw_field_squares",
    "draw_layer_stack",
    "plot_effective_receptive_field",
    "plot_erf_comparison",
    "plot_erf_spread",
    "plot_field_squares",
    "plot_layer_stack",
    "plot_receptive_fields",
]

#: One colour per layer's square on the photo (Okabe-Ito; the first five avoid the green and
#: blue that mean "convolution" and "chosen unit", and all stand out on a grey photo).
LAYER_COLOURS = (PALETTE["orange"], PALETTE["sky"], PALETTE["vermillion"], PALETTE["yellow"],
                 PALETTE["purple"], PALETTE["green"], PALETTE["blue"], PALETTE["black"])

_MUTED_EDGE = (0.6, 0.6, 0.6, 0.3)

#: (row, col) of the default unit on the 280×320 photo: on an eye, so the zoom is legible.
PHOTO_POINT = (72, 135)


# ---------------------------------------------------------------------------
# 1-D stacks
# ---------------------------------------------------------------------------

@dataclass
class StackDrawing:
    """Artists of :func:`draw_layer_stack`, redrawn in place by :meth:`update`.

    The artists are drawn in stack coordinates (x: input position, y: layer)
    through :attr:`transform`, which maps them into fixed axes limits; a new
    stack changes that transform, never the axes limits, so a slider app can
    keep its background (axes, spines) and redraw only these artists.
    """

    ax: Axes
    lines: LineCollection
    highlight: LineCollection
    units: PathCollection
    count: Text
    labels: list
    transform: Affine2D
    fixed_rows: bool = False
    stack: LayerStack | None = None
    counts: dict = field(default_factory=dict)

    def update(self, stack: LayerStack) -> dict:
        """Redraw for ``stack``; return what was drawn.

        Returns
        -------
        dict
            ``field_size`` (width of the top unit's field on the input),
            ``traced_units`` (units it depends on, per layer, input first),
            ``segments`` (lines drawn = non-zeros of all matrices),
            ``highlighted`` (lines inside the field), ``n``, ``depth``.

        Raises
        ------
        ValueError
            If the stack is deeper than the layer labels drawn.
        """
        if stack.depth + 1 > len(self.labels):
            raise ValueError(f"stack: at most {len(self.labels) - 1} layers can be drawn here; "
                             f"got {stack.depth}")
        segs, lit = [], []
        for l, m in enumerate(stack.matrices):
            rows, cols = np.nonzero(m)
            lo, hi = stack.positions[l][cols], stack.positions[l + 1][rows]
            segs.append(np.stack([np.column_stack([lo, np.full(lo.size, l)]),
                                  np.column_stack([hi, np.full(hi.size, l + 1)])], axis=1))
            lit.append(np.isin(rows, stack.field[l + 1]) & np.isin(cols, stack.field[l]))
        segs = np.concatenate(segs).astype(float)
        lit = np.concatenate(lit)
        self.lines.set_segments(segs[~lit])
        self.highlight.set_segments(segs[lit])
        offsets, faces = [], []
        for l, pos in enumerate(stack.positions):
            offsets.append(np.column_stack([pos, np.full(pos.size, l)]))
            face = np.full(pos.size, "white", dtype=object)
            face[stack.field[l]] = ROLE["conv"]
            if l == stack.depth:
                face[stack.unit] = ROLE["highlight"]
            faces.extend(face)
        self.units.set_offsets(np.concatenate(offsets))
        self.units.set_facecolors(faces)
        n = stack.positions[0].size
        self.units.set_sizes([max(12.0, min(60.0, 2400.0 / n))])
        # input j at x = (j + 0.5) / n; layer l at y = l / depth (fills the axes), or at
        # l / max_depth with fixed rows (the labels then never move: static background)
        rows = len(self.labels) - 1 if self.fixed_rows else stack.depth
        self.transform.clear().translate(0.5, 0.0).scale(1.0 / n, 1.0 / rows)
        if not self.fixed_rows:
            for l, label in enumerate(self.labels):
                label.set_visible(l <= stack.depth)
                label.set_y(l)
                label.set_text("input" if l == 0 else f"layer {l}")
        sizes = [stack.span(l) for l in range(stack.depth + 1)]
        self.count.set_text(f"top unit sees {sizes[0]} of {n} inputs")
        self.stack = stack
        self.counts = {"field_size": sizes[0],
                       "traced_units": [int(f.size) for f in stack.field],
                       "segments": int(segs.shape[0]), "highlighted": int(lit.sum()),
                       "n": n, "depth": stack.depth}
        return self.counts


def draw_layer_stack(stack: LayerStack, *, title: str = "1-D stack",
                     max_depth: int | None = None, fixed_rows: bool = False,
                     ax: Axes | None = None) -> StackDrawing:
    """Draw a :class:`LayerStack` and return its artists (see :func:`plot_layer_stack`).

    ``max_depth`` reserves layer labels for later updates with deeper stacks
    (default: the stack's depth). With ``fixed_rows`` every one of the
    ``max_depth`` layers keeps its row and label, and shallower stacks leave
    the top rows empty (so the labels can stay in a slider app's background).
    """
    max_depth = stack.depth if max_depth is None else check_int(max_depth, "max_depth")
    ax = new_axes(ax, figsize=(6.0, 3.0))
    transform = Affine2D()
    to_axes = transform + ax.transData
    lines = LineCollection([], colors=[_MUTED_EDGE], linewidths=0.7, zorder=1,
                           transform=to_axes)
    highlight = LineCollection([], colors=[ROLE["conv"]], linewidths=1.8, zorder=2,
                               transform=to_axes)
    ax.add_collection(lines, autolim=False)
    ax.add_collection(highlight, autolim=False)
    units = ax.scatter([], [], s=40, edgecolors=PALETTE["grey"], linewidths=0.8, zorder=3,
                       transform=to_axes)
    label_transform = blended_transform_factory(ax.transAxes, to_axes)
    labels = [ax.text(-0.02, l, "input" if l == 0 else f"layer {l}", transform=label_transform,
                      ha="right", va="center", fontsize=9) for l in range(max_depth + 1)]
    ax.set_title(title, fontsize=10, loc="left")
    count = ax.set_title("", fontsize=9, loc="right", color=ROLE["conv"], fontweight="bold")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(-0.12, 1.12)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("input positions (all of them, left to right)")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    drawing = StackDrawing(ax, lines, highlight, units, count, labels, transform, fixed_rows)
    drawing.update(stack)
    return drawing


def plot_layer_stack(depth: int = 3, kernel_size: int = 3, *, stride: int = 1,
                     dilation: int = 1, n: int | None = None, unit: int | None = None,
                     ax: Axes | None = None) -> Axes:
    """Stacked 1-D convolutions, with the field of one top unit coloured at every layer.

    Each line is a non-zero of a layer's matrix (:func:`layer_stack`); the
    coloured units are those the chosen top unit (blue) depends on, and the
    right-hand title states how many inputs it sees.

    Parameters
    ----------
    depth, kernel_size, stride, dilation : int
        Geometry of every layer (valid convolutions, no padding).
    n : int, optional
        Input length (default: field of the top unit plus two top strides).
    unit : int, optional
        Traced top unit (default: the middle one).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError, TypeError
        As :func:`layer_stack`.

    Examples
    --------
    >>> ax = plot_layer_stack(2, 3, n=9)
    >>> st = layer_stack(2, 3, n=9)
    >>> drawn = sum(len(c.get_segments()) for c in ax.collections[:2])
    >>> bool(drawn == sum(np.count_nonzero(m) for m in st.matrices))
    True
    """
    stack = layer_stack(depth, kernel_size, stride=stride, dilation=dilation, n=n, unit=unit)
    return draw_layer_stack(stack, ax=ax).ax


# ---------------------------------------------------------------------------
# 2-D squares on the photo
# ---------------------------------------------------------------------------

@dataclass
class FieldSquares:
    """Artists of :func:`draw_field_squares`, redrawn in place by :meth:`update`.

    The axes always span ``[0, 1]``: :attr:`image` shows the window of
    :attr:`source` being looked at, and the squares and marker, given in pixel
    coordinates of the source, reach the axes through :attr:`transform`. A
    new window changes the image data and the transform, never the limits.
    """

    ax: Axes
    image: AxesImage
    source: np.ndarray
    transform: Affine2D
    squares: list
    labels: list
    marker: object
    zoom: bool = True
    window_box: Rectangle | None = None
    key_only: bool = False
    key_handles: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @staticmethod
    def _window(shape, centre, largest):
        """Square view around ``centre`` holding the largest field with a margin, in the image."""
        side = min(max(32, int(np.ceil(1.5 * largest))), min(shape))
        limits = []
        for axis in (1, 0):
            lo = int(round(centre[axis] - side / 2))
            lo = min(max(lo, 0), shape[axis] - side)
            limits.append((lo - 0.5, lo + side - 0.5))
        return limits[0], limits[1][::-1]

    def update(self, layers, *, point=None) -> dict:
        """Show the fields of ``layers`` (at most ``len(self.squares)`` of them).

        ``point`` (row, col) defaults to the previous update's point (first
        time: the image centre).

        Returns
        -------
        dict
            ``units`` (row, col index chosen at each layer), ``regions``
            (``((r0, r1), (c0, c1))`` per layer, from
            :func:`~cnnmotiv.receptive_fields.input_region`), ``sizes``
            (closed-form field size per layer), ``point``.
        """
        shape = self.source.shape
        if len(layers) > len(self.squares):
            raise ValueError(f"layers: at most {len(self.squares)} layers can be drawn here; "
                             f"got {len(layers)}")
        if point is None:  # keep the point of the last update, or the image centre
            point = self.counts.get("point", ((shape[0] - 1) / 2, (shape[1] - 1) / 2))
        infos, units = nearest_units(layers, shape, point)
        regions = []
        for l, (square, label) in enumerate(zip(self.squares, self.labels)):
            if l >= len(layers):
                square.set_visible(False)
                label.set_visible(self.key_only)
                if l < len(self.key_handles):
                    self.key_handles[l].set_visible(self.key_only)
                continue
            (r0, r1), (c0, c1) = input_region(layers[:l + 1], units[l])
            regions.append(((int(r0), int(r1)), (int(c0), int(c1))))
            square.set_bounds(c0 - 0.5, r0 - 0.5, c1 - c0, r1 - r0)
            square.set_visible(True)
            if not self.key_only:
                label.set_text(f"layer {l + 1}: {infos[l].size[0]}×{infos[l].size[1]}")
            label.set_visible(True)
            if l < len(self.key_handles):
                self.key_handles[l].set_visible(True)
        info = infos[-1]
        cy = info.start[0] + units[-1][0] * info.jump[0]
        cx = info.start[1] + units[-1][1] * info.jump[1]
        self.marker.set_data([cx], [cy])
        if self.zoom:
            window = self._window(shape, (cy, cx), max(max(i.size) for i in infos))
        else:
            window = ((-0.5, shape[1] - 0.5), (shape[0] - 0.5, -0.5))
        (x0, x1), (y1, y0) = window
        r0, c0 = int(y0 + 0.5), int(x0 + 0.5)
        self.image.set_data(self.source[r0:int(y1 + 0.5), c0:int(x1 + 0.5)])
        self.transform.clear().translate(-x0, -y0).scale(1.0 / (x1 - x0), 1.0 / (y1 - y0))
        if self.window_box is not None:
            self.window_box.set_bounds(x0, y0, x1 - x0, y1 - y0)
        self.counts = {"units": units, "regions": regions,
                       "sizes": [tuple(i.size) for i in infos], "point": tuple(point),
                       "window": window}
        return self.counts


def draw_field_squares(image, layers, *, point=None, max_layers: int | None = None,
                       zoom: bool = True, key_only: bool = False,
                       ax: Axes | None = None) -> FieldSquares:
    """Draw ``image`` with one square per layer's receptive field; return the artists.

    See :func:`plot_field_squares`; ``max_layers`` reserves squares for later
    updates with deeper stacks (default: ``len(layers)``). With ``key_only``
    the labels are a fixed colour key ("layer 1" ...) without the sizes, so a
    slider app can keep them in its background.
    """
    image = as_float_array(image, "image", ndim=2)
    max_layers = len(layers) if max_layers is None else check_int(max_layers, "max_layers")
    ax = new_axes(ax, figsize=(4.5, 4.0))
    im = ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest",
                   extent=(0.0, 1.0, 1.0, 0.0))
    transform = Affine2D()
    to_axes = transform + ax.transData
    squares, keys = [], []
    for l in range(max_layers):
        colour = LAYER_COLOURS[l % len(LAYER_COLOURS)]
        squares.append(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=colour,
                                              linewidth=2.0, zorder=3, transform=to_axes)))
        keys.append(Rectangle((0, 0), 1, 1, fill=False, edgecolor=colour, linewidth=2.0))
    legend = ax.legend(keys, [f"layer {l + 1}" for l in range(max_layers)], loc="upper left",
                       bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
                       handlelength=1.0, handleheight=1.0, borderaxespad=0.0)
    labels = legend.get_texts()
    (marker,) = ax.plot([], [], marker="+", color=ROLE["highlight"], markersize=9,
                        markeredgewidth=2, linestyle="none", zorder=4, transform=to_axes)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(1.0, 0.0)
    ax.set_aspect(1.0 if zoom else image.shape[0] / image.shape[1])
    ax.set_xticks([])
    ax.set_yticks([])
    drawing = FieldSquares(ax, im, image, transform, squares, labels, marker, zoom,
                           key_only=key_only, key_handles=list(legend.legend_handles))
    drawing.update(layers, point=point)
    return drawing


def plot_field_squares(image, layers, *, point=None, zoom: bool = True,
                       ax: Axes | None = None) -> Axes:
    """The input square seen by one unit of each layer, drawn on an image.

    For every depth ``l`` the unit of layer ``l`` whose field is centred
    nearest ``point`` is chosen, and the rows and columns it reads
    (:func:`cnnmotiv.receptive_fields.input_region` of the first ``l``
    layers) are outlined, one colour per layer, with the size on the right.

    Parameters
    ----------
    image : array_like, shape (H, W)
        Grey values in ``[0, 1]``.
    layers : sequence of LayerSpec
    point : (float, float), optional
        (row, col) the units are chosen around; default: the image centre.
    zoom : bool
        Show only a square window around the unit, 1.5 times the largest
        field (at least 32 pixels, at most the image); else the whole image.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError, TypeError
        For a bad image, or a stack that leaves no output unit on it.

    Examples
    --------
    >>> ax = plot_field_squares(np.zeros((40, 50)), field_layers(3, 3, same=True))
    >>> [(p.get_width(), p.get_height()) for p in ax.patches]
    [(3, 3), (5, 5), (7, 7)]
    """
    return draw_field_squares(image, layers, point=point, zoom=zoom, ax=ax).ax


# ---------------------------------------------------------------------------
# effective receptive field
# ---------------------------------------------------------------------------

def plot_effective_receptive_field(depth: int = 4, kernel_size: int = 3, *,
                                   init: str = "uniform", rng=0, size: int | None = None,
                                   ax: Axes | None = None) -> Axes:
    """The effective receptive field as a heatmap inside the theoretical square.

    Parameters
    ----------
    depth, kernel_size : int
    init : {'uniform', 'random'}
        The layers' weights (see :func:`~cnnmotiv.receptive_fields.effective_receptive_field`).
        Passed to :func:`cnnmotiv.receptive_fields.effective_receptive_field`.
    rng : int or Generator
    size : int, optional
        Side of the map (default: the theoretical field plus 3 pixels per side).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        With one image (the map, summing to 1) and one square (the theoretical field).

    Raises
    ------
    ValueError, TypeError
        As :func:`~cnnmotiv.receptive_fields.effective_receptive_field`.

    Examples
    --------
    >>> ax = plot_effective_receptive_field(3, 3)
    >>> ax.patches[0].get_width()
    7
    """
    from cnnmotiv.receptive_fields import effective_receptive_field

    init = check_choice(init, "init", ERF_INITS)
    depth = check_int(depth, "depth")
    kernel_size = check_int(kernel_size, "kernel_size")
    width = 1 + depth * (kernel_size - 1)
    size = width + 6 if size is None else size
    erf = effective_receptive_field(depth, kernel_size, init=init, rng=rng, size=size)
    ax = new_axes(ax, figsize=(4.0, 3.6))
    S = erf.shape[0]
    im = ax.imshow(erf, cmap=SEQUENTIAL_CMAP, interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, shrink=0.85, label="share of the gradient")
    c = (S - 1) / 2
    ax.add_patch(Rectangle((c - width / 2, c - width / 2), width, width, fill=False,
                           edgecolor=ROLE["theory"], linewidth=2, linestyle="--",
                           label=f"theoretical field {width}×{width}"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=8, frameon=False)
    ax.set_title(f"Effective field: {depth} layers of {kernel_size}×{kernel_size} ({init})",
                 fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_erf_spread(max_depth: int = 10, kernel_size: int = 3, *, init: str = "uniform",
                    rng=0, ax: Axes | None = None) -> Axes:
    """Width of the effective field (measured) and of the theoretical field, against depth.

    The measured spread is the standard deviation along the columns, in
    pixels, of each depth's map (:func:`~cnnmotiv.receptive_fields.erf_growth`);
    the dotted curve is :func:`uniform_erf_std` (square-root law) and the
    straight line the half-width ``depth * (k - 1) / 2`` of the theoretical
    field.

    Parameters
    ----------
    max_depth, kernel_size : int
    init : {'uniform', 'random'}
        The layers' weights (see :func:`~cnnmotiv.receptive_fields.effective_receptive_field`).
    rng : int or Generator
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_erf_spread(4, 3)
    >>> [len(line.get_xdata()) for line in ax.lines]
    [4, 4, 4]
    """
    from cnnmotiv.receptive_fields import erf_growth

    max_depth = check_int(max_depth, "max_depth")
    kernel_size = check_int(kernel_size, "kernel_size")
    init = check_choice(init, "init", ERF_INITS)
    growth = erf_growth(max_depth, kernel_size, init=init, rng=rng)
    depths, spread = growth.depths, growth.spread[:, 1]
    ax = new_axes(ax, figsize=(4.5, 3.4))
    ax.plot(depths, depths * (kernel_size - 1) / 2, color=ROLE["theory"], linewidth=2,
            label="half-width of theoretical field (linear)")
    ax.plot(depths, [uniform_erf_std(int(d), kernel_size) for d in depths], color=ROLE["conv"],
            linestyle=":", linewidth=2, label=r"$\sqrt{L\,(k^2-1)/12}$ (square root)")
    ax.plot(depths, spread, "o", color=ROLE["highlight"], label=f"measured spread ({init})")
    ax.set_xlabel("depth L (layers)")
    ax.set_ylabel("pixels")
    ax.set_title(f"Effective field grows like √L ({kernel_size}×{kernel_size} kernels)",
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def plot_erf_comparison(linear, relu, *, ax: Axes | None = None) -> Axes:
    """Width of the effective field of two stacks against depth, in one measure.

    Both curves are the standard deviation (pixels, along the columns) of the
    field's map, as :func:`~cnnmotiv.receptive_fields.erf_spread` measures it;
    the line is the theoretical field's half-width ``depth * (k - 1) / 2`` (as in
    :func:`plot_erf_spread`), for scale.

    Parameters
    ----------
    linear, relu : ErfGrowth
        From :func:`~cnnmotiv.receptive_fields.erf_growth` (a linear stack of box kernels)
        and :func:`~cnnmotiv.receptive_fields.relu_erf_growth` (random weights
        and ReLU).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from cnnmotiv.receptive_fields import erf_growth, relu_erf_growth
    >>> ax = plot_erf_comparison(erf_growth(3, 3), relu_erf_growth(3, 3, n_inputs=4))
    >>> [len(line.get_xdata()) for line in ax.lines]
    [3, 3, 3]
    """
    ax = new_axes(ax, figsize=(5.6, 3.4))
    ax.plot(linear.depths, (linear.theoretical[:, 1] - 1) / 2, color=ROLE["theory"],
            label="half-width of theoretical field (linear)")
    ax.plot(linear.depths, linear.spread[:, 1], "o-", color=ROLE["conv"],
            label="box kernels, linear")
    ax.plot(relu.depths, relu.spread[:, 1], "s-", color=ROLE["highlight"], label="random weights + ReLU")
    ax.set(xlabel="depth L (layers)", ylabel="standard deviation (pixels)")
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    return ax


def plot_receptive_fields(depth: int = 3, kernel_size: int = 3, *, stride: int = 1,
                          dilation: int = 1, image=None, point=None,
                          fig: Figure | None = None) -> Figure:
    """The 1-D stack beside the photo and a zoom with each layer's square.

    Left: :func:`plot_layer_stack`. Middle: the whole photo, with the zoomed
    window outlined in yellow. Right: the zoom, with the field of one unit of
    each layer (``same`` padding, so every layer has units near the point).

    Parameters
    ----------
    depth, kernel_size, stride, dilation : int
    image : array_like, shape (H, W), optional
        Default: :func:`cnnmotiv.data.photo`.
    point : (float, float), optional
        Where on the image the units are chosen (row, col); default
        :data:`PHOTO_POINT`.
    fig : matplotlib.figure.Figure, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    return draw_receptive_fields(depth, kernel_size, stride, dilation, image, point, None, fig)[0]


def draw_receptive_fields(depth, kernel_size, stride, dilation, image, point, max_layers, fig,
                      app=False):
    from cnnmotiv.data import photo

    image = photo() if image is None else as_float_array(image, "image", ndim=2)
    point = PHOTO_POINT if point is None else point
    fig = new_figure((9.0, 3.3)) if fig is None else fig
    ax_stack, ax_full, ax_zoom = fig.subplots(1, 3, width_ratios=[1.25, 0.8, 0.8])
    stack = draw_layer_stack(layer_stack(depth, kernel_size, stride=stride, dilation=dilation),
                             max_depth=max_layers, fixed_rows=app,
                             title="" if app else "1-D stack", ax=ax_stack)
    ax_full.imshow(image, cmap="gray", vmin=0.0, vmax=1.0)
    ax_full.set_xticks([])
    ax_full.set_yticks([])
    ax_full.set_title(f"Photo, {image.shape[0]}×{image.shape[1]}", fontsize=10, loc="left")
    box = ax_full.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=PALETTE["yellow"],
                                      linewidth=1.5))
    squares = draw_field_squares(image, field_layers(depth, kernel_size, stride=stride,
                                                     dilation=dilation, same=True),
                                 point=point, max_layers=max_layers, key_only=app, ax=ax_zoom)
    squares.window_box = box
    squares.update(field_layers(depth, kernel_size, stride=stride, dilation=dilation,
                                same=True), point=point)
    ax_zoom.set_title("Zoom: field of each layer", fontsize=10, loc="left")
    return fig, stack, squares


#: Figures of this module by file stem, built with default parameters.
FIGURES: dict[str, Callable[[], Figure]] = {
    "1-receptive-fields": lambda: plot_receptive_fields(),
    "1-effective-receptive-field": lambda: plot_effective_receptive_field().figure,
    "1-erf-spread": lambda: plot_erf_spread().figure,
}

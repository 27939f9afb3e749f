"""Figures for parameter sharing: which parameter each connection uses.

Every figure here colours a connection (a line in a layer diagram, an entry of
a weight matrix) by the *parameter* it multiplies with. In a convolution the
``k`` kernel taps give ``k`` colours, repeated at every position: the tied
diagonals of the convolution matrix. In a locally connected layer (the same
sparsity, no sharing) and in a dense layer every connection has a parameter of
its own, so every connection gets its own shade.

The connections come from :func:`cnnmotiv.matrices.weight_taps`; the counts in
titles and annotations from :mod:`cnnmotiv.counting`. All figures are drawn
for ``mode="valid"`` (no padding), the setting of the section's examples.

:func:`sharing_study_figure` draws what sharing costs where it is the wrong
assumption: the held-out error of :func:`cnnmotiv.learning.sharing_study.sharing_study`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from cnnmotiv.validation import as_float_array, check_choice, check_int, check_pair
from cnnmotiv.convolution import correlate2d
from cnnmotiv.counting import LAYER_KINDS, count_layer, growth_counts
from cnnmotiv.learning.sharing_study import MODELS, TRUTHS, SharingStudy, sharing_study
from cnnmotiv.matrices import weight_taps
from cnnmotiv.plotting.style import DIVERGING_CMAP, PALETTE, ROLE, new_axes, new_figure

__all__ = [
    "FIGURES",
    "SECTION_IMAGE_SHAPE",
    "SECTION_KERNEL_SHAPE",
    "TAP_COLOURS",
    "VERTICAL_EDGE_KERNEL",
    "connection_parameters",
    "parameter_colours",
    "parameter_image",
    "plot_connections",
    "plot_parameter_matrix",
    "draw_kernel_key",
    "plot_parameter_growth",
    "plot_edge_response",
    "scattered_shapes",
    "sharing_figure",
    "toeplitz_2d_figure",
    "parameter_growth_figure",
    "edges_everywhere_figure",
    "plot_sharing_study",
    "sharing_study_figure",
]


#: Readable names of the layers, for titles and legends.
KIND_LABELS = {"dense": "dense", "locally_connected": "locally connected", "conv": "convolution"}

#: The section's worked example: a 280 x 320 grayscale image and a 3 x 3 kernel.
SECTION_IMAGE_SHAPE = (280, 320)
SECTION_KERNEL_SHAPE = (3, 3)

#: One colour per kernel tap (Okabe-Ito, then black); taps beyond nine reuse colours.
TAP_COLOURS = tuple(PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple",
                                         "sky", "yellow", "grey", "black"))

#: A 3 x 3 vertical-edge detector (Prewitt): right column minus left column.
VERTICAL_EDGE_KERNEL = np.array([[-1.0, 0.0, 1.0],
                                 [-1.0, 0.0, 1.0],
                                 [-1.0, 0.0, 1.0]])

_UNSHARED_CMAP = "viridis"
_WHITE = np.array([1.0, 1.0, 1.0, 1.0])


def _check_kind(kind) -> str:
    return check_choice(kind, "kind", LAYER_KINDS)


def _as_2d_shapes(kernel_shape, shape) -> tuple[tuple[int, int], tuple[int, int], bool]:
    """Accept an int (1-D length) or a pair for both shapes; 1-D becomes one row."""
    one_d = not isinstance(shape, (tuple, list, np.ndarray))
    if one_d:
        n = check_int(shape, "shape")
        k = check_int(kernel_shape, "kernel_shape")
        kshape, ishape = (1, k), (1, n)
    else:
        kshape = check_pair(kernel_shape, "kernel_shape")
        ishape = check_pair(shape, "shape")
    for axis, (k, n) in enumerate(zip(kshape, ishape)):
        if k > n:
            raise ValueError(f"kernel_shape must fit inside shape in 'valid' mode; got kernel "
                             f"{kshape if not one_d else kshape[1]} for input "
                             f"{ishape if not one_d else ishape[1]}")
    return kshape, ishape, one_d


def connection_parameters(kind: str, kernel_shape, shape):
    """Every connection of a layer and the index of the parameter it uses.

    Parameters
    ----------
    kind : {'dense', 'locally_connected', 'conv'}
        The layer. All three map an input of ``shape`` to the output of a
        valid correlation with a kernel of ``kernel_shape``.
    kernel_shape : int or (kh, kw)
        Kernel length (1-D) or shape (2-D).
    shape : int or (H, W)
        Input length (1-D) or shape (2-D); same kind as ``kernel_shape``.

    Returns
    -------
    rows, cols : ndarray of int, shape (E,)
        Output unit (row of the weight matrix) and input unit (column) of
        every connection, flat indices in C order.
    params : ndarray of int, shape (E,)
        The parameter each connection multiplies by, in ``range(n_params)``.
    n_params : int
        Number of distinct parameters of the layer.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, a size is not positive or the kernel is larger
        than the input.
    TypeError
        If a size is not an integer.

    Notes
    -----
    * ``conv``: the connections of :func:`cnnmotiv.matrices.weight_taps`;
      the parameter is the kernel tap, so ``n_params = kh * kw``.
    * ``locally_connected``: the same connections; every (output, tap) pair
      has its own parameter, ``n_params = H_out * W_out * kh * kw``.
    * ``dense``: every output is connected to every input with its own
      weight, ``n_params = H_out * W_out * H * W`` (output grid of the conv).

    Examples
    --------
    >>> rows, cols, params, n = connection_parameters("conv", 3, 6)
    >>> n, len(rows)                      # 3 taps, used at 4 positions
    (3, 12)
    >>> connection_parameters("locally_connected", 3, 6)[3]
    12
    >>> connection_parameters("dense", 3, 6)[3]
    24
    """
    kind = _check_kind(kind)
    kshape, ishape, _ = _as_2d_shapes(kernel_shape, shape)
    return _connections(kind, kshape, ishape, _taps(kshape, ishape))


def _taps(kshape, ishape):
    """Checked 2-D shapes -> the convolution's (rows, cols, taps) in valid mode."""
    return weight_taps(kshape, ishape, mode="valid")


def _connections(kind, kshape, ishape, taps):
    rows, cols, taps = taps
    rows = np.asarray(rows, dtype=np.intp)
    cols = np.asarray(cols, dtype=np.intp)
    taps = np.asarray(taps, dtype=np.intp)
    k = kshape[0] * kshape[1]
    n_in = ishape[0] * ishape[1]
    n_out = (ishape[0] - kshape[0] + 1) * (ishape[1] - kshape[1] + 1)
    if kind == "conv":
        return rows, cols, taps, k
    if kind == "locally_connected":
        return rows, cols, rows * k + taps, n_out * k
    out_idx, in_idx = np.divmod(np.arange(n_out * n_in), n_in)
    return out_idx, in_idx, out_idx * n_in + in_idx, n_out * n_in


def parameter_colours(kind: str, n_params: int, *, seed: int = 0) -> np.ndarray:
    """RGBA colour of each parameter, shape ``(n_params, 4)``.

    A convolution's taps get the categorical :data:`TAP_COLOURS`; the
    parameters of unshared layers get distinct shades of a sequential map in a
    fixed shuffled order (so that neighbouring connections differ visibly).

    Parameters
    ----------
    kind : {'dense', 'locally_connected', 'conv'}
    n_params : int
        Number of parameters (>= 1).
    seed : int
        Seed of the shuffle of shades (unshared layers only).

    Returns
    -------
    ndarray, shape (n_params, 4)

    Raises
    ------
    ValueError, TypeError
        Unknown ``kind``; ``n_params`` or ``seed`` not a suitable integer.

    Notes
    -----
    Taps beyond the nine colours of :data:`TAP_COLOURS` reuse them in
    order, so the apps keep kernels at nine taps or fewer.

    Examples
    --------
    >>> parameter_colours("conv", 2).shape
    (2, 4)
    """
    kind = _check_kind(kind)
    n_params = check_int(n_params, "n_params")
    return _colours(kind, n_params, check_int(seed, "seed", minimum=0)).copy()


@lru_cache(maxsize=256)
def _colours(kind, n_params, seed=0):
    # Cached (slider apps ask for the same colours again and again); read-only.
    if kind == "conv":
        out = np.array([to_rgba(TAP_COLOURS[i % len(TAP_COLOURS)]) for i in range(n_params)])
    else:
        shades = colormaps[_UNSHARED_CMAP](np.linspace(0.0, 0.88, n_params))
        out = shades[np.random.default_rng(seed).permutation(n_params)]
    out.setflags(write=False)
    return out


def parameter_image(kind: str, kernel_shape, shape) -> tuple[np.ndarray, np.ndarray]:
    """The layer's weight matrix drawn as parameter identities.

    Returns
    -------
    ids : ndarray of int, shape (n_out, n_in)
        Parameter index at every entry of the weight matrix, ``-1`` where the
        matrix is structurally zero (no connection).
    rgba : ndarray of float, shape (n_out, n_in, 4)
        The picture: white where there is no connection, otherwise the
        colour of :func:`parameter_colours` for that entry's parameter.

    Examples
    --------
    >>> ids, rgba = parameter_image("conv", 2, 4)
    >>> ids
    array([[ 0,  1, -1, -1],
           [-1,  0,  1, -1],
           [-1, -1,  0,  1]])
    """
    kind = _check_kind(kind)
    kshape, ishape, _ = _as_2d_shapes(kernel_shape, shape)
    return parameter_image_from_taps(kind, kshape, ishape, _taps(kshape, ishape))


def parameter_image_from_taps(kind, kshape, ishape, taps):
    rows, cols, params, n_params = _connections(kind, kshape, ishape, taps)
    n_in = ishape[0] * ishape[1]
    n_out = (ishape[0] - kshape[0] + 1) * (ishape[1] - kshape[1] + 1)
    ids = np.full((n_out, n_in), -1, dtype=np.intp)
    ids[rows, cols] = params
    rgba = np.tile(_WHITE, (n_out, n_in, 1))
    rgba[rows, cols] = _colours(kind, n_params)[params]
    return ids, rgba


# --------------------------------------------------------------------------- layer diagrams

def diagram_geometry(kind, k, n, highlight, taps=None):
    kshape, ishape = (1, k), (1, n)
    taps = _taps(kshape, ishape) if taps is None else taps
    rows, cols, params, n_params = _connections(kind, kshape, ishape, taps)
    n_out = n - k + 1
    # Output i is drawn above the centre of its window of the convolution.
    centre = np.arange(n_out) + (k - 1) / 2
    segments = np.stack([np.stack([cols, np.zeros_like(cols)], axis=1).astype(float),
                         np.stack([centre[rows], np.ones_like(rows)], axis=1)], axis=1)
    colours = _colours(kind, n_params)[params]          # fancy indexing: a new array
    widths = np.full(len(rows), 1.2 if kind != "dense" else 0.7)
    if highlight is not None:
        on = (cols - rows) == highlight   # the connections at kernel offset `highlight`
        colours[~on, 3] = 0.22
        widths[on] = 3.0
    order = np.argsort(widths, kind="stable")  # highlighted lines drawn last, on top
    return segments[order], colours[order], widths[order], n_params, len(rows), centre


def _count(kind, k, n):
    return count_layer(kind, (1, n), (1, k))


def _diagram_title(kind, k, n):
    c = _count(kind, k, n)
    uses = c.macs // c.parameters
    each = "used once each" if uses == 1 else f"each used {uses}×"
    return f"{KIND_LABELS[kind]}: {c.parameters:,} weights, {each}"


def plot_connections(kind: str = "conv", kernel_size: int = 3, n: int = 8, *,
                     highlight: int | None = None, ax: Axes | None = None) -> Axes:
    """A 1-D layer as a diagram: input units below, output units above.

    Every line is one connection (one multiplication) coloured by the
    parameter it uses, see :func:`connection_parameters`.

    Parameters
    ----------
    kind : {'dense', 'locally_connected', 'conv'}
        The layer to draw.
    kernel_size : int
        Kernel length ``k`` (the locally connected and dense layers map to the
        same ``n - k + 1`` outputs).
    n : int
        Number of input units.
    highlight : int, optional
        Kernel offset ``t`` in ``range(k)`` whose connections (output ``i``
        to input ``i + t``) are drawn thick and the others faint.
    ax : Axes, optional
        Where to draw; a new detached figure if omitted.

    Returns
    -------
    Axes
        ``ax.collections[0]`` is the :class:`~matplotlib.collections.LineCollection`
        of connections, ``collections[1]`` the input units, ``collections[2]``
        the output units.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, ``kernel_size > n`` or ``highlight`` is
        outside ``range(kernel_size)``.

    Examples
    --------
    >>> ax = plot_connections("conv", 3, 6)
    >>> len(ax.collections[0].get_segments())      # 4 outputs x 3 taps
    12
    """
    kind = _check_kind(kind)
    k = check_int(kernel_size, "kernel_size")
    n = check_int(n, "n")
    _as_2d_shapes(k, n)
    highlight = _check_highlight(highlight, k)
    ax = new_axes(ax, figsize=(4.0, 2.4))
    segments, colours, widths, _, _, centre = diagram_geometry(kind, k, n, highlight)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths,
                                     capstyle="round", zorder=1))
    ax.scatter(np.arange(n), np.zeros(n), s=70, c="white", edgecolors=PALETTE["black"],
               linewidths=1.0, zorder=3)
    ax.scatter(centre, np.ones(len(centre)), s=70, c="white", edgecolors=PALETTE["black"],
               linewidths=1.0, zorder=3)
    ax.set_title(_diagram_title(kind, k, n), fontsize=9)
    style_diagram(ax, n)
    return ax


def style_diagram(ax, n):
    ax.set_xlim(-0.7, n - 0.3)
    ax.set_ylim(-0.3, 1.3)
    ax.set_yticks([0, 1], ["inputs x", "outputs y"], fontsize=9)
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(left=False)


def _check_highlight(highlight, k):
    if highlight is None:
        return None
    highlight = check_int(highlight, "highlight", minimum=0)
    if highlight >= k:
        raise ValueError(f"highlight must be a kernel offset in range({k}); got {highlight}")
    return highlight


# --------------------------------------------------------------------------- weight matrices

def plot_parameter_matrix(kind: str = "conv", kernel_shape=3, shape=8, *,
                          highlight: int | None = None, blocks: bool = True,
                          kernel_key: bool = False, ax: Axes | None = None) -> Axes:
    """The layer's weight matrix, every entry coloured by the parameter it holds.

    Row ``i`` is output unit ``i``, column ``j`` input unit ``j`` (flat, C
    order for 2-D inputs); white entries are structurally zero. In a
    convolution each diagonal holds one tap (a Toeplitz matrix in 1-D, a
    doubly block-Toeplitz one in 2-D); a locally connected layer has the same
    white pattern with a different shade in every stored entry.

    Parameters
    ----------
    kind : {'dense', 'locally_connected', 'conv'}
    kernel_shape : int or (kh, kw)
    shape : int or (H, W)
        Input length or shape (same kind as ``kernel_shape``).
    highlight : int, optional
        Flat kernel tap whose entries are marked with a dot (``conv`` and
        ``locally_connected`` only).
    blocks : bool
        For 2-D inputs, draw thin lines between the blocks that belong to
        one output row / input row.
    kernel_key : bool
        For ``conv``, draw :func:`draw_kernel_key` in an inset to the right.
    ax : Axes, optional

    Returns
    -------
    Axes
        ``ax.images[0]`` shows the RGBA picture of :func:`parameter_image`.

    Raises
    ------
    ValueError
        For an unknown ``kind``, a kernel larger than the input or a
        ``highlight`` outside the kernel.

    Examples
    --------
    >>> ax = plot_parameter_matrix("conv", (2, 2), (3, 3))
    >>> ax.images[0].get_array().shape
    (4, 9, 4)
    """
    kind = _check_kind(kind)
    kshape, ishape, one_d = _as_2d_shapes(kernel_shape, shape)
    k = kshape[0] * kshape[1]
    highlight = _check_highlight(highlight, k)
    ax = new_axes(ax, figsize=(4.0, 2.6))
    ids, rgba = parameter_image(kind, kshape, ishape)
    n_out, n_in = ids.shape
    ax.imshow(rgba, interpolation="nearest", aspect="equal",
              extent=(-0.5, n_in - 0.5, n_out - 0.5, -0.5))
    ax.scatter(*highlight_points(kind, kshape, ishape, highlight), s=6, c=PALETTE["black"],
               zorder=3)
    if not one_d and blocks:
        w_out = ishape[1] - kshape[1] + 1
        for c in range(ishape[1], n_in, ishape[1]):
            ax.axvline(c - 0.5, color=PALETTE["grey"], lw=0.5)
        for r in range(w_out, n_out, w_out):
            ax.axhline(r - 0.5, color=PALETTE["grey"], lw=0.5)
    ax.set_xlabel("input unit j", fontsize=8)
    ax.set_ylabel("output unit i", fontsize=8)
    ax.tick_params(labelsize=7)
    _, _, _, n_params = connection_parameters(kind, kshape, ishape)
    ax.set_title(_matrix_title(kind, ids, n_params), fontsize=8.5)
    if kind == "conv" and kernel_key:
        if one_d:
            draw_kernel_key(kshape[1], ax=ax.inset_axes([1.03, 0.75, 0.06 * kshape[1], 0.1]))
        else:
            draw_kernel_key(kshape, ax=ax.inset_axes([1.03, 0.55, 0.22, 0.4]))
    return ax


def _matrix_title(kind, ids, n_params):
    n_out, n_in = ids.shape
    return (f"{KIND_LABELS[kind]} matrix ({n_out}×{n_in})\n"
            f"{int((ids >= 0).sum()):,} non-zero entries, {n_params:,} parameters")


def draw_kernel_key(kernel_shape, *, ax: Axes | None = None) -> Axes:
    """The kernel as a grid of tap colours, labelled ``w0, w1, ...`` (1-D) or ``w[a,b]`` (2-D).

    The key to the convolution panels: the entry of the matrix (or the line
    of the diagram) in a tap's colour multiplies by that tap's weight.

    Parameters
    ----------
    kernel_shape : int or (kh, kw)
    ax : Axes, optional

    Returns
    -------
    Axes
        ``ax.images[0]`` holds the colours, ``ax.texts`` the labels.

    Examples
    --------
    >>> [t.get_text() for t in draw_kernel_key(3).texts]
    ['w0', 'w1', 'w2']
    """
    one_d = not isinstance(kernel_shape, (tuple, list, np.ndarray))
    kshape = (1, check_int(kernel_shape, "kernel_shape")) if one_d else \
        check_pair(kernel_shape, "kernel_shape")
    ax = new_axes(ax, figsize=(1.5, 1.5))
    k = kshape[0] * kshape[1]
    ax.imshow(parameter_colours("conv", k).reshape(kshape[0], kshape[1], 4),
              interpolation="nearest")
    for tap in range(k):
        a, b = divmod(tap, kshape[1])
        label = f"w{tap}" if one_d else f"w{a}{b}"
        ax.text(b, a, label, ha="center", va="center", fontsize=7,
                color="white" if tap % len(TAP_COLOURS) in (0, 3, 4, 8) else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("kernel", fontsize=8)
    return ax


def highlight_points(kind, kshape, ishape, highlight, taps=None):
    if highlight is None or kind == "dense":
        return np.empty(0), np.empty(0)
    taps = _taps(kshape, ishape) if taps is None else taps
    rows, cols, taps = (np.asarray(a) for a in taps)
    on = taps == highlight
    return cols[on].astype(float), rows[on].astype(float)


# --------------------------------------------------------------------------- parameter growth

def _default_sides(kshape):
    return np.unique(np.geomspace(max(kshape), 2048, 60).round().astype(int))


def plot_parameter_growth(kernel_shape=SECTION_KERNEL_SHAPE, *, quantity: str = "parameters",
                          sides: Sequence[int] | None = None, mark=SECTION_IMAGE_SHAPE,
                          ax: Axes | None = None) -> Axes:
    """Parameters (or multiply-accumulates) of the three layers as the image grows.

    Log-log axes: the number of input pixels ``H*W`` against the count. The
    dense layer grows like ``(H*W)**2``, the locally connected layer like
    ``H*W*k`` and the convolution stays at ``k``. The gap dense -> locally
    connected is what sparsity buys; locally connected -> convolution what
    sharing buys. With ``quantity="macs"`` the locally connected and conv
    lines coincide: sharing saves parameters, not arithmetic.

    Parameters
    ----------
    kernel_shape : int or (kh, kw)
    quantity : {'parameters', 'macs'}
    sides : sequence of int, optional
        Square image sides for the curves (default 60 sizes up to 2048).
    mark : (H, W) or None
        An image shape to mark with a dotted line, dots and the three counts
        (default the section's 280 x 320).
    ax : Axes, optional

    Returns
    -------
    Axes
        ``ax.lines[:3]`` are the dense, locally connected and conv curves.

    Raises
    ------
    ValueError
        If ``quantity`` is unknown or a side is smaller than the kernel.

    Examples
    --------
    >>> ax = plot_parameter_growth(3, sides=[3, 10, 100], mark=None)
    >>> ax.lines[2].get_ydata().tolist()    # the conv has 9 weights at every size
    [9, 9, 9]
    """
    quantity = check_choice(quantity, "quantity", ("parameters", "macs"))
    kshape = check_pair(kernel_shape, "kernel_shape")
    sides = _default_sides(kshape) if sides is None else sides
    g = growth_counts(sides, kshape)
    ax = new_axes(ax, figsize=(5.0, 3.6))
    styles = {"dense": dict(color=ROLE["dense"], lw=2.2),
              "locally_connected": dict(color=ROLE["locally_connected"], lw=2.2),
              "conv": dict(color=ROLE["conv"], lw=2.2, ls="--" if quantity == "macs" else "-")}
    for kind in LAYER_KINDS:
        ax.plot(g["inputs"], g[kind][quantity], label=KIND_LABELS[kind], **styles[kind])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.5)          # show 10⁰: a 1×1 kernel has one parameter
    # Every other decade, no minor ticks: fewer labels to lay out (and a faster redraw).
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=5))
    ax.yaxis.set_major_locator(LogLocator(base=100, numticks=9))
    ax.minorticks_off()
    # Plain-text powers of ten (10⁶): no mathtext parsing, which is slow the first time.
    ax.xaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax.set_xlabel("input pixels H·W (square images, log scale)", fontsize=8)
    ylabel = "parameters (weights)" if quantity == "parameters" else "multiply-accumulates"
    ax.set_ylabel(f"{ylabel}, log scale", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, which="major", color="#e6e6e6", lw=0.6)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    if mark is not None:
        _mark_shape(ax, mark, kshape, quantity)
    return ax


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value, _pos=None) -> str:
    """Tick label ``10ⁿ`` for a power of ten (other values: empty)."""
    if value <= 0:
        return ""
    exponent = np.log10(value)
    if not np.isclose(exponent, round(exponent)):
        return ""
    return "10" + str(int(round(exponent))).translate(_SUPERSCRIPTS)


def _mark_shape(ax, mark, kshape, quantity):
    shape = check_pair(mark, "mark")
    x = shape[0] * shape[1]
    counts = {kind: getattr(count_layer(kind, shape, kshape), quantity) for kind in LAYER_KINDS}
    ax.axvline(x, color=PALETTE["grey"], ls=":", lw=1.0, zorder=0)
    colours = {kind: ROLE[kind] for kind in LAYER_KINDS}
    for kind in LAYER_KINDS:
        ax.plot([x], [counts[kind]], "o", color=colours[kind], ms=5, zorder=4)
    ax.annotate(f"{shape[0]}×{shape[1]} image", (x, 0.98), xytext=(-4, 0),
                textcoords="offset points", fontsize=7, color=PALETTE["grey"],
                xycoords=("data", "axes fraction"), va="top", ha="right")
    if quantity == "parameters":
        d, lc, c = counts["dense"], counts["locally_connected"], counts["conv"]
        _ratio_arrow(ax, x, d, lc, f"sparsity ÷{d / lc:,.0f}")
        _ratio_arrow(ax, x, lc, c, f"sharing ÷{lc / c:,.0f}")
    else:
        ax.annotate(f"locally connected = conv:\n{counts['conv']:,} MACs each",
                    (x, counts["conv"]), xytext=(0, -40), textcoords="offset points",
                    fontsize=7, color=PALETTE["black"], ha="center",
                    arrowprops=dict(arrowstyle="-", color=PALETTE["grey"], lw=0.6))


def _ratio_arrow(ax, x, top, bottom, text):
    ax.annotate("", xy=(x * 1.6, bottom), xytext=(x * 1.6, top),
                arrowprops=dict(arrowstyle="<->", color=PALETTE["black"], lw=0.8))
    ax.annotate(text, (x * 1.9, np.sqrt(top * bottom)), fontsize=7, va="center",
                color=PALETTE["black"])


# --------------------------------------------------------------------------- why sharing works

def plot_edge_response(image, kernel=VERTICAL_EDGE_KERNEL, *, limit: float | None = None,
                       ax: Axes | None = None, title: str | None = None) -> Axes:
    """The response of one kernel, the same weights at every position.

    Draws ``correlate2d(image, kernel, mode="valid")`` with a symmetric
    diverging colour map centred on zero (red: dark-to-bright edges, blue:
    bright-to-dark for the default vertical-edge kernel).

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
    limit : float, optional
        Colour scale runs from ``-limit`` to ``limit`` (values beyond are
        drawn at full colour); default the largest absolute response.
    ax : Axes, optional
    title : str, optional

    Returns
    -------
    Axes
        ``ax.images[0].get_array()`` is the response map.

    Raises
    ------
    ValueError
        If the image or kernel is not 2-D, empty or not finite, or the
        kernel is larger than the image.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((5, 6)); image[:, 3:] = 1
    >>> ax = plot_edge_response(image)
    >>> float(ax.images[0].get_array().max())
    3.0
    """
    image = as_float_array(image, "image", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"kernel must fit inside image; got kernel {kernel.shape} for "
                         f"image {image.shape}")
    response = correlate2d(image, kernel, mode="valid")
    ax = new_axes(ax, figsize=(4.0, 3.2))
    if limit is None:
        limit = float(np.abs(response).max()) or 1.0
    elif not (isinstance(limit, (int, float, np.floating, np.integer)) and np.isfinite(limit)
              and limit > 0):
        raise ValueError(f"limit must be a positive finite number; got {limit!r}")
    ax.imshow(response, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


# --------------------------------------------------------------------------- figures

def sharing_figure(kernel_size: int = 3, n: int = 10, *, highlight: int | None = 1) -> Figure:
    """Main figure: the three layers as diagrams (top) and as matrices (bottom).

    Columns: dense, locally connected, convolution (:data:`LAYER_KINDS`), each drawn
    with :func:`plot_connections` above :func:`plot_parameter_matrix`; the
    convolution matrix carries the kernel key.

    Parameters
    ----------
    kernel_size : int
        Kernel length ``k``.
    n : int
        Number of input units (``n >= k``).
    highlight : int or None
        Kernel offset to highlight, in ``range(k)``; None for none.

    Returns
    -------
    Figure
        A detached figure with 6 axes (plus the key's inset).

    Raises
    ------
    ValueError, TypeError
        As :func:`plot_connections`.

    Examples
    --------
    >>> fig = sharing_figure(3, 6)
    >>> len(fig.axes)
    6
    """
    fig = new_figure(figsize=(10.5, 5.0))
    axes = fig.subplots(2, 3, gridspec_kw=dict(height_ratios=[0.8, 1.25]))
    for col, kind in enumerate(LAYER_KINDS):
        plot_connections(kind, kernel_size, n, highlight=highlight, ax=axes[0, col])
        plot_parameter_matrix(kind, kernel_size, n, highlight=highlight, ax=axes[1, col],
                              kernel_key=True)
    marked = "" if highlight is None else f"; thick lines and dots: kernel offset {highlight}"
    fig.suptitle("Colour = which parameter a connection multiplies by "
                 f"({kernel_size}-tap kernel, {n} inputs{marked})", fontsize=10)
    return fig


def toeplitz_2d_figure(kernel_shape=(3, 3), shape=(5, 6)) -> Figure:
    """The 2-D convolution matrix (doubly block-Toeplitz) beside the locally connected one.

    Parameters
    ----------
    kernel_shape : (kh, kw)
    shape : (H, W)
        Image shape; keep it small (the matrix has ``H_out*W_out`` rows and
        ``H*W`` columns).

    Returns
    -------
    Figure
        Two axes: convolution (with kernel key) and locally connected.

    Raises
    ------
    ValueError, TypeError
        As :func:`plot_parameter_matrix`.

    Examples
    --------
    >>> len(toeplitz_2d_figure((2, 2), (3, 3)).axes)
    2
    """
    fig = new_figure(figsize=(10.0, 3.0))
    axes = fig.subplots(1, 2)
    plot_parameter_matrix("conv", kernel_shape, shape, ax=axes[0], kernel_key=True)
    plot_parameter_matrix("locally_connected", kernel_shape, shape, ax=axes[1])
    kshape, ishape = check_pair(kernel_shape, "kernel_shape"), check_pair(shape, "shape")
    fig.suptitle(f"{kshape[0]}×{kshape[1]} kernel on a {ishape[0]}×{ishape[1]} image: "
                 "the same white pattern, tied weights (left) vs one weight per entry (right); "
                 "grey lines separate image rows", fontsize=9)
    return fig


def parameter_growth_figure(kernel_shape=SECTION_KERNEL_SHAPE) -> Figure:
    """Parameters (left) and multiply-accumulates (right) against image size.

    Parameters
    ----------
    kernel_shape : int or (kh, kw)
        Kernel of the three layers (default the section's 3 x 3).

    Returns
    -------
    Figure
        Two :func:`plot_parameter_growth` panels, both marking 280 x 320.

    Raises
    ------
    ValueError, TypeError
        As :func:`plot_parameter_growth`.

    Examples
    --------
    >>> len(parameter_growth_figure().axes)
    2
    """
    fig = new_figure(figsize=(10.0, 3.8))
    left, right = fig.subplots(1, 2)
    plot_parameter_growth(kernel_shape, quantity="parameters", ax=left)
    plot_parameter_growth(kernel_shape, quantity="macs", ax=right)
    left.set_title("parameters: sparsity, then sharing, cut them", fontsize=9)
    right.set_title("arithmetic: sharing changes nothing", fontsize=9)
    return fig


def scattered_shapes(shape=(150, 160)) -> np.ndarray:
    """Two rows of :func:`cnnmotiv.data.shapes`, the lower one mirrored left-right.

    Every shape then appears in two places far apart (the square top-left
    and bottom-right, ...), so one edge detector has to work at both.

    Parameters
    ----------
    shape : (H, W)
        Total size; ``H`` is split into two equal bands (``H >= 16``,
        ``W >= 24``).

    Returns
    -------
    ndarray, shape (H, W)
        Zeros and ones, float64.

    Raises
    ------
    ValueError
        If ``shape`` is too small for :func:`cnnmotiv.data.shapes`.

    Examples
    --------
    >>> scattered_shapes((16, 24)).shape
    (16, 24)
    """
    from cnnmotiv.data import shapes
    h, w = check_pair(shape, "shape")
    top = shapes((h // 2, w))
    bottom = shapes((h - h // 2, w))[:, ::-1]
    return np.vstack([top, bottom])


def edges_everywhere_figure(images: Sequence[np.ndarray] | None = None,
                            kernel=VERTICAL_EDGE_KERNEL) -> Figure:
    """One kernel (by default a 3x3 vertical-edge detector) applied everywhere on each image.

    Parameters
    ----------
    images : sequence of (H, W) arrays, optional
        Default: :func:`scattered_shapes` and a 150 x 160
        :func:`cnnmotiv.data.photo`.
    kernel : (kh, kw) array_like
        Default :data:`VERTICAL_EDGE_KERNEL`.

    Returns
    -------
    Figure
        One column per image: the image above its response
        (:func:`plot_edge_response`, colour scale clipped at the 99.5th
        percentile of the absolute response so that moderate edges show).

    Raises
    ------
    ValueError, TypeError
        If an image or the kernel is not a finite 2-D array, or the kernel
        does not fit inside an image.

    Examples
    --------
    >>> import numpy as np
    >>> len(edges_everywhere_figure([np.eye(8)]).axes)
    2
    """
    if images is None:
        from cnnmotiv.data import photo
        images = [scattered_shapes(), photo((150, 160))]
    kernel = as_float_array(kernel, "kernel", ndim=2)
    fig = new_figure(figsize=(3.3 * len(images), 5.4))
    axes = np.asarray(fig.subplots(2, len(images), squeeze=False))
    for col, image in enumerate(images):
        image = as_float_array(image, "images", ndim=2)
        axes[0, col].imshow(image, cmap="gray", interpolation="nearest")
        axes[0, col].set_xticks([])
        axes[0, col].set_yticks([])
        axes[0, col].set_title(f"input {image.shape[0]}×{image.shape[1]}", fontsize=9)
        # Colour scale at the 99.5th percentile, so that the many moderate edges of a
        # photograph show, not just the few strongest.
        if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
            raise ValueError(f"kernel must fit inside image; got kernel {kernel.shape} for "
                             f"image {image.shape}")
        strength = np.abs(correlate2d(image, kernel))
        plot_edge_response(image, kernel, ax=axes[1, col],
                           limit=float(np.percentile(strength, 99.5)) or None,
                           title=f"same {np.shape(kernel)[0]}×{np.shape(kernel)[1]} "
                                 "weights at every position")
    return fig


# --------------------------------------------------------------------------- held-out error

#: Panel titles of :func:`sharing_study_figure`, by truth.
TRUTH_TITLES = {"shared": "signal: one rule at every position",
                "per_position": "table: its own rule for each pair of columns"}


def _check_study(study) -> SharingStudy:
    if not isinstance(study, SharingStudy):
        raise TypeError(f"study must be a SharingStudy (from sharing_study()); got "
                        f"{type(study).__name__}")
    return study


def _plain_number(value, _pos=None) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:.3g}"


def _label_log_ticks(ax, low, high) -> None:
    """Plain-number tick labels; over more than a decade only 1, 2 and 5 times a power of ten."""
    def minor(value, _pos=None):
        mantissa = round(value / 10 ** np.floor(np.log10(value)), 6)
        return _plain_number(value) if mantissa in (2.0, 5.0) else ""
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.yaxis.set_minor_formatter(FuncFormatter(minor if high > 10 * low else _plain_number))


def plot_sharing_study(study: SharingStudy, truth: str, *, ax: Axes | None = None) -> Axes:
    """Held-out mean squared error against the training rows, one line per model.

    Log axes; dashed horizontal lines mark the noise floor and, where it is
    higher (per-position truth), the best a shared kernel can do. Every
    number comes from ``study``.

    Parameters
    ----------
    study : SharingStudy
        From :func:`cnnmotiv.learning.sharing_study.sharing_study`.
    truth : {'shared', 'per_position'}
        How the targets were made.
    ax : Axes, optional
        Where to draw; a new detached figure if omitted.

    Returns
    -------
    Axes
        ``ax.lines``: one line per model (in the order of
        :data:`~cnnmotiv.learning.sharing_study.MODELS`), then the noise floor,
        then (per-position truth only) the convolution's floor.

    Raises
    ------
    TypeError
        If ``study`` is not a :class:`~cnnmotiv.learning.sharing_study.SharingStudy`.
    ValueError
        If ``truth`` is unknown.

    Examples
    --------
    >>> from cnnmotiv.learning.sharing_study import sharing_study
    >>> study = sharing_study(train_sizes=(5, 50), repeats=2, n_test=200)
    >>> len(plot_sharing_study(study, "per_position").lines)
    4
    """
    study = _check_study(study)
    truth = check_choice(truth, "truth", TRUTHS)
    ax = new_axes(ax, figsize=(5.0, 3.8))
    for model in MODELS:
        ax.plot(study.train_sizes, study.test_errors[truth][model], marker="o", ms=4, lw=2,
                color=ROLE[model],
                label=f"{KIND_LABELS[model]} ({study.parameters[model]:,} weights)")
    ax.axhline(study.noise_floor, color=PALETTE["black"], ls="--", lw=1.2,
               label=f"noise floor (noise² = {study.noise_floor:.3g})")
    if truth == "per_position":
        ax.axhline(study.conv_floor[truth], color=ROLE["conv"], ls="--", lw=1.2,
                   label=f"best any shared kernel can do ({study.conv_floor[truth]:.3g})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(study.train_sizes, [f"{n:,}" for n in study.train_sizes])
    ax.xaxis.set_minor_locator(LogLocator(subs="auto", numticks=12))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    drawn = [study.noise_floor, *np.concatenate([study.test_errors[truth][m] for m in MODELS])]
    _label_log_ticks(ax, min(drawn), max(drawn))
    ax.tick_params(which="both", labelsize=9)
    ax.set_xlabel("training rows (log scale)", fontsize=9)
    ax.set_ylabel("held-out mean squared error (log scale)", fontsize=9)
    ax.set_title(TRUTH_TITLES[truth], fontsize=10)
    ax.legend(fontsize=9, frameon=False,
              loc="center right" if truth == "per_position" else "upper right")
    return ax


def sharing_study_figure(study: SharingStudy | None = None) -> Figure:
    """The held-out study on a signal (left) and on a table (right).

    Parameters
    ----------
    study : SharingStudy, optional
        Default: :func:`cnnmotiv.learning.sharing_study.sharing_study` with its
        defaults.

    Returns
    -------
    Figure
        Two :func:`plot_sharing_study` panels, ``'shared'`` then
        ``'per_position'``.

    Raises
    ------
    TypeError
        If ``study`` is not a :class:`~cnnmotiv.learning.sharing_study.SharingStudy`.

    Examples
    --------
    >>> from cnnmotiv.learning.sharing_study import sharing_study
    >>> fig = sharing_study_figure(sharing_study(train_sizes=(5, 50), repeats=2, n_test=200))
    >>> [ax.get_title() for ax in fig.axes]
    ['signal: one rule at every position', 'table: its own rule for each pair of columns']
    """
    study = sharing_study() if study is None else _check_study(study)
    fig = new_figure(figsize=(10.0, 4.0))
    for truth, ax in zip(TRUTHS, fig.subplots(1, 2)):
        plot_sharing_study(study, truth, ax=ax)
    fig.suptitle(f"Inputs x of {study.n_columns} columns, one output y per window of "
                 f"{study.kernel_size}: held-out error on {study.n_test:,} rows, mean of "
                 f"{study.repeats} training draws", fontsize=10)
    return fig


#: Figure builders for ``python -m cnnmotiv figures``; the notebook's main figure first.
FIGURES = {
    "2-parameter-sharing": sharing_figure,
    "2-toeplitz-2d": toeplitz_2d_figure,
    "2-parameter-growth": parameter_growth_figure,
    "2-edges-everywhere": edges_everywhere_figure,
    "2-sharing-study": sharing_study_figure,
}

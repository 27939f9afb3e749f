"""Receptive fields of stacked convolution and pooling layers.

A unit deep in a convolutional network is *indirectly* connected to a large
part of the input even though each layer only has sparse, local connections:
the region it can see grows with every layer. This module gives

* the closed form -- :func:`receptive_field` (size, effective stride or
  *jump*, and position of the field per layer), :func:`input_region` (the
  input rows and columns one output unit sees) and :func:`input_support` (the
  exact input indices, which can have gaps with strides and dilation);
* a measurement through real layers of this package --
  :func:`measure_receptive_field` pushes a gradient (the adjoint of each
  layer) back from one output unit, using either the sparse matrices of
  :mod:`cnnmotiv.matrices` or transposed convolutions from
  :mod:`cnnmotiv.convolution`;
* the *effective* receptive field -- :func:`effective_receptive_field` (how
  strongly each input pixel influences the centre unit), :func:`erf_spread`,
  :func:`erf_growth` and :func:`fit_growth_exponent`: the influence is
  Gaussian-like and its width grows like the square root of the depth, while
  the theoretical field grows linearly.

Coordinates are input pixel indices: the centre of pixel ``i`` is at ``i``.
Everything is computed per axis (rows, columns), so every size, stride,
pad width and dilation may be an int or a ``(rows, cols)`` pair.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnmotiv.validation import (
    as_float_array,
    check_choice,
    check_int,
    check_pair,
    check_shape,
)

__all__ = [
    "ERF_INITS",
    "LAYER_TYPES",
    "MEASURE_METHODS",
    "ErfGrowth",
    "FieldInfo",
    "LayerSpec",
    "LayerStack",
    "effective_receptive_field",
    "erf_growth",
    "erf_spread",
    "field_layers",
    "fit_growth_exponent",
    "input_region",
    "input_support",
    "layer_lengths",
    "layer_stack",
    "measure_receptive_field",
    "nearest_units",
    "output_shapes",
    "receptive_field",
    "relu_effective_receptive_field",
    "relu_erf_growth",
    "uniform_erf_std",
]

#: Layer kinds; a (max) pooling layer has the same geometry as a convolution.
LAYER_TYPES = ("conv", "pool")
#: How :func:`measure_receptive_field` pushes the gradient back.
MEASURE_METHODS = ("matrix", "convolution")
#: How the weights of :func:`effective_receptive_field`'s linear stack are set (``init``).
ERF_INITS = ("uniform", "random")


# ---------------------------------------------------------------------------
# Layer description and closed form
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerSpec:
    """Geometry of one convolution or pooling layer.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Kernel (or pooling window) size ``k``, at least 1.
    stride : int or (int, int), optional
        Step ``s`` between neighbouring output units, at least 1.
    pad_width : int or (int, int), optional
        Number ``p`` of zeros added on *both* sides of the layer's input, at
        least 0 (a count; ``padding`` in :mod:`cnnmotiv.convolution` is the
        mode name).
    dilation : int or (int, int), optional
        Spacing ``d`` between kernel taps, at least 1 (1: contiguous kernel).
    kind : {"conv", "pool"}, optional
        Label only: for field purposes a max pool has the same geometry as a
        convolution with the same window.

    Attributes
    ----------
    All parameters, stored as ``(rows, cols)`` pairs of ints.

    Raises
    ------
    TypeError
        Non-integer sizes (floats and bools included).
    ValueError
        Non-positive kernel size, stride or dilation, negative pad_width, or an
        unknown ``kind``.

    Examples
    --------
    >>> LayerSpec(3, stride=(1, 2))
    LayerSpec(kernel_size=(3, 3), stride=(1, 2), pad_width=(0, 0), dilation=(1, 1), kind='conv')
    >>> LayerSpec(3, dilation=2).extent
    (5, 5)
    """

    kernel_size: tuple[int, int]
    stride: tuple[int, int] = 1
    pad_width: tuple[int, int] = 0
    dilation: tuple[int, int] = 1
    kind: str = "conv"

    def __post_init__(self):
        check_choice(self.kind, "kind", LAYER_TYPES)
        object.__setattr__(self, "kernel_size", check_pair(self.kernel_size, "kernel_size"))
        object.__setattr__(self, "stride", check_pair(self.stride, "stride"))
        object.__setattr__(self, "pad_width", check_pair(self.pad_width, "pad_width", minimum=0))
        object.__setattr__(self, "dilation", check_pair(self.dilation, "dilation"))

    @property
    def extent(self) -> tuple[int, int]:
        """Span of the dilated kernel, ``d (k - 1) + 1`` per axis."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel_size, self.dilation))


@dataclass(frozen=True)
class FieldInfo:
    """Receptive field of the units of one layer, in input pixel coordinates.

    Attributes
    ----------
    size : (int, int)
        Rows and columns spanned by one unit's field, ``r``.
    jump : (int, int)
        Effective stride ``j``: input distance between the fields of two
        neighbouring units of this layer (the product of the strides so far).
    start : (float, float)
        Input coordinate of the centre of unit 0's field (half-integer for
        even spans). Unit ``i``'s field is centred at ``start + i * jump``.
    offset : (int, int)
        First input index of unit 0's field, ``start - (size - 1) / 2``;
        ``-offset`` is the effective padding (how far the field of unit 0
        reaches past the top/left border).
    """

    size: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[float, float]
    offset: tuple[int, int]


def _check_layers(layers) -> tuple[LayerSpec, ...]:
    if isinstance(layers, LayerSpec):
        layers = (layers,)
    if not isinstance(layers, Sequence) or isinstance(layers, str):
        raise TypeError(f"layers must be a list of LayerSpec; got {type(layers).__name__}")
    if len(layers) == 0:
        raise ValueError("layers must hold at least one LayerSpec; got an empty list")
    for i, layer in enumerate(layers):
        if not isinstance(layer, LayerSpec):
            raise TypeError(f"layers[{i}] must be a LayerSpec; got {type(layer).__name__}")
    return tuple(layers)


def _axis_fields(layers, axis: int):
    """Yield (size, jump, start, offset) after each layer along one axis."""
    r, j, start, first = 1, 1, 0.0, 0
    for layer in layers:
        k, s = layer.kernel_size[axis], layer.stride[axis]
        p, d = layer.pad_width[axis], layer.dilation[axis]
        r += (k - 1) * d * j
        start += ((k - 1) * d / 2 - p) * j
        first -= p * j
        j *= s
        yield r, j, start, first


def receptive_field(layers) -> list[FieldInfo]:
    """Closed-form receptive field after each layer of a stack.

    Parameters
    ----------
    layers : sequence of LayerSpec
        The stack, input side first; at least one layer (a single
        :class:`LayerSpec` counts as a stack of one).

    Returns
    -------
    list of FieldInfo
        One per layer: the field of that layer's units on the network input.

    Raises
    ------
    TypeError
        If ``layers`` is not a sequence of :class:`LayerSpec`.
    ValueError
        If ``layers`` is empty.

    Notes
    -----
    Per axis, starting from the input itself (``r_0 = 1``, ``j_0 = 1``,
    ``start_0 = 0``), layer ``l`` with kernel ``k``, stride ``s``, pad_width
    ``p`` and dilation ``d`` gives

    .. math::

        r_l = r_{l-1} + (k_l - 1)\\, d_l\\, j_{l-1}, \\qquad
        j_l = j_{l-1}\\, s_l, \\qquad
        \\mathrm{start}_l = \\mathrm{start}_{l-1}
            + \\Big(\\frac{(k_l - 1) d_l}{2} - p_l\\Big) j_{l-1}.

    A tap ``a`` of a layer-``l`` unit reads the layer-``(l-1)`` unit
    ``a d_l`` further on, which on the input is ``a d_l j_{l-1}`` further:
    the kernel's span adds ``(k_l - 1) d_l j_{l-1}`` to the field. Only
    strides make later layers' steps bigger; kernels and dilation only widen.

    Examples
    --------
    Three 3x3 convolutions see 7x7 pixels, one more pixel per side per layer:

    >>> [f.size for f in receptive_field([LayerSpec(3)] * 3)]
    [(3, 3), (5, 5), (7, 7)]

    A 2x2 stride-2 pool doubles the growth of everything after it:

    >>> for f in receptive_field([LayerSpec(3), LayerSpec(2, stride=2, kind="pool"),
    ...                           LayerSpec(3)]):
    ...     print(f)
    FieldInfo(size=(3, 3), jump=(1, 1), start=(1.0, 1.0), offset=(0, 0))
    FieldInfo(size=(4, 4), jump=(2, 2), start=(1.5, 1.5), offset=(0, 0))
    FieldInfo(size=(8, 8), jump=(2, 2), start=(3.5, 3.5), offset=(0, 0))
    """
    layers = _check_layers(layers)
    rows = list(_axis_fields(layers, 0))
    cols = list(_axis_fields(layers, 1))
    return [FieldInfo(size=(a[0], b[0]), jump=(a[1], b[1]), start=(a[2], b[2]),
                      offset=(a[3], b[3])) for a, b in zip(rows, cols)]


def _check_index(index) -> tuple[int, int]:
    return check_shape(index, "index", ndim=2, minimum=0)


def output_shapes(layers, input_shape) -> list[tuple[int, int]]:
    """Output shape ``(H_l, W_l)`` of each layer for an input of ``input_shape``.

    Parameters
    ----------
    layers : sequence of LayerSpec
    input_shape : (int, int)
        ``(H, W)`` of the network input.

    Returns
    -------
    list of (int, int)
        ``n_l = floor((n_{l-1} + 2 p - d (k - 1) - 1) / s) + 1`` per axis.

    Raises
    ------
    ValueError
        If a layer's padded input is smaller than its dilated kernel, so the
        layer would have no output.

    Examples
    --------
    >>> output_shapes([LayerSpec(3, pad_width=1), LayerSpec(2, stride=2)], (8, 9))
    [(8, 9), (4, 4)]
    """
    layers = _check_layers(layers)
    lengths = layer_lengths(layers, input_shape)
    for i, (layer, before, after) in enumerate(zip(layers, lengths, lengths[1:])):
        for axis, name in enumerate(("rows", "cols")):
            if after[axis] < 1:
                n = before[axis] + 2 * layer.pad_width[axis]
                raise ValueError(
                    f"input_shape {tuple(input_shape)} is too small: layer {i} gets "
                    f"{n} padded {name} but its dilated kernel spans {layer.extent[axis]}")
    return lengths[1:]


def layer_lengths(layers, input_shape) -> list[tuple[int, int]]:
    """Size ``(H_l, W_l)`` of every layer's map, the input first, without refusing empty ones.

    Parameters
    ----------
    layers : sequence of LayerSpec
    input_shape : (int, int)
        ``(H, W)`` of the network input.

    Returns
    -------
    list of (int, int)
        ``len(layers) + 1`` shapes: the input, then
        ``n_l = floor((n_{l-1} + 2 p - d (k - 1) - 1) / s) + 1`` per axis.
        A value ``<= 0`` means the layer has no unit on that axis (and the
        layers after it are meaningless); :func:`output_shapes` refuses that.

    Raises
    ------
    TypeError, ValueError
        For bad ``layers`` or ``input_shape``.

    Examples
    --------
    >>> layer_lengths([LayerSpec(3), LayerSpec(2, stride=2)], (8, 9))
    [(8, 9), (6, 7), (3, 3)]
    >>> layer_lengths([LayerSpec(5)], (3, 9))[-1]
    (-1, 5)
    """
    layers = _check_layers(layers)
    lengths = [check_shape(input_shape, "input_shape", ndim=2)]
    for layer in layers:
        lengths.append(tuple(
            (lengths[-1][a] + 2 * layer.pad_width[a] - layer.extent[a]) // layer.stride[a] + 1
            for a in range(2)))
    return lengths


def nearest_units(layers, input_shape, point) -> tuple[list[FieldInfo], list[tuple[int, int]]]:
    """For each depth, the unit whose field is centred nearest ``point``.

    Parameters
    ----------
    layers : sequence of LayerSpec
    input_shape : (int, int)
        ``(H, W)`` of the input image.
    point : (float, float)
        ``(row, col)`` in input pixel coordinates.

    Returns
    -------
    infos : list of FieldInfo
        :func:`receptive_field` of ``layers``.
    units : list of (int, int)
        Per layer, the index ``round((point - start) / jump)``, clipped to the
        layer's output (:func:`layer_lengths`).

    Raises
    ------
    ValueError
        If some layer has no output unit on an image of ``input_shape``, or
        ``point`` is not two finite numbers.

    Examples
    --------
    >>> infos, units = nearest_units([LayerSpec(3), LayerSpec(2, stride=2)], (10, 10), (4, 9))
    >>> units
    [(3, 7), (1, 3)]
    """
    layers = _check_layers(layers)
    shape = check_shape(input_shape, "input_shape", ndim=2)
    pt = as_float_array(point, "point", ndim=1, dtype=np.float64)
    if pt.size != 2:
        raise ValueError(f"point must be a (row, col) pair; got {point!r}")
    infos = receptive_field(layers)
    units = []
    for info, length in zip(infos, layer_lengths(layers, shape)[1:]):
        if min(length) < 1:
            raise ValueError(f"the stack leaves no output unit on an image of shape {shape}")
        units.append(tuple(int(np.clip(round((pt[a] - info.start[a]) / info.jump[a]),
                                       0, length[a] - 1)) for a in range(2)))
    return infos, units


def field_layers(depth: int, kernel_size, *, stride=1, dilation=1,
                 same: bool = False) -> list[LayerSpec]:
    """``depth`` identical convolution layers as :class:`LayerSpec`.

    Parameters
    ----------
    depth : int
        Number of layers (at least 1).
    kernel_size, stride, dilation : int or (int, int)
        Geometry of every layer.
    same : bool
        If true, pad each layer by ``dilation * (kernel_size - 1) // 2`` on
        each side (so odd kernels keep the size with stride 1); else no padding.

    Returns
    -------
    list of LayerSpec

    Raises
    ------
    ValueError, TypeError
        For a non-positive or non-integer argument.

    Examples
    --------
    >>> [info.size for info in receptive_field(field_layers(3, 3))]
    [(3, 3), (5, 5), (7, 7)]
    """
    depth = check_int(depth, "depth")
    k = check_pair(kernel_size, "kernel_size")
    s = check_pair(stride, "stride")
    d = check_pair(dilation, "dilation")
    pad = (d[0] * (k[0] - 1) // 2, d[1] * (k[1] - 1) // 2) if same else (0, 0)
    return [LayerSpec(kernel_size=k, stride=s, pad_width=pad, dilation=d) for _ in range(depth)]


# ---------------------------------------------------------------------------
# 1-D stacks as matrices
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerStack:
    """Stacked 1-D valid convolutions, as matrices, with one top unit traced down.

    Attributes
    ----------
    matrices : list of ndarray
        ``matrices[l]`` maps layer ``l`` (``(n_l,)``) to layer ``l + 1``;
        layer 0 is the input.
    positions : list of ndarray
        Input coordinate of the centre of each unit, per layer (layer 0:
        ``0 .. n-1``), found from the matrices: each unit sits at the mean
        position of the units it reads.
    field : list of ndarray
        ``field[l]``: indices of the layer-``l`` units that the chosen top unit
        depends on (``field[depth] == [unit]``).
    unit : int
        The chosen unit of the top layer.
    """

    matrices: list
    positions: list
    field: list
    unit: int

    @property
    def depth(self) -> int:
        """Number of layers above the input."""
        return len(self.matrices)

    def span(self, layer: int = 0) -> int:
        """Width (``last - first + 1``) of the traced field at ``layer``."""
        f = self.field[layer]
        return int(f[-1] - f[0] + 1)

    def __repr__(self) -> str:
        sizes = [int(m.shape[1]) for m in self.matrices] + [int(self.matrices[-1].shape[0])]
        return (f"LayerStack(depth={self.depth}, lengths={sizes}, unit={self.unit}, "
                f"field_size={self.span(0)})")


def layer_stack(depth: int, kernel_size: int, *, stride: int = 1, dilation: int = 1,
                n: int | None = None, unit: int | None = None) -> LayerStack:
    """Build ``depth`` stacked 1-D valid convolutions and trace one top unit down.

    Parameters
    ----------
    depth, kernel_size, stride, dilation : int
        Geometry of every layer.
    n : int, optional
        Input length; default: the top unit's field plus two top-layer strides,
        so that the top layer has three units.
    unit : int, optional
        The traced top unit; default: the middle one.

    Returns
    -------
    LayerStack

    Raises
    ------
    ValueError
        If ``n`` is too short for the stack (the top layer would be empty) or
        ``unit`` is out of range; if the matrices would exceed the memory
        budget (:func:`cnnmotiv.budget.check_bytes`, parameter ``n``).
    TypeError
        For non-integer arguments.

    Notes
    -----
    The trace uses only the non-zeros of the matrices
    (:func:`cnnmotiv.matrices.correlation_matrix_1d`): the units that layer
    ``l + 1``'s field reads are the non-zero columns of its rows. Its width
    is the closed form of :func:`receptive_field`,
    ``1 + sum_l (k - 1) * dilation * stride**(l - 1)``.

    Examples
    --------
    >>> st = layer_stack(3, 3)
    >>> [len(f) for f in st.field]
    [7, 5, 3, 1]
    >>> st.span(0)
    7
    """
    from cnnmotiv.budget import check_bytes
    from cnnmotiv.matrices import correlation_matrix_1d

    depth = check_int(depth, "depth")
    k = check_int(kernel_size, "kernel_size")
    s = check_int(stride, "stride")
    d = check_int(dilation, "dilation")
    spec = [LayerSpec(k, stride=s, dilation=d)] * depth
    top = receptive_field(spec)[-1]
    size, jump = top.size[0], top.jump[0]
    n = size + 2 * jump if n is None else check_int(n, "n")
    if n < size:
        raise ValueError(f"n must be at least the top unit's field, {size}, for depth={depth}, "
                         f"kernel_size={k}, stride={s}, dilation={d}; got {n}")
    lengths = [h for h, _ in layer_lengths(spec, (n, 1))]
    check_bytes(8 * sum(a * b for a, b in zip(lengths[:-1], lengths[1:])),
                what=f"the {depth} dense 1-D layer matrices for n={n}", parameter="n")
    kernel = np.ones(k)
    matrices, positions = [], [np.arange(n, dtype=float)]
    length = n
    for _ in range(depth):
        m = correlation_matrix_1d(kernel, length, mode="valid", stride=s, dilation=d)
        reads = m != 0
        positions.append(reads @ positions[-1] / reads.sum(axis=1))
        matrices.append(m)
        length = m.shape[0]
    top_units = matrices[-1].shape[0]
    unit = top_units // 2 if unit is None else check_int(unit, "unit", minimum=0)
    if unit >= top_units:
        raise ValueError(f"unit must be a top-layer index in 0..{top_units - 1}; got {unit}")
    field = [np.array([unit])]
    for m in reversed(matrices):
        field.append(np.flatnonzero((m[field[-1]] != 0).any(axis=0)))
    return LayerStack(matrices, positions, field[::-1], unit)


def _check_output_index(layers, input_shape, index) -> tuple[int, int]:
    index = _check_index(index)
    h_out, w_out = output_shapes(layers, input_shape)[-1]
    if index[0] >= h_out or index[1] >= w_out:
        raise ValueError(f"index {index} is out of range of the last layer's output shape "
                         f"{(h_out, w_out)}")
    return index


def input_region(layers, index, *, input_shape=None) -> tuple[tuple[int, int], tuple[int, int]]:
    """Input rows and columns spanned by the field of one output unit.

    Parameters
    ----------
    layers : sequence of LayerSpec
    index : (int, int)
        ``(row, col)`` of a unit of the last layer, each ``>= 0``.
    input_shape : (int, int), optional
        If given, ``index`` must lie inside the last layer's output for this
        input shape.

    Returns
    -------
    ((r0, r1), (c0, c1))
        Half-open ranges: the unit sees rows ``r0 <= i < r1`` and columns
        ``c0 <= j < c1``. They may reach outside ``[0, H)`` and ``[0, W)``:
        those positions are padding. With strides or dilation the field can
        have gaps; see :func:`input_support`.

    Raises
    ------
    ValueError
        Negative ``index``, or one outside the output when ``input_shape`` is
        given; bad ``layers``.

    Examples
    --------
    >>> layers = [LayerSpec(3, pad_width=1)] * 2
    >>> input_region(layers, (0, 4))
    ((-2, 3), (2, 7))
    """
    layers = _check_layers(layers)
    if input_shape is not None:
        index = _check_output_index(layers, input_shape, index)
    else:
        index = _check_index(index)
    f = receptive_field(layers)[-1]
    spans = []
    for axis in range(2):
        lo = f.offset[axis] + index[axis] * f.jump[axis]
        spans.append((lo, lo + f.size[axis]))
    return tuple(spans[0]), tuple(spans[1])


def input_support(layers, index) -> tuple[np.ndarray, np.ndarray]:
    """Exact input rows and columns that can influence one output unit.

    Parameters
    ----------
    layers : sequence of LayerSpec
    index : (int, int)
        ``(row, col)`` of a unit of the last layer.

    Returns
    -------
    rows, cols : numpy.ndarray of int
        Sorted distinct indices (possibly negative or past the border:
        padding). The unit's field is the grid ``rows x cols``; its first and
        last entries are the bounds of :func:`input_region`.

    Raises
    ------
    ValueError, TypeError
        As :func:`input_region`.

    Notes
    -----
    Per axis the reachable offsets are the sums
    ``sum_l a_l d_l j_{l-1}`` over taps ``0 <= a_l < k_l`` (a Minkowski sum
    of the layers' dilated kernels scaled by the jump). When a tap spacing
    ``d_l j_{l-1}`` exceeds the span already covered, ``r_{l-1}``, those sums
    leave holes: the "gridding" of dilated or strided stacks.

    Examples
    --------
    >>> rows, cols = input_support([LayerSpec(2, dilation=3)], (0, 0))
    >>> rows.tolist(), cols.tolist()
    ([0, 3], [0, 3])
    >>> rows, _ = input_support([LayerSpec(2, dilation=3), LayerSpec(2, pad_width=1)], (0, 0))
    >>> rows.tolist()             # span -1..3 (5 rows) with a hole at row 1
    [-1, 0, 2, 3]
    >>> input_region([LayerSpec(2, dilation=3), LayerSpec(2, pad_width=1)], (0, 0))
    ((-1, 4), (-1, 4))
    """
    layers = _check_layers(layers)
    index = _check_index(index)
    f = receptive_field(layers)[-1]
    out = []
    for axis in range(2):
        offsets = np.zeros(1, dtype=np.int64)
        j = 1
        for layer in layers:
            taps = np.arange(layer.kernel_size[axis]) * layer.dilation[axis] * j
            offsets = np.unique((offsets[:, None] + taps[None, :]).ravel())
            j *= layer.stride[axis]
        out.append(offsets + f.offset[axis] + index[axis] * f.jump[axis])
    return out[0], out[1]


# ---------------------------------------------------------------------------
# Measurement through real layers
# ---------------------------------------------------------------------------
def _backward_matrix(layer, g, in_shape):
    """Adjoint of (zero-pad, valid strided dilated correlation) via cnnmotiv.matrices."""
    from cnnmotiv.matrices import sparse_correlation_matrix

    (pr, pc) = layer.pad_width
    padded = (in_shape[0] + 2 * pr, in_shape[1] + 2 * pc)
    m = sparse_correlation_matrix(np.ones(layer.kernel_size), padded, mode="valid",
                                  stride=layer.stride, dilation=layer.dilation)
    gp = (m.T @ g.ravel()).reshape(padded)
    return gp[pr:pr + in_shape[0], pc:pc + in_shape[1]]       # adjoint of zero padding


def _backward_convolution(layer, g, in_shape):
    """The same adjoint as a transposed convolution with cnnmotiv.convolution."""
    from cnnmotiv.convolution import convolve2d

    (pr, pc), (sr, sc) = layer.pad_width, layer.stride
    padded = (in_shape[0] + 2 * pr, in_shape[1] + 2 * pc)
    up = np.zeros(((g.shape[0] - 1) * sr + 1, (g.shape[1] - 1) * sc + 1))
    up[::sr, ::sc] = g                                        # undo the stride
    t = convolve2d(up, np.ones(layer.kernel_size), mode="full", dilation=layer.dilation)
    gp = np.zeros(padded)
    gp[:t.shape[0], :t.shape[1]] = t                          # trailing rows no unit read
    return gp[pr:pr + in_shape[0], pc:pc + in_shape[1]]


def _check_measure_budget(layers, shapes, method, max_bytes, max_work):
    """Refuse, before allocating, a measurement whose maps or matrices are over budget."""
    from cnnmotiv.budget import check_bytes, check_work

    nbytes = work = 0
    for layer, (h, w), (ho, wo) in zip(layers, shapes, shapes[1:]):
        hp, wp = h + 2 * layer.pad_width[0], w + 2 * layer.pad_width[1]
        taps = ho * wo * layer.kernel_size[0] * layer.kernel_size[1]
        layer_bytes = 3 * 8 * hp * wp + (48 * taps if method == "matrix" else 16 * hp * wp)
        nbytes = max(nbytes, layer_bytes)
        work += taps + hp * wp
    big = max(range(len(layers)), key=lambda i: max(layers[i].pad_width))
    parameter = (f"layers[{big}].pad_width" if max(layers[big].pad_width) > max(shapes[0])
                 else "input_shape")
    check_bytes(nbytes, what=f"measuring the field of a {len(layers)}-layer stack on "
                f"{shapes[0][0]:,} x {shapes[0][1]:,} inputs", parameter=parameter,
                max_bytes=max_bytes)
    check_work(work, what=f"measuring the field of a {len(layers)}-layer stack",
               parameter=parameter, max_work=max_work)


def measure_receptive_field(layers, input_shape, index, *, method: str = "matrix",
                            max_bytes: int | None = None,
                            max_work: int | None = None) -> np.ndarray:
    """Measure which input pixels influence one output unit, through real layers.

    Every layer is built as zero padding followed by a valid, strided,
    dilated cross-correlation with an all-ones kernel (a sum pool for
    ``kind="pool"``: same support as a max pool). The gradient of the chosen
    output unit is pushed back through the adjoint of each layer; an input
    pixel belongs to the field exactly when its gradient is non-zero (all
    weights are positive, so nothing cancels).

    Parameters
    ----------
    layers : sequence of LayerSpec
    input_shape : (int, int)
        ``(H, W)`` of the input image.
    index : (int, int)
        ``(row, col)`` of a unit of the last layer's output.
    method : {"matrix", "convolution"}, optional
        ``"matrix"``: multiply by the transposes of
        :func:`cnnmotiv.matrices.sparse_correlation_matrix`.
        ``"convolution"``: transposed convolution, i.e. insert ``s - 1``
        zeros between gradient entries and run
        :func:`cnnmotiv.convolution.convolve2d` in ``"full"`` mode with the
        dilated kernel.
    max_bytes, max_work : int, optional
        Budgets (:mod:`cnnmotiv.budget`), checked before anything is allocated.

    Returns
    -------
    numpy.ndarray of bool, shape (H, W)
        True where the pixel influences the unit.

    Notes
    -----
    When the unit's :func:`input_region` lies inside the image, the mask is
    exactly the grid of :func:`input_support` and its bounding box is the
    region. Near a border the mask can be *smaller* than the closed form
    clipped to the image: the closed form treats the zero padding of every
    intermediate layer as if it were a row of units looking at the input,
    but padding is constant zeros, so input pixels reached only through it
    (and pixels that no unit reads because a stride skips them at the end)
    have no influence.

    Raises
    ------
    ValueError
        Unknown ``method``, ``input_shape`` too small for the stack, or
        ``index`` outside the last layer's output.
    cnnmotiv.budget.BudgetError
        If the padded maps (or the matrices) would exceed ``max_bytes``, or the
        work ``max_work``; the message names ``input_shape`` or the
        ``layers[i].pad_width`` to reduce.

    Examples
    --------
    >>> layers = [LayerSpec(3), LayerSpec(2, stride=2, kind="pool")]
    >>> measure_receptive_field(layers, (6, 6), (1, 0)).astype(int)
    array([[0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [1, 1, 1, 1, 0, 0],
           [1, 1, 1, 1, 0, 0],
           [1, 1, 1, 1, 0, 0],
           [1, 1, 1, 1, 0, 0]])
    >>> input_region(layers, (1, 0))
    ((2, 6), (0, 4))
    """
    layers = _check_layers(layers)
    method = check_choice(method, "method", MEASURE_METHODS)
    input_shape = check_shape(input_shape, "input_shape", ndim=2)
    index = _check_output_index(layers, input_shape, index)
    shapes = [input_shape] + output_shapes(layers, input_shape)
    _check_measure_budget(layers, shapes, method, max_bytes, max_work)
    backward = _backward_matrix if method == "matrix" else _backward_convolution
    g = np.zeros(shapes[-1])
    g[index] = 1.0
    for layer, in_shape in zip(reversed(layers), reversed(shapes[:-1])):
        g = backward(layer, g, in_shape)
    return g > 0


# ---------------------------------------------------------------------------
# Effective receptive field
# ---------------------------------------------------------------------------
def _check_rng(rng) -> np.random.Generator:
    """The package's one ``rng`` convention: a non-negative int seed or a numpy Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(check_int(rng, "rng", minimum=0))
    raise TypeError("rng must be a non-negative int seed or a numpy Generator "
                    f"(np.random.default_rng(seed)); got {rng!r}")


def _random_kernels(depth, kernel_size, gen):
    """``depth`` random positive kernels, each scaled to sum 1."""
    ks = gen.random((depth, *kernel_size))
    return ks / ks.sum(axis=(1, 2), keepdims=True)


def _theory(depth, kernel_size) -> tuple[int, int]:
    return tuple(depth * (k - 1) + 1 for k in kernel_size)


def _sum_lengths(depth, k):
    """``sum_{d=1..depth} (d (k - 1) + 1)`` in exact integers."""
    return (k - 1) * depth * (depth + 1) // 2 + depth


def _sum_areas(depth, kernel_size):
    """``sum_{d=1..depth} T_rows(d) * T_cols(d)`` in exact integers (T: theoretical field)."""
    a, b = kernel_size[0] - 1, kernel_size[1] - 1
    s1, s2 = depth * (depth + 1) // 2, depth * (depth + 1) * (2 * depth + 1) // 6
    return a * b * s2 + (a + b) * s1 + depth


def _check_erf_budget(depth, kernel_size, init, canvas, *, curve, depth_name,
                      max_bytes, max_work):
    """Refuse, before any allocation, maps or loops that grow past the budget."""
    from cnnmotiv.budget import check_bytes, check_work

    kh, kw = kernel_size
    theory = _theory(depth, kernel_size)
    name = "erf_growth" if curve else "effective_receptive_field"
    if init == "uniform":
        work = kh * _sum_lengths(depth, kh) + kw * _sum_lengths(depth, kw)
        work += 0 if curve else theory[0] * theory[1]
    else:
        work = (kh * kw + (3 if curve else 0)) * _sum_areas(depth, kernel_size)
    check_work(work, what=f"{name} up to depth {depth:,} with {kh}x{kw} {init} kernels",
               parameter=f"{depth_name} or kernel_size", max_work=max_work)
    nbytes = 8 * (2 * theory[0] * theory[1] + depth * kh * kw) if init == "random" else \
        8 * (2 * (theory[0] + theory[1]) + (0 if curve else theory[0] * theory[1]))
    nbytes += 8 * canvas[0] * canvas[1] + (16 * 3 * depth if curve else 0)
    check_bytes(nbytes, what=f"{name} ({theory[0]:,} x {theory[1]:,} field)",
                parameter="size" if canvas > theory else f"{depth_name} or kernel_size",
                max_bytes=max_bytes)


def _erf_maps(depth, kernel_size, init, gen):
    """Yield the unpadded ERF map after each of ``depth`` layers (cumulative); only the
    current map is kept."""
    kh, kw = kernel_size
    if init == "uniform":
        box_r, box_c = np.full(kh, 1.0 / kh), np.full(kw, 1.0 / kw)
        vr, vc = np.ones(1), np.ones(1)
        for _ in range(depth):
            vr, vc = np.convolve(vr, box_r), np.convolve(vc, box_c)
            yield vr, vc                                       # separable: outer(vr, vc)
        return
    from cnnmotiv.convolution import convolve2d

    m = np.ones((1, 1))
    for k in _random_kernels(depth, kernel_size, gen):
        m = convolve2d(m, k, mode="full")
        yield m


def _check_erf_args(depth, kernel_size, init, rng, depth_name="depth"):
    depth = check_int(depth, depth_name)
    kernel_size = check_pair(kernel_size, "kernel_size")
    init = check_choice(init, "init", ERF_INITS)
    return depth, kernel_size, init, _check_rng(rng)


def _check_canvas(size, theory, depth, kernel_size):
    if size is None:
        return theory
    size = check_pair(size, "size")
    if size[0] < theory[0] or size[1] < theory[1]:
        raise ValueError(f"size must be at least the theoretical field {theory} for depth "
                         f"{depth} and kernel_size {kernel_size}; got {size}")
    return size


def _centred(m, size):
    out = np.zeros(size)
    r0, c0 = (size[0] - m.shape[0]) // 2, (size[1] - m.shape[1]) // 2
    out[r0:r0 + m.shape[0], c0:c0 + m.shape[1]] = m
    return out


def effective_receptive_field(depth, kernel_size, *, init: str = "uniform", rng=0,
                              size=None, max_bytes: int | None = None,
                              max_work: int | None = None) -> np.ndarray:
    """Influence of each input pixel on the centre unit of a linear stack of layers.

    The stack has ``depth`` stride-1, unpadded convolution layers with
    ``kernel_size`` kernels, no nonlinearity. The map is the gradient of the
    output unit with respect to the input, ``m[a, b] = d y / d x[a, b]``.
    For a stack with ReLUs see :func:`relu_effective_receptive_field`.

    Parameters
    ----------
    depth : int
        Number of layers, at least 1.
    kernel_size : int or (int, int)
        Kernel size ``k`` of every layer, at least 1.
    init : {"uniform", "random"}, optional
        How the kernels' weights are set. ``"uniform"``: every weight
        ``1 / (kh kw)`` (a box blur). ``"random"``: each layer draws its own
        weights uniformly from ``[0, 1)`` and scales them to sum 1; positive,
        so the map is a probability distribution (a stack of depth ``D`` uses
        the first ``D`` kernels drawn, so depths are nested).
    rng : int or numpy.random.Generator, optional
        Seed (``>= 0``, passed to :func:`numpy.random.default_rng`) or
        generator for ``init="random"``; checked but unused for uniform.
    size : int or (int, int), optional
        Canvas ``(S_rows, S_cols)``; at least the theoretical field
        ``depth (k - 1) + 1`` per axis, which is the default. The map is
        centred on the canvas (one extra row/column of zeros goes to the
        bottom/right when the margin is odd).
    max_bytes, max_work : int, optional
        Budgets (:func:`cnnmotiv.budget.check_bytes`, :func:`~cnnmotiv.budget.check_work`),
        checked before anything is allocated or looped over.

    Returns
    -------
    numpy.ndarray
        Float64 ``(S, S)`` (or ``(S_rows, S_cols)``), non-negative, summing
        to 1.

    Raises
    ------
    ValueError
        Non-positive ``depth`` or ``kernel_size``, unknown ``init``, or a
        ``size`` smaller than the theoretical field.
    TypeError
        Non-integer arguments, or an ``rng`` that is not a seed/Generator.
    cnnmotiv.budget.BudgetError
        If the map or the work to build it is over budget (naming ``depth``,
        ``kernel_size`` or ``size``).

    Notes
    -----
    For a linear stack the gradient is the full convolution of all the
    kernels, ``m = k_1 * k_2 * ... * k_D``. With kernels that sum to 1 that
    is the distribution of a sum of ``D`` independent offsets, one per layer,
    so by the central limit theorem it approaches a Gaussian whose variance
    is the sum of the layers' variances: its standard deviation grows like
    ``sqrt(D)`` while the theoretical field ``D (k - 1) + 1`` grows like
    ``D``. For the uniform kernel the variance per axis is exactly
    ``D (k**2 - 1) / 12`` (:func:`uniform_erf_std`). Uniform kernels are
    separable, so the map is the outer product of two 1-D repeated
    convolutions (``np.convolve``). Random kernels are convolved in 2-D,
    keeping only the current map.

    Examples
    --------
    >>> m = effective_receptive_field(2, 3)
    >>> m.shape, float(m.sum())
    ((5, 5), 1.0)
    >>> np.round(m.sum(axis=0) * 9, 12)     # 1-D: box * box = triangle
    array([1., 2., 3., 2., 1.])
    >>> np.round(effective_receptive_field(2, 3, size=7)[3] * 27, 12)
    array([0., 1., 2., 3., 2., 1., 0.])
    """
    depth, kernel_size, init, gen = _check_erf_args(depth, kernel_size, init, rng)
    theory = _theory(depth, kernel_size)
    size = _check_canvas(size, theory, depth, kernel_size)
    _check_erf_budget(depth, kernel_size, init, size, curve=False, depth_name="depth",
                      max_bytes=max_bytes, max_work=max_work)
    for last in _erf_maps(depth, kernel_size, init, gen):
        pass
    return _centred(np.outer(*last) if init == "uniform" else last, size)


def _relu_stack_gradients(kernels, x):
    """``|d y / d x_n|`` per sample ``n``, for valid ReLU stacks ending in one unit.

    ``kernels[n, l]`` is sample ``n``'s kernel of layer ``l``. Forward:
    ``z_l = correlate(a_{l-1}, w_l)`` (valid, tap by tap), ``a_l = max(z_l, 0)``
    for every layer but the last. Backward mirrors it: the gradient passes the
    ReLU where ``z_l > 0`` and goes back through a layer as the full
    convolution with its kernel (the adjoint of a valid correlation).
    """
    n_layers, (kh, kw) = kernels.shape[1], kernels.shape[2:]
    masks, a = [], x
    for layer in range(n_layers):
        w = kernels[:, layer, :, :, None, None]            # (N, kh, kw, 1, 1)
        ho, wo = a.shape[1] - kh + 1, a.shape[2] - kw + 1
        z = np.zeros((a.shape[0], ho, wo))
        for i in range(kh):
            for j in range(kw):
                z += w[:, i, j] * a[:, i:i + ho, j:j + wo]
        if layer < n_layers - 1:
            masks.append(z > 0)
            a = np.maximum(z, 0.0)
    g = np.ones((x.shape[0], 1, 1))
    for layer in range(n_layers - 1, -1, -1):
        if layer < n_layers - 1:
            g = g * masks[layer]
        w = kernels[:, layer, :, :, None, None]
        back = np.zeros((g.shape[0], g.shape[1] + kh - 1, g.shape[2] + kw - 1))
        for i in range(kh):
            for j in range(kw):
                back[:, i:i + g.shape[1], j:j + g.shape[2]] += w[:, i, j] * g
        g = back
    return np.abs(g)


def _relu_map(kernels, gen):
    n_inputs, depth, kh, kw = kernels.shape
    theory = _theory(depth, (kh, kw))
    total = _relu_stack_gradients(kernels, gen.standard_normal((n_inputs, *theory))).sum(axis=0)
    if total.sum() == 0:
        raise ValueError(f"every input gradient was zero (all ReLUs off) for depth {depth}; "
                         f"use a larger n_inputs or another rng")
    return total / total.sum()


def _check_relu_budget(depth, kernel_size, n_inputs, canvas, *, curve, depth_name,
                       max_bytes, max_work):
    from cnnmotiv.budget import check_bytes, check_work

    kh, kw = kernel_size
    theory = _theory(depth, kernel_size)
    if curve:                        # sum over d of _sum_areas(d), in exact integers
        a, b, D = kh - 1, kw - 1, depth
        areas = (a * b * D * (D + 1) ** 2 * (D + 2) // 12 + (a + b) * D * (D + 1) * (D + 2) // 6
                 + D * (D + 1) // 2)
    else:
        areas = _sum_areas(depth, kernel_size)
    work = 2 * kh * kw * n_inputs * areas
    name = "relu_erf_growth" if curve else "relu_effective_receptive_field"
    check_work(work, what=f"{name} up to depth {depth:,} with {kh}x{kw} kernels and "
               f"{n_inputs:,} inputs", parameter=f"{depth_name}, kernel_size or n_inputs",
               max_work=max_work)
    nbytes = n_inputs * (3 * 8 * theory[0] * theory[1] + _sum_areas(depth, kernel_size))
    nbytes += 8 * canvas[0] * canvas[1]
    check_bytes(nbytes, what=f"{name} ({n_inputs:,} inputs of {theory[0]:,} x {theory[1]:,})",
                parameter="size" if canvas > theory else f"{depth_name}, kernel_size or n_inputs",
                max_bytes=max_bytes)


def _relu_kernels(n_inputs, depth, kernel_size, gen):
    """He-scaled zero-mean Gaussian kernels, one stack per input: variance ``2 / (kh kw)``."""
    return (gen.standard_normal((n_inputs, depth, *kernel_size))
            * np.sqrt(2.0 / (kernel_size[0] * kernel_size[1])))


def relu_effective_receptive_field(depth, kernel_size, *, n_inputs: int = 64, rng=0,
                                   size=None, max_bytes: int | None = None,
                                   max_work: int | None = None) -> np.ndarray:
    """Effective receptive field of a random-weight stack WITH ReLUs, averaged over inputs.

    The stack has ``depth`` stride-1, unpadded convolution layers, a ReLU
    after each but the last, on an input the size of the theoretical field
    (so it has one output unit). Its weights are zero-mean Gaussians with
    variance ``2 / (kh kw)`` (He initialisation). Unlike a linear stack, the
    gradient now depends on the input (which ReLUs are on): the map is
    ``mean_n |d y / d x_n|`` over ``n_inputs`` standard-normal inputs,
    normalised to sum 1, so :func:`erf_spread` measures its width exactly as
    for :func:`effective_receptive_field`.

    Parameters
    ----------
    depth : int
        Number of layers, at least 1.
    kernel_size : int or (int, int)
        At least 1.
    n_inputs : int, optional
        Random inputs averaged over, at least 1.
    rng : int or numpy.random.Generator, optional
        Seed or generator. Draw order: the kernels
        ``standard_normal((depth, kh, kw)) * sqrt(2 / (kh kw))``, then the
        inputs ``standard_normal((n_inputs, T_rows, T_cols))``.
    size : int or (int, int), optional
        Canvas, at least the theoretical field (the default); map centred.
    max_bytes, max_work : int, optional
        Budgets, checked before any allocation.

    Returns
    -------
    numpy.ndarray
        Float64 ``(S_rows, S_cols)``, non-negative, summing to 1.

    Raises
    ------
    ValueError, TypeError
        As :func:`effective_receptive_field`, or for a bad ``n_inputs``;
        ValueError if every gradient was zero.
    cnnmotiv.budget.BudgetError
        Over budget (naming ``depth``, ``kernel_size``, ``n_inputs`` or ``size``).

    Notes
    -----
    Forward and backward pass are written tap by tap; the backward pass
    (ReLU mask, then the full convolution with the layer's kernel, the
    adjoint of a valid correlation) is checked against finite differences
    in the tests. Luo et al. (2016), "Understanding the effective receptive
    field in deep convolutional neural networks", show that the map is
    still close to Gaussian and that its width, as a fraction of the
    theoretical field, shrinks like ``1 / sqrt(depth)``
    (:func:`relu_erf_growth`).

    Examples
    --------
    >>> m = relu_effective_receptive_field(3, 3, n_inputs=16)
    >>> m.shape, round(float(m.sum()), 12), bool(m.min() >= 0)
    ((7, 7), 1.0, True)
    """
    depth, kernel_size, _, gen = _check_erf_args(depth, kernel_size, "random", rng)
    n_inputs = check_int(n_inputs, "n_inputs")
    theory = _theory(depth, kernel_size)
    size = _check_canvas(size, theory, depth, kernel_size)
    _check_relu_budget(depth, kernel_size, n_inputs, size, curve=False, depth_name="depth",
                       max_bytes=max_bytes, max_work=max_work)
    kernels = _relu_kernels(n_inputs, depth, kernel_size, gen)
    return _centred(_relu_map(kernels, gen), size)


def uniform_erf_std(depth: int, kernel_size: int) -> float:
    """Spread of the effective receptive field of a stack of uniform (box) kernels.

    Each layer adds an independent step uniform on ``k`` positions, of
    variance ``(k**2 - 1) / 12``; after ``depth`` layers the variance is the
    sum, so the standard deviation is ``sqrt(depth * (k**2 - 1) / 12)``: it
    grows like the square root of depth, while the field's width
    ``1 + depth * (k - 1)`` grows linearly.

    Parameters
    ----------
    depth, kernel_size : int
        At least 1.

    Returns
    -------
    float
        Standard deviation in pixels, per axis.

    Raises
    ------
    ValueError, TypeError
        For a non-positive or non-integer argument.

    Examples
    --------
    >>> round(uniform_erf_std(4, 3), 6)
    1.632993
    """
    depth = check_int(depth, "depth")
    kernel_size = check_int(kernel_size, "kernel_size")
    return float(np.sqrt(depth * (kernel_size ** 2 - 1) / 12))


def _marginal_std(p: np.ndarray) -> float:
    """Standard deviation of the index under weights ``p`` (any positive scale)."""
    p = p / p.max()                              # no overflow: every entry now <= 1
    p = p / p.sum()
    x = np.arange(p.size)
    mean = (x * p).sum()
    return float(np.sqrt(max(((x - mean) ** 2 * p).sum(), 0.0)))


def erf_spread(erf_map) -> tuple[float, float]:
    """Standard deviation of an influence map along rows and columns.

    Parameters
    ----------
    erf_map : (H, W) array_like
        Non-negative weights (for example from
        :func:`effective_receptive_field`); normalised here (first by the
        largest entry, so any finite scale works, then to sum 1).

    Returns
    -------
    (float, float)
        ``(std_rows, std_cols)`` in pixels: the standard deviation of the row
        (column) index when pixels are drawn with probability proportional to
        the map.

    Raises
    ------
    ValueError
        If the map is not 2-D, holds negative values, NaN/inf, or sums to 0.
    TypeError
        If it is not numeric, or is a masked array (a mask would be dropped).

    Examples
    --------
    Four layers of 3x3 box kernels: variance ``4 (3**2 - 1) / 12 = 8 / 3``.

    >>> s = erf_spread(effective_receptive_field(4, 3))
    >>> np.allclose(s, np.sqrt(8 / 3))
    True
    >>> erf_spread([[0, 1, 0, 1]])
    (0.0, 1.0)
    >>> [round(v, 3) for v in erf_spread([[1e308, 1e308, 1e308]])]
    [0.0, 0.816]
    """
    if np.ma.isMaskedArray(erf_map):
        raise TypeError("erf_map must be a plain array, not a masked array (its mask would "
                        "be ignored); pass erf_map.filled(0) to give masked pixels no weight")
    m = as_float_array(erf_map, "erf_map", ndim=2, dtype=np.float64)
    if m.min() < 0:
        raise ValueError("erf_map must be non-negative (a map of influence magnitudes)")
    top = m.max()
    if top <= 0:
        raise ValueError("erf_map must have a positive sum; it is all zeros")
    m = m / top
    return _marginal_std(m.sum(axis=1)), _marginal_std(m.sum(axis=0))


@dataclass(frozen=True, eq=False)
class ErfGrowth:
    """Effective vs theoretical receptive field for depths ``1 .. D``.

    Attributes
    ----------
    depths : numpy.ndarray of int, shape (D,)
    spread : numpy.ndarray of float, shape (D, 2)
        ``erf_spread`` (rows, cols) of the effective field at each depth.
    theoretical : numpy.ndarray of int, shape (D, 2)
        Theoretical field size ``depth (k - 1) + 1`` (rows, cols).
    label : str
        Which stack, e.g. ``"uniform"``, ``"random"`` or ``"relu"``.
    """

    depths: np.ndarray
    spread: np.ndarray
    theoretical: np.ndarray
    label: str = ""

    @property
    def fraction(self) -> np.ndarray:
        """``spread / theoretical``, shape (D, 2): the width as a share of the theoretical field."""
        return self.spread / self.theoretical

    def __repr__(self) -> str:
        d = self.depths
        return (f"ErfGrowth({self.label or 'stack'}, depths {d[0]}..{d[-1]}: std (cols) "
                f"{self.spread[0, 1]:.3g} -> {self.spread[-1, 1]:.3g} px, theoretical field "
                f"{self.theoretical[0, 1]} -> {self.theoretical[-1, 1]}, fraction "
                f"{self.fraction[0, 1]:.3g} -> {self.fraction[-1, 1]:.3g})")


def _growth(depths, spreads, kernel_size, label):
    theory = np.array([_theory(int(d), kernel_size) for d in depths])
    return ErfGrowth(depths=depths, spread=np.array(spreads, dtype=float), theoretical=theory,
                     label=label)


def erf_growth(max_depth, kernel_size, *, init: str = "uniform", rng=0,
               max_bytes: int | None = None, max_work: int | None = None) -> ErfGrowth:
    """Spread of the effective field and size of the theoretical one, depths 1..max_depth.

    Parameters
    ----------
    max_depth : int
        Largest depth ``D``, at least 1.
    kernel_size : int or (int, int)
    init : {"uniform", "random"}, optional
    rng : int or numpy.random.Generator, optional
        As :func:`effective_receptive_field`; depth ``d`` uses the first
        ``d`` random kernels, so the curve is one growing network.
    max_bytes, max_work : int, optional
        Budgets, checked before any allocation or loop.

    Returns
    -------
    ErfGrowth

    Raises
    ------
    ValueError, TypeError
        As :func:`effective_receptive_field` (naming ``max_depth``).
    cnnmotiv.budget.BudgetError
        Over budget, e.g. ``erf_growth(10**7, 3)``.

    Notes
    -----
    Built incrementally (one convolution per extra layer), so the whole
    curve costs about as much as the deepest map; only the current map is kept.

    Examples
    --------
    >>> g = erf_growth(16, 3)
    >>> g.theoretical[[0, 3, 15], 0].tolist()
    [3, 9, 33]
    >>> np.round(g.spread[[0, 3, 15], 0], 3).tolist()
    [0.816, 1.633, 3.266]
    >>> g
    ErfGrowth(uniform, depths 1..16: std (cols) 0.816 -> 3.27 px, theoretical field 3 -> 33, fraction 0.272 -> 0.099)
    """
    depth, kernel_size, init, gen = _check_erf_args(max_depth, kernel_size, init, rng,
                                                   depth_name="max_depth")
    _check_erf_budget(depth, kernel_size, init, (0, 0), curve=True, depth_name="max_depth",
                      max_bytes=max_bytes, max_work=max_work)
    spreads = []
    for m in _erf_maps(depth, kernel_size, init, gen):
        if init == "uniform":
            spreads.append((_marginal_std(m[0]), _marginal_std(m[1])))
        else:
            spreads.append(erf_spread(m))
    return _growth(np.arange(1, depth + 1), spreads, kernel_size, init)


def relu_erf_growth(max_depth, kernel_size, *, n_inputs: int = 64, rng=0,
                    max_bytes: int | None = None, max_work: int | None = None) -> ErfGrowth:
    """:func:`erf_spread` of :func:`relu_effective_receptive_field` for depths 1..max_depth.

    Parameters
    ----------
    max_depth : int
        Largest depth, at least 1.
    kernel_size : int or (int, int)
    n_inputs : int, optional
        Random inputs averaged over at each depth.
    rng : int or numpy.random.Generator, optional
        Draw order: ``max_depth`` kernels as in
        :func:`relu_effective_receptive_field` (depth ``d`` uses the first
        ``d``: one growing network), then each depth's inputs, depth 1 first.
    max_bytes, max_work : int, optional
        Budgets, checked before any allocation or loop.

    Returns
    -------
    ErfGrowth
        ``label="relu"``; ``fraction`` shrinks like ``1 / sqrt(depth)``.

    Raises
    ------
    ValueError, TypeError, cnnmotiv.budget.BudgetError
        As :func:`relu_effective_receptive_field` (naming ``max_depth``).

    Examples
    --------
    >>> g = relu_erf_growth(4, 3, n_inputs=16)
    >>> g.depths.tolist(), g.theoretical[:, 1].tolist()
    ([1, 2, 3, 4], [3, 5, 7, 9])
    """
    depth, kernel_size, _, gen = _check_erf_args(max_depth, kernel_size, "random", rng,
                                                depth_name="max_depth")
    n_inputs = check_int(n_inputs, "n_inputs")
    _check_relu_budget(depth, kernel_size, n_inputs, (0, 0), curve=True,
                       depth_name="max_depth", max_bytes=max_bytes, max_work=max_work)
    kernels = _relu_kernels(n_inputs, depth, kernel_size, gen)
    spreads = [erf_spread(_relu_map(kernels[:, :d], gen)) for d in range(1, depth + 1)]
    return _growth(np.arange(1, depth + 1), spreads, kernel_size, "relu")


def fit_growth_exponent(depths, values) -> float:
    """Exponent ``b`` of the least-squares power law ``values ~ c * depths**b``.

    Parameters
    ----------
    depths, values : 1-D array_like of positive numbers, same length >= 2

    Returns
    -------
    float
        Slope of ``log(values)`` against ``log(depths)``
        (:func:`scipy.stats.linregress`).

    Raises
    ------
    ValueError
        Lengths differ, fewer than two points, non-positive entries, or all
        depths equal.

    Examples
    --------
    >>> round(fit_growth_exponent([1, 4, 9], [1, 2, 3]), 6)
    0.5
    """
    from scipy.stats import linregress

    x = as_float_array(depths, "depths", ndim=1, dtype=np.float64)
    y = as_float_array(values, "values", ndim=1, dtype=np.float64)
    if x.size != y.size:
        raise ValueError(f"depths and values must have the same length; got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError("depths must hold at least two points to fit an exponent")
    if x.min() <= 0 or y.min() <= 0:
        raise ValueError("depths and values must be positive (the fit is in log-log space)")
    if np.ptp(x) == 0:
        raise ValueError("depths must not all be equal")
    return float(linregress(np.log(x), np.log(y)).slope)

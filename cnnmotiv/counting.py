"""Parameters, multiply-accumulates and stored entries of dense, locally connected and conv layers.

Section 9.2 compares three ways of mapping an image of ``m = H * W`` pixels to
``n = H_out * W_out`` output units:

=================  ====================  ==============  ==========================
layer              parameters            MACs            entries of its matrix
=================  ====================  ==============  ==========================
dense              ``m * n``             ``m * n``       ``m * n`` (zeros included)
locally connected  ``k * n``             ``k * n``       weight uses (``<= k * n``)
convolution        ``k``                 ``k * n``       weight uses (``<= k * n``)
=================  ====================  ==============  ==========================

with ``k = kh * kw`` kernel taps. So sparsity alone (dense to locally
connected) divides computation by ``m / k``; sharing (locally connected to
convolution) then divides the parameters by another ``n``.

A *MAC* (multiply-accumulate) is one multiplication of a weight by an input
value added into an output. MACs count what a direct implementation does:
``k`` per output unit of a convolution even where the kernel hangs over zero
padding. Weights and biases are counted apart (``parameters`` and ``biases``
of :class:`LayerCount`); every count takes channels (``in_channels``,
``out_channels``). :meth:`LayerCount.flops` turns MACs into floating-point
operations under an explicit convention, :func:`dense_to_conv_steps` counts what
locality and then sharing remove, :func:`stack_versus_single` compares stacked
small kernels with one large one, and :func:`section_numbers` reconciles the
numbers printed in the section.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from cnnmotiv.validation import check_choice, check_int, check_pair, check_shape
from cnnmotiv.convolution import MODES, PADDINGS, AxisGeometry, axis_geometry

__all__ = [
    "CONVENTIONS",
    "LAYER_FORMS",
    "LAYER_KINDS",
    "LayerCount",
    "SECTION_IMAGE_SHAPE",
    "ReductionStep",
    "SectionNumber",
    "compare_layers",
    "count_conv",
    "count_dense",
    "count_layer",
    "count_locally_connected",
    "count_stored_entries",
    "count_weight_uses",
    "dense_to_conv_steps",
    "growth_counts",
    "layer_costs",
    "section_numbers",
    "stack_versus_single",
]

#: Flop conventions of :meth:`LayerCount.flops`.
CONVENTIONS = ("mac", "mul+add", "per-output")

#: The three layers compared, from most to fewest parameters (keys of :func:`compare_layers`).
LAYER_KINDS = ("dense", "locally_connected", "conv")

#: The four forms of one layer in :func:`layer_costs` (and the methods of
#: :mod:`cnnmotiv.timing`): the three layers plus the convolution's sparse matrix.
LAYER_FORMS = ("dense", "locally_connected", "sparse", "conv")


@dataclass(frozen=True)
class LayerCount:
    """Size and cost of one layer applied once to one input.

    Attributes
    ----------
    kind : {'dense', 'locally_connected', 'conv'}
    input_shape, output_shape : (H, W) and (H_out, W_out)
        Spatial shapes (per channel).
    parameters : int
        Number of weights (biases are counted apart, in ``biases``).
    macs : int
        Multiply-accumulates for one application.
    stored_entries : int
        Entries of the layer's matrix form: all ``m * n`` for dense (zeros
        included), the stored (non-structural-zero) entries of the sparse
        matrix for the other two.
    in_channels, out_channels : int
        Channels (1 unless given).
    biases : int
        Biases the layer would add, one per output unit for the dense and
        locally connected layers (``out_channels * H_out * W_out``), one per
        output channel for the convolution. Not in ``parameters`` or
        ``macs``; see :attr:`parameters_with_biases`.
    """

    kind: str
    input_shape: tuple[int, int]
    output_shape: tuple[int, int]
    parameters: int
    macs: int
    stored_entries: int
    in_channels: int = 1
    out_channels: int = 1
    biases: int = 0

    def __repr__(self) -> str:
        (h, w), (ho, wo) = self.input_shape, self.output_shape
        return (f"LayerCount({self.kind}: {h}x{w}x{self.in_channels} -> "
                f"{ho}x{wo}x{self.out_channels}, {self.parameters:,} weights + "
                f"{self.biases:,} biases, {self.macs:,} MACs)")

    @property
    def parameters_with_biases(self) -> int:
        """Weights plus biases, ``parameters + biases``."""
        return self.parameters + self.biases

    @property
    def inputs(self) -> int:
        """Number of input values, ``in_channels * H * W``."""
        return self.in_channels * self.input_shape[0] * self.input_shape[1]

    @property
    def outputs(self) -> int:
        """Number of output units, ``out_channels * H_out * W_out``."""
        return self.out_channels * self.output_shape[0] * self.output_shape[1]

    def flops(self, convention: str = "mul+add") -> int:
        """Floating-point operations for one application, under a stated convention.

        Parameters
        ----------
        convention : {'mul+add', 'mac', 'per-output'}, optional
            * ``'mul+add'``: 2 per MAC (a multiplication and an addition);
            * ``'mac'``: 1 per MAC (a fused multiply-add counts once);
            * ``'per-output'``: each output unit multiplies its ``q`` inputs
              and adds the ``q`` products with ``q - 1`` additions (nothing is
              added to zero), i.e. ``2 * macs - outputs``; this is how a
              2-tap kernel gives 3 operations per output.

        Returns
        -------
        int

        Examples
        --------
        >>> c = count_conv((280, 320), (1, 2))
        >>> c.macs, c.flops("mac"), c.flops(), c.flops("per-output")
        (178640, 178640, 357280, 267960)
        """
        convention = check_choice(convention, "convention", CONVENTIONS)
        if convention == "mac":
            return self.macs
        if convention == "mul+add":
            return 2 * self.macs
        return 2 * self.macs - self.outputs


# ---------------------------------------------------------------------------
# geometry and per-axis counts
# ---------------------------------------------------------------------------

class _Axis(NamedTuple):
    """One axis of a layer: input length, kernel taps, stride, dilation, and its geometry."""

    n: int
    k: int
    stride: int
    dilation: int
    geometry: AxisGeometry


def _validate(input_shape, kernel_shape, mode, padding, stride, dilation):
    """Check the arguments; return the shapes, the padding and the two :class:`_Axis`."""
    shape = check_shape(input_shape, "input_shape", ndim=2)
    kernel_shape = check_pair(kernel_shape, "kernel_shape")
    mode = check_choice(mode, "mode", MODES)
    padding = check_choice(padding, "padding", PADDINGS)
    stride = check_pair(stride, "stride")
    dilation = check_pair(dilation, "dilation")
    axes = tuple(
        _Axis(shape[ax], kernel_shape[ax], stride[ax], dilation[ax],
              axis_geometry(shape[ax], kernel_shape[ax], mode=mode, padding=padding,
                            stride=stride[ax], dilation=dilation[ax], name="kernel_shape",
                            input_name="input_shape", axis=name))
        for ax, name in ((0, "rows"), (1, "columns")))
    return shape, kernel_shape, padding, axes


def _output_shape(axes) -> tuple[int, int]:
    return (axes[0].geometry.output_length, axes[1].geometry.output_length)


def _uses_on_input(axis: _Axis) -> int:
    """Number of (output, tap) pairs along one axis whose tap lies inside ``[0, n)``.

    Tap ``a`` of output ``i`` sits at ``i*s + a*d - before``; for each tap the
    outputs that keep it inside the input form a range of ``i``.
    """
    n, s, n_out = axis.n, axis.stride, axis.geometry.output_length
    total = 0
    for a in range(axis.k):
        offset = a * axis.dilation - axis.geometry.before
        lo = max(0, -(offset // s))            # smallest i with i*s + offset >= 0
        hi = min(n_out - 1, (n - 1 - offset) // s)
        total += max(0, hi - lo + 1)
    return total


def _distinct_pairs(axis: _Axis, padding) -> int:
    """Number of distinct (output, input) pairs along one axis for circular/reflect padding."""
    geometry = axis.geometry
    lookup = np.pad(np.arange(axis.n), (geometry.before, geometry.after),
                    mode={"circular": "wrap", "reflect": "reflect"}[padding])
    starts = np.arange(geometry.output_length) * axis.stride
    read = np.sort(lookup[starts[:, None] + (np.arange(axis.k) * axis.dilation)[None, :]], axis=1)
    return int(geometry.output_length + np.count_nonzero(np.diff(read, axis=1)))


def count_weight_uses(input_shape, kernel_shape, *, mode="valid", padding="zeros", stride=1,
                      dilation=1) -> int:
    """Number of times a kernel weight multiplies a real input pixel in one pass.

    One per (output unit, tap) pair, except that with ``padding='zeros'``
    taps lying on the padding are not counted (they multiply a zero).

    Parameters
    ----------
    input_shape : (H, W)
    kernel_shape : int or (kh, kw)
    mode : {'valid', 'same', 'full'}, optional
    padding : {'zeros', 'circular', 'reflect'}, optional
    stride, dilation : int or (int, int), optional

    Returns
    -------
    int
        ``H_out * W_out * kh * kw`` in 'valid' mode or with circular/reflect
        padding; fewer for zero padding in 'same' and 'full' mode.

    Raises
    ------
    ValueError, TypeError
        Bad shapes, unknown mode or padding, non-positive stride or dilation,
        kernel larger than the input in 'valid' mode.

    Notes
    -----
    Counted per axis with integer arithmetic (for each tap, the range of
    outputs that keep it inside the input) and multiplied, since a 2-D tap
    is inside exactly when its row and its column are. This does not use
    :mod:`cnnmotiv.matrices`, so it can check the matrices' stored entries.

    Examples
    --------
    >>> count_weight_uses((280, 320), (3, 3))
    795636
    >>> count_weight_uses((3, 3), (3, 3), mode="same")   # 9 outputs, 49 taps inside
    49
    """
    _, (kh, kw), padding, axes = _validate(input_shape, kernel_shape, mode, padding, stride,
                                           dilation)
    if padding != "zeros":
        rows, cols = _output_shape(axes)
        return rows * cols * kh * kw
    return _uses_on_input(axes[0]) * _uses_on_input(axes[1])


def count_stored_entries(input_shape, kernel_shape, *, mode="valid", padding="zeros", stride=1,
                         dilation=1) -> int:
    """Stored entries (``nnz``) of the sparse correlation matrix for this geometry.

    Parameters
    ----------
    input_shape : (H, W)
    kernel_shape : int or (kh, kw)
    mode : {'valid', 'same', 'full'}, optional
    padding : {'zeros', 'circular', 'reflect'}, optional
    stride, dilation : int or (int, int), optional

    Returns
    -------
    int
        With zero padding, the weight uses (:func:`count_weight_uses`): every
        tap of an output reads a different pixel. With circular or reflect
        padding, the number of distinct (output, pixel) pairs, since taps of
        one output that read the same pixel share one entry; that is fewer
        than the weight uses when a window is wider than the input (circular)
        or folds over the border onto itself (reflect).

    Raises
    ------
    ValueError, TypeError
        As :func:`count_weight_uses`.

    Notes
    -----
    Per axis, the pixel each (output, tap) pair reads is looked up in
    ``np.pad(np.arange(n), ..., mode="wrap" | "reflect")`` and the distinct
    ones counted; the 2-D count is the product of the two axes' counts,
    because an output's set of pixels is (its rows) x (its columns).

    Examples
    --------
    A 3x3 kernel, 'same' mode, reflect padding on a 280x320 image: at output
    row 0 the window reads rows 1, 0, 1, so only 2 distinct rows.

    >>> count_weight_uses((280, 320), (3, 3), mode="same", padding="reflect")
    806400
    >>> count_stored_entries((280, 320), (3, 3), mode="same", padding="reflect")
    802804
    >>> (278 * 3 + 2 * 2) * (318 * 3 + 2 * 2)
    802804
    """
    _, _, padding, axes = _validate(input_shape, kernel_shape, mode, padding, stride, dilation)
    if padding == "zeros":
        return _uses_on_input(axes[0]) * _uses_on_input(axes[1])
    return _distinct_pairs(axes[0], padding) * _distinct_pairs(axes[1], padding)


# ---------------------------------------------------------------------------
# layer counts
# ---------------------------------------------------------------------------

def _channels(in_channels, out_channels) -> tuple[int, int]:
    return check_int(in_channels, "in_channels"), check_int(out_channels, "out_channels")


def count_dense(input_shape, output_shape, *, in_channels=1, out_channels=1) -> LayerCount:
    """Count a dense (fully connected) layer: every input to every output unit.

    Every output has its own weight for every input: ``m * n`` parameters,
    ``m * n`` MACs and ``m * n`` matrix entries, with ``m = C_in * H * W``
    inputs and ``n = C_out * H_out * W_out`` outputs.

    Parameters
    ----------
    input_shape : (H, W)
    output_shape : (H_out, W_out)
    in_channels, out_channels : int, optional

    Returns
    -------
    LayerCount
        ``biases = n``.

    Raises
    ------
    ValueError, TypeError
        Shapes that are not pairs of positive integers, channels that are
        not positive integers.

    Examples
    --------
    The section's image mapped to the output of a [-1, 1] edge detector:

    >>> c = count_dense((280, 320), (280, 319))
    >>> c.parameters, c.flops("mul+add")
    (8003072000, 16006144000)
    """
    input_shape = check_shape(input_shape, "input_shape", ndim=2)
    output_shape = check_shape(output_shape, "output_shape", ndim=2)
    c_in, c_out = _channels(in_channels, out_channels)
    m = input_shape[0] * input_shape[1] * c_in
    n = output_shape[0] * output_shape[1] * c_out
    return LayerCount("dense", input_shape, output_shape, m * n, m * n, m * n, c_in, c_out, n)


def count_locally_connected(input_shape, kernel_shape, *, mode="valid", padding="zeros",
                            stride=1, dilation=1, in_channels=1, out_channels=1) -> LayerCount:
    """Count a locally connected layer: a convolution's windows, one weight per (output, tap).

    Parameters
    ----------
    input_shape : (H, W)
    kernel_shape : int or (kh, kw)
    mode : {'valid', 'same', 'full'}, optional
    padding : {'zeros', 'circular', 'reflect'}, optional
        Only changes ``stored_entries``.
    stride, dilation : int or (int, int), optional
    in_channels, out_channels : int, optional

    Returns
    -------
    LayerCount
        ``parameters = macs = k * C_in * n`` (``k = kh * kw`` taps, ``n =
        C_out * H_out * W_out`` outputs); ``stored_entries`` as
        :func:`count_stored_entries` times ``C_in * C_out``; ``biases = n``.

    Raises
    ------
    ValueError, TypeError
        As :func:`count_weight_uses`; channels not positive integers.

    Notes
    -----
    With zero padding in 'same' or 'full' mode some of the ``k * n`` weights
    sit over the padding and never touch a pixel; they are still parameters
    of the layer (the weight array has shape ``(H_out, W_out, kh, kw)``).

    Examples
    --------
    >>> c = count_locally_connected((280, 320), (3, 3))
    >>> c.output_shape, c.parameters, c.macs
    ((278, 318), 795636, 795636)
    """
    shape, (kh, kw), _, axes = _validate(input_shape, kernel_shape, mode, padding, stride,
                                         dilation)
    c_in, c_out = _channels(in_channels, out_channels)
    out = _output_shape(axes)
    n = out[0] * out[1] * c_out
    weights = kh * kw * c_in * n
    stored = count_stored_entries(shape, (kh, kw), mode=mode, padding=padding, stride=stride,
                                  dilation=dilation)
    return LayerCount("locally_connected", shape, out, weights, weights, stored * c_in * c_out,
                      c_in, c_out, n)


def count_conv(input_shape, kernel_shape, *, mode="valid", padding="zeros", stride=1,
               dilation=1, in_channels=1, out_channels=1) -> LayerCount:
    """Count a convolutional layer: one ``(kh, kw)`` kernel per (output channel, input channel).

    Parameters
    ----------
    input_shape : (H, W)
        Spatial input shape (per channel).
    kernel_shape : int or (kh, kw)
    mode : {'valid', 'same', 'full'}, optional
    padding : {'zeros', 'circular', 'reflect'}, optional
        Only changes ``stored_entries``.
    stride, dilation : int or (int, int), optional
    in_channels, out_channels : int, optional

    Returns
    -------
    LayerCount
        ``parameters = k * C_in * C_out``, ``macs = k * n * C_in * C_out``
        (``n = H_out * W_out``), ``stored_entries`` = the stored entries of
        the sparse matrix for one channel pair (:func:`count_stored_entries`)
        times ``C_in * C_out``; ``biases = C_out``.

    Raises
    ------
    ValueError, TypeError
        As :func:`count_weight_uses`; channels not positive integers.

    Examples
    --------
    The section's 3x3 kernel on the 280x320 image: 9 weights, 9 MACs per
    output unit.

    >>> c = count_conv((280, 320), (3, 3))
    >>> c.parameters, c.output_shape, c.macs
    (9, (278, 318), 795636)

    AlexNet's first layer: 96 kernels of 11x11x3 at stride 4 on 227x227.

    >>> count_conv((227, 227), 11, stride=4, in_channels=3, out_channels=96)
    LayerCount(conv: 227x227x3 -> 55x55x96, 34,848 weights + 96 biases, 105,415,200 MACs)
    """
    shape, (kh, kw), _, axes = _validate(input_shape, kernel_shape, mode, padding, stride,
                                         dilation)
    c_in, c_out = _channels(in_channels, out_channels)
    out = _output_shape(axes)
    k = kh * kw
    stored = count_stored_entries(shape, (kh, kw), mode=mode, padding=padding, stride=stride,
                                  dilation=dilation)
    return LayerCount("conv", shape, out, k * c_in * c_out, k * out[0] * out[1] * c_in * c_out,
                      stored * c_in * c_out, c_in, c_out, c_out)


def compare_layers(input_shape, kernel_shape, *, mode="valid", padding="zeros", stride=1,
                   dilation=1, in_channels=1, out_channels=1) -> dict[str, LayerCount]:
    """Dense, locally connected and convolutional layers with the same input and output shapes.

    The dense layer maps the input to the convolution's output shape, so all
    three compute the same ``C_out * H_out * W_out`` outputs from the same
    ``C_in * H * W`` inputs.

    Parameters
    ----------
    input_shape : (H, W)
    kernel_shape : int or (kh, kw)
    mode, padding, stride, dilation, in_channels, out_channels
        As :func:`count_conv`.

    Returns
    -------
    dict
        ``{"dense": ..., "locally_connected": ..., "conv": ...}`` of
        :class:`LayerCount` (the keys of :data:`LAYER_KINDS`).

    Raises
    ------
    ValueError, TypeError
        As :func:`count_conv`.

    Examples
    --------
    >>> layers = compare_layers((280, 320), (3, 3))
    >>> [layers[kind].macs for kind in LAYER_KINDS]
    [7920998400, 795636, 795636]
    >>> [layers[kind].parameters for kind in LAYER_KINDS]
    [7920998400, 795636, 9]
    >>> layers["dense"].macs / layers["conv"].macs   # = 89,600 / 9
    9955.555...

    A real layer has channels: 224x224 RGB to 64 channels, 3x3, 'same'.

    >>> vgg = compare_layers((224, 224), 3, mode="same", in_channels=3, out_channels=64)
    >>> vgg["conv"].parameters, vgg["conv"].macs
    (1728, 86704128)
    >>> vgg["dense"].parameters == (224 * 224 * 3) * (224 * 224 * 64)
    True
    """
    opts = dict(mode=mode, padding=padding, stride=stride, dilation=dilation,
                in_channels=in_channels, out_channels=out_channels)
    conv = count_conv(input_shape, kernel_shape, **opts)
    return {"dense": count_dense(conv.input_shape, conv.output_shape, in_channels=in_channels,
                                 out_channels=out_channels),
            "locally_connected": count_locally_connected(input_shape, kernel_shape, **opts),
            "conv": conv}


def count_layer(kind: str, input_shape, kernel_shape, *, mode="valid", padding="zeros",
                stride=1, dilation=1, in_channels=1, out_channels=1) -> LayerCount:
    """Count one of the three layers that share a convolution's input and output shapes.

    Parameters
    ----------
    kind : {'dense', 'locally_connected', 'conv'}
        One of :data:`LAYER_KINDS`.
    input_shape : (H, W)
    kernel_shape : int or (kh, kw)
        The convolution's kernel; it fixes the output shape of all three
        (the dense layer maps to the convolution's output grid).
    mode, padding, stride, dilation, in_channels, out_channels
        As :func:`count_conv`.

    Returns
    -------
    LayerCount
        The entry ``kind`` of :func:`compare_layers`.

    Raises
    ------
    ValueError, TypeError
        Unknown ``kind``, and as :func:`count_conv`.

    Examples
    --------
    >>> count_layer("dense", (280, 320), 3).parameters == (280 * 320) * (278 * 318)
    True
    >>> count_layer("locally_connected", (280, 320), 3).parameters
    795636
    """
    kind = check_choice(kind, "kind", LAYER_KINDS)
    opts = dict(mode=mode, padding=padding, stride=stride, dilation=dilation,
                in_channels=in_channels, out_channels=out_channels)
    if kind == "conv":
        return count_conv(input_shape, kernel_shape, **opts)
    if kind == "locally_connected":
        return count_locally_connected(input_shape, kernel_shape, **opts)
    conv = count_conv(input_shape, kernel_shape, **opts)
    return count_dense(conv.input_shape, conv.output_shape, in_channels=in_channels,
                       out_channels=out_channels)


@dataclass(frozen=True)
class ReductionStep:
    """One step from a dense layer to a convolution, and the weights it removes.

    Attributes
    ----------
    name : str
        ``"dense"``, ``"impose locality"`` or ``"share across positions"``.
    layer : LayerCount
        The layer after the step.
    removed : int
        Weights the step removes (0 for the starting dense layer).
    factor : float
        Weights before the step divided by weights after it (1 for the start).
    """

    name: str
    layer: LayerCount
    removed: int
    factor: float

    def __repr__(self) -> str:
        return (f"ReductionStep({self.name}: {self.layer.parameters:,} weights, "
                f"{self.removed:,} removed, /{self.factor:,.1f})")


def dense_to_conv_steps(input_shape, kernel_shape, *, mode="valid", padding="zeros", stride=1,
                        dilation=1, in_channels=1, out_channels=1) -> list[ReductionStep]:
    """From a dense layer to a convolution in two steps, counting what each step removes.

    1. *Impose locality*: each output keeps only the weights of the inputs in
       its window (the rest vanish): dense -> locally connected.
    2. *Share across positions*: the window's weights stop depending on the
       output position: locally connected -> convolution.

    Parameters
    ----------
    input_shape, kernel_shape, mode, padding, stride, dilation, in_channels, out_channels
        As :func:`compare_layers`.

    Returns
    -------
    list of ReductionStep
        The dense start, then the two steps.

    Raises
    ------
    ValueError, TypeError
        As :func:`compare_layers`.

    Examples
    --------
    >>> for step in dense_to_conv_steps((280, 320), 3):
    ...     print(step)
    ReductionStep(dense: 7,920,998,400 weights, 0 removed, /1.0)
    ReductionStep(impose locality: 795,636 weights, 7,920,202,764 removed, /9,955.6)
    ReductionStep(share across positions: 9 weights, 795,627 removed, /88,404.0)
    """
    layers = compare_layers(input_shape, kernel_shape, mode=mode, padding=padding, stride=stride,
                            dilation=dilation, in_channels=in_channels, out_channels=out_channels)
    steps = [ReductionStep("dense", layers["dense"], 0, 1.0)]
    for name, kind in (("impose locality", "locally_connected"),
                       ("share across positions", "conv")):
        before, after = steps[-1].layer.parameters, layers[kind].parameters
        steps.append(ReductionStep(name, layers[kind], before - after, before / after))
    return steps


def stack_versus_single(channels: int, *, kernel_size: int = 3, depth: int = 3) -> dict:
    """A stack of ``depth`` ``k x k`` layers against one layer with the same receptive field.

    Both map ``C`` channels to ``C`` channels; the stack's receptive field is
    ``1 + depth * (k - 1)`` pixels wide (stride 1), so the single layer needs
    a kernel that wide.

    Parameters
    ----------
    channels : int
        ``C``, channels in and out of every layer.
    kernel_size : int, optional
        ``k``, the side of each stacked kernel (default 3).
    depth : int, optional
        Number of stacked layers (default 3).

    Returns
    -------
    dict
        ``receptive_field`` (the width both see), ``stacked_weights``
        (``depth * k**2 * C**2``), ``single_weights`` (``field**2 * C**2``),
        and ``ratio`` (single over stacked), weights counted by
        :func:`count_conv` (no biases).

    Raises
    ------
    ValueError, TypeError
        If an argument is not a positive integer.

    Examples
    --------
    >>> r = stack_versus_single(64)
    >>> r["receptive_field"], r["stacked_weights"] == 27 * 64**2, r["single_weights"] == 49 * 64**2
    (7, True, True)
    """
    c = check_int(channels, "channels")
    k = check_int(kernel_size, "kernel_size")
    depth = check_int(depth, "depth")
    field = 1 + depth * (k - 1)
    shape = (field, field)                      # any input the single kernel fits
    one = count_conv(shape, k, in_channels=c, out_channels=c).parameters
    single = count_conv(shape, field, in_channels=c, out_channels=c).parameters
    return {"channels": c, "kernel_size": k, "depth": depth, "receptive_field": field,
            "stacked_weights": depth * one, "single_weights": single,
            "ratio": single / (depth * one)}


def growth_counts(sides: Sequence[int], kernel_shape=(3, 3)) -> dict[str, dict]:
    """Parameters and multiply-accumulates of the three layers on square inputs.

    Parameters
    ----------
    sides : sequence of int
        Image side lengths ``s``; the input is ``(s, s)``, each at least the
        kernel's larger side.
    kernel_shape : int or (kh, kw), optional

    Returns
    -------
    dict
        ``{"inputs": array of s*s, kind: {"parameters": array, "macs": array}}``
        for each kind in :data:`LAYER_KINDS`, counted by :func:`count_layer`
        (valid mode, the dense layer mapping to the conv's output grid).

    Raises
    ------
    ValueError, TypeError
        An empty ``sides``, a side that is not a positive integer or is
        smaller than the kernel.

    Examples
    --------
    >>> g = growth_counts([4, 8], 3)
    >>> g["conv"]["parameters"].tolist(), g["locally_connected"]["parameters"].tolist()
    ([9, 9], [36, 324])
    """
    kshape = check_pair(kernel_shape, "kernel_shape")
    sides = [check_int(s, "sides") for s in sides]
    if not sides:
        raise ValueError("sides must not be empty")
    if min(sides) < max(kshape):
        raise ValueError(f"sides must all be >= the kernel size {max(kshape)}; got {min(sides)}")
    out = {"inputs": np.array([s * s for s in sides], dtype=np.int64)}
    for kind in LAYER_KINDS:
        counts = [count_layer(kind, (s, s), kshape) for s in sides]
        out[kind] = {"parameters": np.array([c.parameters for c in counts], dtype=np.int64),
                     "macs": np.array([c.macs for c in counts], dtype=np.int64)}
    return out


def layer_costs(shape=(280, 320), kernel_shape=(3, 3), *, mode: str = "valid") -> dict:
    """Parameters, stored numbers and MACs of one layer in its four forms.

    Parameters
    ----------
    shape : int or (int, int), optional
        Input image shape ``(H, W)``.
    kernel_shape : int or (int, int), optional
        Kernel shape ``(kh, kw)``.
    mode : {"valid", "same", "full"}, optional
        Output size convention (zero padding).

    Returns
    -------
    dict
        ``costs[metric][form]`` for ``metric`` in ``("parameters", "stored
        numbers", "MACs")`` and ``form`` in :data:`LAYER_FORMS`.
        *Parameters* are the free weights; *stored numbers* are what the form
        keeps in memory (every entry of the dense matrix, the non-zero entries
        of the sparse ones, the kernel for the convolution); *MACs* are
        multiply-accumulates per application, which for the dense form
        include the multiplications by zero.

    Raises
    ------
    ValueError, TypeError
        As :func:`compare_layers`.

    Examples
    --------
    >>> costs = layer_costs((280, 320), (3, 3))
    >>> costs["MACs"]["dense"], costs["MACs"]["conv"]
    (7920998400, 795636)
    >>> costs["parameters"]["sparse"], costs["stored numbers"]["sparse"]
    (9, 795636)
    """
    layers = compare_layers(shape, kernel_shape, mode=mode)
    dense, local, conv = layers["dense"], layers["locally_connected"], layers["conv"]
    return {
        "parameters": {"dense": dense.parameters, "locally_connected": local.parameters,
                       "sparse": conv.parameters, "conv": conv.parameters},
        "stored numbers": {"dense": dense.stored_entries,
                           "locally_connected": local.stored_entries,
                           "sparse": conv.stored_entries, "conv": conv.parameters},
        "MACs": {"dense": dense.macs, "locally_connected": local.macs, "sparse": conv.macs,
                 "conv": conv.macs},
    }


# ---------------------------------------------------------------------------
# the section's numbers
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SectionNumber:
    """One number of section 9.2's efficiency example, recomputed.

    Attributes
    ----------
    label : str
        What is counted.
    formula : str
        A plain arithmetic expression of the value (evaluates to ``value``).
    value : int or float
        Computed by the counting functions of this module.
    stated : str or None
        What the section prints for it, if anything.
    note : str
        The convention used, or why the section's figure differs.
    """

    label: str
    formula: str
    value: int | float
    stated: str | None
    note: str

    def __repr__(self) -> str:
        value = f"{self.value:,}" if isinstance(self.value, int) else f"{self.value:,.1f}"
        stated = f"; section says {self.stated}" if self.stated else ""
        return f"SectionNumber({self.label} = {value}{stated})"


#: The section's image, (rows, columns) = (280 high, 320 wide).
SECTION_IMAGE_SHAPE = (280, 320)


def section_numbers() -> list[SectionNumber]:
    """The numbers of section 9.2's efficiency example, each recomputed and explained.

    The section mixes three set-ups: a 3x3 kernel (its stated 9 MACs per
    output), the output size 319x280 and the count ``319 * 280 * 3`` of the
    2-tap edge detector ``[-1, 1]`` (2 multiplications and 1 addition per
    output), and a square ``(320 * 280) x (320 * 280)`` dense matrix. This
    function returns consistent counts for the 2-tap and 3x3 cases and the
    section's own combination, each value computed by this module's counting
    functions.

    Returns
    -------
    list of SectionNumber

    Examples
    --------
    >>> rows = {r.label: r for r in section_numbers()}
    >>> rows["2-tap: convolution flops"].value
    267960
    >>> rows["2-tap: dense matrix entries"].value
    8003072000
    >>> round(rows["2-tap: computation ratio dense / convolution"].value, 1)
    59733.3
    >>> rows["3x3: MAC ratio dense / convolution"].formula
    '(280 * 320) / (3 * 3)'
    """
    h, w = SECTION_IMAGE_SHAPE
    return _two_tap_numbers(h, w) + _three_by_three_numbers(h, w) + _section_mix_numbers(h, w)

def _two_tap_numbers(h: int, w: int) -> list[SectionNumber]:
    """The [-1, 1] example of :func:`section_numbers`, counted consistently."""
    edge = compare_layers((h, w), (1, 2))
    e_dense, e_conv = edge["dense"], edge["conv"]
    eh, ew = e_conv.output_shape
    section_conv = e_conv.flops("per-output")
    return [
        SectionNumber(
            "2-tap: output units", f"{h} * ({w} - 2 + 1)", e_conv.outputs, "319 x 280",
            f"[-1, 1] has shape (1, 2); 'valid' mode gives {eh} x {ew}"),
        SectionNumber(
            "2-tap: convolution flops", f"{eh} * {ew} * (2 + 1)", section_conv,
            "319 x 280 x 3 = 2.68e5",
            "convention 'per-output': 2 multiplications + 1 addition per output"),
        SectionNumber(
            "2-tap: dense matrix entries", f"({h} * {w}) * ({eh} * {ew})", e_dense.stored_entries,
            None, "one weight per (input pixel, output unit); the matrix is not square"),
        SectionNumber(
            "2-tap: dense flops", f"2 * ({h} * {w}) * ({eh} * {ew})", e_dense.flops("mul+add"),
            None, "convention 'mul+add': 1 multiplication + 1 addition per matrix entry"),
        SectionNumber(
            "2-tap: computation ratio dense / convolution",
            f"(2 * ({h} * {w}) * ({eh} * {ew})) / ({eh} * {ew} * (2 + 1))",
            e_dense.flops("mul+add") / section_conv, None,
            "16,006,144,000 / 267,960 flops"),
        SectionNumber(
            "2-tap: storage ratio dense entries / kernel weights",
            f"(({h} * {w}) * ({eh} * {ew})) / 2",
            e_dense.stored_entries / e_conv.parameters, None,
            "about four billion; the kernel stores 2 numbers"),
    ]


def _three_by_three_numbers(h: int, w: int) -> list[SectionNumber]:
    """The 3x3 example of :func:`section_numbers`, in MACs."""
    box = compare_layers((h, w), (3, 3))
    b_dense, b_conv = box["dense"], box["conv"]
    bh, bw = b_conv.output_shape
    itemsize = np.dtype(np.float64).itemsize
    m = h * w
    return [
        SectionNumber(
            "3x3: output units", f"({h} - 3 + 1) * ({w} - 3 + 1)", b_conv.outputs, "319 x 280",
            f"'valid' mode with a 3x3 kernel gives {bh} x {bw}, not 319 x 280 "
            "(that is the 2-tap output)"),
        SectionNumber(
            "3x3: convolution MACs", f"{bh} * {bw} * 3 * 3", b_conv.macs,
            "3 x 3 = 9 multiply-adds per output", "convention 'mac': 9 per output"),
        SectionNumber(
            "3x3: dense MACs", f"({h} * {w}) * ({bh} * {bw})", b_dense.macs, None,
            "one MAC per matrix entry"),
        SectionNumber(
            "3x3: MAC ratio dense / convolution", f"({h} * {w}) / (3 * 3)",
            b_dense.macs / b_conv.macs, None,
            f"= m / k: {m:,} inputs per output row against 9 taps"),
        SectionNumber(
            "3x3: dense matrix bytes (float64)", f"({h} * {w}) * ({bh} * {bw}) * {itemsize}",
            b_dense.stored_entries * itemsize, None,
            "why correlation_matrix refuses it (about 63.4 GB)"),
    ]


def _section_mix_numbers(h: int, w: int) -> list[SectionNumber]:
    """The section's own "about 30,000": which counts it divides."""
    e_conv = compare_layers((h, w), (1, 2))["conv"]
    eh, ew = e_conv.output_shape
    section_conv = e_conv.flops("per-output")
    section_dense = count_dense((h, w), (h, w)).flops("mac")
    return [
        SectionNumber(
            "section: convolution operations", f"{ew} * {eh} * 3", section_conv,
            "319 x 280 x 3 = 2.68e5",
            "the 2-tap flop count (3 per output), not 9 MACs per output of a 3x3 kernel"),
        SectionNumber(
            "section: dense operations", f"({w} * {h}) * ({w} * {h})", section_dense,
            "(320 x 280) x (320 x 280) = 8.03e9",
            "a square matrix (output as large as the input), 1 operation per entry"),
        SectionNumber(
            "section: speed-up", f"(({w} * {h}) * ({w} * {h})) / ({ew} * {eh} * 3)",
            section_dense / section_conv, "about 30,000",
            "mixes the square dense count with the 2-tap flop count; consistent "
            "conventions give 59,733 (2-tap flops) or 9,955.6 (3x3 MACs)"),
    ]

"""Layers with a forward and a backward pass, channels last (CS231n style).

Every layer has

``forward(x) -> y``
    computes the output and keeps what the backward pass needs;
``backward(grad_y) -> grad_x``
    given the gradient of the loss with respect to the last output, fills
    ``grads`` (same keys and shapes as ``params``) and returns the gradient
    with respect to the last input;
``params``, ``grads``
    dicts of arrays (empty for layers without parameters).

Shapes are channels last: a batch of signals is ``(N, L, C)``, of images
``(N, H, W, C)``. Convolution weights are one ``(C_in, C_out)`` matrix per
kernel tap, ``(k, C_in, C_out)`` or ``(kh, kw, C_in, C_out)``: the layout of
:func:`cnnmotiv.convolution.correlate_channels`, the package's one
correlation engine, which every convolution here runs on.

Initialisation (seeded by ``rng``, an int seed or a
:class:`numpy.random.Generator`): weights and biases uniform in
``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, ``fan_in`` the number of inputs one
output sums (``k * C_in`` for a convolution). That is PyTorch's default
(Kaiming-uniform with ``a = sqrt(5)``), used by the MNIST-1D reference code
whose accuracies :mod:`cnnmotiv.learning` reproduces.

The section's sharing argument, in code
---------------------------------------
A convolution uses each weight at every output position. By the chain rule
the gradient of a shared weight is the **sum of its gradients at every
position** (:meth:`Conv1d.backward`): exactly the locally connected layer's
per-position weight gradients (:meth:`LocallyConnected1d.backward`), added
up. And the backward pass of a convolution is **itself a correlation**: the
input gradient is the correlation of the (zero-inserted, padded) output
gradient with the flipped, channel-transposed kernel, computed by the same
engine as the forward pass.
"""

from __future__ import annotations

import numbers

import numpy as np

from cnnmotiv.validation import as_float_array, check_int, check_pair
from cnnmotiv.budget import check_bytes
from cnnmotiv.convolution import correlate_channels

__all__ = [
    "Layer",
    "Conv1d",
    "Conv2d",
    "LocallyConnected1d",
    "LocallyConnected2d",
    "Dense",
    "ReLU",
    "MaxPool1d",
    "Flatten",
    "Reshape",
    "as_generator",
    "weight_gradient",
    "input_gradient_correlation",
]


# ----------------------------------------------------------------------------
# Small helpers, each checking one thing
# ----------------------------------------------------------------------------

def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` as a :class:`numpy.random.Generator` (an int >= 0 seeds a new one).

    Raises
    ------
    TypeError
        If ``rng`` is neither an integer nor a Generator.
    ValueError
        If it is a negative integer.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(check_int(rng, name, minimum=0))
    raise TypeError(f"{name} must be an integer seed >= 0 or a numpy.random.Generator; "
                    f"got {rng!r} of type {type(rng).__name__}")


def _per_axis(value, name: str, ndim: int, *, minimum: int = 1) -> tuple[int, ...]:
    """An int (every axis) or, in 2-D, a pair of ints, as a tuple of ``ndim`` ints."""
    if ndim == 2:
        return check_pair(value, name, minimum=minimum)
    return (check_int(value, name, minimum=minimum),)


def _uniform(rng: np.random.Generator, fan_in: int, shape) -> np.ndarray:
    """PyTorch's default initialisation: uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape)


def _check_input(x, name: str, per_sample_ndim: int, what: str) -> np.ndarray:
    """``x`` as a finite float array with a batch axis and ``per_sample_ndim`` more."""
    x = as_float_array(x, name)
    if x.ndim != per_sample_ndim + 1:
        raise ValueError(f"{name} must have shape {what} (batch first, channels last); "
                         f"got shape {x.shape}")
    return x


def _check_channels(x: np.ndarray, expected: int, name: str = "x") -> None:
    if x.shape[-1] != expected:
        raise ValueError(f"{name} must have {expected} channels (its last axis); got "
                         f"{x.shape[-1]} in shape {x.shape}")


def _check_grad(grad_y, expected_shape, name: str = "grad_y") -> np.ndarray:
    """``grad_y`` as a float array of the shape the last forward pass returned."""
    if expected_shape is None:
        raise RuntimeError("backward() needs a forward() pass first")
    grad_y = as_float_array(grad_y, name)
    if grad_y.shape != expected_shape:
        raise ValueError(f"{name} must have the shape of the last forward output, "
                         f"{expected_shape}; got {grad_y.shape}")
    return grad_y


def _zero_pad(x: np.ndarray, widths) -> np.ndarray:
    """Zero-pad the spatial axes of ``(N, *spatial, C)`` by ``widths[i]`` on both sides."""
    if not any(widths):
        return x
    out = np.zeros((x.shape[0], *(n + 2 * p for n, p in zip(x.shape[1:-1], widths)),
                    x.shape[-1]), dtype=x.dtype)
    out[(slice(None), *(slice(p, p + n) for n, p in zip(x.shape[1:-1], widths)))] = x
    return out


def _end_to_end(n: int, period: int, extra: int, rest, dtype):
    """Zeros for ``n`` samples laid end to end along the first spatial axis.

    Returns ``(signal, samples)``: ``signal`` of shape
    ``(1, n * period + extra, *rest)`` is what the engine sees, one long
    signal (or image of ``n`` stacked tiles); ``samples`` is a view of it of
    shape ``(n, period, *rest)``, one ``period``-row slot per sample, for
    filling in. ``extra`` zero rows at the end let the last sample's windows
    run to the end of its slot.
    """
    buf = np.zeros((n * period + extra, *rest), dtype=dtype)
    return buf[None], buf[:n * period].reshape(n, period, *rest)


def _correlate_end_to_end(signal, weights, stride, n: int, period: int, rows: int):
    """``correlate_channels`` of samples laid end to end; the first ``rows`` outputs of each.

    Laying the batch end to end lets the engine multiply each tap's weight
    matrix with every sample's windows in one product. The windows that
    straddle two samples' slots (the last few of each slot) are computed and
    dropped; the others are exactly each sample's own correlation, provided
    ``period`` is a multiple of the stride along that axis.
    """
    # the layers' arrays were checked (a batch once, by the layer or Sequential); a NaN from a
    # diverging run reaches the loss, which refuses it
    y = correlate_channels(signal, weights, stride=stride, check_finite=False)
    per = period // stride[0]
    return y[0, :n * per].reshape(n, per, *y.shape[2:])[:, :rows]


def _space_to_depth(a: np.ndarray, s: int) -> np.ndarray:
    """Every ``s`` consecutive rows (first spatial axis) as one row of ``s * C`` channels.

    ``(B, L, *rest, C) -> (B, L // s, *rest, s * C)``, ``L`` a multiple of
    ``s``; row ``j``'s channel block ``c`` is old row ``s j + c``.
    """
    if s == 1:
        return a
    b, length, *rest, c = a.shape
    a = np.moveaxis(a.reshape(b, length // s, s, *rest, c), 2, -2)
    return a.reshape(b, length // s, *rest, s * c)


def _depth_to_space(a: np.ndarray, s: int) -> np.ndarray:
    """Undo :func:`_space_to_depth`: ``(B, L, *rest, s * C) -> (B, s * L, *rest, C)``."""
    if s == 1:
        return a
    b, length, *rest, sc = a.shape
    a = np.moveaxis(a.reshape(b, length, *rest, s, sc // s), -2, 2)
    return a.reshape(b, length * s, *rest, sc // s)


def _kernel_to_depth(w: np.ndarray, s: int) -> np.ndarray:
    """The kernel for :func:`_space_to_depth`'s input: tap ``a = s b + c`` -> block ``c`` of tap ``b``.

    ``(k, *rest, C_in, C_out) -> (ceil(k / s), *rest, s * C_in, C_out)``,
    with zero taps appended to make ``k`` a multiple of ``s``.
    """
    if s == 1:
        return w
    k = w.shape[0]
    taps = -(-k // s)
    w = np.concatenate([w, np.zeros((taps * s - k, *w.shape[1:]), w.dtype)])  # zero taps
    w = np.moveaxis(w.reshape(taps, s, *w.shape[1:]), 1, -3)
    return w.reshape(*w.shape[:-3], s * w.shape[-2], w.shape[-1])


def _kernel_from_depth(w: np.ndarray, s: int, k: int) -> np.ndarray:
    """Undo :func:`_kernel_to_depth` (and drop the zero taps): back to ``(k, *rest, C_in, C_out)``."""
    if s == 1:
        return w
    taps, *rest, sc, c_out = w.shape
    w = np.moveaxis(w.reshape(taps, *rest, s, sc // s, c_out), -3, 1)
    return w.reshape(taps * s, *rest, sc // s, c_out)[:k]


def _crop(x: np.ndarray, widths) -> np.ndarray:
    """Undo :func:`_zero_pad`: drop ``widths[i]`` samples at both ends of each spatial axis."""
    return x[(slice(None), *(slice(p, n - p) for n, p in zip(x.shape[1:-1], widths)))]


def _tap_window(tap, strides, out_shape) -> tuple[slice, ...]:
    """The input samples tap ``tap`` reads for every output: a strided slice per axis."""
    return (slice(None), *(slice(a, a + s * (m - 1) + 1, s)
                           for a, s, m in zip(tap, strides, out_shape)))


def _output_shape(in_shape, kernel, strides, widths, name: str) -> tuple[int, ...]:
    """Spatial output shape of a padded, strided 'valid' correlation; refuse a too-large kernel."""
    out = []
    for axis, (n, k, s, p) in enumerate(zip(in_shape, kernel, strides, widths)):
        if k > n + 2 * p:
            where = f" along spatial axis {axis}" if len(in_shape) > 1 else ""
            raise ValueError(f"kernel_size {k} is larger than the padded input{where} "
                             f"({n} + 2 * {p} = {n + 2 * p} samples); use a smaller kernel_size "
                             f"or more pad_width")
        out.append((n + 2 * p - k) // s + 1)
    return tuple(out)


class Layer:
    """Base class: ``forward``, ``backward``, ``params`` and ``grads`` (empty by default).

    The public :meth:`forward` and :meth:`backward` check their argument and
    call the layer's private worker (``_forward``, ``_backward``);
    :class:`~cnnmotiv.learning.Sequential` checks a batch once and calls the
    workers, since every layer's input is then the previous layer's output.
    """

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._out_shape = None

    def forward(self, x) -> np.ndarray:
        """Output for a batch ``x``; keeps what :meth:`backward` needs."""
        y = self._forward(self._check_forward(x))
        self._out_shape = y.shape
        return y

    def backward(self, grad_y, *, input_grad=True) -> np.ndarray | None:
        """Fill ``grads`` from the gradient of the last output; return the input's gradient.

        With ``input_grad=False`` only ``grads`` are filled and ``None`` is
        returned (a model's first layer needs no input gradient).
        """
        return self._backward(_check_grad(grad_y, self._out_shape), input_grad)

    def _check_forward(self, x) -> np.ndarray:
        """Validate a batch (default: finite, with a batch axis)."""
        x = as_float_array(x, "x")
        if x.ndim < 2:
            raise ValueError(f"x must have a batch axis and at least one more; got shape {x.shape}")
        return x

    def _forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - every layer has one
        raise NotImplementedError

    def _backward(self, g: np.ndarray, input_grad: bool):  # pragma: no cover
        raise NotImplementedError

    @property
    def n_parameters(self) -> int:
        """Number of trainable numbers."""
        return sum(p.size for p in self.params.values())

    def _init_params(self, **arrays) -> None:
        self.params = dict(arrays)
        self.grads = {k: np.zeros_like(v) for k, v in arrays.items()}


# ----------------------------------------------------------------------------
# Convolution (tied weights) and its untied relative
# ----------------------------------------------------------------------------

class _ConvNd(Layer):
    """Convolution over ``ndim`` spatial axes (the worker behind Conv1d and Conv2d)."""

    ndim = 1

    def __init__(self, in_channels, out_channels, kernel_size, *, stride=1, pad_width=0, rng):
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels")
        self.out_channels = check_int(out_channels, "out_channels")
        self.kernel_size = _per_axis(kernel_size, "kernel_size", self.ndim)
        self.stride = _per_axis(stride, "stride", self.ndim)
        self.pad_width = _per_axis(pad_width, "pad_width", self.ndim, minimum=0)
        rng = as_generator(rng)
        fan_in = int(np.prod(self.kernel_size)) * self.in_channels
        shape = (*self.kernel_size, self.in_channels, self.out_channels)
        check_bytes(2 * 8 * int(np.prod(shape)), what=f"{type(self).__name__} weights {shape}",
                    parameter="kernel_size")
        self._init_params(weight=_uniform(rng, fan_in, shape),
                          bias=_uniform(rng, fan_in, (self.out_channels,)))
        self._x_depth = self._w_depth = self._padded_rows = None

    def __repr__(self) -> str:
        one = (lambda t: t[0]) if self.ndim == 1 else (lambda t: t)
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"kernel_size={one(self.kernel_size)}, stride={one(self.stride)}, "
                f"pad_width={one(self.pad_width)})")

    def output_shape(self, in_shape) -> tuple[int, ...]:
        """Spatial output shape for a spatial input shape (``(L,)`` or ``(H, W)``)."""
        return _output_shape(in_shape, self.kernel_size, self.stride, self.pad_width,
                             "kernel_size")

    def _check_forward(self, x) -> np.ndarray:
        shape = "(N, L, C_in)" if self.ndim == 1 else "(N, H, W, C_in)"
        x = _check_input(x, "x", self.ndim + 1, shape)
        _check_channels(x, self.in_channels)
        self.output_shape(x.shape[1:-1])  # refuses a kernel larger than the padded input
        return x

    def _forward(self, x):
        """``y = correlate_channels(pad(x), weight, stride) + bias``.

        Two rearrangements of the same sum let the engine run long products:
        the padded samples are laid end to end along the first spatial axis
        (one long signal, slots rounded up to a multiple of the stride ``s``),
        and with ``s > 1`` every ``s`` consecutive rows become one row of
        ``s * C_in`` channels ("space to depth"), with the kernel regrouped
        the same way: tap ``a = s b + c`` is channel block ``c`` of new tap
        ``b``. The strided correlation is then a stride-1 one (the test suite
        checks every case against scipy).
        """
        n, k, s = x.shape[0], self.kernel_size[0], self.stride[0]
        c_in = x.shape[-1]
        padded = tuple(m + 2 * p for m, p in zip(x.shape[1:-1], self.pad_width))
        period = -(-padded[0] // s) * s
        taps = -(-k // s)                                    # new taps along the first axis
        signal, samples = _end_to_end(n, period, s * (taps - 1), (*padded[1:], c_in), x.dtype)
        samples[(slice(None), *(slice(p, p + m) for m, p in
                                zip(x.shape[1:-1], self.pad_width)))] = x
        rows = (padded[0] - k) // s + 1
        signal = _space_to_depth(signal, s)                  # a view in 1-D, a copy in 2-D
        w = _kernel_to_depth(self.params["weight"], s)
        # what backward needs: the stride-1 problem solved here, per sample
        self._padded_rows = padded[0]
        self._x_depth = signal[0, :n * (period // s)].reshape(n, period // s, *signal.shape[2:])
        self._w_depth = w
        y = _correlate_end_to_end(signal, w, (1, *self.stride[1:]), n, period // s, rows)
        y += self.params["bias"]
        return y

    def backward(self, grad_y, *, input_grad=True) -> np.ndarray | None:
        """Fill ``grads`` and return ``grad_x``; both are correlations.

        With ``input_grad=False`` only ``grads`` are filled and ``None`` is
        returned (the first layer of a model needs no input gradient).

        Bias: the sum of ``grad_y`` over the batch and every position.

        Weights: for each tap ``a``, the tap's input view (the samples it
        read, one per output position) transposed times ``grad_y``. The
        matrix product sums over the batch *and over every output position*:
        a shared weight's gradient is the sum of its gradients at each
        position where it was used. (As a whole this is the correlation of the
        input with the output gradient, see :func:`weight_gradient`.)

        Input: the correlation (same engine as :meth:`forward`) of the output
        gradient, zero-padded by ``k - 1``, with the kernel flipped along
        every spatial axis and its channel axes swapped; the padding is then
        cropped off (see :func:`input_gradient_correlation`).

        Both are taken for the stride-1 correlation the forward pass ran on
        the rearranged input and kernel (space to depth, see :meth:`forward`),
        and the rearrangements are then undone: on the original input a
        stride ``s`` would need ``s - 1`` zeros inserted between the output
        gradient's samples, products that add nothing. The test suite checks
        both gradients against finite differences, and against
        :func:`weight_gradient` and :func:`input_gradient_correlation` on the
        original input.
        """
        return super().backward(grad_y, input_grad=input_grad)

    def _backward(self, g, input_grad):
        # the gradients of the stride-1 correlation the forward pass ran (on the
        # rearranged input and kernel), then the rearrangements undone
        s, xs, ws = self.stride[0], self._x_depth, self._w_depth
        strides = (1, *self.stride[1:])
        self.grads["bias"][...] = g.sum(axis=tuple(range(self.ndim + 1)))
        dw = weight_gradient(xs, g, ws.shape[:-2], strides)
        self.grads["weight"][...] = _kernel_from_depth(dw, s, self.kernel_size[0])
        if not input_grad:
            return None
        grad_xs = input_gradient_correlation(g, ws, xs.shape[1:-1], strides)
        return _crop(_depth_to_space(grad_xs, s)[:, :self._padded_rows], self.pad_width)


def weight_gradient(x_padded, grad_y, kernel_size, stride) -> np.ndarray:
    """Gradient of a convolution's weights: every position's contribution, summed.

    Parameters
    ----------
    x_padded : ndarray, shape (N, *spatial, C_in)
        The (padded) input of the forward pass.
    grad_y : ndarray, shape (N, *spatial_out, C_out)
        Gradient of the loss with respect to the output.
    kernel_size, stride : tuple of int
        One entry per spatial axis.

    Returns
    -------
    ndarray, shape (*kernel_size, C_in, C_out)
        ``dW[a, c, o] = sum_{n, i} x_padded[n, s i + a, c] grad_y[n, i, o]``.

    Notes
    -----
    This is the correlation of the input with the output gradient (the
    output gradient, dilated by the stride, slides over the input), with the
    batch axis summed as the channels are in a forward pass::

        dW = correlate_channels(x_padded^T, grad_y^T, dilation=stride)

    with ``x_padded^T`` of shape ``(C_in, *spatial, N)`` and ``grad_y^T`` of
    shape ``(*spatial_out, N, C_out)`` (cropped to ``kernel_size``; the test
    suite checks the two agree). That engine would loop over the *output
    positions* (its kernel here), 88,404 of them for the section's photo, so
    this function loops over the kernel taps instead: one matrix product
    per tap, summing over the batch and every position at once.
    """
    out_shape = grad_y.shape[1:-1]
    c_in, c_out = x_padded.shape[-1], grad_y.shape[-1]
    g = grad_y.reshape(-1, c_out)
    dw = np.empty((*kernel_size, c_in, c_out), dtype=np.result_type(x_padded, grad_y))
    for tap in np.ndindex(*kernel_size):
        view = x_padded[_tap_window(tap, stride, out_shape)]   # (N, *out_shape, C_in)
        dw[tap] = view.reshape(-1, c_in).T @ g                  # sum over batch and positions
    return dw


def input_gradient_correlation(grad_y, weight, in_shape, stride) -> np.ndarray:
    """Gradient of a convolution with respect to its (padded) input, as a correlation.

    Parameters
    ----------
    grad_y : ndarray, shape (N, *spatial_out, C_out)
    weight : ndarray, shape (*kernel, C_in, C_out)
    in_shape : tuple of int
        Spatial shape of the padded input of the forward pass.
    stride : tuple of int

    Returns
    -------
    ndarray, shape (N, *in_shape, C_in)
        ``correlate_channels(G, flip(weight).swapaxes(-1, -2))``, where ``G``
        is ``grad_y`` with ``stride - 1`` zeros inserted between samples and
        ``k - 1`` zeros around it (plus the samples a stride skipped at the
        end, which no output read).

    Notes
    -----
    Input sample ``l`` fed output ``i`` through tap ``a = l - s i``, so
    ``dx[l] = sum_i dy[i] W[l - s i]^T``: a *convolution* of the dilated
    output gradient with the kernel, i.e. a correlation with the flipped
    kernel. Channels run backwards (``C_out`` -> ``C_in``), hence the swap.
    """
    kernel = weight.shape[:-2]
    out_shape = grad_y.shape[1:-1]
    n = grad_y.shape[0]
    sizes = tuple(m + k - 1 for m, k in zip(in_shape, kernel))
    # the batch end to end (see _correlate_end_to_end); each slot holds one G
    signal, g_padded = _end_to_end(n, sizes[0], kernel[0] - 1,
                                   (*sizes[1:], grad_y.shape[-1]), grad_y.dtype)
    # zero insertion (stride) and k - 1 zeros of padding, in one assignment
    g_padded[(slice(None), *(slice(k - 1, k - 1 + s * (m - 1) + 1, s)
                             for k, s, m in zip(kernel, stride, out_shape)))] = grad_y
    flipped = weight[tuple(slice(None, None, -1) for _ in kernel)].swapaxes(-1, -2)
    return _correlate_end_to_end(signal, flipped, (1,) * len(kernel), n, sizes[0], in_shape[0])


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) layer, channels last, stride and zero padding.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C_in`` and ``C_out``.
    kernel_size : int
        Taps ``k``.
    stride : int, optional
        Step between kernel placements.
    pad_width : int, optional
        Zeros added at both ends of the signal (PyTorch's ``padding``).
    rng : int or numpy.random.Generator
        Seed or generator for the initialisation (module docstring).

    Attributes
    ----------
    params : dict
        ``weight`` of shape ``(k, C_in, C_out)``, ``bias`` of shape ``(C_out,)``.

    Notes
    -----
    ``y[n, i, o] = bias[o] + sum_{a, c} x_p[n, s i + a, c] weight[a, c, o]``
    with ``x_p`` the padded input, computed by
    :func:`cnnmotiv.convolution.correlate_channels`; output length
    ``(L + 2 p - k) // s + 1``. See :meth:`backward` for the gradients.

    Examples
    --------
    >>> conv = Conv1d(1, 1, 2, rng=0)
    >>> conv.params["weight"][:] = np.array([-1.0, 1.0]).reshape(2, 1, 1)
    >>> conv.params["bias"][:] = 0
    >>> conv.forward(np.array([1.0, 2.0, 4.0, 7.0]).reshape(1, 4, 1))[0, :, 0]
    array([1., 2., 3.])
    """

    ndim = 1


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) layer, channels last, stride and zero padding.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
        ``(kh, kw)``; an int means a square kernel.
    stride, pad_width : int or (int, int), optional
        Per axis ``(rows, cols)``.
    rng : int or numpy.random.Generator

    Attributes
    ----------
    params : dict
        ``weight`` of shape ``(kh, kw, C_in, C_out)``, ``bias`` of shape ``(C_out,)``.

    Notes
    -----
    As :class:`Conv1d`, over ``(N, H, W, C_in)`` inputs.

    Examples
    --------
    >>> conv = Conv2d(3, 8, 3, pad_width=1, rng=0)
    >>> conv.forward(np.ones((2, 5, 6, 3))).shape
    (2, 5, 6, 8)
    """

    ndim = 2


class _LocallyConnectedNd(Layer):
    """Locally connected layer over ``ndim`` spatial axes (worker of the public classes)."""

    ndim = 1

    def __init__(self, in_channels, out_channels, kernel_size, in_shape, *, stride=1,
                 pad_width=0, rng):
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels")
        self.out_channels = check_int(out_channels, "out_channels")
        self.kernel_size = _per_axis(kernel_size, "kernel_size", self.ndim)
        name = "in_length" if self.ndim == 1 else "in_shape"
        self.in_shape = _per_axis(in_shape, name, self.ndim)
        self.stride = _per_axis(stride, "stride", self.ndim)
        self.pad_width = _per_axis(pad_width, "pad_width", self.ndim, minimum=0)
        self.out_shape = _output_shape(self.in_shape, self.kernel_size, self.stride,
                                       self.pad_width, "kernel_size")
        rng = as_generator(rng)
        fan_in = int(np.prod(self.kernel_size)) * self.in_channels
        shape = (*self.out_shape, *self.kernel_size, self.in_channels, self.out_channels)
        check_bytes(2 * 8 * int(np.prod(shape)),
                    what=f"{type(self).__name__} weights {shape} (weights and gradients)",
                    parameter=name)
        self._init_params(weight=_uniform(rng, fan_in, shape),
                          bias=_uniform(rng, fan_in, (*self.out_shape, self.out_channels)))
        self._x_shape = self._windows_cache = None

    def __repr__(self) -> str:
        one = (lambda t: t[0]) if self.ndim == 1 else (lambda t: t)
        name = "in_length" if self.ndim == 1 else "in_shape"
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"kernel_size={one(self.kernel_size)}, {name}={one(self.in_shape)}, "
                f"stride={one(self.stride)}, pad_width={one(self.pad_width)})")

    def _windows(self, xp: np.ndarray) -> np.ndarray:
        """Every output position's input window, flattened: ``(P, N, k * C_in)``.

        One strided view of ``xp`` (no copy), ordered as the weights are
        (positions, then taps, then channels), and one copy to make it a
        stack of matrices.
        """
        d = self.ndim
        view = np.lib.stride_tricks.sliding_window_view(xp, self.kernel_size,
                                                        axis=tuple(range(1, d + 1)))
        view = view[(slice(None), *(slice(None, None, s) for s in self.stride))]
        view = view[(slice(None), *(slice(0, m) for m in self.out_shape))]
        # (N, *out, C_in, *k) -> (*out, N, *k, C_in)
        order = (*range(1, d + 1), 0, *range(d + 2, 2 * d + 2), d + 1)
        return np.ascontiguousarray(view.transpose(order)).reshape(
            int(np.prod(self.out_shape)), xp.shape[0], -1)

    def _matrices(self) -> np.ndarray:
        """The weights as one ``(k * C_in, C_out)`` matrix per position: ``(P, k * C_in, C_out)``."""
        return self.params["weight"].reshape(int(np.prod(self.out_shape)), -1, self.out_channels)

    def _check_forward(self, x) -> np.ndarray:
        shape = ("(N, in_length, C_in)" if self.ndim == 1 else "(N, H, W, C_in)")
        x = _check_input(x, "x", self.ndim + 1, shape)
        _check_channels(x, self.in_channels)
        if x.shape[1:-1] != self.in_shape:
            raise ValueError(f"x must have spatial shape {self.in_shape} (this layer's "
                             f"{'in_length' if self.ndim == 1 else 'in_shape'}); got "
                             f"{x.shape[1:-1]} in shape {x.shape}")
        return x

    def _forward(self, x):
        """Each position's window times that position's own weight matrix."""
        xp = _zero_pad(x, self.pad_width)
        windows = self._windows(xp)                      # (P, N, k * C_in)
        y = windows @ self._matrices()                   # (P, N, C_out): one product per position
        y = np.moveaxis(y, 0, 1).reshape(x.shape[0], *self.out_shape, self.out_channels)
        y += self.params["bias"]
        self._x_shape, self._windows_cache = xp.shape, windows
        return y

    def backward(self, grad_y, *, input_grad=True) -> np.ndarray | None:
        """Per-position weight gradients (no sum over positions: nothing is shared).

        ``grads['weight'][i]`` is position ``i``'s window transposed times its
        output gradient, summed over the batch only; summed over the
        positions as well it is exactly the convolution's weight gradient (the
        test suite checks this). The input gradient sends each position's
        window gradient back to the samples the window read, tap by tap.
        """
        return super().backward(grad_y, input_grad=input_grad)

    def _backward(self, g, input_grad):
        n, p = g.shape[0], int(np.prod(self.out_shape))
        gp = np.moveaxis(g.reshape(n, p, self.out_channels), 1, 0)   # (P, N, C_out)
        windows = self._windows_cache
        self.grads["bias"][...] = g.sum(axis=0)
        self.grads["weight"][...] = (windows.transpose(0, 2, 1) @ gp).reshape(
            self.params["weight"].shape)
        if not input_grad:
            return None
        grad_windows = (gp @ self._matrices().transpose(0, 2, 1)).reshape(
            *self.out_shape, n, *self.kernel_size, self.in_channels)
        grad_xp = np.zeros(self._x_shape, dtype=g.dtype)
        d = self.ndim
        for tap in np.ndindex(*self.kernel_size):
            part = grad_windows[(Ellipsis, *tap, slice(None))]       # (*out, N, C_in)
            grad_xp[_tap_window(tap, self.stride, self.out_shape)] += np.moveaxis(part, d, 0)
        return _crop(grad_xp, self.pad_width)


class LocallyConnected1d(_LocallyConnectedNd):
    """1-D locally connected layer: a convolution's connectivity with untied weights.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int
    in_length : int
        Input length ``L`` (the number of positions, hence of weight sets,
        depends on it).
    stride, pad_width : int, optional
        As :class:`Conv1d`.
    rng : int or numpy.random.Generator

    Attributes
    ----------
    params : dict
        ``weight`` of shape ``(L_out, k, C_in, C_out)`` (one kernel per output
        position) and ``bias`` of shape ``(L_out, C_out)`` (untied too).

    Notes
    -----
    ``y[n, i, o] = bias[i, o] + sum_{a, c} x_p[n, s i + a, c] weight[i, a, c, o]``:
    with ``weight[i] = W`` and ``bias[i] = b`` for every ``i`` this is
    :class:`Conv1d` with weights ``W`` and bias ``b``, exactly.

    Examples
    --------
    >>> lc = LocallyConnected1d(1, 25, 5, 40, stride=2, pad_width=1, rng=0)
    >>> lc.params["weight"].shape, lc.forward(np.zeros((3, 40, 1))).shape
    ((19, 5, 1, 25), (3, 19, 25))
    """

    ndim = 1


class LocallyConnected2d(_LocallyConnectedNd):
    """2-D locally connected layer: a convolution's connectivity with untied weights.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    in_shape : int or (int, int)
        Input shape ``(H, W)``.
    stride, pad_width : int or (int, int), optional
    rng : int or numpy.random.Generator

    Attributes
    ----------
    params : dict
        ``weight`` of shape ``(H_out, W_out, kh, kw, C_in, C_out)``, ``bias``
        of shape ``(H_out, W_out, C_out)``.

    Examples
    --------
    >>> lc = LocallyConnected2d(1, 1, 3, (280, 320), rng=0)
    >>> lc.params["weight"].shape, lc.n_parameters
    ((278, 318, 3, 3, 1, 1), 884040)
    """

    ndim = 2


# ----------------------------------------------------------------------------
# Dense, activations, pooling, reshaping
# ----------------------------------------------------------------------------

class Dense(Layer):
    """Fully connected layer ``y = x @ weight + bias``.

    Parameters
    ----------
    in_features, out_features : int
    rng : int or numpy.random.Generator

    Attributes
    ----------
    params : dict
        ``weight`` of shape ``(in_features, out_features)``, ``bias`` of shape
        ``(out_features,)``.

    Raises
    ------
    cnnmotiv.budget.BudgetError
        If the weights and their gradient would need more than the memory
        budget (e.g. a dense layer from the 280 x 320 photo to its edge map).

    Examples
    --------
    >>> Dense(40, 100, rng=0).n_parameters
    4100
    """

    def __init__(self, in_features, out_features, *, rng):
        super().__init__()
        self.in_features = check_int(in_features, "in_features")
        self.out_features = check_int(out_features, "out_features")
        check_bytes(2 * 8 * self.in_features * self.out_features,
                    what=f"Dense weights ({self.in_features:,} x {self.out_features:,}) "
                         f"and their gradient in float64",
                    parameter="in_features")
        rng = as_generator(rng)
        self._init_params(weight=_uniform(rng, self.in_features,
                                          (self.in_features, self.out_features)),
                          bias=_uniform(rng, self.in_features, (self.out_features,)))
        self._x = None

    def __repr__(self) -> str:
        return f"Dense({self.in_features}, {self.out_features})"

    def _check_forward(self, x) -> np.ndarray:
        x = _check_input(x, "x", 1, "(N, in_features)")
        if x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}) (in_features); "
                             f"got {x.shape}")
        return x

    def _forward(self, x):
        self._x = x
        return x @ self.params["weight"] + self.params["bias"]

    def _backward(self, g, input_grad):
        self.grads["weight"][...] = self._x.T @ g
        self.grads["bias"][...] = g.sum(axis=0)
        return g @ self.params["weight"].T if input_grad else None


class ReLU(Layer):
    """``max(x, 0)``, elementwise; the gradient passes where ``x > 0``.

    Examples
    --------
    >>> ReLU().forward(np.array([[-1.0, 0.0, 2.0]]))
    array([[0., 0., 2.]])
    """

    def __init__(self):
        super().__init__()
        self._mask = None

    def __repr__(self) -> str:
        return "ReLU()"

    def _forward(self, x):
        self._mask = x > 0
        return x * self._mask

    def _backward(self, g, input_grad):
        return g * self._mask


class MaxPool1d(Layer):
    """Max pooling over windows of ``size`` samples along the length axis.

    Parameters
    ----------
    size : int
        Window length.
    stride : int, optional
        Step between windows; default ``size`` (non-overlapping).

    Notes
    -----
    Input ``(N, L, C)``, output ``(N, (L - size) // stride + 1, C)``. The
    gradient goes to the first maximum of each window (ties: the earliest).

    Examples
    --------
    >>> MaxPool1d(2).forward(np.array([1.0, 3.0, 2.0, 0.0, 5.0]).reshape(1, 5, 1))[0, :, 0]
    array([3., 2.])
    """

    def __init__(self, size, *, stride=None):
        super().__init__()
        self.size = check_int(size, "size")
        self.stride = self.size if stride is None else check_int(stride, "stride")
        self._x_shape = None
        self._argmax = None

    def __repr__(self) -> str:
        return f"MaxPool1d({self.size}, stride={self.stride})"

    def _check_forward(self, x) -> np.ndarray:
        x = _check_input(x, "x", 2, "(N, L, C)")
        if self.size > x.shape[1]:
            raise ValueError(f"size {self.size} is larger than the input length {x.shape[1]}")
        return x

    def _forward(self, x):
        m = (x.shape[1] - self.size) // self.stride + 1
        taps = np.stack([x[_tap_window((a,), (self.stride,), (m,))] for a in range(self.size)])
        self._argmax = taps.argmax(axis=0)
        self._x_shape = x.shape
        return taps.max(axis=0)

    def _backward(self, g, input_grad):
        grad_x = np.zeros(self._x_shape, dtype=g.dtype)
        m = g.shape[1]
        for a in range(self.size):  # each tap's winners get the gradient
            grad_x[_tap_window((a,), (self.stride,), (m,))] += g * (self._argmax == a)
        return grad_x


class Flatten(Layer):
    """``(N, *shape) -> (N, prod(shape))`` (channels-last order).

    Examples
    --------
    >>> Flatten().forward(np.zeros((2, 5, 25))).shape
    (2, 125)
    """

    def __init__(self):
        super().__init__()
        self._shape = None

    def __repr__(self) -> str:
        return "Flatten()"

    def _forward(self, x):
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def _backward(self, g, input_grad):
        return g.reshape(self._shape)


class Reshape(Layer):
    """Reshape every sample: ``(N, ...) -> (N, *shape)``.

    The models of :mod:`cnnmotiv.learning.models` start with
    ``Reshape((40, 1))``, which gives MNIST-1D's ``(N, 40)`` signals the one
    channel axis a convolution expects.

    Parameters
    ----------
    shape : tuple of int
        Per-sample output shape; the product must match the input's.

    Examples
    --------
    >>> Reshape((40, 1)).forward(np.zeros((3, 40))).shape
    (3, 40, 1)
    """

    def __init__(self, shape):
        super().__init__()
        if isinstance(shape, numbers.Integral):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or not shape:
            raise TypeError(f"shape must be a tuple of integers; got {shape!r}")
        self.shape = tuple(check_int(s, f"shape[{i}]") for i, s in enumerate(shape))
        self._in = None

    def __repr__(self) -> str:
        return f"Reshape({self.shape})"

    def _check_forward(self, x) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != int(np.prod(self.shape)):
            raise ValueError(f"x must have shape (N, ...) with {int(np.prod(self.shape))} "
                             f"numbers per sample, to become (N, *{self.shape}); got {x.shape}")
        return x

    def _forward(self, x):
        self._in = x.shape
        return x.reshape(x.shape[0], *self.shape)

    def _backward(self, g, input_grad):
        return g.reshape(self._in)

"""A stack of layers (:class:`Sequential`) and the MNIST-1D paper's models.

The models take MNIST-1D's signals as ``(N, 40)`` arrays; the convolutional
and locally connected ones start with ``Reshape((40, 1))`` to add the one
input channel (channels last).

=========================  ========================================  ==========
model                      layers                                    parameters
=========================  ========================================  ==========
``logistic_regression``    Dense(40, 10)                                    410
``mlp``                    Dense(40, 100), ReLU, Dense(100, 100),        15,210
                           ReLU, Dense(100, 10)
``paper_cnn``              3 x [Conv1d(25 ch, k 5/3/3, stride 2,          5,210
                           pad 1), ReLU], Flatten, Dense(125, 10)
``locally_connected_net``  the same with LocallyConnected1d              32,610
=========================  ========================================  ==========

These follow the reference code of Greydanus & Kobak, "Scaling Down Deep
Learning with MNIST-1D" (``ConvBase``: three ``Conv1d`` of 25 channels,
kernels 5, 3, 3, stride 2, padding 1, ReLU, then ``Linear(125, 10)``;
``MLP``: two hidden layers of 100 units). Their ``Flatten`` is channels-first
and ours channels-last, which only permutes the last layer's rows.
"""

from __future__ import annotations

import numpy as np

from cnnmotiv.validation import as_float_array, check_int
from cnnmotiv.learning.layers import (
    Conv1d,
    Dense,
    Flatten,
    Layer,
    LocallyConnected1d,
    ReLU,
    Reshape,
    as_generator,
)

__all__ = ["Sequential", "check_dtype", "DTYPES", "logistic_regression", "mlp", "paper_cnn", "locally_connected_net"]


#: Parameter types a model can be built with (:class:`Sequential`'s ``dtype``).
DTYPES = (np.float64, np.float32)


def check_dtype(dtype, name: str = "dtype") -> type:
    """Return ``dtype`` as ``numpy.float64`` or ``numpy.float32``; refuse any other type.

    Examples
    --------
    >>> check_dtype("float32")
    <class 'numpy.float32'>
    """
    try:
        kind = np.dtype(dtype).type
    except TypeError:
        kind = None
    if dtype is None or kind not in DTYPES:
        raise TypeError(f"{name} must be numpy.float64 or numpy.float32; got {dtype!r}")
    return kind


class Sequential(Layer):
    """Layers applied one after the other; backward runs them in reverse.

    All parameters live in one flat vector (:meth:`parameter_vector`), and all
    gradients in another (:meth:`gradient_vector`): every layer's
    ``params[key]`` and ``grads[key]`` become views into them, so an
    optimiser updates the whole model in a few vector operations.

    Parameters
    ----------
    layers : sequence of Layer
        Owned by the model from now on (their parameter arrays are replaced
        by views of the same values); do not share a layer between models.
    dtype : {numpy.float64, numpy.float32}, optional
        Type of the parameters (and so of the computation, given inputs of
        the same type). float32, as PyTorch trains by default, halves the
        memory traffic of every step; gradients checked against finite
        differences need float64, the default.

    Attributes
    ----------
    layers : list of Layer
    params, grads : dict
        ``"<index>.<key>"`` (e.g. ``"1.weight"``) -> the layer's array.

    Examples
    --------
    >>> model = Sequential([Dense(4, 3, rng=0), ReLU(), Dense(3, 2, rng=1)])
    >>> model.n_parameters, model.parameter_vector().shape
    (23, (23,))
    >>> model.forward(np.ones((5, 4))).shape
    (5, 2)
    """

    def __init__(self, layers, *, dtype=np.float64):
        super().__init__()
        dtype = check_dtype(dtype)
        layers = list(layers)
        if not layers:
            raise ValueError("layers must hold at least one layer")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a Layer; got {type(layer).__name__}")
        self.layers = layers
        total = sum(p.size for layer in layers for p in layer.params.values())
        self._theta = np.empty(total, dtype=dtype)
        self._grad = np.zeros(total, dtype=dtype)
        offset = 0
        for i, layer in enumerate(layers):
            for key, p in list(layer.params.items()):
                n = p.size
                self._theta[offset:offset + n] = p.ravel()
                layer.params[key] = self._theta[offset:offset + n].reshape(p.shape)
                layer.grads[key] = self._grad[offset:offset + n].reshape(p.shape)
                self.params[f"{i}.{key}"] = layer.params[key]
                self.grads[f"{i}.{key}"] = layer.grads[key]
                offset += n
        self._checked_shape = None
        self._first_trainable = next((i for i, layer in enumerate(layers) if layer.params), -1)

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner},\n])  # {self.n_parameters:,} parameters"

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def parameter_vector(self) -> np.ndarray:
        """All parameters as one flat array: *the model's own storage* (writes change it)."""
        return self._theta

    def gradient_vector(self) -> np.ndarray:
        """All gradients of the last :meth:`backward`, flat, in :meth:`parameter_vector`'s order."""
        return self._grad

    def _check_forward(self, x) -> np.ndarray:
        return as_float_array(x, "x")

    def _forward(self, x):
        """Run every layer.

        A batch whose per-sample shape has not been seen goes through every
        layer's checked :meth:`~Layer.forward`; after that, batches of that
        shape (checked finite by :meth:`forward`) go straight to the layers'
        workers, whose inputs are then known to fit.
        """
        shape = x.shape[1:]
        if shape != self._checked_shape:
            for layer in self.layers:
                x = layer.forward(x)
            self._checked_shape = shape
            return x
        for layer in self.layers:
            x = layer._forward(x)
            layer._out_shape = x.shape
        return x

    def backward(self, grad_y, *, input_grad=True) -> np.ndarray | None:
        """Backpropagate through every layer in reverse; fills all ``grads``.

        With ``input_grad=False`` (what :func:`~cnnmotiv.learning.train`
        uses) the pass stops at the first layer with parameters, which
        computes no input gradient, and ``None`` is returned.
        """
        return super().backward(grad_y, input_grad=input_grad)

    def _backward(self, g, input_grad):
        first = -1 if input_grad else self._first_trainable
        for i in range(len(self.layers) - 1, first, -1):
            g = self.layers[i]._backward(g, True)
        if first >= 0:
            self.layers[first]._backward(g, False)
            return None
        return g


def _check_channels(channels) -> int:
    return check_int(channels, "channels")


def logistic_regression(n_inputs=40, n_classes=10, *, rng, dtype=np.float64) -> Sequential:
    """Multinomial logistic regression: one :class:`Dense` layer (410 parameters for MNIST-1D).

    Examples
    --------
    >>> logistic_regression(rng=0).n_parameters
    410
    """
    n_inputs, n_classes = check_int(n_inputs, "n_inputs"), check_int(n_classes, "n_classes")
    return Sequential([Dense(n_inputs, n_classes, rng=as_generator(rng))], dtype=dtype)


def mlp(n_inputs=40, hidden=100, n_classes=10, *, n_hidden_layers=2, rng,
        dtype=np.float64) -> Sequential:
    """The MNIST-1D paper's MLP: ``n_hidden_layers`` ReLU layers of ``hidden`` units.

    The reference code's ``MLP`` has two hidden layers of 100 units:
    ``40 -> 100 -> 100 -> 10``, 15,210 parameters.

    Examples
    --------
    >>> mlp(rng=0).n_parameters
    15210
    >>> mlp(hidden=100, n_hidden_layers=1, rng=0).n_parameters
    5110
    """
    n_inputs, n_classes = check_int(n_inputs, "n_inputs"), check_int(n_classes, "n_classes")
    hidden = check_int(hidden, "hidden")
    depth = check_int(n_hidden_layers, "n_hidden_layers")
    rng = as_generator(rng)
    widths = [n_inputs] + [hidden] * depth
    layers: list[Layer] = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [Dense(a, b, rng=rng), ReLU()]
    return Sequential(layers + [Dense(widths[-1], n_classes, rng=rng)], dtype=dtype)


#: The paper CNN's layer geometry: (kernel size, stride, padding) per layer.
PAPER_GEOMETRY = ((5, 2, 1), (3, 2, 1), (3, 2, 1))


def _stack(make, channels: int, n_inputs: int, n_classes: int, rng, dtype) -> Sequential:
    layers: list[Layer] = [Reshape((n_inputs, 1))]
    length, c_in = n_inputs, 1
    for k, s, p in PAPER_GEOMETRY:
        layer = make(c_in, channels, k, length, s, p, rng)
        length = (length + 2 * p - k) // s + 1
        layers += [layer, ReLU()]
        c_in = channels
    return Sequential(layers + [Flatten(), Dense(length * channels, n_classes, rng=rng)],
                      dtype=dtype)


def paper_cnn(*, channels=25, n_inputs=40, n_classes=10, rng, dtype=np.float64) -> Sequential:
    """The MNIST-1D paper's CNN: 3 x Conv1d (kernels 5/3/3, stride 2, pad 1) + ReLU, Dense.

    Lengths 40 -> 19 -> 10 -> 5; with 25 channels the parameters are
    ``150 + 1,900 + 1,900 + 1,260 = 5,210``. Layer indices (for
    :func:`~cnnmotiv.learning.input_gradient`'s ``layer``): 0 Reshape,
    1/3/5 the convolutions (2/4/6 their ReLUs), 7 Flatten, 8 Dense. The
    receptive field of a unit of the last convolution spans 17 inputs.

    Examples
    --------
    >>> model = paper_cnn(rng=0)
    >>> model.n_parameters
    5210
    >>> model.forward(np.zeros((2, 40))).shape
    (2, 10)
    """
    channels = _check_channels(channels)
    n_inputs, n_classes = check_int(n_inputs, "n_inputs"), check_int(n_classes, "n_classes")
    return _stack(lambda c_in, c_out, k, length, s, p, r:
                  Conv1d(c_in, c_out, k, stride=s, pad_width=p, rng=r),
                  channels, n_inputs, n_classes, as_generator(rng), dtype)


def locally_connected_net(*, channels=25, n_inputs=40, n_classes=10, rng,
                          dtype=np.float64) -> Sequential:
    """:func:`paper_cnn`'s geometry with untied weights (LocallyConnected1d): 32,610 parameters.

    The same connectivity (every output sees the same inputs as in the CNN),
    but one kernel and bias per output position:
    ``2,850 + 19,000 + 9,500 + 1,260``.

    Examples
    --------
    >>> locally_connected_net(rng=0).n_parameters
    32610
    """
    channels = _check_channels(channels)
    n_inputs, n_classes = check_int(n_inputs, "n_inputs"), check_int(n_classes, "n_classes")
    return _stack(lambda c_in, c_out, k, length, s, p, r:
                  LocallyConnected1d(c_in, c_out, k, length, stride=s, pad_width=p, rng=r),
                  channels, n_inputs, n_classes, as_generator(rng), dtype)

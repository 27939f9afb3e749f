"""Optimisers (SGD with momentum, Adam) and the cosine learning-rate schedule.

``step(params, grads)`` updates ``params`` in place. Both arguments are
either two arrays of the same shape (the fast way: a model's whole parameter
vector, :meth:`cnnmotiv.learning.Sequential.parameter_vector`, so one update
is a handful of vector operations) or two dicts of arrays with the same keys.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from cnnmotiv.validation import check_int

__all__ = ["SGD", "Adam", "cosine_decay", "check_learning_rate"]


def check_learning_rate(lr, name: str = "lr") -> float:
    """Return ``lr`` as a float if it is a finite number > 0, else raise."""
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{name} must be a positive number; got {lr!r} of type "
                        f"{type(lr).__name__}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"{name} must be a positive, finite number; got {lr!r}")
    return float(lr)


def _check_fraction(value, name: str, *, upper_open: bool = True) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1); got {value!r}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1); got {value!r}")
    return float(value)


def _pairs(params, grads):
    """``(key, param, grad)`` triples of matching arrays; refuse mismatches."""
    if isinstance(params, np.ndarray) and isinstance(grads, np.ndarray):
        if params.shape != grads.shape:
            raise ValueError(f"grads must have the shape of params, {params.shape}; "
                             f"got {grads.shape}")
        return [(None, params, grads)]
    if isinstance(params, dict) and isinstance(grads, dict):
        if params.keys() != grads.keys():
            raise ValueError(f"grads must have the keys of params, {sorted(params)}; "
                             f"got {sorted(grads)}")
        out = []
        for key, p in params.items():
            if p.shape != grads[key].shape:
                raise ValueError(f"grads[{key!r}] must have shape {p.shape}; "
                                 f"got {grads[key].shape}")
            out.append((key, p, grads[key]))
        return out
    raise TypeError("params and grads must be two arrays or two dicts of arrays; got "
                    f"{type(params).__name__} and {type(grads).__name__}")


class _Optimizer:
    def __init__(self, lr):
        self.lr = check_learning_rate(lr)
        self._state: dict = {}

    def _slot(self, key, p, n: int) -> list[np.ndarray]:
        """The ``n`` state arrays of parameter ``key`` (zeros at first)."""
        slot = self._state.get(key)
        if slot is None or slot[0].shape != p.shape:
            slot = self._state[key] = [np.zeros_like(p) for _ in range(n)]
        return slot

    def step(self, params, grads) -> None:  # pragma: no cover - subclasses
        raise NotImplementedError


class SGD(_Optimizer):
    """Stochastic gradient descent, with optional (heavy-ball) momentum.

    ``v = momentum * v + g; p -= lr * v`` (PyTorch's form; ``v = g`` without
    momentum).

    Parameters
    ----------
    lr : float
        Learning rate, > 0. May be changed between steps (schedules).
    momentum : float, optional
        In ``[0, 1)``.

    Examples
    --------
    >>> p, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    >>> SGD(0.1).step(p, g)
    >>> p
    array([ 0.95, -2.05])
    """

    def __init__(self, lr, *, momentum=0.0):
        super().__init__(lr)
        self.momentum = _check_fraction(momentum, "momentum")

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"

    def step(self, params, grads) -> None:
        """Update ``params`` in place from ``grads``."""
        lr = check_learning_rate(self.lr)
        for key, p, g in _pairs(params, grads):
            if self.momentum:
                (v,) = self._slot(key, p, 1)
                v *= self.momentum
                v += g
                g = v
            p -= lr * g


class Adam(_Optimizer):
    """Adam (Kingma & Ba 2015), in PyTorch's form.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``, then
    ``p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)``.

    Parameters
    ----------
    lr : float, optional
        Learning rate, > 0; may be changed between steps.
    betas : (float, float), optional
        Decay rates of the two moment estimates, each in ``[0, 1)``.
    eps : float, optional
        Added to the denominator, > 0.

    Attributes
    ----------
    t : int
        Steps taken.

    Examples
    --------
    The first step moves every parameter by ``lr`` against its gradient's sign:

    >>> p = np.array([1.0, 1.0])
    >>> Adam(0.1).step(p, np.array([3.0, -0.5]))
    >>> p
    array([0.9, 1.1])
    """

    def __init__(self, lr=1e-2, *, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers in [0, 1); got {betas!r}")
        self.betas = (_check_fraction(betas[0], "betas[0]"), _check_fraction(betas[1], "betas[1]"))
        self.eps = check_learning_rate(eps, "eps")
        self.t = 0

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g})"

    def step(self, params, grads) -> None:
        """Update ``params`` in place from ``grads``."""
        lr = check_learning_rate(self.lr)
        pairs = _pairs(params, grads)
        self.t += 1
        b1, b2 = self.betas
        step_size = lr / (1 - b1 ** self.t)
        root_correction = math.sqrt(1 - b2 ** self.t)
        for key, p, g in pairs:
            m, v, tmp = self._slot(key, p, 3)
            m *= b1
            m += (1 - b1) * g
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp /= root_correction
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp


def cosine_decay(step, total_steps, lr) -> float:
    """Learning rate at ``step`` of a cosine decay from ``lr`` to 0 over ``total_steps``.

    ``lr * (1 + cos(pi * step / total_steps)) / 2`` for ``0 <= step <= total_steps``.

    Examples
    --------
    >>> cosine_decay(0, 1500, 0.01), cosine_decay(750, 1500, 0.01), cosine_decay(1500, 1500, 0.01)
    (0.01, 0.005, 0.0)
    """
    total = check_int(total_steps, "total_steps")
    step = check_int(step, "step", minimum=0, maximum=total)
    lr = check_learning_rate(lr)
    return float(lr * (1 + math.cos(math.pi * step / total)) / 2) if step < total else 0.0

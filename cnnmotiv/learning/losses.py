"""Losses: softmax cross-entropy (and accuracy) for classes, mean squared error for signals."""

from __future__ import annotations

import numpy as np

from cnnmotiv.validation import as_float_array

__all__ = ["softmax_cross_entropy", "accuracy", "mean_squared_error"]


def _check_labels(labels, n: int, n_classes: int) -> np.ndarray:
    """``labels`` as an int array of shape ``(n,)`` with values in ``[0, n_classes)``."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be an integer array; got dtype {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) (one per row of logits); "
                         f"got {labels.shape}")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"labels must lie in [0, {n_classes}) (the number of logits "
                         f"columns); got values from {labels.min()} to {labels.max()}")
    return labels


def _check_logits(logits) -> np.ndarray:
    logits = as_float_array(logits, "logits")
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, n_classes); got {logits.shape}")
    return logits


def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of the softmax of ``logits``, and its gradient.

    Parameters
    ----------
    logits : array_like, shape (N, K)
        Unnormalised class scores.
    labels : array_like of int, shape (N,)
        True classes, in ``[0, K)``.

    Returns
    -------
    loss : float
        ``mean_n(-log softmax(logits[n])[labels[n]])``.
    grad_logits : ndarray, shape (N, K)
        ``(softmax(logits) - onehot(labels)) / N``.

    Raises
    ------
    TypeError
        If ``labels`` are not integers.
    ValueError
        If the shapes disagree, a label is out of range, or ``logits`` hold
        NaN/inf (for instance after a diverging learning rate).

    Notes
    -----
    Computed stably from ``z = logits - max(logits)``:
    ``log softmax = z - log(sum(exp(z)))``.

    Examples
    --------
    >>> loss, grad = softmax_cross_entropy(np.zeros((2, 4)), [0, 3])
    >>> round(loss, 6)  # log(4): all four classes equally likely
    1.386294
    >>> grad[0]
    array([-0.375,  0.125,  0.125,  0.125])
    """
    logits = _check_logits(logits)
    n, k = logits.shape
    labels = _check_labels(labels, n, k)
    z = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(z)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(total[:, 0]) - z[rows, labels]))
    grad = exp / total
    grad[rows, labels] -= 1.0
    grad /= n
    return loss, grad


def accuracy(logits, labels) -> float:
    """Fraction of rows whose largest logit is at the true label.

    Examples
    --------
    >>> accuracy([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]], [0, 1, 1])
    0.6666666666666666
    """
    logits = _check_logits(logits)
    labels = _check_labels(labels, logits.shape[0], logits.shape[1])
    return float(np.mean(logits.argmax(axis=1) == labels))


def mean_squared_error(prediction, target, *, mask=None) -> tuple[float, np.ndarray]:
    """Mean squared error and its gradient, optionally over a subset of the entries.

    Parameters
    ----------
    prediction, target : array_like, same shape
    mask : array_like of bool, optional
        Broadcastable to the shape: only entries where it is True count (the
        mean is over them), e.g. the top half of an image's outputs.

    Returns
    -------
    loss : float
        ``mean((prediction - target)**2)`` over the counted entries.
    grad : ndarray
        ``2 (prediction - target) / n`` on the counted entries, 0 elsewhere.

    Raises
    ------
    ValueError
        If the shapes differ, an array holds NaN/inf, or the mask selects
        nothing or does not broadcast.

    Examples
    --------
    >>> loss, grad = mean_squared_error([[1.0, 2.0]], [[0.0, 0.0]], mask=[[True, False]])
    >>> loss, grad
    (1.0, array([[2., 0.]]))
    """
    prediction = as_float_array(prediction, "prediction")
    target = as_float_array(target, "target")
    if prediction.shape != target.shape:
        raise ValueError(f"target must have the shape of prediction, {prediction.shape}; "
                         f"got {target.shape}")
    diff = prediction - target
    if mask is None:
        n = diff.size
    else:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"mask must be a boolean array; got dtype {mask.dtype}")
        try:
            mask = np.broadcast_to(mask, diff.shape)
        except ValueError:
            raise ValueError(f"mask of shape {mask.shape} does not broadcast to the "
                             f"prediction's shape {diff.shape}") from None
        n = int(mask.sum())
        if n == 0:
            raise ValueError("mask must select at least one entry")
        diff = np.where(mask, diff, 0.0)
    return float(np.sum(diff * diff) / n), (2.0 / n) * diff

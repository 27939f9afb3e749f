"""Softmax cross-entropy and accuracy for class labels."""

from __future__ import annotations

import numpy as np

from cnnmotiv._validation import as_float_array

__all__ = ["softmax_cross_entropy", "accuracy"]


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

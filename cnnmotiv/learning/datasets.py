"""MNIST-1D (Greydanus & Kobak), generated locally by the ``mnist1d`` package.

:func:`mnist1d` calls the package's own generator,
``mnist1d.data.make_dataset(mnist1d.data.get_dataset_args())`` (never its
download helper: nothing is fetched). The generator reseeds NumPy's and
Python's global random state; :func:`mnist1d` saves and restores both, so the
rest of a notebook stays reproducible. Generating takes a few seconds, so the
arrays are cached for the life of the process (read-only, shared).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

import numpy as np

from cnnmotiv.validation import as_float_array, check_int

__all__ = ["Dataset", "mnist1d", "position_permutation", "SHUFFLE_SEED"]

#: Seed of the one fixed permutation of the 40 positions used by ``shuffled=True``.
SHUFFLE_SEED = 0


@dataclass(frozen=True, repr=False)
class Dataset:
    """A classification data set: training and test inputs and integer labels.

    Attributes
    ----------
    x_train : ndarray, shape (N_train, *sample_shape)
    y_train : ndarray of int, shape (N_train,)
    x_test : ndarray, shape (N_test, *sample_shape)
    y_test : ndarray of int, shape (N_test,)
    permutation : ndarray of int or None
        The position permutation applied (``x = original[:, permutation]``),
        or ``None``.

    Raises
    ------
    TypeError, ValueError
        On construction, if an array is not numeric / integer, holds NaN, or
        the shapes disagree (each message names the field).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    permutation: np.ndarray | None = None

    def __post_init__(self):
        for split in ("train", "test"):
            x = as_float_array(getattr(self, f"x_{split}"), f"x_{split}")
            if x.ndim < 2:
                raise ValueError(f"x_{split} must have shape (N, ...); got {x.shape}")
            y = np.asarray(getattr(self, f"y_{split}"))
            if y.dtype.kind not in "iu":
                raise TypeError(f"y_{split} must hold integer labels; got dtype {y.dtype}")
            if y.shape != (x.shape[0],):
                raise ValueError(f"y_{split} must have shape ({x.shape[0]},), one label per "
                                 f"row of x_{split}; got {y.shape}")
            if y.min() < 0:
                raise ValueError(f"y_{split} must hold labels >= 0; got {y.min()}")
            object.__setattr__(self, f"x_{split}", x)
            object.__setattr__(self, f"y_{split}", y)
        if self.x_train.shape[1:] != self.x_test.shape[1:]:
            raise ValueError(f"x_test samples must have x_train's shape {self.x_train.shape[1:]}; "
                             f"got {self.x_test.shape[1:]}")

    @property
    def n_classes(self) -> int:
        """``max label + 1`` over both splits."""
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    def __repr__(self) -> str:
        shuffled = "" if self.permutation is None else ", positions permuted"
        return (f"Dataset(train={len(self.y_train)}, test={len(self.y_test)}, "
                f"sample_shape={self.x_train.shape[1:]}, classes={self.n_classes}{shuffled})")


@functools.lru_cache(maxsize=4)
def _generate(seed: int):
    """MNIST-1D's arrays for one seed (read-only), global random state untouched."""
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.seed = seed
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    arrays = (data["x"], data["y"], data["x_test"], data["y_test"])
    arrays = tuple(np.ascontiguousarray(a, dtype=np.float64 if i % 2 == 0 else np.int64)
                   for i, a in enumerate(arrays))
    for a in arrays:
        a.flags.writeable = False
    return arrays


def position_permutation(length=40, *, seed=SHUFFLE_SEED) -> np.ndarray:
    """The fixed permutation of ``length`` positions used for shuffled data.

    Examples
    --------
    >>> p = position_permutation()
    >>> sorted(p.tolist()) == list(range(40))
    True
    """
    length = check_int(length, "length")
    return np.random.default_rng(check_int(seed, "seed", minimum=0)).permutation(length)


def mnist1d(*, seed=42, shuffled=False, n_train=None) -> Dataset:
    """MNIST-1D: 4,000 training and 1,000 test signals of length 40, ten classes.

    Parameters
    ----------
    seed : int, optional
        The generator's seed (42 is the published data set).
    shuffled : bool, optional
        Permute the 40 positions of every signal by one fixed permutation
        (:func:`position_permutation`): the "columns of a database table"
        variant, where neighbouring positions mean nothing.
    n_train : int, optional
        Keep only the first ``n_train`` training signals (1 to 4,000); the
        test set is always the full 1,000.

    Returns
    -------
    Dataset
        Read-only float64 inputs ``(N, 40)`` and int64 labels ``(N,)``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Notes
    -----
    The first call for a seed runs the generator (about 3 s on a busy 2-core
    machine); later calls reuse the cached arrays. NumPy's and Python's global
    random states are restored afterwards.

    Examples
    --------
    >>> data = mnist1d(n_train=500)
    >>> data
    Dataset(train=500, test=1000, sample_shape=(40,), classes=10)
    >>> bool((mnist1d(shuffled=True).x_test == data.x_test[:, position_permutation()]).all())
    True
    """
    seed = check_int(seed, "seed", minimum=0)
    if not isinstance(shuffled, (bool, np.bool_)):
        raise TypeError(f"shuffled must be True or False; got {shuffled!r}")
    x, y, x_test, y_test = _generate(seed)
    if n_train is not None:
        n = check_int(n_train, "n_train", minimum=1, maximum=len(y))
        x, y = x[:n], y[:n]
    perm = None
    if shuffled:
        perm = position_permutation(x.shape[1])
        x, x_test = x[:, perm], x_test[:, perm]
        x.flags.writeable = x_test.flags.writeable = False
    return Dataset(x, y, x_test, y_test, perm)

"""Mini-batch training, evaluation, and input gradients (effective receptive fields)."""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from cnnmotiv.validation import as_float_array, check_choice, check_int
from cnnmotiv.learning.datasets import Dataset
from cnnmotiv.learning.layers import Layer, as_generator
from cnnmotiv.learning.losses import accuracy, mean_squared_error, softmax_cross_entropy
from cnnmotiv.learning.models import Sequential
from cnnmotiv.learning.optim import SGD, Adam, check_learning_rate, cosine_decay

__all__ = ["TrainingRun", "train", "evaluate", "predict", "input_gradient", "RegressionRun",
           "fit_regression", "OPTIMIZERS", "SCHEDULES"]

#: Names accepted by :func:`train`'s ``optimizer``.
OPTIMIZERS = ("adam", "sgd")
#: Names accepted by :func:`train`'s ``schedule``.
SCHEDULES = ("cosine", "constant")

#: Samples per forward pass in :func:`evaluate` (bounds the memory of activations).
_EVAL_BATCH = 1000


@dataclass(repr=False)
class TrainingRun:
    """What :func:`train` measured.

    Attributes
    ----------
    steps : list of int
        The step counts at which the run was evaluated.
    train_loss : list of float
        Mean mini-batch loss over the steps since the previous evaluation.
    test_accuracy : list of float
        Test-set accuracy at each evaluation.
    test_loss : list of float
        Test-set cross-entropy at each evaluation.
    final_test_accuracy, final_train_accuracy : float or None
        After the last step (``None`` while training, e.g. in a callback).
    seconds : float
        Wall time so far.
    cpu_seconds : float
        CPU time of the process so far (steadier than wall time on a busy machine).
    model : Sequential
        The trained model (trained in place).
    total_steps : int
        Steps requested.
    config : dict
        The arguments of :func:`train`.
    """

    model: Sequential
    total_steps: int
    config: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    final_test_accuracy: float | None = None
    final_train_accuracy: float | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def done(self) -> bool:
        """Whether training has finished."""
        return self.final_test_accuracy is not None

    def __repr__(self) -> str:
        step = self.steps[-1] if self.steps else 0
        if self.done:
            acc = (f"final_test_accuracy={self.final_test_accuracy:.3f}, "
                   f"final_train_accuracy={self.final_train_accuracy:.3f}")
        else:
            acc = f"test_accuracy={self.test_accuracy[-1]:.3f}" if self.test_accuracy else ""
        return (f"TrainingRun(step {step}/{self.total_steps}, {acc}, seconds={self.seconds:.2f}, "
                f"{self.model.n_parameters:,} parameters)")


def predict(model: Sequential, x) -> np.ndarray:
    """The model's outputs (logits) for ``x``, computed in batches of 1,000."""
    _check_model(model)
    x = as_float_array(x, "x")
    return np.concatenate([model.forward(x[i:i + _EVAL_BATCH])
                           for i in range(0, len(x), _EVAL_BATCH)])


def evaluate(model: Sequential, x, y) -> float:
    """Accuracy of ``model`` on inputs ``x`` and integer labels ``y``.

    Examples
    --------
    >>> from cnnmotiv.learning import logistic_regression
    >>> model = logistic_regression(2, 2, rng=0)
    >>> model.params["0.weight"][:] = [[1, 0], [0, 1]]
    >>> model.params["0.bias"][:] = 0
    >>> evaluate(model, [[1.0, 0.0], [0.0, 1.0], [2.0, 3.0]], [0, 1, 0])
    0.6666666666666666
    """
    return accuracy(predict(model, x), y)


def _optimizer(optimizer, lr):
    check_choice(optimizer, "optimizer", OPTIMIZERS)
    return Adam(check_learning_rate(lr)) if optimizer == "adam" else SGD(check_learning_rate(lr))


def _check_model(model) -> None:
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnmotiv.learning.Sequential; got {type(model).__name__}")


def _check_seed(seed):
    return as_generator(seed, "seed")


def train(model, data, *, steps=1500, batch_size=50, optimizer="adam", lr=1e-2,
          schedule="cosine", seed=0, eval_every=100, callback=None) -> TrainingRun:
    """Train ``model`` on ``data`` by mini-batch gradient descent on the cross-entropy.

    Parameters
    ----------
    model : Sequential
        Trained in place (e.g. from :func:`~cnnmotiv.learning.paper_cnn`).
    data : Dataset
        Training and test sets (e.g. :func:`~cnnmotiv.learning.mnist1d`),
        cast once to the type of the model's parameters (its ``dtype``).
    steps : int, optional
        Number of parameter updates.
    batch_size : int, optional
        Samples per update, at most the training-set size. Batches are drawn
        without replacement from a fresh permutation every epoch.
    optimizer : {'adam', 'sgd'}, optional
        :class:`~cnnmotiv.learning.Adam` (default betas) or plain
        :class:`~cnnmotiv.learning.SGD`.
    lr : float, optional
        (Peak) learning rate, > 0.
    schedule : {'cosine', 'constant'}, optional
        ``'cosine'``: :func:`~cnnmotiv.learning.cosine_decay` from ``lr`` to 0
        over ``steps``.
    seed : int or numpy.random.Generator, optional
        Seeds the order of the training samples (the model's initialisation
        has its own ``rng``).
    eval_every : int, optional
        Evaluate on the test set every ``eval_every`` steps and after the last.
    callback : callable, optional
        ``callback(run)`` after every evaluation, with the
        :class:`TrainingRun` so far (for progress bars and live curves).

    Returns
    -------
    TrainingRun

    Raises
    ------
    TypeError
        If ``model`` is not a Sequential, ``data`` not a Dataset, ``callback``
        not callable, or a number has the wrong type.
    ValueError
        If ``optimizer`` or ``schedule`` is unknown, ``lr`` is not positive,
        ``steps``/``batch_size``/``eval_every`` is below 1 (or
        ``batch_size`` exceeds the training set), or the data do not fit the
        model (wrong shape or channels; the message names the layer). NaN in
        the data is refused when the Dataset is built.

    Examples
    --------
    >>> from cnnmotiv.learning import mnist1d, logistic_regression
    >>> run = train(logistic_regression(rng=0), mnist1d(), steps=200)
    >>> 0.2 < run.final_test_accuracy < 0.45
    True
    """
    _check_model(model)
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a cnnmotiv.learning.Dataset; got {type(data).__name__}")
    steps = check_int(steps, "steps")
    n = len(data.y_train)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=n)
    opt = _optimizer(optimizer, lr)
    lr = opt.lr
    check_choice(schedule, "schedule", SCHEDULES)
    rng = _check_seed(seed)
    eval_every = check_int(eval_every, "eval_every")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")
    _check_fits(model, data)

    theta, grad = model.parameter_vector(), model.gradient_vector()
    run = TrainingRun(model=model, total_steps=steps, config=dict(
        steps=steps, batch_size=batch_size, optimizer=optimizer, lr=lr, schedule=schedule,
        seed=seed if isinstance(seed, numbers.Integral) else None, eval_every=eval_every))
    # the data in the model's type, cast once (float32 for a float32 model)
    x, y = data.x_train.astype(theta.dtype, copy=False), data.y_train
    x_test = data.x_test.astype(theta.dtype, copy=False)
    start, start_cpu = time.perf_counter(), time.process_time()
    order, pos = rng.permutation(n), 0
    loss_sum, loss_count = 0.0, 0
    for t in range(steps):
        if pos + batch_size > n:
            order, pos = rng.permutation(n), 0
        index = order[pos:pos + batch_size]
        pos += batch_size
        if schedule == "cosine":
            opt.lr = max(cosine_decay(t, steps, lr), 1e-300)
        loss, g = softmax_cross_entropy(model.forward(x[index]), y[index])
        model.backward(g, input_grad=False)
        opt.step(theta, grad)
        loss_sum, loss_count = loss_sum + loss, loss_count + 1
        if (t + 1) % eval_every == 0 or t + 1 == steps:
            logits = predict(model, x_test)
            run.steps.append(t + 1)
            run.train_loss.append(loss_sum / loss_count)
            run.test_loss.append(softmax_cross_entropy(logits, data.y_test)[0])
            run.test_accuracy.append(accuracy(logits, data.y_test))
            loss_sum, loss_count = 0.0, 0
            if t + 1 == steps:
                run.final_test_accuracy = run.test_accuracy[-1]
                run.final_train_accuracy = evaluate(model, x, y)
            run.seconds = time.perf_counter() - start
            run.cpu_seconds = time.process_time() - start_cpu
            if callback is not None:
                callback(run)
    return run


def _check_fits(model: Sequential, data: Dataset) -> None:
    """Run one training sample through the model, so shape errors come before training."""
    try:
        out = model.forward(data.x_train[:1])
    except ValueError as err:
        raise ValueError(f"data does not fit the model: {err}") from None
    if out.ndim != 2 or out.shape[1] < data.n_classes:
        raise ValueError(f"model must output (N, n_classes) logits with n_classes >= "
                         f"{data.n_classes} (labels in data); it outputs shape {out.shape[1:]} "
                         f"per sample")


def input_gradient(model, x, *, unit, layer=None) -> np.ndarray:
    """Gradient of one output unit with respect to the input, for each sample.

    Parameters
    ----------
    model : Sequential
    x : array_like, shape (N, *input_shape)
        A batch of inputs (``x[None]`` for one sample).
    unit : int or tuple of int
        Index of the unit in one sample's output of ``layer``: a class for
        the logits, ``(position, channel)`` for a 1-D convolution's output.
    layer : int, optional
        Index into ``model.layers`` whose output holds ``unit``; default the
        last layer.

    Returns
    -------
    ndarray, shape of ``x``
        ``d out[n][unit] / d x[n]`` for every ``n`` (samples do not interact,
        so one backward pass gives them all).

    Raises
    ------
    TypeError, ValueError
        If ``unit`` does not index one unit of that layer's output, or
        ``layer`` is out of range.

    Notes
    -----
    This backpropagates through the layers, overwriting their ``grads``
    (harmless: training recomputes them). Its magnitude over the input is the
    *effective receptive field* of the unit (Luo et al. 2016).

    Examples
    --------
    >>> from cnnmotiv.learning import paper_cnn
    >>> model = paper_cnn(rng=0)
    >>> g = input_gradient(model, np.ones((1, 40)), unit=(2, 0), layer=1)
    >>> np.flatnonzero(g[0]).tolist()  # first conv layer: 5 taps at 2*2 - 1 ...
    [3, 4, 5, 6, 7]
    """
    _check_model(model)
    x = as_float_array(x, "x")
    last = len(model.layers) - 1
    layer = last if layer is None else check_int(layer, "layer", minimum=-len(model.layers),
                                                 maximum=last)
    layer %= len(model.layers)
    h = x
    for lay in model.layers[:layer + 1]:
        h = lay.forward(h)
    index = (unit,) if isinstance(unit, numbers.Integral) else tuple(unit)
    if len(index) != h.ndim - 1 or not all(
            isinstance(i, numbers.Integral) and -s <= i < s for i, s in zip(index, h.shape[1:])):
        raise ValueError(f"unit must index one unit of layer {layer}'s per-sample output of "
                         f"shape {h.shape[1:]}; got {unit!r}")
    seed = np.zeros_like(h)
    seed[(slice(None), *index)] = 1.0
    for lay in reversed(model.layers[:layer + 1]):
        seed = lay.backward(seed)
    return seed


@dataclass(repr=False)
class RegressionRun:
    """What :func:`fit_regression` measured.

    Attributes
    ----------
    model : Layer
        The fitted layer or model (fitted in place).
    losses : list of float
        The loss before each step (``losses[0]``: at the start).
    seconds, cpu_seconds : float
        Wall and CPU time so far.
    total_steps : int
    """

    model: Layer
    total_steps: int
    losses: list = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def __repr__(self) -> str:
        last = f", loss={self.losses[-1]:.3g}" if self.losses else ""
        return (f"RegressionRun(step {len(self.losses)}/{self.total_steps}{last}, "
                f"seconds={self.seconds:.2f})")


def fit_regression(model, x, y, *, steps=200, optimizer="adam", lr=1e-2, schedule="constant",
                   mask=None, every=10, callback=None) -> RegressionRun:
    """Fit ``model(x)`` to ``y`` by full-batch gradient descent on the mean squared error.

    For learning a kernel from an image and its filtered version, e.g. a
    :class:`~cnnmotiv.learning.Conv2d` from the photo to its edge map.

    Parameters
    ----------
    model : Layer
        A single layer (``Conv2d``, ``LocallyConnected2d``, ``Dense``, ...) or
        a :class:`Sequential`; fitted in place.
    x, y : array_like
        The whole batch of inputs and the targets, ``y`` shaped as the output.
    steps : int, optional
    optimizer : {'adam', 'sgd'}, optional
    lr : float, optional
        Learning rate, > 0.
    schedule : {'constant', 'cosine'}, optional
    mask : array_like of bool, optional
        Only these output entries count in the loss
        (:func:`~cnnmotiv.learning.mean_squared_error`): train on the top
        half, test on the bottom half.
    every : int, optional
        Call ``callback(run)`` every ``every`` steps and after the last.
    callback : callable, optional

    Returns
    -------
    RegressionRun

    Raises
    ------
    TypeError, ValueError
        Bad arguments (named), or ``y`` not of the output's shape.

    Examples
    --------
    Recover the edge kernel ``[-1, 1]`` from a signal and its differences:

    >>> from cnnmotiv.learning import Conv1d
    >>> x = np.random.default_rng(0).standard_normal((1, 50, 1))
    >>> y = x[:, 1:] - x[:, :-1]
    >>> run = fit_regression(Conv1d(1, 1, 2, rng=0), x, y, steps=300, lr=0.05)
    >>> np.round(run.model.params["weight"].ravel(), 2)
    array([-1.,  1.])
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a cnnmotiv.learning layer or Sequential; got "
                        f"{type(model).__name__}")
    steps = check_int(steps, "steps")
    opt = _optimizer(optimizer, lr)
    lr = opt.lr
    check_choice(schedule, "schedule", SCHEDULES)
    every = check_int(every, "every")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")
    x = as_float_array(x, "x")
    y = as_float_array(y, "y")
    out = model.forward(x)
    if out.shape != y.shape:
        raise ValueError(f"y must have the model's output shape {out.shape}; got {y.shape}")
    if isinstance(model, Sequential):
        params, grads = model.parameter_vector(), model.gradient_vector()
    else:
        params, grads = model.params, model.grads
    run = RegressionRun(model=model, total_steps=steps)
    start, start_cpu = time.perf_counter(), time.process_time()
    for t in range(steps):
        if schedule == "cosine":
            opt.lr = max(cosine_decay(t, steps, lr), 1e-300)
        loss, g = mean_squared_error(out if t == 0 else model.forward(x), y, mask=mask)
        model.backward(g, input_grad=False)
        opt.step(params, grads)
        run.losses.append(loss)
        if callback is not None and ((t + 1) % every == 0 or t + 1 == steps):
            run.seconds, run.cpu_seconds = (time.perf_counter() - start,
                                            time.process_time() - start_cpu)
            callback(run)
    run.seconds, run.cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    return run

"""cnnmotiv learns, in numpy: layers, losses, optimisers, models, training, MNIST-1D.

The convolution layers run on the package's one correlation engine,
:func:`cnnmotiv.convolution.correlate_channels` (forward *and* backward: the
backward pass of a convolution is itself a correlation), and the locally
connected layers have the same connectivity with untied weights, so that a
comparison separates sparsity from sharing.

>>> from cnnmotiv.learning import mnist1d, paper_cnn, train
>>> model = paper_cnn(rng=0)
>>> model.n_parameters
5210
"""

from cnnmotiv.learning.datasets import SHUFFLE_SEED, Dataset, mnist1d, position_permutation
from cnnmotiv.learning.layers import (
    Conv1d,
    Conv2d,
    Dense,
    Flatten,
    Layer,
    LocallyConnected1d,
    LocallyConnected2d,
    MaxPool1d,
    ReLU,
    Reshape,
    as_generator,
    input_gradient_correlation,
    weight_gradient,
)
from cnnmotiv.learning.losses import accuracy, mean_squared_error, softmax_cross_entropy
from cnnmotiv.learning.models import (
    PAPER_GEOMETRY,
    Sequential,
    locally_connected_net,
    logistic_regression,
    mlp,
    paper_cnn,
)
from cnnmotiv.learning.optim import SGD, Adam, cosine_decay
from cnnmotiv.learning.training import (
    OPTIMIZERS,
    SCHEDULES,
    RegressionRun,
    TrainingRun,
    evaluate,
    fit_regression,
    input_gradient,
    predict,
    train,
)

__all__ = [
    # layers
    "Layer", "Conv1d", "Conv2d", "LocallyConnected1d", "LocallyConnected2d", "Dense", "ReLU",
    "MaxPool1d", "Flatten", "Reshape", "as_generator", "weight_gradient",
    "input_gradient_correlation",
    # losses
    "softmax_cross_entropy", "accuracy", "mean_squared_error",
    # models
    "Sequential", "logistic_regression", "mlp", "paper_cnn", "locally_connected_net",
    "PAPER_GEOMETRY",
    # optimisers
    "SGD", "Adam", "cosine_decay",
    # training
    "train", "evaluate", "predict", "input_gradient", "TrainingRun", "OPTIMIZERS", "SCHEDULES",
    "fit_regression", "RegressionRun",
    # data
    "Dataset", "mnist1d", "position_permutation", "SHUFFLE_SEED",
]

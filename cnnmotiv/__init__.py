"""cnnmotiv: an interactive, tested companion to "Motivation for Convolutional Networks".

The numerical core is re-exported here; figures live in :mod:`cnnmotiv.plotting`,
slider apps in :mod:`cnnmotiv.widgets`, exercises in :mod:`cnnmotiv.exercises`.

>>> import numpy as np
>>> import cnnmotiv as cm
>>> x = np.arange(12.0).reshape(3, 4)
>>> cm.correlate2d(x, [[-1, 1]])
array([[1., 1., 1.],
       [1., 1., 1.],
       [1., 1., 1.]])
>>> M = cm.correlation_matrix([[-1, 1]], x.shape)
>>> bool(np.allclose(M @ x.ravel(), cm.correlate2d(x, [[-1, 1]]).ravel()))
True
"""

from cnnmotiv.budget import DEFAULT_MAX_BYTES, BudgetError, MatrixTooLargeError, format_bytes
from cnnmotiv.convolution import (
    MODES,
    PADDINGS,
    conv_layer,
    convolve1d,
    convolve2d,
    correlate1d,
    correlate2d,
    output_length,
    output_shape,
    pad,
    padding_amounts,
)
from cnnmotiv.counting import (
    LayerCount,
    compare_layers,
    count_conv,
    count_dense,
    count_locally_connected,
    section_numbers,
)
from cnnmotiv.data import checkerboard, impulse, photo, shapes, step_edge
from cnnmotiv.equivariance import (
    equivariance_error,
    invariance_curve,
    max_pool2d,
    pooling_change,
    shift,
)
from cnnmotiv.matrices import (
    correlation_matrix,
    correlation_matrix_1d,
    dense_matrix_nbytes,
    locally_connected_matrix,
    sparse_correlation_matrix,
    weight_taps,
)
from cnnmotiv.receptive_fields import (
    LayerSpec,
    effective_receptive_field,
    erf_spread,
    input_region,
    measure_receptive_field,
    receptive_field,
)

__version__ = "0.1.0"

__all__ = [
    # validation
    "DEFAULT_MAX_BYTES", "BudgetError", "MatrixTooLargeError", "format_bytes",
    # convolution
    "MODES", "PADDINGS", "padding_amounts", "output_length", "output_shape", "pad",
    "correlate1d", "convolve1d", "correlate2d", "convolve2d", "conv_layer",
    # dense-equivalent matrices
    "correlation_matrix_1d", "correlation_matrix", "sparse_correlation_matrix",
    "locally_connected_matrix", "weight_taps", "dense_matrix_nbytes",
    # counting
    "LayerCount", "count_dense", "count_locally_connected", "count_conv", "compare_layers",
    "section_numbers",
    # receptive fields
    "LayerSpec", "receptive_field", "input_region", "measure_receptive_field",
    "effective_receptive_field", "erf_spread",
    # equivariance
    "shift", "equivariance_error", "max_pool2d", "pooling_change", "invariance_curve",
    # data
    "photo", "step_edge", "shapes", "checkerboard", "impulse",
]

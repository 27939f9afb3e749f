"""Tests of cnnmotiv.counting: the textbook's numbers, identities, and agreement with real matrices."""

import ast
import dataclasses
import operator
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnmotiv import convolution
from cnnmotiv.counting import (
    CONVENTIONS,
    LAYER_FORMS,
    LAYER_KINDS,
    LayerCount,
    SectionNumber,
    compare_layers,
    count_conv,
    count_dense,
    count_layer,
    count_locally_connected,
    count_stored_entries,
    count_weight_uses,
    dense_to_conv_steps,
    growth_counts,
    layer_costs,
    section_numbers,
    stack_versus_single,
)
from cnnmotiv.matrices import (
    correlation_matrix,
    dense_matrix_nbytes,
    locally_connected_matrix,
    sparse_correlation_matrix,
    weight_taps,
)

PHOTO = (280, 320)


# --------------------------------------------------------------------------- textbook numbers

def test_two_tap_edge_detector_numbers():
    """[-1, 1] on the 280x320 image, no padding (section 9.2's example)."""
    layers = compare_layers(PHOTO, (1, 2))
    conv, dense = layers["conv"], layers["dense"]
    assert conv.output_shape == (280, 319)
    assert conv.outputs == 280 * (320 - 2 + 1) == 89_320
    assert conv.flops("per-output") == 89_320 * (2 + 1) == 267_960
    assert dense.stored_entries == dense.parameters == (280 * 320) * (280 * 319) == 8_003_072_000
    assert dense.flops("mul+add") == 2 * 8_003_072_000 == 16_006_144_000
    ratio = Fraction(dense.flops("mul+add"), conv.flops("per-output"))
    assert ratio == Fraction(16_006_144_000, 267_960)
    assert round(float(ratio)) == 59_733
    assert conv.parameters == 2
    storage = Fraction(dense.stored_entries, conv.parameters)
    assert storage == 4_001_536_000
    assert f"{float(storage):.1e}" == "4.0e+09"


def test_three_by_three_numbers():
    layers = compare_layers(PHOTO, (3, 3))
    conv, dense = layers["conv"], layers["dense"]
    assert conv.output_shape == (278, 318)
    assert conv.outputs == 88_404
    assert conv.macs == 88_404 * 9 == 795_636
    assert dense.macs == 88_404 * 89_600 == 7_920_998_400
    assert Fraction(dense.macs, conv.macs) == Fraction(89_600, 9)
    assert round(dense.macs / conv.macs, 1) == 9955.6
    assert dense.stored_entries * 8 == dense_matrix_nbytes(PHOTO, (3, 3)) == 63_367_987_200


def test_the_sections_mixed_numbers():
    # 319 * 280 * 3 is the 2-tap flop count; (320 * 280)^2 a square dense matrix
    section_conv = count_conv(PHOTO, (1, 2)).flops("per-output")
    section_dense = count_dense(PHOTO, PHOTO).macs
    assert section_conv == 319 * 280 * 3 == 267_960
    assert f"{section_conv:.2e}" == "2.68e+05"
    assert section_dense == (320 * 280) ** 2 == 8_028_160_000
    assert f"{section_dense:.2e}" == "8.03e+09"
    assert round(section_dense / section_conv, -4) == 30_000
    # the 3x3 kernel the section names gives neither 319 x 280 nor 3 operations per output
    three = count_conv(PHOTO, (3, 3))
    assert three.output_shape != (280, 319)
    assert three.macs // three.outputs == 9


# --------------------------------------------------------------------------- section_numbers

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow}


def evaluate(formula):
    """Evaluate a plain arithmetic expression exactly (ints and Fractions only)."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div):
                return Fraction(left, right)
            return _OPS[type(node.op)](left, right)
        raise ValueError(f"not plain arithmetic: {ast.dump(node)}")
    return walk(ast.parse(formula, mode="eval"))


def test_section_rows_formulas_evaluate_to_their_values():
    rows = section_numbers()
    assert all(isinstance(r, SectionNumber) for r in rows)
    assert len({r.label for r in rows}) == len(rows)
    for row in rows:
        exact = evaluate(row.formula)
        if isinstance(row.value, int):
            assert exact == row.value, row.label
        else:
            assert float(exact) == pytest.approx(row.value, rel=1e-15), row.label
        assert row.note


def test_section_rows_hold_the_textbook_values():
    rows = {r.label: r for r in section_numbers()}
    expected = {
        "2-tap: output units": 89_320,
        "2-tap: convolution flops": 267_960,
        "2-tap: dense matrix entries": 8_003_072_000,
        "2-tap: dense flops": 16_006_144_000,
        "3x3: output units": 88_404,
        "3x3: convolution MACs": 795_636,
        "3x3: dense MACs": 7_920_998_400,
        "3x3: dense matrix bytes (float64)": 63_367_987_200,
        "section: convolution operations": 267_960,
        "section: dense operations": 8_028_160_000,
    }
    for label, value in expected.items():
        assert rows[label].value == value, label
    assert rows["2-tap: computation ratio dense / convolution"].value == pytest.approx(
        16_006_144_000 / 267_960)
    assert round(rows["2-tap: computation ratio dense / convolution"].value, 1) == 59_733.3
    assert rows["2-tap: storage ratio dense entries / kernel weights"].value == 4_001_536_000
    assert rows["3x3: MAC ratio dense / convolution"].value == pytest.approx(89_600 / 9)
    assert round(rows["section: speed-up"].value, -4) == 30_000
    # the rows that quote the section carry its text
    assert "2.68e5" in rows["section: convolution operations"].stated
    assert "8.03e9" in rows["section: dense operations"].stated
    assert "30,000" in rows["section: speed-up"].stated


# --------------------------------------------------------------------------- identities

shapes = st.tuples(st.integers(1, 40), st.integers(1, 40))
ksizes = st.tuples(st.integers(1, 5), st.integers(1, 5))
modes = st.sampled_from(convolution.MODES)
steps = st.tuples(st.integers(1, 3), st.integers(1, 3))


def fits(shape, kshape, mode, dilation=(1, 1)):
    return all(n + sum(convolution.padding_amounts(k, mode=mode, dilation=d)) >= d * (k - 1) + 1
               for n, k, d in zip(shape, kshape, dilation))


@given(shapes, ksizes, modes, steps, steps)
def test_textbook_identities(shape, kshape, mode, stride, dilation):
    assume(fits(shape, kshape, mode, dilation))
    layers = compare_layers(shape, kshape, mode=mode, stride=stride, dilation=dilation)
    dense, local, conv = layers["dense"], layers["locally_connected"], layers["conv"]
    m, n, k = shape[0] * shape[1], conv.outputs, kshape[0] * kshape[1]
    assert conv.output_shape == convolution.output_shape(shape, kshape, mode=mode,
                                                         stride=stride, dilation=dilation)
    assert dense.output_shape == local.output_shape == conv.output_shape
    assert dense.macs == dense.parameters == dense.stored_entries == m * n
    assert local.macs == conv.macs == k * n
    assert local.parameters == k * n
    assert conv.parameters == k
    assert Fraction(dense.macs, conv.macs) == Fraction(m, k)
    assert local.stored_entries == conv.stored_entries <= k * n
    for c in layers.values():
        assert c.flops("mac") == c.macs
        assert c.flops("mul+add") == 2 * c.macs
        assert c.flops("per-output") == c.macs + (c.macs - c.outputs)


@given(shapes, ksizes, modes, st.integers(1, 4), st.integers(1, 4))
def test_channels_multiply_counts(shape, kshape, mode, c_in, c_out):
    assume(fits(shape, kshape, mode))
    one = count_conv(shape, kshape, mode=mode)
    many = count_conv(shape, kshape, mode=mode, in_channels=c_in, out_channels=c_out)
    assert many.parameters == one.parameters * c_in * c_out
    assert many.macs == one.macs * c_in * c_out
    assert many.stored_entries == one.stored_entries * c_in * c_out
    assert many.inputs == c_in * shape[0] * shape[1]
    assert many.outputs == c_out * one.outputs
    # per-output: each output unit sums c_in * k products
    k = kshape[0] * kshape[1]
    assert many.flops("per-output") == many.outputs * (2 * c_in * k - 1)


def test_channel_counts_match_conv_layer():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 9, 10))
    weights = rng.standard_normal((4, 3, 3, 2))
    y = convolution.conv_layer(x, weights, mode="same", stride=2)
    c = count_conv((9, 10), (3, 2), mode="same", stride=2, in_channels=3, out_channels=4)
    assert c.parameters == weights.size
    assert (c.out_channels,) + c.output_shape == y.shape
    assert c.macs == y.size * 3 * 3 * 2


# --------------------------------------------------------------------------- counts vs matrices

@pytest.mark.parametrize("mode", convolution.MODES)
@pytest.mark.parametrize("padding", convolution.PADDINGS)
@pytest.mark.parametrize("shape, kshape, stride, dilation", [
    ((5, 6), (3, 3), 1, 1),
    ((6, 7), (2, 4), (2, 1), 1),
    ((7, 5), (3, 2), 1, (2, 1)),
    ((1, 8), (1, 2), 1, 1),
])
def test_counts_equal_the_matrices(mode, padding, shape, kshape, stride, dilation):
    opts = dict(mode=mode, padding=padding, stride=stride, dilation=dilation)
    try:
        convolution.correlate2d(np.ones(shape), np.ones(kshape), **opts)
    except ValueError:
        with pytest.raises(ValueError):
            count_conv(shape, kshape, **opts)
        return
    kernel = np.random.default_rng(0).standard_normal(kshape)
    dense = correlation_matrix(kernel, shape, **opts)
    sparse = sparse_correlation_matrix(kernel, shape, **opts)
    local = locally_connected_matrix(kshape, shape, rng=0, **opts)
    rows, _, _ = weight_taps(kshape, shape, **opts)
    layers = compare_layers(shape, kshape, **opts)
    assert layers["dense"].stored_entries == dense.size
    assert (layers["dense"].outputs, layers["dense"].inputs) == dense.shape
    assert layers["conv"].stored_entries == sparse.nnz == local.nnz
    assert layers["locally_connected"].stored_entries == local.nnz
    assert layers["conv"].parameters == kernel.size
    assert layers["conv"].macs == dense.shape[0] * kernel.size
    assert count_weight_uses(shape, kshape, **opts) == rows.size
    assert count_stored_entries(shape, kshape, **opts) == sparse.nnz
    assert layers["dense"].stored_entries * 8 == dense.nbytes


@pytest.mark.parametrize("shape, kshape", [((5, 6), (3, 3)), ((4, 9), (2, 4)), ((1, 7), (1, 2))])
def test_layer_costs_and_count_layer_count_real_matrices(shape, kshape):
    """Parameters, stored numbers and MACs read off the matrices themselves."""
    kernel = np.random.default_rng(1).standard_normal(kshape)
    dense = correlation_matrix(kernel, shape)
    sparse = sparse_correlation_matrix(kernel, shape)
    local = locally_connected_matrix(kshape, shape, rng=2)      # random, unshared weights
    costs = layer_costs(shape, kshape)
    assert set(costs["MACs"]) == set(LAYER_FORMS)
    # dense: every entry is a parameter, stored, and multiplied (zeros included)
    assert costs["parameters"]["dense"] == costs["MACs"]["dense"] == dense.size
    # locally connected: one free weight per non-zero entry, all distinct
    assert costs["parameters"]["locally_connected"] == np.unique(local.data).size
    assert costs["stored numbers"]["locally_connected"] == np.count_nonzero(local.toarray())
    # the conv's sparse matrix stores every weight use, but holds only k distinct values
    assert costs["stored numbers"]["sparse"] == np.count_nonzero(dense) == sparse.nnz
    distinct = np.unique(dense[dense != 0]).size
    assert costs["parameters"]["sparse"] == costs["parameters"]["conv"] == distinct
    assert costs["MACs"]["conv"] == costs["MACs"]["sparse"] == np.count_nonzero(dense)
    assert costs["stored numbers"]["conv"] == kernel.size
    for kind in LAYER_KINDS:
        assert count_layer(kind, shape, kshape) == compare_layers(shape, kshape)[kind]


def test_growth_counts_count_real_matrices():
    sides = [3, 5, 8]
    g = growth_counts(sides, 3)
    assert g["inputs"].tolist() == [9, 25, 64]
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    for i, s in enumerate(sides):
        dense = correlation_matrix(kernel, (s, s))
        local = locally_connected_matrix((3, 3), (s, s), rng=i)
        assert g["dense"]["parameters"][i] == g["dense"]["macs"][i] == dense.size
        assert g["locally_connected"]["parameters"][i] == np.unique(local.data).size
        assert g["locally_connected"]["macs"][i] == g["conv"]["macs"][i] == np.count_nonzero(dense)
        assert g["conv"]["parameters"][i] == np.unique(dense[dense != 0]).size == 9


@pytest.mark.parametrize("call, exc, match", [
    (lambda: growth_counts([2, 8], 3), ValueError, "sides must all be >= the kernel size 3"),
    (lambda: growth_counts([], 3), ValueError, "sides must not be empty"),
    (lambda: growth_counts([4.5], 3), TypeError, "sides"),
    (lambda: count_layer("local", (4, 4), 3), ValueError, "kind must be one of"),
    (lambda: layer_costs((4, 4), 5), ValueError, "kernel_shape"),
])
def test_growth_and_costs_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_valid_mode_per_output_flops_from_the_matrix():
    # every row of the [-1, 1] matrix has 2 entries: 2 products and 1 sum per row
    m = sparse_correlation_matrix([[-1.0, 1.0]], (6, 9))
    per_row = np.diff(m.indptr)
    assert (2 * per_row - 1).sum() == count_conv((6, 9), (1, 2)).flops("per-output")


def test_zero_padding_counts_exclude_padding_taps():
    # 3x3 'same' on 3x3: 9 outputs x 9 taps = 81 MACs, of which 49 touch the image
    c = count_conv((3, 3), (3, 3), mode="same")
    assert c.macs == 81
    assert c.stored_entries == count_weight_uses((3, 3), (3, 3), mode="same") == 7 * 7
    assert count_weight_uses((3, 3), (3, 3), mode="same", padding="circular") == 81
    # circular: every window covers the whole 3x3 image exactly once
    assert count_stored_entries((3, 3), (3, 3), mode="same", padding="circular") == 81


def test_layer_count_is_frozen():
    c = count_dense((2, 2), (1, 1))
    assert isinstance(c, LayerCount)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.macs = 0


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("func, args, kwargs, exc, match", [
    (count_dense, ((0, 3), (1, 1)), {}, ValueError, r"input_shape\[0\] must be an integer >= 1"),
    (count_dense, ((3, 3), (1,)), {}, ValueError, "output_shape must be a tuple of 2 integers"),
    (count_conv, ((3, 3), (4, 1)), {}, ValueError, "kernel_shape must fit inside input_shape"),
    (count_conv, ((3, 3), 0), {}, ValueError, "kernel_shape must be an integer >= 1"),
    (count_conv, ((3, 3), (1, 1)), dict(mode="wrap"), ValueError, "mode must be one of"),
    (count_conv, ((3, 3), (1, 1)), dict(padding="wrap"), ValueError, "padding must be one of"),
    (count_conv, ((3, 3), (1, 1)), dict(stride=0), ValueError, "stride must be an integer >= 1"),
    (count_conv, ((3, 3), (1, 1)), dict(dilation=1.0), TypeError, "dilation must be an integer"),
    (count_conv, ((3, 3), (1, 1)), dict(in_channels=0), ValueError,
     "in_channels must be an integer >= 1"),
    (count_conv, ((3, 3), (1, 1)), dict(out_channels="2"), TypeError,
     "out_channels must be an integer"),
    (count_locally_connected, ((2, 3), (5, 3)), dict(mode="same", padding="reflect"), ValueError,
     "padding='reflect'.*at most 1"),
    (count_weight_uses, ((3, 3), (2, 2)), dict(dilation=(1, 3)), ValueError,
     "kernel_shape must fit inside input_shape.*columns"),
    (count_stored_entries, ((3,), (2, 2)), {}, ValueError, "input_shape must be a tuple of 2"),
    (compare_layers, ((3, 3), (2, 2)), dict(mode=None), ValueError, "mode must be one of"),
])
def test_bad_input(func, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        func(*args, **kwargs)


def test_bad_convention():
    with pytest.raises(ValueError, match="convention must be one of 'mac', 'mul\\+add', "
                                         "'per-output'"):
        count_dense((2, 2), (1, 1)).flops("fma")
    assert CONVENTIONS == ("mac", "mul+add", "per-output")


# --------------------------------------------------------------------------- real layers: channels

def _multichannel_matrix(weights, shape):
    """The matrix of a valid multi-channel correlation, built column by column with scipy."""
    from scipy.signal import correlate2d

    c_out, c_in = weights.shape[:2]
    columns = []
    for c in range(c_in):
        for j in range(shape[0] * shape[1]):
            x = np.zeros(shape)
            x.flat[j] = 1.0
            columns.append(np.concatenate([correlate2d(x, weights[o, c], mode="valid").ravel()
                                           for o in range(c_out)]))
    return np.column_stack(columns)


@pytest.mark.parametrize("shape, kshape, c_in, c_out", [((5, 6), (3, 3), 2, 3),
                                                        ((4, 7), (2, 3), 3, 1)])
def test_channel_counts_read_off_the_real_matrix(shape, kshape, c_in, c_out):
    weights = np.random.default_rng(3).standard_normal((c_out, c_in) + kshape)
    matrix = _multichannel_matrix(weights, shape)
    layers = compare_layers(shape, kshape, in_channels=c_in, out_channels=c_out)
    dense, local, conv = (layers[k] for k in LAYER_KINDS)
    assert (dense.outputs, dense.inputs) == matrix.shape
    assert dense.parameters == dense.macs == matrix.size
    # valid mode: each non-zero entry is one weight use, one weight of a locally connected layer
    assert local.parameters == local.macs == np.count_nonzero(matrix)
    assert conv.macs == conv.stored_entries == np.count_nonzero(matrix)
    assert conv.parameters == np.unique(matrix[matrix != 0]).size == weights.size
    assert dense.biases == local.biases == matrix.shape[0]
    assert conv.biases == c_out


def test_vgg_style_layer_against_its_dense_twin():
    """224x224x3 -> 64 channels, 3x3, 'same': counted from the layer's arrays."""
    weights = np.empty((64, 3, 3, 3))
    c = compare_layers((224, 224), 3, mode="same", in_channels=3, out_channels=64)
    out = np.empty((64, 224, 224))                       # what a 'same' layer returns
    assert c["conv"].output_shape == out.shape[1:]
    assert c["conv"].parameters == weights.size
    assert c["conv"].biases == out.shape[0]
    assert c["conv"].macs == out.size * weights[0].size
    assert c["dense"].parameters == np.empty((224, 224, 3)).size * out.size
    assert c["dense"].macs / c["conv"].macs == pytest.approx((224 * 224 * 3) / (3 * 3 * 3))


def test_alexnet_first_layer_and_its_equivalents():
    from scipy.signal import correlate2d

    # stride 4 keeps every 4th position of the valid correlation: 55 x 55 on 227 x 227
    out_shape = correlate2d(np.zeros((227, 227)), np.zeros((11, 11)), mode="valid")[::4, ::4].shape
    c = compare_layers((227, 227), 11, stride=4, in_channels=3, out_channels=96)
    conv, local, dense = c["conv"], c["locally_connected"], c["dense"]
    assert conv.output_shape == out_shape
    kernels = np.empty((96, 11, 11, 3))
    assert conv.parameters == kernels.size and conv.biases == 96
    assert f"{conv.parameters:,} + {conv.biases}" == "34,848 + 96"     # the section's numbers
    assert local.parameters == kernels.size * out_shape[0] * out_shape[1]
    assert local.biases == 96 * out_shape[0] * out_shape[1]
    assert dense.parameters == (227 * 227 * 3) * (96 * out_shape[0] * out_shape[1])
    assert repr(conv).startswith("LayerCount(conv: 227x227x3 -> 55x55x96, 34,848 weights")


@pytest.mark.parametrize("c", [1, 4, 64])
def test_three_3x3_layers_against_one_7x7(c):
    from scipy.signal import correlate2d

    r = stack_versus_single(c)
    # the receptive field: the support of an impulse pushed through three 3x3 layers
    x = np.zeros((15, 15))
    x[7, 7] = 1.0
    for _ in range(3):
        x = correlate2d(x, np.ones((3, 3)), mode="same")
    rows = np.flatnonzero(x.any(axis=1))
    assert r["receptive_field"] == rows[-1] - rows[0] + 1
    assert r["stacked_weights"] == sum(np.empty((c, c, 3, 3)).size for _ in range(3))
    assert r["single_weights"] == np.empty((c, c, 7, 7)).size
    assert r["ratio"] == pytest.approx(49 / 27)


@pytest.mark.parametrize("shape, kshape", [((5, 6), (3, 3)), ((6, 4), (2, 2))])
def test_dense_to_conv_steps_remove_what_the_matrices_lose(shape, kshape):
    kernel = np.random.default_rng(5).standard_normal(kshape)
    dense = correlation_matrix(kernel, shape)
    start, locality, sharing = dense_to_conv_steps(shape, kshape)
    assert start.layer.parameters == dense.size and start.removed == 0
    # locality: the weights that vanish are the zeros of the conv's matrix
    assert locality.removed == dense.size - np.count_nonzero(dense)
    # sharing: of the non-zero entries, only the kernel's distinct values stay
    assert sharing.removed == np.count_nonzero(dense) - np.unique(dense[dense != 0]).size
    assert sharing.layer.parameters == kernel.size
    assert locality.factor * sharing.factor == pytest.approx(dense.size / kernel.size)
    assert "impose locality" in repr(locality)


def test_section_number_prints_a_summary():
    row = section_numbers()[1]
    assert repr(row) == f"SectionNumber({row.label} = {row.value:,}; section says {row.stated})"

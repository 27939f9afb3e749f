"""Tests for cnnmotiv.data: the photograph and the synthetic images."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st
from matplotlib import cbook
from PIL import Image

from cnnmotiv.budget import BudgetError
from cnnmotiv.data import (
    LUMA_WEIGHTS,
    MAX_SIDE,
    PHOTO_SHAPE,
    SMALL_PHOTO_SHAPE,
    checkerboard,
    impulse,
    photo,
    shape_masks,
    shapes,
    small_photo,
    step_edge,
)
from tests.limits import assert_refused

sides = st.integers(2, 40)


# --------------------------------------------------------------------------- photo
def _pil_reference(shape, box):
    """Pillow's own ITU-R 601-2 luma ('L' mode, rounded to uint8), same crop and filter."""
    with cbook.get_sample_data("grace_hopper.jpg") as fh, Image.open(fh) as im:
        gray = im.convert("L")
        assert gray.size == (512, 600)
        out = gray.resize((shape[1], shape[0]), resample=Image.Resampling.LANCZOS, box=box)
    return np.asarray(out, dtype=np.float64) / 255.0


def test_photo_default_shape_dtype_range():
    img = photo()
    assert PHOTO_SHAPE == (280, 320)
    assert img.shape == (280, 320)
    assert img.dtype == np.float64
    assert 0.0 <= img.min() and img.max() <= 1.0


def test_luma_weights_are_bt601():
    assert LUMA_WEIGHTS == (0.299, 0.587, 0.114)
    assert sum(LUMA_WEIGHTS) == pytest.approx(1.0)


def test_photo_matches_pillow_luma_of_centre_crop():
    # 7:8 aspect from 512 x 600: all 512 columns, 448 rows starting at (600 - 448) / 2 = 76.
    ref = _pil_reference((280, 320), (0, 76, 512, 524))
    img = photo()
    # Pillow rounds to 8 bits before resizing; we stay in float: tiny differences only.
    assert np.abs(img - ref).mean() < 2 / 255
    assert np.corrcoef(img.ravel(), ref.ravel())[0, 1] > 0.9999


@pytest.mark.parametrize("shape, box", [((280, 320), (0, 76, 512, 524)),
                                        ((64, 64), (0, 44, 512, 556)),
                                        ((100, 50), (106, 0, 406, 600))])
def test_photo_equals_an_explicit_centre_box_resize(shape, box):
    """ImageOps.fit crops the same centred box as the hand-computed one: equal to the last bit."""
    with cbook.get_sample_data("grace_hopper.jpg") as fh, Image.open(fh) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.float64) / 255.0
    gray = Image.fromarray((rgb @ np.array(LUMA_WEIGHTS)).astype(np.float32))
    ref = gray.resize((shape[1], shape[0]), resample=Image.Resampling.LANCZOS, box=box)
    np.testing.assert_array_equal(photo(shape), np.clip(np.asarray(ref, np.float64), 0, 1))


def test_small_photo_is_the_photo_at_64_by_64():
    assert SMALL_PHOTO_SHAPE == (64, 64)
    np.testing.assert_array_equal(small_photo(), photo((64, 64)))


def test_photo_at_crop_size_is_the_crop_itself():
    # At the crop's own size (448, 512) the resize is the identity: the centre rows 76:524.
    with cbook.get_sample_data("grace_hopper.jpg") as fh, Image.open(fh) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.float64) / 255.0
    gray = rgb @ np.array([0.299, 0.587, 0.114])
    np.testing.assert_allclose(photo((448, 512)), gray[76:524], atol=1e-6)


def test_photo_tall_aspect_crops_columns():
    # Taller than the source (2:1 vs 600:512): full height kept, width 300 centred at 106.
    img = photo((100, 50))
    ref = _pil_reference((100, 50), (106, 0, 406, 600))
    assert img.shape == (100, 50)
    assert np.abs(img - ref).mean() < 2 / 255


def test_photo_is_deterministic_and_returns_copies():
    a = photo()
    b = photo()
    np.testing.assert_array_equal(a, b)
    assert a is not b
    a[:] = 0.0                        # caller's copy is writable and independent
    np.testing.assert_array_equal(photo(), b)


def test_photo_is_not_constant_and_has_edges():
    img = photo()
    assert img.std() > 0.1
    # Horizontal/vertical differences comparable to a real edge occur in many places.
    gx = np.abs(np.diff(img, axis=1))
    gy = np.abs(np.diff(img, axis=0))
    assert (gx > 0.1).mean() > 0.01
    assert (gy > 0.1).mean() > 0.01
    # ...but a photo is mostly smooth: most neighbouring pixels are close.
    assert (gx < 0.05).mean() > 0.5


@pytest.mark.parametrize("shape", [(1, 1), (7, 8), (33, 17), (600, 512)])
def test_photo_other_shapes(shape):
    img = photo(shape)
    assert img.shape == shape
    assert 0.0 <= img.min() and img.max() <= 1.0


@pytest.mark.parametrize("shape, exc, match", [
    ((0, 5), ValueError, r"shape\[0\] must be an integer >= 1"),
    ((5,), ValueError, "shape must be a tuple of 2 integers"),
    ((5, 5, 5), ValueError, "shape must be a tuple of 2 integers"),
    ((2.5, 5), TypeError, r"shape\[0\] must be an integer"),
    ((10, MAX_SIDE + 1), ValueError, "at most 4096"),
    ("280x320", ValueError, "shape must be a tuple"),
])
def test_photo_bad_shape(shape, exc, match):
    with pytest.raises(exc, match=match):
        photo(shape)


# ----------------------------------------------------------------------- step edge
@given(h=sides, w=sides, data=st.data())
def test_step_edge_vertical_and_horizontal(h, w, data):
    pos = data.draw(st.integers(1, w - 1))
    img = step_edge((h, w), position=pos)
    expected = np.tile((np.arange(w) >= pos).astype(float), (h, 1))
    np.testing.assert_array_equal(img, expected)
    # Horizontal is the transpose of vertical on the transposed shape.
    pos = data.draw(st.integers(1, h - 1))
    np.testing.assert_array_equal(step_edge((h, w), orientation="horizontal", position=pos),
                                  step_edge((w, h), position=pos).T)


def test_step_edge_default_is_middle_and_has_one_edge():
    img = step_edge((10, 12))
    d = np.diff(img, axis=1)
    assert img.dtype == np.float64
    assert np.flatnonzero(d[0]).tolist() == [5]        # jump between columns 5 and 6 = W//2
    assert (d == 1).sum() == 10 and np.diff(img, axis=0).sum() == 0


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(orientation="diagonal"), ValueError, "orientation must be one of 'vertical', 'horizontal'"),
    (dict(position=0), ValueError, "position must be an integer >= 1"),
    (dict(position=8), ValueError, "position must be between 1 and 7"),
    (dict(position=2.0), TypeError, "position must be an integer"),
    (dict(shape=(1, 8)), ValueError, r"shape\[0\] must be an integer >= 2"),
])
def test_step_edge_bad_input(kwargs, exc, match):
    kwargs.setdefault("shape", (8, 8))
    with pytest.raises(exc, match=match):
        step_edge(**kwargs)


# -------------------------------------------------------------------------- shapes
def test_shapes_masks_disjoint_and_areas():
    h, w = 200, 600
    masks = shape_masks((h, w))
    assert sorted(masks) == ["disc", "square", "triangle"]
    total = sum(m.astype(int) for m in masks.values())
    assert total.max() == 1                               # no overlap
    side = 0.6 * min(h, w / 3)                            # 120 pixels
    assert masks["square"].sum() == pytest.approx(side ** 2, rel=0.03)
    assert masks["disc"].sum() == pytest.approx(np.pi * (side / 2) ** 2, rel=0.03)
    assert masks["triangle"].sum() == pytest.approx(side ** 2 / 2, rel=0.03)
    # Each figure sits in its own third of the width, in left-to-right order.
    for k, name in enumerate(["square", "disc", "triangle"]):
        cols = np.flatnonzero(masks[name].any(axis=0))
        assert k * w / 3 <= cols.min() and cols.max() < (k + 1) * w / 3
    np.testing.assert_array_equal(shapes((h, w)), total.astype(float))


def test_shapes_triangle_narrows_upwards_and_disc_is_symmetric():
    m = shape_masks((100, 300))
    widths = m["triangle"].sum(axis=1)
    rows = np.flatnonzero(widths)
    assert np.all(np.diff(widths[rows]) >= 0)              # apex at the top
    disc = m["disc"]
    np.testing.assert_array_equal(disc, disc[::-1, :])    # symmetric about its centre row
    cols = np.flatnonzero(disc.any(axis=0))
    np.testing.assert_array_equal(disc[:, cols], disc[:, cols][:, ::-1])


@given(h=st.integers(8, 60), w=st.integers(24, 90))
def test_shapes_always_three_nonempty(h, w):
    masks = shape_masks((h, w))
    assert all(m.shape == (h, w) and m.any() for m in masks.values())
    img = shapes((h, w))
    assert img.dtype == np.float64 and set(np.unique(img)) <= {0.0, 1.0}


@pytest.mark.parametrize("shape", [(7, 30), (20, 23)])
def test_shapes_too_small(shape):
    with pytest.raises(ValueError, match=r"shape must be at least \(8, 24\)"):
        shapes(shape)


# -------------------------------------------------------------------- checkerboard
@given(h=sides, w=sides, square=st.integers(1, 9))
def test_checkerboard_laws(h, w, square):
    img = checkerboard((h, w), square=square)
    assert img.shape == (h, w) and img.dtype == np.float64
    assert img[0, 0] == 0.0
    # Moving by one block along either axis flips the colour (np.roll oracle on a bigger board).
    big = checkerboard((h + square, w + square), square=square)
    np.testing.assert_array_equal(big[square:, :w], 1 - big[:h, :w])
    np.testing.assert_array_equal(big[:h, square:], 1 - big[:h, :w])
    # Within one block the value is constant.
    blocks = img[: (h // square) * square, : (w // square) * square]
    if blocks.size:
        b = blocks.reshape(h // square, square, w // square, square)
        assert np.all(b == b[:, :1, :, :1])


def test_checkerboard_balanced_when_blocks_fit():
    img = checkerboard((64, 64), square=8)
    assert img.mean() == 0.5


@pytest.mark.parametrize("square, exc, match", [
    (0, ValueError, "square must be an integer >= 1"),
    (-3, ValueError, "square must be an integer >= 1"),
    (2.0, TypeError, "square must be an integer"),
])
def test_checkerboard_bad_square(square, exc, match):
    with pytest.raises(exc, match=match):
        checkerboard((8, 8), square=square)


# ------------------------------------------------------------------------- impulse
@given(h=st.integers(1, 20), w=st.integers(1, 20), data=st.data())
def test_impulse_is_a_delta(h, w, data):
    r = data.draw(st.integers(0, h - 1))
    c = data.draw(st.integers(0, w - 1))
    img = impulse((h, w), (r, c))
    assert img.sum() == 1.0 and img[r, c] == 1.0
    # Correlating with a delta at (r, c) copies the flipped kernel there (scipy oracle).
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    out = scipy.signal.correlate2d(img, kernel, mode="full")
    expected = np.zeros((h + 2, w + 2))
    expected[r:r + 3, c:c + 3] = kernel[::-1, ::-1]
    np.testing.assert_array_equal(out, expected)


def test_impulse_default_centre():
    assert np.unravel_index(impulse((4, 7)).argmax(), (4, 7)) == (2, 3)


@pytest.mark.parametrize("index, exc, match", [
    ((3, 0), ValueError, r"index must lie inside the image, 0 <= row < 3"),
    ((0, 4), ValueError, r"0 <= col < 4"),
    ((-1, 0), ValueError, r"index\[0\] must be an integer >= 0"),
    ((1,), ValueError, "index must be a tuple of 2 integers"),
    ((1.0, 1), TypeError, r"index\[0\] must be an integer"),
])
def test_impulse_bad_index(index, exc, match):
    with pytest.raises(exc, match=match):
        impulse((3, 4), index)


# --------------------------------------------------------------------------- budgets

@pytest.mark.parametrize("call", [
    "checkerboard((40000, 40000))",
    "impulse((40000, 40000))",
    "step_edge((40000, 40000))",
    "shapes((40000, 40000))",
    "shape_masks((40000, 40000))",
])
def test_huge_images_are_refused_before_allocating(call):
    out = assert_refused(call, setup="from cnnmotiv.data import *")
    assert "40,000 x 40,000" in out and "use a smaller shape" in out


def test_budget_names_the_size_and_can_be_raised():
    with pytest.raises(BudgetError, match=r"a 100 x 100 checkerboard would need 160,000 bytes"):
        checkerboard((100, 100), max_bytes=100_000)
    assert checkerboard((100, 100), max_bytes=160_000).shape == (100, 100)
    with pytest.raises(BudgetError, match="impulse image would need 80,000 bytes"):
        impulse((100, 100), max_bytes=79_999)

"""Images to convolve: one real photograph and a few synthetic test patterns.

The photograph is the portrait of Grace Hopper that ships inside matplotlib
(``matplotlib.cbook.get_sample_data("grace_hopper.jpg")``, 512 wide x 600 high,
RGB), so nothing is downloaded at run time. It is turned into a grayscale
float image of any requested shape; the default ``(280, 320)`` (rows, cols)
is the image size used in the section's efficiency example.

Every function returns a fresh float64 array of shape ``(H, W)`` with values
in ``[0, 1]``.
"""

from __future__ import annotations

import functools

import numpy as np

from cnnmotiv.validation import check_choice, check_int, check_shape
from cnnmotiv.budget import check_bytes

__all__ = [
    "LUMA_WEIGHTS",
    "MAX_SIDE",
    "PHOTO_SHAPE",
    "SMALL_PHOTO_SHAPE",
    "checkerboard",
    "impulse",
    "photo",
    "small_photo",
    "shape_masks",
    "shapes",
    "step_edge",
]

#: Default photo shape ``(H, W)``: 280 rows by 320 columns.
PHOTO_SHAPE = (280, 320)

#: Shape ``(H, W)`` of the small photo the equivariance notebook and its exercises use.
SMALL_PHOTO_SHAPE = (64, 64)

#: ITU-R BT.601 luma weights for (R, G, B); they sum to 1.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)

#: Largest side accepted by :func:`photo` (larger images only interpolate).
MAX_SIDE = 4096

_SAMPLE = "grace_hopper.jpg"


def _check_image_shape(shape, name: str = "shape", *, minimum: int = 1) -> tuple[int, int]:
    return check_shape(shape, name, ndim=2, minimum=minimum)


def _check_budget(shape, what: str, bytes_per_pixel: int, max_bytes) -> None:
    """Refuse, before allocating, an image whose arrays would exceed ``max_bytes``."""
    h, w = shape
    check_bytes(h * w * bytes_per_pixel, what=f"a {h:,} x {w:,} {what}", parameter="shape",
                max_bytes=max_bytes)


@functools.lru_cache(maxsize=1)
def _source_gray() -> np.ndarray:
    """The sample photograph as a read-only float64 grayscale array in [0, 1]."""
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data(_SAMPLE, asfileobj=True) as fh, Image.open(fh) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.float64) / 255.0
    gray = rgb @ np.asarray(LUMA_WEIGHTS)
    gray.flags.writeable = False
    return gray


@functools.lru_cache(maxsize=8)
def _photo_cached(shape: tuple[int, int]) -> np.ndarray:
    from PIL import Image, ImageOps

    img = Image.fromarray(np.ascontiguousarray(_source_gray(), dtype=np.float32))  # mode "F"
    # The largest centred box with the requested aspect ratio, resized with Lanczos.
    resized = ImageOps.fit(img, (shape[1], shape[0]), method=Image.Resampling.LANCZOS)
    out = np.clip(np.asarray(resized, dtype=np.float64), 0.0, 1.0)
    out.flags.writeable = False
    return out


def photo(shape=PHOTO_SHAPE) -> np.ndarray:
    """A real grayscale photograph (Grace Hopper, from matplotlib's sample data).

    Parameters
    ----------
    shape : tuple of int, optional
        Output shape ``(H, W)``, each side between 1 and :data:`MAX_SIDE`.
        Default ``(280, 320)``.

    Returns
    -------
    numpy.ndarray
        Float64 array of shape ``(H, W)`` with values in ``[0, 1]`` (0 black,
        1 white). A fresh copy each call, so callers may modify it.

    Raises
    ------
    ValueError
        If ``shape`` is not a pair of positive integers or a side exceeds
        :data:`MAX_SIDE`.
    TypeError
        If a side is not an integer.

    Notes
    -----
    The 512 x 600 (width x height) RGB JPEG shipped with matplotlib is
    converted to luminance with the ITU-R BT.601 weights
    ``Y = 0.299 R + 0.587 G + 0.114 B`` (:data:`LUMA_WEIGHTS`) in floating
    point, centre-cropped to the largest box with the requested aspect ratio
    ``H : W`` (for ``(280, 320)``, i.e. 7 : 8, that is all 512 columns and rows
    76 to 523) and resized with Pillow's Lanczos filter, both by
    :func:`PIL.ImageOps.fit`; the few values the
    filter pushes outside ``[0, 1]`` are clipped. The result for each shape is
    cached, read-only, and copied on return. Nothing is downloaded.

    Examples
    --------
    >>> img = photo()
    >>> img.shape, img.dtype
    ((280, 320), dtype('float64'))
    >>> bool(0.0 <= img.min() < img.max() <= 1.0)
    True
    >>> photo((7, 8)).shape
    (7, 8)
    """
    shape = _check_image_shape(shape)
    if max(shape) > MAX_SIDE:
        raise ValueError(f"shape sides must be at most {MAX_SIDE}; got {shape}")
    return _photo_cached(shape).copy()


def small_photo(shape=SMALL_PHOTO_SHAPE) -> np.ndarray:
    """The photograph of :func:`photo` at the equivariance notebook's size, 64 x 64 by default.

    Parameters
    ----------
    shape : tuple of int, optional
        ``(H, W)``, as :func:`photo`; default :data:`SMALL_PHOTO_SHAPE`.

    Returns
    -------
    numpy.ndarray
        Float64 ``(H, W)`` in ``[0, 1]``, a fresh copy.

    Raises
    ------
    ValueError, TypeError
        As :func:`photo`.

    Examples
    --------
    >>> small_photo().shape
    (64, 64)
    >>> bool((small_photo() == photo((64, 64))).all())
    True
    """
    return photo(shape)


def step_edge(shape=(64, 64), *, orientation: str = "vertical", position=None,
              max_bytes: int | None = None) -> np.ndarray:
    """A step edge: 0 on one side of a straight line, 1 on the other.

    Parameters
    ----------
    shape : tuple of int, optional
        ``(H, W)``, each side at least 2.
    orientation : {"vertical", "horizontal"}, optional
        ``"vertical"``: the edge is a vertical line, columns ``>= position``
        are 1. ``"horizontal"``: rows ``>= position`` are 1.
    position : int, optional
        First column (or row) of the bright side, between 1 and ``W - 1``
        (or ``H - 1``) so both sides are non-empty. Default: the middle,
        ``W // 2`` (or ``H // 2``).
    max_bytes : int, optional
        Memory budget (default :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`),
        checked before anything is allocated.

    Returns
    -------
    numpy.ndarray
        Float64 ``(H, W)`` of zeros and ones.

    Raises
    ------
    ValueError
        Unknown ``orientation``, bad ``shape``, or ``position`` out of range.
    TypeError
        Non-integer ``position`` or side.
    cnnmotiv.budget.BudgetError
        If the image would need more than ``max_bytes``.

    Examples
    --------
    >>> step_edge((2, 4))
    array([[0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    >>> step_edge((3, 2), orientation="horizontal", position=1)
    array([[0., 0.],
           [1., 1.],
           [1., 1.]])
    """
    shape = _check_image_shape(shape, minimum=2)
    orientation = check_choice(orientation, "orientation", ("vertical", "horizontal"))
    axis = 1 if orientation == "vertical" else 0
    n = shape[axis]
    if position is None:
        position = n // 2
    position = check_int(position, "position", minimum=1)
    if position > n - 1:
        raise ValueError(f"position must be between 1 and {n - 1} so both sides are non-empty; "
                         f"got {position}")
    _check_budget(shape, "step edge", 8, max_bytes)
    coords = np.arange(n) >= position
    line = coords.astype(np.float64)
    out = np.zeros(shape)
    if axis == 1:
        out[:, :] = line[None, :]
    else:
        out[:, :] = line[:, None]
    return out


#: Peak bytes per pixel of :func:`shape_masks`: three bool masks and three float64 temporaries.
_MASK_BYTES_PER_PIXEL = 3 + 3 * 8


def shape_masks(shape=(64, 192), *, max_bytes: int | None = None) -> dict[str, np.ndarray]:
    """Boolean masks of a square, a disc and a triangle, side by side.

    The width is split into three equal cells (left: square, middle: disc,
    right: an upward-pointing triangle); each figure is centred in its cell
    and about 60 % of the cell's smaller side.

    Parameters
    ----------
    shape : tuple of int, optional
        ``(H, W)`` with ``H >= 8`` and ``W >= 24``.
    max_bytes : int, optional
        Memory budget (default :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`) for
        the masks and the float64 temporaries that draw them (about 27
        bytes per pixel), checked before anything is allocated.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{"square": mask, "disc": mask, "triangle": mask}``, each a bool
        ``(H, W)`` array; the masks do not overlap and none is empty.

    Raises
    ------
    ValueError
        If ``shape`` is too small to draw the figures.
    cnnmotiv.budget.BudgetError
        If drawing would need more than ``max_bytes``.

    Examples
    --------
    >>> m = shape_masks((8, 24))
    >>> sorted(m), int(m["square"].sum())
    (['disc', 'square', 'triangle'], 16)
    """
    h, w = _check_image_shape(shape)
    if h < 8 or w < 24:
        raise ValueError(f"shape must be at least (8, 24) to draw three shapes; got {(h, w)}")
    _check_budget((h, w), "set of shape masks", _MASK_BYTES_PER_PIXEL, max_bytes)
    cell = w / 3.0
    size = 0.6 * min(h, cell)            # side of the square, diameter of disc, triangle base
    rows = np.arange(h)[:, None] + 0.5   # pixel centres
    cols = np.arange(w)[None, :] + 0.5
    cy = h / 2.0
    half = size / 2.0
    masks = {}
    cx = cell / 2.0
    masks["square"] = (np.abs(rows - cy) <= half) & (np.abs(cols - cx) <= half)
    cx = 1.5 * cell
    masks["disc"] = (rows - cy) ** 2 + (cols - cx) ** 2 <= half ** 2
    cx = 2.5 * cell
    top, bottom = cy - half, cy + half
    # Apex at (top, cx); the half-width grows linearly to `half` at the base.
    frac = (rows - top) / (bottom - top)
    masks["triangle"] = (rows >= top) & (rows <= bottom) & (np.abs(cols - cx) <= half * frac)
    return masks


def shapes(shape=(64, 192), *, max_bytes: int | None = None) -> np.ndarray:
    """A square, a disc and a triangle (value 1) on a black background (value 0).

    Parameters
    ----------
    shape : tuple of int, optional
        ``(H, W)`` with ``H >= 8`` and ``W >= 24``. See :func:`shape_masks`
        for the layout.
    max_bytes : int, optional
        Memory budget (default :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`),
        checked before anything is allocated.

    Returns
    -------
    numpy.ndarray
        Float64 ``(H, W)`` of zeros and ones.

    Raises
    ------
    ValueError
        If ``shape`` is too small.
    cnnmotiv.budget.BudgetError
        If the image and its masks would need more than ``max_bytes``.

    Examples
    --------
    >>> img = shapes((8, 24))
    >>> img.shape, sorted(set(img.ravel().tolist()))
    ((8, 24), [0.0, 1.0])
    """
    h, w = _check_image_shape(shape)
    _check_budget((h, w), "shapes image", 8 + _MASK_BYTES_PER_PIXEL, max_bytes)
    masks = shape_masks((h, w), max_bytes=max_bytes)
    out = np.zeros((h, w))
    for m in masks.values():
        out[m] = 1.0
    return out


def checkerboard(shape=(64, 64), *, square: int = 8, max_bytes: int | None = None) -> np.ndarray:
    """A checkerboard of ``square x square`` blocks, 0 in the top-left block.

    Parameters
    ----------
    shape : tuple of int, optional
        ``(H, W)``; partial blocks at the bottom and right are kept.
    square : int, optional
        Side of each block in pixels, at least 1.
    max_bytes : int, optional
        Memory budget (default :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`) for
        the result and its integer temporary, checked before allocating.

    Returns
    -------
    numpy.ndarray
        Float64 ``(H, W)`` with ``out[i, j] = (i // square + j // square) % 2``.

    Raises
    ------
    ValueError
        Non-positive ``square`` or bad ``shape``.
    TypeError
        Non-integer ``square``.
    cnnmotiv.budget.BudgetError
        If the image would need more than ``max_bytes``.

    Examples
    --------
    >>> checkerboard((3, 4), square=1)
    array([[0., 1., 0., 1.],
           [1., 0., 1., 0.],
           [0., 1., 0., 1.]])
    """
    h, w = _check_image_shape(shape)
    square = check_int(square, "square", minimum=1)
    _check_budget((h, w), "checkerboard", 16, max_bytes)
    i = np.arange(h)[:, None] // square
    j = np.arange(w)[None, :] // square
    return ((i + j) % 2).astype(np.float64)


def impulse(shape=(15, 15), index=None, *, max_bytes: int | None = None) -> np.ndarray:
    """An image that is 0 everywhere except a single 1 (a discrete delta).

    Parameters
    ----------
    shape : tuple of int, optional
        ``(H, W)``.
    index : tuple of int, optional
        ``(row, col)`` of the 1, with ``0 <= row < H`` and ``0 <= col < W``
        (negative indices are refused). Default: the centre ``(H // 2, W // 2)``.
    max_bytes : int, optional
        Memory budget (default :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`),
        checked before anything is allocated.

    Returns
    -------
    numpy.ndarray
        Float64 ``(H, W)``.

    Raises
    ------
    ValueError
        If ``index`` is not a pair or lies outside the image.
    TypeError
        Non-integer entries.
    cnnmotiv.budget.BudgetError
        If the image would need more than ``max_bytes``.

    Examples
    --------
    >>> impulse((3, 3))
    array([[0., 0., 0.],
           [0., 1., 0.],
           [0., 0., 0.]])
    >>> float(impulse((2, 3), (1, 2))[1, 2])
    1.0
    """
    h, w = _check_image_shape(shape)
    if index is None:
        index = (h // 2, w // 2)
    r, c = check_shape(index, "index", ndim=2, minimum=0)
    if r >= h or c >= w:
        raise ValueError(f"index must lie inside the image, 0 <= row < {h} and 0 <= col < {w}; "
                         f"got {(r, c)}")
    _check_budget((h, w), "impulse image", 8, max_bytes)
    out = np.zeros((h, w))
    out[r, c] = 1.0
    return out

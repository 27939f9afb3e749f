"""FigureApp redraws in place, and blitting gives the same pixels as a full redraw."""

import io

import ipywidgets as widgets
import numpy as np
from PIL import Image

from matplotlib.figure import Figure

from cnnmotiv.widgets.figure_app import FigureApp


def _app(dynamic: bool):
    # No layout engine: a blitting app keeps the layout of its first draw, while a
    # constrained-layout figure redrawn in full may move its axes by a sub-pixel.
    fig = Figure((4, 3), dpi=60)
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(-1, 1)
    (line,) = ax.plot([], [], color="k")
    label = ax.set_title("")

    def update(freq, zoom):
        x = np.linspace(0, 10, 200)
        line.set_data(x, np.sin(freq * x))
        label.set_text(f"freq = {freq}")
        ax.set_xlim(0, 10 / zoom)
        return {"freq": freq, "peak": float(np.abs(np.sin(freq * x)).max())}

    controls = {"freq": widgets.IntSlider(value=1, min=1, max=5),
                "zoom": widgets.IntSlider(value=1, min=1, max=3)}
    return FigureApp(fig, update, controls, dynamic=[line, label] if dynamic else ())


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def test_moving_a_control_runs_update_and_changes_the_image():
    app = _app(dynamic=True)
    first = app.png
    app.controls["freq"].value = 3
    assert app.result["freq"] == 3
    assert app.png != first and app.image.value == app.png
    app.controls["freq"].value = 1
    assert app.png == first


def _assert_same_picture(a: bytes, b: bytes):
    # Blitted artists are drawn above the static ones (here: the line above the
    # spine it crosses), so a handful of anti-aliased pixels may differ by a level.
    diff = np.abs(_pixels(a).astype(int) - _pixels(b).astype(int))
    assert diff.max() <= 2
    assert np.count_nonzero(diff) < 1e-3 * diff.size


def test_blitting_and_full_redraw_give_the_same_picture():
    blit, full = _app(dynamic=True), _app(dynamic=False)
    _assert_same_picture(blit.png, full.png)
    for name, value in [("freq", 4), ("zoom", 2), ("freq", 2), ("zoom", 1)]:
        blit.controls[name].value = value
        full.controls[name].value = value
        _assert_same_picture(blit.png, full.png)
        assert blit.result == full.result


def test_controls_get_a_css_class_for_browser_tests():
    app = _app(dynamic=False)
    assert "cnnmotiv-control-freq" in app.controls["freq"]._dom_classes
    assert "cnnmotiv-figure" in app.image._dom_classes


def test_render_png_decodes_to_the_canvas_pixels():
    # Pillow's decoder (not ours) is the oracle for the hand-written PNG encoder.
    from cnnmotiv.widgets.figure_app import render_png

    app = _app(dynamic=False)
    app.controls["freq"].value = 3
    rgba = np.asarray(app._canvas.buffer_rgba())
    decoded = Image.open(io.BytesIO(render_png(app._canvas)))
    assert decoded.mode == "RGB" and decoded.size == app._canvas.get_width_height()
    np.testing.assert_array_equal(np.asarray(decoded), rgba[..., :3])
    assert app.png == render_png(app._canvas)


def test_the_caption_is_sent_after_the_image():
    fig = Figure((2, 2), dpi=40)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    caption = widgets.HTML()
    sent = []
    image_send = widgets.Image._send

    def update(slope):
        line.set_ydata([0, slope])
        caption.value = f"slope {slope}"
        return slope

    app = FigureApp(fig, update, {"slope": widgets.IntSlider(value=1, min=1, max=3)},
                    caption=caption)
    app.image._send = lambda msg, buffers=None: (sent.append("image"),
                                                 image_send(app.image, msg, buffers))
    caption._send = lambda msg, buffers=None: sent.append(("caption", msg["state"]))
    app.controls["slope"].value = 2
    assert sent == ["image", ("caption", {"value": "slope 2"})]
    assert caption.value == "slope 2" and app.result == 2

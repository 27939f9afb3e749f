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


def test_render_png_is_pillow_at_compress_level_1():
    # The hand-written encoder it replaced was checked equal, pixel for pixel, before the
    # swap; Pillow's decoder of the same bytes is the oracle here.
    from cnnmotiv.widgets.figure_app import render_png

    app = _app(dynamic=True)
    buf = io.BytesIO()
    rgba = np.asarray(app._canvas.buffer_rgba())
    Image.fromarray(rgba[..., :3].copy()).save(buf, format="png", compress_level=1)
    np.testing.assert_array_equal(_pixels(buf.getvalue()), _pixels(render_png(app._canvas)))


def _failing_app():
    fig = Figure((2, 2), dpi=40)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])

    def update(slope, name):
        if slope == 3:
            raise ValueError("slope 3 has no line")
        line.set_ydata([0, slope])
        return {"slope": slope, "name": name}

    controls = {"slope": widgets.IntSlider(value=1, min=1, max=3),
                "name": widgets.Dropdown(options=["a", "b"], value="a")}
    return FigureApp(fig, update, controls, caption=lambda r: f"slope {r['slope']}",
                     alt="a line")


def test_the_caption_shows_what_update_returned():
    app = _failing_app()
    app.controls["slope"].value = 2
    assert app.caption.value.endswith("slope 2") and app.result["slope"] == 2
    assert app.alt == "a line slope 2"
    # the text alternative is in the caption, hidden from sight, not on the Image
    # (ipywidgets' Image view fails to render with a tooltip)
    assert "cnnmotiv-alt" in app.caption.value and "Figure: a line." in app.caption.value
    assert not app.image.tooltip


def test_a_setting_without_result_is_shown_in_the_caption_and_undone():
    app = _failing_app()
    app.controls["slope"].value = 2
    good = app.png
    app.controls["slope"].value = 3            # update raises: nothing escapes
    assert "slope 3 has no line" in app.caption.value and "slope:" in app.error
    assert app.controls["slope"].value == 2 and app.result["slope"] == 2
    assert app.png == good and app.image.value == good
    app.controls["slope"].value = 1            # the next good move clears the message
    assert app.error is None and "no line" not in app.caption.value


def test_a_control_set_to_none_is_refused():
    app = _failing_app()
    app.controls["name"].value = None
    assert app.controls["name"].value == "a" and app.result["name"] == "a"
    assert "None" in app.error


def test_initial_values_without_result_raise():
    import pytest

    fig = Figure((2, 2), dpi=40)

    def update(slope):
        raise ValueError("never")

    with pytest.raises(ValueError, match="never"):
        FigureApp(fig, update, {"slope": widgets.IntSlider(value=1)})

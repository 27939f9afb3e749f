"""Every slider app is readable at the size shown and says what it shows (issue 9)."""

import pytest

from cnnmotiv.widgets import builders
from cnnmotiv.widgets.figure_app import MIN_TEXT_PX, text_pixel_sizes

BUILDERS = builders()


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def app(request):
    return BUILDERS[request.param]()


def test_no_text_smaller_than_nine_pixels(app):
    # MIN_TEXT_PX is FigureApp's own floor; the check recomputes points * dpi / 72.
    assert MIN_TEXT_PX >= 9
    small = sorted({(round(px, 1), text) for px, text in text_pixel_sizes(app.figure)
                    if px < MIN_TEXT_PX - 1e-9})
    assert not small, f"text below {MIN_TEXT_PX} px: {small[:8]}"


def test_every_app_has_a_text_alternative(app):
    assert len(app.alt) > 40 and "cnnmotiv-alt" in app.caption.value and not app.image.tooltip
    assert app.caption.value or "shows" in app.alt or len(app.alt) > 80


def test_text_pixel_sizes_follow_the_dpi():
    from matplotlib.figure import Figure

    fig = Figure(dpi=144)
    fig.text(0, 0, "hi", fontsize=6)
    assert text_pixel_sizes(fig) == [(12.0, "hi")]

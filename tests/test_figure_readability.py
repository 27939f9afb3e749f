"""Every notebook figure is readable at the size the notebook shows it (issue 9)."""

import matplotlib
import pytest

from cnnmotiv.cli import all_figures
from cnnmotiv.widgets.figure_app import MIN_TEXT_PX, text_pixel_sizes

FIGURES = all_figures()


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_no_text_smaller_than_nine_pixels_at_the_inline_size(name):
    fig = FIGURES[name]()
    # The inline backend shows a figure at its own dpi (rcParams' default, 100: a 9.6 inch wide
    # figure is stored about 950 pixels wide) and JupyterLab draws the PNG at that size.
    assert fig.dpi == matplotlib.rcParamsDefault["figure.dpi"]
    small = sorted({(round(px, 1), text) for px, text in text_pixel_sizes(fig)
                    if px < MIN_TEXT_PX - 1e-9})
    assert not small, f"{name}: text below {MIN_TEXT_PX} px: {small[:8]}"

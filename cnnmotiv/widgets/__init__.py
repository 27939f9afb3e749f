"""Slider apps for the notebooks, one module per part of the section.

Every builder returns a :class:`~cnnmotiv.widgets.figure_app.FigureApp` without
displaying it: a test can set ``app.controls["name"].value`` and read
``app.result`` (what the last update computed) and ``app.png`` (the image the
page shows), with no browser.
"""

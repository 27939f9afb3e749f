"""Slider apps for the notebooks, one module per part of the section.

Each app is a drawing object (its figure, built once, and an ``update(...)``
method that changes its artists and returns the numbers it drew, computed by
the core modules), the controls that drive it, and a caption function; the
shared mechanics (layout, PNG rendering, captions, alt text, refused
settings) live in :class:`~cnnmotiv.widgets.figure_app.FigureApp`.

Every builder returns a ``FigureApp`` without displaying it: a test can set
``app.controls["name"].value`` and read ``app.result`` (what the last update
computed), ``app.error`` (why the last setting was refused, if it was) and
``app.png`` (the image the page shows), with no browser.
"""

__all__ = ["builders"]


def builders() -> dict:
    """Every slider-app builder of the notebooks, by name (for tests and benchmarks)."""
    from cnnmotiv.widgets import connectivity, efficiency, equivariance, receptive_fields, sharing

    return {
        "connectivity_app": connectivity.connectivity_app,
        "sharing_app": sharing.sharing_app,
        "parameter_growth_app": sharing.parameter_growth_app,
        "receptive_field_app": receptive_fields.receptive_field_app,
        "erf_app": receptive_fields.erf_app,
        "edge_detection_app": efficiency.edge_detection_app,
        "cost_app": efficiency.cost_app,
        "equivariance_app": equivariance.equivariance_app,
        "pooling_app": equivariance.pooling_app,
    }

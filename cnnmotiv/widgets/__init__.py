"""Slider apps for the notebooks, one module per part of the section.

Every builder returns a :class:`~cnnmotiv.widgets.figure_app.FigureApp` without
displaying it: a test can set ``app.controls["name"].value`` and read
``app.result`` (what the last update computed) and ``app.png`` (the image the
page shows), with no browser.
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

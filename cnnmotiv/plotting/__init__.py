"""Figures of the section, one module per part, in Matplotlib's object-oriented style.

Every ``plot_*`` function takes ``*, ax=None`` (or ``fig=None``), draws on the
given Axes (or a new Figure, never pyplot's current one) and returns it. No
module changes global rcParams.
"""

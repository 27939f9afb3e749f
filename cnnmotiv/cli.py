"""Command line: ``python -m cnnmotiv figures --out DIR``.

Writes every figure of the notebooks, with its default parameters, as PNG and
SVG files named ``<notebook number>-<figure>.png`` / ``.svg``, for slides and
for the README.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib.figure import Figure

__all__ = ["FIGURE_MODULES", "all_figures", "write_figures", "main"]

#: The plotting modules, in the notebooks' reading order; each exposes ``FIGURES``.
FIGURE_MODULES = (
    "cnnmotiv.plotting.connectivity",
    "cnnmotiv.plotting.receptive_fields",
    "cnnmotiv.plotting.sharing",
    "cnnmotiv.plotting.efficiency",
    "cnnmotiv.plotting.equivariance",
)

FORMATS = ("png", "svg")


def all_figures() -> dict[str, Callable[[], Figure]]:
    """Every figure builder of the package, by file stem, in reading order."""
    builders: dict[str, Callable[[], Figure]] = {}
    for name in FIGURE_MODULES:
        module = importlib.import_module(name)
        for stem, build in module.FIGURES.items():
            if stem in builders:
                raise RuntimeError(f"figure name {stem!r} is used twice (second in {name})")
            builders[stem] = build
    return builders


def write_figures(out: Path, *, formats: Sequence[str] = FORMATS, only: Sequence[str] = (),
                  dpi: float = 150) -> list[Path]:
    """Build the figures and write them to ``out``; return the files written.

    Raises
    ------
    ValueError
        If a name in ``only`` or a format is unknown.
    """
    builders = all_figures()
    unknown = sorted(set(only) - set(builders))
    if unknown:
        raise ValueError(f"only: unknown figure name(s) {unknown}; allowed: {sorted(builders)}")
    bad_formats = sorted(set(formats) - set(FORMATS))
    if bad_formats:
        raise ValueError(f"formats: unknown {bad_formats}; allowed: {list(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, build in builders.items():
        if only and stem not in only:
            continue
        fig = build()
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            fig.savefig(path, format=fmt, dpi=dpi, metadata=_metadata(fmt))
            written.append(path)
    return written


def _metadata(fmt: str) -> dict:
    # No creation dates, so that rewriting a figure gives the same file.
    return {"Date": None} if fmt == "svg" else {}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnnmotiv",
                                     description="cnnmotiv: companion to section 9.2")
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="write every notebook figure as PNG and SVG")
    fig.add_argument("--out", type=Path, help="folder to write into (required unless --list)")
    fig.add_argument("--format", dest="formats", action="append", choices=FORMATS,
                     help="file format (repeatable; default: png and svg)")
    fig.add_argument("--only", action="append", default=[], metavar="NAME",
                     help="write only this figure (repeatable)")
    fig.add_argument("--dpi", type=float, default=150, help="resolution of PNG files (default 150)")
    fig.add_argument("--list", action="store_true", help="list the figure names and stop")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(all_figures()))
        return 0
    if args.out is None:
        parser.error("figures: --out DIR is required")
    try:
        written = write_figures(args.out, formats=args.formats or FORMATS, only=args.only,
                                dpi=args.dpi)
    except ValueError as exc:
        parser.error(str(exc))
    for path in written:
        print(path)
    return 0

"""Command line: ``python -m cnnmotiv figures --out DIR``.

Writes every figure of the notebooks, with its default parameters, as PNG and
SVG files named ``<notebook number>-<figure>.png`` / ``.svg``, for slides and
for the README.

Bad arguments end the program with one line on stderr naming the option
(``--out``, ``--dpi``, ``--only``) and a non-zero exit status, never a
traceback: status 2 for a value that is not allowed, 1 when the output folder
cannot be used (a file, not creatable, not writable). Figures are all built
and checked against the pixel budget first, then written under temporary
names in the output folder and renamed into place (:func:`os.replace`) only
when every file has been written, so a failure leaves the folder as it was:
no half-written figure set.
"""

from __future__ import annotations

import argparse
import importlib
import math
import numbers
import os
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from cnnmotiv.budget import check_bytes, format_bytes

__all__ = ["FIGURE_MODULES", "FORMATS", "MAX_FIGURE_BYTES", "all_figures", "write_figures",
           "main"]

#: The plotting modules, in the notebooks' reading order; each exposes ``FIGURES``.
FIGURE_MODULES = (
    "cnnmotiv.plotting.connectivity",
    "cnnmotiv.plotting.receptive_fields",
    "cnnmotiv.plotting.sharing",
    "cnnmotiv.plotting.efficiency",
    "cnnmotiv.plotting.equivariance",
)

FORMATS = ("png", "svg")

#: Default pixel budget of one figure: its RGBA canvas (4 bytes a pixel) at most 256 MiB,
#: e.g. a 10 x 5 inch figure up to about dpi 1,150.
MAX_FIGURE_BYTES = 256 * 1024**2

#: How :func:`write_figures` names its arguments in messages.
_PYTHON_NAMES = {"out": "out", "dpi": "dpi", "only": "only", "formats": "formats",
                 "max_bytes": "max_bytes"}
#: How the command line names them (it has no max_bytes option).
_CLI_NAMES = {"out": "--out", "dpi": "--dpi", "only": "--only", "formats": "--format",
              "max_bytes": None}


class OutputError(OSError):
    """The output folder cannot be created or written (the message names the option)."""


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


def write_figures(out, *, formats: Sequence[str] = FORMATS, only: Sequence[str] = (),
                  dpi: float = 150, max_bytes: int | None = MAX_FIGURE_BYTES) -> list[Path]:
    """Build the figures and write them to ``out``; return the files written.

    Parameters
    ----------
    out : str or path-like
        Folder to write into; created (with its parents) if missing.
    formats : sequence of {'png', 'svg'}, optional
    only : sequence of str, optional
        Figure names (file stems) to write; default: all.
    dpi : float, optional
        Resolution, a finite number > 0.
    max_bytes : int, optional
        Pixel budget of one figure: its RGBA canvas, ``4 * width * height``
        bytes at ``dpi``; default :data:`MAX_FIGURE_BYTES`.

    Returns
    -------
    list of Path

    Raises
    ------
    TypeError
        If ``dpi`` is not a real number.
    ValueError
        If a name in ``only`` or a format is unknown, or ``dpi`` is not a
        finite number > 0.
    cnnmotiv.budget.BudgetError
        If a figure at ``dpi`` would be larger than the pixel budget (before
        anything is written).
    OSError
        If ``out`` exists and is not a folder, cannot be created, or cannot
        be written; no file of the set is left behind (existing files of the
        same name are kept as they were).
    """
    return _write_figures(out, formats, only, dpi, max_bytes, _PYTHON_NAMES)


def _check_dpi(dpi, name: str) -> float:
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real):
        raise TypeError(f"{name} must be a number; got {dpi!r}")
    dpi = float(dpi)
    if not math.isfinite(dpi) or dpi <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {dpi:g}")
    return dpi


def _check_out(out, name: str) -> Path:
    """``out`` as a Path that is a folder or does not exist yet (nothing is created here)."""
    try:
        path = Path(out)
    except TypeError as exc:
        raise TypeError(f"{name} must be a path; got {out!r}") from exc
    try:
        if path.exists() and not path.is_dir():
            raise OutputError(f"{name}: {str(path)!r} exists and is not a folder; give a "
                              "folder to write the figures into")
        for parent in path.parents:  # a missing folder must be creatable: no file in the way
            if parent.exists():
                if not parent.is_dir():
                    raise OutputError(f"{name}: cannot create {str(path)!r}: {str(parent)!r} "
                                      "is a file, not a folder")
                break
    except (ValueError, OSError) as exc:  # embedded NUL, name too long, no permission ...
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"{name}: cannot use {str(path)!r}: {exc}") from exc
    return path


def _pixels(fig: Figure, dpi: float) -> tuple[int, int]:
    w_in, h_in = fig.get_size_inches()
    return math.ceil(w_in * dpi), math.ceil(h_in * dpi)


def _write_figures(out, formats, only, dpi, max_bytes, names: Mapping[str, str]) -> list[Path]:
    # 1. Arguments, before any work.
    dpi = _check_dpi(dpi, names["dpi"])
    builders = all_figures()
    unknown = sorted(set(only) - set(builders))
    if unknown:
        raise ValueError(f"{names['only']}: unknown figure name(s) {unknown}; allowed: "
                         f"{sorted(builders)}")
    bad_formats = sorted(set(formats) - set(FORMATS))
    if bad_formats:
        raise ValueError(f"{names['formats']}: unknown {bad_formats}; allowed: {list(FORMATS)}")
    out = _check_out(out, names["out"])

    # 2. Build every figure and check its pixel budget before rendering anything.
    figures = {}
    for stem, build in builders.items():
        if only and stem not in only:
            continue
        fig = build()
        width, height = _pixels(fig, dpi)
        advice = f"use a smaller {names['dpi']}" + (
            f", or pass a larger {names['max_bytes']}" if names["max_bytes"] else "")
        what = (f"figure {stem!r} at {names['dpi']} {dpi:g} ({width:,} x {height:,} pixels, "
                "RGBA)")
        check_bytes(4 * width * height, what=what, parameter=names["dpi"], max_bytes=max_bytes,
                    advice=advice)
        figures[stem] = fig

    # 3. Write under temporary names, then rename the whole set into place.
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{names['out']}: cannot create folder {str(out)!r}: "
                          f"{exc.strerror or exc}") from exc
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    pending: list[tuple[Path, Path]] = []
    try:
        for stem, fig in figures.items():
            for fmt in formats:
                final = out / f"{stem}.{fmt}"
                temp = out / f".{stem}.{fmt}.{tag}.tmp"
                pending.append((temp, final))
                fig.savefig(temp, format=fmt, dpi=dpi, metadata=_metadata(fmt))
        for temp, final in pending:
            os.replace(temp, final)
    except OSError as exc:
        raise OutputError(f"{names['out']}: cannot write figures into {str(out)!r}: "
                          f"{exc.strerror or exc}") from exc
    finally:
        for temp, _ in pending:
            temp.unlink(missing_ok=True)  # only temporaries left by a failure
    return [final for _, final in pending]


def _metadata(fmt: str) -> dict:
    # No creation dates, so that rewriting a figure gives the same file.
    return {"Date": None} if fmt == "svg" else {}


class _OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``prog: error: message``."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors exit (SystemExit) with one line on stderr.

    Exit status 0 on success, 2 for a refused argument (including a figure
    over the pixel budget), 1 when the output folder cannot be used.
    """
    parser = _OneLineParser(prog="python -m cnnmotiv",
                            description="cnnmotiv: companion to section 9.2")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    fig = sub.add_parser("figures", help="write every notebook figure as PNG and SVG")
    fig.add_argument("--out", type=Path, help="folder to write into (required unless --list)")
    fig.add_argument("--format", dest="formats", action="append", choices=FORMATS,
                     help="file format (repeatable; default: png and svg)")
    fig.add_argument("--only", action="append", default=[], metavar="NAME",
                     help="write only this figure (repeatable)")
    fig.add_argument("--dpi", type=float, default=150,
                     help="resolution of PNG files (default 150; each figure's canvas at most "
                          f"{format_bytes(MAX_FIGURE_BYTES)})")
    fig.add_argument("--list", action="store_true", help="list the figure names and stop")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(all_figures()))
        return 0
    if args.out is None:
        fig.error("--out DIR is required")
    try:
        written = _write_figures(args.out, args.formats or FORMATS, args.only, args.dpi,
                                 MAX_FIGURE_BYTES, _CLI_NAMES)
    except OutputError as exc:
        fig.exit(1, f"{fig.prog}: error: {exc}\n")
    except (ValueError, TypeError) as exc:  # includes BudgetError
        fig.error(str(exc))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m cnnmotiv` goes through __main__
    sys.exit(main())

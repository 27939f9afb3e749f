"""python -m cnnmotiv figures writes every notebook figure."""

import subprocess
import sys

import pytest

from cnnmotiv.cli import all_figures, main, write_figures

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_every_figure_is_written_as_png(tmp_path):
    names = list(all_figures())
    written = write_figures(tmp_path, formats=("png",), dpi=30)
    assert [p.stem for p in written] == names
    for path in written:
        assert path.read_bytes().startswith(PNG_MAGIC)
    # Each notebook contributes at least one figure, in reading order.
    assert sorted({n[0] for n in names}) == ["1", "2", "3", "4"]
    assert [n[0] for n in names] == sorted(n[0] for n in names)


def test_module_entry_point_writes_png_and_svg(tmp_path):
    name = next(iter(all_figures()))
    out = subprocess.run([sys.executable, "-m", "cnnmotiv", "figures", "--out", str(tmp_path),
                          "--only", name], check=True, capture_output=True, text=True).stdout
    assert out.split() == [str(tmp_path / f"{name}.png"), str(tmp_path / f"{name}.svg")]
    assert (tmp_path / f"{name}.svg").read_text().lstrip().startswith("<?xml")


def test_list_prints_the_names(capsys):
    assert main(["figures", "--list"]) == 0
    assert capsys.readouterr().out.split() == list(all_figures())


@pytest.mark.parametrize("argv, message", [
    (["figures", "--out", "x", "--only", "no-such-figure"], "unknown figure name"),
    (["figures"], "--out DIR is required"),
])
def test_bad_arguments_are_refused(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_write_figures_validates_formats(tmp_path):
    with pytest.raises(ValueError, match="formats: unknown"):
        write_figures(tmp_path, formats=("gif",))

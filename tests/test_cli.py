"""python -m cnnmotiv figures writes every notebook figure, and refuses bad options in one line."""

import os
import subprocess
import sys

import pytest
from matplotlib.figure import Figure

from cnnmotiv.budget import BudgetError
from cnnmotiv.cli import MAX_FIGURE_BYTES, all_figures, main, write_figures

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TWO = ["1-connectivity-from-above", "4-pooling"]


def test_every_figure_is_written_as_png(tmp_path):
    names = list(all_figures())
    written = write_figures(tmp_path, formats=("png",), dpi=30)
    assert [p.stem for p in written] == names
    for path in written:
        assert path.read_bytes().startswith(PNG_MAGIC)
    # Each notebook contributes at least one figure, in reading order.
    assert sorted({n[0] for n in names}) == ["1", "2", "3", "4"]
    assert [n[0] for n in names] == sorted(n[0] for n in names)
    # nothing but the figures: no temporary files left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.png" for n in names)


def test_module_entry_point_writes_png_and_svg(tmp_path):
    name = next(iter(all_figures()))
    out = subprocess.run([sys.executable, "-m", "cnnmotiv", "figures", "--out", str(tmp_path),
                          "--only", name], check=True, capture_output=True, text=True).stdout
    assert out.split() == [str(tmp_path / f"{name}.png"), str(tmp_path / f"{name}.svg")]
    assert (tmp_path / f"{name}.svg").read_text().lstrip().startswith("<?xml")


def test_list_prints_the_names(capsys):
    assert main(["figures", "--list"]) == 0
    assert capsys.readouterr().out.split() == list(all_figures())


def _refused(argv, capsys):
    """Run main, expect an exit; return (status, the one stderr line)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, err      # one line
    assert "Traceback" not in err
    assert err.startswith("python -m cnnmotiv figures: error: ")
    return exc.value.code, err


@pytest.mark.parametrize("argv, message", [
    (["figures", "--out", "x", "--only", "no-such-figure"], "--only: unknown figure name"),
    (["figures"], "--out DIR is required"),
    (["figures", "--out", "x", "--dpi", "abc"], "argument --dpi: invalid float value"),
])
def test_bad_arguments_are_refused(argv, message, capsys):
    code, err = _refused(argv, capsys)
    assert code == 2 and message in err


@pytest.mark.parametrize("dpi", ["0", "-5", "nan", "inf", "-inf", "1e400"])
def test_dpi_that_is_not_a_finite_positive_number_is_refused(dpi, tmp_path, capsys):
    out = tmp_path / "figs"
    code, err = _refused(["figures", "--out", str(out), f"--dpi={dpi}"], capsys)
    assert code == 2 and "--dpi must be a finite number > 0" in err
    assert not out.exists()   # refused before anything is created


@pytest.mark.parametrize("dpi", ["1e9", "20000"])
def test_absurd_dpi_is_refused_by_the_pixel_budget(dpi, tmp_path, capsys):
    out = tmp_path / "figs"
    code, err = _refused(["figures", "--out", str(out), "--dpi", dpi], capsys)
    assert code == 2
    assert "at --dpi" in err and "pixels" in err and "use a smaller --dpi" in err
    assert f"{MAX_FIGURE_BYTES:,} bytes" in err and "max_bytes" not in err.split(";")[-1]
    assert not out.exists()


def test_out_that_is_a_file_is_refused_and_left_alone(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    code, err = _refused(["figures", "--out", str(target), "--only", TWO[0]], capsys)
    assert code == 1 and "--out:" in err and "exists and is not a folder" in err
    assert target.read_text() == "keep me"
    code, err = _refused(["figures", "--out", str(target / "sub"), "--only", TWO[0]], capsys)
    assert code == 1 and "is a file, not a folder" in err


def _unwritable_folder(tmp_path):
    """A folder this process cannot write into, or None (root ignores mode bits)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return folder
    (folder / "probe").unlink()
    for candidate in ("/sys", "/proc/sys"):  # read-only for root in most containers
        try:
            open(os.path.join(candidate, ".cnnmotiv-probe"), "w").close()
        except OSError:
            return candidate
    return None


def test_unwritable_out_is_refused_in_one_line(tmp_path, capsys):
    folder = _unwritable_folder(tmp_path)
    if folder is None:
        pytest.skip("no folder this process cannot write into")
    code, err = _refused(["figures", "--out", str(folder), "--only", TWO[0]], capsys)
    assert code == 1 and f"--out: cannot write figures into {str(folder)!r}" in err


def test_a_failure_midway_leaves_no_half_written_set(tmp_path, monkeypatch):
    old = tmp_path / f"{TWO[0]}.png"
    old.write_bytes(b"the previous figure")
    real_savefig = Figure.savefig
    calls = []

    def failing_savefig(self, fname, *args, **kwargs):
        calls.append(fname)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_savefig(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", failing_savefig)
    with pytest.raises(OSError, match="out: cannot write figures into .*No space left"):
        write_figures(tmp_path, only=TWO, dpi=20)
    assert len(calls) == 3
    # the two files written before the failure went to temporary names, now removed;
    # the folder is exactly as it was
    assert [p.name for p in tmp_path.iterdir()] == [old.name]
    assert old.read_bytes() == b"the previous figure"


def test_a_failure_that_is_not_an_os_error_also_cleans_up(tmp_path, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_figures(tmp_path, only=TWO, dpi=20)
    assert list(tmp_path.iterdir()) == []


def test_rewriting_replaces_the_files_in_place(tmp_path):
    first = write_figures(tmp_path, only=TWO, formats=("png",), dpi=20)
    before = [p.read_bytes() for p in first]
    (tmp_path / f"{TWO[0]}.png").write_bytes(b"stale")
    second = write_figures(tmp_path, only=TWO, formats=("png",), dpi=20)
    assert first == second and [p.read_bytes() for p in second] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.png" for n in TWO)


def test_write_figures_validates_its_arguments_naming_them(tmp_path):
    with pytest.raises(ValueError, match="formats: unknown"):
        write_figures(tmp_path, formats=("gif",))
    with pytest.raises(ValueError, match="only: unknown figure name"):
        write_figures(tmp_path, only=("nope",))
    with pytest.raises(TypeError, match="dpi must be a number"):
        write_figures(tmp_path, dpi="150")
    with pytest.raises(ValueError, match="dpi must be a finite number > 0; got nan"):
        write_figures(tmp_path, dpi=float("nan"))
    with pytest.raises(BudgetError, match="use a smaller dpi, or pass a larger max_bytes") as exc:
        write_figures(tmp_path, only=TWO[:1], dpi=100, max_bytes=1000)
    assert exc.value.parameter == "dpi"
    # 6 x 4.2 inches at 100 dpi, 4 bytes a pixel
    assert exc.value.nbytes == 600 * 420 * 4
    assert list(tmp_path.iterdir()) == []


def test_entry_point_prints_one_line_and_no_traceback(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("")
    run = subprocess.run([sys.executable, "-m", "cnnmotiv", "figures", "--out", str(target)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "--out:" in run.stderr

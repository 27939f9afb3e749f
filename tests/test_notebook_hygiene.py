"""The stored notebooks are clean: executed in order, no errors, portable, importing the package."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
EXPECTED = ["1-sparse-interactions.ipynb", "2-parameter-sharing.ipynb",
            "3-computational-efficiency.ipynb", "4-translation-equivariance.ipynb",
            "5-what-the-properties-buy.ipynb"]


def test_one_notebook_per_part_in_reading_order():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return json.loads(request.param.read_text())


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_kernel_is_python3(notebook):
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_executed_top_to_bottom_in_one_fresh_kernel(notebook):
    counts = [c["execution_count"] for c in _code_cells(notebook) if "".join(c["source"]).strip()]
    assert counts == list(range(1, len(counts) + 1))


def test_no_error_outputs(notebook):
    for cell in _code_cells(notebook):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", "".join(cell["source"])[:80]
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"
                        and "Traceback" in "".join(out["text"]))


def test_no_absolute_paths_of_this_machine(notebook):
    assert not re.search(r"/(tmp|root|home|Users|work)/[A-Za-z]", json.dumps(notebook))


def test_imports_the_package_cleanly(notebook):
    source = "\n".join("".join(c["source"]) for c in _code_cells(notebook))
    assert re.search(r"^from cnnmotiv[.\w]* import", source, re.M)
    assert "import *" not in source
    assert "sys.path" not in source


def test_checks_are_asserts_and_every_widget_cell_is_ignored_by_nbval(notebook):
    cells = _code_cells(notebook)
    assert any("assert " in "".join(c["source"]) for c in cells)
    for cell in cells:
        widget = any("application/vnd.jupyter.widget-view+json" in out.get("data", {})
                     for out in cell.get("outputs", []))
        if widget:
            assert "".join(cell["source"]).startswith("# NBVAL_IGNORE_OUTPUT")


def test_exercise_solutions_are_folded_and_show_nothing(notebook):
    solutions = [c for c in _code_cells(notebook)
                 if "".join(c["source"]).lstrip().startswith("# Solution")]
    assert solutions, "every notebook has worked solutions"
    for cell in solutions:
        source = "".join(cell["source"])
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, source[:60]
        assert cell["outputs"] == [], source[:60]
        assert re.search(r"^assert check\(", source.strip().splitlines()[-1]), source[-80:]


def test_notebooks_define_nothing_and_import_nothing_private(notebook):
    source = "\n".join("".join(c["source"]) for c in _code_cells(notebook))
    assert not re.search(r"^\s*(def|class) ", source, re.M)
    assert not re.search(r"cnnmotiv(\.\w+)*\._\w", source)
    assert not re.search(r"^from cnnmotiv[.\w]* import .*\b_\w", source, re.M)


def _has_figure(cell) -> bool:
    return any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def test_every_figure_is_followed_by_its_caption(notebook):
    # JupyterLab draws an image output without an alt attribute, so the caption right under
    # the figure is its text alternative: a sentence or two saying what the figure shows.
    cells = notebook["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or not _has_figure(cell):
            continue
        following = cells[i + 1] if i + 1 < len(cells) else None
        assert following is not None and following["cell_type"] == "markdown", \
            "".join(cell["source"])[:80]
        text = "".join(following["source"]).strip()
        caption = re.match(r"\*Figure: (.+?)\*(\s|$)", text, re.S)   # the italic first sentence(s)
        assert caption, text[:80]
        caption = caption.group(1)
        assert len(caption.split()) >= 12, caption


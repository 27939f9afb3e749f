"""Time to run every notebook top to bottom in a fresh kernel (goal: all together < 60 s).

Each notebook in ``notebooks/`` (or ``$CNNMOTIV_E2E_NOTEBOOKS``) is executed in
memory with nbclient in a new ``python3`` kernel, the way
``jupyter nbconvert --execute`` does; nothing is written back. Two times are
shown: the whole run including kernel start-up, and the cells alone (sum of
each cell's execution time from the kernel's replies).
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

GOAL_TOTAL_S = 60.0
GOAL_EACH_S = 15.0
#: Notebooks with a budget of their own: the learning notebook trains 24 models (issue 8: 30 s).
GOAL_OWN_S = {"5-what-the-properties-buy.ipynb": 30.0}
REPO = Path(__file__).resolve().parents[1]


def notebooks_dir() -> Path:
    return Path(os.environ.get("CNNMOTIV_E2E_NOTEBOOKS") or REPO / "notebooks")


def _cell_seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return (end - start).total_seconds()


def time_notebook(path: Path) -> tuple[float, float, str]:
    """(wall seconds incl. kernel start, seconds inside cells, error or '')."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = ""
    try:
        client.execute()
    except CellExecutionError as err:
        error = str(err).strip().splitlines()[-1][:80]
    wall = time.perf_counter() - start
    cells = sum(_cell_seconds(c) for c in nb.cells if c.cell_type == "code")
    return wall, cells, error


def run() -> str:
    paths = sorted(notebooks_dir().glob("*.ipynb"))
    own = ", ".join(f"{name} < {s:.0f} s" for name, s in GOAL_OWN_S.items())
    lines = [f"Notebook execution (fresh kernel each; goals: each < {GOAL_EACH_S:.0f} s "
             f"({own}), all < {GOAL_TOTAL_S:.0f} s)",
             f"{'notebook':<36} {'wall s':>8} {'cells s':>8}  {'goal s':>6}  result"]
    if not paths:
        return "\n".join(lines + [f"(no notebooks in {notebooks_dir()})"])
    total = 0.0
    failed = False
    for path in paths:
        wall, cells, error = time_notebook(path)
        total += wall
        goal = GOAL_OWN_S.get(path.name, GOAL_EACH_S)
        verdict = "ERROR " + error if error else ("PASS" if wall < goal else "MISS")
        failed |= bool(error)
        lines.append(f"{path.name:<36} {wall:8.2f} {cells:8.2f}  {goal:6.0f}  {verdict}")
    verdict = "ERROR" if failed else ("PASS" if total < GOAL_TOTAL_S else "MISS")
    lines.append(f"{'all notebooks':<36} {total:8.2f} {'':>8}  {GOAL_TOTAL_S:6.0f}  {verdict}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())

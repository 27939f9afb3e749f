"""Slider latency: key press to new figure pixels in the page, and the callback in the kernel.

Goals, for every control of every slider app (``FigureApp``) in the notebooks:
median <= 100 ms in the page, <= 50 ms in the kernel.

Page: JupyterLab and headless Chromium are started as in the end-to-end tests
(``tests/e2e/harness.py``); each notebook is run, then every control is moved
one step at a time (arrow keys on a slider's handle; another option of a
dropdown or toggle and back). A capture-phase listener stamps the key press
(``performance.now()``) and the figure's ``<img>`` ``load`` event stamps the
moment the new PNG is decoded; the difference is the latency. The next move
waits until the figure has settled.

Kernel: each notebook is executed with nbclient in a fresh kernel, then, in the
same kernel, every control of every ``FigureApp`` is set from Python
(``control.value = ...``: alternate single steps, then a sweep across its
range) and the wall time of the assignment (observer -> ``update`` -> PNG ->
image widget) is recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE_GOAL_MS = 100.0
KERNEL_GOAL_MS = 50.0
PAGE_MOVES = 10  # moves per control in the page
KERNEL_STEPS = 10  # alternate single steps per control in the kernel
KERNEL_SWEEP = 10  # values spread over the range per control in the kernel

KERNEL_CODE = r'''
import json as _json, time as _time
import ipywidgets as _w
from cnnmotiv.widgets.figure_app import FigureApp as _FigureApp
try:
    from ipywidgets.widgets.widget import _instances as _inst
except ImportError:
    _inst = _w.Widget.widgets
_apps = [v for v in list(_inst.values()) if isinstance(v, _FigureApp)]

def _candidates(c, steps, sweep):
    """Values to set one after another: +/- one step, then a sweep."""
    if hasattr(c, "options") and hasattr(c, "index") and not isinstance(c.index, tuple):
        n = len(c.options); i0 = c.index
        if n < 2: return "index", []
        j = i0 + 1 if i0 + 1 < n else i0 - 1
        alt = [j if k % 2 == 0 else i0 for k in range(steps)]
        return "index", alt + list(range(n))[:sweep] + [i0]
    v0 = c.value
    if isinstance(v0, bool):
        return "value", [not v0 if k % 2 == 0 else v0 for k in range(steps)]
    if hasattr(c, "min") and hasattr(c, "max") and hasattr(c, "step") and c.step:
        lo, hi, st = c.min, c.max, c.step
        log = hasattr(c, "base")
        conv = (lambda e: c.base ** e) if log else (lambda x: x)
        if isinstance(v0, tuple):
            a, b = v0
            up = a + st if a + st <= b else a - st
            alt = [(up, b) if k % 2 == 0 else (a, b) for k in range(steps)]
            return "value", alt + [(a, b)]
        import math
        x0 = math.log(v0, c.base) if log else v0
        up = x0 + st if x0 + st <= hi + 1e-12 else x0 - st
        alt = [conv(up) if k % 2 == 0 else v0 for k in range(steps)]
        nvals = int(round((hi - lo) / st)) + 1
        picks = sorted({int(round(k * (nvals - 1) / max(sweep - 1, 1))) for k in range(sweep)})
        kind = type(v0)
        sw = [conv(kind(lo + p * st)) if not log else conv(lo + p * st) for p in picks]
        return "value", alt + sw + [v0]
    return "value", []

_report = []
for _i, _app in enumerate(_apps):
    _row = {"app": _i, "names": [n.replace("_", "-") for n in _app.controls], "controls": {}}
    for _name, _c in _app.controls.items():
        _attr, _values = _candidates(_c, __STEPS__, __SWEEP__)
        _times, _cbs, _cpu = [], [], []
        for _v in _values:
            _before = getattr(_c, _attr)
            if _before == _v:
                continue
            _t, _p = _time.perf_counter(), _time.process_time()
            setattr(_c, _attr, _v)
            _times.append(_time.perf_counter() - _t)
            _cpu.append(_time.process_time() - _p)
            _cbs.append(_app.callback_seconds)
        _row["controls"][_name.replace("_", "-")] = {"kind": type(_c).__name__, "wall": _times, "callback": _cbs,
                                                    "cpu": _cpu}
    _report.append(_row)
print("BENCH-JSON " + _json.dumps(_report))
'''


def notebooks_dir() -> Path:
    return Path(os.environ.get("CNNMOTIV_E2E_NOTEBOOKS") or REPO / "notebooks")


def _harness():
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
    try:
        import harness
    finally:
        sys.path.pop(0)
    return harness


# ------------------------------------------------------------------------------ kernel

def kernel_times(path: Path) -> list[dict]:
    """Run the notebook in a fresh kernel, then time every control there."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    code = KERNEL_CODE.replace("__STEPS__", str(KERNEL_STEPS)).replace(
        "__SWEEP__", str(KERNEL_SWEEP))
    nb.cells.append(nbformat.v4.new_code_cell(code))
    NotebookClient(nb, kernel_name="python3", timeout=900,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for out in nb.cells[-1].outputs:
        for line in out.get("text", "").splitlines():
            if line.startswith("BENCH-JSON "):
                return json.loads(line[len("BENCH-JSON "):])
    raise RuntimeError(f"{path.name}: the timing cell printed nothing")


# -------------------------------------------------------------------------------- page

JS_INSTALL = """() => {
  if (window.__bench) return;
  window.__bench = {t0: null, loads: [], captions: []};
  const stamp = () => { if (window.__bench.t0 === null) window.__bench.t0 = performance.now(); };
  for (const ev of ['keydown', 'mousedown', 'change'])
    document.addEventListener(ev, stamp, true);
  document.addEventListener('load', (e) => {
    if (e.target.tagName === 'IMG' && e.target.closest('.cnnmotiv-figure, img.cnnmotiv-figure'))
      window.__bench.loads.push(performance.now());
  }, true);
  // A move that leaves the PNG identical (same bytes: no new image is sent) may still
  // change the caption: count that as the new output too.
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (el && el.closest('.cnnmotiv-app') && !el.closest('[class*="cnnmotiv-control-"]')) {
        window.__bench.captions.push(performance.now());
        return;
      }
    }
  }).observe(document.body, {childList: true, characterData: true, subtree: true});
}"""
JS_RESET = "() => { const b = window.__bench; b.t0 = null; b.loads = []; b.captions = []; }"
# Key press to the first new figure image; only when no new image comes (identical PNG),
# to the first caption change.
JS_LATENCY = """(final) => { const b = window.__bench;
  if (b.t0 === null) return null;
  const img = b.loads.filter(t => t >= b.t0), cap = b.captions.filter(t => t >= b.t0);
  if (img.length) return img[0] - b.t0;
  return (final && cap.length) ? cap[0] - b.t0 : null; }"""


def _page_moves(driver, app, control, kind: str):
    """Callables (forward, back) making one move of the control and undoing it."""
    page = driver.page
    if kind in ("slider", "range"):
        handle = control.locator(".noUi-handle").first
        state = driver.handle_state(handle)
        key, back = ("ArrowRight", "ArrowLeft") if state["now"] < state["max"] else \
            ("ArrowLeft", "ArrowRight")
        handle.focus()
        return (lambda: page.keyboard.press(key)), (lambda: page.keyboard.press(back))
    if kind == "dropdown":
        select = control.locator("select").first
        first = select.input_value()
        other = [v for v in select.locator("option").evaluate_all(
            "(os) => os.map(o => o.value)") if v != first][0]
        return (lambda: select.select_option(other)), (lambda: select.select_option(first))
    if kind == "toggles":
        buttons = control.locator("button")
        active = [i for i in range(buttons.count())
                  if "mod-active" in (buttons.nth(i).get_attribute("class") or "")][0]
        other = 1 if active == 0 else 0
        return (lambda: buttons.nth(other).click()), (lambda: buttons.nth(active).click())
    if kind in ("toggle", "checkbox"):
        target = control.locator("input[type=checkbox], button").first
        return (lambda: target.click()), (lambda: target.click())
    return None


def page_times(driver, moves: int = PAGE_MOVES) -> list[dict]:
    """Per app: control names and the key-to-pixels latencies (seconds) of each control."""
    page = driver.page
    page.evaluate(JS_INSTALL)
    report = []
    for index, app in enumerate(driver.wait_for_apps()):
        app.scroll_into_view_if_needed()
        row = {"app": index, "names": [], "controls": {}}
        for name, control in driver.controls(app):
            row["names"].append(name)
            kind = driver.kind(control)
            pair = _page_moves(driver, app, control, kind)
            times = []
            if pair is not None:
                driver.settle(app)
                for k in range(moves):
                    page.evaluate(JS_RESET)
                    (pair[0] if k % 2 == 0 else pair[1])()
                    try:
                        page.wait_for_function(
                            f"() => window.__bench.loads.length + window.__bench.captions.length"
                            " > 0", timeout=30_000, polling="raf")
                        driver.settle(app, quiet=0.15)
                        times.append(page.evaluate(JS_LATENCY, True) / 1000)
                    except Exception:  # no new output within 30 s: count it as 30 s
                        times.append(30.0)
                        driver.settle(app, quiet=0.15)
                if moves % 2:
                    pair[1]()
                    driver.settle(app)
            row["controls"][name] = {"kind": kind, "page": times}
        report.append(row)
    return report


def all_page_times(names: list[str]) -> dict[str, list[dict]]:
    harness = _harness()
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="cnnmotiv-bench-"))
    root = harness.copy_notebooks(notebooks_dir(), base / "notebooks")
    server = harness.JupyterServer(root_dir=root, base=base)
    results = {}
    try:
        server.start()
        with sync_playwright() as pw:
            context = harness.launch_browser(pw, base / "profile")
            try:
                for name in names:
                    page = context.new_page()
                    driver = harness.NotebookDriver(page, server, name)
                    driver.open()
                    state = driver.restart_and_run_all()
                    problems = driver.error_report(state)
                    if problems:
                        raise RuntimeError(f"{name}: " + "; ".join(problems))
                    results[name] = page_times(driver)
                    page.close()
            finally:
                context.close()
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    return results


# ------------------------------------------------------------------------------- table

def _match(page_apps: list[dict], kernel_apps: list[dict]) -> list[tuple[dict | None, dict]]:
    """Pair each page app with the kernel app having the same control names, in order."""
    unused = list(kernel_apps)
    pairs = []
    for papp in page_apps:
        found = next((k for k in unused if k["names"] == papp["names"]), None)
        if found is not None:
            unused.remove(found)
        pairs.append((papp, found))
    # Apps built in the kernel but never shown in the page still get kernel times.
    pairs += [(None, k) for k in unused]
    return pairs


def _ms(values: list[float], how) -> str:
    return f"{how(values) * 1000:8.1f}" if values else f"{'-':>8}"


def run(*, page: bool = True) -> str:
    paths = sorted(notebooks_dir().glob("*.ipynb"))
    header = (f"Slider latency (goals: page median <= {PAGE_GOAL_MS:.0f} ms, kernel median <= "
              f"{KERNEL_GOAL_MS:.0f} ms; page = key press to decoded PNG or new caption, "
              f"{PAGE_MOVES} moves; "
              f"kernel = control.value assignment, {KERNEL_STEPS} steps + "
              f"{KERNEL_SWEEP}-value sweep)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    header += (f"\nmachine: {os.cpu_count()} CPUs, load average {load:.1f} at start; "
               "'kern cpu' = kernel CPU time per move (median), less sensitive to other load")
    cols = (f"{'notebook':<34} {'control':<22} {'page med':>8} {'page max':>8} "
            f"{'kern med':>8} {'kern max':>8} {'kern cpu':>8}  result")
    if not paths:
        return "\n".join([header, cols, f"(no notebooks in {notebooks_dir()})"])
    names = [p.name for p in paths]
    kernel = {p.name: kernel_times(p) for p in paths}
    pages = all_page_times(names) if page else {n: [] for n in names}
    lines = [header, cols]
    misses = 0
    for name in names:
        pairs = _match(pages[name], kernel[name])
        several = len(pairs) > 1
        for papp, kapp in pairs:
            app = papp or kapp
            for control in app["names"]:
                ptimes = papp["controls"][control]["page"] if papp else []
                ktimes = kapp["controls"][control]["wall"] if kapp else []
                label = (f"{control} (app {app['app'] + 1})" if several else control)[:22]
                kernel_ok = bool(ktimes) and statistics.median(ktimes) * 1000 <= KERNEL_GOAL_MS
                page_ok = bool(ptimes) and statistics.median(ptimes) * 1000 <= PAGE_GOAL_MS
                if page and papp is None:
                    ok = kernel_ok
                    verdict = ("PASS" if ok else "MISS") + " (kernel only: app not shown)"
                else:
                    ok = kernel_ok and (page_ok or not page)
                    verdict = "PASS" if ok else "MISS"
                misses += not ok
                kcpu = kapp["controls"][control]["cpu"] if kapp else []
                lines.append(f"{name[:34]:<34} {label:<22} {_ms(ptimes, statistics.median)} "
                             f"{_ms(ptimes, max)} {_ms(ktimes, statistics.median)} "
                             f"{_ms(ktimes, max)} {_ms(kcpu, statistics.median)}  {verdict}")
    lines.append(f"{misses} control(s) miss a goal" if misses else "every control meets both goals")
    if load > (os.cpu_count() or 1):
        lines.append(f"note: the machine was busy (load {load:.1f} > {os.cpu_count()} CPUs); "
                     "wall-clock latencies are inflated")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(page="--kernel-only" not in sys.argv))

"""Start JupyterLab and headless Chromium, and drive notebooks' slider apps.

Shared by the end-to-end tests (``tests/e2e``) and the latency benchmark
(``benchmarks/bench_sliders.py``). Nothing here touches the repository's own
notebooks: the server's root directory is a temporary copy.

The server listens on 127.0.0.1 only, on a free port, with a random token, and
keeps its configuration, runtime and user data in temporary directories
(installed kernelspecs and lab extensions under ``sys.prefix`` stay visible).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
CHROMIUM = Path(os.environ.get("CNNMOTIV_CHROMIUM", "/usr/bin/chromium"))
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INSTALL_HINT = "install it with: apt-get install -y chromium"

# JupyterLab user settings for a quiet, fully rendered test session.
LAB_SETTINGS = {
    # Keep every cell in the DOM, so off-screen cells can be inspected.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No "fetch news?" toast over the notebook; no update checks.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
}


def notebook_names(directory: Path | None = None) -> list[str]:
    """The notebooks to test: ``*.ipynb`` in `directory`, sorted by name.

    `directory` defaults to ``$CNNMOTIV_E2E_NOTEBOOKS`` or the repository's
    ``notebooks/``.
    """
    directory = Path(directory or os.environ.get("CNNMOTIV_E2E_NOTEBOOKS") or NOTEBOOKS)
    return sorted(p.name for p in directory.glob("*.ipynb"))


def notebooks_dir() -> Path:
    """Where the notebooks under test live (see :func:`notebook_names`)."""
    return Path(os.environ.get("CNNMOTIV_E2E_NOTEBOOKS") or NOTEBOOKS)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(base: Path) -> dict:
    """Environment with temporary Jupyter config, runtime and user-data dirs."""
    env = dict(os.environ)
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython")]:
        path = base / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    # Never let an outer setting hide sys.prefix's kernelspecs and lab extensions.
    for var in ("JUPYTER_PATH", "JUPYTER_TOKEN", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(var, None)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    settings = base / "config" / "lab" / "user-settings"
    for name, values in LAB_SETTINGS.items():
        target = settings / (name + ".jupyterlab-settings")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    return env


def http(url: str, *, token: str | None = None, method: str = "GET",
         follow: bool = False, timeout: float = 10) -> tuple[int, dict, bytes]:
    """``(status, headers, body)`` of one request; never raises on HTTP errors.

    Redirects are not followed unless `follow`.
    """
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    handlers = [] if follow else [NoRedirect()]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, method=method,
                                     data=b"" if method == "POST" else None)
    if token is not None:
        request.add_header("Authorization", f"token {token}")
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@dataclass
class JupyterServer:
    """A JupyterLab server started for one test session.

    Parameters
    ----------
    root_dir : Path
        The notebooks it serves (give it a temporary copy).
    base : Path
        Scratch directory for Jupyter's config, runtime and data dirs and the log.
    argv : list of str, optional
        Command to run instead of ``python -m jupyter lab`` with the test options
        (used to start ``make lab``); the server then makes its own token, read
        back from the runtime directory.
    """

    root_dir: Path
    base: Path
    argv: list[str] | None = None
    cwd: Path | None = None
    extra_env: dict = field(default_factory=dict)
    port: int = 0
    token: str = field(default="", repr=False)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    info: dict = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> "JupyterServer":
        env = jupyter_env(self.base)
        env.update(self.extra_env)
        self.port = self.port or free_port()
        if self.argv is None:
            self.token = secrets.token_hex(24)
            env["JUPYTER_TOKEN"] = self.token  # not on the command line: `ps` shows that
            argv = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
                    "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                    "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root_dir}",
                    "--LabApp.expose_app_in_browser=True",
                    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        else:
            argv = list(self.argv)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Root (CI, containers) needs this; it changes no network setting.
            (self.base / "config" / "jupyter_server_config.json").write_text(
                json.dumps({"ServerApp": {"allow_root": True}}))
        self.log_path = self.base / "server.log"
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.cwd,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        runtime = self.base / "runtime"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n"
                                   + self.log())
            if not self.info:
                for path in runtime.glob("jpserver-*.json"):
                    try:
                        info = json.loads(path.read_text())
                    except (OSError, ValueError):
                        continue
                    if info.get("pid") in self._pids():
                        self.info = info
                        self.token = self.token or info["token"]
                        self.port = int(info["port"])
            if self.info:
                try:
                    status, _, _ = http(f"{self.url}/api/status", token=self.token, timeout=2)
                except OSError:
                    status = None
                if status == 200:
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n" + self.log())

    def _pids(self) -> set[int]:
        import psutil

        try:
            parent = psutil.Process(self.proc.pid)
            return {parent.pid} | {c.pid for c in parent.children(recursive=True)}
        except psutil.NoSuchProcess:
            return set()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except (OSError, AttributeError):
            return ""

    def server_pid(self) -> int:
        """Pid of the process that listens (the ``make`` child for ``make lab``)."""
        return int(self.info.get("pid", self.proc.pid))

    def stop(self) -> None:
        """Shut the server and its kernels down; kill whatever is left."""
        import psutil

        if self.proc is None:
            return
        try:
            family = [psutil.Process(self.proc.pid)]
            family += family[0].children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        if self.proc.poll() is None and self.token:
            try:
                http(f"{self.url}/api/shutdown", token=self.token, method="POST", timeout=5)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        gone, alive = psutil.wait_procs([p for p in family if p.is_running()], timeout=5)
        for p in alive:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc = None


def copy_notebooks(source: Path, target: Path) -> Path:
    """Copy ``*.ipynb`` (and nothing else) from `source` into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.ipynb"):
        shutil.copy2(path, target / path.name)
    return target


def launch_browser(playwright, user_data_dir: Path, *, headless: bool = True):
    """A persistent Chromium context on a fresh profile directory."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=str(CHROMIUM), args=BROWSER_ARGS,
        headless=headless, viewport={"width": 1400, "height": 1000},
        accept_downloads=False)


# --------------------------------------------------------------------------- page driving

RUN_ALL_MENU = re.compile(r"^Restart Kernel and Run All Cells")

# JavaScript run in the page. `jupyterapp` is exposed by --LabApp.expose_app_in_browser.
JS_NOTEBOOK_STATE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext) return null;
  const cells = [];
  for (const cell of w.content.widgets) {
    const m = cell.model;
    if (m.type !== 'code') continue;
    const outs = [];
    for (let i = 0; i < m.outputs.length; i++) {
      const o = m.outputs.get(i).toJSON();
      outs.push({type: o.output_type, name: o.name || null,
                 text: o.output_type === 'error' ? (o.ename + ': ' + o.evalue)
                       : (o.output_type === 'stream' ? String(o.text).slice(0, 2000) : null)});
    }
    cells.push({source: m.sharedModel.getSource(), count: m.executionCount,
                prompt: (cell.node.querySelector('.jp-InputPrompt') || {}).textContent || '',
                outputs: outs});
  }
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return {path: w.context.path, status: k ? k.status : 'none',
          display: w.sessionContext.kernelDisplayStatus, cells};
}"""

JS_IMAGE_DIGEST = """async (img) => {
  if (!img.src) return null;
  if (!img.complete) { try { await img.decode(); } catch (e) { return null; } }
  if (!img.naturalWidth) return null;
  let buf;
  try { buf = await (await fetch(img.src)).arrayBuffer(); } catch (e) { return null; }
  const d = await crypto.subtle.digest('SHA-256', buf);
  return Array.from(new Uint8Array(d)).map(b => b.toString(16).padStart(2, '0')).join('')
         + ':' + img.naturalWidth + 'x' + img.naturalHeight;
}"""


@dataclass(frozen=True)
class View:
    """What a slider app shows: the figure (SHA-256 of the PNG and its pixel size)
    and the caption's text. Equal views look the same."""

    figure: str
    caption: str

    def __repr__(self) -> str:
        return f"View({self.figure[:12]}..{self.figure[-8:]}, caption {len(self.caption)} chars)"


class NotebookDriver:
    """Drive one notebook in a JupyterLab page.

    Parameters
    ----------
    page : playwright.sync_api.Page
    server : JupyterServer
    name : str
        Notebook file name under the server's root directory.
    """

    def __init__(self, page, server: JupyterServer, name: str):
        self.page = page
        self.server = server
        self.name = name

    # -- opening and running
    def open(self, timeout: float = 90) -> None:
        url = f"{self.server.url}/lab/tree/{self.name}?reset&token={self.server.token}"
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        self.page.wait_for_function(
            """(name) => { const s = (%s)(); return s && s.path === name
                 && s.status === 'idle'; }""" % JS_NOTEBOOK_STATE,
            arg=self.name, timeout=timeout * 1000, polling=250)

    def state(self) -> dict:
        return self.page.evaluate(JS_NOTEBOOK_STATE)

    def click_menu(self, menu: str, item) -> None:
        """Click top-bar `menu`, then its entry whose label matches `item`."""
        self.page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=menu).first.click()
        entry = self.page.locator(".lm-Menu .lm-Menu-item").filter(
            has=self.page.locator(".lm-Menu-itemLabel", has_text=item))
        entry.first.click()

    def restart_and_run_all(self, timeout: float = 180) -> dict:
        """Clear outputs, then Kernel > Restart Kernel and Run All Cells; wait for the end.

        Returns the notebook state (see ``JS_NOTEBOOK_STATE``) once the kernel is
        idle and every non-empty code cell has run, or a cell has failed.
        """
        # Clearing the stored outputs also clears the stored execution counts,
        # so "every cell has a count" below can only come from this run.
        self.click_menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            "() => (%s)().cells.every(c => c.count === null)" % JS_NOTEBOOK_STATE,
            timeout=10_000)
        self.click_menu("Kernel", RUN_ALL_MENU)
        dialog = self.page.locator(".jp-Dialog")
        dialog.wait_for(state="visible", timeout=10_000)
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        dialog.wait_for(state="detached", timeout=10_000)
        self.page.wait_for_function(
            """() => { const s = (%s)();
              if (!s || s.status !== 'idle') return false;
              if (s.cells.some(c => c.prompt.includes('*'))) return false;
              const failed = s.cells.some(c => c.outputs.some(o => o.type === 'error'));
              return failed || s.cells.every(c => !c.source.trim() || c.count !== null); }"""
            % JS_NOTEBOOK_STATE, timeout=timeout * 1000, polling=250)
        return self.state()

    def error_report(self, state: dict) -> list[str]:
        """Error outputs, tracebacks on stderr, and cells that did not run, as messages."""
        problems = []
        ran = [c for c in state["cells"] if c["source"].strip()]
        for i, cell in enumerate(ran, 1):
            head = cell["source"].strip().splitlines()[0][:60]
            for out in cell["outputs"]:
                if out["type"] == "error":
                    problems.append(f"code cell {i} ({head!r}) raised {out['text']}")
                elif out["type"] == "stream" and out["name"] == "stderr" and re.search(
                        r"Traceback|Error|Warning", out["text"] or ""):
                    problems.append(f"code cell {i} ({head!r}) wrote to stderr: "
                                    f"{out['text'][:300]}")
            if cell["count"] is None:
                problems.append(f"code cell {i} ({head!r}) did not run")
        counts = [c["count"] for c in ran if c["count"] is not None]
        if counts != list(range(1, len(counts) + 1)):
            problems.append(f"execution counts not 1..n in order: {counts}")
        # What the page shows, independently of the model.
        for text in self.page.locator(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        ).all_inner_texts():
            if "Traceback" in text or "Error" in text:
                problems.append("page shows stderr: " + text[:300])
        errors = self.page.locator(".jp-OutputArea-output.jp-mod-error, "
                                   ".jp-RenderedText[data-mime-type="
                                   "'application/vnd.jupyter.error']").count()
        if errors:
            problems.append(f"page shows {errors} error output(s)")
        return problems

    # -- apps
    def apps(self):
        """Locators of the ``cnnmotiv-app`` widgets in document order."""
        loc = self.page.locator(".jp-Notebook .cnnmotiv-app")
        return [loc.nth(i) for i in range(loc.count())]

    def wait_for_apps(self, expected: int | None = None, timeout: float = 30) -> list:
        """Wait until every app's figure image shows a decoded PNG."""
        self.page.wait_for_function(
            """(n) => { const apps = document.querySelectorAll('.jp-Notebook .cnnmotiv-app');
               if (n !== null && apps.length < n) return false;
               return Array.from(apps).every(a => {
                 const img = a.querySelector('img.cnnmotiv-figure, .cnnmotiv-figure img');
                 return img && img.complete && img.naturalWidth > 0; }); }""",
            arg=expected, timeout=timeout * 1000, polling=200)
        return self.apps()

    @staticmethod
    def figure(app):
        return app.locator("img.cnnmotiv-figure, .cnnmotiv-figure img").first

    def _probe(self, app) -> tuple["View | None", bool]:
        """(what the app shows, whether the notebook's kernel is busy)."""
        got = app.evaluate(
            """async (app) => {
                 const img = app.querySelector('img.cnnmotiv-figure, .cnnmotiv-figure img');
                 const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                 const k = w && w.sessionContext && w.sessionContext.session
                           && w.sessionContext.session.kernel;
                 const busy = k ? k.status !== 'idle' : false;
                 // The caption: children of the app holding neither controls nor figure.
                 const caption = Array.from(app.children).filter(c =>
                     !c.querySelector('.cnnmotiv-figure, [class*="cnnmotiv-control-"]')
                     && !c.matches('.cnnmotiv-figure, [class*="cnnmotiv-control-"]'))
                   .map(c => c.innerText).join('\\n');
                 return [img ? await (%s)(img) : null, caption, busy]; }""" % JS_IMAGE_DIGEST)
        digest, caption, busy = got
        return (View(digest, caption) if digest else None), busy

    def view(self, app) -> "View | None":
        """What the app shows now: its figure's digest and its caption's text."""
        return self._probe(app)[0]

    def settle(self, app, *, quiet: float = 0.2, timeout: float = 30) -> "View":
        """Wait until the app stops changing and the kernel is idle; return its view.

        Settled means: the same view, with the kernel idle, for `quiet` seconds.
        """
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            now, busy = self._probe(app)
            if now != last or busy or now is None:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return now
            time.sleep(0.04)
        raise AssertionError(f"figure kept changing (or kernel busy) for {timeout} s")

    def wait_changed(self, app, before: "View", *, timeout: float = 30) -> "View":
        """Wait until the app's view differs from `before`, then until it settles."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self.view(app)
            if now is not None and now != before:
                return self.settle(app)
            time.sleep(0.03)
        raise AssertionError(f"neither figure nor caption changed within {timeout} s")

    @staticmethod
    def controls(app) -> list[tuple[str, object]]:
        """``(name, locator)`` of every ``cnnmotiv-control-<name>`` element in `app`."""
        names = app.evaluate(
            """(el) => Array.from(el.querySelectorAll('[class*="cnnmotiv-control-"]'))
                 .map(n => Array.from(n.classList).find(c => c.startsWith('cnnmotiv-control-')))
                 .map(c => c.slice('cnnmotiv-control-'.length))""")
        return [(n, app.locator(f".cnnmotiv-control-{n}").first) for n in names]

    @staticmethod
    def kind(control) -> str:
        """'slider', 'range', 'dropdown', 'toggles', 'toggle', 'checkbox', 'radio',
        'text' or 'unknown', from the widget's DOM classes."""
        return control.evaluate(
            """(el) => { const c = el.classList;
              if (c.contains('widget-slider') || c.contains('widget-hslider')
                  || c.contains('widget-vslider'))
                return el.querySelectorAll('.noUi-handle').length > 1 ? 'range' : 'slider';
              if (c.contains('widget-dropdown') || el.querySelector('select:not([multiple])'))
                return 'dropdown';
              if (c.contains('widget-toggle-buttons')) return 'toggles';
              if (c.contains('widget-toggle-button')) return 'toggle';
              if (c.contains('widget-checkbox')) return 'checkbox';
              if (c.contains('widget-radio')) return 'radio';
              if (el.querySelector('input[type=number], input[type=text]')) return 'text';
              return 'unknown'; }""")

    # -- slider details
    @staticmethod
    def handle_state(handle) -> dict:
        return handle.evaluate(
            """(h) => ({now: parseFloat(h.getAttribute('aria-valuenow')),
                        min: parseFloat(h.getAttribute('aria-valuemin')),
                        max: parseFloat(h.getAttribute('aria-valuemax')),
                        text: h.getAttribute('aria-valuetext')})""")

    @staticmethod
    def readout(control):
        return control.locator(".widget-readout").first

    def readout_text(self, control) -> str:
        loc = self.readout(control)
        return loc.inner_text().strip() if loc.count() else ""

    def readout_editable(self, control) -> bool:
        """Whether typing a number into the readout sets the slider.

        A SelectionSlider's readout is contentEditable too but ignores typing;
        its readout shows a label, while the handle's aria value is an index.
        So: editable, shows a number, and that number is the handle's value
        (or 10**value, for a log slider).
        """
        loc = self.readout(control)
        if not loc.count() or not loc.evaluate("(el) => el.isContentEditable"):
            return False
        try:
            shown = float(loc.inner_text().strip())
        except ValueError:
            return False
        now = self.handle_state(control.locator(".noUi-handle").first)["now"]
        close = lambda a, b: abs(a - b) <= 1e-6 + 0.01 * max(abs(a), abs(b))
        return close(shown, now) or close(shown, 10 ** now)

    def type_readout(self, control, text: str) -> None:
        """Type `text` into the slider's readout and press Enter."""
        loc = self.readout(control)
        loc.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def press_on_handle(self, handle, key: str, times: int = 1) -> None:
        handle.focus()
        for _ in range(times):
            handle.press(key)

    def drag_handle(self, control, handle, fraction: float) -> None:
        """Drag `handle` by `fraction` of the track width (negative: to the left)."""
        track = control.locator(".noUi-base, .noUi-target").first.bounding_box()
        box = handle.bounding_box()
        x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        x1 = min(max(x0 + fraction * track["width"], track["x"] + 1),
                 track["x"] + track["width"] - 1)
        mouse = self.page.mouse
        mouse.move(x0, y0)
        mouse.down()
        for i in range(1, 9):
            mouse.move(x0 + (x1 - x0) * i / 8, y0)
        mouse.up()

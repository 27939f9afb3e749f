"""Fixtures for the end-to-end tests: one JupyterLab server and one headless
Chromium per session, one page per notebook, screenshots on failure.

Environment:

- ``CNNMOTIV_E2E_SCREENSHOTS``: folder for screenshots (default: a pytest temp dir;
  the path is printed at the end of the run).
- ``CNNMOTIV_E2E_NOTEBOOKS``: folder of notebooks to test instead of ``notebooks/``.
- ``CNNMOTIV_CHROMIUM``: browser executable (default ``/usr/bin/chromium``).
- ``CI``: when set, a missing browser fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from harness import (CHROMIUM, INSTALL_HINT, JupyterServer, NotebookDriver, copy_notebooks,
                     launch_browser, notebook_names, notebooks_dir)

_SCREENSHOTS = pytest.StashKey[Path]()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


def _missing(message: str):
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the browser tests)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def screenshot_dir(request, tmp_path_factory) -> Path:
    """Where screenshots go; printed in the terminal summary."""
    chosen = os.environ.get("CNNMOTIV_E2E_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("e2e-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    request.config.stash[_SCREENSHOTS] = path
    return path


@pytest.fixture(scope="session")
def jupyter_server():
    """JupyterLab on 127.0.0.1:<free port>, random token, on a temp copy of the notebooks."""
    base = Path(tempfile.mkdtemp(prefix="cnnmotiv-e2e-"))
    root = copy_notebooks(notebooks_dir(), base / "notebooks")
    server = JupyterServer(root_dir=root, base=base)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium context on a fresh profile."""
    if not CHROMIUM.exists():
        _missing(f"Chromium not found at {CHROMIUM}; {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed; pip install -e '.[test]'")
    profile = Path(tempfile.mkdtemp(prefix="cnnmotiv-chromium-"))
    manager = sync_playwright().start()
    context = None
    try:
        context = launch_browser(manager, profile)
        context.set_default_timeout(30_000)
        yield context
    finally:
        if context is not None:
            context.close()
        manager.stop()
        shutil.rmtree(profile, ignore_errors=True)


class NotebookRun:
    """A notebook opened in its own page, restarted and run once."""

    def __init__(self, driver: NotebookDriver, state: dict):
        self.driver = driver
        self.page = driver.page
        self.name = driver.name
        self.state = state


@pytest.fixture(scope="module", params=notebook_names() or [None],
                ids=lambda n: n or "no-notebooks")
def notebook_run(request, browser, jupyter_server, screenshot_dir):
    """Open the notebook, Restart Kernel and Run All Cells, wait for the end."""
    name = request.param
    if name is None:
        _missing(f"no notebooks in {notebooks_dir()}")
    page = browser.new_page()
    driver = NotebookDriver(page, jupyter_server, name)
    run = NotebookRun(driver, {})
    try:
        driver.open()
        run.state = driver.restart_and_run_all()
        page.screenshot(path=str(screenshot_dir / f"{Path(name).stem}.png"))
        yield run
    except Exception:
        _shoot(page, screenshot_dir, f"setup-{Path(name).stem}")
        raise
    finally:
        page.close()



def _shoot(page, folder: Path, stem: str) -> Path | None:
    path = folder / (re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:150] + ".png")
    try:
        page.screenshot(path=str(path))
        return path
    except Exception:  # the page may be gone; a failing screenshot must not hide the failure
        return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    run = item.funcargs.get("notebook_run")
    folder = item.config.stash.get(_SCREENSHOTS, None)
    if isinstance(run, NotebookRun) and folder is not None:
        path = _shoot(run.page, folder, "FAILED-" + item.nodeid.split("::")[-1])
        if path:
            report.sections.append(("e2e screenshot", str(path)))


def pytest_terminal_summary(terminalreporter, config):
    folder = config.stash.get(_SCREENSHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"e2e screenshots: {folder}")

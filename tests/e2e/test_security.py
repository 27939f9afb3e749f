"""The Jupyter server (the test's own and the one `make lab` starts) listens on
127.0.0.1 only and requires its token: the API answers 403 without it, pages
redirect to the login page, and the right token opens both."""

from __future__ import annotations

import re
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from harness import REPO, JupyterServer, http

pytestmark = pytest.mark.e2e


def listening_addresses(pid: int) -> list[tuple[str, int]]:
    """(ip, port) of every listening TCP socket of `pid` and its children (kernels too)."""
    root = psutil.Process(pid)
    found = []
    for proc in [root] + root.children(recursive=True):
        try:
            conns = proc.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        found += [(c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN]
    return found


def outside_addresses() -> list[str]:
    """This machine's non-loopback IPv4/IPv6 addresses."""
    found = []
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family in (socket.AF_INET, socket.AF_INET6):
                ip = a.address.split("%")[0]
                if not (ip.startswith("127.") or ip == "::1"):
                    found.append(ip)
    return found


def check_locked_down(server: JupyterServer) -> None:
    """The assertions shared by the test server and `make lab`."""
    url, token = server.url, server.token
    # The API refuses requests without the token, or with a wrong one.
    for path in ("/api/contents", "/api/kernels", "/api/sessions", "/api/terminals"):
        status, _, _ = http(url + path)
        assert status == 403, f"{path} without token: {status}"
        status, _, _ = http(url + path, token="0" * len(token))
        assert status == 403, f"{path} with a wrong token: {status}"
    status, _, _ = http(url + "/api/kernels", method="POST")
    assert status == 403, f"starting a kernel without token: {status}"
    # Pages redirect to the login page.
    for path in ("/lab", "/lab/tree/x.ipynb", "/files/x.ipynb"):
        status, headers, _ = http(url + path)
        assert status == 302, f"{path} without token: {status}"
        assert re.match(r"^(http://127\.0\.0\.1:\d+)?/login\b", headers.get("Location", "")), \
            headers.get("Location")
    # With the token: API and page open.
    status, _, body = http(url + "/api/contents", token=token)
    assert status == 200
    status, _, body = http(f"{url}/lab?token={token}", follow=True)
    assert status == 200 and b"JupyterLab" in body
    # Bound to loopback only: every listening socket of the server and its kernels.
    listening = listening_addresses(server.server_pid())
    assert (("127.0.0.1", server.port)) in listening, listening
    assert all(ip == "127.0.0.1" for ip, _ in listening), listening
    assert server.info.get("hostname") == "127.0.0.1", server.info.get("url")
    for ip in outside_addresses():
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            assert s.connect_ex((ip, server.port)) != 0, f"port {server.port} open on {ip}"


def test_test_server_is_loopback_only_and_needs_its_token(jupyter_server):
    check_locked_down(jupyter_server)


# -------------------------------------------------------------------- the Makefile

def makefile_variables(text: str) -> dict[str, str]:
    values = {}
    for m in re.finditer(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|=)\s*(.*?)\s*$", text, re.M):
        values.setdefault(m.group(1), m.group(2))
    return values


def expand(line: str, values: dict[str, str], depth: int = 5) -> str:
    for _ in range(depth):
        line = re.sub(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]",
                      lambda m: values.get(m.group(1), m.group(0)), line)
    return line


def lab_recipe(text: str) -> list[str]:
    """The recipe lines of the Makefile's ``lab:`` rule, variables expanded."""
    match = re.search(r"^lab\s*:[^\n]*\n((?:\t[^\n]*\n?)+)", text, re.M)
    assert match, "the Makefile has no lab: rule with a recipe"
    values = makefile_variables(text)
    return [expand(line.strip(), values) for line in match.group(1).splitlines()]


def test_makefile_lab_binds_loopback_and_keeps_the_token():
    recipe = " ".join(lab_recipe((REPO / "Makefile").read_text()))
    assert re.search(r"jupyter(-|\s+)lab\b", recipe), recipe
    ip = re.findall(r"--(?:ServerApp\.)?ip[= ]+['\"]?([^\s'\"]+)", recipe)
    assert ip == ["127.0.0.1"], f"lab must pass --ServerApp.ip=127.0.0.1, found {ip}: {recipe}"
    forbidden = [
        (r"0\.0\.0\.0|ip[= ]+['\"]?(\*|::|\[::\])", "binds every interface"),
        (r"(token|password)\s*=\s*(''|\"\"|\s|$)", "disables the token or password"),
        (r"--no-token|--NotebookApp\.token", "disables the token"),
        (r"disable_check_xsrf", "turns XSRF checks off"),
        (r"allow_origin\s*=\s*['\"]?\*", "allows every origin"),
        (r"allow_remote_access\s*=\s*True", "allows remote access"),
    ]
    for pattern, why in forbidden:
        assert not re.search(pattern, recipe), f"`make lab` {why}: {recipe}"


@pytest.mark.parametrize("recipe, ok", [
    ("$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1", True),
    ("$(VENV)/bin/jupyter lab --ServerApp.ip=0.0.0.0", False),
    ("$(VENV)/bin/jupyter lab --ip=127.0.0.1 --IdentityProvider.token=''", False),
    ("$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.token=", False),
    ("$(VENV)/bin/jupyter lab", False),
])
def test_makefile_check_catches_unsafe_recipes(tmp_path, monkeypatch, recipe, ok):
    """The Makefile check above fails for the unsafe variants it is meant to catch."""
    import harness

    (tmp_path / "Makefile").write_text(f"VENV := .venv\nlab:\n\t{recipe}\n")
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    if ok:
        test_makefile_lab_binds_loopback_and_keeps_the_token()
    else:
        with pytest.raises(AssertionError):
            test_makefile_lab_binds_loopback_and_keeps_the_token()
    assert harness.REPO != tmp_path


def test_make_lab_is_loopback_only_and_needs_its_token():
    """Start the real `make lab` (on a free port, temp Jupyter dirs) and probe it."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    if not (REPO / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("no .venv: run `make lab` once to create it")
    base = Path(tempfile.mkdtemp(prefix="cnnmotiv-make-lab-"))
    from harness import free_port

    port = free_port()
    # -o: treat the install stamp as up to date, so this never reinstalls packages.
    server = JupyterServer(root_dir=REPO / "notebooks", base=base, cwd=REPO, port=port,
                           argv=[make, "--no-print-directory", "-o", ".venv/.installed",
                                 "lab", f"PORT={port}"],
                           # it opens a browser (no --no-browser): make that a no-op
                           extra_env={"BROWSER": "true"})
    try:
        server.start()
        assert server.info.get("port") == port
        check_locked_down(server)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)

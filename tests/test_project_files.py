"""The project's own files agree with each other: dependencies, set-up commands."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name_and_spec(requirement: str) -> tuple[str, str]:
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).strip()


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"]
    return dict(_name_and_spec(r) for r in reqs)


def _environment_requirements() -> dict[str, str]:
    deps: dict[str, str] = {}
    in_pip = False
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("\ndependencies:"):].splitlines():
        line = line.split("#", 1)[0].rstrip()
        if re.match(r"^\s+- pip:\s*$", line):
            in_pip = True
            continue
        item = re.match(r"^(\s+)- (.+)$", line)
        if item and item.group(2) != "-e .":
            name, spec = _name_and_spec(item.group(2))
            deps[name] = spec
    deps.pop("python", None)
    deps.pop("pip", None)
    return deps


def test_environment_yml_names_the_runtime_dependencies_of_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_environment_yml_installs_the_package_editable_through_pip():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"- pip:\s*\n(\s+- .*\n)*\s+- -e \.", text)
    assert "conda-forge" in text


def test_readme_leads_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme[: readme.index("make test") + len("make test")]
    assert "make lab" in first_block
    assert len(first_block) < 1500, "the two set-up commands should come first"


def test_ci_runs_the_readme_test_command():
    assert re.search(r"^make test\b", (ROOT / ".ci" / "run").read_text(), re.M)


def test_make_lab_binds_loopback_and_keeps_the_token():
    makefile = (ROOT / "Makefile").read_text()
    lab = makefile[makefile.index("\nlab:"):].split("\n\n")[0]
    assert "127.0.0.1" in makefile and "--ServerApp.ip=$(HOST)" in lab
    assert "0.0.0.0" not in makefile
    assert not re.search(r"token\s*=\s*(''|\"\"|$)", makefile, re.M)

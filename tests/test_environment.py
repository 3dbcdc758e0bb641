"""The pinned environment: pyproject.toml, environment.yml and constraints.txt agree."""

import re
import tomllib

import yaml

from conftest import REPO


def _pins(requirements):
    pins = {}
    for line in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def pyproject_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    assert all("==" in r for r in requirements), "every direct dependency is pinned exactly"
    return _pins(requirements)


def test_environment_yml_lists_the_same_packages_and_versions_as_pyproject():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip_section) == pyproject_pins()
    assert "python=3.11" in env["dependencies"]


def test_constraints_pin_the_direct_dependencies_at_the_same_versions():
    constraints = _pins((REPO / "constraints.txt").read_text().splitlines())
    for name, version in pyproject_pins().items():
        assert constraints.get(name) == version, name


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in pyproject_pins().items():
        assert version(name) == pinned, name


def test_every_pinned_package_installs_on_the_oldest_python_the_project_admits():
    """constraints.txt pins every package of .venv: each must admit the first release of the
    Python series pyproject.toml asks for (3.11.0, not only the 3.11.7 this machine has),
    or `make figures` fails on, say, Debian 12's Python 3.11.2."""
    from importlib.metadata import distribution

    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    oldest = re.fullmatch(r">=(\d+\.\d+)", project["requires-python"]).group(1) + ".0"
    refused = {}
    for name, pinned in _pins((REPO / "constraints.txt").read_text().splitlines()).items():
        assert distribution(name).version == pinned, f"{name} is not the pinned version: run `make setup`"
        needs = distribution(name).metadata.get("Requires-Python")
        if needs and not SpecifierSet(needs).contains(oldest):
            refused[name] = needs
    assert refused == {}, f"these pins refuse Python {oldest}: pin a version that admits it"


def test_the_readme_describes_every_module_of_the_package():
    """The README's map of src/sovereign_ai/ is where a reader finds what is shared: one line per
    module, under the line of its subpackage."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listing = readme[readme.index("src/sovereign_ai/ ") : readme.index("\ndocs/ ")]
    package = REPO / "src" / "sovereign_ai"
    modules = {p.name for p in package.rglob("*.py")} - {"__init__.py", "__main__.py"}
    assert sorted(m for m in modules if m not in listing) == []
    assert sorted(set(re.findall(r"\b\w+\.py\b", listing)) - modules) == [], "no module that is gone"
    heading = ""  # the subpackage whose lines these are
    for line in listing.splitlines()[1:]:
        if re.match(r"  \w+/ ", line):
            heading = line.split("/")[0].strip()
        elif re.match(r"  \w+\.py", line):
            heading = ""
        for name in re.findall(r"^\s+(\w+\.py)\b", line):  # the module the line is about
            where = next(p.parent for p in package.rglob(name))
            assert where.name == (heading or "sovereign_ai"), f"{name} is listed under {heading or 'the top'}"


def test_the_package_shows_its_architecture_at_its_top():
    """At most 12 modules at the top of the package; the rest live in subpackages named for what they do."""
    package = REPO / "src" / "sovereign_ai"
    top = sorted(p.name for p in package.glob("*.py"))
    assert len(top) <= 12, top
    assert {p.name for p in package.iterdir() if (p / "__init__.py").exists()} >= {
        "engine",
        "charts",
        "analysis",
        "checks",
    }

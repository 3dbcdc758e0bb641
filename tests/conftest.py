"""Shared fixtures. Nothing here writes inside the repository: builds go to
temporary folders, and tests that break data work on a temporary copy."""

import contextlib
import functools
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from sovereign_ai import paths

REPO = paths.repo_root()
PYTHON = sys.executable


class _CurrentStdout(io.TextIOBase):
    """Writes to whatever sys.stdout is when it is written to. The package's commands take
    `out=sys.stdout` as a default, fixed when their module is imported: imported with this in
    place (below), they write where call_cli captures them."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


with contextlib.redirect_stdout(_CurrentStdout()):
    from sovereign_ai import cli
    from sovereign_ai.engine import manifest, publish

# Set by `sovereign-ai test-fast` (make test-fast): the layer that starts no kernel.
FAST_VARIABLE = "SOVEREIGN_AI_TEST_FAST"

# The engine tests' small project: its own figures.yaml, data and two notebooks that run in a
# fraction of a second each. Its notebooks are the tests' material, not tests themselves (nbval).
FIXTURE_PROJECT = REPO / "tests" / "fixture_project"
collect_ignore = ["fixture_project"]


def pytest_configure(config):
    if os.environ.get(FAST_VARIABLE):
        # The fast layer promises no kernel: here the python3 kernel exits at once, so a test that
        # starts one (itself or through a build) fails with this message instead of running slowly.
        folder = Path(tempfile.mkdtemp(prefix="sovereign-ai-no-kernels-"))
        spec = folder / "kernels" / "python3"
        spec.mkdir(parents=True)
        refusal = "import sys; sys.exit('make test-fast starts no kernel: mark this test notebooks')"
        kernel = {"argv": [sys.executable, "-c", refusal], "display_name": "no kernel", "language": "python"}
        (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
        os.environ["JUPYTER_PATH"] = str(folder)
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_collection_modifyitems(config, items):
    """Slow files first: those that draw charts, then those with a test that starts a kernel, then
    the rest, longer files first, each file keeping its order. pytest-xdist hands out whole files in
    this order (--dist loadfile --no-loadscope-reorder; pytest_xdist_make_scheduler below), so quick
    files fill in at the end while the other worker finishes a slow one, rather than a slow file
    starting last while the other worker waits."""
    rank: dict[str, int] = {}
    size: dict[str, int] = {}
    for item in items:
        if item.get_closest_marker("drawing"):
            slowness = 0
        elif item.get_closest_marker("notebooks") or item.nodeid.startswith("notebooks/"):
            slowness = 1  # nbval's stored notebooks start a kernel too
        else:
            slowness = 2
        file = _file_of(item)
        rank[file] = min(rank.get(file, 2), slowness)
        size[file] = size.get(file, 0) + 1
    # within a rank, files of more tests first: a long file started last keeps the other worker waiting
    items.sort(key=lambda item: (rank[_file_of(item)], -size[_file_of(item)]))


def _file_of(item) -> str:
    return item.nodeid.split("::")[0]


# The test files that look at the notebooks' charts through drawn(): one worker runs them all, so
# that each chart set is drawn once per run (drawn() keeps it) however many files look at it.
DRAWING_FILES = frozenset(
    f"tests/{path.name}"
    for path in Path(__file__).parent.glob("test_*.py")
    if re.search(r"\bdrawn\(", path.read_text(encoding="utf-8"))
)


def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile (as `sovereign-ai test` runs pytest-xdist): a file to a worker, as xdist's own
    scheduler does, except that DRAWING_FILES go to one worker together. (xdist's loadgroup, which
    would do this by marks, does not group on pytest 9.2: pytest-dev/pytest-xdist#1386.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndDrawings(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::")[0]
            return "drawing" if file in DRAWING_FILES else file

    return FilesAndDrawings(config, log)


# The quickest real build: Figure 1's two runs, PNG only, on one worker (one kernel).
FAST = ("--only", "four_reasons", "-p", "formats", "png", "-j", "1")
ONE_RUN = ("-p", "lang", "en")  # with --only: the figure's English run alone


# The small project's quickest build: one figure's two runs, PNG only, on one worker (one kernel).
SMALL = ("--only", "squares", "-p", "formats", "png", "-j", "1")


# What a working copy needs for a build (and pyproject.toml, whose pytest options a checkout has):
# everything else is code or docs.
COPIED = ("data", "notebooks", "figures", "figures.yaml", "constraints.txt", "pyproject.toml")


def run_cli(*args: str, root: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """`python -m sovereign_ai ARGS` in a fresh process, as a user would run it."""
    env = dict(os.environ)
    if root is not None:
        env["SOVEREIGN_AI_ROOT"] = str(root)
    return subprocess.run(
        [PYTHON, "-m", "sovereign_ai", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=root or REPO,
    )


def call_cli(*args: str, root: Path | None = None) -> subprocess.CompletedProcess:
    """What run_cli gives (exit code, output, error output), from the command run in this process
    (its main function, in the folder run_cli runs it in): for commands that start no kernel and no
    worker, without starting Python and importing the package again (half a second each). What the
    command changes in this process (signal handlers, environment, folder) is put back."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    environment, folder, holds = dict(os.environ), os.getcwd(), publish.HOLD_SIGNALS_TO_EXIT
    out, err = io.StringIO(), io.StringIO()
    try:
        if root is not None:
            os.environ["SOVEREIGN_AI_ROOT"] = str(root)
        os.chdir(root or REPO)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exit:  # argparse's usage errors
                code = exit.code if isinstance(exit.code, int) else 1
    finally:
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(environment)
        publish.HOLD_SIGNALS_TO_EXIT = holds
        manifest.environment_record.cache_clear()  # it read the root's constraints.txt
        for number, handler in handlers.items():
            signal.signal(number, handler)
    return subprocess.CompletedProcess(["sovereign_ai", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def parameters_cache(tmp_path_factory) -> Path:
    """The build's cache of the notebooks' declared parameters (build/parameters-cache.json), current
    for the notebooks as they are now, made once per session: without it each command in a copy
    would first pay papermill's import (about 2 s) to read them, as it does after a notebook is edited."""
    with _once_for_the_session(tmp_path_factory, "parameters") as (root, made):
        cache = root / "build" / "parameters-cache.json"
        if not made:
            cache.parent.mkdir(parents=True, exist_ok=True)
            if (REPO / "build" / cache.name).exists():  # most entries, from this checkout's last build
                shutil.copy2(REPO / "build" / cache.name, cache)
            read = "import sys; from pathlib import Path; from sovereign_ai import parameters\n"
            read += "for notebook in sys.argv[1:]: parameters.declared_parameters(Path(notebook))"
            notebooks = sorted(str(p) for p in (REPO / "notebooks").glob("*.ipynb"))
            env = dict(os.environ, SOVEREIGN_AI_ROOT=str(root))
            subprocess.run([PYTHON, "-c", read, *notebooks], env=env, check=True, capture_output=True)
    return cache


def copy_checkout(root: Path, names=COPIED) -> None:
    """A new folder root holding these files and folders of the checkout (by default what a build needs)."""
    root.mkdir()
    for name in names:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("kernel-ipc-*", ".ipynb_checkpoints"))
        else:
            shutil.copy2(source, root / name)


@pytest.fixture
def repo_copy(tmp_path, monkeypatch, parameters_cache) -> Path:
    """A temporary copy of the repository's data, notebooks and figures, made the package's root."""
    root = tmp_path / "repo"
    copy_checkout(root)
    (root / "build").mkdir()
    shutil.copy2(parameters_cache, root / "build" / parameters_cache.name)
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))
    return root


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A temporary copy of the repository without figures/ (13 MB), made the package's root: for
    tests that read and check the data, and run nothing that writes figures."""
    root = tmp_path / "repo"
    copy_checkout(root, tuple(name for name in COPIED if name != "figures"))
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))
    return root


def _copy_project(source: Path, root: Path, names) -> Path:
    root.mkdir(parents=True)
    for name in names:
        if (source / name).is_dir():
            shutil.copytree(
                source / name, root / name, ignore=shutil.ignore_patterns("kernel-ipc-*", ".ipynb_checkpoints")
            )
        elif (source / name).exists():
            shutil.copy2(source / name, root / name)
    return root


@contextmanager
def _once_for_the_session(tmp_path_factory, name: str):
    """A folder made once per test session, shared by every xdist worker: yields (folder, made),
    made False when the caller must fill it; the first worker fills it, holding a lock, while the
    others wait for it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    folder = shared / name
    with open(shared / f"{name}.lock", "a+b") as lock:
        publish._lock(lock, wait=True)
        try:
            done = folder / ".complete"
            yield folder, done.exists()
            done.touch()
        finally:
            publish._unlock(lock)


@pytest.fixture(scope="session")
def fixture_source(tmp_path_factory) -> Path:
    """The small project as checked out, with its notebooks' parameters read once (build/'s
    cache), no kernel started: copy it with small_project rather than write into it."""
    with _once_for_the_session(tmp_path_factory, "fixture-source") as (root, made):
        if not made:
            shutil.rmtree(root, ignore_errors=True)
            _copy_project(FIXTURE_PROJECT, root, ("data", "notebooks", "figures.yaml"))
            shutil.copy2(REPO / "constraints.txt", root)  # the pinned environment, recorded as every checkout's
            planned = run_cli("build", "--dry-run", root=root)
            assert planned.returncode == 0, planned.stderr
    return root


@pytest.fixture(scope="session")
def fixture_built(tmp_path_factory, fixture_source) -> Path:
    """The small project, built once for the whole session (figures/ and its manifest):
    copy it with fixture_project rather than write into it."""
    with _once_for_the_session(tmp_path_factory, "fixture-built") as (root, made):
        if not made:
            shutil.rmtree(root, ignore_errors=True)
            _copy_project(fixture_source, root, ("data", "notebooks", "figures.yaml", "constraints.txt", "build"))
            built = run_cli("build", "-j", "2", root=root)
            assert built.returncode == 0, built.stderr
            shutil.rmtree(root / "build" / "executed", ignore_errors=True)
            shutil.rmtree(root / "build" / "outputs", ignore_errors=True)
    return root


@pytest.fixture
def small_project(tmp_path, monkeypatch, fixture_source) -> Path:
    """A temporary copy of the small project, not built (no figures/), made the package's root."""
    root = _copy_project(fixture_source, tmp_path / "project", ("data", "notebooks", "figures.yaml", "build"))
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))
    return root


@pytest.fixture
def fixture_project(tmp_path, monkeypatch, fixture_built) -> Path:
    """A temporary copy of the small project, built (figures/ current), made the package's root."""
    names = ("data", "notebooks", "figures", "figures.yaml", "constraints.txt", "build")
    root = _copy_project(fixture_built, tmp_path / "project", names)
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))
    return root


def edit_csv_row(root: Path, table: str, row: int, column: str | None, value: str = "", drop_cells: int = 0) -> None:
    """In the copy at root, set one cell of data/<table>.csv (row 1 is the first data row),
    or drop cells from the row."""
    import csv

    path = root / "data" / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if column is not None:
        rows[row][rows[0].index(column)] = value
    if drop_cells:
        rows[row] = rows[row][:-drop_cells]
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below folder with its bytes, to show a folder did not change."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def untouched(folder: Path) -> dict[str, tuple]:
    """Every file and folder below folder with its inode, size and modification time: a file written
    in place, replaced, added or removed changes it. Cheaper than snapshot's bytes, for a refusal
    that must write nothing."""
    return {
        str(p.relative_to(folder)): (s.st_ino, s.st_size, s.st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        for s in [p.lstat()]
    }


def stored_exercises(name: str) -> list[tuple[dict, list[dict]]]:
    """A stored notebook's exercises after its "## Try it" cell: each exercise's cell, with the
    cells of its worked solution (tagged `solution`) that follow it."""
    from sovereign_ai.engine import notebook_code

    cells = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    (start,) = [
        i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Try it")
    ]
    found: list[tuple[dict, list[dict]]] = []
    for cell in cells[start + 1 :]:
        if notebook_code.is_solution(cell):
            assert found, f"{name}: a solution cell before the first exercise"
            found[-1][1].append(cell)
        else:
            found.append((cell, []))
    return found


def outputs_text(cell: dict) -> str:
    """A cell's stored outputs as text: each output's data (JSON) and its stream text."""
    return "\n".join(
        json.dumps(output.get("data", {}), ensure_ascii=False) + "".join(output.get("text", ""))
        for output in cell.get("outputs", [])
    )


def solution_output(name: str, number: int) -> str:
    """What a notebook's stored run shows under its worked solution `number` (nbval checks that the
    stored outputs are what the code gives)."""
    return "\n".join(outputs_text(cell) for cell in stored_exercises(name)[number - 1][1])


@pytest.fixture(scope="session")
def run_papermill():
    """Run a notebook with papermill as the build does: on one warm kernel per test process,
    reset before each run and replaced after a run that fails (kernels.WarmRunner)."""
    from sovereign_ai.engine.kernels import WarmRunner

    runner = WarmRunner()
    yield lambda notebook, executed, parameters: runner.run(notebook, executed, parameters, cwd=str(notebook.parent))
    runner.close()


def drawn(notebook: str, lang: str = "en", width_mm: float = 183, **parameters) -> dict:
    """The charts a notebook draws with these parameters, from its own code run in this process
    (no kernel, nothing written), by part name: {"roster": Figure, ...} or {"": Figure}.

    Drawn once per test process for each set of parameters (about a megabyte a chart): the figures
    are shared by every test that asks for them, to look at, save or measure, never to change."""
    frozen = tuple(sorted((name, tuple(v) if isinstance(v, list) else v) for name, v in parameters.items()))
    return dict(_drawn_once(notebook, lang, width_mm, frozen))


@functools.cache
def _drawn_once(notebook: str, lang: str, width_mm: float, parameters: tuple) -> tuple:
    from unittest import mock

    from sovereign_ai.charts import style
    from sovereign_ai.engine import notebook_code

    given = {name: list(v) if isinstance(v, tuple) else v for name, v in parameters}
    # Without the PNG each chart shows in a notebook: three quarters of the drawing time, and
    # nothing these tests look at (they measure the figures themselves).
    with contextlib.redirect_stdout(io.StringIO()), mock.patch.object(style, "show_figure", lambda *a, **k: None):
        ran = notebook_code.run(REPO / "notebooks" / f"{notebook}.ipynb", {"lang": lang, "width_mm": width_mm, **given})
    return tuple(ran.figures.items())


def run_build(*args: str, root: Path | None = None, umask: int = 0o022, env: dict | None = None, popen: bool = False):
    """`python -m sovereign_ai ARGS` under a known umask (and extra environment): finished, or with
    popen a running process in its own session (so a test can send it Ctrl-C as a terminal would).
    Like run_cli, it works on $SOVEREIGN_AI_ROOT (the repo_copy fixture) unless given root."""
    environment = dict(os.environ) | (env or {})
    if root is not None:
        environment["SOVEREIGN_AI_ROOT"] = str(root)

    def start():
        os.umask(umask)
        if popen:
            signal.signal(signal.SIGINT, signal.SIG_DFL)

    command = [PYTHON, "-m", "sovereign_ai", *args]
    if popen:
        return subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            cwd=root or REPO,
            preexec_fn=start,
            start_new_session=True,
        )
    return subprocess.run(
        command, capture_output=True, text=True, env=environment, cwd=root or REPO, preexec_fn=start, timeout=600
    )


@contextmanager
def mounted(target: Path, *options: str, bind: bool = False):
    """A tmpfs mounted at target (or target bind-mounted onto itself) with mount options, for the test;
    skips when this machine does not let the test mount (not root, no mount command)."""
    target.mkdir(parents=True, exist_ok=True)
    first = (
        ["mount", "--bind", str(target), str(target)]
        if bind
        else ["mount", "-t", "tmpfs", "-o", ",".join(options) or "size=4m", "tmpfs", str(target)]
    )
    try:
        done = subprocess.run(first, capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("no mount command on this machine")
    if done.returncode != 0:
        pytest.skip(f"this machine does not let the test mount a file system: {done.stderr.strip()}")
    try:
        if bind:
            subprocess.run(["mount", "-o", "remount,bind," + ",".join(options), str(target)], check=True)
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)

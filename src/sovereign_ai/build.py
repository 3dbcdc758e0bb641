"""The build: run every notebook listed in figures.yaml with papermill.

Everything that can be checked is checked before the first kernel starts: the
registry, every run's parameters, and the data. Outputs are staged and moved
into place only when every run has succeeded, so a failed build leaves the
existing figures untouched.
"""

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sovereign_ai import data, paths
from sovereign_ai.kernels import KERNEL_NAME, ipc_kernel_manager_class
from sovereign_ai.parameters import ParameterError, check_given, declared_parameters

CELL_TIMEOUT_S = 600
BUILD_SETS = ("name", "output_dir")  # parameters the build gives each run itself


class BuildError(RuntimeError):
    """The build cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Run:
    figure: str
    notebook: Path
    parameters: dict = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        lang = self.parameters.get("lang")
        return f"{self.figure}.{lang}" if lang else self.figure

    def formats(self) -> list[str]:
        """The formats the run writes: its own, or the notebook's default."""
        if "formats" in self.parameters:
            return list(self.parameters["formats"])
        declared = declared_parameters(self.notebook)
        return list(declared["formats"].default) if "formats" in declared else []

    def check_outputs(self, files: list[str]) -> str | None:
        """What is wrong with the files a run wrote, or None: every file is named after the figure,
        and each requested format has at least one figure in the run's language."""
        strays = [f for f in files if not f.startswith(self.figure)]
        if strays:
            return f"wrote files not named after the figure {self.figure!r}: {', '.join(strays)}"
        suffix = f".{self.parameters['lang']}" if "lang" in self.parameters else ""
        missing = [fmt for fmt in self.formats() if not any(f.endswith(f"{suffix}.{fmt}") for f in files)]
        if missing:
            return f"wrote no {', '.join(missing)} file"
        return None


def load_registry(registry: Path | None = None) -> list[Run]:
    """Every run listed in figures.yaml, in order."""
    registry = registry or paths.registry_file()
    shown = paths.relative(registry)
    try:
        with open(registry, encoding="utf-8") as f:
            entries = yaml.safe_load(f) or {}
    except FileNotFoundError:
        raise BuildError(f"{shown}: registry not found") from None
    runs = []
    for figure, entry in entries.items():
        if not isinstance(entry, dict) or "notebook" not in entry or not isinstance(entry.get("runs"), list):
            raise BuildError(f"{shown}, figure {figure!r}: expected 'notebook:' and a list of 'runs:'")
        notebook = paths.repo_root() / entry["notebook"]
        if not notebook.exists():
            raise BuildError(f"{shown}, figure {figure!r}: notebook {entry['notebook']} does not exist")
        for parameters in entry["runs"]:
            runs.append(Run(figure, notebook, dict(parameters or {})))
    return runs


def plan(runs: list[Run], overrides: dict, only: list[str] | None = None) -> list[Run]:
    """The runs to execute, with overrides applied and every parameter checked; no kernel is started."""
    if only:
        known = {r.figure for r in runs}
        unknown = [name for name in only if name not in known]
        if unknown:
            raise BuildError(f"figure {unknown[0]!r} is not in figures.yaml; the figures are: {', '.join(sorted(known))}")
        runs = [r for r in runs if r.figure in only]
    for name in BUILD_SETS:
        if name in overrides:
            raise BuildError(f"parameter {name!r} is set by the build; use --output-dir or figures.yaml instead")
    known = set().union(*(declared_parameters(n) for n in {r.notebook for r in runs})) if runs else set()
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise BuildError(f"parameter {unknown[0]!r} is unknown; the notebooks' parameters are: {', '.join(sorted(known))}")
    planned, owners = [], {}
    for run in runs:
        # an override applies to the runs whose notebook declares it (-p as_of only touches the
        # cloud notebook); the command line has already refused names no notebook declares
        declared = declared_parameters(run.notebook)
        parameters = run.parameters | {k: v for k, v in overrides.items() if k in declared}
        try:
            checked = check_given(run.notebook, parameters)
        except ParameterError as error:
            raise BuildError(f"{run.figure} (figures.yaml run {run.parameters}): {error}") from None
        final = Run(run.figure, run.notebook, checked)
        if final.run_id in owners:
            raise BuildError(f"two runs of {final.figure} would both write {final.run_id}.*: "
                             f"{owners[final.run_id]} and {final.parameters}")
        owners[final.run_id] = final.parameters
        planned.append(final)
    return planned


def execute(run: Run, staging: Path, executed: Path) -> None:
    """Run one notebook with papermill into staging; the executed notebook is kept in executed."""
    import papermill  # about 2 s to import: only on the path that runs notebooks

    staging.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(run.notebook), str(executed),
        parameters=run.parameters | {"name": run.figure, "output_dir": str(staging)},
        kernel_name=KERNEL_NAME, cwd=str(run.notebook.parent), progress_bar=False,
        execution_timeout=CELL_TIMEOUT_S, kernel_manager_class=ipc_kernel_manager_class(),
    )


def build(overrides: dict | None = None, only: list[str] | None = None, output_dir: Path | None = None,
          out=sys.stdout) -> list[Path]:
    """Check everything, run every planned notebook, then move the outputs into output_dir."""
    output_dir = Path(output_dir) if output_dir else paths.figures_dir()
    runs = plan(load_registry(), overrides or {}, only)
    try:
        data.validate_all()
    except data.DataError as error:
        raise BuildError(f"{error}\nNo notebook was run and {paths.relative(output_dir)}/ is unchanged.") from None

    work = paths.build_dir()
    staging_root = work / "staging"
    shutil.rmtree(staging_root, ignore_errors=True)
    (work / "executed").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for i, run in enumerate(runs, start=1):
        executed = work / "executed" / f"{run.run_id}.ipynb"
        print(f"[{i}/{len(runs)}] {run.run_id:<28}", end=" ", file=out, flush=True)
        t0 = time.perf_counter()
        try:
            execute(run, staging_root / run.run_id, executed)
        except Exception as error:  # papermill raises its own error types; all end the build
            print("FAILED", file=out, flush=True)
            shutil.rmtree(staging_root, ignore_errors=True)
            reason = getattr(error, "evalue", None) or str(error)
            raise BuildError(
                f"{run.run_id} failed: {getattr(error, 'ename', type(error).__name__)}: {reason}\n"
                f"The executed notebook is {paths.relative(executed)}; "
                f"{paths.relative(output_dir)}/ is unchanged.") from None
        print(f"done in {time.perf_counter() - t0:.1f} s", file=out, flush=True)

    written = _move_outputs(runs, staging_root, output_dir)
    print(f"{len(written)} files written to {paths.relative(output_dir)}/ "
          f"in {time.perf_counter() - started:.1f} s", file=out, flush=True)
    return written


def _move_outputs(runs: list[Run], staging_root: Path, output_dir: Path) -> list[Path]:
    """Move every staged file into output_dir, after checking them all.

    A file that several runs write (such as a language-independent metrics
    table) must be byte-identical in each; it is written once.
    """
    chosen: dict[str, Path] = {}
    problems = []
    for run in runs:
        staged = sorted(p for p in (staging_root / run.run_id).iterdir() if not p.name.startswith("."))
        problem = run.check_outputs([p.name for p in staged])
        if problem:
            problems.append(f"{run.run_id} {problem}")
        for path in staged:
            if path.name in chosen and chosen[path.name].read_bytes() != path.read_bytes():
                problems.append(f"{path.name} differs between runs {chosen[path.name].parent.name} and {run.run_id}")
            chosen.setdefault(path.name, path)
    if problems:
        shutil.rmtree(staging_root, ignore_errors=True)
        raise BuildError("; ".join(problems) + f"; {paths.relative(output_dir)}/ is unchanged.")
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path in sorted(chosen.items()):
        target = output_dir / name
        shutil.move(path, target)
        written.append(target)
    shutil.rmtree(staging_root, ignore_errors=True)
    return written

"""Command line: `sovereign-ai` (or `python -m sovereign_ai`) build | check | sweep | site | params |
validate | refresh-notebooks | handout | clean | lint | format | test | test-fast | bench | lab.

Every `make` target is a thin call of one of these, so the same jobs run without make
(Windows, conda). A folder given relative is below the repository root, from any folder.

Exit codes: 0 done; 1 the build ran and failed (a notebook, writing the files) or
`check` found figures/ not current; 2 refused before anything ran (a usage error or
bad input: parameters, figures.yaml, a sweep file, data, MANIFEST.json, the output
folder); 130 interrupted by Ctrl-C (143 by SIGTERM); 141, quietly, when the reader of
its output left (`| head`). Errors are one message, never
a traceback. A Ctrl-C after the command's last line (while Python shuts down) is ignored:
the exit code stands.
"""

import argparse
import os
import signal
import sys
from pathlib import Path

from sovereign_ai import paths


def _jobs(text: str) -> int:
    """-j N: a whole number of workers, at least one."""
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; expected a whole number of workers, 1 or more")
    return int(text)


def _given_file(path: Path) -> Path:
    """A file named on the command line: from the current folder, or, if it is not there, from the
    repository root (so `--root ../repo sweep sweeps/as_of.yaml` works from any folder)."""
    if path.is_absolute() or path.exists():
        return path
    below_root = paths.repo_root() / path
    return below_root if below_root.exists() else path


def _folder(text: str) -> Path:
    """A folder the user names: not blank, and no space at either end (a stray quote's, most likely)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder name")
    if text != text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} begins or ends with a space; write the folder name without it")
    return Path(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sovereign_ai", description="Build and inspect the project's figures."
    )
    parser.add_argument("--root", type=Path, help="repository to work on (default: this checkout)")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="run the notebooks listed in figures.yaml and write the figures")
    build.add_argument(
        "--only",
        nargs="+",
        action="extend",
        metavar="NAME",
        help="build only these figures (names in figures.yaml), or only these charts: the file stem of a chart, "
        "e.g. cloud_dependence_concentration, runs its notebook and writes that chart's files alone",
    )
    build.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter for every run, e.g. -p width_mm 89 (repeatable)",
    )
    build.add_argument("--output-dir", type=_folder, help="where to write the files (default: figures/)")
    build.add_argument("--force", action="store_true", help="run everything, even what is up to date")
    build.add_argument("--dry-run", action="store_true", help="list what would run and why; run nothing")
    build.add_argument(
        "-j", "--jobs", type=_jobs, metavar="N", help="runs side by side (default: $JOBS, else the number of CPUs)"
    )
    build.add_argument(
        "--refresh-notebooks",
        action="store_true",
        help="then re-execute in place the stored notebooks whose runs re-ran (what `make figures` does)",
    )

    check = commands.add_parser("check", help="rebuild into a temporary folder and compare with figures/")
    check.add_argument(
        "--only", nargs="+", action="extend", metavar="NAME", help="check only these figures, or charts (as build)"
    )
    check.add_argument("--quick", action="store_true", help="compare recorded inputs only; start no kernel")
    check.add_argument(
        "-j", "--jobs", type=_jobs, metavar="N", help="runs side by side (default: $JOBS, else the number of CPUs)"
    )

    sweep = commands.add_parser("sweep", help="run one notebook over a grid of parameters from a YAML file")
    sweep.add_argument("file", type=Path, help="e.g. sweeps/as_of.yaml")
    sweep.add_argument("--force", action="store_true", help="run everything, even what is up to date")
    sweep.add_argument(
        "-j", "--jobs", type=_jobs, metavar="N", help="runs side by side (default: $JOBS, else the number of CPUs)"
    )
    sweep.add_argument("--yes", action="store_true", help="start a sweep of more than 100 runs (it says how long)")

    params = commands.add_parser("params", help="list a notebook's parameters, defaults and help")
    params.add_argument("notebook", type=Path, help="e.g. notebooks/four_reasons.ipynb")

    commands.add_parser("validate", help="check every table in data/ against data/datapackage.json")

    site = commands.add_parser(
        "site", help="build the book: the notebooks as chapters, every figure, the references and the guides (offline)"
    )
    site.add_argument("--output-dir", type=_folder, help="where to write it (default: site/)")

    refresh = commands.add_parser("refresh-notebooks", help="re-execute notebooks in place (stored outputs)")
    refresh.add_argument("names", nargs="*", help="notebook names (default: all)")

    handout = commands.add_parser("handout", help="write a copy for students, without the worked solutions")
    handout.add_argument("folder", nargs="?", type=_folder, default=Path("handout"), help="(default: handout/)")

    commands.add_parser("clean", help="remove build/, site/ and handout/ (not while a build is writing)")
    commands.add_parser("lint", help="ruff over the package, the tests and the notebooks (changes nothing)")
    commands.add_parser("format", help="let ruff fix what it can and format the code and the notebooks")
    commands.add_parser(
        "test", help="lint, check that figures/ is current, then the whole test suite ($JOBS workers, else one per CPU)"
    )
    commands.add_parser(
        "test-fast", help="lint, then the tests that start no kernel and draw no chart set (about 1.3x a full build)"
    )
    bench = commands.add_parser("bench", help="time full, no-op and one-table rebuilds against the plain baseline")
    bench.add_argument("--suite", action="store_true", help="also time make test and make test-fast (minutes more)")
    commands.add_parser("lab", help="open JupyterLab on notebooks/")
    return parser


LINTED = ("src", "tests", "notebooks")
JOBS_VARIABLE = "JOBS"  # workers of test, test-fast, build, check and sweep (`JOBS=1 make test`) unless -j N


def jobs_from_environment() -> int | None:
    """$JOBS as a number of workers (None when unset); ValueError naming it when it is not one."""
    text = os.environ.get(JOBS_VARIABLE, "").strip()
    if not text:
        return None
    try:
        return _jobs(text)
    except argparse.ArgumentTypeError as error:
        raise ValueError(f"{JOBS_VARIABLE}={error}") from None


def pytest_workers() -> tuple[str, ...]:
    """pytest on $JOBS workers, else on every core (pytest-xdist), a file to a worker: nbval runs a
    stored notebook's cells in order (tests/conftest.py gives the files that draw charts one worker)."""
    workers = jobs_from_environment() or os.cpu_count() or 1
    return ("-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder")


TOOLS_VENV = ".venv-tools"  # cffconvert's own environment: its dependencies clash with the main one's


def cffconvert() -> Path:
    """Where cffconvert, which checks CITATION.cff, is installed."""
    folder = paths.repo_root() / TOOLS_VENV
    return folder / "Scripts" / "cffconvert.exe" if os.name == "nt" else folder / "bin" / "cffconvert"


def _ensure_cffconvert() -> int:
    """Install cffconvert into its own environment if it is not there yet (as `make setup` does), so
    that the tests find it on every route: make, a plain venv, conda, Windows."""
    import subprocess

    if cffconvert().exists():
        return 0
    folder = paths.repo_root() / TOOLS_VENV
    print(f"Installing cffconvert into {TOOLS_VENV} (checks CITATION.cff; first run only)...", flush=True)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    constraints = paths.repo_root() / "tools-constraints.txt"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    return (
        subprocess.run([sys.executable, "-m", "venv", str(folder)]).returncode
        or subprocess.run([*install, "-c", str(constraints), "cffconvert"]).returncode
    )


def _run(*command: str) -> int:
    """A tool of this environment (`python -m ...`) in the repository root; its exit code.

    Ctrl-C is the tool's to handle (pytest prints its summary, JupyterLab asks before it stops):
    this process waits for it instead of reporting an interruption of its own."""
    import subprocess

    process = subprocess.Popen([sys.executable, "-m", *command], cwd=paths.repo_root())
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # after the start: the tool keeps the default
    # SIGTERM (`kill`, a CI job's timeout) is the tool's to handle too: passed on, then waited for.
    previous_term = signal.signal(signal.SIGTERM, lambda _number, _frame: process.send_signal(signal.SIGTERM))
    try:
        code = process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)
    return 128 - code if code < 0 else code  # ended by a signal: the shell's 128 + its number


def _layers() -> int:
    """The package's layers (pyproject.toml's [tool.importlinter]): no module imports from a layer above it."""
    import os

    from importlinter.cli import lint_imports

    previous = os.getcwd()
    os.chdir(paths.repo_root())  # where pyproject.toml is
    try:
        return lint_imports(no_cache=True, no_logo=True)  # no cache folder left in the checkout
    finally:
        os.chdir(previous)


def _tools(command: str, *extra: str) -> int:
    """lint, format, test, bench and lab: the make targets' jobs, without make."""
    linted = [folder for folder in LINTED if (paths.repo_root() / folder).is_dir()]  # a handout has no tests/
    if command == "lint":
        return _run("ruff", "check", *linted) or _run("ruff", "format", "--check", *linted) or _layers()
    if command == "format":
        fixed = _run("ruff", "check", "--fix", *linted)  # what it cannot fix (a long line) is said; format anyway
        return _run("ruff", "format", *linted) or (fixed and _run("ruff", "check", "--fix", *linted))
    if command in ("test", "test-fast"):
        try:
            workers = pytest_workers()
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if command == "test":
        if not (paths.repo_root() / "tests").is_dir():  # the students' copy: its figures verified, not rebuilt
            return _run("sovereign_ai", "validate") or _run("sovereign_ai", "check", "--quick")
        check = ("sovereign_ai", "check", "-j", workers[1])  # its rebuild on as many workers as pytest
        return _ensure_cffconvert() or _tools("lint") or _run(*check) or _run("pytest", *workers)
    if command == "test-fast":
        if not (paths.repo_root() / "tests").is_dir():
            print(
                "error: there is no tests/ folder here: the students' copy leaves the tests out. "
                "`make test` checks its notebooks; the full repository has the rest.",
                file=sys.stderr,
            )
            return 2
        os.environ["SOVEREIGN_AI_TEST_FAST"] = "1"  # tests/conftest.py: a test that starts a kernel fails
        fast = ("pytest", "tests", "-m", "not notebooks and not drawing and not browser", *workers)
        return _ensure_cffconvert() or _tools("lint") or _run(*fast)
    if command == "bench":
        return _run("sovereign_ai.engine.bench", *extra)
    assert command == "lab", command
    from sovereign_ai.engine import kernels

    problem = kernels.environment_problem()  # said now, not by each kernel JupyterLab would start
    if problem:
        print(f"error: {problem}.\nJupyterLab was not started.", file=sys.stderr)
        return 2
    # JupyterLab refuses to start as root (containers, CI machines) unless told it may.
    as_root = ["--allow-root"] if getattr(os, "geteuid", lambda: 1)() == 0 else []
    return _run("jupyterlab", *as_root, "notebooks/")


def _overrides(pairs: list[list[str]], notebooks: list[Path]) -> dict:
    """Command-line values converted by each parameter's rule (so '89' is a number, 'svg,pdf' a list)."""
    from sovereign_ai.parameters import ParameterError, briefly, declared_parameters, rule_for

    declared = {}
    for notebook in notebooks:
        declared |= declared_parameters(notebook)
    values, given = {}, {}
    for name, raw in pairs:
        if name not in declared:
            raise ParameterError(
                f"parameter {briefly(name)} is unknown; the notebooks' parameters are: {', '.join(declared)}"
            )
        if name in given:  # the last would win silently
            raise ParameterError(
                f"parameter {name!r} is given twice (-p {name} {given[name]}, -p {name} {raw}); give it once"
            )
        given[name] = raw
        value = rule_for(name).parse(name, raw)
        if isinstance(value, list) and len(set(value)) < len(value):
            value = list(dict.fromkeys(value))  # each value once: a list such as 0.1,0.1 would draw twice
            print(f"note: -p {name} {raw}: a value is given more than once; using {value}", file=sys.stderr)
        values[name] = value
    return values


def _print_params(notebook: Path) -> None:
    from sovereign_ai.engine.build import notebook_parameters
    from sovereign_ai.parameters import RULES

    declared = notebook_parameters(notebook)
    width = max(len(n) for n in declared)
    print(f"Parameters of {paths.relative(notebook)}:")
    for name, d in declared.items():
        allowed = RULES[name].allowed if name in RULES else "?"
        print(
            f"  {name:<{width}}  default {d.default!r}\n  {'':<{width}}  {d.help}\n  {'':<{width}}  allowed: {allowed}"
        )


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that a command stops the same clean way."""

    signum = signal.SIGTERM


def _terminate(_number, _frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)  # before the imports: a SIGTERM there would end the process silently
    try:
        code = _main(argv)
    except KeyboardInterrupt as interrupt:  # one the command did not report itself (as build, check, site do)
        print("Interrupted before any file was written: nothing was changed.", file=sys.stderr)
        code = 128 + getattr(interrupt, "signum", signal.SIGINT)
    except BrokenPipeError:  # the reader of the output left (`... | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's last flush must not fail
        code = 128 + 13  # as if ended by SIGPIPE, the shell's code for it
    # The result is decided and said. From here to the process's end (exit functions, then the modules'
    # teardown, where Python has put back the system's handlers and a Ctrl-C would end the process
    # silently by SIGINT) Ctrl-C and SIGTERM have nothing left to stop: ignored, the exit code stands.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    return code


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.root:
        if not (args.root / "figures.yaml").is_file():
            print(
                f"error: --root {args.root} is not a checkout of this project (it has no figures.yaml)", file=sys.stderr
            )
            return 2
        os.environ["SOVEREIGN_AI_ROOT"] = str(args.root.resolve())

    from sovereign_ai.data import DataError
    from sovereign_ai.engine import publish
    from sovereign_ai.engine.build import BuildError
    from sovereign_ai.engine.manifest import ManifestError
    from sovereign_ai.engine.prose import ProseError
    from sovereign_ai.labels import CatalogueError
    from sovereign_ai.parameters import ParameterError

    if getattr(args, "jobs", "none") is None:  # build, check and sweep: -j N, else $JOBS, else one per CPU
        try:
            args.jobs = jobs_from_environment()
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    publish.HOLD_SIGNALS_TO_EXIT = True  # the build reports those that came before its last line
    try:
        if args.command == "build":
            from sovereign_ai.engine.build import build, load_registry

            runs = load_registry()
            try:
                overrides = _overrides(args.parameter, sorted({r.notebook for r in runs}))
            except ParameterError as error:  # as the build says of every value it refuses
                raise BuildError(f"{error}\nNo notebook was run and nothing was written.") from None
            output_dir = paths.output_folder(args.output_dir) if args.output_dir else None
            outcome = build(overrides, args.only, output_dir, force=args.force, dry_run=args.dry_run, jobs=args.jobs)
            if args.refresh_notebooks and output_dir is None and not overrides and outcome.executed:
                # figures/ changed: so do the stored outputs of the notebooks that drew them (nbval checks them)
                from sovereign_ai.engine.refresh import refresh_all

                stems = {run.run_id: run.notebook.stem for run in runs}
                refresh_all(sorted({stems[r] for r in outcome.executed if r in stems}), jobs=args.jobs, out=sys.stdout)
            if args.refresh_notebooks and output_dir is None and not overrides and not args.dry_run:
                from sovereign_ai.engine import prose  # the numbers the README and the notebooks quote from figures/

                for path in prose.update():
                    print(f"Updated the numbers quoted in {paths.relative(path)}.")
        elif args.command == "check":
            from sovereign_ai.engine.build import STRAY, check

            problems = check(args.only, quick=args.quick, jobs=args.jobs)
            if not args.only and paths.figures_dir().is_dir():  # without figures/, every run is said to be unbuilt
                from sovereign_ai.engine import prose

                problems += prose.stale()
            if problems:
                rebuild = any(STRAY not in problem for problem in problems)  # a stray file is the user's to move
                print(
                    "figures/ is not what the build produces now:\n  "
                    + "\n  ".join(problems)
                    + ("\nRun `make figures` and commit the result." if rebuild else ""),
                    file=sys.stderr,
                )
                return 1
            print(
                "figures/ is current: every file equals a fresh build's."
                if not args.quick
                else "figures/ is current by its manifest (quick check: nothing rebuilt)."
            )
        elif args.command == "sweep":
            from sovereign_ai.engine.build import sweep

            sweep(_given_file(args.file), force=args.force, jobs=args.jobs, yes=args.yes)
        elif args.command == "params":
            _print_params(_given_file(args.notebook))
        elif args.command == "validate":
            from sovereign_ai import labels
            from sovereign_ai.data import table_names, validate_all

            validate_all()
            entries = labels.validate()
            print(f"data/: {len(table_names())} tables valid")
            where, catalogues = paths.relative(paths.labels_dir()), len(labels.catalogue_files())
            print(f"{where}/: {catalogues} catalogues of the charts' words valid ({entries} entries)")
        elif args.command == "site":
            from sovereign_ai.engine.site import build_site, site_folder

            site_dir = site_folder(paths.output_folder(args.output_dir) if args.output_dir else None)
            refusal = paths.refuse_output(site_dir, own="site")  # the one output rule of every route
            if refusal:
                print(f"error: {refusal}", file=sys.stderr)
                return 2
            try:
                index = build_site(site_dir)
            except KeyboardInterrupt as interrupt:  # before the new book was put in place
                print(f"Interrupted: {paths.relative(site_dir)}/ is unchanged.", file=sys.stderr)
                return 128 + getattr(interrupt, "signum", signal.SIGINT)
            print(f"book: {paths.relative(index)} (open it in a browser; see the README to publish it)")
        elif args.command == "clean":
            from sovereign_ai.engine.clean import Busy, clean

            try:
                removed = clean()
            except Busy as busy:
                print(f"error: {busy}", file=sys.stderr)
                return 2
            print(f"Removed {', '.join(removed)}; kept .venv/ and figures/." if removed else "Nothing to remove.")
        elif args.command == "refresh-notebooks":
            from sovereign_ai.engine.refresh import refresh_all

            refresh_all(args.names, out=sys.stdout)
        elif args.command == "handout":
            from sovereign_ai.engine.handout import HandoutError, write_handout

            try:
                folder = write_handout(paths.output_folder(args.folder))  # all or nothing
            except HandoutError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            print(f"handout for students (no worked solutions): {folder}")
        else:
            return _tools(args.command, *(["--suite"] if getattr(args, "suite", False) else []))
    except BuildError as error:
        print(f"error: {error}" if error.exit_code < 128 else str(error), file=sys.stderr)
        return error.exit_code
    except (DataError, CatalogueError, ManifestError, ParameterError, ProseError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # not an error to report: see main
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    return 0

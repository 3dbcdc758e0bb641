"""The build: run notebooks with papermill, only as often as their inputs require.

Everything that can be checked is checked before the first kernel starts: the
registry, every run's parameters, and the data. A run is skipped when the
output folder's manifest shows it was built from the same notebook,
parameters, data, package source and environment, and its files are there
unchanged. Runs that do execute work side by side in separate processes, each
with one warm kernel that runs its runs in turn from a clean state (a kernel's
start and the imports are paid once per worker, not once per run; a failed run
discards its kernel), each run into a staging folder. Their files are moved
into the output folder only when every run has succeeded, so a failed build
leaves the existing figures untouched; publishing takes the output folder's lock and is all or nothing,
even when the build is killed (sovereign_ai.engine.publish).

Why not a task runner such as doit: a run's data dependencies are only known
once it has run (the kernel logs the tables it reads), the record of what was
built must be the committed, byte-stable MANIFEST.json rather than a
machine-local database, and "current" must also mean "the published files
are still there, unchanged". With the manifest as the state, the rest is a
process pool.
"""

import contextlib
import copy
import csv
import difflib
import functools
import io
import itertools
import json
import multiprocessing.util
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from sovereign_ai import data, labels, paths, reads, safe_io
from sovereign_ai.charts import citations, text
from sovereign_ai.engine import kernels, manifest, notebook_code, publish
from sovereign_ai.engine.kernels import WarmRunner
from sovereign_ai.engine.workers import WorkerLost, run_each
from sovereign_ai.parameters import RULES, ParameterError, briefly, check_given, check_value, declared_parameters

CELL_TIMEOUT_S = 600
BUILD_SETS = ("name", "output_dir")  # parameters the build gives each run itself
NAME = re.compile(r"[a-z0-9_]+")  # figure names and sweep labels: they name files and folders


class BuildError(RuntimeError):
    """The build cannot go on; the message says why and what to do.

    exit_code follows the command line's convention: 2 when the build was refused before
    anything ran (bad input or usage), 1 when it ran and failed, 128 + signal when interrupted.
    """

    exit_code = 2


class BuildFailed(BuildError):
    """A run, or putting its files in place, failed."""

    exit_code = 1


class Interrupted(BuildError):
    """Ctrl-C or SIGTERM stopped the build; the message says what was left unchanged, or (published)
    that it came while the files were put in place, which was finished first."""

    def __init__(self, message: str, signum: int = signal.SIGINT, *, published: bool = False):
        super().__init__(message)
        self.exit_code = 128 + signum
        self.published = published


@dataclass(frozen=True)
class Run:
    """One execution of a notebook: its parameters, and where its files go."""

    figure: str  # the notebook's `name` parameter: the stem of the files it writes
    notebook: Path
    parameters: dict = field(default_factory=dict)
    label: str = ""  # a run id other than <figure>.<lang> (sweeps)
    subdir: str = ""  # folder below the output folder (sweeps)
    charts: tuple[str, ...] = ()  # the charts it saves, by part name (build --only <figure>_<chart>); () all
    kept_formats: tuple[str, ...] = ()  # the figure formats it puts in place (-p formats pdf into figures/); () all

    @property
    def run_id(self) -> str:
        if self.label:
            return self.label
        lang = self.parameters.get("lang")
        return f"{self.figure}.{lang}" if lang else self.figure

    @property
    def shown(self) -> str:
        """The run as the build's lines name it: its id, and the charts it saves if not all."""
        which = [f"{self.figure}_{part}" for part in self.charts] + [", ".join(self.kept_formats)] * bool(
            self.kept_formats
        )
        return f"{self.run_id} ({', '.join(which)})" if which else self.run_id

    def of_charts(self, name: str) -> bool:
        """Whether a file (by its name in the run's folder) is one of the charts the run saves: a figure
        file, caption or source data of one of them. Every file of the run, when it saves them all."""
        file = name.rpartition("/")[2]
        extension = file.rpartition(".")[2]
        if self.kept_formats and extension in RULES["formats"].choices and extension not in self.kept_formats:
            return False
        return not self.charts or any(file.startswith(f"{self.figure}_{part}.") for part in self.charts)

    def effective_parameters(self) -> dict:
        """Every parameter the notebook runs with (defaults, then the run's own), except output_dir."""
        values = {name: d.default for name, d in declared_parameters(self.notebook).items()}
        values.update(self.parameters)
        values["name"] = self.figure
        values.pop("output_dir", None)
        return values

    def formats(self) -> list[str]:
        return list(self.effective_parameters().get("formats", []))

    def check_outputs(self, files: list[str]) -> str | None:
        """What is wrong with the files a run wrote, or None: every file is named after the figure,
        and each requested format has at least one figure in the run's language."""
        strays = [f for f in files if not f.startswith(self.figure)]
        if strays:
            return f"wrote files not named after the figure {self.figure!r}: {', '.join(strays)}"
        lang = self.effective_parameters().get("lang")
        suffix = f".{lang}" if lang else ""
        unsaved = [part for part in self.charts if not any(f.startswith(f"{self.figure}_{part}.") for f in files)]
        if unsaved:
            stems = ", ".join(f"{self.figure}_{part}" for part in unsaved)
            return f"saved no chart {stems}: with these parameters the notebook does not draw it"
        missing = [
            fmt for fmt in self.kept_formats or self.formats() if not any(f.endswith(f"{suffix}.{fmt}") for f in files)
        ]
        if missing:
            return f"wrote no {', '.join(missing)} file"
        return None


# ---- Registry and plan -------------------------------------------------------------


def load_registry(registry: Path | None = None) -> list[Run]:
    """Every run listed in figures.yaml, in order."""
    registry = registry or paths.registry_file()
    shown = paths.relative(registry)
    entries, root = _read_yaml(registry)
    if entries is None:
        entries = {}
    if not isinstance(entries, dict):
        raise BuildError(f"{shown}: expected figure names, each with 'notebook:' and 'runs:'")
    runs = []
    for figure, entry in entries.items():
        where = f"{shown}, line {_line(root, figure)}, figure {figure!r}"
        if not isinstance(figure, str) or not NAME.fullmatch(figure):
            raise BuildError(
                f"{where}: a figure name may hold only lower-case letters, digits and '_' (it names the figure's files)"
            )
        if not isinstance(entry, dict) or "notebook" not in entry or not isinstance(entry.get("runs"), list):
            raise BuildError(f"{where}: expected 'notebook:' and a list of 'runs:'")
        notebook = _notebook(entry["notebook"], f"{shown}, line {_line(root, figure, 'notebook')}")
        for i, parameters in enumerate(entry["runs"]):
            if not isinstance(parameters, dict | None) or not all(isinstance(k, str) for k in parameters or {}):
                raise BuildError(
                    f"{shown}, line {_line(root, figure, 'runs', i)}, figure {figure!r}: run {i + 1} "
                    f"is {parameters!r}; write each run as parameters and values, e.g. '- lang: en'"
                )
            for name in BUILD_SETS:  # a value here would be ignored: the figure's name and figures/ are the build's
                if name in (parameters or {}):
                    raise BuildError(
                        f"{shown}, line {_line(root, figure, 'runs', i, name)}, figure {figure!r}: parameter {name!r} "
                        "is set by the build (the figure's name, and figures/); remove it"
                    )
            runs.append(Run(figure, notebook, dict(parameters or {})))
    for figure in entries:  # a chart of figure x is saved as x_<chart>.<lang>.*: x_roster would take its files
        if other := next((o for o in entries if figure.startswith(f"{o}_")), None):
            raise BuildError(
                f"{shown}, line {_line(root, figure)}, figure {figure!r}: its files could have the names of "
                f"figure {other!r}'s charts ({other}_<chart>.<lang>.<format>) and replace them; "
                f"choose a name that does not begin with '{other}_'"
            )
    return runs


def _read_yaml(path: Path):
    """A YAML file's value and its node tree (for line numbers); BuildError naming file and line
    for bad syntax, for tags (!!python/..., !!binary, ...), anchors and aliases, which the build's
    files never need, and for a key given twice in one mapping (YAML would keep the last silently)."""
    shown = paths.relative(path)
    if paths.is_special(Path(path)):
        raise BuildError(paths.not_a_file(Path(path), "a YAML file"))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{shown}: file not found") from None
    except UnicodeDecodeError:
        raise BuildError(f"{shown}: not UTF-8 text") from None
    except OSError as error:
        raise BuildError(f"{shown}: cannot be read ({error.strerror or error})") from None
    try:
        value, root = _parse_yaml(text)
        return copy.deepcopy(value), root  # the cached value stays as parsed, whatever callers do
    except _Refused as refused:
        raise BuildError(f"{shown}, line {refused.line}: {refused}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise BuildError(f"{shown}{line}: not valid YAML: {error.problem or error.context}") from None
    except yaml.reader.ReaderError as error:  # a control character, at an offset (libyaml's in bytes)
        if _SAFE_LOADER is yaml.SafeLoader:
            before = text[: error.position]
        else:
            before = text.encode("utf-8")[: error.position].decode("utf-8", "ignore")
        line = before.count("\n") + 1
        character = f"#x{error.character:04x}" if isinstance(error.character, int) else repr(error.character)
        raise BuildError(f"{shown}, line {line}: not valid YAML: the character {character} is not allowed") from None
    except yaml.YAMLError as error:
        raise BuildError(f"{shown}: not valid YAML: {error}") from None


# libyaml's parser where PyYAML has it (about 20 times faster than the pure-Python one, which
# the tests feel: they read figures.yaml hundreds of times).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    """Valid YAML that the build's files must not hold; the message, and the line."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


@functools.lru_cache(maxsize=8)
def _parse_yaml(text: str):
    """The value and node tree of a YAML text, refusing tags, anchors and aliases (an alias can
    expand a few lines into gigabytes) and repeated keys; cached by the text, so a process that
    reads an unchanged file again parses nothing."""
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        line = event.start_mark.line + 1
        if getattr(event, "tag", None):
            tag = event.tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise _Refused(f"the YAML tag {tag} is not allowed; write plain values", line)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("YAML anchors and aliases (&name, *name) are not allowed; write each value out", line)
    root = yaml.compose(text, Loader=_SAFE_LOADER)
    _refuse_repeated_keys(root)
    try:
        return yaml.load(text, Loader=_SAFE_LOADER), root
    except ValueError as error:  # a value YAML reads as a date that the calendar lacks: 2025-02-30
        bad = next((n for n in _scalars(root) if n.tag.endswith(":timestamp") and not _is_a_date(n.value)), None)
        line = bad.start_mark.line + 1 if bad else "?"
        raise _Refused(f"{bad.value if bad else 'a date'} is not a date in the calendar ({error})", line) from None


def _scalars(node):
    """Every scalar node of a YAML node tree, keys and values."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)


def _is_a_date(text: str) -> bool:
    try:
        yaml.load(text, Loader=_SAFE_LOADER)
    except ValueError:
        return False
    return True


def _refuse_repeated_keys(node) -> None:
    if isinstance(node, yaml.MappingNode):
        first: dict = {}
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":  # "<<: {...}" sets keys a second way
                raise _Refused("YAML merge keys (<<) are not allowed; write each value out", key.start_mark.line + 1)
            if isinstance(key, yaml.ScalarNode):
                if key.value in first:
                    raise _Refused(
                        f"{key.value!r} is given twice (also on line {first[key.value]}); keep one",
                        key.start_mark.line + 1,
                    )
                first[key.value] = key.start_mark.line + 1
            _refuse_repeated_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_repeated_keys(item)


def _line(node, *keys) -> int | str:
    """The line of a key (or list item) in a YAML node tree, or '?'."""
    line = "?"
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(key)]
            if not found:
                return line
            line, node = found[0][0].start_mark.line + 1, found[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _notebook(relative, where: str) -> Path:
    """The notebook a registry or sweep entry names, checked to be one papermill can run."""
    if not isinstance(relative, str):
        raise BuildError(f"{where}: 'notebook:' must be a path such as notebooks/four_reasons.ipynb")
    notebook = paths.repo_root() / relative
    if not notebook.exists():
        raise BuildError(f"{where}: notebook {relative} does not exist")
    notebook_parameters(notebook, where)
    return notebook


def notebook_parameters(notebook: Path, where: str = "") -> dict:
    """The parameters a notebook declares; BuildError when the file is not a notebook with a parameters cell."""
    shown = paths.relative(notebook)
    prefix = f"{where}: " if where else ""
    if not notebook.exists():
        raise BuildError(f"{prefix}{shown} does not exist")
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise BuildError(f"{prefix}{shown} is not a Jupyter notebook (a .ipynb file)")
    try:
        return declared_parameters(notebook)
    except ParameterError as error:  # it names the notebook's parameters cell, where the fault is
        raise BuildError(str(error)) from None
    except UnicodeDecodeError:
        reason = "it is not UTF-8 text"
    except json.JSONDecodeError as error:
        reason = f"it is not JSON (line {error.lineno}: {error.msg})"
    except (KeyError, TypeError, AttributeError):
        reason = "it has no list of cells"
    except (SyntaxError, ValueError) as error:
        reason = f"its parameters cell is not plain Python values ({error})"
    raise BuildError(f"{prefix}{shown} is not a Jupyter notebook papermill can run: {reason}")


def plan(runs: list[Run], overrides: dict, only: list[str] | None = None) -> list[Run]:
    """The runs to consider, with overrides applied and every parameter checked; no kernel is started."""
    if only:
        runs = _selected(runs, only)
    for name in BUILD_SETS:
        if name in overrides:
            raise BuildError(f"parameter {name!r} is set by the build; use --output-dir or figures.yaml instead")
    known = set().union(*(notebook_parameters(n) for n in {r.notebook for r in runs})) if runs else set()
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise BuildError(
            f"parameter {briefly(unknown[0])} is unknown; the notebooks' parameters are: {', '.join(sorted(known))}"
        )
    for name, value in overrides.items():  # a bad value is said once, not as the first run's
        try:
            check_value(name, value)
        except ParameterError as error:
            raise BuildError(str(error)) from None
    # An override of a parameter that the registry's runs set themselves (-p lang en) selects the
    # runs with that value, so one language is built once; when no run has it, it overrides them all.
    for name, value in overrides.items():
        chosen = [r for r in runs if r.parameters.get(name, value) == value]
        if any(name in r.parameters for r in runs) and chosen:
            runs = chosen
    planned, owners = [], {}
    for run in runs:
        # an override applies to the runs whose notebook declares it (-p as_of only touches the
        # cloud notebook); names no notebook declares were refused above
        for kind, value in (("figure name", run.figure), ("label", run.label), ("folder", run.subdir)):
            if value and not NAME.fullmatch(value):
                raise BuildError(
                    f"{run.run_id}: the {kind} {value!r} may hold only lower-case letters, digits "
                    "and '_' (it names files and folders)"
                )
        declared = notebook_parameters(run.notebook)
        parameters = run.parameters | {k: v for k, v in overrides.items() if k in declared}
        try:
            checked = check_given(run.notebook, parameters)
        except ParameterError as error:
            raise BuildError(f"{run.run_id} ({run.parameters}): {error}") from None
        for name, value in checked.items():
            if isinstance(value, list) and len(set(map(repr, value))) < len(value):
                repeated = sorted({repr(v) for v in value if value.count(v) > 1})
                raise BuildError(
                    f"{run.run_id} ({run.parameters}): parameter {name!r} lists "
                    f"{', '.join(repeated)} more than once; give each value once"
                )
        final = replace(run, parameters=checked)
        # the files a run writes are named by its figure and the language it draws in, given or
        # not: `- {width_mm: 89}` draws in the default language, over the files of `- lang: ja`
        lang = checked.get("lang", declared["lang"].default if "lang" in declared else None)
        stem = f"{run.subdir + '/' if run.subdir else ''}{run.figure}{'.' + lang if lang else ''}"
        if stem in owners:
            default = "" if "lang" in checked or lang is None else f" (a run that sets no lang draws in {lang!r})"
            raise BuildError(
                f"two runs of {final.figure} would both write {stem}.*: {owners[stem]} and {final.parameters}"
                f"{default}; give each its own lang, or build the other as a variant (-p, --output-dir)"
            )
        owners[stem] = final.parameters
        planned.append(final)
    return planned


def _selected(runs: list[Run], only: list[str]) -> list[Run]:
    """The runs --only names: a figure's runs whole; for a chart's file stem (<figure>_<chart>, as in
    figures/<figure>_<chart>.<lang>.pdf), its figure's runs, saving that chart alone. A name that is
    neither is refused, with the nearest names and every one allowed."""
    figures = list(dict.fromkeys(run.figure for run in runs))
    whole, parts, charts = set(), {}, None
    for name in only:
        if name in figures:
            whole.add(name)
            continue
        if charts is None:  # the notebooks' code is read only for a name that is not a figure's
            charts = chart_stems(runs)
        if name not in charts:
            near = _nearest(name, [*figures, *charts])
            meant = f" (did you mean {' or '.join(map(repr, near))}?)" if near else ""
            raise BuildError(
                f"figure {name!r} is not in figures.yaml, nor is it one of their charts{meant}; the figures are: "
                f"{', '.join(sorted(figures))}; their charts: {', '.join(sorted(charts)) or 'none'}"
            )
        figure, part = charts[name]
        parts.setdefault(figure, set()).add(part)
    return [
        run if run.figure in whole else replace(run, charts=tuple(sorted(parts[run.figure])))
        for run in runs
        if run.figure in whole or run.figure in parts
    ]


def _is_figures(folder: Path) -> bool:
    try:
        return Path(folder).resolve() == paths.figures_dir().resolve()
    except (RuntimeError, OSError):  # a link that loops: refuse_destination says so
        return False


def _variant_overrides(registry: list[Run], runs: list[Run], overrides: dict) -> list[str]:
    """The overrides that make variants: all but those that every planned run has in figures.yaml
    already (-p lang en, which picks the English runs)."""
    given = {r.run_id: r.parameters for r in registry}
    return [
        name
        for name, value in overrides.items()
        if not all(name in given.get(r.run_id, {}) and given[r.run_id][name] == value for r in runs)
    ]


def _nearest(name: str, allowed: list[str]) -> list[str]:
    """The allowed names nearest to a mistyped one: the closest, and any as close."""
    ratio = {a: difflib.SequenceMatcher(None, name, a).ratio() for a in allowed}
    best = max(ratio.values(), default=0)
    return sorted(a for a, r in ratio.items() if r >= max(0.6, best - 0.02))


def chart_stems(runs: list[Run]) -> dict[str, tuple[str, str]]:
    """The file stem of each chart the runs' notebooks save apart from their figure's own
    (<figure>_<chart>): its figure and part name, read from the notebooks' code."""
    stems = {}
    for figure, notebook in dict.fromkeys((run.figure, run.notebook) for run in runs):
        for part in notebook_code.chart_parts(notebook):
            if part:
                stems[f"{figure}_{part}"] = (figure, part)
    return stems


def _partial_overrides(runs: list[Run], overrides: dict) -> list[str]:
    """A note for each -p that only some of the runs' notebooks declare: the others build as
    they are (-p show_title false leaves the charts that have no such parameter titled)."""
    notebooks = sorted({run.notebook for run in runs})
    notes = []
    for name in overrides:
        taking = [n.stem for n in notebooks if name in notebook_parameters(n)]
        if len(taking) < len(notebooks):
            notes.append(
                f"Note: -p {name} applies to {len(taking)} of {len(notebooks)} notebooks ({', '.join(taking)}); "
                f"the others have no such parameter and build as they are."
            )
    return notes


# ---- What a run depends on, and whether it is current ---------------------------------


def inputs_record(run: Run, data_files, modules=()) -> dict:
    """Everything a run's outputs depend on, as stored in the manifest."""
    return {
        "notebook": paths.relative(run.notebook),
        "notebook_sha256": manifest.notebook_code_sha256(run.notebook),
        "parameters": run.effective_parameters(),
        "data_sha256": {f: data.input_sha256(f) for f in sorted(set(data_files))},
        "package": manifest.package_record(modules),
        "environment": manifest.environment_record(),
    }


def _recorded(run: Run, recorded: dict) -> tuple[dict[str, dict], dict[str, str]]:
    """The records a manifest holds of a run's files (of its charts, when it saves some only), by
    key, and those files with their SHA-256."""
    records, produced = {}, {}
    for name, entry in recorded["files"].items():
        keys = [key for key in entry["runs"] if manifest.run_of(key) == run.run_id]
        if keys and run.of_charts(name):
            records.update({key: recorded["runs"][key] for key in keys})
            produced[name] = entry["sha256"]
    return records, produced


def stale_reasons(run: Run, recorded: dict, output_dir: Path) -> list[str]:
    """Why a run must execute again; empty when its files in output_dir are current.
    recorded: the output folder's manifest (manifest.read)."""
    records, produced = _recorded(run, recorded)
    if not records:
        return [f"not built yet in {paths.relative(output_dir)}/"]
    reasons = []
    for _key, record in sorted(records.items()):
        for reason in _changed_inputs(run, record["inputs"]):
            if reason not in reasons:
                reasons.append(reason)
    saved = sorted({part for record in records.values() for part in record.get("charts", [])})
    if not run.charts and saved:
        stems = ", ".join(f"{run.figure}_{part}" for part in saved)
        reasons.append(f"only {'its chart' if len(saved) == 1 else 'its charts'} {stems} built")
    kept = sorted({fmt for record in records.values() for fmt in record.get("formats", [])})
    if not run.kept_formats and kept:
        reasons.append(f"only its {', '.join(kept)} files built")
    for name, sha in sorted(produced.items()):
        path = output_dir / name
        if not path.exists():
            reasons.append(f"output {name} is missing")
        elif manifest.sha256_file_cached(path) != sha:
            reasons.append(f"output {name} was modified")
    return reasons


def _changed_inputs(run: Run, recorded: dict) -> list[str]:
    """What differs between a run's inputs now and those recorded."""
    current = inputs_record(run, recorded["data_sha256"], recorded["package"].get("modules_sha256", ()))
    reasons = []
    if current["notebook_sha256"] != recorded["notebook_sha256"]:
        reasons.append(f"notebook {current['notebook']} changed")
    if current["parameters"] != recorded["parameters"]:
        changed = sorted(
            k
            for k in set(current["parameters"]) | set(recorded["parameters"])
            if current["parameters"].get(k) != recorded["parameters"].get(k)
        )
        reasons.append(f"parameters changed: {', '.join(changed)}")
    changed_data = [f for f, sha in current["data_sha256"].items() if sha != recorded["data_sha256"].get(f)]
    changed_words = [labels.read_file_and_language(f) for f in changed_data if labels.is_read(f)]
    changed_data = [f for f in changed_data if not labels.is_read(f)]
    if changed_data:
        reasons.append(f"data changed: {', '.join(changed_data)}")
    if changed_words:
        reasons.append(f"words changed: {', '.join(f'{file} ({lang})' for file, lang in changed_words)}")
    if current["package"] != recorded["package"]:
        before = recorded["package"].get("modules_sha256", {})
        changed = [m for m, sha in current["package"].get("modules_sha256", {}).items() if before.get(m) != sha]
        reasons.append(f"package code changed: {', '.join(changed)}" if changed else "package version changed")
    if current["environment"] != recorded["environment"]:
        reasons.append("environment changed")
    return reasons


# ---- Executing runs ------------------------------------------------------------------------


_runner = WarmRunner()  # this worker's kernel, kept from one run to the next
multiprocessing.util.Finalize(None, _runner.close, exitpriority=10)  # a worker's exit shuts it down


def _execute(job: dict) -> dict:
    """Run one notebook with papermill on this worker's warm kernel, in the folder of the run's
    notebook; never raises. A run that fails discards the kernel (kernels.WarmRunner)."""
    started = time.perf_counter()
    try:
        Path(job["staging"]).mkdir(parents=True, exist_ok=True)
        Path(job["executed"]).unlink(missing_ok=True)  # a run stopped before its end writes none
        _runner.run(
            job["notebook"],
            job["executed"],
            job["parameters"],
            cwd=job["cwd"],
            environment=job.get("environment") or {reads.READS_LOG_VARIABLE: job["reads_log"]},
            log=job["kernel_log"],
            label=job["run_id"],
            timeout=CELL_TIMEOUT_S,
        )
        error = None
    except Exception as exc:  # papermill raises its own types; all end the build
        reason = getattr(exc, "evalue", None) or str(exc)
        error = f"{getattr(exc, 'ename', type(exc).__name__)}: {reason}"
    kernel_log = Path(_runner.log or job["kernel_log"]).name
    seconds = time.perf_counter() - started
    return {
        "run_id": job["run_id"],
        "shown": job.get("shown", job["run_id"]),
        "error": error,
        "seconds": seconds,
        "kernel_log": kernel_log,
    }


def default_jobs() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Listing:
    """The runs a folder holds exactly, where they are listed, and the runs it held from that list
    before (None: every run in the folder is of the list)."""

    source: str
    runs: frozenset[str]
    before: frozenset[str] | None = None


@dataclass
class Outcome:
    """What a build did."""

    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # files no run writes any more


def build(
    overrides: dict | None = None,
    only: list[str] | None = None,
    output_dir: Path | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    jobs: int | None = None,
    runs: list[Run] | None = None,
    list_files: bool = True,
    holds: Listing | None = None,
    publish_each: bool = False,
    out=None,
) -> Outcome:
    """Check everything, run the runs whose inputs changed, then move their outputs into output_dir
    (listing each file with its size when output_dir is not figures/, unless list_files is false).
    holds: the runs output_dir holds exactly, if not figures.yaml's in figures/ (a sweep's).
    publish_each: put each run's files in place as it finishes (a sweep's), so that a stop keeps them."""
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    started = time.perf_counter()
    output_dir = Path(output_dir) if output_dir else paths.figures_dir()
    shown = paths.relative(output_dir) + "/"
    registry = runs if runs is not None else load_registry()
    overrides = dict(overrides or {})
    try:
        runs = plan(registry, overrides, only)
        picked, given = overrides.get("formats"), {r.run_id: r for r in registry}
        if (
            _is_figures(output_dir)
            and holds is None
            and picked
            and all(r.run_id in given and set(picked) <= set(given[r.run_id].formats()) for r in runs)
        ):
            # some of the formats figures.yaml's runs write: they run as figures.yaml has them, and only
            # these formats are put in place (no variant)
            del overrides["formats"]
            runs = [replace(r, kept_formats=tuple(picked)) for r in plan(registry, overrides, only)]
    except BuildError as error:
        raise BuildError(f"{error}\nNo notebook was run and nothing was written.") from None
    for note in _partial_overrides(runs, overrides or {}):
        print(note, file=out)
    checking = os.path.abspath(output_dir) in _CHECK_FOLDERS  # check's own temporary folder, refused to others
    problem = (
        None
        if checking
        else publish.refuse_destination(
            output_dir,
            variants=bool(_variant_overrides(registry, runs, overrides)),
            labelled=any(r.label for r in runs),
        )
    ) or publish.refuse_folder(output_dir, create=not dry_run)
    if problem:
        raise BuildError(f"{problem}\nNo notebook was run and nothing was written.")
    work = publish.work_folder(out)
    area = publish.area(work, output_dir, create=not dry_run)
    if dry_run:
        return _dry_run(runs, output_dir, area, force, only, holds, out)
    publish.prune_areas(work, keep=area)
    kept = [] if publish_each else None  # with publish_each: the runs whose files are in place
    try:
        with publish.locked(area, shown, out):
            publish.recover(output_dir, area, out)
            return _build_locked(runs, output_dir, area, work, force, only, jobs, list_files, holds, out, started, kept)
    except KeyboardInterrupt as interrupt:
        if kept:
            raise Interrupted(
                f"Interrupted: {_kept_said(kept, shown)}", getattr(interrupt, "signum", signal.SIGINT), published=True
            ) from None
        raise Interrupted(
            f"Interrupted: {shown} is unchanged (no file in it was replaced).",
            getattr(interrupt, "signum", signal.SIGINT),
        ) from None


def _dry_run(runs: list[Run], output_dir: Path, area: Path, force: bool, only, holds, out) -> Outcome:
    try:  # as the build would, before it runs anything: "would execute" must not hide a refusal
        data.validate_all()
        labels.validate()
    except (data.DataError, labels.CatalogueError) as error:
        raise BuildError(f"{error}\nNo notebook was run and nothing was written.") from None
    recorded, reasons = _reasons(runs, output_dir, force, only)
    for run in runs:
        why = "; ".join(reasons[run.run_id]) or "up to date"
        print(f"{'run ' if reasons[run.run_id] else 'skip'} {run.shown:<28} {why}", file=out)
    listing = _listing(output_dir, holds)
    for name in [] if only else _files_of_runs_gone(recorded, listing):
        if not any(_would_write(run, name) for run in runs):  # a run renamed in figures.yaml keeps its files
            print(f"remove {name}: no run in {listing.source} writes it any more", file=out)
    left = publish.pending(output_dir, area)
    if left:
        print(f"note: {left}", file=out)
    todo = [r for r in runs if reasons[r.run_id]]
    print(f"{len(todo)} of {len(runs)} runs would execute into {paths.relative(output_dir)}/", file=out)
    return Outcome(skipped=[r.run_id for r in runs if not reasons[r.run_id]])


def _would_write(run: Run, name: str) -> bool:
    """Whether name is one of the run's files by its name: <figure>[_<chart>][.<lang>].<kind> in its folder."""
    folder, _, file = name.rpartition("/")
    lang = run.effective_parameters().get("lang")
    return (
        folder == (run.subdir or "")
        and (file.startswith(f"{run.figure}.") or file.startswith(f"{run.figure}_"))
        and (not lang or f".{lang}." in file or file.count(".") == 1)
    )


def _reasons(runs: list[Run], output_dir: Path, force: bool, only) -> tuple[dict, dict[str, list[str]]]:
    """The output folder's manifest, and why each run must execute (empty: it is current)."""
    recorded = _read_manifest(output_dir, force, only)
    return recorded, {r.run_id: (["--force"] if force else stale_reasons(r, recorded, output_dir)) for r in runs}


def _read_manifest(output_dir: Path, force: bool, only) -> dict:
    """The output folder's manifest; an unreadable manifest is rebuilt by a full --force build."""
    try:
        return manifest.read(output_dir)
    except manifest.ManifestError as error:
        if force and not only:
            return manifest.empty()  # every run executes and the manifest is written anew
        raise BuildError(f"{error}\nNo notebook was run and nothing was written.") from None


def _build_locked(runs, output_dir, area, work, force, only, jobs, list_files, holds, out, started, kept) -> Outcome:
    """The build proper, holding the output folder's lock; kept (a list) asks for each run's files to
    be put in place as it finishes, and is given the runs that were."""
    shown = paths.relative(output_dir) + "/"
    recorded, reasons = _reasons(runs, output_dir, force, only)
    todo = [r for r in runs if reasons[r.run_id]]
    outcome = Outcome(skipped=[r.run_id for r in runs if not reasons[r.run_id]])
    listing = _listing(output_dir, holds)
    gone = [] if only else _files_of_runs_gone(recorded, listing)
    # Every table, even when nothing is stale: a bad row that no run reads yet, such as a new source
    # not cited so far, is named now rather than when a chart first cites it.
    try:
        _validate_data()
    except (data.DataError, labels.CatalogueError) as error:
        raise BuildError(f"{error}\nNo notebook was run and {shown} is unchanged.") from None
    if not todo and gone:
        return _remove_files_of_runs_gone(gone, recorded, output_dir, area, listing, outcome, out)
    if not todo:
        if publish.HOLD_SIGNALS_TO_EXIT:  # decided: nothing to run or write, so nothing left to stop
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, signal.SIG_IGN)
        every = "The 1 run is" if len(runs) == 1 else f"All {len(runs)} runs are"
        print(
            f"{every} up to date in {shown}: their notebooks, parameters, data and code match "
            f"{shown}{manifest.MANIFEST_NAME} and their files are unchanged, so nothing was rebuilt "
            "(`check` rebuilds to compare byte for byte; --force rebuilds).",
            file=out,
        )
        return outcome

    staging_root = Path(tempfile.mkdtemp(prefix="staging-", dir=area))
    problem = kernels.environment_problem()
    if problem:
        raise BuildError(f"{problem}\nNo notebook was run and {shown} is unchanged.")
    runs_started_ns = _stamp(staging_root)
    workers = max(1, min(jobs or default_jobs(), len(todo)))
    print(
        f"Running {len(todo)} of {len(runs)} runs ({len(outcome.skipped)} up to date) "
        f"on {workers} worker{'s' if workers > 1 else ''}:",
        file=out,
        flush=True,
    )
    executed = _executed_folder(work, area, output_dir)
    job_list = [_job(run, staging_root, executed) for run in todo]
    if kept is not None:
        try:
            received = _publish_each(
                todo,
                job_list,
                workers,
                staging_root,
                output_dir,
                recorded,
                outcome,
                area,
                gone,
                runs_started_ns,
                executed,
                kept,
                out,
            )
        except WorkerLost as lost:
            raise BuildFailed(f"The build stopped: {lost}.\n{_kept_said(kept, shown)}") from None
        finally:
            shutil.rmtree(staging_root, ignore_errors=True)
        return _summary(outcome, output_dir, list_files, started, received, shown, out, todo)
    try:
        results = _run_jobs(job_list, workers, out)
        order = {run.run_id: i for i, run in enumerate(todo)}  # figures.yaml's, not the order they failed in
        failures = sorted((r for r in results if r["error"]), key=lambda r: order[r["run_id"]])
        if failures:
            lines = [_failure(f, executed / f"{f['run_id']}.ipynb") for f in failures]
            raise BuildFailed("\n".join(lines) + f"\n{shown} is unchanged.")
        try:
            received = _publish(todo, staging_root, output_dir, recorded, outcome, area, gone, runs_started_ns)
        except publish.PublishError as error:
            raise BuildFailed(str(error)) from None
    except WorkerLost as lost:
        raise BuildFailed(f"The build stopped: {lost}.\n{shown} is unchanged; run the build again.") from None
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    outcome.executed = [r.run_id for r in todo]
    return _summary(outcome, output_dir, list_files, started, received, shown, out, todo)


def _summary(outcome, output_dir: Path, list_files: bool, started: float, received: list, shown: str, out, ran=()):
    """What the build wrote, said in its last lines (check says what it compared instead)."""
    if os.path.abspath(output_dir) in _CHECK_FOLDERS and not received:
        return outcome
    # a variant, or some charts of a figure: each file and its size
    if list_files and (not _is_figures(output_dir) or any(run.charts or run.kept_formats for run in ran)):
        for path in sorted(outcome.written):
            size = file_size_mm(path)
            print(f"  {path}" + ("  " + text.size_note(*size) if size else ""), file=out)
    print(
        f"{_counted(len(outcome.written), 'file')} written to {shown} ({len(outcome.changed)} changed), "
        + (
            f"{_counted(len(outcome.removed), 'file')} removed (no run writes "
            f"{'it' if len(outcome.removed) == 1 else 'them'} any more), "
            if outcome.removed
            else ""
        )
        + f"{_counted(len(outcome.skipped), 'run')} up to date, in {time.perf_counter() - started:.1f} s",
        file=out,
        flush=True,
    )
    if received:
        raise Interrupted(
            f"Interrupted while publishing: it was finished first, so {shown} holds this build's files, complete.",
            received[0],
            published=True,
        )
    return outcome


def _publish_each(
    todo, jobs, workers, staging_root, output_dir, recorded, outcome, area, gone, started_ns, executed, kept, out
) -> list[int]:
    """Run the jobs, putting each run's files in place (with the manifest) as soon as it finishes, so
    that a stop keeps every finished run and the next build runs only the rest. A failed run is
    reported at the end; the others are kept. Returns the signals held back while publishing."""
    shown = paths.relative(output_dir) + "/"
    by_id = {run.run_id: run for run in todo}
    failures, received, done = [], [], 0
    for result in run_each(_execute, jobs, workers):
        done += 1
        if result["error"]:
            print(f"  [{done}/{len(jobs)}] {result['shown']:<28} FAILED", file=out, flush=True)
            failures.append(result)
            continue
        part = Outcome()
        # A commit holds Ctrl-C and SIGTERM from its renames on (recording them in the list it returns);
        # they are given back once the run is counted as kept, so that the runs still to come can be stopped.
        handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            held = _publish([by_id[result["run_id"]]], staging_root, output_dir, recorded, part, area, gone, started_ns)
        except publish.PublishError as error:
            raise BuildFailed(f"{error}\n{_kept_said(kept, shown)}") from None
        except BuildFailed as failed:
            raise BuildFailed(f"{failed}\n{_kept_said(kept, shown)}") from None
        gone = []  # removed with the first run's files
        kept.append(result["run_id"])
        outcome.executed.append(result["run_id"])
        outcome.written += part.written
        outcome.changed += part.changed
        outcome.removed += part.removed
        shutil.rmtree(staging_root / result["run_id"], ignore_errors=True)
        # said once its files are in place: a stop from here on keeps them
        print(f"  [{done}/{len(jobs)}] {result['shown']:<28} done in {result['seconds']:.1f} s", file=out, flush=True)
        if len(kept) < len(jobs):
            for number, handler in handlers.items():
                if handler is not None:
                    signal.signal(number, handler)
        received += held
        if received:  # a Ctrl-C or SIGTERM came while it was put in place: stop now
            raise Interrupted(f"Interrupted: {_kept_said(kept, shown)}", received[0], published=True)
    if failures:
        order = {run.run_id: i for i, run in enumerate(todo)}
        failures.sort(key=lambda r: order[r["run_id"]])
        lines = [_failure(f, executed / f"{f['run_id']}.ipynb") for f in failures]
        raise BuildFailed("\n".join(lines) + f"\n{_kept_said(kept, shown)}")
    return received


def _kept_said(kept: list[str], shown: str) -> str:
    """Where a stopped sweep stands: the runs kept, and what the next one does."""
    if not kept:
        return f"{shown} is unchanged."
    runs, verb = _counted(len(kept), "run"), "is" if len(kept) == 1 else "are"
    return f"the {runs} that finished {verb} in {shown}, complete; running it again runs only the rest."


VALIDATED_NAME = "validated.json"  # in build/: the stat of every file the last valid data was checked with


def _validate_data() -> None:
    """data.validate_all() and labels.validate() (the catalogues of the charts' words), unless no
    data file, no catalogue and no module of their checks changed (by size, modification time and
    inode) since they were last found valid: a no-op build's tenth of a second."""
    import sovereign_ai

    package = Path(sovereign_ai.__file__).parent
    checked = [
        *sorted(paths.data_dir().glob("*")),
        *labels.catalogue_files(),
        package / "data.py",
        package / "labels.py",
        package / "checks" / "descriptor_check.py",
    ]
    try:
        stamp = [[str(p), *manifest.stamp_of(p)] for p in checked if p.is_file()]
    except OSError:
        stamp = None
    record = paths.build_dir() / VALIDATED_NAME
    try:
        if stamp is not None and json.loads(record.read_text(encoding="utf-8")) == stamp:
            return
    except (OSError, ValueError):
        pass
    data.validate_all()
    labels.validate()
    if stamp and all(time.time_ns() - entry[2] > manifest.RECENT_NS for entry in stamp) and record.parent.is_dir():
        with contextlib.suppress(OSError):  # a read-only checkout: validated again next time
            safe_io.write_bytes(record, json.dumps(stamp).encode("utf-8"))


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def file_size_mm(path: Path) -> tuple[float, float] | None:
    """A figure file's width and height in millimetres, read from the file; None for other files."""
    import re

    mm_per_pt = 25.4 / 72
    if path.suffix == ".pdf":
        box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", path.read_bytes())
        return (float(box[1]) * mm_per_pt, float(box[2]) * mm_per_pt) if box else None
    if path.suffix == ".svg":
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        width, height = re.search(r'width="([\d.]+)pt"', head), re.search(r'height="([\d.]+)pt"', head)
        return (float(width[1]) * mm_per_pt, float(height[1]) * mm_per_pt) if width and height else None
    if path.suffix == ".png":
        import warnings

        from PIL import Image

        # Our own file, read for its header: at 1200 dpi and 250 mm it passes Pillow's guard against
        # decompression bombs, which would warn, or refuse it.
        previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            with warnings.catch_warnings(), Image.open(path) as image:
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                dpi = image.info.get("dpi", (72, 72))
                return image.width / dpi[0] * 25.4, image.height / dpi[1] * 25.4
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    return None


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _executed_folder(work: Path, area: Path, output_dir: Path) -> Path:
    """Where the executed notebooks go: build/executed/ for figures/; for any other output folder,
    its own folder in its area, so that builds into different folders never share one."""
    if output_dir.resolve() == paths.figures_dir().resolve():
        return work / publish.EXECUTED
    return area / publish.EXECUTED


def _failure(result: dict, notebook: Path) -> str:
    """What a failed run says: its error, and the executed notebook (up to the failing cell) if
    papermill wrote one: a run stopped by a timeout or a dead kernel ends before writing it."""
    log = f"kernel log: {result['kernel_log']}"
    # a warm kernel's log is named after the first run it ran: this run's part starts at its line
    part = "" if result["kernel_log"] == f"{result['run_id']}.kernel.log" else f", from '--- {result['run_id']} ---'"
    if notebook.exists():
        where = f"The executed notebook is {paths.relative(notebook)} ({log} beside it{part})."
    else:
        folder = paths.relative(notebook.parent)
        where = f"It stopped before writing its executed notebook ({log} in {folder}/{part})."
    return f"{result['run_id']} failed: {result['error']}\n  {where}"


def _job(run: Run, staging_root: Path, executed: Path) -> dict:
    reads_log = _ensure(staging_root / ".reads") / f"{run.run_id}.txt"
    staging = staging_root / run.run_id
    environment = {reads.READS_LOG_VARIABLE: str(reads_log)}
    if run.charts:  # the notebook runs whole; only these charts are saved
        environment[reads.SAVE_ONLY_VARIABLE] = ",".join(run.charts)
    return {
        "run_id": run.run_id,
        "shown": run.shown,
        "environment": environment,
        "notebook": str(run.notebook),
        "cwd": str(run.notebook.parent),
        "executed": str(_ensure(executed) / f"{run.run_id}.ipynb"),
        "kernel_log": str(executed / f"{run.run_id}.kernel.log"),
        "staging": str(staging),
        "reads_log": str(reads_log),
        "parameters": run.parameters | {"name": run.figure, "output_dir": str(staging)},
    }


def _run_jobs(jobs: list[dict], workers: int, out) -> list[dict]:
    """Execute the jobs in worker processes (sovereign_ai.engine.workers), printing one line as each finishes."""
    results = []
    for result in run_each(_execute, jobs, workers):
        results.append(result)
        status = "FAILED" if result["error"] else f"done in {result['seconds']:.1f} s"
        print(f"  [{len(results)}/{len(jobs)}] {result['shown']:<28} {status}", file=out, flush=True)
    return results


def _publish(
    runs: list[Run],
    staging_root: Path,
    output_dir: Path,
    recorded: dict,
    outcome: Outcome,
    area: Path,
    gone=(),
    runs_started_ns: int | None = None,
) -> list[int]:
    """Check every staged file, then put them into output_dir with its updated manifest (recorded,
    updated in place), all or nothing (publish.commit); returns the signals held back meanwhile."""
    chosen: dict[str, tuple[Path, list[Run]]] = {}
    problems = []
    for run in runs:
        staging = staging_root / run.run_id
        staged = sorted(p for p in staging.iterdir() if not p.name.startswith(".")) if staging.exists() else []
        staged = [p for p in staged if run.of_charts(p.name)]  # saving some charts: theirs, not its metrics table
        problem = run.check_outputs([p.name for p in staged])
        if problem:
            problems.append(f"{run.run_id} {problem}")
        for path in staged:
            name = f"{run.subdir}/{path.name}" if run.subdir else path.name
            if name in chosen and chosen[name][0].read_bytes() != path.read_bytes():
                problems.append(f"{name} differs between runs {chosen[name][1][0].run_id} and {run.run_id}")
            chosen.setdefault(name, (path, []))[1].append(run)
    if problems:
        raise BuildFailed("; ".join(problems) + f"; {paths.relative(output_dir)}/ is unchanged.")
    reads_of = {r.run_id: _data_read(staging_root, r) for r in runs}
    changed = {r.run_id: _changed_since(r, reads_of[r.run_id], runs_started_ns) for r in runs}
    said = [
        f"{run_id} read {', '.join(names)}, changed while the build ran" for run_id, names in changed.items() if names
    ]
    if said:  # its manifest could not say which version each file came from
        raise BuildFailed("\n".join(said) + f"\n{paths.relative(output_dir)}/ is unchanged; run the build again.")

    inputs = {}
    for r in runs:
        read = reads_of[r.run_id]
        modules = [e[len(reads.MODULE_PREFIX) :] for e in read if e.startswith(reads.MODULE_PREFIX)]
        inputs[r.run_id] = inputs_record(r, [e for e in read if not e.startswith(reads.MODULE_PREFIX)], modules)
    # Files the rerun runs made before but not now are removed with their entries (of a run that saves
    # some charts only, the files of those charts), as are the files of runs figures.yaml no longer
    # lists, unless a run now writes them (a run renamed in figures.yaml, as from `- lang: ja` to
    # `- {}`, writes the files it wrote before).
    files = recorded["files"]
    removed = [name for name in gone if name not in chosen and (output_dir / name).exists()]
    for name in gone:
        del files[name]
    for name in list(files):
        keys = files[name]["runs"]
        left = [k for k in keys if not any(manifest.run_of(k) == r.run_id and r.of_charts(name) for r in runs)]
        if left:
            files[name]["runs"] = left
        else:
            del files[name]
            if name not in chosen and (output_dir / name).exists():
                removed.append(name)
    key_of = {r.run_id: _record(recorded, r, inputs[r.run_id]) for r in runs}
    new, kept = {}, []
    for name, (path, producers) in sorted(chosen.items()):
        target = output_dir / name
        sha = manifest.sha256_file(path)
        if not target.is_file() or manifest.sha256_file(target) != sha:
            outcome.changed.append(name)
            new[name] = path
        else:
            kept.append(name)
        outcome.written.append(target)
        entry = files.setdefault(name, {"sha256": sha, "runs": []})
        entry["sha256"] = sha
        entry["runs"] = sorted(set(entry["runs"]) | {key_of[r.run_id] for r in producers})
    _forget_runs_without_files(recorded)
    outcome.removed = sorted(removed)
    staged = {name: path for name, (path, _) in chosen.items()}
    return publish.commit(
        output_dir,
        area,
        new,
        removed,
        manifest.render(recorded),
        keep=kept,
        also=_references(output_dir, files, staged),
    )


def _record(recorded: dict, run: Run, inputs: dict) -> str:
    """Record a run that just ran in the manifest (recorded, its files' earlier claims of the run
    already taken off); returns the key its files name. A run that saved some charts only shares the
    record of its other files when their inputs are the same (adding its charts to the record's, if
    it lists some); else its record takes the run's key, and one that held it moves aside
    (manifest.earlier_key): the other files keep the record of the build that wrote them."""
    records = recorded["runs"]
    record = (
        {"inputs": inputs}
        | ({"charts": list(run.charts)} if run.charts else {})
        | ({"formats": list(run.kept_formats)} if run.kept_formats else {})
    )
    held = sorted({k for e in recorded["files"].values() for k in e["runs"] if manifest.run_of(k) == run.run_id})
    same = next((k for k in held if records[k]["inputs"] == inputs), None)
    if same is not None:
        for part, of_run in (("charts", run.charts), ("formats", run.kept_formats)):
            if part in records[same]:  # a record of some of the run's files: now of these too
                records[same][part] = sorted(set(records[same][part]) | set(of_run))
        return same
    if run.run_id in held:
        aside = manifest.earlier_key(run.run_id, records[run.run_id])
        records[aside] = records[run.run_id]
        for entry in recorded["files"].values():
            entry["runs"] = [aside if k == run.run_id else k for k in entry["runs"]]
    records[run.run_id] = record
    return run.run_id


def _forget_runs_without_files(recorded: dict) -> None:
    """Take out of the manifest the records no file names any more."""
    named = {key for entry in recorded["files"].values() for key in entry["runs"]}
    for key in [k for k in recorded["runs"] if k not in named]:
        del recorded["runs"][key]


REFERENCES_NAME = "references.bib"  # beside the manifest: every source the folder's charts cite
FOLDER_FILES = (manifest.MANIFEST_NAME, REFERENCES_NAME)  # written for the whole folder, by no one run


def _references(output_dir: Path, files: dict, staged: dict[str, Path] | None = None) -> dict[str, bytes | None]:
    """references.bib for the folder as it will be: one BibTeX entry for every source named in its
    charts' source data (<chart>.<lang>.data.csv); None (no file) when no chart names one."""
    cited = set()
    for name in files:
        if name.endswith(".data.csv"):
            path = (staged or {}).get(name, output_dir / name)
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):  # a mark drawn from several sources names them all, "A; B"
                    cited.update(s.strip() for s in (row.get("source_id") or "").split(";") if s.strip())
    return {REFERENCES_NAME: citations.bibtex(cited).encode("utf-8") if cited else None}


def _stamp(folder: Path) -> int:
    """The file system's time now, as it dates files: a file modified after it was modified later."""
    stamp = folder / ".started"
    stamp.touch()
    return stamp.stat().st_mtime_ns


def _changed_since(run: Run, read: list[str], since_ns: int | None) -> list[str]:
    """The inputs of a run (its notebook, the data and package modules it read) modified, or
    removed, after since_ns: the run may have read them before the change, or some before and
    some after, so its files cannot be said to come from what is there now."""
    if since_ns is None:
        return []
    import sovereign_ai

    package_parent = Path(sovereign_ai.__file__).parent.parent
    inputs = {run.notebook}
    for entry in read:
        if entry.startswith(reads.MODULE_PREFIX):
            inputs.add(package_parent / entry.removeprefix(reads.MODULE_PREFIX))
        else:
            inputs.add(paths.repo_root() / entry.partition("#")[0])  # a row or a table's description: its file
    changed = []
    for path in sorted(inputs):
        try:
            if path.stat().st_mtime_ns > since_ns:
                changed.append(paths.relative(path))
        except FileNotFoundError:
            changed.append(paths.relative(path))
    return changed


def _listing(output_dir: Path, holds: Listing | None) -> Listing | None:
    """What output_dir holds exactly: figures/ figures.yaml's runs, a sweep's folder its sweep's;
    None for a variant folder, which may hold files of runs built with other parameters."""
    if holds is None and output_dir.resolve() == paths.figures_dir().resolve():
        return Listing("figures.yaml", frozenset(run.run_id for run in load_registry()))
    return holds


def _files_of_runs_gone(recorded: dict, listing: Listing | None) -> list[str]:
    """The files whose every run its list no longer holds (a figure or run taken out of figures.yaml,
    a sweep's grid made smaller): the folder holds exactly what is listed, so a full build removes them."""
    if listing is None:
        return []
    return sorted(
        name
        for name, entry in recorded["files"].items()
        if not (made_by := manifest.run_ids(entry)) & listing.runs
        and (listing.before is None or made_by <= listing.before)
    )


def _remove_files_of_runs_gone(gone, recorded, output_dir, area, listing, outcome, out) -> Outcome:
    """Nothing to run, but files of runs the list no longer holds: remove them and their entries."""
    shown = paths.relative(output_dir) + "/"
    for name in gone:
        del recorded["files"][name]
    _forget_runs_without_files(recorded)
    received = publish.commit(
        output_dir,
        area,
        {},
        [n for n in gone if (output_dir / n).exists()],
        manifest.render(recorded),
        also=_references(output_dir, recorded["files"]),
    )
    print(
        f"Removed {_counted(len(gone), 'file')} of runs {listing.source} no longer lists from {shown}: "
        f"{', '.join(gone)}; "
        "every run listed is up to date.",
        file=out,
        flush=True,
    )
    if received:
        raise Interrupted(
            f"Interrupted while removing files: it was finished first, so {shown} is complete.",
            received[0],
            published=True,
        )
    return outcome


def _data_read(staging_root: Path, run: Run) -> list[str]:
    """What a run read (data files, table descriptions, package modules, the words of each catalogue
    file in each language), from its kernel's log."""
    log = staging_root / ".reads" / f"{run.run_id}.txt"
    if not log.exists():
        return []
    return labels.grouped_reads(line.strip() for line in log.read_text(encoding="utf-8").splitlines() if line.strip())


# ---- Checking committed figures -------------------------------------------------------------


def check(only: list[str] | None = None, *, quick: bool = False, jobs: int | None = None, out=None) -> list[str]:
    """Problems that make figures/ not what the build produces now; empty when it is current.

    Never writes into figures/: the rebuild goes to a temporary folder.
    """
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    figures = paths.figures_dir()
    runs = plan(load_registry(), {}, only)
    recorded = _read_manifest(figures, False, only)
    files = recorded["files"]
    work = publish.work_folder(out)
    left = publish.pending(figures, publish.area(work, figures))
    problems = [f"incomplete: {left}"] if left else []
    for run in runs:
        for reason in stale_reasons(run, recorded, figures):
            problems.append(f"stale: {run.run_id}: {reason}")
    if not only:
        on_disk = (  # no figures/ yet: every run is stale, and says so
            {p.name for p in figures.iterdir() if p.is_file() and p.name not in FOLDER_FILES}
            if figures.is_dir()
            else set()
        )
        problems += [f"extra: {name} ({STRAY})" for name in sorted(on_disk - set(files))]
        problems += [
            f"extra: {name} (its runs are no longer in figures.yaml)"
            for name in _files_of_runs_gone(recorded, _listing(figures, None))
        ]
        problems += [f"missing: {name} (listed in {manifest.MANIFEST_NAME})" for name in sorted(set(files) - on_disk)]
    if quick or not figures.is_dir():  # nothing to compare a rebuild with
        return problems

    _remove_killed_checks(work)
    with tempfile.TemporaryDirectory(prefix=publish.CHECK_PREFIX, dir=work) as temporary:
        fresh = Path(temporary)
        _CHECK_FOLDERS.add(os.path.abspath(fresh))  # until the process ends: the folder goes with the check
        # The temporary folder's area (lock, executed notebooks: megabytes) goes with it; the executed
        # notebooks of a failed rebuild, which its message names, move to build/check-failed/ first.
        area, area_kept = publish.area(work, fresh), False
        which = f"the runs of {', '.join(only)}" if only else "every run"
        print(f"Rebuilding {which} into a temporary folder to compare...", file=out, flush=True)
        try:
            build(only=only, output_dir=fresh, force=True, jobs=jobs, list_files=False, out=out)
        except Interrupted as interrupt:  # its folder is the temporary one, removed now
            raise Interrupted(
                f"Interrupted: nothing was compared; {paths.relative(figures)}/ is unchanged "
                "(check never writes into it).",
                interrupt.exit_code - 128,
            ) from None
        except BuildError as failure:  # a refusal (bad data) or a failure: said of figures/, not the temporary folder
            said, executed = str(failure), area / publish.EXECUTED
            if paths.relative(executed) in said:  # a run failed: its executed notebook is named
                moved = _keep_failed_runs(executed, work)
                if moved:
                    said = said.replace(paths.relative(executed), paths.relative(moved))
                area_kept = not moved  # it could not move: the message still names it there
            raise type(failure)(_said_by_check(said, fresh, figures)) from None
        finally:
            if not area_kept:
                shutil.rmtree(area, ignore_errors=True)
        if not only:  # every run rebuilt: an earlier check's failed runs are mended
            shutil.rmtree(work / CHECK_FAILED, ignore_errors=True)
        built = {p.name: p for p in fresh.iterdir() if p.is_file()}
        wanted = set(built) if only else set(built) | {p.name for p in figures.iterdir() if p.is_file()}
        if only:
            for name in FOLDER_FILES:  # of the whole folder, which a check of some runs does not rebuild
                built.pop(name, None)
                wanted.discard(name)
        for name in sorted(wanted):
            committed = figures / name
            if name not in built:
                problems.append(f"extra: {name} (a fresh build does not write it)")
            elif not committed.exists():
                problems.append(f"missing: {name} (a fresh build writes it)")
            elif committed.read_bytes() != built[name].read_bytes():
                problems.append(f"stale: {name} differs from a fresh build")
        runs_said = f"the {_counted(len(runs), 'run')} of {', '.join(only)}" if only else f"all {len(runs)} runs"
        print(
            f"Compared the {_counted(len(built), 'file')} that {runs_said} write now with "
            f"{paths.relative(figures)}/, byte for byte.",
            file=out,
        )
    return list(dict.fromkeys(problems))


CHECK_FAILED = publish.CHECK_FAILED  # in the work folder: the executed notebooks of the last failed check


STALE_CHECK_SECONDS = 24 * 3600  # a check's temporary folder older than this was left by a killed check


_CHECK_FOLDERS: set[str] = set()  # the temporary folders of the checks this process runs, absolute


def _remove_killed_checks(work: Path) -> None:
    """Remove the temporary folders (and their areas) of checks killed outright (kill -9), which
    could not clean up: those a day old whose area no build holds. A running check's is younger."""
    for folder in work.glob("check-*"):
        try:
            if folder.name == CHECK_FAILED or not folder.is_dir():
                continue
            if time.time() - folder.stat().st_mtime < STALE_CHECK_SECONDS:
                continue
            if publish.remove_area(publish.area(work, folder, create=False)):
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _keep_failed_runs(executed: Path, work: Path) -> Path | None:
    """Move a failed check's executed notebooks and kernel logs out of its area, which is removed
    next, to build/check-failed/ (replacing an earlier check's); where they went, or None."""
    kept = work / CHECK_FAILED
    try:
        if kept.is_symlink() or kept.is_file():
            kept.unlink()
        shutil.rmtree(kept, ignore_errors=True)
        executed.rename(kept)  # within the work folder: one file system
    except OSError:
        return None
    return kept


def _said_by_check(message: str, temporary: Path, figures: Path) -> str:
    """A failed rebuild's message as check's: about figures/, not the temporary folder, now removed."""
    shown = paths.relative(temporary) + "/"
    message = message.replace(f"{shown} is unchanged", f"nothing was compared; {paths.relative(figures)}/ is unchanged")
    message = message.replace("run the build again", "run the check again")
    message = message.replace(shown, "the check's temporary folder")
    return re.sub(r"(^|\n)nothing was compared", r"\1Nothing was compared", message)


# ---- Sweeps --------------------------------------------------------------------------------


SWEEP_KEYS = ("notebook", "grid", "fixed", "output_dir")
# A file in figures/ that neither the manifest nor a run names: the build never removes what it did not write.
STRAY = "no run in figures.yaml writes it, and builds leave it: move it out of figures/ or delete it"
INDEX_NAME = "index.csv"  # in a sweep's folder: which sweep file and parameters made which files


def load_sweep(path: Path) -> tuple[list[Run], Path]:
    """The runs of a sweep file (a notebook, fixed parameters, a grid) and its output folder."""
    shown = paths.relative(path)
    spec, root = _read_yaml(Path(path))
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        raise BuildError(f"{shown}: expected 'notebook:', 'grid:' and optionally 'fixed:' and 'output_dir:'")
    for key in spec:
        if key not in SWEEP_KEYS:  # a misspelt fixed: or output_dir: would be ignored
            allowed = ", ".join(f"'{k}:'" for k in SWEEP_KEYS)
            raise BuildError(f"{shown}, line {_line(root, key)}: {key!r} is not a key of a sweep; expected {allowed}")
    for key in ("notebook", "grid"):
        if key not in spec:
            raise BuildError(f"{shown}: missing '{key}:'")
    notebook = _notebook(spec["notebook"], f"{shown}, line {_line(root, 'notebook')}")
    grid = spec["grid"]
    if not isinstance(grid, dict) or not grid or not all(isinstance(v, list) and v for v in grid.values()):
        raise BuildError(
            f"{shown}, line {_line(root, 'grid')}: 'grid:' must map each parameter to a non-empty list of values"
        )
    fixed = spec.get("fixed") or {}
    if not isinstance(fixed, dict):
        raise BuildError(f"{shown}, line {_line(root, 'fixed')}: 'fixed:' must map parameters to values")
    for name, values in grid.items():
        if name in fixed:  # the grid's values would silently replace the fixed one
            raise BuildError(
                f"{shown}, line {_line(root, 'grid', name)}: parameter {name!r} is in both 'fixed:' and "
                "'grid:'; keep one"
            )
        written = [_as_run_takes(name, v) for v in values]
        if repeated := next((v for i, v in enumerate(written) if v in written[:i]), None):
            raise BuildError(
                f"{shown}, line {_line(root, 'grid', name)}: 'grid:' lists {name!r} {repeated} twice; "
                "each value makes one run, so give it once"
            )
    for name in BUILD_SETS:  # the build sets these for each run: a value here would be ignored
        for key, given in (("grid", grid), ("fixed", fixed)):
            if name in given:
                raise BuildError(
                    f"{shown}, line {_line(root, key, name)}: parameter {name!r} is set by the build for each run; "
                    "remove it (the sweep's folder is 'output_dir:')"
                )
    folder = spec.get("output_dir", f"build/sweeps/{Path(path).stem}")
    if not isinstance(folder, str) or not folder.strip() or any(ord(c) < 32 for c in folder):
        raise BuildError(
            f"{shown}, line {_line(root, 'output_dir')}: 'output_dir:' must be a folder path "
            "(and has no control characters)"
        )
    output_dir = paths.output_folder(folder)
    problem = publish.refuse_destination(output_dir, variants=False, labelled=True)
    if problem:
        raise BuildError(f"{shown}, line {_line(root, 'output_dir')}: {problem}")
    index = output_dir / INDEX_NAME
    if paths.is_special(index) or index.is_dir():  # found before the runs, not when the index is written
        raise BuildError(
            f"{shown}: {paths.relative(index)} is not a file; the sweep writes its index there, "
            "so move it away or give the sweep another 'output_dir:'"
        )
    names = list(grid)
    runs = []
    for i, values in enumerate(itertools.product(*(grid[n] for n in names)), start=1):
        parameters = fixed | {n: _plain(v) for n, v in zip(names, values)}
        label = f"run_{i:03d}"
        runs.append(Run(notebook.stem, notebook, parameters, label=label, subdir=label))
    return runs, output_dir


def _refuse_another_sweeps_folder(shown: str, output_dir: Path, index: list[dict]) -> None:
    """A folder whose index.csv (its rows: index) names another sweep file (two files of one name
    share the default folder): its results would be replaced."""
    named = next(iter(index), {}).get("sweep")
    other = named if isinstance(named, str) and named.strip() and "\n" not in named else None
    if other not in (None, shown):
        raise BuildError(
            f"{shown}: the folder {paths.relative(output_dir)}/ holds the results of {other} (its index.csv); "
            "give this sweep an 'output_dir:' of its own, or remove the folder first"
        )


def _sweep_index(output_dir: Path) -> list[dict]:
    """The rows of a sweep folder's index.csv ([] if there is none, or it cannot be read)."""
    try:
        with open(output_dir / INDEX_NAME, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _as_run_takes(name: str, value) -> str:
    """A grid value as the run will take it, to tell repeats written differently (85 and 85.0; a
    list in another order); as written when the value is refused later, with its run."""
    value = _plain(value)
    with contextlib.suppress(ParameterError):
        value = check_value(name, value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = sorted(value)  # formats [png, pdf] and [pdf, png] write the same files
    return manifest.canonical_json(value)


def _plain(value):
    """YAML dates become ISO strings, as the notebooks take them."""
    return value.isoformat() if hasattr(value, "isoformat") else value


# A sweep with more runs to execute than this starts only with --yes: 10,000 runs take hours.
SWEEP_RUNS_WITHOUT_ASKING = 100
SECONDS_PER_RUN_GUESS = 15.0  # when no executed notebook of the sweep's notebook says how long a run takes


def sweep(path: Path, *, force: bool = False, jobs: int | None = None, yes: bool = False, out=None) -> Path:
    """Run a sweep, publishing each run as it finishes, then write index.csv: which sweep file and
    parameters produced which files. Says first how many runs it has and about how long they take."""
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    runs, output_dir = load_sweep(path)
    shown = paths.relative(path)
    try:
        planned = plan(runs, {})
    except BuildError as error:  # a value the run refuses: said of the sweep file
        raise BuildError(f"{shown}: {error}") from None
    area = publish.area(publish.work_folder(out), output_dir)
    # From reading the folder's index.csv to writing it: another sweep into the folder waits, then
    # finds this one's index (and is refused if it is another sweep file's).
    with publish.locked(area, paths.relative(output_dir) + "/", out, publish.SWEEP_LOCK_NAME, "sweep"):
        index = _sweep_index(output_dir)
        _refuse_another_sweeps_folder(shown, output_dir, index)
        _announce(shown, planned, output_dir, force, jobs, yes, out)
        # The folder holds this sweep's runs only: those of its last grid that this one lacks (a grid
        # made smaller) are removed. Files of other builds put into the folder are left alone.
        holds = Listing(shown, frozenset(run.run_id for run in planned), _runs_held(shown, output_dir, index, planned))
        try:
            build(output_dir=output_dir, force=force, jobs=jobs, runs=planned, holds=holds, publish_each=True, out=out)
        except BuildError as stopped:
            if getattr(stopped, "published", False) or isinstance(stopped, BuildFailed):
                _write_index(path, planned, output_dir, out)  # the runs kept are in place: so is their index
            raise
        return _write_index(path, planned, output_dir, out)


def _runs_held(shown: str, output_dir: Path, index: list[dict], planned: list[Run]) -> frozenset[str]:
    """The runs of this sweep the folder held before: from its index.csv, and from its manifest,
    which a missing, emptied or older index.csv leaves the only record of them."""
    listed = {row.get("run") for row in index if row.get("sweep") == shown}
    if not any(row.get("sweep") for row in index):  # no index, an empty one, or one of an older format
        try:
            records = manifest.read(output_dir)["runs"]
        except manifest.ManifestError:
            records = {}
        notebook = planned[0].figure if planned else None
        listed |= {
            manifest.run_of(key)
            for key, record in records.items()
            if LABEL.fullmatch(manifest.run_of(key)) and _notebook_of(record) in (None, notebook)
        }
    return frozenset(listed)


LABEL = re.compile(r"run_\d{3,}")  # a sweep's run ids, as load_sweep names them


def _notebook_of(record: dict) -> str | None:
    """The stem of the notebook a manifest's record of a run ran, if its inputs say."""
    notebook = (record.get("inputs") or {}).get("notebook")
    name = notebook.get("path") if isinstance(notebook, dict) else notebook
    return Path(name).stem if isinstance(name, str) else None


def _announce(shown: str, planned: list[Run], output_dir: Path, force: bool, jobs, yes: bool, out) -> None:
    """Say how many runs the sweep has and about how long they take; refuse a large one without --yes."""
    try:
        recorded = manifest.empty() if force else manifest.read(output_dir)
    except manifest.ManifestError:
        recorded = manifest.empty()
    todo = planned if force else [run for run in planned if stale_reasons(run, recorded, output_dir)]
    workers = max(1, min(jobs or default_jobs(), len(todo) or 1))
    seconds = len(todo) * _seconds_per_run(planned) / workers
    said = (
        f"{shown}: {_counted(len(planned), 'run')}, {len(todo)} to run"
        + (f" ({len(planned) - len(todo)} up to date)" if len(todo) < len(planned) else "")
        + (f", about {_duration(seconds)} on {workers} worker{'s' if workers > 1 else ''}" if todo else "")
    )
    if len(todo) > SWEEP_RUNS_WITHOUT_ASKING and not yes:
        raise BuildError(
            f"{said}. A sweep of more than {SWEEP_RUNS_WITHOUT_ASKING} runs starts only with --yes; "
            "or make its grid smaller. Nothing was run."
        )
    print(said + ".", file=out, flush=True)


def _seconds_per_run(planned: list[Run]) -> float:
    """How long one run of the sweep's notebook took last (papermill records it in the executed
    notebooks the build keeps), or a guess."""
    if not planned:
        return SECONDS_PER_RUN_GUESS
    for executed in sorted((paths.build_dir() / publish.EXECUTED).glob(f"{planned[0].figure}*.ipynb")):
        try:
            with open(executed, encoding="utf-8") as f:
                seconds = json.load(f)["metadata"]["papermill"]["duration"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(seconds, int | float) and seconds > 0:
            return float(seconds)
    return SECONDS_PER_RUN_GUESS


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _write_index(path: Path, planned: list[Run], output_dir: Path, out) -> Path:
    recorded = manifest.read(output_dir)
    index = output_dir / INDEX_NAME
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["run", "sweep", "notebook", "parameters", "files"])
    for run in planned:
        produced = manifest.files_of(recorded, run.run_id)
        notebook = paths.relative(run.notebook)
        writer.writerow(
            [run.run_id, paths.relative(path), notebook, manifest.canonical_json(run.parameters), " ".join(produced)]
        )
    safe_io.write_bytes(index, text.getvalue().encode("utf-8"))
    print(f"index of {_counted(len(planned), 'run')}: {paths.relative(index)}", file=out)
    return index

"""Notebook parameters: what each one may be, checked before any kernel starts.

A notebook declares each parameter once, in the cell tagged `parameters`
(papermill's convention): name, type annotation, default and a help comment.
A parameter whose values need more than its type has one rule here, in RULES.
The build checks given values before it starts a kernel; each notebook checks
them again with `settings = parameters.check(globals())`, which names no
parameter, so a direct papermill run or JupyterLab gets the same messages.
"""

import ast
import datetime as dt
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sovereign_ai import paths
from sovereign_ai.charts.palettes import PALETTES
from sovereign_ai.reads import READS_LOG_VARIABLE

PARAMETERS_TAG = "parameters"


# A run of the build (which records what it reads) writes into its staging folder in build/outputs/:
# the one output rule lets that run, and no other, write there.
def _own() -> str | None:
    return "staging" if os.environ.get(READS_LOG_VARIABLE) else None


class ParameterError(ValueError):
    """A parameter is unknown or has a value outside what it allows."""

    def _render_traceback_(self) -> list[str]:
        # How IPython (JupyterLab, papermill) shows it: the message alone, as the command does, for a
        # user's mistake; a traceback through the package would only hide it.
        return [f"{type(self).__name__}: {self}"]


def briefly(value, limit: int = 80) -> str:
    """A value as a message repeats it: whole when short, else its start and its length."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(value)):,} characters)"


@dataclass(frozen=True)
class Rule:
    """What one parameter accepts. kind: choice, subset, number, integer, boolean, text, folder, name, date,
    fractions."""

    kind: str
    allowed: str  # said to the user when a value is refused
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None

    def check(self, name: str, value):
        """The value, normalised; ParameterError naming the parameter and what is allowed otherwise."""
        if isinstance(value, str) and self.kind in ("subset", "fractions"):
            value = self.parse(name, value)  # "pdf,png" from papermill -p reads as the build reads it
        if self.kind == "folder" and isinstance(value, str) and value:  # the one output rule, and its message
            refusal = paths.refuse_output(paths.output_folder(value), own=_own())
            if refusal:
                raise ParameterError(f"parameter {name!r}: {briefly(value)} is not allowed: {refusal}")
        ok = self._normalise(value)
        if ok is _INVALID:
            why = "is not a date in the calendar" if self._not_in_calendar(value) else "is not allowed"
            raise ParameterError(f"parameter {name!r}: {briefly(value)} {why}; expected {self.allowed}")
        return ok

    def _not_in_calendar(self, value) -> bool:
        """A date written as asked of a day that no month has (2023-02-29)."""
        if self.kind != "date" or not _DATE.fullmatch(str(value)):
            return False
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return True
        return False

    def _normalise(self, value):
        if self.kind == "choice":
            return value if value in self.choices else _INVALID
        if self.kind == "subset":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)) or not items or any(v not in self.choices for v in items):
                return _INVALID
            return list(dict.fromkeys(items))
        if self.kind in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return _INVALID
            if self.kind == "integer" and value != int(value):
                return _INVALID
            if not self.minimum <= value <= self.maximum:
                return _INVALID
            return int(value) if self.kind == "integer" else float(value)
        if self.kind == "boolean":
            return value if isinstance(value, bool) else _INVALID
        if self.kind == "text":
            return value if isinstance(value, str) else _INVALID
        if self.kind == "folder":  # as papermill or JupyterLab would write there: the build never does
            if not isinstance(value, str) or "\0" in value:  # a NUL: the system takes no such path
                return _INVALID
            return value if not value or not paths.refuse_output(paths.output_folder(value), own=_own()) else _INVALID
        if self.kind == "date":
            if value in self.choices:  # a word a date parameter also takes: as_of's "latest"
                return value
            if not _DATE.fullmatch(str(value)):  # fromisoformat() would also take "20250101", "2025-W01-1"
                return _INVALID
            try:
                day = dt.date.fromisoformat(str(value))
            except ValueError:
                return _INVALID
            return day.isoformat() if self.minimum <= day <= self.maximum else _INVALID
        if self.kind == "fractions":
            items = [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else value
            if not isinstance(items, (list, tuple)) or not items:
                return _INVALID
            if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1 for v in items):
                return _INVALID
            return [float(v) for v in items]
        if self.kind == "name":
            return value if isinstance(value, str) and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value) else _INVALID
        raise AssertionError(f"unknown rule kind {self.kind}")

    def parse(self, name: str, raw: str):
        """A value typed on the command line, converted by what the parameter expects."""
        if self.kind == "fractions":
            try:
                return [float(part) for part in raw.strip("[]").split(",") if part.strip()]
            except ValueError:
                raise ParameterError(
                    f"parameter {name!r}: {briefly(raw)} is not a list of numbers; expected {self.allowed}"
                ) from None
        if self.kind == "subset":
            parts = [part.strip() for part in raw.strip("[]").replace('"', "").replace("'", "").split(",")]
            if len(parts) > 1 and not all(parts):  # "png,,pdf", "png,": a value left out, or a typo
                raise ParameterError(f"parameter {name!r}: {briefly(raw)} has an empty item; expected {self.allowed}")
            return [part for part in parts if part]
        if self.kind in ("number", "integer"):
            if not _NUMBER.fullmatch(raw):  # float() would also take " 89 ", "8_9", "８９", "nan"
                raise ParameterError(f"parameter {name!r}: {briefly(raw)} is not a number; expected {self.allowed}")
            return float(raw) if "." in raw or "e" in raw.lower() else int(raw)
        if self.kind == "boolean":
            lowered = raw.lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            raise ParameterError(f"parameter {name!r}: {briefly(raw)} is not true or false; expected True or False")
        if self.kind == "choice" and all(isinstance(c, int) for c in self.choices):
            try:
                return int(raw)
            except ValueError:
                raise ParameterError(
                    f"parameter {name!r}: {briefly(raw)} is not allowed; expected {self.allowed}"
                ) from None
        return raw


_INVALID = object()
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

RULES: dict[str, Rule] = {
    "lang": Rule("choice", '"ja" or "en"', choices=("ja", "en")),
    "formats": Rule("subset", 'a non-empty list of "svg", "pdf", "png"', choices=("svg", "pdf", "png")),
    # Every chart is checked at the ends (tests/test_pdf_layout.py): below 85 mm labels collide, and
    # below 150 dpi the PNG's hinted text runs wider than the layout allows.
    "width_mm": Rule("number", "a number of millimetres from 85 to 250", minimum=85, maximum=250),
    "dpi": Rule("integer", "a whole number from 150 to 1200", minimum=150, maximum=1200),
    "palette": Rule("choice", " or ".join(f'"{p}"' for p in PALETTES), choices=tuple(PALETTES)),
    "columns": Rule("choice", "0 (by width), 1, 2 or 4", choices=(0, 1, 2, 4)),
    "show_title": Rule("boolean", "True or False"),
    "show_source": Rule("boolean", "True or False"),
    "output_dir": Rule(
        "folder",
        "a folder outside figures/, the repository's tracked folders and those its commands manage (.venv/, "
        "site/, handout/, build/'s own), e.g. variants/; "
        "or an empty string to only display",
    ),
    "name": Rule("name", "a file-name stem of lower-case letters, digits, '_' and '-'"),
    "as_of": Rule(
        "date",
        '"latest" (everything in data/), or a date written YYYY-MM-DD from 2020-01-01 to 2030-12-31',
        choices=("latest",),
        minimum=dt.date(2020, 1, 1),
        maximum=dt.date(2030, 12, 31),
    ),
    "shift_to_domestic": Rule("fractions", "a non-empty list of fractions, each from 0 to 1 (e.g. [0.1, 0.5])"),
    "open_only": Rule("boolean", "True or False"),
    "jurisdictions": Rule(
        "subset",
        'a non-empty list of "JP", "EU", "KR", "FR", "UK", "IN", "CA", "SG"',
        choices=("JP", "EU", "KR", "FR", "UK", "IN", "CA", "SG"),
    ),
    "start": Rule(
        "date",
        "a date written YYYY-MM-DD, from 2015-01-01 to 2030-12-31",
        minimum=dt.date(2015, 1, 1),
        maximum=dt.date(2030, 12, 31),
    ),
    "end": Rule(
        "date",
        "a date written YYYY-MM-DD, from 2015-01-01 to 2030-12-31, after start",
        minimum=dt.date(2015, 1, 1),
        maximum=dt.date(2030, 12, 31),
    ),
}


@dataclass(frozen=True)
class Declared:
    """One parameter as the notebook's `parameters` cell declares it (papermill reads the same cell)."""

    name: str
    default: object
    type_name: str  # from the annotation, e.g. "str", "list"
    help: str


_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": (list, tuple), "dict": dict}


def declared_parameters(notebook: Path) -> dict[str, Declared]:
    """The parameters a notebook declares, in order, as `papermill.inspect_notebook` reads them.

    papermill costs over a second to import, so what it reads is cached by the
    notebook's SHA-256 in the build's work folder: a no-op build stays fast.
    """
    notebook = Path(notebook)
    try:
        stat = notebook.stat()
    except OSError as error:
        raise ParameterError(f"{notebook}: cannot read the notebook ({error.strerror})") from None
    return dict(_declared(notebook, stat.st_mtime_ns, stat.st_size))  # a copy: callers may change theirs


@functools.lru_cache(maxsize=64)
def _declared(notebook: Path, mtime_ns: int, size: int) -> dict[str, Declared]:
    """declared_parameters, once per version of the notebook in a process (a build asks for each several times)."""
    try:
        content = notebook.read_bytes()
    except OSError as error:
        raise ParameterError(f"{notebook}: cannot read the notebook ({error.strerror})") from None
    # A file that is not a notebook raises here (UnicodeDecodeError, JSONDecodeError, KeyError),
    # so the build can say which of those it is before papermill is even imported.
    if not isinstance(json.loads(content.decode("utf-8"))["cells"], list):
        raise KeyError("cells")
    key = hashlib.sha256(content).hexdigest()
    cache = _read_cache()
    if key not in cache:
        cache[key] = _inspect(notebook)
        _write_cache(cache)
    declared = {}
    for name, info in cache[key]:
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            raise ParameterError(
                f"{paths.relative(Path(notebook))}, parameters cell: the default of parameter {name!r} "
                f"({info['default']}) is not a plain value (a number, text, True or False, or a list of them); "
                "correct it there"
            ) from None
        if info["inferred_type_name"] == "None":  # check(globals()) finds parameters by their annotation
            raise ParameterError(
                f"{paths.relative(Path(notebook))}, parameters cell: parameter {name!r} has no type (write it "
                f"`{name}: {type(default).__name__} = {info['default']}`, as the others are); correct it there"
            )
        declared[name] = Declared(name, default, info["inferred_type_name"], info["help"])
    return declared


def _inspect(notebook: Path) -> list:
    from sovereign_ai import lighter_imports

    lighter_imports.skip_iri_grammar()
    import papermill

    try:
        inspected = papermill.inspect_notebook(str(notebook))
    except Exception as error:  # papermill raises its own types for a file that is no notebook
        raise ParameterError(f"{notebook}: not a notebook papermill can read ({error})") from None
    if not inspected:
        raise ParameterError(f"{notebook}: no cell tagged {PARAMETERS_TAG!r} declares parameters")
    # a list, not a dict: the cache is written with sorted keys, and the order is the notebook's
    return [[name, {k: info[k] for k in ("default", "inferred_type_name", "help")}] for name, info in inspected.items()]


def _cache_path() -> Path:
    from sovereign_ai import paths

    return paths.build_dir() / "parameters-cache.json"


def _read_cache() -> dict:
    try:
        return json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_cache(cache: dict) -> None:
    """Best effort: a read-only checkout simply pays papermill's import each time."""
    path = _cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(cache, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def check_value(name: str, value, type_name: str = ""):
    """One value checked by its rule, or by its declared type when it has no rule."""
    if name in RULES:
        return RULES[name].check(name, value)
    expected = _TYPES.get(type_name)
    if expected and (not isinstance(value, expected) or (type_name in ("int", "float") and isinstance(value, bool))):
        raise ParameterError(f"parameter {name!r}: {briefly(value)} is not allowed; expected a {type_name}")
    return value


def check_given(notebook: Path, given: dict) -> dict:
    """The given values checked against what the notebook declares and RULES; raises ParameterError."""
    declared = declared_parameters(notebook)
    checked = {}
    for name, value in given.items():
        if name not in declared:
            raise ParameterError(
                f"parameter {briefly(name)} is unknown to {Path(notebook).name}; "
                f"its parameters are: {', '.join(declared)}"
            )
        checked[name] = check_value(name, value, declared[name].type_name)
    for name, declaration in declared.items():  # a default edited in the notebook: said now, not from inside a kernel
        if name not in checked:
            try:
                check_value(name, declaration.default, declaration.type_name)
            except ParameterError as error:
                raise ParameterError(
                    f"{paths.relative(Path(notebook))}, parameters cell: the default of {error}; correct it there"
                ) from None
    defaults = {name: d.default for name, d in declared.items()}
    together = ("start", "end", "jurisdictions")
    values = defaults | checked
    _check_together({n: check_value(n, v) for n, v in values.items() if n in together})
    if values.get("columns"):  # cards too narrow for a word: said now, not from inside a kernel
        from sovereign_ai.charts import report_figures

        if Path(notebook).stem in report_figures.REPORT_FIGURES:
            problem = report_figures.columns_problem(
                Path(notebook).stem, values["lang"], float(values["width_mm"]), values["columns"]
            )
            if problem:
                raise ParameterError(problem)
    return checked


def rule_for(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise ParameterError(f"parameter {name!r} has no rule in sovereign_ai.parameters.RULES") from None


class Settings:
    """A notebook's checked parameters, read as attributes: `settings.lang`, `settings.width_mm`."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()) + ")"


def check(namespace: dict) -> Settings:
    """Every parameter of the notebook whose namespace this is, checked: call it as `check(globals())`
    in the cell after the parameters cell.

    The parameters are the names the parameters cell annotates (`lang: str = "ja"`):
    papermill's injected values replace the values, the annotations stay.
    """
    annotations = namespace.get("__annotations__", {})
    checked = {}
    for name, annotation in annotations.items():
        if name in namespace:
            checked[name] = check_value(name, namespace[name], getattr(annotation, "__name__", str(annotation)))
    _check_together(checked)
    return Settings(checked)


def _check_together(checked: dict) -> None:
    """Rules between parameters."""
    if "start" in checked and "end" in checked and checked["start"] >= checked["end"]:
        raise ParameterError(
            f"parameter 'end': {checked['end']!r} is not after start {checked['start']!r}; expected a later date"
        )
    if {"jurisdictions", "start", "end"} <= checked.keys():  # a range with no event would draw an empty chart
        from sovereign_ai import data
        from sovereign_ai.analysis import landscape

        try:
            landscape.events(checked["jurisdictions"], checked["start"], checked["end"])
        except data.DataError:
            pass  # a bad table is named by the data check, before any kernel starts
        except ValueError as error:
            raise ParameterError(str(error)) from None

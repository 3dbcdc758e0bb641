"""Notebook parameters: what each one may be, checked before any kernel starts.

A notebook declares its parameters, with defaults and a one-line help comment,
in the cell tagged `parameters` (papermill's convention). The rules for the
values live here, once, for every notebook: the build checks given values
against them before it starts a kernel, and each notebook checks them again
in its first cell so a direct papermill run gets the same messages.
"""

import ast
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sovereign_ai.palettes import PALETTES

PARAMETERS_TAG = "parameters"


class ParameterError(ValueError):
    """A parameter is unknown or has a value outside what it allows."""


@dataclass(frozen=True)
class Rule:
    """What one parameter accepts. kind: choice, subset, number, integer, boolean, text, name, date, fractions."""

    kind: str
    allowed: str  # said to the user when a value is refused
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None

    def check(self, name: str, value):
        """The value, normalised; ParameterError naming the parameter and what is allowed otherwise."""
        ok = self._normalise(value)
        if ok is _INVALID:
            raise ParameterError(f"parameter {name!r}: {value!r} is not allowed; expected {self.allowed}")
        return ok

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
        if self.kind == "date":
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
                raise ParameterError(f"parameter {name!r}: {raw!r} is not a list of numbers; expected {self.allowed}") from None
        if self.kind == "subset":
            return [part.strip() for part in raw.strip("[]").replace('"', "").replace("'", "").split(",") if part.strip()]
        if self.kind in ("number", "integer"):
            try:
                return float(raw) if "." in raw or "e" in raw.lower() else int(raw)
            except ValueError:
                raise ParameterError(f"parameter {name!r}: {raw!r} is not a number; expected {self.allowed}") from None
        if self.kind == "boolean":
            lowered = raw.lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            raise ParameterError(f"parameter {name!r}: {raw!r} is not true or false")
        if self.kind == "choice" and all(isinstance(c, int) for c in self.choices):
            try:
                return int(raw)
            except ValueError:
                raise ParameterError(f"parameter {name!r}: {raw!r} is not allowed; expected {self.allowed}") from None
        return raw


_INVALID = object()

RULES: dict[str, Rule] = {
    "lang": Rule("choice", '"ja" or "en"', choices=("ja", "en")),
    "formats": Rule("subset", 'a non-empty list of "svg", "pdf", "png"', choices=("svg", "pdf", "png")),
    "width_mm": Rule("number", "a number of millimetres from 60 to 250", minimum=60, maximum=250),
    "dpi": Rule("integer", "a whole number from 72 to 1200", minimum=72, maximum=1200),
    "palette": Rule("choice", " or ".join(f'"{p}"' for p in PALETTES), choices=tuple(PALETTES)),
    "columns": Rule("choice", "0 (by width), 1, 2 or 4", choices=(0, 1, 2, 4)),
    "show_title": Rule("boolean", "True or False"),
    "output_dir": Rule("text", "a folder path, or an empty string to only display"),
    "name": Rule("name", "a file-name stem of lower-case letters, digits, '_' and '-'"),
    "as_of": Rule("date", "a date written YYYY-MM-DD, from 2020-01-01 to 2030-12-31",
                  minimum=dt.date(2020, 1, 1), maximum=dt.date(2030, 12, 31)),
    "shift_to_domestic": Rule("fractions", "a non-empty list of fractions, each from 0 to 1 (e.g. [0.1, 0.5])"),
    "show_solutions": Rule("boolean", "True or False"),
    "open_only": Rule("boolean", "True or False"),
    "jurisdictions": Rule("subset", 'a non-empty list of "JP", "EU", "KR", "FR", "UK", "IN", "CA", "SG"',
                          choices=("JP", "EU", "KR", "FR", "UK", "IN", "CA", "SG")),
    "start": Rule("date", "a date written YYYY-MM-DD, from 2015-01-01 to 2030-12-31",
                  minimum=dt.date(2015, 1, 1), maximum=dt.date(2030, 12, 31)),
    "end": Rule("date", "a date written YYYY-MM-DD, from 2015-01-01 to 2030-12-31, after start",
                minimum=dt.date(2015, 1, 1), maximum=dt.date(2030, 12, 31)),
}


@dataclass(frozen=True)
class Declared:
    name: str
    default: object
    help: str


def declared_parameters(notebook: Path) -> dict[str, Declared]:
    """The parameters a notebook declares in its `parameters` cell, in order."""
    with open(notebook, encoding="utf-8") as f:
        nb = json.load(f)
    cells = [c for c in nb["cells"] if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{notebook}: expected one cell tagged 'parameters', found {len(cells)}")
    source = "".join(cells[0]["source"])
    comments = {i + 1: line.split("#", 1)[1].strip() for i, line in enumerate(source.splitlines()) if "#" in line}
    declared = {}
    for node in ast.parse(source).body:
        # `name = value` or `name: type = value` (papermill reads the annotation as the type)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            target = node.target
        else:
            continue
        declared[target.id] = Declared(target.id, ast.literal_eval(node.value), comments.get(node.lineno, ""))
    return declared


def check_given(notebook: Path, given: dict) -> dict:
    """The given values checked against what the notebook declares and RULES; raises ParameterError."""
    declared = declared_parameters(notebook)
    checked = {}
    for name, value in given.items():
        if name not in declared:
            raise ParameterError(
                f"parameter {name!r} is unknown to {notebook.name}; its parameters are: {', '.join(declared)}")
        checked[name] = rule_for(name).check(name, value)
    defaults = {name: d.default for name, d in declared.items()}
    _check_together({n: rule_for(n).check(n, v) for n, v in (defaults | checked).items() if n in ("start", "end")})
    return checked


def rule_for(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise ParameterError(f"parameter {name!r} has no rule in sovereign_ai.parameters.RULES") from None


def check_notebook_parameters(**values) -> dict:
    """For a notebook's first cell after the parameters: every value checked, or ParameterError."""
    checked = {name: rule_for(name).check(name, value) for name, value in values.items()}
    _check_together(checked)
    return checked


def _check_together(checked: dict) -> None:
    """Rules between parameters."""
    if "start" in checked and "end" in checked and checked["start"] >= checked["end"]:
        raise ParameterError(f"parameter 'end': {checked['end']!r} is not after start {checked['start']!r}; "
                             "expected a later date")

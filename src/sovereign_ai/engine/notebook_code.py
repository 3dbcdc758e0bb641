"""A notebook's own code, run in this Python process without a kernel, or read for the charts it saves.

The benchmark's baseline and the layout tests use it: they need exactly what
the notebooks draw, from the notebooks' own cells, not a copy. Parameters are
injected after the `parameters` cell as papermill injects them. The build reads
the part names of the charts a notebook saves (chart_parts) before any kernel starts.
"""

import ast
import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PARAMETERS_TAG = "parameters"
# A worked solution's cells (its explanation and its code, under its exercise) carry this tag: the
# handout removes them, the book folds them, JupyterLab shows them folded (jupyter.source_hidden).
SOLUTION_TAG = "solution"


def is_solution(cell: dict) -> bool:
    """Whether a notebook cell is part of a worked solution."""
    tags = cell.get("metadata", {}).get("tags", []) if isinstance(cell, dict) else []
    return isinstance(tags, list) and SOLUTION_TAG in tags


def code_cells(notebook: Path, parameters: dict) -> list[str]:
    """The notebook's code cells, with a cell setting the given parameters after the parameters cell."""
    from sovereign_ai import lighter_imports

    lighter_imports.skip_iri_grammar()
    from papermill.translators import translate_parameters

    with open(notebook, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    sources = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        sources.append("".join(cell["source"]))
        if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            sources.append(translate_parameters("python3", "python", parameters, "Parameters"))
    return sources


def chart_parts(notebook: Path) -> list[str]:
    """The part names of the charts a notebook saves, in its order ("" for a chart saved under the
    figure's own name): the literal third argument, or `part=`, of every call that hands a chart its
    `source_data=` (style.save_as_asked and the helpers that call it: `(fig, settings, "roster",
    source_data=drawn)`). Cells that are not Python (a cell magic) are passed over."""
    stat = os.stat(notebook)
    return list(_chart_parts(str(notebook), stat.st_mtime_ns, stat.st_size))


_MAGIC = re.compile(r"^\s*[%!]", re.M)


@functools.lru_cache(maxsize=32)
def _chart_parts(notebook: str, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    with open(notebook, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    parts = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_MAGIC.sub("pass  # ", "".join(cell.get("source", ""))))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not any(k.arg == "source_data" for k in node.keywords):
                continue
            given = next((k.value for k in node.keywords if k.arg == "part"), None)
            if given is None and len(node.args) >= 3:
                given = node.args[2]
            if given is None:
                part = ""
            elif isinstance(given, ast.Constant) and isinstance(given.value, str):
                part = given.value
            else:
                continue  # a part computed as the notebook runs: not known before
            if part not in parts:
                parts.append(part)
    return tuple(parts)


@dataclass
class Ran:
    """What a notebook's code left: its namespace, and each chart it saved (or would save) by part name."""

    namespace: dict
    figures: dict = field(default_factory=dict)  # "" for a notebook's only chart, else "roster", "market"...


def run(notebook: Path, parameters: dict) -> Ran:
    """Run the notebook's code with the given parameters, in this process."""
    from sovereign_ai.charts import style

    ran = Ran({"__name__": "__main__"})

    def keep(part, fig):
        ran.figures[part] = fig

    style.FIGURE_LISTENERS.append(keep)
    try:
        for number, source in enumerate(code_cells(Path(notebook), parameters)):
            exec(compile(source, f"{Path(notebook).name}, code cell {number}", "exec"), ran.namespace)
    finally:
        style.FIGURE_LISTENERS.remove(keep)
    return ran

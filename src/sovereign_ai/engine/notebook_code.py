"""A notebook's own code, run in this Python process without a kernel.

The benchmark's baseline and the layout tests use it: they need exactly what
the notebooks draw, from the notebooks' own cells, not a copy. Parameters are
injected after the `parameters` cell as papermill injects them.
"""

import json
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

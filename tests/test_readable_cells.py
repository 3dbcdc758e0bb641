"""The notebooks' drawing cells read like a plotting cell of a lecture: open the house figure,
draw the marks, place the legend, finish. What depends on the width is the house functions' to
decide (sovereign_ai.charts.house: legend columns, tick spacing, wrapping, the height), not the cell's.

The test counts the lines of the notebooks' code cells (the parameters cell aside, where
`width_mm` is declared) that still do layout arithmetic, comments left out: a name ending in
`_mm` (a length in millimetres), the old frame's constants and functions (`MM_PER_PT`,
`MARGIN_MM`, `GAP_MM`, `wrap_mm`, `legend_rows`, `left_mm`, `line_height`), a figure's size or
an axes' position read back (`size_mm`, `get_position()`), the word `wide`, and private
attributes. Every such line counts, with no exception: a plot's height in millimetres given
to house.figure (`height_mm=55`) counts, and so does `width_mm=settings.width_mm` passed
through to the report figures' card engine. At most LIMIT lines in all; none with `if wide` or
`wide else`, and no private attribute (`fig.sovereign_ai_...`, `obj._name`).

On the notebooks as they were before the house functions (commit 29e671e), the same count is 158
lines, 50 of them choosing by `wide`; after them, 6."""

import io
import json
import re
import tokenize
from pathlib import Path

import pytest

from conftest import REPO

LIMIT = 20
LAYOUT = re.compile(
    r"\w+_mm\b|\bMM_PER_PT\b|\bMARGIN_MM\b|\bGAP_MM\b|\bwrap_mm\b|\blegend_rows\b|\bleft_mm\b|\bline_height"
    r"|\bsize_mm\b|\bget_position\(\)|\bwide\b|\bsovereign_ai_\w+|\.\_[A-Za-z]\w*"
)
BY_WIDTH = re.compile(r"\bif wide\b|\bwide else\b")
PRIVATE = re.compile(r"\bsovereign_ai_\w+|\.\_[A-Za-z]\w*")
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def code_lines(source: str) -> list[str]:
    """The lines of a cell's code, comments left out (strings kept: a label is code's business)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source.splitlines()
    lines = source.splitlines()
    for token in reversed(tokens):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column]
    return [line for line in lines if line.strip()]


def layout_lines(notebook_json: str) -> list[tuple[int, str]]:
    """(cell number, line) of every code line that does layout arithmetic, the parameters cell aside."""
    found = []
    for number, cell in enumerate(json.loads(notebook_json)["cells"]):
        if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        found += [(number, line.strip()) for line in code_lines("".join(cell["source"])) if LAYOUT.search(line)]
    return found


def _all_lines() -> dict[str, list[tuple[int, str]]]:
    return {path.name: layout_lines(path.read_text(encoding="utf-8")) for path in NOTEBOOKS}


def test_drawing_cells_hold_at_most_a_few_lines_of_layout_arithmetic():
    found = _all_lines()
    total = sum(len(lines) for lines in found.values())
    listed = "\n".join(f"{name} cell {n}: {line}" for name, lines in found.items() for n, line in lines)
    assert total <= LIMIT, f"{total} lines of layout arithmetic in the notebooks (at most {LIMIT}):\n{listed}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_cell_chooses_by_width_or_reads_a_private_attribute(notebook):
    lines = layout_lines(notebook.read_text(encoding="utf-8"))
    assert [line for _, line in lines if BY_WIDTH.search(line)] == [], "the house functions choose by width"
    assert [line for _, line in lines if PRIVATE.search(line)] == [], "a private attribute in a notebook cell"


# Lines of the drawing cells as they were (commit 29e671e): the pattern must catch each of them,
# or a count of zero would say nothing.
OLD_LINES = [
    "fig, (ax,) = frame.chart_figure(width_mm, 6.0 * max(len(roster), 1) + 6, title, sources, lang,",
    "    left_mm=44 if wide else 34,",
    "    legend_rows=2 if wide else 5,",
    "frame.year_axis(ax.xaxis, lang, ax.get_position().width * width_mm)",
    'names = ["\\n".join(text.wrap_mm(n, lang, left_mm - 4, style.FONT_SIZES.source)) for n in shown["label"]]',
    "note_top = fig.sovereign_ai_legend_top_mm + frame.GAP_MM / 2 + legend_lines * frame.LEGEND_ROW_MM",
    "frame.put_lines(fig, note_lines, frame.MARGIN_MM, note_top, style.FONT_SIZES.label, frame.SOURCE_COLOUR)",
    "widest_mm = max(text.text_width_pt(name, style.FONT_SIZES.label) * style.MM_PER_PT for name in names)",
    "row_mm = [len(lines) * style.line_height_mm(style.FONT_SIZES.label) + 1.2 for lines in row_names]",
    "figure_width_mm, figure_height_mm = style.size_mm(fig)",
    "ax.set_xticks(range(0, 10_001, 2_000 if wide else 5_000))",
]


@pytest.mark.parametrize("line", OLD_LINES)
def test_the_pattern_catches_the_old_cells_lines(line):
    assert LAYOUT.search(line), line


def test_the_pattern_counts_code_not_comments():
    cell = 'ax.grid(axis="x")  # as wide as the panel: see left_mm\nhouse.ticks(ax.xaxis)\n'
    assert layout_lines(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": cell}]})) == []


def test_the_notebooks_are_the_seven():
    assert [Path(p).stem for p in NOTEBOOKS] == [
        "ai_compute",
        "basic_plan_policies",
        "cloud_dependence",
        "four_reasons",
        "local_government",
        "policy_timeline",
        "sovereign_models",
    ]

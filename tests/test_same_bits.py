"""The figures have the same bytes on every supported Python (3.11 to 3.13).

From Python 3.12, `sum()` of floats compensates its rounding, so a layout value summed with it
can differ in its last bit from 3.11's, and an SVG clip-path id, which hashes a clip rectangle's
bounds, with it (the deficit chart's did). Here each chart is drawn twice in this process, with
`sum()` as 3.11 computes it and as 3.12 and later do, and the SVGs must be equal. `.ci/run` also
rebuilds two figures under a second Python, when one is installed, and compares their bytes."""

import builtins
import contextlib
import io
from unittest import mock

import pytest

from sovereign_ai.charts import style
from sovereign_ai.engine import notebook_code

from conftest import REPO

pytestmark = pytest.mark.drawing


def _left_to_right(iterable, /, start=0):
    """sum() as Python 3.11 computes it: each addition rounded in turn."""
    total = start
    for item in iterable:
        total = total + item
    return total


def _compensated(iterable, /, start=0):
    """sum() of floats as Python 3.12 and later compute it (Neumaier's compensated summation)."""
    items = list(iterable)
    numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in [start, *items])
    if not numbers or not any(isinstance(x, float) for x in [start, *items]):
        return _left_to_right(items, start)
    total, compensation = float(start), 0.0
    for item in items:
        added = total + item
        if abs(total) >= abs(item):
            compensation += (total - added) + item
        else:
            compensation += (item - added) + total
        total = added
    return total + compensation


def test_the_two_ways_of_summing_differ_where_the_deficit_chart_did():
    row_mm = [3.3, 3.3, 4.93, 4.93, 3.3, 3.3]  # any such list: the test below would compare nothing otherwise
    sums = {_left_to_right(row_mm), _compensated(row_mm)}
    assert len(sums) == 2, sums


def _svgs(notebook: str, summing) -> dict[str, bytes]:
    """Each chart the notebook draws, as SVG bytes, with builtins.sum replaced by summing."""
    with (
        mock.patch.object(builtins, "sum", summing),
        contextlib.redirect_stdout(io.StringIO()),
        mock.patch.object(style, "show_figure", lambda *a, **k: None),
    ):
        ran = notebook_code.run(REPO / "notebooks" / f"{notebook}.ipynb", {"lang": "en", "width_mm": 183})
    svgs = {}
    for part, fig in ran.figures.items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        svgs[part] = buffer.getvalue()
    return svgs


@pytest.mark.parametrize("notebook", ["cloud_dependence", "four_reasons"])
def test_every_chart_has_the_same_bytes_whichever_way_python_sums(notebook):
    as_311, as_312 = _svgs(notebook, _left_to_right), _svgs(notebook, _compensated)
    assert as_311.keys() == as_312.keys()
    differ = [part or notebook for part in as_311 if as_311[part] != as_312[part]]
    assert differ == [], f"these charts depend on how Python sums floats: {differ}"

"""Figures 1 and 2 at every supported width: text stays inside the figure and its panels, never overlapping.
(Every chart's edges and PDF words, at the journal widths: tests/test_pdf_layout.py.)"""

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle

from sovereign_ai.charts.report_figures import REPORT_FIGURES, draw_report_figure

pytestmark = pytest.mark.drawing


def boxes(fig):
    FigureCanvasAgg(fig).draw()  # lay out legends and annotations as saving would
    renderer = fig.canvas.get_renderer()
    texts = [
        t.get_window_extent(renderer)
        for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())
        if t.get_text().strip()
    ]
    cards = [r.get_window_extent(renderer) for r in fig.findobj(Rectangle) if r.get_width() > 0 and r.axes]
    return texts, cards, fig.bbox


@pytest.mark.parametrize("figure", REPORT_FIGURES)
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width_mm", [85, 89, 120, 183, 250])  # 85 and 250: the ends width_mm allows
def test_text_fits_and_never_overlaps(figure, lang, width_mm):
    fig = draw_report_figure(figure, lang=lang, width_mm=width_mm, palette="okabe_ito")
    texts, cards, frame = boxes(fig)
    tolerance = 0.5  # pixels: antialiasing at the edges
    for t in texts:
        assert frame.x0 - tolerance <= t.x0 and t.x1 <= frame.x1 + tolerance, "text leaves the figure"
        assert frame.y0 - tolerance <= t.y0 and t.y1 <= frame.y1 + tolerance, "text leaves the figure"
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
            overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert overlap_x <= tolerance or overlap_y <= tolerance, f"texts overlap at {width_mm} mm"
    top = max(c.y1 for c in cards)
    bottom = min(c.y0 for c in cards)
    inside_grid = [t for t in texts if t.y0 < top and t.y1 > bottom]
    for t in inside_grid:
        assert any(
            c.x0 - tolerance <= t.x0
            and t.x1 <= c.x1 + tolerance
            and c.y0 - tolerance <= t.y0
            and t.y1 <= c.y1 + tolerance
            for c in cards
        ), f"a text is not inside its panel at {width_mm} mm"


@pytest.mark.parametrize(
    ("figure", "lang", "width_mm", "columns", "word"),
    [("four_reasons", "en", 89, 4, "'management'"), ("four_reasons", "ja", 120, 4, "'法規制・政策変更に'")],
)
def test_columns_too_many_for_the_width_are_refused_rather_than_split_words(figure, lang, width_mm, columns, word):
    with pytest.raises(ValueError) as refused:
        draw_report_figure(figure, lang=lang, width_mm=width_mm, palette="okabe_ito", columns=columns)
    said = str(refused.value)
    assert said.startswith(f"parameter 'columns': {columns} columns at {width_mm} mm make cards ")
    assert f"too narrow for {word} on one line; choose fewer columns (0 picks them by width)" in said


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_columns_chosen_by_width_never_refuse(lang):
    for figure in REPORT_FIGURES:
        draw_report_figure(figure, lang=lang, width_mm=85, palette="okabe_ito", columns=0)
        draw_report_figure(figure, lang=lang, width_mm=183, palette="okabe_ito", columns=4)  # the report's layout

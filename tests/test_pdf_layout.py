"""Every chart's PDF, read as a reader sees it, at every journal width and in both languages:
no word leaves the page, no two words overlap or run together, no word crosses from one
panel into another (sovereign_ai.layout_check). `python -m sovereign_ai.layout_check FILE.pdf`
prints the offending words of one file."""

import matplotlib
import pytest
from matplotlib.figure import Figure

from sovereign_ai import manifest, paths, style
from sovereign_ai.layout_check import problems, words

pytestmark = pytest.mark.drawing

WIDTHS_MM = (89, 120, 183)  # one journal column, one and a half, two columns

# The PDFs the build writes, from the committed figures/ (which `make check` keeps current):
# one per chart and language. test_every_chart_is_checked fails if a build writes another.
PDFS = sorted(name for name in manifest.read(paths.figures_dir())["files"] if name.endswith(".pdf"))

# Known failures (issue 13), for the chart fixes to remove. strict: once a chart passes, its
# test fails until its entry here goes.
KNOWN_FAILURES: dict = {}  # (width_mm, file) -> why it fails, while a chart is being mended


def _cases() -> list:
    cases = []
    for width in WIDTHS_MM:
        for name in PDFS:
            reason = KNOWN_FAILURES.get((width, name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(width, name, marks=marks, id=f"{width}mm-{name}"))
    return cases


_SAVED: dict = {}  # (width_mm, run id) -> {PDF name: path}, drawn once per test process


def _run_writing(name: str):
    """The registered run whose notebook writes this PDF (figure name, optional part, language)."""
    from sovereign_ai.build import load_registry

    matches = [
        run
        for run in load_registry()
        if name.endswith(f".{run.parameters['lang']}.pdf")
        and (name.startswith(f"{run.figure}.") or name.startswith(f"{run.figure}_"))
    ]
    return max(matches, key=lambda run: len(run.figure))


def _pdfs(folder, width_mm: float, run) -> dict:
    """The run's charts as PDF at this width, drawn by the notebook's own cells in this process
    (no kernel), as the build draws them, and saved with the build's saving function."""
    from conftest import drawn

    key = (width_mm, run.run_id)
    if key not in _SAVED:
        lang = run.parameters["lang"]
        saved = {}
        for part, fig in drawn(run.notebook.stem, lang, width_mm).items():
            stem = f"{run.figure}_{part}" if part else run.figure
            for path in style.save_figure(fig, folder, f"{stem}.{lang}", ["pdf"], 300):
                saved[path.name] = path
        _SAVED[key] = saved
    return _SAVED[key]


@pytest.fixture(scope="session")
def pdf_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("pdf")


def test_every_chart_is_checked(pdf_folder):
    from sovereign_ai.build import load_registry

    folder = pdf_folder / "183"
    folder.mkdir(exist_ok=True)
    written = sorted(name for run in load_registry() for name in _pdfs(folder, 183, run))
    assert written == PDFS, "the notebooks draw other PDFs than figures/ holds: run `make figures`"
    assert {name for _, name in KNOWN_FAILURES} <= set(PDFS)


@pytest.mark.parametrize(("width_mm", "name"), _cases())
def test_no_text_is_cut_off_overlaps_or_crosses_panels(pdf_folder, width_mm, name):
    folder = pdf_folder / str(width_mm)
    folder.mkdir(exist_ok=True)
    found = problems(_pdfs(folder, width_mm, _run_writing(name))[name])
    assert found == [], f"{name} at {width_mm} mm:\n" + "\n".join(found)


# ---- The check itself --------------------------------------------------------------


def _draw(path, broken: bool):
    """Two panels with a title, tick labels and a Japanese line; if broken, two labels
    collide, one leaves the page, two labels run together and one crosses both panels."""
    with matplotlib.rc_context(style.HOUSE_RC):  # IPAexGothic embedded as TrueType, as the charts are
        fig = Figure(figsize=(4, 2))
        left, right = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.1, right=0.95, bottom=0.2, top=0.8, wspace=0.3)
        for ax in (left, right):
            ax.plot([0, 1], [0, 1])
        fig.suptitle("日本のクラウド市場")
        left.text(0.1, 0.8, "AWS")
        if broken:
            left.text(0.12, 0.8, "Azure")  # on top of "AWS"
            fig.text(0.97, 0.5, "off the page")  # starts inside, ends outside the right edge
            left.text(0.1, 0.3, "2018年")
            left.text(0.1, 0.3, "2019年", transform=left.transData + _shift(fig, "2018年"))  # abuts it
            left.text(0.6, 0.5, "an annotation that runs into the next panel")
        fig.savefig(path)


def _shift(fig, text):
    """A transform moving a label right by the width of `text` at the default size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import ScaledTranslation

    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    width = fig.text(0, 0, text).get_window_extent(renderer).width
    fig.texts.pop()
    return ScaledTranslation(width / fig.dpi, 0, fig.dpi_scale_trans)


def test_the_check_finds_colliding_cut_off_run_together_and_crossing_words(tmp_path):
    path = tmp_path / "broken.pdf"
    _draw(path, broken=True)
    found = problems(path)
    assert any(p.startswith("overlap:") and "'AWS'" in p and "'Azure'" in p for p in found), found
    assert any(p.startswith("cut off:") and "'page'" in p and "right" in p for p in found), found
    assert any(p.startswith("run together:") and "'2018年2019年'" in p for p in found), found
    assert any(p.startswith("crosses panels:") for p in found), found


def test_the_check_passes_a_clean_figure_and_reads_its_words(tmp_path):
    path = tmp_path / "clean.pdf"
    _draw(path, broken=False)
    assert problems(path) == []
    texts = [w.text for w in words(path)]
    assert "日本のクラウド市場" in texts, "a Japanese line is one word: its glyphs are never compared"
    assert "AWS" in texts
    aws = next(w for w in words(path) if w.text == "AWS")
    assert 0 < aws.x0 < aws.x1 < 4 * 72 and 0 < aws.y0 < aws.y1 < 2 * 72

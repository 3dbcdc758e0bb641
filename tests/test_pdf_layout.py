"""Every chart's PDF, read as a reader sees it, in both languages at the widths of WIDTHS_MM (the
ends of the allowed range and of each layout, and the journal widths between):
no word leaves the page, no two words overlap or run together, no word crosses from one
panel into another (sovereign_ai.checks.layout_check), and the source line takes no more lines than
the width allows (house.source_line_limit). `python -m sovereign_ai.checks.layout_check FILE.pdf`
prints the offending words of one file. And every chart's PNG, drawn at the lowest dpi allowed
with a blank margin round the page: nothing, text or mark, reaches the page's outermost pixels
or lies beyond them.

The charts are drawn once per width in this test process and shared by both checks; at the
width figures/ holds, the files of figures/ are checked themselves (see _saved)."""

import functools
from unittest import mock

import matplotlib
import numpy as np
import pytest
from matplotlib.backends import _backend_pdf_ps
from matplotlib.figure import Figure
from PIL import Image

from sovereign_ai import paths
from sovereign_ai.charts import house, style
from sovereign_ai.checks.layout_check import problems, words
from sovereign_ai.engine import manifest
from sovereign_ai.parameters import RULES

pytestmark = pytest.mark.drawing

# The ends of the allowed range and of each source-line limit (3 lines below house.WIDE_MM, 2 from it), and
# the journal widths between: one and a half columns (120) and two (183, the shipped one).
WIDTH_RULE = RULES["width_mm"]
WIDTHS_MM = (WIDTH_RULE.minimum, 120, house.WIDE_MM, 183, WIDTH_RULE.maximum)

FIGURES = paths.figures_dir()

# The files the build writes, from the committed figures/ (which `make check` keeps current).
PUBLISHED = sorted(manifest.read(FIGURES)["files"])
# The PDFs: one per chart and language. test_every_chart_is_checked fails if a build writes another.
PDFS = [name for name in PUBLISHED if name.endswith(".pdf")]

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


_SAVED: dict = {}  # (width_mm, run id) -> {"pdf": {file name: path}, "png": {...}}, once per test process

# The PNG check draws each chart with this much blank page added on every side: a mark or word
# that runs off the page, even one wholly off it, shows in that margin.
MARGIN_IN = 0.5
# The lowest resolution allowed: the lower it is, the wider Agg's hinting draws text against the layout.
PNG_DPI = RULES["dpi"].minimum


def _run_writing(name: str):
    """The registered run whose notebook writes this file (figure name, optional part, language)."""
    from sovereign_ai.engine.build import load_registry

    matches = [
        run
        for run in load_registry()
        if name.split(".")[-2] == run.parameters["lang"]
        and (name.startswith(f"{run.figure}.") or name.startswith(f"{run.figure}_"))
    ]
    return max(matches, key=lambda run: len(run.figure))


@functools.cache
def _current_in_figures() -> frozenset:
    """The runs whose files in figures/ are current: inputs as recorded in the manifest, files intact."""
    from sovereign_ai.engine.build import load_registry, stale_reasons

    recorded = manifest.read(FIGURES)
    return frozenset(run.run_id for run in load_registry() if not stale_reasons(run, recorded, FIGURES))


def _saved(folder, width_mm: float, run, fmt: str) -> dict:
    """The run's charts as `fmt` files at this width, by file name.

    PDFs: at the width figures/ holds, for a run that is current there, figures/ own files
    (`make check` shows they are, byte for byte, what the notebook draws). Otherwise, and for
    every PNG, each chart is drawn once by the notebook's own cells in this process (no kernel),
    as the build draws it: the PDF saved with the build's saving function, the PNG with MARGIN_IN
    of blank page round it."""
    if fmt == "pdf" and _shipped(width_mm, run):
        return _published(run)
    key = (width_mm, run.run_id)
    if key not in _SAVED:  # one drawing gives both formats; figures/ gives the PDFs it holds
        _SAVED[key] = _draw_and_save(folder, width_mm, run, with_pdf=not _shipped(width_mm, run))
    return _SAVED[key][fmt]


def _shipped(width_mm: float, run) -> bool:
    return run.effective_parameters()["width_mm"] == width_mm and run.run_id in _current_in_figures()


def _published(run) -> dict:
    suffix = f".{run.parameters['lang']}.pdf"
    return {name: FIGURES / name for name in PUBLISHED if name.endswith(suffix) and _run_writing(name) == run}


def _draw_and_save(folder, width_mm: float, run, with_pdf: bool) -> dict:
    from matplotlib.transforms import Bbox

    from conftest import drawn

    folder.mkdir(exist_ok=True)
    lang = run.parameters["lang"]
    saved: dict = {"pdf": {}, "png": {}}
    for part, fig in drawn(run.notebook.stem, lang, width_mm).items():
        stem = f"{run.figure}_{part}" if part else run.figure
        if with_pdf:
            for path in style.save_figure(fig, folder, f"{stem}.{lang}", ["pdf"], 300):  # as the build saves it
                saved["pdf"][path.name] = path
        width, height = fig.get_size_inches()
        page_and_margin = Bbox([[-MARGIN_IN, -MARGIN_IN], [width + MARGIN_IN, height + MARGIN_IN]])
        png = folder / f"{stem}.{lang}.margin.png"
        fig.savefig(png, dpi=PNG_DPI, bbox_inches=page_and_margin, facecolor="white")
        saved["png"][f"{stem}.{lang}.png"] = png
    return saved


@pytest.fixture(scope="session")
def pdf_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("pdf")


# Matplotlib's subsetting with fontTools, as the build uses it.
FONTTOOLS_SUBSET = _backend_pdf_ps.get_glyphs_subset


class _SubsetFont:
    """Stands for a subset font that was made before: the PDF backend only saves it."""

    def __init__(self, data: bytes):
        self.data = data

    def save(self, file, **_options):  # reorderTables: the bytes are as saved the first time
        file.write(self.data)


@pytest.fixture(scope="module", autouse=True)
def subsets_made_once():
    """Each set of glyphs is cut out of the font once (fontTools' subsetting of the Japanese font
    is about half of a chart's PDF time, and a chart at another width mostly needs the same
    glyphs). The PDFs are byte for byte those without it (test_a_remembered_subset_...)."""
    from contextlib import contextmanager

    made = {}

    @contextmanager
    def remembered(fontfile, glyphs):
        key = (str(fontfile), fontfile.face_index, frozenset(glyphs))
        if key not in made:
            with FONTTOOLS_SUBSET(fontfile, glyphs) as results:
                made[key] = (_backend_pdf_ps.font_as_file(results.font).getvalue(), dict(results.glyph_index_map))
        data, index_map = made[key]
        yield _backend_pdf_ps.SubsetResults(_SubsetFont(data), index_map)

    with mock.patch.object(_backend_pdf_ps, "get_glyphs_subset", remembered):
        yield made


def test_a_remembered_subset_gives_the_pdf_the_build_writes(subsets_made_once, tmp_path):
    from conftest import drawn

    chart = drawn("four_reasons", "ja", WIDTHS_MM[0])[""]
    saved = []
    for remembered in (True, True, False):  # made, then taken from the cache; then without the cache
        subset = mock.Mock(wraps=_backend_pdf_ps.get_glyphs_subset if remembered else FONTTOOLS_SUBSET)
        with mock.patch.object(_backend_pdf_ps, "get_glyphs_subset", subset):
            folder = tmp_path / str(len(saved))
            saved += [path.read_bytes() for path in style.save_figure(chart, folder, "chart", ["pdf"], 300)]
            assert subset.call_count >= 1, "the chart embeds subset fonts"
    assert len(subsets_made_once) >= 1
    assert saved[0] == saved[1] == saved[2]


def test_every_chart_is_checked(pdf_folder):
    from sovereign_ai.engine.build import load_registry

    width = WIDTHS_MM[0]  # drawn, not taken from figures/, and shared with that width's checks
    written = sorted(name for run in load_registry() for name in _saved(pdf_folder / str(width), width, run, "pdf"))
    assert written == PDFS, "the notebooks draw other PDFs than figures/ holds: run `make figures`"
    assert {name for _, name in KNOWN_FAILURES} <= set(PDFS)


@pytest.mark.parametrize(("width_mm", "name"), _cases())
def test_no_text_is_cut_off_overlaps_or_crosses_panels(pdf_folder, width_mm, name):
    found = problems(_saved(pdf_folder / str(width_mm), width_mm, _run_writing(name), "pdf")[name])
    assert found == [], f"{name} at {width_mm} mm:\n" + "\n".join(found)


def source_lines(pdf) -> list[float]:
    """The baselines of a chart's source line as the PDF draws them: from the line that opens with
    (出所) / Source(s): to the foot of the page, at the source line's size."""
    found = words(pdf)
    first = next(
        w for w in found if w.text.startswith(("(出所)", "Source:", "Sources:")) and w.size == style.FONT_SIZES.source
    )
    baselines = {
        round(w.baseline, 1) for w in found if w.size == style.FONT_SIZES.source and w.baseline <= first.baseline + 0.1
    }
    return sorted(baselines, reverse=True)


@pytest.mark.parametrize(("width_mm", "name"), _cases())
def test_the_source_line_takes_at_most_its_limit_of_lines(pdf_folder, width_mm, name):
    """Three lines below house.WIDE_MM (a single column, 85 to 120 mm), two from it (183 mm, as figures/ has it)."""
    pdf = _saved(pdf_folder / str(width_mm), width_mm, _run_writing(name), "pdf")[name]
    assert 1 <= len(source_lines(pdf)) <= house.source_line_limit(width_mm)
    assert house.source_line_limit(89) == 3 and house.source_line_limit(183) == 2


def _run_ids() -> list[str]:
    from sovereign_ai.engine.build import load_registry

    return [run.run_id for run in load_registry()]


@pytest.mark.parametrize("run_id", _run_ids())
@pytest.mark.parametrize("width_mm", WIDTHS_MM)
def test_nothing_in_a_chart_is_cut_off_at_its_edges(pdf_folder, width_mm, run_id):
    """As a PNG, nothing reaches the page's outermost pixels or lies beyond them. The PDF check
    reads words; this sees marks too, and the PNG's own text, which Agg's hinting draws wider."""
    from sovereign_ai.engine.build import load_registry

    run = next(run for run in load_registry() if run.run_id == run_id)
    for name, path in _saved(pdf_folder / str(width_mm), width_mm, run, "png").items():
        found = _ink_beyond_the_page(path, width_mm / 25.4)
        assert found is None, f"{name} at {width_mm} mm runs off the page: {found}"


def _ink_beyond_the_page(path, width_in: float) -> str | None:
    """What is drawn on the page's outermost pixels or in the MARGIN_IN round it, in a PNG saved
    by _draw_and_save; None if nothing."""
    pixels = np.asarray(Image.open(path).convert("L"))
    margin = round(MARGIN_IN * PNG_DPI)
    expected = (width_in + 2 * MARGIN_IN) * PNG_DPI
    assert abs(pixels.shape[1] - expected) < 1, f"{pixels.shape[1]} px wide: not the page and its margin"
    page = (slice(margin + 1, -margin - 1), slice(margin + 1, -margin - 1))  # less its outermost pixels
    assert pixels[page].min() < 255, "the page is blank: the margin is misplaced"
    beyond = pixels.copy()
    beyond[page] = 255
    rows, columns = np.nonzero(beyond < 255)
    if rows.size == 0:
        return None
    return (
        f"{rows.size} pixels at {PNG_DPI} dpi, at or beyond its edge, the first "
        f"{columns[0] - margin} px from its left and {rows[0] - margin} px from its top"
    )


def test_the_png_check_sees_a_word_wholly_off_the_page(tmp_path):
    width_in = 89 / 25.4
    for off in (False, True):
        with matplotlib.rc_context(style.HOUSE_RC):
            fig = Figure(figsize=(width_in, 1.5))
            fig.text(0.4, 0.5, "on the page")
            if off:
                fig.text(1.02, 0.5, "wholly off")  # nothing of it on the page: no edge pixel shows it
        folder = tmp_path / str(off)
        with mock.patch("conftest.drawn", return_value={"": fig}):
            png = _draw_and_save(folder, 89, _run_writing("four_reasons.en.pdf"), with_pdf=False)["png"]
        found = _ink_beyond_the_page(png["four_reasons.en.png"], width_in)
        assert (found is not None) == off, found
        if off:
            assert "px from its left" in found and int(found.split(" the first ")[1].split()[0]) > 89 / 25.4 * PNG_DPI


# ---- The check itself --------------------------------------------------------------


# The house's fonts and file settings at matplotlib's own text sizes, which the drawing below is laid out for.
TEST_RC = style.HOUSE_RC | {k: matplotlib.rcParamsDefault[k] for k in style.HOUSE_RC if k.endswith("size")}


def _draw(path, broken: bool):
    """Two panels with a title, tick labels and a Japanese line; if broken, two labels
    collide, one leaves the page, two labels run together and one crosses both panels."""
    with matplotlib.rc_context(TEST_RC):  # IPAexGothic embedded as TrueType, as the charts are
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


def test_the_command_names_a_file_it_cannot_read_without_a_traceback(tmp_path, capsys):
    from sovereign_ai.checks.layout_check import main

    (tmp_path / "notes.pdf").write_text("not a PDF")
    shipped = str(FIGURES / "four_reasons.en.pdf")
    code = main([str(tmp_path / "missing.pdf"), str(tmp_path / "notes.pdf"), str(tmp_path), shipped])
    said = capsys.readouterr()
    assert code == 2
    assert f"{tmp_path / 'missing.pdf'}: cannot be read (No such file or directory)" in said.err
    assert f"{tmp_path / 'notes.pdf'}: not a PDF this check can read" in said.err
    assert f"{tmp_path}: cannot be read (Is a directory)" in said.err
    assert f"{shipped}: ok" in said.out and "0 of 4 files have problems; 3 could not be read" in said.out

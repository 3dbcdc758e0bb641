"""Check a figure as a reader sees it: the words in its PDF, with their boxes.

The layout tests of Figures 1 and 2 (tests/test_layout.py) ask matplotlib where it meant
to put each text. This module reads the PDF that a journal receives instead: every
glyph matplotlib wrote, with its box, grouped into the text objects it was drawn
as, and asks four questions of them:

- does any word leave the page;
- do two words of different labels overlap;
- do two labels on one baseline run together ("2018年2019年"), with less than a
  narrow space between them, so they read as one;
- does a label cross from one panel into another: a line of text that lies
  over the boxes of two axes that do not overlap each other, i.e. straddles
  the gap between them (an approximation of "an annotation leaves its panel").

How words are read. pdfminer.six (the parser under pdfplumber) gives each glyph
with its box: advance width by font size, from the font's descent to its
ascent. What neither gives directly is which glyphs belong to one label, and
that is what tells one label from two labels that touch. Matplotlib draws every
line of every text in one PDF text object (BT ... ET, fallback fonts included),
so the interpreter below numbers the text objects and tags each glyph with its
object. A *run* is then one line of one label exactly; a *word* is a run split
at white space. A Japanese line has no spaces, so it is one word: its glyphs
abut and are never compared with one another. The panels are the axes' clip
rectangles (``x y w h re W n``), which matplotlib writes for whatever it draws
inside axes.

Coordinates are PDF points (1/72 inch), origin at the bottom left of the page,
as in matplotlib's figure coordinates (times 72 / dpi).

    python -m sovereign_ai.checks.layout_check figures/*.pdf      # the problems, if any
    python -m sovereign_ai.checks.layout_check --words FILE.pdf    # every word with its box
"""

import argparse
import functools
import os
import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LTChar
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfexceptions import PDFException, PSException
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.utils import apply_matrix_pt

# ---- Thresholds --------------------------------------------------------------------

# Boxes that overlap by less than this (in points, on either axis) are taken to
# touch, not to overlap: matplotlib rounds positions, glyph advance boxes are a
# little wider than the ink, and antialiasing blurs edges by about a device pixel.
OVERLAP_PT = 0.3

# How far a glyph may reach past the page edge before it counts as cut off:
# the same antialiasing allowance as above.
EDGE_PT = 0.3

# Two labels on one baseline closer than this fraction of the font size read as
# one word. A word space is 0.25 to 0.33 em in the fonts used here (IPAexGothic,
# DejaVu Sans); a gap narrower than a fifth of an em is narrower than any space
# a typesetter would put between two words.
RUN_TOGETHER_EM = 0.2

# Two runs are on one baseline when their baselines differ by less than this
# fraction of the font size (matplotlib places tick labels of one axis on
# exactly one baseline; 5 % absorbs rounding).
BASELINE_EM = 0.05

# A line of text crosses into a panel when it overlaps that panel's box by more than
# this much, in points, on both axes: a label that merely touches a panel's
# edge, as tick labels do, is not inside it.
PANEL_PT = 1.0

# Clip rectangles that cover this much of the page are the figure's own, not a panel's.
FIGURE_CLIP_SHARE = 0.9


# ---- Reading the words -------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word as drawn: its text and box in PDF points (origin bottom left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int = 1
    run: int = 0  # the text object it was drawn in: one line of one label
    size: float = 0.0  # font size in points
    baseline: float = 0.0  # y of the glyph origins (x for text turned by 90°)
    upright: bool = True

    def where(self) -> str:
        return f"x {self.x0:.1f}–{self.x1:.1f}, y {self.y0:.1f}–{self.y1:.1f}"

    def __str__(self) -> str:
        return f"{self.text!r} ({self.where()})"


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlap(self, other) -> tuple[float, float]:
        """How far two boxes overlap along x and along y (negative: the gap between them)."""
        return (
            min(self.x1, other.x1) - max(self.x0, other.x0),
            min(self.y1, other.y1) - max(self.y0, other.y0),
        )

    def where(self) -> str:
        return f"x {self.x0:.1f}–{self.x1:.1f}, y {self.y0:.1f}–{self.y1:.1f}"


@dataclass
class Page:
    number: int
    box: Box
    words: list[Word]
    panels: list[Box]


class _Device(PDFLayoutAnalyzer):
    """Collects every glyph with the number of the text object it was drawn in."""

    def __init__(self, rsrcmgr):
        super().__init__(rsrcmgr, laparams=None)
        self.text_object = 0
        self.glyphs: list[tuple[int, LTChar]] = []
        self.clips: list[Box] = []

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate):
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = f"(cid:{cid})"
        glyph = LTChar(
            matrix, font, fontsize, scaling, rise, text, font.char_width(cid), font.char_disp(cid), ncs, graphicstate
        )
        self.glyphs.append((self.text_object, glyph))
        return glyph.adv


class _Interpreter(PDFPageInterpreter):
    """Numbers the text objects and records rectangular clip paths (the axes' boxes)."""

    def do_BT(self):  # noqa: N802  (pdfminer names its handlers after the PDF operators)
        self.device.text_object += 1
        super().do_BT()

    def do_W(self):  # noqa: N802
        ops = [segment[0] for segment in self.curpath]
        if ops == ["m", "l", "l", "l", "h"]:
            corners = [apply_matrix_pt(self.ctm, (s[1], s[2])) for s in self.curpath[:4]]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            self.device.clips.append(Box(min(xs), min(ys), max(xs), max(ys)))
        super().do_W()


def _baseline(glyph: LTChar) -> tuple[bool, float]:
    a, b, c, d, e, f = glyph.matrix
    if abs(b) < 1e-6 and abs(c) < 1e-6:
        return True, f  # horizontal
    if abs(a) < 1e-6 and abs(d) < 1e-6:
        return False, e  # turned by 90°: the baseline is vertical
    return False, float("nan")  # any other angle: no run-together check


def _words_of(glyphs: list[tuple[int, LTChar]], page: int) -> list[Word]:
    words, current = [], []

    def close():
        if current:
            run, first = current[0]
            upright, baseline = _baseline(first)
            words.append(
                Word(
                    "".join(g.get_text() for _, g in current),
                    min(g.x0 for _, g in current),
                    min(g.y0 for _, g in current),
                    max(g.x1 for _, g in current),
                    max(g.y1 for _, g in current),
                    page,
                    run,
                    round(first.size, 3),
                    baseline,
                    upright,
                )
            )
            current.clear()

    for run, glyph in glyphs:
        if current and current[-1][0] != run:
            close()
        if glyph.get_text().isspace() or not glyph.get_text():
            close()
        else:
            current.append((run, glyph))
    close()
    return words


def read(pdf_path) -> list[Page]:
    """Every page of a PDF with its words and its panels (the axes' clip boxes). A file read
    before, and not changed since, is not read again (the layout tests ask for the same file
    several times)."""
    stat = os.stat(pdf_path)
    return list(_read(str(pdf_path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=512)
def _read(pdf_path: str, _mtime_ns: int, _size: int) -> tuple[Page, ...]:
    pages = []
    with open(pdf_path, "rb") as f:
        document = PDFDocument(PDFParser(f))
        rsrcmgr = PDFResourceManager()
        for number, pdf_page in enumerate(PDFPage.create_pages(document), start=1):
            device = _Device(rsrcmgr)
            _Interpreter(rsrcmgr, device).process_page(pdf_page)
            x0, y0, x1, y1 = pdf_page.mediabox
            box = Box(x0, y0, x1, y1)
            pages.append(Page(number, box, _words_of(device.glyphs, number), _panels(device.clips, box)))
    return tuple(pages)


def words(pdf_path) -> list[Word]:
    """Every word drawn in a PDF, with its box in points."""
    return [w for page in read(pdf_path) for w in page.words]


def _panels(clips: list[Box], page: Box) -> list[Box]:
    page_area = (page.x1 - page.x0) * (page.y1 - page.y0)
    unique = {(round(c.x0, 1), round(c.y0, 1), round(c.x1, 1), round(c.y1, 1)): c for c in clips}
    return [
        c
        for c in unique.values()
        if (c.x1 - c.x0) * (c.y1 - c.y0) < FIGURE_CLIP_SHARE * page_area and c.x1 > c.x0 and c.y1 > c.y0
    ]


# ---- The checks --------------------------------------------------------------------


def _off_page(page: Page) -> list[str]:
    found = []
    for w in page.words:
        sides = [
            side
            for side, beyond in (
                ("left", page.box.x0 - w.x0),
                ("right", w.x1 - page.box.x1),
                ("bottom", page.box.y0 - w.y0),
                ("top", w.y1 - page.box.y1),
            )
            if beyond > EDGE_PT
        ]
        if sides:
            found.append(
                f"cut off: {w} leaves the page at the {' and '.join(sides)} "
                f"(page x {page.box.x0:.1f}–{page.box.x1:.1f}, y {page.box.y0:.1f}–{page.box.y1:.1f})"
            )
    return found


def _same_baseline(a: Word, b: Word) -> bool:
    return (
        a.upright == b.upright
        and a.baseline == a.baseline  # not nan: horizontal or turned by 90°
        and b.baseline == b.baseline
        and abs(a.size - b.size) < 0.01
        and abs(a.baseline - b.baseline) < BASELINE_EM * a.size
        and (abs(a.y0 - b.y0) < BASELINE_EM * a.size if a.upright else abs(a.x0 - b.x0) < BASELINE_EM * a.size)
    )


def _collisions(page: Page) -> list[str]:
    found = []
    ordered = sorted(page.words, key=lambda w: w.x0)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.x0 > a.x1 + RUN_TOGETHER_EM * max(a.size, b.size):
                break  # sorted by x0: no later word reaches a
            if a.run == b.run:
                continue  # words of one line follow one another
            dx, dy = Box.overlap(a, b)
            if dx > OVERLAP_PT and dy > OVERLAP_PT:
                found.append(f"overlap: {a} and {b} overlap by {dx:.1f} × {dy:.1f} pt")
            elif _same_baseline(a, b):
                gap = -(dy if not a.upright else dx)
                if gap < RUN_TOGETHER_EM * a.size and not (dx > OVERLAP_PT and dy > OVERLAP_PT):
                    found.append(
                        f"run together: {a} and {b} are on one baseline {max(gap, 0):.1f} pt apart "
                        f"(less than {RUN_TOGETHER_EM:g} em = {RUN_TOGETHER_EM * a.size:.1f} pt): "
                        f"they read as {a.text + b.text!r}"
                    )
    return found


def _lines(page: Page) -> list[Word]:
    """The runs of a page, each as one Word: one line of one label, spaces included."""
    runs: dict[int, list[Word]] = {}
    for w in page.words:
        runs.setdefault(w.run, []).append(w)
    return [
        Word(
            " ".join(w.text for w in ws),
            min(w.x0 for w in ws),
            min(w.y0 for w in ws),
            max(w.x1 for w in ws),
            max(w.y1 for w in ws),
            page.number,
            run,
            ws[0].size,
            ws[0].baseline,
            ws[0].upright,
        )
        for run, ws in runs.items()
    ]


def _panel_crossings(page: Page) -> list[str]:
    """Lines of text that lie over two panels that do not overlap: they straddle the gap between them."""
    found = []
    lines = _lines(page)
    for p, q in combinations(page.panels, 2):
        dx, dy = p.overlap(q)
        if dx > 0 and dy > 0:
            continue  # nested or twin axes (an inset, a second y axis): not two panels
        for line in lines:
            if min(p.overlap(line)) > PANEL_PT and min(q.overlap(line)) > PANEL_PT:
                found.append(f"crosses panels: {line} lies over two panels ({p.where()} and {q.where()})")
    return found


def problems(pdf_path) -> list[str]:
    """What a reader would find wrong with the text of a PDF figure, one line per problem; [] if nothing."""
    found = []
    pages = read(pdf_path)
    for page in pages:
        prefix = f"page {page.number}: " if len(pages) > 1 else ""
        for problem in _off_page(page) + _collisions(page) + _panel_crossings(page):
            found.append(prefix + problem)
    return found


# ---- Command line ------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sovereign_ai.checks.layout_check",
        description="Report text that leaves the page, overlaps, runs together or crosses panels in PDF figures.",
    )
    parser.add_argument("pdfs", nargs="+", type=Path, metavar="FILE.pdf")
    parser.add_argument("--words", action="store_true", help="also list every word with its box")
    args = parser.parse_args(argv)
    failed = unreadable = 0
    for pdf in args.pdfs:
        try:
            found = problems(pdf)
        except OSError as error:  # no such file, a folder, no permission
            print(f"{pdf}: cannot be read ({error.strerror or error})", file=sys.stderr)
            unreadable += 1
            continue
        except (PDFException, PSException) as error:  # not a PDF, or a damaged one
            print(f"{pdf}: not a PDF this check can read ({type(error).__name__}: {error})", file=sys.stderr)
            unreadable += 1
            continue
        print(f"{pdf}: {'ok' if not found else f'{len(found)} problem(s)'}")
        for problem in found:
            print(f"  {problem}")
        if args.words:
            for page in read(pdf):
                for w in page.words:
                    print(f"    word p{page.number} run {w.run:<4} {w.size:4.1f} pt  {w}")
        failed += bool(found)
    if len(args.pdfs) > 1:
        print(
            f"{failed} of {len(args.pdfs)} files have problems"
            + (f"; {unreadable} could not be read" * bool(unreadable))
        )
    return 2 if unreadable else 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Text in two languages: the charts' words, and line breaking to a width.

The words are in catalogue files a translator edits, beside the notebooks
(notebooks/<notebook>.labels.yaml, notebooks/shared.labels.yaml; sovereign_ai.labels).

Japanese breaks at phrase boundaries found by BudouX, and never leaves a
closing mark (、。」…) at the start of a line or an opening one at the end
(kinsoku shori). English breaks at spaces. Widths are measured with the same
fonts matplotlib draws with, so a line that fits here fits in the figure.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from sovereign_ai import labels

LANGUAGES = labels.LANGUAGES

# Marks that may not begin a line, and marks that may not end one.
NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》”’ゝゞ々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ),.:;!?%")
NO_LINE_END = set("（「『【〔〈《“‘(")


def label(key: str, lang: str) -> str:
    """A word or phrase of the charts in the given language, from the catalogue file that holds
    key; CatalogueError naming the files looked in when none does."""
    check_language(lang)
    return labels.lookup(key, lang)


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang {lang!r} is not supported; choose one of {', '.join(LANGUAGES)}")


@lru_cache(maxsize=1)
def _japanese_parser():
    import budoux

    return budoux.load_default_japanese_parser()


def phrases(text: str, lang: str) -> list[str]:
    """The units a line may break between: BudouX phrases for Japanese, words (with their space) for English."""
    check_language(lang)
    if lang == "en":
        words = text.split(" ")
        return [w + " " for w in words[:-1]] + [words[-1]]
    # Spaces separate segments that BudouX would otherwise cut inside (dates, numbers);
    # each segment keeps its trailing space, and no phrase breaks inside a run of Latin letters or digits.
    parts: list[str] = []
    segments = text.split(" ")
    for i, segment in enumerate(segments):
        pieces = _join_latin_runs(_japanese_parser().parse(segment)) if segment else [""]
        if i < len(segments) - 1:
            pieces[-1] += " "
        parts += [p for p in pieces if p]
    return _glue_kinsoku(parts)


def _join_latin_runs(pieces: list[str]) -> list[str]:
    """Merge pieces that BudouX split between two Latin letters or digits (a year cut after its third digit)."""
    joined: list[str] = []
    for piece in pieces:
        if (
            joined
            and joined[-1][-1].isascii()
            and joined[-1][-1].isalnum()
            and piece[0].isascii()
            and piece[0].isalnum()
        ):
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


def _glue_kinsoku(parts: list[str]) -> list[str]:
    """Merge parts so that none starts with a no-line-start mark or ends with a no-line-end mark."""
    glued: list[str] = []
    for part in parts:
        if glued and (part[0] in NO_LINE_START or glued[-1][-1] in NO_LINE_END):
            glued[-1] += part
        else:
            glued.append(part)
    return glued


@lru_cache(maxsize=8192)
def text_width_pt(text: str, size_pt: float) -> float:
    """Width of text in points at the given size, in the house fonts."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    from sovereign_ai.charts.style import FONT_FAMILY

    prop = FontProperties(family=list(FONT_FAMILY), size=size_pt)
    width, _, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return width


# Lines are filled to this fraction of the width: PNG output hints glyphs to the pixel grid,
# which can widen a long line at small sizes by a few percent over its outline width.
FILL = 0.96


class PhraseTooWide(ValueError):
    """A word or phrase wider than its line, where phrases must stay whole (phrases_kept_whole)."""

    def __init__(self, phrase: str):
        super().__init__(phrase)
        self.phrase = phrase


_KEEP_PHRASES_WHOLE: ContextVar[bool] = ContextVar("keep_phrases_whole", default=False)


@contextmanager
def phrases_kept_whole():
    """Within it, wrap() raises PhraseTooWide rather than split a word or phrase by character:
    for layouts the user chose, which should say they are too narrow rather than print "Secu-ring"."""
    token = _KEEP_PHRASES_WHOLE.set(True)
    try:
        yield
    finally:
        _KEEP_PHRASES_WHOLE.reset(token)


def wrap(text: str, lang: str, width_pt: float, size_pt: float) -> list[str]:
    """Break text into lines no wider than width_pt (a phrase wider than a line is split by character).

    Each line takes as many phrases as fit (greedy). A line only gets wider as phrases are added,
    so how many fit can be found from a guess rather than by measuring the line after every
    phrase (measuring is most of the time of drawing a long source line).
    """
    width_pt *= FILL
    units = phrases(text, lang)
    lines: list[str] = []
    current = ""
    i = 0
    while i < len(units):
        if current:
            fit = _phrases_that_fit(current, units[i:], width_pt, size_pt)
            current += "".join(units[i : i + fit])
            i += fit
            if i == len(units):
                break
            lines.append(current.rstrip())
        current = units[i]
        i += 1
        while text_width_pt(current.rstrip(), size_pt) > width_pt and len(current.rstrip()) > 1:
            if _KEEP_PHRASES_WHOLE.get():
                raise PhraseTooWide(current.strip())
            head, current = _split_overlong(current, width_pt, size_pt)
            lines.append(head)
    if current.strip():
        lines.append(current.rstrip())
    return no_lonely_last_word(lines, lang, width_pt, size_pt)


def no_lonely_last_word(lines: list[str], lang: str, width_pt: float, size_pt: float) -> list[str]:
    """English lines whose last line is not one word alone: it takes the word before it, where it fits."""
    if lang == "en" and len(lines) > 1 and " " not in lines[-1]:
        head, _, word = lines[-2].rpartition(" ")
        if " " in head and text_width_pt(f"{word} {lines[-1]}", size_pt) <= width_pt:
            return [*lines[:-2], head, f"{word} {lines[-1]}"]
    return lines


def _phrases_that_fit(line: str, units: list[str], width_pt: float, size_pt: float) -> int:
    """How many of units, in order, still fit on line: the largest n with line + units[:n] no wider
    than width_pt. A guess from the phrases' own widths (short texts, quick to measure) is checked,
    then moved one phrase at a time until it is exact: most lines take two measurements."""

    def fits(n: int) -> bool:
        return text_width_pt((line + "".join(units[:n])).rstrip(), size_pt) <= width_pt

    guess, used = 0, text_width_pt(line.rstrip(), size_pt)
    for unit in units:
        used += text_width_pt(unit.rstrip(), size_pt)
        if used > width_pt:
            break
        guess += 1
    while guess > 0 and not fits(guess):  # too many: the line as it is always fits
        guess -= 1
    while guess < len(units) and fits(guess + 1):  # too few
        guess += 1
    return guess


def wrap_mm(text: str, lang: str, width_mm: float, size_pt: float) -> list[str]:
    """wrap() with the width in millimetres; no lines for empty text."""
    from sovereign_ai.charts.style import MM_PER_PT

    return wrap(text, lang, width_mm / MM_PER_PT, size_pt) if text else []


def _split_overlong(text: str, width_pt: float, size_pt: float) -> tuple[str, str]:
    """The longest head of text that fits, respecting kinsoku, and the rest."""
    cut = 1
    while cut < len(text) and text_width_pt(text[: cut + 1], size_pt) <= width_pt:
        cut += 1
    while 1 < cut < len(text) and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END):
        cut -= 1
    return text[:cut], text[cut:]


# A journal page's printed height, near enough for most journals: a taller figure will not fit one.
PAGE_HEIGHT_MM = 240


def size_note(width_mm: float, height_mm: float) -> str:
    """(W × H mm), with a warning when the figure is taller than a journal page."""
    taller = f"; taller than a journal page, about {PAGE_HEIGHT_MM} mm" if height_mm > PAGE_HEIGHT_MM else ""
    return f"({width_mm:.0f} × {height_mm:.0f} mm{taller})"


def fiscal_year(year, lang: str) -> str:
    """A Japanese fiscal year as each language writes it (shared.labels.yaml's fiscal_year: FY2020)."""
    return label("fiscal_year", lang).format(year=int(year))


def day(date, lang: str) -> str:
    """A calendar day as each language writes it (shared.labels.yaml's day: 2026-06-30)."""
    return label("day", lang).format(year=date.year, month=date.month, day=date.day)


def rounded(value: float, decimals: int) -> str:
    """value with exactly this many decimals, halves rounded up as a reader would (6.85 -> 6.9)."""
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def qualified(value: str, qualifier, lang: str) -> str:
    """A number with its qualifier as the source words it: "about 6.8", "up to 72.5" (the qual_ entries
    of shared.labels.yaml)."""
    qualifier = qualifier if isinstance(qualifier, str) else ""
    return label(f"qual_{qualifier}", lang).format(v=value)

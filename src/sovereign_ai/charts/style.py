"""Figure style: sizes in millimetres, fonts, and deterministic saving.

Everything that makes the figures publication-ready lives here once:
TrueType fonts embedded in PDFs (journals reject Type 3), Japanese in a real
Japanese font, and files that are byte-identical from one build to the next.
"""

import base64
import io
import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib_fontja  # noqa: F401  (registers the bundled IPAexGothic font)
from matplotlib.figure import Figure

from sovereign_ai import paths, reads, safe_io
from sovereign_ai.charts import text

MM_PER_INCH = 25.4
PT_PER_INCH = 72.0
MM_PER_PT = MM_PER_INCH / PT_PER_INCH
LEADING = 1.4  # line height as a multiple of the font size

# The house rcParams, declared once in house.mplstyle beside this module: anyone can use that file
# with plt.style.use(path) without the package.
HOUSE_STYLE = Path(__file__).with_name("house.mplstyle")
HOUSE_RC = dict(matplotlib.rc_params_from_file(HOUSE_STYLE, use_default_template=False))

# IPAexGothic covers Japanese and Latin text; DejaVu Sans (shipped with
# matplotlib) supplies the few symbols it lacks, such as ➡.
FONT_FAMILY = tuple(HOUSE_RC["font.family"])

FORMATS = ("svg", "pdf", "png")


# No dates or tool versions in the files, so that rebuilds are byte-identical.
_METADATA = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "png": {"Software": None},
}


@dataclass(frozen=True)
class FontSizes:
    """Font sizes in points: they stay the same at every width so text stays legible.
    Those matplotlib has a setting for are read from house.mplstyle."""

    title: float = float(HOUSE_RC["figure.titlesize"])
    heading: float = 7.5
    body: float = float(HOUSE_RC["xtick.labelsize"])  # ticks and axis labels
    label: float = float(HOUSE_RC["font.size"])  # words on the marks, legends
    source: float = 5.5


FONT_SIZES = FontSizes()


class FontMissingError(RuntimeError):
    """The Japanese font is not installed: figures would show empty boxes instead of text."""


def use_house_style() -> None:
    """Apply the house rcParams of house.mplstyle (fonts, sizes, axes, embedding, stable SVG ids)
    for this process.

    Refuses when the Japanese font is missing, on every route (the build, papermill,
    JupyterLab), rather than draw Japanese as empty boxes.
    """
    check_japanese_font()
    matplotlib.rcParams.update(HOUSE_RC)


def check_japanese_font() -> None:
    """FontMissingError naming the font and how to restore it, when matplotlib cannot find it."""
    from matplotlib.font_manager import FontProperties, findfont

    try:
        findfont(FontProperties(family=FONT_FAMILY[0]), fallback_to_default=False)
    except ValueError:
        raise FontMissingError(
            f"the Japanese font {FONT_FAMILY[0]} is not installed (it comes with the package matplotlib-fontja), "
            "so Japanese text would be drawn as empty boxes. Restore it by re-running the set-up: "
            "`make setup`, or `pip install -c constraints.txt -e .` in your environment."
        ) from None


def mm_to_inches(mm: float) -> float:
    return mm / MM_PER_INCH


def line_height_mm(size_pt: float) -> float:
    """The height of one line of text at this size, in millimetres."""
    return size_pt * LEADING * MM_PER_PT


def new_figure(width_mm: float, height_mm: float) -> Figure:
    """A figure of exactly this size, not tied to pyplot's global state."""
    use_house_style()
    return Figure(figsize=(mm_to_inches(width_mm), mm_to_inches(height_mm)))


def describe(fig: Figure, title: str, source_line: str) -> Figure:
    """Attach the figure's title and source line; saving writes them into each file's metadata
    (PDF Title/Subject, SVG dc:title/dc:description, PNG Title/Description)."""
    fig.sovereign_ai_description = {"title": title, "source": source_line}
    return fig


def _metadata(fig: Figure, fmt: str) -> dict:
    metadata = dict(_METADATA[fmt])
    described = getattr(fig, "sovereign_ai_description", None)
    if described:
        if fmt == "pdf":
            metadata.update(Title=described["title"], Subject=described["source"])
        else:
            metadata.update(Title=described["title"], Description=described["source"])
    return metadata


def save_figure(fig: Figure, output_dir: str | os.PathLike, stem: str, formats, dpi: int) -> list[Path]:
    """Write fig as output_dir/stem.<format> for each format; return the paths written.

    Each file is written in full beside its target, flushed, and then renamed over it
    (sovereign_ai.safe_io), so a failure never leaves a half-written or truncated figure
    behind; files get the permissions the umask asks for (0644 under umask 022).
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"format {fmt!r} is not supported; choose from {', '.join(FORMATS)}")
        target = output_dir / f"{stem}.{fmt}"
        safe_io.write_file(target, lambda f, fmt=fmt: fig.savefig(f, format=fmt, dpi=dpi, metadata=_metadata(fig, fmt)))
        written.append(target)
    return written


# Called with (part, figure) for every chart a notebook saves or would save: see notebook_code.run.
FIGURE_LISTENERS: list = []


SOURCE_DATA_COLUMNS = ("label", "value", "unit", "date", "source_id")  # first, in this order; others may follow


def save_as_asked(fig: Figure, settings, part: str = "", *, source_data) -> list[Path]:
    """Save fig as a notebook's checked parameters ask: <name>[_<part>].<lang>.<format> in output_dir,
    with its caption file and its source data (<stem>.<lang>.data.csv: one row per mark drawn).

    Writes nothing when output_dir is empty (the notebook only displays), nor when the build
    asked for other charts only (`build --only <name>_<chart>`).
    """
    table = source_data_table(source_data)
    for listener in FIGURE_LISTENERS:
        listener(part, fig)
    if not settings.output_dir:
        return []
    reads.record_modules()  # the code that drew this figure, for the build's manifest
    if not reads.saves(part):
        return []
    stem = f"{settings.name}_{part}" if part else settings.name
    folder = paths.output_folder(settings.output_dir)  # a relative folder is below the repository root
    written = save_figure(fig, folder, f"{stem}.{settings.lang}", settings.formats, settings.dpi)
    data_csv = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return [
        *written,
        save_caption(fig, folder, f"{stem}.{settings.lang}"),
        safe_io.write_bytes(folder / f"{stem}.{settings.lang}.data.csv", data_csv),
    ]


def source_data_table(table):
    """The values a chart draws, checked: the columns SOURCE_DATA_COLUMNS first, a source on every row."""
    missing = [c for c in SOURCE_DATA_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"a chart's source data needs the columns {', '.join(SOURCE_DATA_COLUMNS)}; missing: {', '.join(missing)}"
        )
    if table.empty:
        raise ValueError("a chart's source data has no rows: every mark drawn is a row")
    unsourced = table["source_id"].isna() | (table["source_id"].astype(str).str.strip() == "")
    if unsourced.any():
        raise ValueError(f"rows {', '.join(map(str, table.index[unsourced]))} of a chart's source data name no source")
    others = [c for c in table.columns if c not in SOURCE_DATA_COLUMNS]
    return table[[*SOURCE_DATA_COLUMNS, *others]].reset_index(drop=True)


def caption(fig: Figure) -> str:
    """The figure's caption for an author to paste: its title, then the full references of its
    sources, then who made the chart."""
    from sovereign_ai.charts import citations

    described = getattr(fig, "sovereign_ai_description", None) or {}
    parts = [described.get("title")]
    line = described.get("source")
    if isinstance(line, citations.SourceLine):
        parts.append(
            "\n".join([text.label("references_heading", line.lang), *citations.references(line.source_ids, line.lang)])
        )
        parts.append(line.credit)
    elif line:
        parts.append(line)
    return "\n\n".join(part for part in parts if part) + "\n"


def save_caption(fig: Figure, output_dir: str | os.PathLike, stem: str) -> Path:
    """Write output_dir/<stem>.caption.txt (UTF-8), written in full and renamed into place like the figures."""
    return safe_io.write_bytes(Path(output_dir) / f"{stem}.caption.txt", caption(fig).encode("utf-8"))


def size_mm(fig: Figure) -> tuple[float, float]:
    """The figure's width and height in millimetres."""
    return fig.get_figwidth() * MM_PER_INCH, fig.get_figheight() * MM_PER_INCH


def report_saved(written: list[Path], fig: Figure) -> None:
    """Print each file written with its size in mm, so an author sees the height at a journal's width."""
    size = text.size_note(*size_mm(fig))
    for path in written:
        print(f"wrote {path}{'' if path.name.endswith('.caption.txt') else ' ' + size}")


def png_bytes(fig: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata=_METADATA["png"])
    return buffer.getvalue()


def _in_256_colours(png: bytes) -> bytes:
    """The PNG a notebook stores: in 256 colours, which a chart's flat colours and its text keep,
    at about a third of the bytes (the stored notebooks stay small; figures/ keeps full colour)."""
    from PIL import Image  # matplotlib's own dependency

    converted = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(256).save(converted, format="PNG", optimize=True)
    return converted.getvalue()


def show_figure(fig: Figure, dpi: int = 110) -> None:
    """Display the figure in a notebook as a PNG, with its title as alt text.

    The output carries the PNG once, in an HTML <img> with an `alt` attribute, which JupyterLab,
    nbconvert's HTML export, the book and screen readers show (none of them reads alt text from
    an image/png output or its metadata), and the title alone as text/plain for a reader that
    shows no HTML. No repr of the figure is sent: '<Figure size ...>' varies between versions.
    Outside a kernel (the benchmark's plain-Python baseline) the PNG is still rendered, so both
    do the same work, but nothing is shown.
    """
    import html

    from IPython import get_ipython
    from IPython.display import display

    encoded = base64.b64encode(_in_256_colours(png_bytes(fig, dpi))).decode("ascii")
    if get_ipython() is None:
        return
    described = getattr(fig, "sovereign_ai_description", None) or {}
    alt = described.get("title") or "figure"
    width_px = round(fig.get_figwidth() * dpi)
    image = f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" width="{width_px}">'
    display({"text/html": image, "text/plain": alt}, raw=True)

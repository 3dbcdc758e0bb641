"""Figure style: exact sizes, embedded TrueType fonts, deterministic files, legible palettes."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from sovereign_ai import paths
from sovereign_ai.charts import palettes, style
from sovereign_ai.charts.report_figures import draw_report_figure


def test_89_mm_is_252_3_points():
    fig = style.new_figure(89, 50)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf")
    width = float(PdfReader(buffer).pages[0].mediabox.width)
    assert width == pytest.approx(252.28, abs=0.01)


def _no_dates_or_tool_versions(folder, stem: str) -> None:
    svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    pdf = PdfReader(folder / f"{stem}.pdf")
    assert not {"/CreationDate", "/Producer", "/Creator"} & set(pdf.metadata or {})
    assert "Software" not in Image.open(folder / f"{stem}.png").info


def test_saved_files_have_no_dates_or_tool_versions(tmp_path):
    # What the saving function writes, for any figure (the metadata do not depend on what it shows)...
    fig = style.describe(style.new_figure(60, 20), "A title", "A source line")
    written = style.save_figure(fig, tmp_path, "probe", ["svg", "pdf", "png"], 150)
    assert [p.name for p in written] == ["probe.svg", "probe.pdf", "probe.png"]
    _no_dates_or_tool_versions(tmp_path, "probe")
    assert not list(tmp_path.glob(".probe*")), "no temporary files are left behind"
    # ...and a report figure as the build saved it (figures/ is a fresh build's, byte for byte: make check)
    _no_dates_or_tool_versions(paths.figures_dir(), "four_reasons.en")


def test_saving_twice_gives_identical_bytes(tmp_path):
    for run in ("a", "b"):
        fig = draw_report_figure("basic_plan_policies", lang="ja", width_mm=120, palette="greyscale")
        style.save_figure(fig, tmp_path / run, "probe", ["svg", "pdf", "png"], 150)
    for ext in ("svg", "pdf", "png"):
        assert (tmp_path / "a" / f"probe.{ext}").read_bytes() == (tmp_path / "b" / f"probe.{ext}").read_bytes()


def test_png_pixels_follow_width_and_dpi(tmp_path):
    fig = draw_report_figure("four_reasons", lang="ja", width_mm=89, palette="okabe_ito")
    style.save_figure(fig, tmp_path, "probe", ["png"], 300)
    width_px, _ = Image.open(tmp_path / "probe.png").size
    assert width_px == int(89 / 25.4 * 300)


def test_unknown_format_is_refused(tmp_path):
    fig = style.new_figure(89, 50)
    with pytest.raises(ValueError, match="format 'eps' is not supported; choose from svg, pdf, png"):
        style.save_figure(fig, tmp_path, "probe", ["eps"], 150)


@pytest.mark.parametrize("palette", list(palettes.PALETTES.values()), ids=list(palettes.PALETTES))
def test_text_contrast_meets_wcag_aa(palette):
    pairs = [
        (palette.header_text, palette.header_fill),
        (palette.body_text, palette.card_fill),
        (palette.body_text, palette.response_fill),
        (palette.label_text, palette.card_fill),
        (palette.muted_text, "#FFFFFF"),
        (palette.on_foreign, palette.foreign),
    ]
    for foreground, background in pairs:
        assert palettes.contrast_ratio(foreground, background) >= 4.5, (foreground, background)


def test_greyscale_marks_stand_out_from_the_page():
    """In black-and-white print a series has its grey and its shape only: each grey has the 3:1
    against white that WCAG asks of graphics (#B0B0B0 drew METI's '+' faintly)."""
    for colour in palettes.GREYSCALE.series:
        assert palettes.contrast_ratio(colour, "#FFFFFF") >= 3, colour


def test_contrast_ratio_of_black_on_white_is_21():
    assert palettes.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)


def test_greyscale_palette_has_no_hue():
    for role, value in vars(palettes.GREYSCALE).items():
        if isinstance(value, str) and value.startswith("#"):
            assert value[1:3] == value[3:5] == value[5:7], role

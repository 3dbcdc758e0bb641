"""The committed figures: complete, current, and publication-ready."""

import re

import pytest
from pypdf import PdfReader

from sovereign_ai import paths

from conftest import call_cli

FIGURES = paths.figures_dir()
CLOUD_CHARTS = ("roster", "concentration", "market", "deficit", "scenarios")
FIGURE_STEMS = (
    "four_reasons",
    "basic_plan_policies",
    *(f"cloud_dependence_{c}" for c in CLOUD_CHARTS),
    "policy_timeline",
    "sovereign_models",
    *(f"local_government_{c}" for c in ("slippage", "reasons", "cost", "clouds")),
    *(f"ai_compute_{c}" for c in ("awards", "capacity", "fy2026")),
    "sovereign_models_government_ai",
)
EXPECTED = sorted(
    [
        f"{stem}.{lang}.{ext}"
        for stem in FIGURE_STEMS
        for lang in ("ja", "en")
        for ext in ("svg", "pdf", "png", "caption.txt", "data.csv")
    ]
    + ["MANIFEST.json", "references.bib"]
    + [f"{name}_metrics.csv" for name in ("cloud_dependence", "local_government", "ai_compute")]
)

FIGURE_1_TITLES = {
    "ja": ["データ主権および安全保障の確保", "技術的自立性の確保", "国内産業の強化", "文化・社会的適合性の確保"],
    "en": [
        "Securing data sovereignty and national security",
        "Securing technological autonomy",
        "Strengthening domestic industry",
        "Securing cultural and social fit",
    ],
}
FIGURE_2_TITLES = {
    "ja": ["AI利活用の加速的推進", "AI開発力の戦略的強化", "AIガバナンスの主導", "AI社会に向けた継続的変革"],
    "en": [
        "Accelerating the use of AI",
        "Strategically strengthening AI development capability",
        "Leading AI governance",
        "Continuous transformation towards an AI society",
    ],
}


def test_figures_folder_holds_every_registered_figure():
    names = sorted(p.name for p in FIGURES.iterdir() if p.is_file())
    assert names == EXPECTED


def test_figures_are_current_by_their_manifest():
    """`make test` also runs the full check (a rebuild compared byte for byte); this is its quick half."""
    result = call_cli("check", "--quick")
    assert result.returncode == 0, result.stderr


def _fonts(pdf):
    """Every font dictionary used on the PDF's pages, descendants included."""
    found = []
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found.append(font)
            found += [d.get_object() for d in font.get("/DescendantFonts", [])]
    return found


@pytest.mark.parametrize("pdf", [n for n in EXPECTED if n.endswith(".pdf")])
def test_pdfs_embed_truetype_fonts_and_no_type3(pdf):
    fonts = _fonts(FIGURES / pdf)
    assert fonts
    assert all(f["/Subtype"] != "/Type3" for f in fonts)
    descriptors = [f["/FontDescriptor"].get_object() for f in fonts if "/FontDescriptor" in f]
    assert descriptors and all("/FontFile2" in d for d in descriptors), "every font embedded as TrueType"
    assert any("IPAexGothic" in str(d["/FontName"]) for d in descriptors)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pdf_text_holds_every_panel_title(lang):
    for figure, titles in (("four_reasons", FIGURE_1_TITLES), ("basic_plan_policies", FIGURE_2_TITLES)):
        text = "".join(p.extract_text() for p in PdfReader(FIGURES / f"{figure}.{lang}.pdf").pages)
        flat = re.sub(r"\s+", "", text) if lang == "ja" else re.sub(r"\s+", " ", text)
        for title in titles[lang]:
            assert (title if lang == "en" else re.sub(r"\s+", "", title)) in flat, (figure, title)


def test_pdfs_are_183_mm_wide():
    for name in (n for n in EXPECTED if n.endswith(".pdf")):
        width_pt = float(PdfReader(FIGURES / name).pages[0].mediabox.width)
        assert width_pt == pytest.approx(183 * 72 / 25.4, abs=0.01), name


def test_source_lines_are_in_the_figures():
    text = "".join(p.extract_text() for p in PdfReader(FIGURES / "basic_plan_policies.ja.pdf").pages)
    assert "(出所)" in text and "大和総研" in text and "人工知能基本計画骨子(案)" in re.sub(r"\s+", "", text)
    english = "".join(p.extract_text() for p in PdfReader(FIGURES / "four_reasons.en.pdf").pages)
    assert "Source: Tanabe Miho" in english and "Daiwa Institute of Research" in english


@pytest.mark.parametrize("stem", FIGURE_STEMS)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_figure_has_a_caption_with_its_title_its_references_and_who_made_it(stem, lang):
    caption = (FIGURES / f"{stem}.{lang}.caption.txt").read_text(encoding="utf-8")
    title, references, credit = caption.rstrip("\n").split("\n\n")
    meta = PdfReader(FIGURES / f"{stem}.{lang}.pdf").metadata
    assert meta.title == title, "the caption's title is the figure's"
    assert references.startswith("出所:\n" if lang == "ja" else "Sources:\n")
    assert all(line.count("http") <= 1 for line in references.split("\n")), "one reference a line"
    assert credit.endswith("。" if lang == "ja" else ".")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_report_figure_too_narrow_for_its_source_line_prints_it_without_the_titles(lang):
    """Figure 2's English line took four lines at 85 mm: the short form keeps the author, the
    publisher, the report's figure and page and the original's publisher and pages, within three lines."""
    from sovereign_ai import data
    from sovereign_ai.charts import house, report_figures, style
    from sovereign_ai.charts.diagrams import MARGIN_MM, Paragraph

    full = report_figures.source_line("basic_plan_policies", lang)
    short = report_figures.source_line("basic_plan_policies", lang, short=True)
    record = report_figures.figure_record("basic_plan_policies")
    original = data.source(record["original_source_id"])
    assert short.source_ids == full.source_ids and len(short) < len(full)
    assert record[f"figure_label_{lang}"] in short and original[f"publisher_{lang}"] in short
    assert record["original_pages"] in short and original["title" if lang == "ja" else "title_en"] not in short
    lines = Paragraph(short, style.FONT_SIZES.source).lines(85 - 2 * MARGIN_MM, lang)
    assert len(lines) <= house.source_line_limit(85)

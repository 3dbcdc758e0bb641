"""The book (`make site`), built once from a copy of the repository with a notebook of exercises
and a references file added, and opened in a real browser (headless Chromium driven by Playwright)."""

import functools
import html
import http.server
import io
import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sovereign_ai.engine import notebook_code
from sovereign_ai.engine.build import load_registry
from sovereign_ai.engine.site import GALLERY_MARK, build_site, fold_solutions, refuse_site_folder

from conftest import REPO, copy_checkout, run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# .ci/run installs Chromium; on a developer's machine without it the test says so instead of failing
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Chromium is not installed (apt-get install chromium)",
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # the network is cut: every host name but the local server's fails to resolve
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# What a book needs from the repository.
COPIED = ("notebooks", "figures", "docs", "figures.yaml", "data")

# A notebook of one exercise whose worked solution is a code cell and a Markdown cell, both tagged
# `solution` and hidden in JupyterLab (jupyter.source_hidden), as the notebooks' solutions are.
SOLUTION_OUTPUT = "The worked answer is 42"
EXERCISES = {
    "cells": [
        {
            "cell_type": "markdown",
            "id": "title",
            "metadata": {},
            "source": "# Exercises\n\n**Exercise 1.** What is 6 × 7?",
        },
        {
            "cell_type": "code",
            "id": "solution-code",
            "execution_count": 1,
            "metadata": {"tags": ["solution"], "jupyter": {"source_hidden": True}},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": SOLUTION_OUTPUT + "\n"}],
            "source": "answer = 6 * 7\nprint(f'The worked answer is {answer}')",
        },
        {
            "cell_type": "markdown",
            "id": "solution-text",
            "metadata": {"tags": ["solution"], "jupyter": {"source_hidden": True}},
            "source": "Six sevens are forty-two: the multiplication table says so.",
        },
        {"cell_type": "markdown", "id": "end", "metadata": {}, "source": "The end of the exercises."},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}
REFERENCES_BIB = """\
@techreport{fixture-report,
  author = {Tanabe, Miho},
  title = {Sovereign {AI}, back in the world's focus, moves toward realisation},
  institution = {Daiwa Institute of Research},
  year = {2025},
}
@misc{fixture-roster,
  author = {{Digital Agency}},
  title = {{Government Cloud} providers},
  year = {2025},
}
"""
DATA_FILE = "four_reasons.en.data.csv"  # a figure's source data, as the build writes them


def _copy_repository(root: Path) -> None:
    copy_checkout(root, COPIED)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The book of a copy of the repository (plus exercises.ipynb, references.bib and a data file),
    written over an earlier one, which it replaces as a whole; served on a local port."""
    base = tmp_path_factory.mktemp("book")
    root = base / "repo"
    _copy_repository(root)
    (root / "notebooks" / "exercises.ipynb").write_text(json.dumps(EXERCISES), encoding="utf-8")
    bib = root / "figures" / "references.bib"  # the project's, if it has one, and two more
    bib.write_text((bib.read_text(encoding="utf-8") + "\n" if bib.exists() else "") + REFERENCES_BIB, encoding="utf-8")
    if not (root / "figures" / DATA_FILE).exists():
        (root / "figures" / DATA_FILE).write_text("reason,label_en\n1,Data sovereignty\n", encoding="utf-8")
    site = base / "out" / "site"
    (site / "figures").mkdir(parents=True)
    (site / GALLERY_MARK).touch()
    (site / "figures" / "a_figure_since_removed.png").touch()
    notes = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOVEREIGN_AI_ROOT", str(root))
        build_site(site, out=notes)
        order = [run.notebook.stem for run in load_registry()]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {
        "site": site,
        "root": root,
        "url": f"http://127.0.0.1:{server.server_address[1]}",
        "notes": notes.getvalue(),
        # figures.yaml's notebooks, then the others (exercises.ipynb among them) by name
        "order": [*dict.fromkeys(order), *sorted({p.stem for p in (root / "notebooks").glob("*.ipynb")} - set(order))],
    }
    server.shutdown()


def _pages(site: Path) -> list[Path]:
    """The book's pages (not the theme's templates, which _static/ holds too)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static")


def _text(page: Path) -> str:
    """A page's readable text: its article, without tags, white space as single spaces, quotes straight."""
    text = page.read_text(encoding="utf-8")
    article = re.search(r"<article.*?</article>", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", article.group(0) if article else ""))
    return " ".join(text.translate(str.maketrans("‘’“”", "''\"\"")).split())


def test_every_notebook_is_a_chapter_in_reading_order_with_the_figures_references_and_guides(book):
    site = book["site"]
    assert book["notes"] == "", "no warning from Sphinx, no missing file"
    index = (site / "index.html").read_text(encoding="utf-8")
    navigation = index[index.index('class="bd-links bd-docs-nav') :]
    linked = list(dict.fromkeys(re.findall(r'href="([\w/]+)\.html"', navigation)))
    chapters = [f"notebooks/{name}" for name in book["order"]]
    assert linked[: len(chapters)] == chapters, "figures.yaml's order, then the notebooks it does not list"
    assert linked[len(chapters) :] == ["figures", "references", "docs/teaching", "docs/extending", "docs/authors"]
    for page in linked:
        assert (site / f"{page}.html").is_file(), page
    assert sorted(p.stem for p in (site / "notebooks").glob("*.html")) == sorted(book["order"])
    stored = sorted(p.name for p in (book["root"] / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (site / "_sources" / "notebooks").iterdir()) == stored, "each one to download"


def test_next_links_lead_through_every_page_in_order(book):
    site = book["site"]
    page, visited = "index", []
    while page:
        visited.append(page)
        text = (site / f"{page}.html").read_text(encoding="utf-8")
        following = re.search(r'<a class="right-next"\s+href="([^"]+)\.html"', text)
        page = (Path(page).parent / following.group(1)).as_posix().removeprefix("./") if following else None
        page = os.path.normpath(page) if page else None
    chapters = [f"notebooks/{name}" for name in book["order"]]
    assert visited == ["index", *chapters, "figures", "references", "docs/teaching", "docs/extending", "docs/authors"]


def test_the_book_replaces_an_earlier_one_whole_and_leaves_nothing_beside_it(book):
    site = book["site"]
    assert not (site / "figures" / "a_figure_since_removed.png").exists()
    assert (site / GALLERY_MARK).exists(), "the mark that lets the next book replace this one"
    assert [p.name for p in site.parent.iterdir()] == ["site"], "no partial or old copy left beside it"


def test_no_page_loads_anything_from_outside(book):
    site = book["site"]
    every_html_file = sorted(site.rglob("*.html"))  # the pages, and the theme's templates in _static/
    # the chapters; the landing, figures, references, search and index pages; the three guides
    assert len(_pages(site)) == len(book["order"]) + 8 < len(every_html_file)
    for page in every_html_file:
        text = page.read_text(encoding="utf-8")
        tags = re.findall(r"<(?:script|link|img)\b[^>]*>", text, flags=re.I)
        urls = [u for tag in tags for u in re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)', tag, flags=re.I)]
        assert urls or page.parts[len(site.parts)] == "_static", page
        outside = [u for u in urls if re.match(r"([a-z][a-z0-9+.-]*:|//)", u, flags=re.I) and not u.startswith("data:")]
        assert outside == [], f"{page.relative_to(site)} loads {outside}"
        assert "no-mathjax.js" not in text and "thebe" not in text.lower(), page.relative_to(site)
    for sheet in site.rglob("*.css"):
        assert not re.search(r"(@import|url\()\s*[\"']?(https?:)?//", sheet.read_text(encoding="utf-8")), sheet


def test_every_link_and_image_of_every_page_leads_to_a_file_of_the_book(book):
    site = book["site"]
    missing = set()
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        for url in re.findall(r'\b(?:href|src)="([^"#?]+)', text):
            if not re.match(r"([a-z][a-z0-9+.-]*:|//)", url) and not (page.parent / html.unescape(url)).exists():
                missing.add(f"{page.relative_to(site)} -> {url}")
    assert sorted(missing) == []


def test_the_figures_page_shows_every_figure_in_both_languages_with_caption_data_and_formats(book):
    site, figures = book["site"], book["root"] / "figures"
    page = (site / "figures.html").read_text(encoding="utf-8")
    shown = re.findall(r'<img src="figures/([^"]+)"', page)
    stems = {p.name.rsplit(".", 2)[0] for p in figures.glob("*.*.svg")}
    assert sorted(shown) == sorted(f"{stem}.{lang}.png" for stem in stems for lang in ("ja", "en"))
    linked = set(re.findall(r'href="figures/([^"]+)"', page))
    assert linked == {p.name for p in figures.iterdir() if p.is_file()}, "every file in figures/, once"
    assert {p.name for p in (site / "figures").iterdir()} == {p.name for p in figures.iterdir()}
    assert f'href="figures/{DATA_FILE}">source data (CSV)</a>' in page
    text = _text(site / "figures.html")
    english = (figures / "four_reasons.en.caption.txt").read_text(encoding="utf-8").split("\n\n")
    japanese = (figures / "four_reasons.ja.caption.txt").read_text(encoding="utf-8").split("\n\n")
    for caption in (english, japanese):
        assert caption[0].strip() in text and " ".join(caption[1].split()) in text
    assert 'href="notebooks/cloud_dependence.html"' in page, "each figure links to its chapter"
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<img src="figures/([^"]+)"', landing) == [
        "four_reasons.ja.png",
        "four_reasons.en.png",
        "basic_plan_policies.ja.png",
        "basic_plan_policies.en.png",
    ]


def test_each_chart_of_a_chapter_is_shown_once_with_its_title_as_alt_text(book):
    """A notebook stores each chart once: an HTML <img> of its PNG with its title as alt text (and the
    title as text/plain), which the book shows as it is."""
    site, root = book["site"], book["root"]
    stored = json.loads((root / "notebooks" / "cloud_dependence.ipynb").read_text(encoding="utf-8"))
    charts = [
        output["data"]
        for cell in stored["cells"]
        for output in cell.get("outputs", [])
        if "data:image/png" in "".join(output.get("data", {}).get("text/html", ""))
    ]
    assert len(charts) == 5 and all(set(data) == {"text/html", "text/plain"} for data in charts)
    titles = ["".join(data["text/plain"]) for data in charts]
    page = (site / "notebooks" / "cloud_dependence.html").read_text(encoding="utf-8")
    tags = [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img\b[^>]*>", page)]
    shown = [html.unescape(tag["alt"]) for tag in tags if tag.get("src", "").startswith("data:image/png;base64,")]
    assert shown == titles, "each chart once, with its title as alt text"


def test_the_references_page_lists_references_bib(book):
    text = _text(book["site"] / "references.html")
    assert "Sovereign AI, back in the world's focus, moves toward realisation" in text
    assert "Daiwa Institute of Research" in text and "Government Cloud providers" in text


def test_without_references_bib_the_book_is_built_and_says_so(tmp_path, monkeypatch):
    """Sphinx is not run: the sources the book is built from say so, and the note."""
    from sovereign_ai.engine import site as site_module

    root = tmp_path / "repo"
    root.mkdir()
    for name in ("data", "notebooks", "figures.yaml", "docs"):  # data/: the landing page cites the report
        (root / name).symlink_to(REPO / name)
    shutil.copytree(REPO / "figures", root / "figures", ignore=shutil.ignore_patterns("references.bib"))
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))
    notes = site_module._write_sources(tmp_path / "source")
    assert notes == ["figures/references.bib does not exist: the references page says there are none yet"]
    assert "`figures/references.bib` does not exist" in (tmp_path / "source" / "references.md").read_text()
    assert "bibtex_bibfiles" not in (tmp_path / "source" / "_config.yml").read_text()


def test_solutions_are_folded_and_nothing_else_changes():
    folded, count = fold_solutions(EXERCISES)
    assert count == 2
    code, markdown = folded["cells"][1], folded["cells"][2]
    assert code["metadata"]["tags"] == ["solution", "hide-cell"] and code["source"] == EXERCISES["cells"][1]["source"]
    assert markdown["source"].startswith(":::{dropdown} Show the solution\n")
    assert [folded["cells"][i] for i in (0, 3)] == [EXERCISES["cells"][i] for i in (0, 3)]
    assert EXERCISES["cells"][1]["metadata"]["tags"] == ["solution"], "the notebook itself is unchanged"


def test_every_chapters_worked_solutions_are_folded_in_the_book(book):
    """Each solution of the notebooks stored in the repository is in the book, folded: its
    explanation in a dropdown, its code and what it gives under a toggle (MyST-NB's hide-cell)."""
    chapters = [name for name in book["order"] if name != "exercises"]
    assert chapters
    for name in chapters:
        page = (book["site"] / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        cells = json.loads((book["root"] / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
        solutions = [c for c in cells if notebook_code.is_solution(c)]
        explanations = [c for c in solutions if c["cell_type"] == "markdown"]
        code = [c for c in solutions if c["cell_type"] == "code"]
        assert explanations and code, name
        folded = "".join(re.findall(r"<details\b.*?</details>", page, flags=re.S))
        outside = re.sub(r"<details\b.*?</details>", "", page, flags=re.S)
        for number in range(1, len(explanations) + 1):
            assert folded.count(f"Solution to exercise {number}.") == 1, (name, number)
            assert f"Solution to exercise {number}." not in outside, (name, number)
            assert f"Exercise {number}." in outside, (name, number, "the exercise itself is not folded")
        toggles = re.findall(r'tag_solution tag_hide-cell docutils container">\s*<details class="[^"]*hide', page)
        assert len(toggles) == len(code), name
        assert html.unescape(page).count("Show the solution's code") == len(code), name


@pytest.mark.parametrize(
    ("folder", "said"),
    [
        (".", "holds the repository itself"),
        ("..", "holds the repository itself"),
        ("data", "is inside the repository; write the book into site/"),
        ("notebooks/book", "is inside the repository"),
    ],
)
def test_the_book_never_replaces_the_repository_or_a_folder_in_it(folder, said):
    assert said in refuse_site_folder(REPO / folder)


def test_a_folder_of_someone_elses_files_is_refused_and_kept(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious", encoding="utf-8")
    result = run_cli("site", "--output-dir", str(mine))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "holds files that no book wrote" in result.stderr and "Nothing was written." in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mine"] and [p.name for p in mine.iterdir()] == ["thesis.docx"]
    assert refuse_site_folder(tmp_path / "new") is None
    (tmp_path / "empty").mkdir()
    assert refuse_site_folder(tmp_path / "empty") is None


def test_a_half_published_figures_folder_is_neither_shown_nor_handed_out(repo_copy, tmp_path):
    """A build killed while it put files into figures/ leaves a journal; until `make figures`
    completes it, the book and the students' copy would show half of one build and half of another."""
    from sovereign_ai.engine import publish

    area = publish.area(publish.work_folder(), repo_copy / "figures")
    (area / publish.JOURNAL_NAME).write_text('{"output_dir": "", "steps": []}', encoding="utf-8")
    for command in (("site",), ("handout", str(tmp_path / "class"))):
        result = run_cli(*command, root=repo_copy)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "an interrupted build left a publish into figures/ half done" in result.stderr
        assert "make figures" in result.stderr
    assert not (repo_copy / "site").exists() and not (tmp_path / "class").exists()


def test_an_interrupted_book_leaves_the_earlier_one_whole(tmp_path, monkeypatch):
    from sovereign_ai.engine import site as site_module

    earlier = tmp_path / "site"
    earlier.mkdir()
    (earlier / GALLERY_MARK).touch()
    (earlier / "index.html").write_text("the earlier book", encoding="utf-8")

    def interrupted(folder):
        (folder / "index.html").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(site_module, "_write_book", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(earlier)
    assert (earlier / "index.html").read_text(encoding="utf-8") == "the earlier book"
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no partial copy left beside it"


def _word_in_one_notebook_only(site: Path, notebooks: list[str]) -> tuple[str, str]:
    """A word of one stored notebook's text (not the exercises') that no other page holds, even
    in part (the search matches stems, and words that hold the one asked for); and that notebook."""
    texts = {page.relative_to(site).with_suffix("").as_posix(): _text(page).lower() for page in _pages(site)}
    for name in notebooks:
        others = " ".join(text for page, text in texts.items() if page != f"notebooks/{name}")
        words = sorted(set(re.findall(r"\b[a-z]{9,}\b", texts[f"notebooks/{name}"])))
        for word in words:
            if word[:7] not in others:
                return word, name
    raise AssertionError("every notebook's words appear on another page too")


@pytest.mark.browser
@needs_chromium
def test_chromium_reads_the_book_chapter_after_chapter_searches_unfolds_and_stays_offline(book):
    from playwright.sync_api import sync_playwright

    site, base = book["site"], book["url"]
    word, holder = _word_in_one_notebook_only(site, [name for name in book["order"] if name != "exercises"])
    requests, console_errors, page_errors = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page_errors.append(str(e)))

        # the landing page's "next" link leads to the first chapter, and that one's to the second
        # (the whole chain, to the last guide: test_next_links_lead_through_every_page_in_order)
        page.goto(f"{base}/index.html", wait_until="load")
        visited = ["index"]
        for _ in range(2):
            with page.expect_navigation(wait_until="load"):
                page.locator("a.right-next").click()
            visited.append(urlparse(page.url).path.strip("/").removesuffix(".html"))

        page.goto(f"{base}/search.html?q={word}", wait_until="load")
        page.wait_for_function("document.querySelector('.search-summary')?.innerText.includes('Search finished')")
        found = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")

        page.goto(f"{base}/notebooks/exercises.html", wait_until="load")
        solution = page.get_by_text(SOLUTION_OUTPUT)
        explanation = page.get_by_text("Six sevens are forty-two")
        folded = [solution.is_visible(), explanation.is_visible()]
        page.get_by_text("Show the solution").first.click()
        page.get_by_text("Show the solution").last.click()
        opened = [solution.is_visible(), explanation.is_visible()]

        page.goto(f"{base}/figures.html", wait_until="load")
        images = page.evaluate("""async () => {
            const images = Array.from(document.querySelectorAll("article img"));
            for (const image of images) { image.loading = "eager"; }
            await Promise.all(images.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
            return images.map(i => [i.getAttribute("src"), i.naturalWidth]);
        }""")
        japanese_font = page.evaluate("""async () => {
            await document.fonts.ready;
            return Array.from(document.fonts).filter(f => f.family.replace(/"/g, "") === "IPAexGothic")
                .map(f => f.status);
        }""")

        page.goto(f"{base}/references.html", wait_until="load")
        reference = page.get_by_text("Sovereign AI, back in the world").first.is_visible()
        browser.close()

    assert visited == ["index", *(f"notebooks/{name}" for name in book["order"][:2])]
    assert [urlparse(link).path for link in found] == [f"/notebooks/{holder}.html"], word
    assert folded == [False, False] and opened == [True, True]
    assert len(images) == 2 * len({p.name.rsplit(".", 2)[0] for p in (book["root"] / "figures").glob("*.*.svg")})
    assert all(width > 0 for _, width in images), [src for src, width in images if not width]
    assert japanese_font == ["loaded"], "Japanese is set in the IPAexGothic served with the book"
    assert reference
    assert not console_errors and not page_errors, console_errors + page_errors
    outside = [url for url in requests if urlparse(url).hostname != "127.0.0.1" and not url.startswith("data:")]
    assert not outside, outside
    assert any(url.endswith("/_static/fonts/ipaexg.ttf") for url in requests)


def test_without_the_book_extra_the_command_says_what_to_install(tmp_path, monkeypatch):
    import importlib.util

    from sovereign_ai.engine.build import BuildError

    found = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "myst_nb" else found(name))
    with pytest.raises(BuildError) as refused:
        build_site(tmp_path / "site")
    assert str(refused.value) == (
        "the book needs the packages of the `book` extra (myst_nb is missing): "
        'run `make setup`, or `pip install -c constraints.txt -e ".[book]"`\nNothing was written.'
    )
    assert list(tmp_path.iterdir()) == []


def test_a_notebook_that_is_not_one_is_named_and_nothing_is_written(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    _copy_repository(root)
    (root / "notebooks" / "draft.ipynb").write_text('{"cells": [', encoding="utf-8")
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))
    from sovereign_ai.engine.build import BuildError

    with pytest.raises(BuildError) as refused:
        build_site(tmp_path / "site")
    assert str(refused.value).startswith("notebooks/draft.ipynb is not a notebook: Expecting value: line 1 column 12")
    assert str(refused.value).endswith("\nNothing was written.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]

"""`make site`: the analysis as a book (Jupyter Book 1: Sphinx, MyST-NB, the book theme), offline.

site/ holds a landing page with the report's two figures, one chapter per notebook in reading
order (figures.yaml's, then any other notebook), a page of every figure in figures/ (both
languages, caption, source data, formats, the parameters that made it, from figures/MANIFEST.json),
the references of figures/references.bib, and the guides in docs/. The notebooks are shown as
stored, with the outputs of their default run: nothing is executed. Cells tagged `solution` are
folded under a toggle. Nothing is loaded from outside (no CDN script, style sheet or font, no
launch buttons), and Japanese is set in the IPAexGothic the figures use, served with the book.
"""

import copy
import html
import io
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections import defaultdict
from pathlib import Path

import yaml

from sovereign_ai import lighter_imports, paths, safe_io
from sovereign_ai.engine import manifest, notebook_code, publish
from sovereign_ai.engine.build import BuildError, BuildFailed, Interrupted, load_registry

# Written into every book: the book replaces its folder as a whole, so a folder that is not
# empty is replaced only if it holds this (an earlier book), never a folder of someone's files.
GALLERY_MARK = ".sovereign-ai-gallery"

TITLE = "Sovereign AI and Japan's dependence on foreign cloud providers"
FIGURE_FORMATS = ("png", "svg", "pdf")
# The report's two figures, on the landing page.
REPORT_FIGURES = ("four_reasons", "basic_plan_policies")
GUIDES = ("teaching", "extending", "authors")  # docs/<name>.md, in this order
REFERENCES = "references.bib"  # in figures/

# A worked solution's cells carry the tag `solution` (notebook_code.SOLUTION_TAG); the book folds
# each under a toggle (MyST-NB's hide-cell for code, a dropdown for Markdown).
FOLDED_TAG = "hide-cell"
# A solution's explanation opens under "Show the solution", its code (with what it gives) under
# "Show the solution's code".
SOLUTION_PROMPTS = {"code_prompt_show": "Show the solution's code", "code_prompt_hide": "Hide the solution's code"}
SOLUTION_TITLE = "Show the solution"

# Jupyter Book's extensions that load from outside: thebe (launch buttons) from a CDN,
# and comments (Hypothesis, utterances). Everything else it uses is served with the book.
LEFT_OUT_EXTENSIONS = ("sphinx_thebe", "sphinx_comments")

# Only the code points of Japanese text (kana, kanji, full-width forms, CJK punctuation) take the
# served font, so a page in English never downloads it.
JAPANESE_RANGES = "U+3000-30FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF"
BOOK_CSS = f"""/* IPAexGothic, the font of the figures, served with the book (IPA Font License: fonts/). */
@font-face {{
  font-family: "IPAexGothic";
  src: url("fonts/ipaexg.ttf") format("truetype");
  font-display: swap;
  unicode-range: {JAPANESE_RANGES};
}}
:root {{
  --pst-font-family-base: -apple-system, BlinkMacSystemFont, "Segoe UI", "Helvetica Neue", Arial, "IPAexGothic",
    sans-serif;
  --pst-font-family-heading: var(--pst-font-family-base);
  --pst-font-family-monospace: SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace, "IPAexGothic";
}}
html {{ font-family: var(--pst-font-family-base); }}
.book-figure img {{ max-width: 100%; border: 1px solid #ddd; }}
p.formats a {{ margin-right: 0.8rem; }}
table.params {{ font-size: 0.8rem; }}
table.params td {{ font-family: var(--pst-font-family-monospace); padding: 0.1rem 0.5rem; }}
"""

# The book's icon (else a browser asks for /favicon.ico): a disc in the Okabe–Ito palette's blue.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#0072B2"/></svg>\n'
)

INTRO = """\
Parameterized Jupyter notebooks that recreate, from data, the figures of the report
{report}, in
Japanese as the report has them and in English; and that analyse Japan's dependence on foreign
cloud providers. Each chapter is one notebook, shown with the outputs of its default run: it says
what its figure shows and where the data come from, draws the figure from a table in `data/`,
and ends with exercises; a worked solution given in the book is folded until you open it.
"""


def site_folder(site_dir: Path | None = None) -> Path:
    """Where the book goes: site_dir, or site/ in the repository."""
    return Path(site_dir) if site_dir else paths.repo_root() / "site"


def refuse_site_folder(site: Path) -> str | None:
    """Why the book may not go into site, or None: it must be new, empty, site/ in the repository,
    or a folder holding an earlier book, since the book replaces its folder as a whole."""
    shown = paths.relative(site) + "/"
    try:
        target, root = Path(site).resolve(), paths.repo_root()
        if target == root or target in root.parents:
            return f"{shown} holds the repository itself; give a folder for the book only"
        if root in target.parents and target.relative_to(root).parts[0] != "site":
            return f"{shown} is inside the repository; write the book into site/ (git-ignored) or outside it"
        if target.exists() and not target.is_dir():
            return f"{shown} is a file, not a folder"
        earlier_book = target == root / "site" or (target / GALLERY_MARK).exists()
        if target.is_dir() and not earlier_book and any(target.iterdir()):
            return (
                f"{shown} holds files that no book wrote, and the book replaces its folder as a whole; "
                "give a new or empty folder"
            )
    except RuntimeError:  # Python's "Symlink loop"
        return f"{shown} cannot be used: a symbolic link on its path leads to itself"
    except OSError as error:
        return f"{shown} cannot be used: {error.strerror or error}"
    return None


def build_site(site_dir: Path | None = None, out=None) -> Path:
    """Write the book into site_dir (default site/); return its index.html. Notes (a missing
    references file, Sphinx's warnings) go to out, a line each.

    All or nothing: the book is written beside the folder, then put in its place, so an
    interrupted or failed run leaves the earlier book whole."""
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    site = site_folder(site_dir)
    figures = paths.figures_dir()
    problem = refuse_site_folder(site)
    if problem:
        raise BuildError(f"{problem}\nNothing was written.")
    if not figures.is_dir():
        raise BuildError(
            f"{paths.relative(figures)}/ does not exist: run `make figures` first, which builds it.\n"
            "Nothing was written."
        )
    half_published = publish.half_done(figures)
    if half_published:  # the book would show half of one build and half of another
        raise BuildError(f"{half_published}: run `make figures` first, which completes it.\nNothing was written.")
    missing = book_dependencies_missing()
    if missing:
        raise BuildError(missing + "\nNothing was written.")
    target = Path(site).resolve()
    with publish.folder_beside(target) as partial:
        # earlier books (.site.old-*) a run killed as it replaced them left beside it
        safe_io.remove_left_behind(
            target.parent, publish.beside_name(target, publish.OLD) + "*", publish.KILLED_COPY_SECONDS
        )
        for note in _write_book(partial):
            print(f"note: {note}", file=out)
        (partial / GALLERY_MARK).write_text("Written by `sovereign-ai site`.\n", encoding="utf-8")
        _replace(target, partial)
    return target / "index.html"


def book_dependencies_missing() -> str | None:
    """What to install when the book's packages (the `book` extra) are missing, or None."""
    import importlib.util

    for module in ("jupyter_book", "myst_nb", "sphinx_book_theme", "sphinxcontrib.bibtex"):
        try:
            found = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return (
                f"the book needs the packages of the `book` extra ({module} is missing): "
                'run `make setup`, or `pip install -c constraints.txt -e ".[book]"`'
            )
    return None


def _replace(target: Path, new: Path) -> None:
    """Put the folder new in target's place; Ctrl-C waits until one of them is there, whole."""
    old = target.with_name(publish.beside_name(target, publish.OLD) + uuid.uuid4().hex[:8]) if target.exists() else None
    with publish.signals_held() as received:
        if old:
            os.rename(target, old)
        try:
            os.rename(new, target)
        except BaseException:
            if old:
                os.rename(old, target)
            raise
    if old:
        shutil.rmtree(old, ignore_errors=True)
    if received:
        raise Interrupted(
            f"Interrupted while the book was put in place: it was finished first, so {paths.relative(target)}/ "
            "holds the new book, complete.",
            received[0],
            published=True,
        )


def reading_order() -> list[Path]:
    """The notebooks, chapter by chapter: in figures.yaml's order, then the others by name."""
    listed = [run.notebook.resolve() for run in load_registry()]
    stored = sorted(paths.notebooks_dir().glob("*.ipynb"))
    order = {path: listed.index(path.resolve()) if path.resolve() in listed else len(listed) for path in stored}
    return sorted(stored, key=lambda path: (order[path], path.name))


def fold_solutions(notebook: dict) -> tuple[dict, int]:
    """A copy of the notebook in which every cell tagged `solution` is folded under a toggle (a code
    cell with its outputs, by MyST-NB's hide-cell; a Markdown cell in a dropdown); and how many were."""
    folded = copy.deepcopy(notebook)
    count = 0
    for cell in folded.get("cells", []):
        if not notebook_code.is_solution(cell):
            continue
        metadata = cell.setdefault("metadata", {})
        tags = metadata["tags"]
        count += 1
        if cell.get("cell_type") == "code":
            metadata["tags"] = [*tags, FOLDED_TAG] if FOLDED_TAG not in tags else tags
            metadata["mystnb"] = {**metadata.get("mystnb", {}), **SOLUTION_PROMPTS}
        else:
            text = "".join(cell.get("source", ""))
            fence = ":" * max([3] + [len(run) + 1 for run in re.findall(r"^\s*(:{3,})", text, flags=re.M)])
            cell["source"] = f"{fence}{{dropdown}} {SOLUTION_TITLE}\n{text}\n{fence}\n"
    return folded, count


def _write_book(site: Path) -> list[str]:
    """Write the book's sources, then the book, into the empty folder site; return notes.

    Sphinx and MyST-NB work in a folder inside site (MyST-NB writes beside Sphinx's output), whose
    output is then moved up: nothing is written outside the folder that is put in place whole."""
    work = Path(tempfile.mkdtemp(prefix=".book-", dir=site))
    notes = _write_sources(work / "source")
    notes += _run_sphinx(work / "source", work / "html", work / "doctrees")
    for path in (work / "html").iterdir():
        os.rename(path, site / path.name)
    shutil.rmtree(work)
    return notes


def _write_sources(source: Path) -> list[str]:
    """The book's sources: Jupyter Book's _config.yml and _toc.yml, the pages, the folded
    notebooks, the figures and the font."""
    root, figures = paths.repo_root(), paths.figures_dir()
    notes = []
    (source / "notebooks").mkdir(parents=True)
    chapters = []
    for notebook in reading_order():
        try:
            stored = json.loads(notebook.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise BuildError(f"{paths.relative(notebook)} is not a notebook: {error}\nNothing was written.") from None
        if not isinstance(stored, dict) or not isinstance(stored.get("cells"), list):
            raise BuildError(
                f"{paths.relative(notebook)} is not a notebook: it has no list of cells\nNothing was written."
            )
        folded, _ = fold_solutions(stored)
        (source / "notebooks" / notebook.name).write_text(json.dumps(folded, ensure_ascii=False), encoding="utf-8")
        chapters.append({"file": f"notebooks/{notebook.stem}"})

    # figures/ is served as site/figures/ (html_extra_path), so its files keep their names
    shutil.copytree(
        figures, source / "_extra" / "figures", ignore=shutil.ignore_patterns(".*", f"*{publish.PUBLISH_SUFFIX}")
    )
    recorded = manifest.read(figures)
    groups = _figure_groups(figures)
    (source / "index.md").write_text(_landing_page(groups, chapters), encoding="utf-8")
    (source / "figures.md").write_text(_figures_page(figures, groups, recorded), encoding="utf-8")

    bib = figures / REFERENCES
    if bib.is_file():
        shutil.copy2(bib, source / REFERENCES)
        references = (
            "# References\n\nThe works the figures and the notebooks draw on, from "
            f'<a href="figures/{REFERENCES}"><code>figures/{REFERENCES}</code></a>.\n\n'
            "```{bibliography}\n:all:\n```\n"
        )
    else:
        references = (
            f"# References\n\nThis book has no list of references yet: `figures/{REFERENCES}` does not exist. "
            "Each figure's caption on the [figures page](figures.md) names its sources.\n"
        )
        notes.append(f"{paths.relative(bib)} does not exist: the references page says there are none yet")
    (source / "references.md").write_text(references, encoding="utf-8")

    guides = []
    for name in GUIDES:
        guide = root / "docs" / f"{name}.md"
        if guide.is_file():
            (source / "docs").mkdir(exist_ok=True)
            # Pygments has no lexer for CSV: such a block is shown as plain text
            text = re.sub(r"^(\s*```+)csv\b", r"\1text", guide.read_text(encoding="utf-8"), flags=re.M)
            (source / "docs" / guide.name).write_text(text, encoding="utf-8")
            guides.append({"file": f"docs/{name}"})

    static = source / "_static"
    (static / "fonts").mkdir(parents=True)
    font_folder = _ipaexgothic_folder()
    for name in ("ipaexg.ttf", "IPA_Font_License_Agreement_v1.0.txt"):
        shutil.copy2(font_folder / name, static / "fonts" / name)
    (static / "book.css").write_text(BOOK_CSS, encoding="utf-8")
    (source / "favicon.svg").write_text(FAVICON, encoding="utf-8")

    parts = [
        {"caption": "The analysis", "chapters": chapters},
        {"caption": "Figures and references", "chapters": [{"file": "figures"}, {"file": "references"}]},
    ]
    if guides:
        parts.append({"caption": "Guides", "chapters": guides})
    toc = {"format": "jb-book", "root": "index", "parts": parts}
    (source / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    (source / "_config.yml").write_text(
        yaml.safe_dump(_book_config(bib.is_file()), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return notes


def _ipaexgothic_folder() -> Path:
    """The folder of the IPAexGothic font that matplotlib-fontja bundles (and the figures use)."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib_fontja")
    return Path(spec.origin).parent / "fonts"


def _book_config(with_references: bool) -> dict:
    """Jupyter Book's _config.yml: nothing executed, no launch buttons, nothing from outside."""
    config = {
        "title": TITLE,
        "author": "the sovereign-ai contributors",
        "copyright": "the sovereign-ai contributors; figures and text under the MIT licence",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "_extra", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["colon_fence"]},
        "html": {
            "use_repository_button": False,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "use_multitoc_numbering": False,
            "home_page_in_navbar": True,
            "favicon": "favicon.svg",
        },
        "launch_buttons": {"notebook_interface": "jupyterlab", "thebe": False},
        "latex": {"use_jupyterbook_latex": False},
        "sphinx": {
            "config": {
                # _static/ (book.css, the font) is Jupyter Book's own: it serves it and links its CSS
                "html_extra_path": ["_extra"],
                # the page's download button offers the notebook as stored (_sources/)
                "html_show_sourcelink": False,
                "language": "en",
                "html_context": {"default_mode": "auto"},  # light or dark, as the reader's system is
                "nb_merge_streams": True,
                # MathJax would come from a CDN; no page has math (the tests check that none loads this)
                "mathjax_path": "no-mathjax.js",
                "suppress_warnings": ["myst.domains"],
            },
        },
    }
    if with_references:
        config["bibtex_bibfiles"] = [REFERENCES]
    return config


def _run_sphinx(source: Path, site: Path, doctrees: Path) -> list[str]:
    """Build the HTML book from source into site with Sphinx; return its warnings, a line each."""
    lighter_imports.skip_iri_grammar()  # before jupyter_book.config imports jsonschema
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    config, _ = get_final_config(
        user_yaml=source / "_config.yml",
        cli_config={"latex_individualpages": False, "external_toc_path": str(source / "_toc.yml")},
        sourcedir=source,
    )
    config["extensions"] = [e for e in config["extensions"] if e not in LEFT_OUT_EXTENSIONS]
    config.pop("comments_config", None)
    if "bibtex_bibfiles" not in config and "sphinxcontrib.bibtex" in config["extensions"]:
        config["extensions"].remove("sphinxcontrib.bibtex")
    warnings = io.StringIO()
    failure = ""
    with patch_docutils(None), docutils_namespace():
        try:
            app = Sphinx(
                srcdir=source,
                confdir=None,
                outdir=site,
                doctreedir=doctrees,
                buildername="html",
                confoverrides=config,
                status=None,
                warning=warnings,
                freshenv=True,
            )
            app.build(force_all=True)
            failure = "see the warnings above" if app.statuscode else ""
        except SphinxError as error:  # a configuration or an extension's error: one message, after the warnings
            failure = f"{error.category}: {error}"
    for leftover in (".buildinfo", "objects.inv"):  # Sphinx's own, of no use to a reader
        (site / leftover).unlink(missing_ok=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue()).replace(str(source) + os.sep, "")
    if failure:
        said = "\n".join(line for line in (plain.strip(), failure) if line)
        raise BuildFailed(f"the book could not be built (Sphinx):\n{said}\nNothing was written.")
    return [f"Sphinx: {line}" for line in plain.splitlines()]


def _figure_groups(figures: Path) -> dict[str, dict[str, Path]]:
    """Figure files grouped by '<stem>.<lang>', each with its formats, caption and data file."""
    groups: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted(figures.iterdir()):
        for kind in ("caption.txt", "data.csv"):
            if path.name.endswith("." + kind):
                groups[path.name.removesuffix("." + kind)][kind.partition(".")[0]] = path
                break
        else:
            stem, _, ext = path.name.rpartition(".")
            if ext in FIGURE_FORMATS:
                groups[stem][ext] = path
    return {key: formats for key, formats in groups.items() if any(ext in formats for ext in FIGURE_FORMATS)}


def _ordered(groups: dict[str, dict[str, Path]]) -> list[str]:
    """The figure keys in figures.yaml's order, Japanese before English."""
    order = list(dict.fromkeys(r.figure for r in load_registry()))

    def position(key: str) -> tuple:
        stem, _, lang = key.rpartition(".")
        first = next((i for i, figure in enumerate(order) if stem.startswith(figure)), len(order))
        return first, stem, 0 if lang == "ja" else 1

    return sorted(groups, key=position)


def _caption(formats: dict[str, Path], key: str) -> tuple[str, str]:
    """A figure's title and the rest of its caption (its sources), from its caption file or SVG."""
    if "caption" in formats:  # the caption file an author pastes: title, blank line, sources
        title, _, sources = formats["caption"].read_text(encoding="utf-8").strip().partition("\n\n")
        return title.strip(), sources.strip()
    if "svg" in formats:
        text = formats["svg"].read_text(encoding="utf-8")
        title = re.search(r"<dc:title>(.*?)</dc:title>", text, flags=re.S)
        source = re.search(r"<dc:description>(.*?)</dc:description>", text, flags=re.S)
        return (html.unescape(title.group(1)) if title else key, html.unescape(source.group(1)) if source else "")
    return key, ""


def _markdown_text(text: str) -> str:
    """Plain text that Markdown shows as it is (no emphasis, links or HTML)."""
    return re.sub(r"([\\`*_{}\[\]<>#|~$])", r"\\\1", text)


def _figure_html(key: str, formats: dict[str, Path], title: str) -> str:
    """The figure as a browser shows it (PNG, else SVG; a PDF alone is only linked)."""
    shown = formats.get("png") or formats.get("svg")
    image = f'<img src="figures/{html.escape(shown.name)}" alt="{html.escape(title)}" loading="lazy">' if shown else ""
    return f'<figure class="book-figure" id="{html.escape(key)}">{image}</figure>'


def _report_cited() -> str:
    """The report the figures recreate, as the landing page cites it: *its title* (publisher, date)."""
    from sovereign_ai import data
    from sovereign_ai.charts import citations

    report = data.source(data.validate_table("report_figures")[0]["source_id"])
    title = report["title"].split(" ― ")[0]  # the main title, without its subtitle
    return f"*{title}* ({report['publisher_en']}, {citations.date(report, 'en')})"


def _language_name(lang: str) -> str:
    """A figure's language, by its own name (shared.labels.yaml's language_name)."""
    from sovereign_ai.charts import text

    return text.label("language_name", lang) if lang in text.LANGUAGES else lang


def _landing_page(groups: dict[str, dict[str, Path]], chapters: list[dict]) -> str:
    lines = [f"# {TITLE}\n", INTRO.format(report=_report_cited())]
    for stem in REPORT_FIGURES:
        for lang in ("ja", "en"):
            key = f"{stem}.{lang}"
            if key not in groups:
                continue
            title, sources = _caption(groups[key], key)
            lines.append(
                f"{_figure_html(key, groups[key], title)}\n\n"
                f"**{_markdown_text(title)}** ({_language_name(lang)}). {_markdown_text(sources)}\n"
            )
    first = f"the first chapter, [](<{chapters[0]['file']}.ipynb>), or go to " if chapters else ""
    lines.append(
        f"Start with {first}[every figure](figures.md) with its data and formats. "
        "The search box finds a word in every chapter.\n"
    )
    return "\n".join(lines)


def _figures_page(figures: Path, groups: dict[str, dict[str, Path]], recorded: dict) -> str:
    keys = _ordered(groups)
    lines = [
        "# Figures\n",
        f"Every figure in `figures/`, in both languages: {len({k.rpartition('.')[0] for k in keys})} figures, "
        "each with its caption, the data it shows where a source-data file is written, its formats, "
        "and the notebook and parameters that made it (from `figures/MANIFEST.json`).\n",
    ]
    stems: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        stems[key.rpartition(".")[0]].append(key)
    for stem, stem_keys in stems.items():
        english = f"{stem}.en" if f"{stem}.en" in groups else stem_keys[0]
        lines.append(f"## {_markdown_text(_caption(groups[english], english)[0])}\n")
        for key in stem_keys:
            formats = groups[key]
            lang = key.rpartition(".")[2]
            title, sources = _caption(formats, key)
            links = [
                f'<a href="figures/{html.escape(formats[ext].name)}">{ext.upper()}</a>'
                for ext in FIGURE_FORMATS
                if ext in formats
            ]
            if "data" in formats:
                links.append(f'<a href="figures/{html.escape(formats["data"].name)}">source data (CSV)</a>')
            if "caption" in formats:
                links.append(f'<a href="figures/{html.escape(formats["caption"].name)}">caption</a>')
            shown = formats.get("png") or formats.get("svg") or formats["pdf"]
            lines.append(
                f"### {_markdown_text(title)} ({_language_name(lang)})\n\n"
                f"{_figure_html(key, formats, title)}\n\n"
                f"{_markdown_text(sources)}\n\n"
                f'<p class="formats"><code>{html.escape(key)}</code>: {" ".join(links)}</p>\n'
                + _made_by(recorded, shown.name)
            )
    in_groups = {p.name for formats in groups.values() for p in formats.values()}
    others = [p for p in sorted(figures.iterdir()) if p.is_file() and not p.name.startswith(".")]
    others = [p for p in others if p.name not in in_groups]
    if others:
        lines.append("## Other files\n")
        lines.append("\n".join(f'- <a href="figures/{html.escape(p.name)}">{html.escape(p.name)}</a>' for p in others))
    return "\n".join(lines) + "\n"


def _made_by(recorded: dict, name: str) -> str:
    """Which notebook made a figure (by its file's name), a link to its chapter, with the parameters, folded."""
    entry = recorded["files"].get(name)
    if not entry:
        return ""
    inputs = recorded["runs"][entry["runs"][0]]["inputs"]
    notebook = Path(inputs["notebook"])
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(manifest.canonical_json(v))}</td></tr>"
        for k, v in sorted(inputs["parameters"].items())
    )
    return (
        f"\nMade by the chapter [](<notebooks/{notebook.stem}.ipynb>).\n\n"
        f'<details><summary>with these parameters</summary><table class="params">{rows}</table></details>\n'
    )

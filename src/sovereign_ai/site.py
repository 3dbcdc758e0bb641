"""`make site`: an offline HTML gallery of figures/ and the notebooks.

site/index.html shows every figure with its caption, source line and the
parameters that made it (from figures/MANIFEST.json), with links to its SVG,
PDF and PNG files, and lists every other file in figures/. The notebooks, as
stored with the outputs of their default run, become HTML pages beside it.
Nothing is loaded from outside: no script, style sheet or font from a CDN.
"""

import html
import os
import re
import shutil
import uuid
from collections import defaultdict
from pathlib import Path

from sovereign_ai import manifest, paths, publish, safe_io
from sovereign_ai.build import BuildError, Interrupted, load_registry

# Written into every gallery: the gallery replaces its folder as a whole, so a folder that is not
# empty is replaced only if it holds this (an earlier gallery), never a folder of someone's files.
GALLERY_MARK = ".sovereign-ai-gallery"

FIGURE_FORMATS = ("png", "svg", "pdf")
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}

STYLE = """
body { font-family: "IPAexGothic", "Hiragino Sans", "Noto Sans CJK JP", sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1.5rem; color: #1a1a1a; line-height: 1.5; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
figure { margin: 1.5rem 0 2.5rem; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9rem; } .source { color: #4d4d4d; }
.links a { margin-right: 1rem; } table.params { border-collapse: collapse; font-size: 0.8rem; margin: 0.4rem 0; }
table.params td { border: 1px solid #ddd; padding: 0.1rem 0.5rem; font-family: monospace; }
nav a { margin-right: 1rem; }
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="icon" href="data:,">\n<title>{html.escape(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _svg_description(path: Path) -> tuple[str, str]:
    """The title and source line written into an SVG's metadata."""
    text = path.read_text(encoding="utf-8")
    title = re.search(r"<dc:title>(.*?)</dc:title>", text, flags=re.S)
    source = re.search(r"<dc:description>(.*?)</dc:description>", text, flags=re.S)
    return (html.unescape(title.group(1)) if title else path.stem, html.unescape(source.group(1)) if source else "")


def _parameters_table(entry: dict | None) -> str:
    if not entry:
        return ""
    producer = entry["produced_by"][0]
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(manifest.canonical_json(v))}</td></tr>"
        for k, v in sorted(producer["inputs"]["parameters"].items())
    )
    notebook = producer["inputs"]["notebook"]
    return (
        f"<details><summary>made by <code>{html.escape(notebook)}</code> with these parameters</summary>"
        f'<table class="params">{rows}</table></details>'
    )


def _figure_groups(figures: Path) -> dict[str, dict[str, Path]]:
    """Figure files grouped by '<stem>.<lang>', each with its formats."""
    groups: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted(figures.iterdir()):
        if path.name.endswith(".caption.txt"):
            groups[path.name.removesuffix(".caption.txt")]["caption"] = path
            continue
        stem, _, ext = path.name.rpartition(".")
        if ext in FIGURE_FORMATS:
            groups[stem][ext] = path
    return dict(groups)


def site_folder(site_dir: Path | None = None) -> Path:
    """Where the gallery goes: site_dir, or site/ in the repository."""
    return Path(site_dir) if site_dir else paths.repo_root() / "site"


def refuse_site_folder(site: Path) -> str | None:
    """Why the gallery may not go into site, or None: it must be new, empty, site/ in the repository,
    or a folder holding an earlier gallery, since the gallery replaces its folder as a whole."""
    shown = paths.relative(site) + "/"
    try:
        target, root = Path(site).resolve(), paths.repo_root()
        if target == root or target in root.parents:
            return f"{shown} holds the repository itself; give a folder for the gallery only"
        if root in target.parents and target.relative_to(root).parts[0] != "site":
            return f"{shown} is inside the repository; write the gallery into site/ (git-ignored) or outside it"
        if target.exists() and not target.is_dir():
            return f"{shown} is a file, not a folder"
        earlier_gallery = target == root / "site" or (target / GALLERY_MARK).exists()
        if target.is_dir() and not earlier_gallery and any(target.iterdir()):
            return (
                f"{shown} holds files that no gallery wrote, and the gallery replaces its folder as a whole; "
                "give a new or empty folder"
            )
    except RuntimeError:  # Python's "Symlink loop"
        return f"{shown} cannot be used: a symbolic link on its path leads to itself"
    except OSError as error:
        return f"{shown} cannot be used: {error.strerror or error}"
    return None


def build_site(site_dir: Path | None = None) -> Path:
    """Write the gallery and the notebook pages into site_dir (default site/); return index.html.

    All or nothing: the gallery is written beside the folder, then put in its place, so an
    interrupted or failed run leaves the earlier gallery whole."""
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
    if half_published:  # the gallery would show half of one build and half of another
        raise BuildError(f"{half_published}: run `make figures` first, which completes it.\nNothing was written.")
    target = Path(site).resolve()
    with publish.folder_beside(target) as partial:
        # earlier galleries (.site.old-*) a run killed as it replaced them left beside it
        safe_io.remove_left_behind(
            target.parent, publish.beside_name(target, publish.OLD) + "*", publish.KILLED_COPY_SECONDS
        )
        _write_gallery(partial)
        (partial / GALLERY_MARK).write_text("Written by `python -m sovereign_ai site`.\n", encoding="utf-8")
        _replace(target, partial)
    return target / "index.html"


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
            f"Interrupted while the gallery was put in place: it was finished first, so {paths.relative(target)}/ "
            "holds the new gallery, complete.",
            received[0],
            published=True,
        )


def _write_gallery(site: Path) -> None:
    from nbconvert import HTMLExporter  # 1.5 s to import: only here

    figures = paths.figures_dir()
    shutil.copytree(figures, site / "figures", ignore=shutil.ignore_patterns(".*"))  # no unfinished files
    files = manifest.read(figures)["files"]

    exporter = HTMLExporter(template_name="basic")
    notebook_links = []
    for notebook in sorted(paths.notebooks_dir().glob("*.ipynb")):
        body, _ = exporter.from_filename(str(notebook))
        page = site / "notebooks" / f"{notebook.stem}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        nav = '<nav><a href="../index.html">← gallery</a></nav>'
        page.write_text(_page(notebook.stem, nav + body), encoding="utf-8")
        notebook_links.append(f'<li><a href="notebooks/{notebook.stem}.html">{notebook.stem}</a></li>')

    sections = []
    groups = _figure_groups(figures)
    order = list(dict.fromkeys(r.figure for r in load_registry()))

    def position(key: str) -> tuple:
        stem, _, lang = key.rpartition(".")
        first = next((i for i, figure in enumerate(order) if stem.startswith(figure)), len(order))
        return first, stem, 0 if lang == "ja" else 1

    for key, formats in sorted(groups.items(), key=lambda item: position(item[0])):
        caption = formats.pop("caption", None)
        if caption:  # the caption file an author pastes: title, blank line, source line
            title, _, source = caption.read_text(encoding="utf-8").strip().partition("\n\n")
            formats["caption"] = caption
        else:
            title, source = _svg_description(formats["svg"]) if "svg" in formats else (key, "")
        shown = formats.get("png") or formats.get("svg") or formats["pdf"]
        lang = key.rpartition(".")[2]
        links = " ".join(
            f'<a href="figures/{p.name}">{"caption" if ext == "caption" else ext.upper()}</a>'
            for ext, p in sorted(formats.items())
        )
        sections.append(
            f'<figure id="{html.escape(key)}">\n'
            f'<img src="figures/{shown.name}" alt="{html.escape(title)}" loading="lazy">\n'
            f"<figcaption><strong>{html.escape(title)}</strong> "
            f"({LANGUAGE_NAMES.get(lang, lang)}, <code>{html.escape(key)}</code>)<br>\n"
            f'<span class="source">{html.escape(source)}</span>\n'
            f'<div class="links">{links}</div>\n{_parameters_table(files.get(shown.name))}</figcaption>\n</figure>'
        )
    in_groups = {p.name for formats in groups.values() for p in formats.values()}
    others = [p for p in sorted(figures.iterdir()) if p.is_file() and p.name not in in_groups]
    other_links = "".join(f'<li><a href="figures/{p.name}">{p.name}</a></li>' for p in others)
    body = (
        "<h1>Sovereign AI and Japan's dependence on foreign cloud providers</h1>\n"
        f"<p>Every figure in <code>figures/</code> ({len(groups)} figures in {len(in_groups)} files), "
        "with its source line and the parameters that made it. Built by <code>make site</code>; "
        "works offline.</p>\n"
        '<nav><a href="#figures">Figures</a><a href="#files">Other files</a><a href="#notebooks">Notebooks</a></nav>\n'
        '<h2 id="figures">Figures</h2>\n'
        + "\n".join(sections)
        + f'\n<h2 id="files">Other files</h2>\n<ul>{other_links}</ul>\n'
        f'<h2 id="notebooks">Notebooks</h2>\n<p>As stored, with the outputs of their default run.</p>\n'
        f"<ul>{''.join(notebook_links)}</ul>\n"
    )
    (site / "index.html").write_text(_page("sovereign-ai gallery", body), encoding="utf-8")

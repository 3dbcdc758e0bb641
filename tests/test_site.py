"""The offline gallery, opened in a real browser (headless Chromium driven by Playwright)."""

import functools
import http.server
import os
import re
import shutil
import threading
from urllib.parse import urlparse

import pytest

from sovereign_ai import paths
from sovereign_ai.site import GALLERY_MARK, build_site, refuse_site_folder

from conftest import REPO, run_cli

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


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    # Written over an earlier gallery, which it replaces as a whole (see the test of that)
    site = tmp_path_factory.mktemp("gallery") / "site"
    (site / "figures").mkdir(parents=True)
    (site / GALLERY_MARK).touch()
    (site / "figures" / "a_figure_since_removed.png").touch()
    build_site(site)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_gallery_links_exactly_the_files_in_figures(gallery):
    site, _ = gallery
    index = (site / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="figures/([^"]+)"', index))
    assert linked == {p.name for p in paths.figures_dir().iterdir() if p.is_file()}
    assert not re.search(r'(src|href)="(https?:)?//', index), "nothing is loaded from outside"


def test_every_notebook_has_a_page_without_outside_scripts(gallery):
    site, _ = gallery
    pages = sorted(p.stem for p in (site / "notebooks").glob("*.html"))
    assert pages == sorted(p.stem for p in paths.notebooks_dir().glob("*.ipynb"))
    for page in (site / "notebooks").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and not re.search(r'src="(https?:)?//', text), page.name


def test_the_gallery_replaces_an_earlier_one_whole_and_leaves_nothing_beside_it(gallery):
    site, _ = gallery
    assert not (site / "figures" / "a_figure_since_removed.png").exists()
    assert (site / GALLERY_MARK).exists(), "the mark that lets the next gallery replace this one"
    assert [p.name for p in site.parent.iterdir()] == ["site"], "no partial or old copy left beside it"


@pytest.mark.parametrize(
    ("folder", "said"),
    [
        (".", "holds the repository itself"),
        ("..", "holds the repository itself"),
        ("data", "is inside the repository; write the gallery into site/"),
        ("notebooks/gallery", "is inside the repository"),
    ],
)
def test_the_gallery_never_replaces_the_repository_or_a_folder_in_it(folder, said):
    assert said in refuse_site_folder(REPO / folder)


def test_a_folder_of_someone_elses_files_is_refused_and_kept(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious", encoding="utf-8")
    result = run_cli("site", "--output-dir", str(mine))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "holds files that no gallery wrote" in result.stderr and "Nothing was written." in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mine"] and [p.name for p in mine.iterdir()] == ["thesis.docx"]
    assert refuse_site_folder(tmp_path / "new") is None
    (tmp_path / "empty").mkdir()
    assert refuse_site_folder(tmp_path / "empty") is None


def test_a_half_published_figures_folder_is_neither_shown_nor_handed_out(repo_copy, tmp_path):
    """A build killed while it put files into figures/ leaves a journal; until `make figures`
    completes it, the gallery and the students' copy would show half of one build and half of another."""
    from sovereign_ai import publish

    area = publish.area(publish.work_folder(), repo_copy / "figures")
    (area / publish.JOURNAL_NAME).write_text('{"output_dir": "", "steps": []}', encoding="utf-8")
    for command in (("site",), ("handout", str(tmp_path / "class"))):
        result = run_cli(*command, root=repo_copy)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "an interrupted build left a publish into figures/ half done" in result.stderr
        assert "make figures" in result.stderr
    assert not (repo_copy / "site").exists() and not (tmp_path / "class").exists()


def test_an_interrupted_gallery_leaves_the_earlier_one_whole(tmp_path, monkeypatch):
    from sovereign_ai import site as site_module

    earlier = tmp_path / "site"
    earlier.mkdir()
    (earlier / GALLERY_MARK).touch()
    (earlier / "index.html").write_text("the earlier gallery", encoding="utf-8")

    def interrupted(folder):
        (folder / "index.html").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(site_module, "_write_gallery", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(earlier)
    assert (earlier / "index.html").read_text(encoding="utf-8") == "the earlier gallery"
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no partial copy left beside it"


@needs_chromium
def test_chromium_renders_every_image_resolves_every_link_and_stays_offline(gallery):
    from playwright.sync_api import sync_playwright

    _site, base = gallery
    requests, console_errors, page_errors = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.goto(f"{base}/index.html", wait_until="load")
        images = page.evaluate("""async () => {
            const images = Array.from(document.images);
            for (const image of images) { image.loading = "eager"; image.scrollIntoView(); }
            await Promise.all(images.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
            return images.map(i => [i.getAttribute("src"), i.complete, i.naturalWidth]);
        }""")
        links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        statuses = {link: page.request.get(link).status for link in links if link.split("#")[0] != page.url}
        page.goto(f"{base}/notebooks/cloud_dependence.html", wait_until="load")
        notebook_images = page.evaluate("Array.from(document.images).map(i => i.naturalWidth)")
        browser.close()

    figure_groups = {
        p.name.rsplit(".", 2)[0] + "." + p.name.rsplit(".", 2)[1]
        for p in paths.figures_dir().iterdir()
        if p.suffix in (".png", ".svg", ".pdf")
    }
    assert len(images) == len(figure_groups)
    assert all(complete and width > 0 for _, complete, width in images), [i for i in images if not i[2]]
    assert statuses and all(status == 200 for status in statuses.values()), statuses
    assert notebook_images and all(width > 0 for width in notebook_images)
    assert not console_errors and not page_errors, console_errors + page_errors
    outside = [url for url in requests if urlparse(url).hostname not in ("127.0.0.1",) and not url.startswith("data:")]
    assert not outside, outside

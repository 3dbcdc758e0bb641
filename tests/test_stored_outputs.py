"""What the stored notebooks hold besides their code: each chart once, with its title as alt text,
and all of them together small enough to clone, diff and review (at most 2 MB)."""

import html
import json
import re

import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
MOST_BYTES = 2_000_000


def test_the_stored_notebooks_take_at_most_2_mb_in_all():
    sizes = {path.name: path.stat().st_size for path in NOTEBOOKS}
    assert len(sizes) >= 7
    assert sum(sizes.values()) <= MOST_BYTES, sizes


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_chart_is_stored_once_as_an_image_with_its_title_as_alt_text(path):
    charts = 0
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            images = re.findall(r"data:image/png;base64,", "".join(data.get("text/html", "")))
            assert "image/png" not in data, "the PNG is stored once: in the <img> that carries its alt text"
            if not images:
                continue
            charts += 1
            assert len(images) == 1 and set(data) == {"text/html", "text/plain"}
            alt = re.search(r'\balt="([^"]*)"', "".join(data["text/html"])).group(1)
            assert html.unescape(alt) == "".join(data["text/plain"]) != "", "the title, for readers of either"
    assert charts >= 1, "every notebook shows its chart"

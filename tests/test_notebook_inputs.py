"""A run's notebook input is its code: refreshing stored outputs or editing prose leaves its runs current."""

import json

from sovereign_ai import paths
from sovereign_ai.engine import manifest


def test_outputs_and_prose_leave_a_notebooks_code_hash_unchanged(tmp_path):
    original = paths.repo_root() / "notebooks" / "four_reasons.ipynb"
    body = json.loads(original.read_text(encoding="utf-8"))
    before = manifest.notebook_code_sha256(original)
    for cell in body["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        else:
            cell["source"] = "Prose, rewritten."
    edited = tmp_path / "four_reasons.ipynb"
    edited.write_text(json.dumps(body), encoding="utf-8")
    assert manifest.notebook_code_sha256(edited) == before

    code = next(cell for cell in body["cells"] if cell["cell_type"] == "code")
    code["source"] = "".join(code["source"]) + "\nx = 1"
    edited.write_text(json.dumps(body), encoding="utf-8")
    assert manifest.notebook_code_sha256(edited) != before, "a code edit changes it"

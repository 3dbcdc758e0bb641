"""A run's notebook input is its own code: refreshing stored outputs, editing prose or the worked
solutions leaves its runs current."""

import json

from sovereign_ai import paths
from sovereign_ai.engine import manifest, notebook_code


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


def test_worked_solutions_leave_a_notebooks_code_hash_unchanged(tmp_path):
    """The cells tagged `solution` write nothing and come after the notebook's own code: removing
    them (the students' copy) or editing one leaves the figures' runs current."""
    original = paths.repo_root() / "notebooks" / "cloud_dependence.ipynb"
    body = json.loads(original.read_text(encoding="utf-8"))
    before = manifest.notebook_code_sha256(original)
    solutions = [c for c in body["cells"] if notebook_code.is_solution(c) and c["cell_type"] == "code"]
    assert solutions, "the notebook has worked solutions"
    solutions[0]["source"] = "print('another answer')"
    edited = tmp_path / "edited.ipynb"
    edited.write_text(json.dumps(body), encoding="utf-8")
    assert manifest.notebook_code_sha256(edited) == before
    body["cells"] = [c for c in body["cells"] if not notebook_code.is_solution(c)]
    edited.write_text(json.dumps(body), encoding="utf-8")
    assert manifest.notebook_code_sha256(edited) == before

    solutions[0]["metadata"]["tags"] = []  # untagged, it is the notebook's own code
    body["cells"].append(solutions[0])
    edited.write_text(json.dumps(body), encoding="utf-8")
    assert manifest.notebook_code_sha256(edited) != before

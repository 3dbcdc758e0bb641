"""Exercises: every notebook ends with them; solutions show only with show_solutions=True."""

import json
import re

import pytest

from sovereign_ai.exercises import SOLUTIONS

from conftest import REPO

pytestmark = pytest.mark.notebooks

NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))


def outputs_text(notebook: dict) -> str:
    parts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            parts.append(json.dumps(output.get("data", {})) + "".join(output.get("text", "")))
            if output.get("output_type") == "error":
                parts.append(output["ename"] + output["evalue"])
    return "\n".join(parts)


SHIPPED = tuple(sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb")))


def test_every_teaching_notebook_has_two_to_five_exercises_with_a_solution_each():
    assert set(SHIPPED) <= set(NOTEBOOKS) and set(SOLUTIONS) == set(SHIPPED)
    for name in SHIPPED:
        notebook = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        try_it = [
            c
            for c in notebook["cells"]
            if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Try it")
        ]
        assert len(try_it) == 1, name
        questions = re.findall(r"^\d+\. ", "".join(try_it[0]["source"]), flags=re.M)
        assert 2 <= len(questions) <= 5 and len(questions) == len(SOLUTIONS[name]), name


@pytest.mark.parametrize("name", SHIPPED)
def test_stored_notebooks_show_no_solution(name):
    notebook = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert "**Solution" not in outputs_text(notebook)


WORKED = {  # what some solutions must find, checked by hand
    "policy_timeline": "96 days",
    "cloud_dependence": "all_systems of 2025-03-31: fraction 0.5145 -> domestic share 50.0 %",  # 0.5 × 2,808 / 2,729
    "basic_plan_policies": "14 {1: 4, 2: 4, 3: 2, 4: 4}",
    "sovereign_models": "Sarashina2-8x70B",
}


@pytest.mark.parametrize("name", SHIPPED)
def test_show_solutions_shows_every_solution(name, tmp_path, run_papermill):
    executed = tmp_path / f"{name}.ipynb"
    run_papermill(REPO / "notebooks" / f"{name}.ipynb", executed, {"show_solutions": True, "formats": ["png"]})
    text = outputs_text(json.loads(executed.read_text(encoding="utf-8")))
    for number in range(1, len(SOLUTIONS[name]) + 1):
        assert f"**Solution {number}.**" in text, (name, number)
    assert "error" not in [
        o.get("output_type") for c in json.loads(executed.read_text())["cells"] for o in c.get("outputs", [])
    ]
    if name in WORKED:
        assert WORKED[name] in text, (name, WORKED[name])


def test_a_notebook_saved_with_its_solutions_shown_reaches_the_handout_without_them(
    tmp_path, monkeypatch, capsys, run_papermill
):
    """A teacher runs a notebook with show_solutions = True and saves it (or keeps a copy beside
    it): the handout copied those outputs, solutions and all, while saying it held none."""
    import shutil

    from sovereign_ai.engine import handout

    root = tmp_path / "repo"
    for item in handout.HANDOUT_ITEMS:
        source = REPO / item
        if source.is_dir():
            shutil.copytree(source, root / item, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        elif source.exists():
            (root / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / item)
    shown = tmp_path / "shown.ipynb"
    run_papermill(REPO / "notebooks" / "four_reasons.ipynb", shown, {"show_solutions": True, "formats": ["png"]})
    shutil.copy2(shown, root / "notebooks" / "four_reasons.ipynb")
    (root / "notebooks" / "mine").mkdir()
    shutil.copy2(shown, root / "notebooks" / "mine" / "teacher.ipynb")
    shutil.copy2(shown, root / "data" / "teacher.ipynb.bak")  # a backup, elsewhere: a notebook by its content
    (root / "sweeps" / "answers.html").write_text(  # as an HTML export renders a solution
        "<p><strong>Solution 1.</strong> A single journal column is 89 mm. Below 120 mm the panels "
        "stack in one column by themselves.</p>",
        encoding="utf-8",
    )
    typed = json.loads((REPO / "notebooks" / "policy_timeline.ipynb").read_text(encoding="utf-8"))
    typed["cells"].append(
        {"cell_type": "markdown", "id": "typed", "metadata": {}, "source": [SOLUTIONS["four_reasons"][0].explanation]}
    )
    (root / "notebooks" / "policy_timeline.ipynb").write_text(json.dumps(typed), encoding="utf-8")
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))

    folder = handout.write_handout(tmp_path / "class")
    said = capsys.readouterr().out
    for name in ("four_reasons.ipynb", "mine/teacher.ipynb"):
        assert f"note: notebooks/{name} showed worked solutions" in said, said
        copied = json.loads((folder / "notebooks" / name).read_text(encoding="utf-8"))
        text = outputs_text(copied)
        assert "**Solution" not in text and "Below 120 mm the panels stack" not in text, name
        assert "image/png" in text, "the chart's own outputs stay"
    assert "note: notebooks/policy_timeline.ipynb showed worked solutions" in said
    assert "the copy has 1 cell of it cleared" in said
    assert "note: data/teacher.ipynb.bak showed worked solutions" in said, "a notebook by its content"
    assert "note: sweeps/answers.html holds worked solutions: the copy leaves it out" in said
    assert not (folder / "sweeps" / "answers.html").exists()
    untouched = (folder / "notebooks" / "cloud_dependence.ipynb").read_bytes()
    assert untouched == (REPO / "notebooks" / "cloud_dependence.ipynb").read_bytes()
    explanations = [s.explanation for solutions in SOLUTIONS.values() for s in solutions]
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".ipynb", ".html", ".bak", ".md", ".py"):
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not any(e in text for e in explanations), path


def test_a_handout_killed_before_it_is_in_place_left_no_solutions_on_disk(tmp_path, monkeypatch):
    """kill -9 leaves the partial copy (no clean-up runs): the solutions were never written into it."""
    from sovereign_ai.engine import handout

    def killed(*args):
        raise SystemExit("killed")

    monkeypatch.setattr(handout.os, "replace", killed)
    monkeypatch.setattr(handout.shutil, "rmtree", lambda *a, **k: None)  # a killed process cleans nothing
    with pytest.raises(SystemExit):
        handout.write_handout(tmp_path / "class")
    (partial,) = tmp_path.iterdir()
    exercises = (partial / "src" / "sovereign_ai" / "exercises.py").read_text(encoding="utf-8")
    assert "SOLUTIONS: dict[str, list[Solution]] = {}" in exercises
    assert not any(
        "Solution(" in p.read_text(errors="ignore") for p in partial.rglob("*.py") if p.name == "exercises.py"
    )


def test_an_interrupted_handout_leaves_no_copy_that_holds_the_solutions(tmp_path, monkeypatch):
    """The handout is written beside its folder and renamed into place once the solutions are out:
    stopped half-way (here, by a Ctrl-C after the first files), it leaves nothing behind."""
    from sovereign_ai.engine import handout

    def copies_some_then_is_interrupted(folder):
        (folder / "src" / "sovereign_ai").mkdir(parents=True)
        (folder / "src" / "sovereign_ai" / "exercises.py").write_text("SOLUTIONS = {'worked': 'out'}\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(handout, "_write", copies_some_then_is_interrupted)
    with pytest.raises(KeyboardInterrupt):
        handout.write_handout(tmp_path / "class")
    assert list(tmp_path.iterdir()) == [], "neither the handout nor its partial copy"

    monkeypatch.undo()
    folder = handout.write_handout(tmp_path / "class")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class"]
    assert "SOLUTIONS: dict[str, list[Solution]] = {}" in (folder / "src" / "sovereign_ai" / "exercises.py").read_text()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("> **The students' copy.**"), "it says what the copy leaves out, and why make test fails"
    assert readme.endswith((REPO / "README.md").read_text(encoding="utf-8"))

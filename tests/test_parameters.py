"""Parameters: declared in each notebook, checked by one set of rules."""

import pytest

from sovereign_ai.parameters import RULES, ParameterError, check_given, check_notebook_parameters, declared_parameters

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_every_declared_parameter_has_a_rule_a_valid_default_and_help(notebook):
    declared = declared_parameters(notebook)
    assert {"lang", "formats", "width_mm", "dpi", "palette", "output_dir"} <= set(declared)
    for name, d in declared.items():
        assert name in RULES, name
        RULES[name].check(name, d.default)
        assert d.help, f"{notebook.name}: parameter {name} has no help comment"


def test_defaults_are_the_publication_defaults():
    declared = declared_parameters(REPO / "notebooks" / "four_reasons.ipynb")
    assert declared["lang"].default == "ja"
    assert declared["formats"].default == ["svg", "pdf", "png"]
    assert declared["output_dir"].default == ""


def test_unknown_language_names_the_parameter_and_the_choices():
    with pytest.raises(ParameterError, match=r"""parameter 'lang': 'fr' is not allowed; expected "ja" or "en\""""):
        check_notebook_parameters(lang="fr")


def test_unknown_parameter_lists_the_notebooks_parameters():
    with pytest.raises(ParameterError) as error:
        check_given(REPO / "notebooks" / "four_reasons.ipynb", {"langauge": "en"})
    assert "parameter 'langauge' is unknown to four_reasons.ipynb; its parameters are: lang, formats," in str(error.value)


@pytest.mark.parametrize("name, value", [("width_mm", 20), ("width_mm", "wide"), ("dpi", 72.5), ("dpi", True),
                                         ("formats", ["svg", "tiff"]), ("formats", []), ("palette", "viridis"),
                                         ("columns", 3), ("name", "../escape"), ("show_title", "yes")])
def test_values_outside_the_rules_are_refused(name, value):
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        check_notebook_parameters(**{name: value})


def test_values_are_normalised():
    checked = check_notebook_parameters(width_mm=89, dpi=600.0, formats="pdf")
    assert checked == {"width_mm": 89.0, "dpi": 600, "formats": ["pdf"]}


@pytest.mark.parametrize("name, raw, value", [("width_mm", "89", 89), ("width_mm", "89.5", 89.5),
                                              ("formats", "svg,pdf", ["svg", "pdf"]), ("formats", "[png]", ["png"]),
                                              ("lang", "en", "en"), ("columns", "2", 2), ("show_title", "False", False)])
def test_command_line_values_are_parsed_by_type(name, raw, value):
    assert RULES[name].parse(name, raw) == value


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_papermill_reads_the_same_parameters_with_types_and_help(notebook):
    import papermill

    inferred = papermill.inspect_notebook(str(notebook))
    declared = declared_parameters(notebook)
    assert list(inferred) == list(declared)
    for name, info in inferred.items():
        assert info["inferred_type_name"] != "None", f"{name} has no type annotation"
        assert info["help"] == declared[name].help

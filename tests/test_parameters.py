"""Parameters: declared in each notebook, checked by one set of rules."""

import pytest

from sovereign_ai.parameters import RULES, ParameterError, check, check_given, declared_parameters

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_every_declared_parameter_has_a_rule_a_valid_default_and_help(notebook):
    declared = declared_parameters(notebook)
    assert {"lang", "formats", "width_mm", "dpi", "palette", "output_dir"} <= set(declared)
    for name, d in declared.items():
        assert name in RULES, f"{notebook.name}: parameter {name} has no rule: -p {name} and `params` need one"
        check({"__annotations__": {name: type(d.default)}, name: d.default})
        assert d.type_name != "None", f"{notebook.name}: parameter {name} has no type annotation"
        assert d.help, f"{notebook.name}: parameter {name} has no help comment"


def test_defaults_are_the_publication_defaults():
    declared = declared_parameters(REPO / "notebooks" / "four_reasons.ipynb")
    assert declared["lang"].default == "ja"
    assert declared["formats"].default == ["svg", "pdf", "png"]
    assert declared["output_dir"].default == ""


def test_unknown_language_names_the_parameter_and_the_choices():
    with pytest.raises(ParameterError, match=r"""parameter 'lang': 'fr' is not allowed; expected "ja" or "en\""""):
        check({"__annotations__": {"lang": str}, "lang": "fr"})


@pytest.mark.parametrize(
    "folder",
    [
        *["figures", "figures/mine", "./Figures", "data", "Data/x", "notebooks", "src", ".", ".ci", "sweeps", "a\0b"],
        *[".venv/x", "site", "handout/x", "build/outputs/x", "build", "x" * 300],
    ],
)
def test_a_notebook_run_outside_the_build_may_not_write_into_the_repositorys_own_folders(folder):
    """papermill or JupyterLab with output_dir figures wrote over the shipped figures; data/ took charts."""
    with pytest.raises(ParameterError, match=r"parameter 'output_dir': .* is not allowed: the output folder"):
        check({"__annotations__": {"output_dir": str}, "output_dir": folder})


def test_a_symbolic_link_to_the_repositorys_own_folders_is_followed(tmp_path):
    """variants/flink -> ../figures took the variant into figures/."""
    link = tmp_path / "flink"
    link.symlink_to(REPO / "figures")
    with pytest.raises(ParameterError, match=r"parameter 'output_dir': .* is not allowed"):
        check({"__annotations__": {"output_dir": str}, "output_dir": str(link / "sub")})


@pytest.mark.parametrize("folder", ["", "variants/x", "build/sweeps/x", "/tmp/elsewhere", "figures-old", "sweeps/x"])
def test_a_folder_of_ones_own_or_none_is_taken(folder):
    assert check({"__annotations__": {"output_dir": str}, "output_dir": folder}).output_dir == folder


def test_unknown_parameter_lists_the_notebooks_parameters():
    with pytest.raises(ParameterError) as error:
        check_given(REPO / "notebooks" / "four_reasons.ipynb", {"langauge": "en"})
    assert "parameter 'langauge' is unknown to four_reasons.ipynb; its parameters are: lang, formats," in str(
        error.value
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("width_mm", 20),
        ("width_mm", "wide"),
        ("dpi", 72.5),
        ("dpi", True),
        ("formats", ["svg", "tiff"]),
        ("formats", []),
        ("palette", "viridis"),
        ("columns", 3),
        ("name", "../escape"),
        ("show_title", "yes"),
        ("show_source", "no"),
        ("as_of", "20250101"),
        ("as_of", "2025-W01-1"),
    ],
)
def test_values_outside_the_rules_are_refused(name, value):
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        check({"__annotations__": {name: object}, name: value})


def test_values_are_normalised():
    namespace = {
        "__annotations__": {"width_mm": float, "dpi": int, "formats": list},
        "width_mm": 89,
        "dpi": 600.0,
        "formats": "pdf,png",
    }
    settings = check(namespace)
    assert settings.as_dict() == {"width_mm": 89.0, "dpi": 600, "formats": ["pdf", "png"]}
    assert settings.formats == ["pdf", "png"], "papermill's -p formats pdf,png reads as the build reads it"


def test_a_parameter_without_a_rule_is_checked_by_its_type():
    assert check({"__annotations__": {"note": str}, "note": "x"}).note == "x"
    with pytest.raises(ParameterError, match="parameter 'note': 3 is not allowed; expected a str"):
        check({"__annotations__": {"note": str}, "note": 3})


def test_no_notebook_names_its_parameters_in_the_checking_call():
    for notebook in NOTEBOOKS:
        text = notebook.read_text(encoding="utf-8")
        assert "parameters.check(globals())" in text, notebook.name
        assert "check_notebook_parameters" not in text


@pytest.mark.parametrize(
    "name, raw, value",
    [
        ("width_mm", "89", 89),
        ("width_mm", "89.5", 89.5),
        ("formats", "svg,pdf", ["svg", "pdf"]),
        ("formats", "[png]", ["png"]),
        ("lang", "en", "en"),
        ("columns", "2", 2),
        ("show_title", "False", False),
    ],
)
def test_command_line_values_are_parsed_by_type(name, raw, value):
    assert RULES[name].parse(name, raw) == value


@pytest.mark.parametrize("raw", ["1_00", " 89 ", "８９", "nan", "inf", "0x59"])
def test_command_line_numbers_are_ascii_digits_only(raw):
    with pytest.raises(ParameterError, match=f"parameter 'width_mm': {raw!r} is not a number"):
        RULES["width_mm"].parse("width_mm", raw)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_papermill_reads_the_same_parameters_with_types_and_help(notebook):
    import papermill

    inferred = papermill.inspect_notebook(str(notebook))
    declared = declared_parameters(notebook)
    assert list(inferred) == list(declared)
    for name, info in inferred.items():
        assert info["inferred_type_name"] == declared[name].type_name != "None", f"{name} has no type annotation"
        assert info["help"] == declared[name].help


def test_the_readme_parameter_table_lists_every_parameter_with_its_default():
    """The README's table is checked against the notebooks' parameters cells, which declare them."""
    rows = {}
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            names, default = line.split("|")[1:3]
            for name in names.replace("`", "").split(","):
                rows[name.strip()] = default.strip()
    for notebook in NOTEBOOKS:
        for name, declared in declared_parameters(notebook).items():
            assert name in rows, f"README's parameter table lacks {name} ({notebook.name})"
            if rows[name].startswith("`") and name != "name":  # a default written as code
                assert f"`{repr(declared.default).replace(chr(39), chr(34))}`" in rows[name], (notebook.name, name)

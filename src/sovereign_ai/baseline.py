"""The benchmark's baseline: every registered figure drawn in one plain Python process.

It calls the same package functions the notebooks call, with the same
parameters, and writes the same files, without notebooks or kernels: the
lower bound the build is measured against (`make bench`).

    python -m sovereign_ai.baseline --output-dir DIR
"""

import argparse
from pathlib import Path

from sovereign_ai import charts, cloud_dependence, landscape, style
from sovereign_ai.build import Run, load_registry
from sovereign_ai.palettes import get_palette
from sovereign_ai.parameters import check_notebook_parameters
from sovereign_ai.report_figures import draw_report_figure


def draw_run(run: Run, output_dir: Path) -> None:
    """What the run's notebook draws and writes, as direct calls."""
    settings = check_notebook_parameters(**(run.effective_parameters() | {"output_dir": str(output_dir)}))
    notebook = run.notebook.stem
    if notebook in ("four_reasons", "basic_plan_policies"):
        fig = draw_report_figure(notebook, lang=settings["lang"], width_mm=settings["width_mm"],
                                 palette=settings["palette"], columns=settings["columns"],
                                 show_title=settings["show_title"])
        style.save_as_asked(fig, settings)
    elif notebook == "cloud_dependence":
        options = dict(lang=settings["lang"], width_mm=settings["width_mm"], palette=get_palette(settings["palette"]))
        figures = {
            "roster": charts.roster_chart(settings["as_of"], **options),
            "concentration": charts.concentration_chart(**options),
            "market": charts.market_chart(**options),
            "deficit": charts.deficit_chart(**options),
            "scenarios": charts.scenario_chart(settings["shift_to_domestic"], **options),
        }
        for part, fig in figures.items():
            style.save_as_asked(fig, settings, part)
        metrics = cloud_dependence.metrics_table(settings["as_of"], settings["shift_to_domestic"])
        cloud_dependence.write_metrics(metrics, output_dir, settings["name"])
    elif notebook == "policy_timeline":
        fig = landscape.timeline_chart(settings["jurisdictions"], settings["start"], settings["end"],
                                       lang=settings["lang"], width_mm=settings["width_mm"],
                                       palette=get_palette(settings["palette"]))
        style.save_as_asked(fig, settings)
    elif notebook == "sovereign_models":
        fig = landscape.models_chart(settings["open_only"], lang=settings["lang"], width_mm=settings["width_mm"],
                                     palette=get_palette(settings["palette"]))
        style.save_as_asked(fig, settings)
    else:
        raise SystemExit(f"the baseline does not know notebook {run.notebook.name}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sovereign_ai.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    style.use_house_style()
    for run in load_registry():
        draw_run(run, args.output_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

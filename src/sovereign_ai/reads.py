"""What a notebook run reads: data files, table descriptions and package modules.

The build sets SOVEREIGN_AI_READS_LOG for each run; the kernel appends one
line per thing read. The build then records the SHA-256 of exactly those
inputs in the manifest, so a rebuild re-runs only the runs whose inputs
changed. Outside the build, recording does nothing.

The build also tells a run which of its charts to save, when not all
(`build --only <figure>_<chart>`): SOVEREIGN_AI_SAVE_ONLY, their part names.
"""

import os
import sys
from contextlib import contextmanager

READS_LOG_VARIABLE = "SOVEREIGN_AI_READS_LOG"
SAVE_ONLY_VARIABLE = "SOVEREIGN_AI_SAVE_ONLY"  # "roster,market": the parts saved; unset, every chart
MODULE_PREFIX = "module:"  # a package module the run had loaded, e.g. "module:sovereign_ai/charts.py"
STYLE_SHEET = "sovereign_ai/charts/house.mplstyle"  # read by sovereign_ai.charts.style: recorded as one of its modules

_unrecorded_depth = 0  # > 0 inside not_recorded()


def record(entry: str) -> None:
    log = os.environ.get(READS_LOG_VARIABLE)
    if log and not _unrecorded_depth:
        with open(log, "a", encoding="utf-8") as f:
            f.write(entry + "\n")


def record_modules() -> None:
    """Record every module of the package loaded so far (called when a run saves its outputs)."""
    if not os.environ.get(READS_LOG_VARIABLE):
        return
    for name, module in sorted(sys.modules.items()):
        if (name == "sovereign_ai" or name.startswith("sovereign_ai.")) and getattr(module, "__file__", None):
            relative = name.replace(".", "/") + ("/__init__.py" if module.__file__.endswith("__init__.py") else ".py")
            record(MODULE_PREFIX + relative)
    if "sovereign_ai.charts.style" in sys.modules:
        record(MODULE_PREFIX + STYLE_SHEET)


def saves(part: str) -> bool:
    """Whether the run saves the chart of this part name (every one, unless the build chose some)."""
    chosen = os.environ.get(SAVE_ONLY_VARIABLE)
    return not chosen or part in chosen.split(",")


@contextmanager
def not_recorded():
    """Reads inside the block are not recorded: for reads the run's outputs do not depend on."""
    global _unrecorded_depth
    _unrecorded_depth += 1
    try:
        yield
    finally:
        _unrecorded_depth -= 1

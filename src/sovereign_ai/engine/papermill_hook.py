"""What papermill's own command does with this project's notebooks, loaded as it starts.

papermill loads every `papermill.engine` entry point when it is imported (pyproject.toml names
this module's Engine, the default engine under the project's name). Run as the `papermill`
command, it then:

- refuses an environment in which no kernel could start or draw (an MPLBACKEND matplotlib does
  not know, a Jupyter runtime folder whose path is too long) before any kernel starts, naming
  what to change, as `sovereign-ai build` does;
- ends a run that failed in a cell with the cell's error alone: the kernel's traceback, which a
  parameter or data error keeps to one line (their `_render_traceback_`), without papermill's
  own twenty lines of click frames, which say nothing about the notebook.
"""

import os
import sys

from papermill.engines import NBClientEngine


class Engine(NBClientEngine):
    """papermill's default engine (nbclient), under this project's name."""


def _is_papermill_command() -> bool:
    return os.path.basename(sys.argv[0] if sys.argv else "") in ("papermill", "papermill.exe")


def _cell_error_alone(kind, error, traceback) -> None:
    """sys.excepthook: a notebook's failed cell is said without papermill's own frames."""
    if kind.__name__ != "PapermillExecutionError" or not hasattr(error, "ename"):
        return _previous_hook(kind, error, traceback)
    said = str(error).strip("\n").removeprefix("-" * 75).strip("\n")
    print(f"papermill: the notebook stopped with an error. {said}", file=sys.stderr)
    return None


def environment_refusal() -> str | None:
    """Why no kernel could start or draw here, or None (sovereign_ai.engine.kernels, as the build checks)."""
    from sovereign_ai.engine import kernels

    return kernels.environment_problem()


_previous_hook = sys.excepthook
if _is_papermill_command():
    sys.excepthook = _cell_error_alone
    _problem = environment_refusal()
    if _problem:
        print(f"papermill: error: {_problem}.\nNo kernel was started.", file=sys.stderr)
        sys.exit(2)

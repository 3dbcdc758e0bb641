"""A warm kernel runs notebooks one after another as if each had a kernel of its own,
and the build discards a kernel whose run failed."""

import nbformat
import pytest
from jupyter_core.utils import run_sync

from sovereign_ai.engine import build
from sovereign_ai.engine.kernels import KERNEL_NAME, WarmRunner

pytestmark = pytest.mark.notebooks


def notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def runner():
    warm = WarmRunner()
    yield warm
    warm.close()


def run(runner, folder, *sources, environment=None):
    folder.mkdir()
    executed = folder / "out.ipynb"
    runner.run(notebook(folder / "in.ipynb", *sources), executed, {}, cwd=str(folder), environment=environment)
    return nbformat.read(executed, as_version=4)


def test_a_run_finds_nothing_an_earlier_run_left(runner, tmp_path):
    run(
        runner,
        tmp_path / "first",
        "leftover = 1",
        "import matplotlib\nmatplotlib.rcParams['lines.linewidth'] = 9.0",
        "import warnings\nwarnings.filterwarnings('ignore', message='left by the first run')",
        "import os\nos.environ['LEFT_BY_FIRST_RUN'] = '1'\nos.chdir('/')",
        "from sovereign_ai.charts import marks\nmarks.LEFT_BY_FIRST_RUN = True",
        "import matplotlib.pyplot as plt\nplt.figure()",
        "import sys\nsys.path.insert(0, '/left/by/the/first/run')",
    )
    second = tmp_path / "second"
    nb = run(
        runner,
        second,
        "assert 'leftover' not in globals()",
        "import matplotlib\nassert matplotlib.rcParams['lines.linewidth'] != 9.0",
        "import warnings\nassert not [f for f in warnings.filters if 'left by the first run' in str(f[1])]",
        f"import os\nassert 'LEFT_BY_FIRST_RUN' not in os.environ\nassert os.getcwd() == {str(second)!r}",
        "import os\nassert os.environ['GIVEN_TO_THIS_RUN'] == 'yes'",
        "import sys\nassert 'sovereign_ai.charts.marks' not in sys.modules",
        "from sovereign_ai.charts import marks\nassert not hasattr(marks, 'LEFT_BY_FIRST_RUN')",
        "import matplotlib.pyplot as plt\nassert plt.get_fignums() == []",
        "import sys\nassert '/left/by/the/first/run' not in sys.path",
        environment={"GIVEN_TO_THIS_RUN": "yes"},
    )
    assert [cell.execution_count for cell in nb.cells] == list(range(1, 10)), "counts start at 1, as in a new kernel"


def _job(folder, name, *sources):
    return {
        "run_id": name,
        "notebook": str(notebook(folder / f"{name}.ipynb", *sources)),
        "cwd": str(folder),
        "executed": str(folder / f"{name}.executed.ipynb"),
        "kernel_log": str(folder / f"{name}.kernel.log"),
        "staging": str(folder / "staging" / name),
        "reads_log": str(folder / f"{name}.reads.txt"),
        "parameters": {},
    }


def test_the_build_reuses_its_kernel_and_discards_it_after_a_failed_run(tmp_path):
    try:
        assert build._execute(_job(tmp_path, "one", "x = 1"))["error"] is None
        first = build._runner.kernel
        assert build._execute(_job(tmp_path, "two", "x = 2"))["error"] is None
        assert build._runner.kernel is first, "the second run reused the kernel"

        failed = build._execute(_job(tmp_path, "broken", "raise ValueError('broken on purpose')"))
        assert failed["error"] == "ValueError: broken on purpose"
        assert failed["kernel_log"] == "one.kernel.log", "the log of the kernel that ran it"
        assert build._runner.kernel is None and not first.km.has_kernel, "the kernel was shut down"
        assert not run_sync(first.km.is_alive)()

        assert build._execute(_job(tmp_path, "after", "x = 3"))["error"] is None
        assert build._runner.kernel is not first, "the next run has a new kernel"
        marks = [line for line in (tmp_path / "one.kernel.log").read_text().splitlines() if line.startswith("---")]
        assert marks == ["--- one ---", "--- two ---", "--- broken ---"], "the log says which run came when"
    finally:
        build._runner.close()

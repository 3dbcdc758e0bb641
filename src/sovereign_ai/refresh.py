"""Re-execute the source notebooks in place, so the outputs stored with them
(shown where they are hosted, and compared by nbval) are those of a default run."""

from pathlib import Path

from sovereign_ai import lighter_imports, paths, safe_io
from sovereign_ai.kernels import KERNEL_NAME, ipc_kernel_manager_class


def refresh_notebook(notebook: Path) -> None:
    """Execute the notebook with its default parameters and save it with the new outputs."""
    lighter_imports.skip_iri_grammar()
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=600,
        record_timing=False,
        kernel_manager_class=ipc_kernel_manager_class(),
        resources={"metadata": {"path": str(notebook.parent)}},
    ).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("widgets", None)
    text = nbformat.writes(nb)
    safe_io.write_bytes(notebook, (text if text.endswith("\n") else text + "\n").encode("utf-8"))  # never half-written


def refresh_all(names: list[str] | None = None, out=None) -> None:
    notebooks = sorted(paths.notebooks_dir().glob("*.ipynb"))
    if names:
        notebooks = [n for n in notebooks if n.stem in names or n.name in names]
    for i, notebook in enumerate(notebooks, start=1):
        print(f"[{i}/{len(notebooks)}] {paths.relative(notebook)}", file=out, flush=True)
        refresh_notebook(notebook)

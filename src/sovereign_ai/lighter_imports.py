"""A second of start-up saved in every process of ours that imports papermill or nbformat.

nbformat imports jsonschema, and jsonschema imports rfc3987_syntax when it is
installed (JupyterLab's dependencies install it) to check the "iri" string
format; that import compiles a grammar and takes about 1 s. No schema checked
in our processes (notebooks, through nbformat) uses that format, so our
processes mark the module absent before papermill or nbformat is imported, and
jsonschema leaves that one check out. Kernels and JupyterLab are not affected.
"""

import sys


def skip_iri_grammar() -> None:
    """Call before importing papermill or nbformat; does nothing if jsonschema is already imported."""
    sys.modules.setdefault("rfc3987_syntax", None)  # `import rfc3987_syntax` now raises ImportError

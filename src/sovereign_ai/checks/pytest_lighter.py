"""Named first in pytest's options (pyproject.toml): a second saved in every pytest process.

nbval, a plugin pytest loads at start, imports nbformat and so jsonschema, which compiles the
IRI grammar unless it is marked absent first (sovereign_ai.lighter_imports). `-p` modules are
imported before the installed plugins, so this one does that in time.
"""

from sovereign_ai.lighter_imports import skip_iri_grammar

skip_iri_grammar()

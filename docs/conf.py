"""Sphinx configuration: Markdown pages (MyST), API reference from numpydoc docstrings."""

import re

import skae

project = "skae"
author = "the skae developers"
release = version = skae.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
# One page per estimator with its methods listed by numpydoc; autosummary's
# own member tables would duplicate them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "alabaster"
html_title = f"skae {release}"


def _plain_sklearn_refs(app, what, name, obj, options, lines):
    # Methods inherited from scikit-learn (``score``) cite its user guide with
    # :ref: labels that exist only in scikit-learn's own site: keep the words.
    for i, line in enumerate(lines):
        lines[i] = re.sub(r":ref:`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", line)


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_refs)

"""Lessons written for other tools, rendered as they are: MyST Markdown (Jupyter Book 1) and
MkDocs-Material's extensions, turned into the Markdown coursegen renders. See docs/myst.md for
what real books use and what is supported; README "MyST and Material syntax" for authors."""

from coursegen.myst.settings import FLAVORS, page_flavor, with_markdown_flavor
from coursegen.myst.stage import Flavors, collect_labels

__all__ = ["FLAVORS", "Flavors", "collect_labels", "page_flavor", "with_markdown_flavor"]

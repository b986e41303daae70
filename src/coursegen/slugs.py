"""Heading ids, and the ids of tags on tags.html: one rule for both, light to import (a rebuild
that renders no Markdown needs tag ids for every page's tag links, not the Markdown pipeline)."""

from __future__ import annotations

from markdown.extensions.toc import slugify_unicode

# ids the theme's templates use: a heading must not take them
THEME_IDS = {
    "main",
    "cards-heading",
    "timeline-heading",
    "stats-heading",
    "notebooks-heading",
    "toc-heading",
    "timing-heading",
    "search",
}


def heading_slug(text: str, separator: str = "-") -> str:
    """Heading ids keep French words readable: `Mécanismes d'attention` → `mécanismes-dattention`."""
    slug = slugify_unicode(text, separator)
    return f"{slug}{separator}section" if slug in THEME_IDS else slug

"""A page at a project's old address of its first page (Jupyter Book's `intro.html`), leading to
the course home, so bookmarks and links to it keep working (offline too: no script needed)."""

from __future__ import annotations

from html import escape

from coursegen.urls import relative_url


def redirect_html(old_url: str, url: str) -> str:
    target = escape(relative_url(url, old_url, ""))
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}">'
        f'<link rel="canonical" href="{target}"><title>→</title></head>\n'
        f'<body><p><a href="{target}">{target}</a></p></body></html>\n'
    )

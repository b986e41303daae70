"""What coursegen does not understand is shown, never dropped: a visible, styled block (or, inline,
a span) with the construct's name and its text, escaped, folded away in a `<details>`."""

from __future__ import annotations

import html


def unsupported_block(name: str, source: str, message: str, source_word: str) -> list[str]:
    """A raw HTML block on one line (a blank line would end it early): newlines kept as `&#10;`."""
    text = html.escape(source, quote=False).replace("\n", "&#10;")
    return [
        "",
        f'<div class="unsupported" data-construct="{html.escape(name)}"><p><strong>{html.escape(name)}</strong>'
        f" — {html.escape(message)}</p><details><summary>{html.escape(source_word)}</summary>"
        f"<pre><code>{text}</code></pre></details></div>",
        "",
    ]


def unsupported_inline(name: str, text: str, message: str) -> str:
    return (
        f'<span class="unsupported" data-construct="{html.escape(name)}" title="{html.escape(name)}: '
        f'{html.escape(message)}">{html.escape(text)}</span>'
    )

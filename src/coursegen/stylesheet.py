"""The site's stylesheet: dark-mode rules written once, applied by the system's scheme or by the
learner's choice.

The theme writes its dark colours in `@media screen and (prefers-color-scheme: dark)` blocks. The
header's light/dark/auto switch sets `<html data-theme="light|dark">`: each such block is written
twice, once for the system's dark scheme unless the learner chose light, once for a learner who
chose dark whatever the system says.
"""

from __future__ import annotations

import re

DARK_MEDIA = "@media screen and (prefers-color-scheme: dark)"
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_AUTO = ':root:not([data-theme="light"])'
_CHOSEN = ':root[data-theme="dark"]'


def with_theme_choice(css: str) -> str:
    """`css` with every dark-scheme block doubled for the learner's choice (see module doc)."""
    out, position = [], 0
    while (start := css.find(DARK_MEDIA, position)) >= 0:
        opening = css.index("{", start)
        end = _closing_brace(css, opening)
        rules = css[opening + 1 : end]
        out.append(css[position:start])
        out.append(
            f"{DARK_MEDIA} {{\n{_scoped(rules, _AUTO)}}}\n@media screen {{\n{_scoped(rules, _CHOSEN)}}}"
        )
        position = end + 1
    out.append(css[position:])
    return "".join(out)


def _closing_brace(css: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(css)):
        if css[index] == "{":
            depth += 1
        elif css[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced braces in the stylesheet's dark-mode block")


def _scoped(rules: str, root: str) -> str:
    scoped = []
    for match in _RULE.finditer(rules):
        selectors = [
            _scope(selector.strip(), root) for selector in match.group(1).split(",") if selector.strip()
        ]
        scoped.append(f"  {', '.join(selectors)} {{{match.group(2)}}}\n")
    return "".join(scoped)


def _scope(selector: str, root: str) -> str:
    if selector.startswith(":root"):
        return root + selector[len(":root") :]
    return f"{root} {selector}"

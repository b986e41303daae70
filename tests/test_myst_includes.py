"""MyST `{include}` and `{literalinclude}` (myst/includes.py): another file's text or code in a
page, cut as Sphinx cuts it, a dependency of the page, and findings that name the page's line."""

from __future__ import annotations

import re

from conftest import formatted, run_build

COURSE = {
    "course.yml": "title: Cours\nlanguage: fr\nmarkdown: {flavor: myst}\n",
    "content/A/01.md": (
        "# Leçon\n\n"
        "```{include} ../_partage/intro.md\n:heading-offset: 1\n```\n\n"  # line 3
        "```{literalinclude} ../_partage/exemple.py\n:lines: 3-4\n:lineno-match:\n:caption: Aire\n```\n\n"
        "```{literalinclude} /_partage/exemple.py\n:start-at: def\n:end-before: return\n```\n\n"  # line 13
        "```{include} /_partage/code.md\n:literal:\n:start-after: <!-- début -->\n:end-before: <!-- fin -->\n```\n\n"
        "Voir {ref}`ma-cible`.\n"
    ),
    "content/_partage/intro.md": "# Introduction partagée\n\n(ma-cible)=\n## Cible\n\nTexte $x^2$.\n",
    "content/_partage/exemple.py": "import math\n\ndef aire(r):\n    x = math.pi * r ** 2\n    return x\n",
    "content/_partage/code.md": "avant\n<!-- début -->\n**brut**\n<!-- fin -->\naprès\n",
}


def article(root, rel: str = "A/01.html") -> str:
    page = (root / "site" / rel).read_text(encoding="utf-8")
    return page[page.index("<article") : page.index("</article>")]


def test_included_text_is_converted_in_place_and_code_cut_as_sphinx_cuts_it(make_course):
    root = make_course(COURSE)
    result = run_build(root)
    assert formatted(result) == []
    html = article(root)
    # the file's headings one level down, its label known to the page, its math rendered
    assert '<h2 id="introduction-partagée">Introduction partagée' in html
    assert '<h3 id="ma-cible">Cible' in html and '<a href="#ma-cible">Cible</a>' in html
    assert "<math>" in html
    code = re.sub(r"<[^>]+>", "", html)
    # :lines: 3-4 with :lineno-match: numbered 3 and 4, the caption as its title
    assert '<span class="normal">3</span>' in html and '<span class="normal">4</span>' in html
    assert '<span class="filename">Aire</span>' in html
    assert "def aire(r):\n    x = math.pi * r ** 2\n" in code  # :start-at: def, :end-before: return
    assert "**brut**" in code and "avant" not in code and "après" not in code  # :literal:, cut
    assert not (root / "site/_partage").exists()  # a `_` folder holds parts, not pages


def test_an_edited_included_file_renders_its_page_again(make_course):
    root = make_course(COURSE)
    run_build(root)
    (root / "content/_partage/intro.md").write_text("# Introduction revue\n\n(ma-cible)=\n## Cible\n")
    (root / "content/_partage/exemple.py").write_text(
        "import math\n\ndef perimetre(r):\n    y = 2\n    return y\n"
    )
    result = run_build(root)
    assert formatted(result) == []
    html = article(root)
    assert "Introduction revue" in html and "perimetre" in html and "aire" not in html


def test_missing_outside_and_looping_includes_are_findings_at_the_pages_line(make_course):
    files = {
        "course.yml": COURSE["course.yml"],
        "content/A/01.md": (
            "# Leçon\n\n"
            "```{include} ../_partage/absent.md\n```\n\n"  # line 3
            "```{include} ../../course.yml\n```\n\n"  # line 6
            "```{include} ../_partage/boucle.md\n```\n\n"  # line 9
            "```{literalinclude} ../_partage/boucle.md\n:pyobject: f\n```\n\n"  # line 12
            "```{include} ../_partage/boucle.md\n:start-line: deux\n```\n\n"  # line 16
            "```{literalinclude} ../_partage/boucle.md\n:start-after: absent\n```\n"  # line 20
        ),
        "content/_partage/boucle.md": "Avant.\n\n```{include} boucle.md\n```\n",
    }
    root = make_course(files)
    result = run_build(root)
    page = "content/A/01.md"
    assert formatted(result) == [
        f"{page}:3: warning[markdown]: {{include}} '../_partage/absent.md' not found — give its path from "
        "the page's folder, or from the course's folder with a leading /",
        f"{page}:6: warning[markdown]: {{include}} '../../course.yml' is outside content/ — keep included "
        "files inside content/ (nothing else is read)",
        f"{page}:9: warning[markdown]: {{include}} 'boucle.md' includes itself, directly or through other "
        "files (in ../_partage/boucle.md) — an included file may include others, 8 levels deep, never one "
        "it is part of",
        f"{page}:12: warning[markdown]: option :pyobject: of {{literalinclude}} is not supported — cut the "
        "code with :lines:, :start-after: or :start-at: instead",
        f"{page}:16: warning[markdown]: option :start-line: must be a whole number, not 'deux' — e.g. "
        ":start-line: 2",
        f"{page}:20: warning[markdown]: 'absent' (:start-after: of {{literalinclude}}) is not in the file — "
        "copy it from the file",
    ]
    html = article(root)
    assert html.count('class="unsupported"') == 6 and "Avant." in html  # the rest of the page is there

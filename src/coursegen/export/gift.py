"""GIFT, Moodle's text format for questions: the same bank as the Moodle XML export, one
`$CATEGORY:` per module, texts as `[html]` with `~ = # { } : \\` escaped by a backslash.

GIFT has no way to carry a file: an image of a quiz points to the published site when course.yml
gives `base_url`, and is otherwise replaced by its description (with a warning: use the Moodle XML
export, which embeds images).
"""

from __future__ import annotations

import re
from html import escape

from coursegen.errors import Diagnostics
from coursegen.export.moodle import category_path
from coursegen.export.quizzes import KIND, Fragment, Quiz, QuizBank, site_url, weights_or_warning

_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape_gift(text: str) -> str:
    """Text safe anywhere in a GIFT question: its control characters escaped, and no line break
    (a blank line would end the question; in HTML a numeric line feed means the same)."""
    return _SPECIAL.sub(r"\\\1", text.replace("\r\n", "\n").replace("\n", "&#10;"))


def gift(bank: QuizBank, base_url: str, diagnostics: Diagnostics) -> tuple[str, int]:
    """The GIFT file's text, and how many questions it holds."""
    count = 0
    out = [f"// {bank.course_title.splitlines()[0] if bank.course_title else ''} — exported by coursegen", ""]
    for module in bank.modules:
        out += [f"$CATEGORY: {category_path(bank.course_title, module.title)}", ""]
        for quiz in module.quizzes:
            question = _question(quiz, base_url, diagnostics)
            if question:
                out += [question, ""]
                count += 1
    return "\n".join(out), count


def _question(quiz: Quiz, base_url: str, diagnostics: Diagnostics) -> str:
    weights = weights_or_warning(quiz, diagnostics)
    if weights is None:
        return ""
    text = lambda fragment: escape_gift(_html(fragment, quiz, base_url, diagnostics))  # noqa: E731
    lines = [
        f"// {quiz.path}" + (f":{quiz.line}" if quiz.line else ""),
        f"::{escape_gift(quiz.name)}::[html]{text(quiz.text)}{{",
    ]
    for answer, weight in zip(quiz.answers, weights):
        if quiz.multiple:
            mark = f"~%{weight}%"
        else:
            mark = "=" if answer.correct else "~"
        feedback = f"#{text(answer.feedback)}" if answer.feedback else ""
        lines.append(f"\t{mark}{text(answer.text)}{feedback}")
    if quiz.explanation:
        lines.append(f"\t####{text(quiz.explanation)}")
    lines.append("}")
    return "\n".join(lines)


def _html(fragment: Fragment, quiz: Quiz, base_url: str, diagnostics: Diagnostics) -> str:
    if base_url:
        return fragment.with_sources(lambda image: site_url(base_url, image.site_url))
    markup = fragment.html
    for image in fragment.images:
        diagnostics.warning(
            quiz.path,
            f"image '{image.name}' of quiz '{quiz.name[:50]}' can't travel in GIFT; its description stands "
            "in for it",
            "export with `coursegen export moodle` (images embedded), or set base_url in course.yml to "
            "link the published image",
            line=quiz.line,
            kind=KIND,
        )
        markup = re.sub(
            rf'<img\b[^>]*\bsrc="{re.escape(image.token)}"[^>]*>',
            "[" + escape(image.alt or image.name, quote=False) + "]",
            markup,
        )
    return markup

"""Moodle XML: the course's quizzes as a question bank (Question bank → Import → Moodle XML format).

One `category` question per module (`$course$/<course title>/<module title>`, so the bank keeps
the course's structure under the course's own category), then one `multichoice` question per quiz:
texts as HTML in CDATA, formulas as `\\( … \\)` for Moodle's MathJax filter, images embedded as
base64 `<file>` elements that the texts reference as `@@PLUGINFILE@@/name`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape
from urllib.parse import quote

from coursegen.errors import Diagnostics
from coursegen.export.quizzes import Fragment, Quiz, QuizBank, weights_or_warning


def category_path(course_title: str, module_title: str) -> str:
    """`$course$/Course/Module`; a `/` inside a title is doubled, as Moodle reads it."""
    parts = [title.replace("/", "//") for title in (course_title, module_title) if title]
    return "/".join(["$course$", *parts])


def moodle_xml(bank: QuizBank, strings: Mapping[str, str], diagnostics: Diagnostics) -> tuple[str, int]:
    """The XML file's text, and how many questions it holds."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    count = 0
    for module in bank.modules:
        out += [
            '  <question type="category">',
            f"    <category><text>{escape(category_path(bank.course_title, module.title), quote=False)}</text></category>",
            '    <info format="html"><text></text></info>',
            "  </question>",
        ]
        for quiz in module.quizzes:
            question = _question(quiz, strings, diagnostics)
            out += question
            count += bool(question)
    out.append("</quiz>")
    return "\n".join(out) + "\n", count


def _question(quiz: Quiz, strings: Mapping[str, str], diagnostics: Diagnostics) -> list[str]:
    weights = weights_or_warning(quiz, diagnostics)
    if weights is None:
        return []
    lines = [
        '  <question type="multichoice">',
        f"    <name><text>{escape(quiz.name, quote=False)}</text></name>",
        *_text_element("questiontext", quiz.text, "    "),
        *_text_element("generalfeedback", quiz.explanation, "    "),
        "    <defaultgrade>1</defaultgrade>",
        "    <penalty>0.3333333</penalty>",
        "    <hidden>0</hidden>",
        f"    <single>{'false' if quiz.multiple else 'true'}</single>",
        "    <shuffleanswers>false</shuffleanswers>",  # the author's order, as on the site
        "    <answernumbering>abc</answernumbering>",
        "    <showstandardinstruction>1</showstandardinstruction>",
        *_text_element("correctfeedback", Fragment(escape(strings["quiz_correct"], quote=False)), "    "),
        *_text_element("partiallycorrectfeedback", None, "    "),
        *_text_element("incorrectfeedback", Fragment(escape(strings["quiz_incorrect"], quote=False)), "    "),
        "    <shownumcorrect/>",
    ]
    for answer, weight in zip(quiz.answers, weights):
        lines.append(f'    <answer fraction="{weight}" format="html">')
        lines += _text_and_files(answer.text, "      ")
        lines += _text_element("feedback", answer.feedback, "      ")
        lines.append("    </answer>")
    lines.append("  </question>")
    return lines


def _text_element(tag: str, fragment: Fragment | None, indent: str) -> list[str]:
    if fragment is None:
        return [f'{indent}<{tag} format="html"><text></text></{tag}>']
    return [f'{indent}<{tag} format="html">', *_text_and_files(fragment, indent + "  "), f"{indent}</{tag}>"]


def _text_and_files(fragment: Fragment, indent: str) -> list[str]:
    """`<text>` in CDATA, then each image the text shows, embedded."""
    markup = fragment.with_sources(lambda image: "@@PLUGINFILE@@/" + quote(image.name))
    lines = [f"{indent}<text>{cdata(markup)}</text>"]
    for image in fragment.images:
        data = base64.b64encode(image.path.read_bytes()).decode("ascii")
        lines.append(f'{indent}<file name="{escape(image.name)}" path="/" encoding="base64">{data}</file>')
    return lines


def cdata(text: str) -> str:
    """A CDATA section; a `]]>` inside is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"

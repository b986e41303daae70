"""Exercises, solutions and quizzes written in plain Markdown.

    !!! exercise "Calculer les scores"          → an exercise box
    ??? solution                                → a solution, collapsed until opened
    !!! quiz "Que produit la softmax ?"         → a quiz graded in the browser:
        - [x] Des poids positifs qui somment à 1
            Exact : c'est une distribution.     (indented paragraph after a blank line: feedback)
        - [ ] Un produit scalaire

Ticked boxes are the right answers; one right answer gives radio buttons, several give checkboxes.
The admonition extension parses the box; this tree processor turns its `- [x]` list into an
accessible form (fieldset, legend, labels) that static/quiz.js grades.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

BLOCK_KINDS = {  # coursegen's own blocks → the string key of their default title
    "exercise": "exercise",
    "solution": "solution",
    "quiz": "quiz",
    "instructor": "instructor_note",
}
# The usual admonition types (Python-Markdown's, MkDocs-Material's, MyST's): an untitled `!!! tip`
# is titled in the course's language ("Astuce"), not with its English type name ("Tip")
ADMONITION_KINDS = (
    "note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "info",
    "example", "question", "quote", "abstract", "summary", "success", "failure", "bug", "todo",
    "seealso", "proof",
)  # fmt: skip
DEFAULT_TITLES = {**BLOCK_KINDS, **{kind: f"admonition_{kind}" for kind in ADMONITION_KINDS}}


class _QuizProcessor(Treeprocessor):
    def __init__(self, md, extension: QuizExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        strings = self.extension.strings
        count = 0
        for parent in list(root.iter()):
            for index, element in enumerate(list(parent)):
                if not _is_box(element):
                    continue
                _localise_title(element, strings)
                if _block_kind(element) == "quiz":
                    count += 1
                    parent[index] = _quiz_form(element, count, strings, self.extension.answers)
        return None


def _is_box(element) -> bool:
    """An admonition (`!!!`) or a collapsible block (`???`)."""
    return (
        element.tag == "details"
        or element.tag == "div"
        and "admonition" in (element.get("class") or "").split()
    )


def _block_kind(element) -> str | None:
    classes = (element.get("class") or "").split()
    return next((kind for kind in BLOCK_KINDS if kind in classes), None)


def _localise_title(element, strings: Mapping[str, str]) -> None:
    """An untitled block's default title in the course language. The extensions title it with its
    first class, capitalised (`!!! tip no-slide` → "Tip"); a title the author wrote is kept."""
    kind = next((name for name in (element.get("class") or "").split() if name != "admonition"), "")
    title = next(
        (
            child
            for child in element
            if child.tag == "summary" or "admonition-title" in (child.get("class") or "")
        ),
        None,
    )
    untitled = title is not None and len(title) == 0 and (title.text or "").strip() == kind.capitalize()
    if kind in DEFAULT_TITLES and untitled:
        title.text = strings[DEFAULT_TITLES[kind]]


def _quiz_form(block, number: int, strings: Mapping[str, str], answers: bool = True):
    """The quiz as a form. Without `answers` (solutions kept for the instructor), it carries no
    sign of the right answers — no `data-correct`, no feedback, no explanation after the choices —
    and no button to check: a note says the answers come with the solutions."""
    options_list = next((child for child in block if child.tag == "ul" and _is_answer_list(child)), None)
    if options_list is None:
        return block  # no `- [x]` answers: leave it as a plain box
    options = [_option(item) for item in options_list if item.tag == "li"]
    right = sum(1 for correct, _, _ in options if correct)
    kind = "checkbox" if right > 1 else "radio"

    form = etree.Element(
        "form",
        {
            "class": "quiz",
            "data-quiz": "multiple" if kind == "checkbox" else "single",
            "data-correct-text": strings["quiz_correct"],
            "data-incorrect-text": strings["quiz_incorrect"],
            "data-answer-shown-text": strings["quiz_answer_shown"],
        },
    )
    fieldset = etree.SubElement(form, "fieldset")
    legend = etree.SubElement(fieldset, "legend", {"class": "quiz-title"})
    after_choices = False
    for child in block:
        if "admonition-title" in (child.get("class") or ""):
            legend.text = child.text
            for grandchild in child:
                legend.append(grandchild)
        elif child is options_list:
            after_choices = True
        elif answers or not after_choices:  # text after the choices explains the answer
            fieldset.append(child)
    if not legend.text and len(legend) == 0:
        legend.text = strings["quiz"]
    hint = etree.SubElement(fieldset, "p", {"class": "quiz-hint"})
    hint.text = strings["quiz_several"] if kind == "checkbox" else strings["quiz_one"]
    _add_choices(fieldset, options, kind, number, answers)
    if not answers:  # quiz.js leaves it alone: nothing to grade
        form.attrib = {"class": "quiz", "data-quiz": "withheld"}
        note = etree.SubElement(fieldset, "p", {"class": "quiz-withheld"})
        note.text = strings["quiz_answers_withheld"]
        return form
    _add_actions(fieldset, strings)
    return form


def _add_choices(fieldset, options: list, kind: str, number: int, answers: bool) -> None:
    """The answers as radio buttons or checkboxes; the right ones and their feedback only with `answers`."""
    choices = etree.SubElement(fieldset, "ul", {"class": "quiz-options", "role": "list"})
    for index, (correct, answer, feedback) in enumerate(options):
        item = etree.SubElement(choices, "li", {"class": "quiz-option"})
        label = etree.SubElement(item, "label")
        attributes = {"type": kind, "name": f"quiz-{number}", "value": str(index)}
        if correct and answers:
            attributes["data-correct"] = "true"
        etree.SubElement(label, "input", attributes)
        span = etree.SubElement(label, "span")
        span.text = answer.text
        for child in answer:
            span.append(child)
        if feedback and answers:
            box = etree.SubElement(item, "div", {"class": "quiz-feedback", "hidden": "hidden"})
            for child in feedback:
                box.append(child)


def _add_actions(fieldset, strings: Mapping[str, str]) -> None:
    """The check button, the "show the answer" button and the live result line."""
    actions = etree.SubElement(fieldset, "div", {"class": "quiz-actions"})
    button = etree.SubElement(actions, "button", {"type": "button", "class": "quiz-check"})
    button.text = strings["quiz_check"]
    # offered by quiz.js after a wrong try: ticks the right answers and shows their feedback
    reveal = etree.SubElement(
        actions,
        "button",
        {"type": "button", "class": "button button-secondary quiz-reveal", "hidden": "hidden"},
    )
    reveal.text = strings["quiz_show_answer"]
    result = etree.SubElement(actions, "p", {"class": "quiz-result", "role": "status", "aria-live": "polite"})
    result.text = ""


_BOX = re.compile(r"^\s*\[([ xX])\]\s+")


def _is_answer_list(element) -> bool:
    items = [child for child in element if child.tag == "li"]
    return bool(items) and all(_BOX.match(_first_text(item)) for item in items)


def _first_text(item) -> str:
    """The item's own text, or its first paragraph's for a loose list."""
    if (item.text or "").strip():
        return item.text
    first = next(iter(item), None)
    return (first.text or "") if first is not None and first.tag == "p" else ""


def _option(item):
    """(is it right?, answer as an element, feedback elements) from a `- [x] answer` item.

    This runs before the task-list and inline processors: texts are still raw Markdown, which
    the inline processor renders inside the quiz afterwards.
    """
    answer = etree.Element("span")
    first = next(iter(item), None)
    if not (item.text or "").strip() and first is not None and first.tag == "p":  # loose item
        holder, feedback = first, [child for child in item if child is not first]
    else:  # tight item: text, then nested blocks as feedback
        holder, feedback = (
            item,
            [child for child in item if child.tag in ("ul", "ol", "blockquote", "div", "pre", "p")],
        )
    match = _BOX.match(holder.text or "")
    correct = bool(match) and match.group(1) in "xX"
    answer.text = (holder.text or "")[match.end() if match else 0 :]
    for child in list(holder):
        if holder is item and child in feedback:
            continue
        answer.append(child)
    return correct, answer, feedback


class QuizExtension(Extension):
    def __init__(self, strings: Mapping[str, str], answers: bool = True, **kwargs):
        self.strings = strings
        self.answers = answers  # False: quizzes without their answers (solutions kept for the instructor)
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 (Markdown API)
        # before the task-list (25) and inline (20) processors: `[x]` marks are still plain text
        md.treeprocessors.register(_QuizProcessor(md, self), "coursegen-quiz", 26)

"""The course's quizzes as data, for the question-bank exports (Moodle XML, GIFT, QTI).

A quiz is the `!!! quiz "Question ?"` box of a lesson (see coursegen/quiz.py): ticked `- [x]`
answers are right, an indented paragraph under an answer is that answer's feedback, and text after
the answer list is the quiz's explanation (the general feedback). Texts become HTML with the
formulas kept as LaTeX between `\\( … \\)` / `\\[ … \\]` (the delimiters of Moodle's MathJax filter),
images are collected to travel with the question, and links between lessons point to the
published site when `base_url` is known.
"""

from __future__ import annotations

import copy
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import markdown
from markdown.treeprocessors import Treeprocessor

from coursegen.course import resolve_link
from coursegen.errors import Diagnostics, shorten
from coursegen.export.source import LoadedCourse, module_of
from coursegen.mathml import MathExtension
from coursegen.model import Page, PageKind, SourceFile
from coursegen.parse import markdown_body
from coursegen.urls import is_external, split_href

KIND = "lms"  # findings of the exports to learning platforms (errors.KINDS)


@dataclass(frozen=True)
class ImageRef:
    """An image of the course inside a quiz text: its `src` there is `token` until a format says
    where the image lives (embedded file, published URL)."""

    token: str
    name: str  # unique among the export's images
    path: Path  # the file in the course
    site_url: str  # where the built site publishes it
    alt: str


@dataclass(frozen=True)
class Fragment:
    html: str
    images: tuple[ImageRef, ...] = ()

    def with_sources(self, source_of) -> str:
        """The HTML with each image's `src` set to `source_of(image)`."""
        text = self.html
        for image in self.images:
            text = text.replace(f'src="{image.token}"', f'src="{html.escape(source_of(image), quote=True)}"')
        return text

    @property
    def plain(self) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", self.html)).split())


@dataclass(frozen=True)
class Answer:
    text: Fragment
    correct: bool
    feedback: Fragment | None


@dataclass(frozen=True)
class Quiz:
    name: str  # plain text, for lists of questions
    text: Fragment  # the question: its title and the text before the answers
    answers: tuple[Answer, ...]
    explanation: Fragment | None
    path: str  # the lesson, from the course root
    line: int | None

    @property
    def right_count(self) -> int:
        return sum(1 for answer in self.answers if answer.correct)

    @property
    def multiple(self) -> bool:
        return self.right_count > 1

    @property
    def images(self) -> tuple[ImageRef, ...]:
        parts = [
            self.text,
            self.explanation,
            *(a.text for a in self.answers),
            *(a.feedback for a in self.answers),
        ]
        return tuple(dict.fromkeys(image for part in parts if part for image in part.images))


@dataclass
class QuizModule:
    title: str  # the module's title ("" for pages outside any module)
    quizzes: list[Quiz] = field(default_factory=list)


@dataclass
class QuizBank:
    course_title: str
    modules: list[QuizModule]

    @property
    def quizzes(self) -> list[Quiz]:
        return [quiz for module in self.modules for quiz in module.quizzes]


# Moodle grades an answer with one of these percentages only (its question_bank fraction options).
MOODLE_PERCENTAGES = (
    100,
    90,
    83.33333,
    80,
    75,
    70,
    66.66667,
    60,
    50,
    40,
    33.33333,
    30,
    25,
    20,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10,
    5,
)


def answer_weights(quiz: Quiz) -> list[str] | None:
    """Each answer's percentage as text: one right answer 100 and the others 0; with several, the
    right ones share 100 (33.33333 each for three: Moodle rounds the sum to 100) and each wrong one
    takes away 100 / (number of wrong ones), so ticking every box earns 0. None when Moodle has no
    even share for that many right answers (11 to 19, or more than 20)."""
    right = quiz.right_count
    wrong = len(quiz.answers) - right
    if right == 1:
        return ["100" if answer.correct else "0" for answer in quiz.answers]
    share = next((p for p in MOODLE_PERCENTAGES if abs(p - 100 / right) < 1e-4), None)
    if share is None:
        return None
    penalty = min((p for p in MOODLE_PERCENTAGES if p >= 100 / wrong - 1e-4), default=100) if wrong else 0
    return [_percentage(share if answer.correct else -penalty) for answer in quiz.answers]


def weights_or_warning(quiz: Quiz, diagnostics: Diagnostics) -> list[str] | None:
    """answer_weights(), or a warning that the quiz is left out."""
    weights = answer_weights(quiz)
    if weights is None:
        diagnostics.warning(
            quiz.path,
            f"quiz '{quiz.name[:50]}' has {quiz.right_count} right answers: Moodle can't share the grade "
            "evenly between them; it is left out of the export",
            "keep at most 10 right answers (or exactly 20)",
            line=quiz.line,
            kind=KIND,
        )
    return weights


def _percentage(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def read_quizzes(loaded: LoadedCourse, diagnostics: Diagnostics) -> QuizBank:
    """Every exportable quiz of the course's Markdown pages, by module in reading order. A quiz
    that can't be exported (no answers, no right answer…) is a warning and is left out."""
    reader = QuizReader(loaded)
    modules: dict[str, QuizModule] = {}
    for page in loaded.course.pages:
        if page.kind is PageKind.NOTEBOOK or page.source is None or page.error:
            continue
        try:
            body, first_line = markdown_body(page)
        except (OSError, ValueError) as problem:
            diagnostics.warning(page.rel, f"cannot read its quizzes ({problem})", "build again", kind=KIND)
            continue
        if "quiz" not in body:
            continue
        module = module_of(page)
        bucket = modules.setdefault(module.url if module else "", QuizModule(module.title if module else ""))
        bucket.quizzes.extend(reader.read(page, body, first_line, diagnostics))
    return QuizBank(loaded.config.title, [module for module in modules.values() if module.quizzes])


_OPENER = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+quiz\b")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def quiz_lines(body: str, first_line: int) -> list[int]:
    """File lines of the `!!! quiz` openers of a body, in order, outside fenced code."""
    lines, fence = [], ""
    for number, line in enumerate(body.split("\n")):
        marker = _FENCE.match(line)
        if marker and (not fence or marker.group(1).startswith(fence)):
            fence = "" if fence else marker.group(1)[:3]
        elif not fence and _OPENER.match(line):
            lines.append(first_line + number)
    return lines


class _LatexKept(MathExtension):
    """The site's math syntax, with each formula written back as `\\( … \\)` or `\\[ … \\]` for the
    learning platform's MathJax filter (no engine runs)."""

    def finish(self, planned: list) -> list[str]:
        return [_latex_text(formula.latex.strip(), formula.display) for formula in planned]


def _latex_text(latex: str, display: bool) -> str:
    return html.escape(f"\\[{latex}\\]" if display else f"\\({latex}\\)", quote=False)


class _QuizCollector(Treeprocessor):
    """Runs after the inline patterns: keeps each quiz box of the document, in order."""

    def __init__(self, md, found: list):
        super().__init__(md)
        self.found = found

    def run(self, root):
        for element in root.iter():
            classes = (element.get("class") or "").split()
            if "quiz" in classes and (element.tag == "details" or "admonition" in classes):
                self.found.append(element)
        return None


_BLOCK_TAGS = {
    "p",
    "ul",
    "ol",
    "blockquote",
    "div",
    "pre",
    "table",
    "dl",
    "details",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
_BOX = re.compile(r"^\s*\[([ xX])\]\s+")


class QuizReader:
    """One Markdown converter for every page (making one costs ~10 ms)."""

    def __init__(self, loaded: LoadedCourse):
        self.loaded = loaded
        self.found: list = []
        self.md = markdown.Markdown(
            extensions=[
                "tables",
                "attr_list",
                "def_list",
                "admonition",
                "md_in_html",
                "sane_lists",
                "pymdownx.superfences",
                "pymdownx.details",
                _LatexKept(),
            ],
            output_format="html",
        )
        self.md.treeprocessors.register(_QuizCollector(self.md, self.found), "coursegen-quiz-collector", 1)
        self.image_names: dict[Path, str] = {}
        self.tokens = 0

    def read(self, page: Page, body: str, first_line: int, diagnostics: Diagnostics) -> list[Quiz]:
        self.found.clear()
        self.md.reset()
        self.md.convert(body)
        lines = quiz_lines(body, first_line)
        if len(lines) != len(self.found):  # a quiz inside raw HTML or a code block: no line to trust
            lines = [None] * len(self.found)
        quizzes = []
        for block, line in zip(list(self.found), lines):
            quiz = self._quiz(page, block, line, diagnostics)
            if quiz is not None:
                quizzes.append(quiz)
        return quizzes

    def _quiz(self, page: Page, block, line: int | None, diagnostics: Diagnostics) -> Quiz | None:
        title = next(
            (c for c in block if c.tag == "summary" or "admonition-title" in (c.get("class") or "")), None
        )
        options = next((c for c in block if c.tag == "ul" and _is_answer_list(c)), None)
        images = self._rewrite_links(page, block, diagnostics, line)
        before, after, seen_list = [], [], False
        for child in block:
            if child is title:
                continue
            if child is options:
                seen_list = True
            else:
                (after if seen_list else before).append(child)
        title_html = self._inner(title.text, list(title)) if title is not None else ""
        stem = self._inner(None, before)
        text = (
            (f"<p>{title_html}</p>\n" if title_html and title_html.lower() != "quiz" else "") + stem
        ).strip()
        fragment = _fragment(images, text)
        name = shorten(Fragment(title_html).plain if title_html else fragment.plain) or "Quiz"
        where = f"quiz '{shorten(name, 50)}'"

        def skip(problem: str, hint: str) -> None:
            diagnostics.warning(
                page.rel, f"{where} {problem}; it is left out of the export", hint, line=line, kind=KIND
            )

        if not fragment.plain and not fragment.images:
            skip("has no question", 'write the question as the title: !!! quiz "Que renvoie la softmax ?"')
            return None
        if options is None:
            skip("has no answers", "list them as - [x] right answer / - [ ] wrong answer")
            return None
        answers = tuple(self._answer(images, item) for item in options if item.tag == "li")
        if not any(answer.correct for answer in answers):
            skip("has no right answer", "tick the right answers: - [x] …")
            return None
        if len(answers) < 2:
            skip("has a single answer", "add at least one wrong answer: - [ ] …")
            return None
        explanation = _fragment(images, self._inner(None, after)) if after else None
        return Quiz(shorten(name, 250), fragment, answers, explanation, page.rel, line)

    def _answer(self, images: list[ImageRef], item) -> Answer:
        first = next(iter(item), None)
        if not (item.text or "").strip() and first is not None and first.tag == "p":  # loose item
            holder, feedback = first, [child for child in item if child is not first]
            inline = list(holder)
        else:  # tight item: text and inline markup, then nested blocks as feedback
            holder = item
            feedback = [child for child in item if child.tag in _BLOCK_TAGS]
            inline = [child for child in item if child.tag not in _BLOCK_TAGS]
        mark = _BOX.match(holder.text or "")
        correct = bool(mark) and mark.group(1) in "xX"
        text = (holder.text or "")[mark.end() if mark else 0 :]
        answer = _fragment(images, self._inner(text, inline))
        return Answer(answer, correct, _fragment(images, self._inner(None, feedback)) if feedback else None)

    def _inner(self, text: str | None, children: list) -> str:
        """HTML of `text` followed by `children`, with the converter's stashed markup restored."""
        wrapper = etree.Element("div")
        wrapper.text = text
        for child in children:
            wrapper.append(copy.deepcopy(child))
        markup = self.md.serializer(wrapper)
        for processor in self.md.postprocessors:
            markup = processor.run(markup)
        return markup.strip().removeprefix("<div>").removesuffix("</div>").strip()

    def _rewrite_links(self, page: Page, block, diagnostics: Diagnostics, line: int | None) -> list[ImageRef]:
        """Images of the course become tokens (see ImageRef); links to the course's pages lead to
        the published site, or become plain text when its address (base_url) is unknown."""
        images = []
        for element in block.iter():
            attribute = {"img": "src", "a": "href"}.get(element.tag)
            href = element.get(attribute) if attribute else None
            if not href or is_external(href) or href.startswith("#"):
                continue
            path, fragment = split_href(href)
            target = resolve_link(self.loaded.course, page, unquote(path))
            if element.tag == "img":
                if isinstance(target, SourceFile):
                    images.append(self._image(element, target))
                else:
                    diagnostics.warning(
                        page.rel,
                        f"image '{href}' of a quiz is not a file of the course, so it can't travel with "
                        "the question",
                        "fix its path (relative to this file)",
                        line=line,
                        kind=KIND,
                    )
                continue
            url = (
                target.url if isinstance(target, Page) else str(target.site_rel) if target is not None else ""
            )
            base = self.loaded.config.base_url
            if url and base:
                element.set(
                    "href", site_url(base, url) + (f"#{quote(fragment, safe='')}" if fragment else "")
                )
            else:
                element.tag, element.attrib = "span", {}
        return images

    def _image(self, element, target: SourceFile) -> ImageRef:
        self.tokens += 1
        token = f"coursegen-image-{self.tokens}"
        name = self.image_names.get(target.path)
        if name is None:
            name = target.path.name
            taken = set(self.image_names.values())
            number = 1
            while name in taken:
                number += 1
                name = f"{number}-{target.path.name}"
            self.image_names[target.path] = name
        element.set("src", token)
        return ImageRef(token, name, target.path, str(target.site_rel), element.get("alt") or "")


def _fragment(images: list[ImageRef], markup: str) -> Fragment:
    return Fragment(markup, tuple(image for image in images if f'src="{image.token}"' in markup))


def _is_answer_list(element) -> bool:
    items = [child for child in element if child.tag == "li"]
    return bool(items) and all(_BOX.match(_first_text(item)) for item in items)


def _first_text(item) -> str:
    if (item.text or "").strip():
        return item.text
    first = next(iter(item), None)
    return (first.text or "") if first is not None and first.tag == "p" else ""


def site_url(base_url: str, url: str) -> str:
    """An absolute address on the published site."""
    return base_url.rstrip("/") + "/" + quote(url, safe="/#")

"""Quizzes on paper: each quiz form (quiz.py) becomes a numbered question with empty boxes and a
pointer to its answer; the right answers, with their feedback, go to the "Corrigés" (Answers) at
the end of the section. The form's markup is quiz.py's, so its parts are found by their classes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from coursegen.htmlscan import element_end

_FORM_START = re.compile(r'<form class="quiz"[^>]*>')
_LEGEND = re.compile(r'<legend class="quiz-title">(.*?)</legend>', re.DOTALL)
_HINT = re.compile(r'<p class="quiz-hint">(.*?)</p>', re.DOTALL)
_OPTION_START = re.compile(r'<li class="quiz-option">')
_INPUT = re.compile(r"<input\b[^>]*>")
_FEEDBACK_START = re.compile(r'<div class="quiz-feedback"[^>]*>')


@dataclass
class QuizAnswer:
    number: int
    title: str  # HTML of the question's title
    right: list[str] = field(default_factory=list)  # HTML of each right answer
    feedback: list[str] = field(default_factory=list)  # HTML of what the right answers' feedback says


@dataclass
class QuizNumbers:
    """Numbers the quizzes of one print page, 1, 2, 3… in print order."""

    count: int = 0


def print_quizzes(
    body: str, numbers: QuizNumbers, strings: Mapping[str, str]
) -> tuple[str, list[QuizAnswer]]:
    """`body` with its quiz forms made printable, and their answers in order."""
    if '<form class="quiz"' not in body:  # most chapters: a substring search, not a regex scan
        return body, []
    pieces: list[str] = []
    answers: list[QuizAnswer] = []
    last = 0
    for start in _FORM_START.finditer(body):
        if start.start() < last:
            continue
        end = element_end(body, start.end(), "form")
        numbers.count += 1
        printable, answer = _printable(body[start.end() : end - len("</form>")], numbers.count, strings)
        pieces += [body[last : start.start()], printable]
        answers.append(answer)
        last = end
    pieces.append(body[last:])
    return "".join(pieces), answers


def _printable(form: str, number: int, strings: Mapping[str, str]) -> tuple[str, QuizAnswer]:
    legend = _LEGEND.search(form)
    hint = _HINT.search(form)
    title = legend.group(1) if legend else ""
    question = form[legend.end() : hint.start()] if legend and hint else ""
    answer = QuizAnswer(number, title)
    options = []
    for start in _OPTION_START.finditer(form):
        item = form[start.end() : element_end(form, start.end(), "li") - len("</li>")]
        text, right, feedback = _option(item)
        options.append(f'<li><span class="print-box" aria-hidden="true">☐</span> {text}</li>')
        if right:
            answer.right.append(text)
            if feedback:
                answer.feedback.append(feedback)
    label = strings["print_quiz_number"].replace("{n}", str(number))
    see = strings["print_see_answer"].replace("{n}", str(number))
    printable = (
        f'<section class="print-quiz" id="print-quiz-{number}">\n'
        f'<p class="print-quiz-title"><span class="print-quiz-number">{label}</span> {title}</p>\n'
        f"{question.strip()}\n"
        + (f'<p class="quiz-hint">{hint.group(1)}</p>\n' if hint else "")
        + f'<ul class="print-quiz-options" role="list">\n{chr(10).join(options)}\n</ul>\n'
        f'<p class="print-quiz-link"><a href="#print-answer-{number}">→ {see}</a></p>\n</section>'
    )
    return printable, answer


def _option(item: str) -> tuple[str, bool, str]:
    """(the answer's HTML, is it right?, its feedback's HTML) from a quiz option's `<li>` content."""
    found = _INPUT.search(item)
    right = bool(found) and 'data-correct="true"' in found.group(0)
    span_start = item.find("<span>", found.end() if found else 0)
    span_end = item.rfind("</span></label>")
    text = item[span_start + len("<span>") : span_end] if 0 <= span_start < span_end else ""
    feedback = ""
    box = _FEEDBACK_START.search(item)
    if box:
        feedback = item[box.end() : element_end(item, box.end(), "div") - len("</div>")].strip()
    return text, right, feedback


def answers_html(answers: list[QuizAnswer], strings: Mapping[str, str]) -> str:
    """The answers of a section's quizzes, each pointing back to its question."""
    items = []
    for answer in answers:
        label = strings["print_quiz_number"].replace("{n}", str(answer.number))
        which = strings["print_right_answers" if len(answer.right) > 1 else "print_right_answer"]
        right = "</li><li>".join(answer.right)
        feedback = "\n".join(f'<div class="print-answer-feedback">{text}</div>' for text in answer.feedback)
        items.append(
            f'<li class="print-answer" id="print-answer-{answer.number}">\n'
            f'<p class="print-answer-title"><a href="#print-quiz-{answer.number}">{label}</a> {answer.title}</p>\n'
            f'<p class="print-answer-label">{which}</p>\n<ul class="print-answer-right"><li>{right}</li></ul>\n'
            f"{feedback}\n</li>"
        )
    return '<ol class="print-answers" role="list">\n' + "\n".join(items) + "\n</ol>"

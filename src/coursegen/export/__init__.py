"""`coursegen export FORMAT`: the course for learning platforms, one module per format.

    moodle  Moodle XML question bank        (moodle.py)
    gift    the same questions in GIFT      (gift.py)
    scorm   a SCORM 1.2 package of the site (scorm.py, with static/scorm/*.js)

Every export reads the course as a build does (source.py), writes one file atomically, never
inside the sources (files.py), and reports what it could not carry as findings of kind "lms".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coursegen.errors import Diagnostics
from coursegen.export.files import DEFAULT_SUFFIXES, export_path, write_atomically

FORMATS = {
    "moodle": "Moodle XML question bank of the quizzes",
    "gift": "the quizzes in GIFT, Moodle's text format",
    "scorm": "SCORM 1.2 package (zip) of the whole site, reporting completion",
}


@dataclass
class ExportResult:
    path: Path
    diagnostics: Diagnostics
    questions: int = 0  # question banks: the quizzes exported
    lessons: int = 0  # packages: the lessons a learner completes


def export(root: Path, format_name: str, output: Path | None = None) -> ExportResult:
    """Write the course in `root` as `format_name` (a key of FORMATS) to `output` (default: the
    course folder's name and the format's suffix, in the course folder)."""
    from coursegen.export.source import load_course

    path = export_path(root, format_name, output)
    diagnostics = Diagnostics()
    loaded = load_course(root, diagnostics, skip=(path,))
    if format_name == "scorm":
        from coursegen.export.scorm import write_scorm

        lessons = write_scorm(loaded, path, diagnostics)
        return ExportResult(path, diagnostics, lessons=lessons)
    return _question_bank(loaded, format_name, path, diagnostics)


def _question_bank(loaded, format_name: str, path: Path, diagnostics: Diagnostics) -> ExportResult:
    from coursegen.export.quizzes import read_quizzes
    from coursegen.strings import interface_strings

    bank = read_quizzes(loaded, diagnostics)
    if format_name == "moodle":
        from coursegen.export.moodle import moodle_xml

        strings = interface_strings(loaded.config.language, loaded.config.strings, Diagnostics())
        text, count = moodle_xml(bank, strings, diagnostics)
    else:
        from coursegen.export.gift import gift

        text, count = gift(bank, loaded.config.base_url, diagnostics)
    write_atomically(path, text.encode("utf-8"))
    return ExportResult(path, diagnostics, questions=count)


__all__ = ["DEFAULT_SUFFIXES", "FORMATS", "ExportResult", "export"]

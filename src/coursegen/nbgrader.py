"""nbgrader's marks, in an edition without solutions (course.yml `solutions: instructor`, before
`solutions.release`): the notebook as nbgrader's "release" version gives it to students, so that
an assignment written for nbgrader is published as it is — on its page and in its download.

- In a code cell, the lines from one holding `BEGIN SOLUTION` to one holding `END SOLUTION`
  become `# YOUR CODE HERE` and `raise NotImplementedError()`, indented as the first of them; in
  a Markdown cell, `YOUR ANSWER HERE`. A cell nbgrader marks as a solution
  (`metadata.nbgrader.solution: true`) without such lines is replaced whole. Its outputs go too:
  they would show the answer.
- The lines from `BEGIN HIDDEN TESTS` to `END HIDDEN TESTS` are removed.

The stubs are nbgrader's own defaults, in English: autograding and learners' habits rely on them.
"""

from __future__ import annotations

from typing import Any

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = "YOUR ANSWER HERE"
# what a notebook's bytes hold when it has something for release_cells to do
SIGNS = (BEGIN_SOLUTION.encode(), BEGIN_HIDDEN.encode(), b'"nbgrader"')


def release_cells(cells: list[Any]) -> None:
    """Each cell (a dict, or nbformat's NotebookNode) as nbgrader's release version has it, in place."""
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown"):
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        released = _released(text, cell["cell_type"] == "code", _is_solution_cell(cell))
        if released != text:
            cell["source"] = released
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None


def _is_solution_cell(cell: dict) -> bool:
    metadata = cell.get("metadata")
    marks = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return isinstance(marks, dict) and marks.get("solution") is True


def _released(text: str, code: bool, solution_cell: bool) -> str:
    lines = text.split("\n")
    out: list[str] = []
    inside = ""  # "solution" or "hidden" while between marks
    marked = False
    for line in lines:
        if inside:
            if (END_SOLUTION if inside == "solution" else END_HIDDEN) in line:
                inside = ""
            continue
        if BEGIN_HIDDEN in line:
            inside = "hidden"
        elif BEGIN_SOLUTION in line:
            inside, marked = "solution", True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in (CODE_STUB if code else (ANSWER_STUB,)))
        else:
            out.append(line)
    if solution_cell and not marked:  # nbgrader replaces a solution cell without marks whole
        return "\n".join(CODE_STUB) if code else ANSWER_STUB
    return "\n".join(out)

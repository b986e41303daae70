"""What the execution stage did, told three ways: a line per notebook as it finishes, a closing
table (terminal), `site/_reports/execution.html` (the course's language and stylesheet) and the
JSON document of `--report-json` (for CI)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape as _escape
from typing import TYPE_CHECKING

from coursegen.strings import format_number

if TYPE_CHECKING:  # runs.py (thread pools, nbclient's plumbing) is imported by builds that execute
    from coursegen.runs import RunRecord

REPORT_URL = "_reports/execution.html"


def escape(text: str) -> str:
    return _escape(text, quote=False)  # text between tags only: apostrophes stay readable in the source


_STYLES = {"ran": "green", "cached": "dim", "failed": "bold red", "timed out": "bold red", "skipped": "dim"}


def counts(records: list[RunRecord]) -> dict[str, int]:
    from coursegen.runs import STATUSES

    return {status: sum(1 for record in records if record.status == status) for status in STATUSES}


def report_json(records: list[RunRecord]) -> str:
    document = {
        "notebooks": [
            {
                "notebook": r.rel,
                "status": r.status,
                "seconds": round(r.seconds, 3),
                "error": r.error,
                "hint": r.hint,
                "host": r.host,
            }
            for r in records
        ],
        "counts": counts(records),
        "seconds": round(sum(r.seconds for r in records), 3),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def report_html(records: list[RunRecord], strings: Mapping[str, str], language: str, title: str) -> str:
    def status(value: str) -> str:
        return strings["status_" + value.replace(" ", "_")]

    rows = "".join(
        f'<tr class="run-{r.status.replace(" ", "-")}"><td><code>{escape(r.rel)}</code></td><td>{escape(status(r.status))}</td>'
        f'<td class="number">{format_number(round(r.seconds, 1), language) if r.status in ("ran", "failed", "timed out") else ""}</td><td>{escape(r.error)}</td></tr>\n'
        for r in records
    )
    summary = strings["execution_summary"].format(
        **{k.replace(" ", "_"): v for k, v in counts(records).items()}
    )
    heading = strings["execution_report"]
    return f"""<!DOCTYPE html>
<html lang="{_escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(heading)} · {escape(title)}</title>
<link rel="stylesheet" href="../static/coursegen.css">
</head>
<body>
<main id="content" class="content">
<h1>{escape(heading)}</h1>
<p>{escape(summary)}</p>
<table>
<thead><tr><th scope="col">{escape(strings["execution_notebook"])}</th><th scope="col">{escape(strings["execution_status"])}</th><th scope="col">{escape(strings["execution_seconds"])}</th><th scope="col">{escape(strings["execution_error"])}</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</main>
</body>
</html>
"""


class RunProgress:
    """A line per notebook that ran (or failed), as it finishes: coloured on a terminal, plain in a
    log; on a terminal also a bar of the notebooks done (`bar`: Reporter.bar)."""

    def __init__(self, console, quiet: bool = False, bar=None):
        self.console = console
        self.quiet = quiet
        self.bar = bar

    def __call__(self, record: RunRecord | None, done: int, total: int) -> None:
        """`record` just finished (None: the runs are starting, `done` of them cached or skipped)."""
        if self.quiet:
            return
        if self.bar is not None:
            self.bar("notebooks", record.rel if record else "", done, total)
        if record is None:
            return
        where = f" on {record.host}" if record.host else ""
        line = f"[{done}/{total}] {record.status:<9} {record.rel} ({record.seconds:.1f} s{where})"
        self.console.print(line, style=_STYLES.get(record.status, ""), markup=False)


def print_table(console, records: list[RunRecord]) -> None:
    """The closing table: notebook, status, seconds, first error line."""
    if not records:
        return
    if getattr(console, "is_terminal", False):
        from rich.table import Table

        table = Table(title="Notebook execution", title_justify="left")
        for column in ("notebook", "status", "seconds", "first error"):
            table.add_column(column, justify="right" if column == "seconds" else "left", overflow="fold")
        for r in records:
            table.add_row(r.rel, r.status, _seconds(r), r.error, style=_STYLES.get(r.status, ""))
        console.print(table)
    else:
        width = max(len(r.rel) for r in records)
        console.print(f"{'notebook':<{width}}  {'status':<9}  {'seconds':>7}  first error")
        for r in records:
            console.print(f"{r.rel:<{width}}  {r.status:<9}  {_seconds(r):>7}  {r.error}".rstrip())
    summary = ", ".join(f"{number} {status}" for status, number in counts(records).items() if number)
    console.print(f"Notebooks: {summary}")


def _seconds(record: RunRecord) -> str:
    return f"{record.seconds:.1f}" if record.status in ("ran", "failed", "timed out") else ""

"""The command reference pages (docs/commands/*.md), made from the argument parser itself, so that
they say what `--help` says.

    python -m coursegen._docs [FOLDER]          write the pages (default: docs/commands)
    python -m coursegen._docs --check [FOLDER]  exit 1 if a page differs from what the parser gives
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coursegen.cli import make_parser

USAGE_WIDTH = 100  # usage lines are wrapped at a fixed width: the pages don't depend on the terminal
GENERATED = "<!-- Made from coursegen's argument parser by `python -m coursegen._docs`: change the help texts in src/coursegen/cli.py, then run it again. -->"


def command_pages(parser: argparse.ArgumentParser | None = None) -> dict[str, str]:
    """{file name: Markdown}: README.md for the whole command, then one page per subcommand."""
    parser = parser or make_parser()
    commands = _subcommands(parser)
    pages = {"README.md": _index_page(parser, commands)}
    for name, (subparser, _) in commands.items():
        pages[f"{name}.md"] = _command_page(subparser)
    return pages


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """{name: (parser, one-line help)} in the order they were added."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return {name: (sub, helps.get(name, "")) for name, sub in action.choices.items()}
    return {}


def _index_page(parser: argparse.ArgumentParser, commands: dict) -> str:
    lines = [
        f"# {parser.prog}",
        "",
        GENERATED,
        "",
        parser.description or "",
        "",
        "```text",
        _usage(parser),
        "```",
        "",
    ]
    lines += ["| command | what it does |", "| --- | --- |"]
    lines += [f"| [`{name}`]({name}.md) | {_cell(text)} |" for name, (_, text) in commands.items()]
    lines += ["", *_options_table(parser, positional=False)]
    if parser.epilog:
        lines.append(parser.epilog)
    return "\n".join(lines).rstrip("\n") + "\n"


def _command_page(parser: argparse.ArgumentParser) -> str:
    lines = [
        f"# {parser.prog}",
        "",
        GENERATED,
        "",
        parser.description or "",
        "",
        "```text",
        _usage(parser),
        "```",
        "",
    ]
    lines += _options_table(parser, positional=True)
    lines += _options_table(parser, positional=False)
    return "\n".join(lines).rstrip("\n") + "\n"


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = parser.formatter_class(prog=parser.prog, width=USAGE_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _options_table(parser: argparse.ArgumentParser, positional: bool) -> list[str]:
    actions = [
        a
        for a in parser._actions
        if bool(a.option_strings) != positional
        and not isinstance(a, argparse._SubParsersAction)
        and a.help != argparse.SUPPRESS
    ]
    if not actions:
        return []
    formatter = parser.formatter_class(prog=parser.prog, width=USAGE_WIDTH)
    exclusive = {
        id(action): group for group in parser._mutually_exclusive_groups for action in group._group_actions
    }
    header = "argument" if positional else "option"
    lines = [f"## {header.capitalize()}s", "", f"| {header} | meaning |", "| --- | --- |"]
    for action in actions:
        meaning = formatter._expand_help(action) if action.help else ""
        others = [
            other for other in getattr(exclusive.get(id(action)), "_group_actions", []) if other is not action
        ]
        if others:
            meaning += " (not with " + ", ".join(f"`{other.option_strings[0]}`" for other in others) + ")"
        lines.append(f"| {', '.join(f'`{form}`' for form in _forms(formatter, action))} | {_cell(meaning)} |")
    return lines + [""]


def _forms(formatter: argparse.HelpFormatter, action: argparse.Action) -> list[str]:
    """How the argument is written: `COURSE_DIR`, `-o OUT`, `--output OUT`, `--language {fr,en}`."""
    if not action.option_strings:
        return [formatter._metavar_formatter(action, action.dest)(1)[0]]
    if action.nargs == 0:
        return list(action.option_strings)
    value = formatter._format_args(action, action.dest.upper())
    return [f"{option} {value}" for option in action.option_strings]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def write_pages(folder: Path) -> list[Path]:
    """Write every page into `folder`, and remove pages of commands that no longer exist."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = command_pages()
    for stale in sorted(set(p.name for p in folder.glob("*.md")) - set(pages)):
        (folder / stale).unlink()
    written = []
    for name, text in pages.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def differences(folder: Path) -> list[str]:
    """The pages of `folder` that are missing, stale or extra."""
    pages = command_pages()
    found = {p.name for p in folder.glob("*.md")} if folder.is_dir() else set()
    problems = [f"{folder / name}: missing" for name in pages if name not in found]
    problems += [
        f"{folder / name}: differs from --help"
        for name in pages
        if name in found and (folder / name).read_text(encoding="utf-8") != pages[name]
    ]
    problems += [f"{folder / name}: no such command" for name in sorted(found - set(pages))]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursegen._docs",
        description="Write docs/commands/*.md from coursegen's argument parser.",
    )
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("docs/commands"),
        help="where the pages go (default: docs/commands)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a page differs from what the parser gives",
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = differences(args.folder)
        for problem in problems:
            print(f"{problem} — run python -m coursegen._docs", file=sys.stderr)
        return 1 if problems else 0
    for path in write_pages(args.folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

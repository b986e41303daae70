"""Reading a project's own YAML files (`_toc.yml`, `_config.yml`, `mkdocs.yml`) safely.

MkDocs configurations carry Python tags (`!!python/name:material.extensions.emoji.twemoji`) and
`!ENV`: they are read as text, never executed. Every mapping remembers its line, for messages."""

from __future__ import annotations

import os
from typing import Any

from coursegen.errors import Diagnostics
from coursegen.yamlio import YamlProblem, _parse

PYTHON_TAG = "tag:yaml.org,2002:python/"


class LinedDict(dict):
    """A YAML mapping that knows the file line it starts on."""

    line: int | None = None


def _loader_class():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class ProjectLoader(base):  # a class of its own: PyYAML's loaders keep their constructors per class
        pass

    def python_tag(loader, suffix, node):  # `!!python/name:x.y` → the text "!!python/name:x.y"
        return f"!!python/{suffix}"

    def environment(loader, node):  # MkDocs' `!ENV NAME` and `!ENV [NAME, OTHER, default]`
        names = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [node.value]
        *variables, default = names if len(names) > 1 else (*names, None)
        return next((os.environ[name] for name in variables if name in os.environ), default)

    def other_tag(loader, suffix, node):  # `!relative` and tags of other plugins: their plain value
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_mapping(node, deep=True)

    def mapping(loader, node):
        loader.flatten_mapping(node)
        lined = LinedDict(loader.construct_mapping(node, deep=True))
        lined.line = node.start_mark.line + 1
        return lined

    ProjectLoader.add_multi_constructor(PYTHON_TAG, python_tag)
    ProjectLoader.add_constructor("!ENV", environment)
    ProjectLoader.add_multi_constructor("!", other_tag)
    ProjectLoader.add_constructor("tag:yaml.org,2002:map", mapping)
    return ProjectLoader


def read_project_yaml(
    text: str, rel: str, diagnostics: Diagnostics
) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The file's top-level mapping and the line of each key (`a` and `a.b`); None, with an error
    finding, when it is not valid YAML (the project can't be read without it)."""
    import yaml

    try:
        return _parse(_loader_class(), text, 0)[:2]
    except YamlProblem as problem:
        diagnostics.error(
            rel, problem.message, problem.hint, line=problem.line, col=problem.col, kind="config"
        )
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        diagnostics.error(
            rel,
            f"invalid YAML: {error.problem or error.context or 'syntax error'}",
            "check the indentation and quote values with special characters",
            line=mark.line + 1 if mark else None,
            col=mark.column + 1 if mark else None,
            kind="config",
        )
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        diagnostics.error(rel, f"invalid YAML: {error}", "check the syntax", kind="config")
    return None

"""`coursegen new DIR`: a small working course to start from."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from coursegen.errors import UsageError
from coursegen.workflows import Install, install_line, publish_workflow, running_install

_GITIGNORE = """\
# coursegen output and cache: rebuilt from the sources
site/
site-instructor/
.coursegen-cache/
.*.coursegen-lock
.ipynb_checkpoints/
__pycache__/
"""
_GITLAB_OUTPUT = "public/\n"  # GitLab Pages publishes the folder public/, built by its CI job

_TEXTS = {
    "fr": {
        "course.yml": """\
title: Mon cours
description: Un cours construit avec coursegen.
language: fr
author: Votre nom
icon: 🎓
""",
        "content/index.md": """\
---
title: Mon cours
tagline: Apprendre pas à pas, à son rythme.
---

Bienvenue ! Chaque module ci-dessous regroupe des leçons et leurs notebooks.
Modifiez les fichiers de `content/` puis relancez `coursegen build`.
""",
        "content/01_premiers-pas/index.md": """\
---
title: Premiers pas
description: Découvrir la structure d'un cours coursegen.
icon: 🚀
tagline: Un module, des leçons, des notebooks.
---

Ce module contient [une première leçon](01_bienvenue.md).
""",
        "content/01_premiers-pas/01_bienvenue.md": """\
---
title: Bienvenue
description: Votre première leçon.
icon: 👋
level: 🌱 Débutant
summary: Écrire une leçon en Markdown avec un en-tête YAML.
topics: [En-tête YAML, Titres et listes, Liens entre leçons]
tags: [Démarrage]
duration: 10 min
---

## Écrire une leçon

Une leçon est un fichier Markdown. L'en-tête entre les lignes `---` donne son titre,
son niveau et le texte de sa carte sur la page du module.

## Aller plus loin

Revenez à [la page du module](index.md) ou ajoutez une deuxième leçon `02_suite.md`.
""",
    },
    "en": {
        "course.yml": """\
title: My course
description: A course built with coursegen.
language: en
author: Your name
icon: 🎓
""",
        "content/index.md": """\
---
title: My course
tagline: Learn step by step, at your own pace.
---

Welcome! Each module below groups lessons and their notebooks.
Edit the files in `content/`, then run `coursegen build` again.
""",
        "content/01_getting-started/index.md": """\
---
title: Getting started
description: Discover how a coursegen course is laid out.
icon: 🚀
tagline: One module, some lessons, their notebooks.
---

This module holds [a first lesson](01_welcome.md).
""",
        "content/01_getting-started/01_welcome.md": """\
---
title: Welcome
description: Your first lesson.
icon: 👋
level: 🌱 Beginner
summary: Write a lesson in Markdown with a YAML header.
topics: [YAML header, Headings and lists, Links between lessons]
tags: [Start]
duration: 10 min
---

## Writing a lesson

A lesson is a Markdown file. The header between the `---` lines gives its title, its level
and the text of its card on the module page.

## Going further

Go back to [the module page](index.md) or add a second lesson `02_next.md`.
""",
    },
}


@dataclass
class NewCourse:
    path: Path
    workflow: str  # the publishing workflow's path in the course
    warnings: list[str] = field(default_factory=list)


def create_course(
    directory: Path,
    language: str = "fr",
    host: str = "github",
    nightly: bool = True,
    install: Install | None = None,
) -> NewCourse:
    """Write the starter course into `directory`, which must not exist or be empty, with the
    workflow that publishes it on `host` (github or gitlab) using this very coursegen."""
    if directory.is_symlink() and not directory.exists():
        raise UsageError(
            f"{directory} is a symbolic link to {os.readlink(directory)}, which does not exist",
            "remove the link, or create the folder it points to, then run coursegen new again",
        )
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} is not empty", "coursegen new only writes into a new or empty folder")
    install = install or running_install()
    workflow, workflow_text = publish_workflow(host, install, nightly)
    files = dict(_TEXTS[language])
    files[".gitignore"] = _GITIGNORE + (_GITLAB_OUTPUT if host == "gitlab" else "")
    files[workflow] = workflow_text
    for rel, text in files.items():
        path = directory / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(
                f"cannot write {path} ({error.strerror})", "check the folder's permissions"
            ) from None
    created = NewCourse(directory, workflow)
    if install.local_origin:
        created.warnings.append(
            f"{workflow}:{install_line(workflow_text)}: warning: coursegen was installed from "
            f"{install.local_origin}, which CI cannot reach: "
            f"this line installs the release {install.requirement} — change it if that version is not "
            "published "
            '(e.g. to "coursegen @ git+https://…@COMMIT")'
        )
    return created

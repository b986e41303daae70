"""Courses written for another tool, read in place: Jupyter Book 1 (`_toc.yml` + `_config.yml`) and
MkDocs (`mkdocs.yml`) projects. Each reader turns the project's own table of contents and settings
into what coursegen's pipeline takes from `course.yml` + `content/`: the settings, the sources (with
the URLs the old tool gave them) and the course graph (see stages.py)."""

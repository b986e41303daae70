"""The publishing workflow `coursegen new` writes: GitHub Pages (GitHub Actions) or GitLab Pages.

Both install exactly the coursegen that made the course: the release `coursegen==VERSION`, or the
repository and commit it was installed from (PEP 610's direct_url.json), never an unpinned name that
could one day install something else. Both keep `.coursegen-cache/` between runs: the cache is keyed
by content, so a fresh checkout with the cache restored rebuilds only what changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from coursegen import __version__

HOSTS = ("github", "gitlab")
WORKFLOW_PATHS = {"github": ".github/workflows/publish.yml", "gitlab": ".gitlab-ci.yml"}
# What a build reads: a change to any of them makes a new cache key (restored from the last one)
SOURCES = ("course.yml", "content/**", "notebooks/**", "templates/**", "static/**")


@dataclass(frozen=True)
class Install:
    """How a CI machine installs the coursegen that is running now."""

    requirement: str  # pip's argument: `coursegen==0.1.0`, or `coursegen @ git+https://…@<commit>`
    cache_tag: str  # names this coursegen in cache keys (a new coursegen starts a new cache)
    local_origin: str = ""  # where it was installed from when a CI machine cannot reach it (a folder, a file)

    @property
    def upgrade_hint(self) -> str:
        if self.requirement.startswith("coursegen=="):
            return "To upgrade: pipx upgrade coursegen (or uv tool upgrade coursegen), build the course, then write the new version here."
        return "To upgrade: write another commit (or coursegen==VERSION for a release) here, once the course builds with it."


def running_install(direct_url: str | None = None, installed_version: str | None = None) -> Install:
    """The Install of the running coursegen. `direct_url` is its dist-info's direct_url.json (PEP 610)
    and `installed_version` its metadata version; both are read from the installed distribution
    when not given (tests give them)."""
    if installed_version is None:
        direct_url, installed_version = _installed_metadata()
    release = Install(f"coursegen=={__version__}", __version__)
    if installed_version != __version__:  # imported from a source tree, not from what is installed
        return Install(release.requirement, release.cache_tag, "a source tree (not an installed package)")
    if not direct_url:
        return release  # from a package index: the release itself
    try:
        origin = json.loads(direct_url)
        url = str(origin["url"])
    except (ValueError, KeyError, TypeError):
        return release
    if url.startswith("file:"):
        return Install(
            release.requirement, release.cache_tag, f"{_local_kind(origin)} ({unquote(urlsplit(url).path)})"
        )
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        commit = str(vcs["commit_id"])
        location = f"{vcs.get('vcs', 'git')}+{_without_credentials(url)}@{commit}"
        subdirectory = origin.get("subdirectory")
        if subdirectory:
            location += f"#subdirectory={subdirectory}"
        return Install(f"coursegen @ {location}", f"{__version__}-{commit[:12]}")
    return Install(f"coursegen @ {_without_credentials(url)}", __version__)  # an archive on a web server


def _local_kind(origin: dict) -> str:
    if "vcs_info" in origin:
        return "a local repository"
    if "dir_info" in origin:
        editable = isinstance(origin["dir_info"], dict) and origin["dir_info"].get("editable")
        return "an editable checkout" if editable else "a local folder"
    return "a local file"


def _installed_metadata() -> tuple[str | None, str | None]:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("coursegen")
    except PackageNotFoundError:
        return None, ""
    return dist.read_text("direct_url.json"), dist.version


def _without_credentials(url: str) -> str:
    """A token in an https URL must not be written into a file that is pushed (`git@` of ssh stays)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return url


def publish_workflow(host: str, install: Install, nightly: bool = True) -> tuple[str, str]:
    """(path, text) of the workflow that builds and publishes the course on `host`."""
    if host == "gitlab":
        return WORKFLOW_PATHS[host], _gitlab_ci(install, nightly)
    return WORKFLOW_PATHS[host], _github_workflow(install, nightly)


def install_line(text: str) -> int:
    """The line number of the workflow's `pip install` of coursegen (named in warnings)."""
    return next(
        number for number, line in enumerate(text.splitlines(), 1) if 'pip install "coursegen' in line
    )


# every night (UTC): the site is rebuilt even without a push
GITHUB_SCHEDULE = (
    "  schedule:  # every night (UTC): rebuilt even without a push (solutions published on their date)\n"
    '    - cron: "17 3 * * *"\n'
)


def _github_workflow(install: Install, nightly: bool) -> str:
    schedule = GITHUB_SCHEDULE if nightly else ""
    hashed = ", ".join(f"'{pattern}'" for pattern in SOURCES)
    return f"""\
# Builds the course with coursegen and publishes site/ to GitHub Pages on every push to main.
# In the repository settings, choose Pages → Source: "GitHub Actions".
name: Publish the course
on:
  push:
    branches: [main]
  workflow_dispatch:
{schedule}permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # The coursegen that made this course, so that every build uses the same one.
      # {install.upgrade_hint}
      - name: Install coursegen
        run: python -m pip install "{install.requirement}"
      # Unchanged pages and notebooks come from the last build's cache (keyed by content: safe to reuse).
      - name: Restore the build cache
        uses: actions/cache@v4
        with:
          path: .coursegen-cache
          key: coursegen-{install.cache_tag}-${{{{ hashFiles({hashed}) }}}}
          restore-keys: |
            coursegen-{install.cache_tag}-
      - name: Check the course
        run: coursegen check --strict
      - name: Build the site
        run: coursegen build --strict
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def _gitlab_ci(install: Install, nightly: bool) -> str:
    schedule = (
        (
            "# Nightly rebuild: add a schedule in Build → Pipeline schedules (e.g. 17 3 * * *) for the "
            "default branch.\n"
        )
        if nightly
        else ""
    )
    image = (
        "python:3.12" if "git+" in install.requirement else "python:3.12-slim"
    )  # pip needs git for a git URL
    return f"""\
# Builds the course with coursegen and publishes it with GitLab Pages on every push to the default branch.
# The site is at the address shown in Deploy → Pages.
{schedule}pages:
  image: {image}
  # Unchanged pages and notebooks come from the last build's cache (keyed by content: safe to reuse).
  cache:
    key: coursegen-{install.cache_tag}
    paths:
      - .coursegen-cache/
  script:
    # The coursegen that made this course, so that every build uses the same one.
    # {install.upgrade_hint}
    - python -m pip install "{install.requirement}"
    - coursegen check --strict
    - coursegen build --strict -o public
  artifacts:
    paths:
      - public
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
"""

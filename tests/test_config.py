"""config.py: course.yml, typed and checked."""

from __future__ import annotations

import pytest
from conftest import formatted

from coursegen.config import NotebookSettings, load_config
from coursegen.errors import Diagnostics


def config_of(tmp_path, text: str | bytes | None, folder: str = "my-great_course"):
    root = tmp_path / folder
    root.mkdir()
    if text is not None:
        path = root / "course.yml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    diagnostics = Diagnostics()
    return load_config(root, diagnostics), formatted(diagnostics)


def test_no_course_yml_gives_defaults_and_a_title_from_the_folder(tmp_path):
    config, messages = config_of(tmp_path, None)
    assert messages == []
    assert (
        config.title,
        config.language,
        config.description,
        config.author,
        config.base_url,
        config.launch,
    ) == ("My great course", "en", "", "", "", None)
    assert config.notebooks.execute == "never"


def test_every_text_key(tmp_path):
    config, messages = config_of(
        tmp_path,
        "title: Transformers et attention\ndescription: Un cours\nlanguage: fr\nauthor: L'équipe\nicon: 🤖\nbase_url: https://example.org/cours/\n",
    )
    assert messages == []
    assert (
        config.title,
        config.description,
        config.language,
        config.author,
        config.icon,
        config.base_url,
    ) == (
        "Transformers et attention",
        "Un cours",
        "fr",
        "L'équipe",
        "🤖",
        "https://example.org/cours/",
    )


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "title:\n"])
def test_empty_values_fall_back_to_defaults(tmp_path, text):
    config, messages = config_of(tmp_path, text)
    assert messages == []
    assert config.title == "My great course"


@pytest.mark.parametrize(
    "text, messages",
    [
        (
            "title: T\ntitel: x\n",
            ["course.yml:2: warning[config]: unknown key 'titel' — did you mean 'title'?"],
        ),
        (
            "langage: fr\n",
            ["course.yml:1: warning[config]: unknown key 'langage' — did you mean 'language'?"],
        ),
        (
            "base-url: https://x.org\n",
            ["course.yml:1: warning[config]: unknown key 'base-url' — did you mean 'base_url'?"],
        ),
    ],
)
def test_unknown_keys_warn_with_did_you_mean(tmp_path, text, messages):
    assert config_of(tmp_path, text)[1] == messages


def test_unknown_key_without_a_near_miss_lists_the_known_keys(tmp_path):
    config, messages = config_of(tmp_path, "title: T\ncolour: red\n")
    assert len(messages) == 1
    prefix = "course.yml:2: warning[config]: unknown key 'colour' — known keys: "
    assert messages[0].startswith(prefix)
    known = messages[0].removeprefix(prefix).split(", ")
    assert known == sorted(known)
    assert {
        "title",
        "description",
        "language",
        "author",
        "icon",
        "base_url",
        "notebooks",
        "launch",
        "theme",
        "strings",
    } <= set(known)
    assert config.title == "T"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "language: no\n",
            "course.yml:1: error[config]: 'language' must be a text, but YAML reads 'no' as false — put it in quotes: language: \"no\"",
        ),
        (
            "title: yes\n",
            "course.yml:1: error[config]: 'title' must be a text, but YAML reads 'yes' as true — put it in quotes: title: \"yes\"",
        ),
        ("author: [a, b]\n", "course.yml:1: error[config]: 'author' must be a text — e.g. author: \"…\""),
        (
            "title: T\nbase_url: example.org/cours\n",
            "course.yml:2: error[config]: base_url 'example.org/cours' is not an absolute http(s) URL — e.g. base_url: https://example.org/cours/",
        ),
        (
            "base_url: javascript:alert(1)\n",
            "course.yml:1: error[config]: base_url 'javascript:alert(1)' is not an absolute http(s) URL — e.g. base_url: https://example.org/cours/",
        ),
        (
            "theme: [dark]\n",
            "course.yml:1: error[config]: 'theme' must be a mapping of `name: value` lines — e.g. theme: {name: value}",
        ),
        (
            "launch: owner/name\n",
            "course.yml:1: error[config]: 'launch' needs a repository — e.g. launch: {repository: owner/course, branch: main}",
        ),
        (
            "launch: {repository: justaname}\n",
            "course.yml:1: error[config]: launch.repository 'justaname' is not 'owner/name' — e.g. repository: jdupont/cours-nlp",
        ),
        (
            "notebooks: auto\n",
            "course.yml:1: error[config]: 'notebooks' must be a mapping — e.g. notebooks: {execute: auto, timeout: 120}",
        ),
        (
            "notebooks:\n  allow_errors: maybe\n",
            "course.yml:2: error[config]: notebooks.allow_errors must be true or false, not 'maybe' — write allow_errors: true or allow_errors: false",
        ),
        (
            "language: de\n",
            "course.yml:1: warning[config]: language 'de' has no interface strings; using English — use fr or en",
        ),
    ],
)
def test_wrong_values_are_reported_at_their_line(tmp_path, text, message):
    config, messages = config_of(tmp_path, text)
    assert messages == [message]
    assert config.base_url == ""
    assert config.launch is None


@pytest.mark.parametrize("value", ["sometimes", "yes", "1"])
def test_notebook_execute_must_be_never_auto_or_always(tmp_path, value):
    config, messages = config_of(tmp_path, f"notebooks:\n  execute: {value}\n")
    assert len(messages) == 1
    assert messages[0].startswith(
        "course.yml:2: error[config]: notebooks.execute must be never, auto or always, not "
    )
    assert config.notebooks.execute == "never"


@pytest.mark.parametrize("value", ["0", "-5", "soon", "true"])
def test_notebook_timeout_must_be_a_positive_number(tmp_path, value):
    config, messages = config_of(tmp_path, f"notebooks:\n  timeout: {value}\n")
    assert len(messages) == 1
    assert messages[0].startswith(
        "course.yml:2: error[config]: notebooks.timeout must be a positive number of seconds"
    )
    assert config.notebooks.timeout == 120


def test_notebook_settings(tmp_path):
    config, messages = config_of(
        tmp_path, "notebooks:\n  execute: auto\n  timeout: 30\n  allow_errors: true\n"
    )
    assert messages == []
    assert (config.notebooks.execute, config.notebooks.timeout, config.notebooks.allow_errors) == (
        "auto",
        30,
        True,
    )


def test_notebook_kernel_is_a_kernel_name_with_its_line(tmp_path):
    config, messages = config_of(
        tmp_path, "title: Cours NLP\nnotebooks:\n  execute: auto\n  kernel: cours-nlp_3.11\n"
    )
    assert messages == []
    assert (config.notebooks.kernel, config.notebooks.kernel_line) == ("cours-nlp_3.11", 4)
    assert config.notebooks == NotebookSettings(execute="auto", kernel="cours-nlp_3.11", kernel_line=99), (
        "the line is not a setting"
    )
    assert "kernel_line" not in repr(config.notebooks), "moving a line of course.yml re-renders no notebook"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "notebooks:\n  execute: always\n  kernel: Python 3 (ipykernel)\n",
            "course.yml:3: error[config]: notebooks.kernel must be the name of a Jupyter kernel, not 'Python 3 (ipykernel)' — e.g. kernel: python3 (`jupyter kernelspec list` shows the installed ones)",
        ),
        (
            "notebooks: {kernel: 3}\n",
            "course.yml:1: error[config]: notebooks.kernel must be the name of a Jupyter kernel, not 3 — e.g. kernel: python3 (`jupyter kernelspec list` shows the installed ones)",
        ),
        (
            "notebooks:\n  kernel:\n    name: python3\n",
            "course.yml:2: error[config]: notebooks.kernel must be the name of a Jupyter kernel, not {'name': 'python3'} — e.g. kernel: python3 (`jupyter kernelspec list` shows the installed ones)",
        ),
        (
            "notebooks:\n  kernal: python3\n",
            "course.yml:2: warning[config]: unknown key 'notebooks.kernal' — did you mean 'kernel'?",
        ),
    ],
)
def test_wrong_notebook_kernel_is_reported_at_its_line(tmp_path, text, message):
    config, messages = config_of(tmp_path, text)
    assert messages == [message]
    assert config.notebooks.kernel == ""


def test_notebook_execute_no_means_never(tmp_path):
    config, messages = config_of(tmp_path, "notebooks: {execute: no}\n")
    assert messages == []
    assert config.notebooks.execute == "never"


def test_unknown_notebook_key_warns(tmp_path):
    config, messages = config_of(tmp_path, "notebooks: {exectue: auto}\n")
    assert messages == [
        "course.yml:1: warning[config]: unknown key 'notebooks.exectue' — did you mean 'execute'?"
    ]
    assert config.notebooks.execute == "never"


@pytest.mark.parametrize(
    "text, repository, branch",
    [
        ("launch: {repository: jdupont/cours-nlp}\n", "jdupont/cours-nlp", "main"),
        (
            "launch:\n  repository: https://github.com/jdupont/cours-nlp/\n  branch: dev\n",
            "jdupont/cours-nlp",
            "dev",
        ),
    ],
)
def test_launch(tmp_path, text, repository, branch):
    config, messages = config_of(tmp_path, text)
    assert messages == []
    assert (config.launch.repository, config.launch.branch) == (repository, branch)


def test_theme_and_strings(tmp_path):
    config, messages = config_of(
        tmp_path, "theme:\n  accent: '#5b21b6'\n  wide: true\nstrings:\n  next: Suivant\n  lessons: 3\n"
    )
    assert messages == []
    assert config.theme == {"accent": "#5b21b6", "wide": True}
    assert config.strings == {"next": "Suivant", "lessons": "3"}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "title: [unclosed\n",
            "course.yml:2:1: error[config]: invalid YAML: expected ',' or ']', but got '<stream end>' — check the indentation and quote values with special characters",
        ),
        (
            "title: Cours: NLP\n",
            "course.yml:1:13: error[config]: invalid YAML: mapping values are not allowed here — a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\"",
        ),
        (
            "- title\n",
            "course.yml:1: error[config]: expected `key: value` lines, found a list — write one `key: value` per line",
        ),
    ],
)
def test_invalid_yaml(tmp_path, text, message):
    config, messages = config_of(tmp_path, text)
    assert messages == [message]
    assert config.title == "My great course"


def test_duplicate_key_warns(tmp_path):
    config, messages = config_of(tmp_path, "title: A\nauthor: me\ntitle: B\n")
    assert messages == [
        "course.yml:3: warning[config]: key 'title' is given twice (lines 1 and 3); the last one wins — delete one of them"
    ]
    assert config.title == "B"


def test_non_utf8_course_yml(tmp_path):
    config, messages = config_of(tmp_path, "title: Café\n".encode("latin-1"))
    assert messages == [
        "course.yml:1:11: error[encoding]: not valid UTF-8 (byte 0xe9) — save the file as UTF-8 in your editor (it was probably saved as Latin-1/Windows-1252)"
    ]
    assert config.title == "My great course"


def test_bom_and_crlf_course_yml(tmp_path):
    config, messages = config_of(tmp_path, "\ufefftitle: Café\r\nlanguage: fr\r\n".encode("utf-8"))
    assert messages == []
    assert (config.title, config.language) == ("Café", "fr")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ("keep", 10, 120, 20)),
        ("remote_assets: fetch\n", ("fetch", 10, 120, 20)),
        ("remote_assets: no\n", ("keep", 10, 120, 20)),  # YAML 1.1 reads `no` as false
        (
            "remote_assets: {mode: fetch, timeout: 1.5, total_timeout: 30, max_size_mb: 5}\n",
            ("fetch", 1.5, 30, 5),
        ),
        ("remote_assets:\n  timeout: 3\n", ("keep", 3, 120, 20)),
    ],
)
def test_remote_assets_settings(tmp_path, text, expected):
    config, messages = config_of(tmp_path, text)
    assert messages == []
    settings = config.remote_assets
    assert (settings.mode, settings.timeout, settings.total_timeout, settings.max_size_mb) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "title: T\nremote_assets: fecth\n",
            "course.yml:2: error[config]: remote_assets must be keep or fetch, not 'fecth' — did you mean 'fetch'?",
        ),
        (
            "remote_assets: yes\n",
            "course.yml:1: error[config]: remote_assets must be keep or fetch, not True — keep leaves them as written (the site then needs the network), fetch downloads them into the site",
        ),
        (
            "remote_assets: error\n",
            "course.yml:1: error[config]: remote_assets must be keep or fetch, not 'error' — to make them errors, keep the mode and set checks: {assets: error}",
        ),
        (
            "remote_assets:\n  mode: download\n",
            "course.yml:1: error[config]: remote_assets.mode must be keep or fetch, not 'download' — keep leaves them as written (the site then needs the network), fetch downloads them into the site",
        ),
        (
            "remote_assets: {mode: fetch, timeout: 0}\n",
            "course.yml:1: error[config]: remote_assets.timeout must be a positive number of seconds, not 0 — limits can't be switched off",
        ),
        (
            "remote_assets: {mode: fetch, max_size_mb: big}\n",
            "course.yml:1: error[config]: remote_assets.max_size_mb must be a positive number of megabytes, not 'big' — limits can't be switched off",
        ),
        (
            "remote_assets: {mode: fetch, total_timeout: false}\n",
            "course.yml:1: error[config]: remote_assets.total_timeout must be a positive number of seconds, not False — limits can't be switched off",
        ),
    ],
)
def test_wrong_remote_assets_values_are_errors_at_their_line(tmp_path, text, message):
    config, messages = config_of(tmp_path, text)
    assert messages == [message]
    assert config.remote_assets.mode in ("keep", "fetch")


def test_unknown_remote_assets_key_warns_with_did_you_mean(tmp_path):
    config, messages = config_of(tmp_path, "remote_assets:\n  mode: fetch\n  max_size: 5\n")
    assert messages == [
        "course.yml:1: warning[config]: unknown key 'remote_assets.max_size' — did you mean 'max_size_mb'?"
    ]
    assert config.remote_assets.mode == "fetch"


def test_a_misspelt_remote_assets_key_gets_did_you_mean(tmp_path):
    assert config_of(tmp_path, "remote_asset: fetch\n")[1] == [
        "course.yml:1: warning[config]: unknown key 'remote_asset' — did you mean 'remote_assets'?"
    ]

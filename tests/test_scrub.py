"""Paths of the author's computer never reach a published page: stored outputs of notebooks
rendered as they are (execution is tested in test_execute.py), with the ANSI colours of real
IPython tracebacks, macOS, Linux and Windows paths."""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import formatted, notebook_json, run_build

from coursegen.scrub import PathScrubber

ESC = "\x1b"

# An IPython 7 traceback as anaconda on a Mac stores it: every path inside colour codes
TRACEBACK = [
    f"{ESC}[0;31m---------------------------------------------------------------------------{ESC}[0m",
    f"{ESC}[0;31mFileNotFoundError{ESC}[0m                         Traceback (most recent call last)",
    f"{ESC}[0;32m<ipython-input-3-5f1e4d0c8a3b>{ESC}[0m in {ESC}[0;36m<module>{ESC}[0;34m{ESC}[0m\n{ESC}[0;32m----> 1{ESC}[0;31m {ESC}[0mdf{ESC}[0m {ESC}[0;34m={ESC}[0m {ESC}[0mpd{ESC}[0m{ESC}[0;34m.{ESC}[0m{ESC}[0mread_csv{ESC}[0m{ESC}[0;34m({ESC}[0m{ESC}[0;34m'donnees/ventes.csv'{ESC}[0m{ESC}[0;34m){ESC}[0m\n",
    f"{ESC}[0;32m/Users/jeanne/opt/anaconda3/lib/python3.9/site-packages/pandas/util/_decorators.py{ESC}[0m in {ESC}[0;36mwrapper{ESC}[0;34m(*args, **kwargs){ESC}[0m\n{ESC}[0;32m--> 311{ESC}[0;31m             {ESC}[0;32mreturn{ESC}[0m {ESC}[0mfunc{ESC}[0m\n",
    f"{ESC}[0;32m/Users/jeanne/opt/anaconda3/lib/python3.9/site-packages/pandas/io/common.py{ESC}[0m in {ESC}[0;36mget_handle{ESC}[0;34m(path_or_buf, mode){ESC}[0m\n",
    f"{ESC}[0;31mFileNotFoundError{ESC}[0m: [Errno 2] No such file or directory: '/Users/jeanne/cours-nlp/notebooks/module6/donnees/ventes.csv'",
]
WINDOWS_WARNING = "C:\\Users\\jeanne\\anaconda3\\lib\\site-packages\\seaborn\\_decorators.py:36: FutureWarning: Pass the following variable as a keyword arg: x.\n"
LINUX_WARNING = "/home/jeanne/.local/lib/python3.10/site-packages/sklearn/linear_model/_logistic.py:814: ConvergenceWarning: lbfgs failed to converge (status=1)\n"


@pytest.fixture
def scrubber(tmp_path) -> PathScrubber:
    return PathScrubber(tmp_path / "cours", {"/tmp/coursegen-run-k2x8/work": "notebooks/module6"})


@pytest.mark.parametrize(
    "text, shown",
    [
        (
            "/Users/jeanne/opt/anaconda3/lib/python3.9/site-packages/pandas/io/common.py:642",
            "~/opt/anaconda3/lib/python3.9/site-packages/pandas/io/common.py:642",
        ),
        ("File /home/jeanne/cours/tp.py, line 3", "File ~/cours/tp.py, line 3"),
        (
            WINDOWS_WARNING,
            "~\\anaconda3\\lib\\site-packages\\seaborn\\_decorators.py:36: FutureWarning: Pass the following variable as a keyword arg: x.\n",
        ),
        (
            "WindowsPath('C:\\\\Users\\\\jeanne\\\\Documents\\\\cours')",
            "WindowsPath('~\\\\Documents\\\\cours')",
        ),  # a repr doubles them
        ("C:/Users/jeanne/Desktop/tp/data.csv", "~/Desktop/tp/data.csv"),
        (
            "/tmp/coursegen-run-k2x8/work/donnees/ventes.csv",
            "notebooks/module6/donnees/ventes.csv",
        ),  # the copy a notebook ran in
        ("cwd: /tmp/coursegen-run-k2x8/work", "cwd: notebooks/module6"),
        (
            "/tmp/coursegen-run-k2x8/work2/x",
            "$TMPDIR/coursegen-run-k2x8/work2/x",
        ),  # not the copy: another folder of /tmp
        ("/private/var/folders/7x/k2l3m4n5/T/ipykernel_81893/2135.py", "$TMPDIR/ipykernel_81893/2135.py"),
        ("/var/folders/7x/k2l3m4n5/T/ipykernel_81893/2135.py", "$TMPDIR/ipykernel_81893/2135.py"),
        # left alone: not a home folder, or not a path at all
        (
            "/usr/lib/python3/dist-packages/numpy/core/_methods.py",
            "/usr/lib/python3/dist-packages/numpy/core/_methods.py",
        ),
        ("https://example.org/Users/jeanne/page", "https://example.org/Users/jeanne/page"),
        ("/srv/home/jeanne/x", "/srv/home/jeanne/x"),
        ("1/2 = 0.5", "1/2 = 0.5"),
        ("cd /Users/jeanne", "cd ~"),
    ],
)
def test_paths_are_shown_relative_to_the_course_or_home(scrubber, text, shown):
    assert scrubber.text(text) == shown


def test_the_course_folder_itself_is_relative(tmp_path):
    scrubber = PathScrubber(tmp_path / "cours")
    assert scrubber.text(f"{tmp_path}/cours/notebooks/A/data.csv") == "notebooks/A/data.csv"
    assert scrubber.text(f"Path('{tmp_path}/cours')") == "Path('.')"
    assert scrubber.text(f"{tmp_path}/cours2/x.csv") == f"{scrubber.text(str(tmp_path))}/cours2/x.csv", (
        "another folder whose name starts the same"
    )


def test_home_folder_of_this_computer(tmp_path):
    home = str(Path.home())
    assert PathScrubber(tmp_path / "cours").text(f"{home}/.cache/matplotlib") == "~/.cache/matplotlib"


def test_ansi_colour_codes_are_kept_and_paths_inside_them_scrubbed(scrubber):
    lines = [scrubber.text(line) for line in TRACEBACK]
    assert [_no_ansi(line) for line in lines] == [
        _no_ansi(TRACEBACK[0]),
        _no_ansi(TRACEBACK[1]),
        _no_ansi(TRACEBACK[2]),
        _no_ansi(TRACEBACK[3]).replace("/Users/jeanne/", "~/"),
        _no_ansi(TRACEBACK[4]).replace("/Users/jeanne/", "~/"),
        "FileNotFoundError: [Errno 2] No such file or directory: '~/cours-nlp/notebooks/module6/donnees/ventes.csv'",
    ]
    assert [re.findall(r"\x1b\[[0-9;]*m", line) for line in lines] == [
        re.findall(r"\x1b\[[0-9;]*m", line) for line in TRACEBACK
    ], "colours untouched"


def _no_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_stored_outputs_are_scrubbed_on_the_page_not_in_the_download(make_course):
    v4 = nbformat.v4
    outputs = [
        (
            "code",
            "import pandas as pd\nimport seaborn as sns",
            [nbformat.v4.new_output("stream", name="stderr", text=[WINDOWS_WARNING, LINUX_WARNING])],
        ),
        (
            "code",
            "df = pd.read_csv('donnees/ventes.csv')",
            [
                v4.new_output(
                    "error",
                    ename="FileNotFoundError",
                    evalue="[Errno 2] No such file or directory: '/Users/jeanne/cours-nlp/notebooks/module6/donnees/ventes.csv'",
                    traceback=TRACEBACK,
                )
            ],
        ),
        (
            "code",
            "from pathlib import Path\nPath.cwd()",
            [
                v4.new_output(
                    "execute_result",
                    data={"text/plain": "PosixPath('/Users/jeanne/cours-nlp/notebooks/module6')"},
                    execution_count=3,
                )
            ],
        ),
        (
            "code",
            "display(HTML(f'<code>{Path.cwd()}</code>'))",
            [
                v4.new_output(
                    "display_data",
                    data={
                        "text/plain": "<IPython.core.display.HTML object>",
                        "text/html": "<code>/Users/jeanne/cours-nlp/notebooks/module6</code>",
                    },
                )
            ],
        ),
    ]
    text = notebook_json(
        "# Ventes",
        *outputs,
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    root = make_course({"notebooks/module6/ventes.ipynb": text})
    result = run_build(root)
    assert formatted(result) == []
    page = html.unescape((root / "site/module6/notebooks/ventes.html").read_text(encoding="utf-8"))
    assert "jeanne" not in page
    for shown in (
        "~\\anaconda3\\lib\\site-packages\\seaborn\\_decorators.py:36: FutureWarning",
        "~/.local/lib/python3.10/site-packages/sklearn/linear_model/_logistic.py:814: ConvergenceWarning",
        "~/opt/anaconda3/lib/python3.9/site-packages/pandas/util/_decorators.py",
        "No such file or directory: '~/cours-nlp/notebooks/module6/donnees/ventes.csv'",
        "PosixPath('~/cours-nlp/notebooks/module6')",
        "<code>~/cours-nlp/notebooks/module6</code>",
    ):
        assert shown in page, shown
    assert (root / "site/module6/notebooks/ventes.ipynb").read_text(encoding="utf-8") == text, (
        "the download is the author's file, unchanged"
    )


def test_temporary_folder_of_this_computer(tmp_path):
    temp = tempfile.gettempdir()
    assert (
        PathScrubber(tmp_path / "cours").text(f"File {temp}/ipykernel_4821/1234.py:3")
        == "File $TMPDIR/ipykernel_4821/1234.py:3"
    )

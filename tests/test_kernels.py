"""kernels.py without running a kernel: which kernel a notebook gets, the Python behind a
kernelspec, and what a missing module asks to install."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest

from coursegen.config import NotebookSettings
from coursegen.kernels import (
    KernelChoice,
    choose_kernel,
    kernel_interpreter,
    missing_module,
    missing_module_advice,
    pip_name,
)


def notebook(kernelspec: str | None = "python3", own=None):
    nb = nbformat.v4.new_notebook()
    if kernelspec is not None:
        nb.metadata["kernelspec"] = {"name": kernelspec, "display_name": kernelspec, "language": "python"}
    if own is not None:
        nb.metadata["coursegen"] = {"kernel": own}
    return nb


@pytest.mark.parametrize(
    "nb, settings, chosen",
    [
        (notebook("ir"), NotebookSettings(), KernelChoice("ir", "the notebook's kernelspec")),
        (notebook(None), NotebookSettings(), KernelChoice("python3", "the default kernel")),
        (
            notebook("python3"),
            NotebookSettings(kernel="cours-nlp", kernel_line=7),
            KernelChoice("cours-nlp", "notebooks.kernel in course.yml, line 7"),
        ),
        (
            notebook("python3", own="py311"),
            NotebookSettings(kernel="cours-nlp", kernel_line=7),
            KernelChoice("py311", "metadata.coursegen.kernel"),
        ),
    ],
)
def test_metadata_then_course_yml_then_kernelspec(nb, settings, chosen):
    assert choose_kernel(nb, settings) == (chosen, "")


def test_a_wrong_metadata_kernel_is_ignored_with_a_reason():
    choice, problem = choose_kernel(notebook("python3", own="Python 3 (ipykernel)"), NotebookSettings())
    assert choice == KernelChoice("python3", "the notebook's kernelspec")
    assert (
        problem
        == "metadata.coursegen.kernel must be the name of a Jupyter kernel, not 'Python 3 (ipykernel)'; it is ignored"
    )


@pytest.mark.parametrize(
    "ename, evalue, module",
    [
        ("ModuleNotFoundError", "No module named 'pandas'", "pandas"),
        ("ImportError", "No module named 'cv2'", "cv2"),  # Python 2 style, still raised by some packages
        (
            "ModuleNotFoundError",
            "No module named 'sklearn.externals.joblib'",
            "",
        ),  # sklearn is there: an old API
        ("ImportError", "cannot import name 'soft_unicode' from 'markupsafe'", ""),  # a version problem
        ("ImportError", "libGL.so.1: cannot open shared object file: No such file or directory", ""),
        ("ValueError", "No module named 'x'", ""),
    ],
)
def test_missing_module_is_a_top_level_module_not_found(ename, evalue, module):
    assert missing_module(ename, evalue) == module


@pytest.mark.parametrize(
    "module, package",
    [
        ("sklearn", "scikit-learn"),
        ("cv2", "opencv-python"),
        ("PIL", "pillow"),
        ("yaml", "pyyaml"),
        ("bs4", "beautifulsoup4"),
        ("pandas", "pandas"),
    ],
)
def test_pip_names_of_well_known_modules(module, package):
    assert pip_name(module) == package


@pytest.fixture
def kernels(tmp_path, monkeypatch):
    """kernel(name, argv, language) installs a kernelspec visible to this test only."""

    def install(name: str, argv: list[str], language: str = "python") -> None:
        folder = tmp_path / "jupyter" / "kernels" / name
        folder.mkdir(parents=True)
        (folder / "kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": name, "language": language}), encoding="utf-8"
        )

    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return install


def test_the_python_of_a_kernel_comes_from_its_argv(kernels, tmp_path):
    kernels("bare", ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    kernels(
        "venv",
        [str(tmp_path / "venv cours/bin/python3.11"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
    )
    kernels(
        "conda",
        ["conda", "run", "-n", "nlp", "python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
    )
    kernels("ir", ["R", "--slave", "-e", "IRkernel::main()", "--args", "{connection_file}"], language="R")
    assert kernel_interpreter("bare") == sys.executable, (
        "jupyter_client runs a bare `python` as its own Python"
    )
    assert kernel_interpreter("venv") == str(tmp_path / "venv cours/bin/python3.11")
    assert (
        kernel_interpreter("conda") == ""
        and kernel_interpreter("ir") == ""
        and kernel_interpreter("absent") == ""
    )

    python = str(tmp_path / "venv cours/bin/python3.11")
    assert missing_module_advice("cv2", KernelChoice("venv", "the notebook's kernelspec")) == (
        f"needs the module 'cv2', which the kernel 'venv' ({python}) does not have",
        f"install 'opencv-python' for that kernel: \"{python}\" -m pip install opencv-python",
    )
    assert missing_module_advice("cv2", KernelChoice("conda", "the notebook's kernelspec")) == (
        "needs the module 'cv2', which the kernel 'conda' does not have",
        "install 'opencv-python' for that kernel: pip install opencv-python in the kernel's environment",
    )

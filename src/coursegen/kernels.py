"""Which Jupyter kernel runs a notebook, which Python it runs on, and what to install when a cell
needs a module that kernel lacks. jupyter_client is imported only when a notebook is run."""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass

from coursegen.config import KERNEL_NAME, NotebookSettings

DEFAULT_KERNEL = "python3"

# import name → the name to give pip, where they differ (the well-known ones of data science courses)
PIP_NAMES = {
    "attr": "attrs",
    "bs4": "beautifulsoup4",
    "Bio": "biopython",
    "cv2": "opencv-python",
    "dateutil": "python-dateutil",
    "docx": "python-docx",
    "dotenv": "python-dotenv",
    "faiss": "faiss-cpu",
    "fitz": "pymupdf",
    "Levenshtein": "levenshtein",
    "mpl_toolkits": "matplotlib",
    "PIL": "pillow",
    "pptx": "python-pptx",
    "sentence_transformers": "sentence-transformers",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "umap": "umap-learn",
    "yaml": "pyyaml",
    "zmq": "pyzmq",
}

_NO_MODULE = re.compile(r"No module named '([^']+)'")
_PYTHON = re.compile(r"python[0-9.]*(?:\.exe)?", re.IGNORECASE)


@dataclass(frozen=True)
class KernelChoice:
    name: str
    origin: str  # where the name comes from, for messages


def choose_kernel(notebook, settings: NotebookSettings) -> tuple[KernelChoice, str]:
    """The kernel to run `notebook` with — its metadata.coursegen.kernel, else course.yml's
    notebooks.kernel, else its kernelspec, else python3 — and a problem with its metadata ("" if none)."""
    own = notebook.metadata.get("coursegen")
    value = own.get("kernel") if isinstance(own, dict) else None
    problem = ""
    if value is not None:
        if isinstance(value, str) and KERNEL_NAME.fullmatch(value):
            return KernelChoice(value, "metadata.coursegen.kernel"), ""
        problem = (
            f"metadata.coursegen.kernel must be the name of a Jupyter kernel, not {value!r}; it is ignored"
        )
    if settings.kernel:
        line = f", line {settings.kernel_line}" if settings.kernel_line else ""
        return KernelChoice(settings.kernel, f"notebooks.kernel in course.yml{line}"), problem
    spec = notebook.metadata.get("kernelspec")
    name = spec.get("name") if isinstance(spec, dict) else None
    if isinstance(name, str) and name:
        return KernelChoice(name, "the notebook's kernelspec"), problem
    return KernelChoice(DEFAULT_KERNEL, "the default kernel"), problem


def installed_kernels() -> list[str]:
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        return sorted(KernelSpecManager().find_kernel_specs())
    except (OSError, ValueError):  # an unreadable kernels folder: nothing to offer
        return []


def kernel_interpreter(name: str) -> str:
    """The Python program a Python kernel runs on ("" for other languages, or when the kernel
    starts through a wrapper such as `conda run`). A bare `python` is coursegen's own Python, as
    jupyter_client runs it."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except Exception:  # NoSuchKernel, or a kernel.json that can't be read
        return ""
    if (spec.language or "").lower() != "python" or not spec.argv:
        return ""
    program = spec.argv[0]
    if not _PYTHON.fullmatch(os.path.basename(program)):
        return ""
    if program in {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}:
        return sys.executable
    return shutil.which(program) or program


def missing_module(ename: str, evalue: str) -> str:
    """The top-level module an import error says is missing ("" for any other error). `No module
    named 'a.b'` means that `a` was found: a version problem, not a missing install."""
    if ename not in ("ModuleNotFoundError", "ImportError"):
        return ""
    match = _NO_MODULE.search(evalue or "")
    return match.group(1) if match and "." not in match.group(1) else ""


def pip_name(module: str) -> str:
    return PIP_NAMES.get(module, module)


def missing_module_advice(module: str, kernel: KernelChoice) -> tuple[str, str]:
    """(what the cell lacks, what to run) for a module the kernel does not have."""
    package = pip_name(module)
    python = kernel_interpreter(kernel.name)
    where = f"the kernel '{kernel.name}' ({python})" if python else f"the kernel '{kernel.name}'"
    command = (
        f"{_quoted(python)} -m pip install {package}"
        if python
        else f"pip install {package} in the kernel's environment"
    )
    return (
        f"needs the module '{module}', which {where} does not have",
        f"install '{package}' for that kernel: {command}",
    )


def _quoted(path: str) -> str:
    return f'"{path}"' if " " in path else path

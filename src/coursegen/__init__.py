"""coursegen: turn a folder of Markdown lessons and Jupyter notebooks into a course website."""

__version__ = "0.1.0"

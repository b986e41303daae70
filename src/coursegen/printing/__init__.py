"""Print pages and PDFs (issue #14, part 2): `A/print.html` for every section and `print.html` for
the course, built from the rendered lesson bodies; `coursegen pdf` prints them with Chromium."""

"""Checks of the HTML pages that ``procure report`` and ``procure compare`` write."""

from __future__ import annotations

import re
from pathlib import Path


def check_page(folder: Path, stem: str) -> str:
    """The HTML page is self-contained and every chart the Markdown links to exists."""
    page = (folder / f"{stem}.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "<link" not in page and "<img" not in page
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # names, never fetched
    external = set(re.findall(r"https?://[^\"' )]+", page)) - namespaces
    assert not external, f"references outside the page: {external}"
    md = (folder / f"{stem}.md").read_text()
    for link in re.findall(r"\]\(([^)]+\.svg)\)", md):
        assert (folder / link).exists(), link
    assert page.count("<svg") == len(re.findall(r"\]\(([^)]+\.svg)\)", md))
    return page

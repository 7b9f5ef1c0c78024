"""A small document model rendered twice: Markdown (charts as linked SVG files) and one self-contained HTML page.

Reports and comparisons add headings, paragraphs, bullet lists, tables of already formatted text,
and charts (SVG text). :meth:`Document.files` gives every file to write: ``NAME.md``,
``NAME.html`` (charts inlined, CSS inlined, no scripts, nothing fetched) and ``NAME-<chart>.svg``
for the Markdown.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd

from optimizer.report.charts import inline
from optimizer.units import number, signed_usd, usd

__all__ = ["Document", "number", "signed_usd", "usd"]

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2328;
       max-width: 1080px; margin: 2rem auto; padding: 0 1.2rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 1px solid #d0d7de; padding-bottom: 0.25rem; } h3 { font-size: 1.05rem; margin-top: 1.4rem; }
p.lead { color: #57606a; margin-top: 0; }
.status { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 0.8rem; font-weight: 600; font-size: 0.85rem; }
.status.ok { background: #dafbe1; color: #116329; } .status.bad { background: #ffebe9; color: #a40e26; }
.status.warn { background: #fff8c5; color: #7d4e00; }
.note { background: #f6f8fa; border-left: 4px solid #8c959f; padding: 0.5rem 0.8rem; margin: 0.8rem 0; }
.note.bad { border-left-color: #cf222e; background: #fff5f5; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.86rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.55rem; }
th { background: #f6f8fa; text-align: left; } td.num { text-align: right; white-space: nowrap; }
tr:nth-child(even) td { background: #fbfcfd; }
caption { caption-side: top; text-align: left; color: #57606a; font-size: 0.82rem; padding-bottom: 0.2rem; }
figure { margin: 0.6rem 0 1.2rem; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #57606a; font-size: 0.85rem; }
.scroll { overflow-x: auto; }
footer { margin-top: 3rem; color: #57606a; font-size: 0.8rem; }
"""


@dataclass
class Document:
    """Blocks in order; each is rendered to Markdown and to HTML."""

    title: str
    blocks: list[tuple[str, object]] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(("heading", (level, text)))

    def paragraph(self, text: str, kind: str = "") -> None:
        """Plain text (``**bold**`` is kept in Markdown and rendered in HTML); ``kind``: "", "lead", "note", "bad"."""
        self.blocks.append(("paragraph", (kind, text)))

    def bullets(self, items: list[str]) -> None:
        self.blocks.append(("bullets", items))

    def status(self, text: str, kind: str) -> None:
        """A status badge; ``kind`` is "ok", "warn" or "bad"."""
        self.blocks.append(("status", (kind, text)))

    def table(self, df: pd.DataFrame, numeric: list[str] | None = None, caption: str = "") -> None:
        """A table of text cells (format numbers first); ``numeric`` columns are right-aligned."""
        if numeric is None:
            numeric = [c for c in df.columns if c != df.columns[0]]
        self.blocks.append(("table", (df.astype(str), list(numeric), caption)))

    def chart(self, name: str, svg: str, caption: str = "") -> None:
        self.charts[name] = svg
        self.blocks.append(("chart", (name, caption)))

    # --- rendering -------------------------------------------------------------------------

    def files(self, stem: str) -> dict[str, str]:
        """File name → text: ``stem.md``, ``stem.html`` and one ``stem-<chart>.svg`` per chart."""
        out = {f"{stem}.md": self.markdown(stem), f"{stem}.html": self.html()}
        out.update({f"{stem}-{name}.svg": svg for name, svg in self.charts.items()})
        return out

    def markdown(self, stem: str) -> str:
        parts = [f"# {self.title}"]
        for kind, value in self.blocks:
            if kind == "heading":
                level, text = value
                parts.append(f"{'#' * level} {text}")
            elif kind == "paragraph":
                style, text = value
                parts.append(f"> {text}" if style in ("note", "bad") else text)
            elif kind == "status":
                parts.append(f"**Status: {value[1]}**")
            elif kind == "bullets":
                parts.append("\n".join(f"- {item}" for item in value))
            elif kind == "table":
                df, _, caption = value
                parts.append(_md_table(df) + (f"\n\n*{caption}*" if caption else ""))
            elif kind == "chart":
                name, caption = value
                parts.append(f"![{caption or name}]({stem}-{name}.svg)")
        return "\n\n".join(parts) + "\n"

    def html(self) -> str:
        body = [f"<h1>{_inline(self.title)}</h1>"]
        for kind, value in self.blocks:
            if kind == "heading":
                level, text = value
                body.append(f"<h{level}>{_inline(text)}</h{level}>")
            elif kind == "paragraph":
                style, text = value
                cls = {"lead": ' class="lead"', "note": ' class="note"', "bad": ' class="note bad"'}.get(style, "")
                body.append(f"<p{cls}>{_inline(text)}</p>")
            elif kind == "status":
                body.append(f'<p><span class="status {value[0]}">{html.escape(value[1])}</span></p>')
            elif kind == "bullets":
                body.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in value) + "</ul>")
            elif kind == "table":
                body.append(_html_table(*value))
            elif kind == "chart":
                name, caption = value
                cap = f"<figcaption>{_inline(caption)}</figcaption>" if caption else ""
                body.append(f'<figure id="chart-{name}">{inline(self.charts[name])}{cap}</figure>')
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{html.escape(self.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
                + "\n".join(body) + "\n<footer>Made by procure from the files in this folder.</footer>\n"
                "</body>\n</html>\n")


def _inline(text: str) -> str:
    """HTML-escaped text with Markdown's ``**bold**`` and backquoted code spans rendered."""
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)


def _md_table(df: pd.DataFrame) -> str:
    def cell(v: str) -> str:
        return v.replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(str(c)) for c in df.columns) + " |"
    rule = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(df.columns))) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _html_table(df: pd.DataFrame, numeric: list[str], caption: str) -> str:
    cols = list(df.columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    rows = []
    for row in df.itertuples(index=False):
        cells = "".join(f'<td class="num">{html.escape(v)}</td>' if c in numeric else f"<td>{_inline(v)}</td>"
                        for c, v in zip(cols, row, strict=True))
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{_inline(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'

"""Charts as SVG text, drawn with matplotlib's object API (no pyplot, no global backend, no display).

Every function takes plain arrays and labels, already in the units it shows, and returns an SVG
document. The output is deterministic (no date, ids salted with the chart's name), so reports
made twice from the same folder are identical, and several charts can share one HTML page.
Text stays text (``svg.fonttype = none``) so charts are small and searchable.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
"""Tableau 10: distinguishable, colour-blind aware; a name keeps its colour across charts."""

STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold", "axes.titlelocation": "left",
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "axes.grid.axis": "y",
    "grid.color": "#dddddd", "grid.linewidth": 0.6, "axes.axisbelow": True, "legend.frameon": False,
    "svg.fonttype": "none", "font.family": ["DejaVu Sans", "sans-serif"],
}


def short(value: float, _pos: int | None = None) -> str:
    """Axis numbers in short form: 950, 12,000, 1.5M, 2B."""
    a = abs(value)
    for divisor, suffix in ((1e9, "B"), (1e6, "M")):
        if a >= divisor:
            return f"{value / divisor:,.4g}{suffix}"
    return f"{value:,.0f}" if a >= 10 or value == int(value) else f"{value:.2g}"


def _y_short(ax) -> None:
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(short))


def colors(names: Sequence[str]) -> dict[str, str]:
    """A colour per name, in order (cycling after ten)."""
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}


def _figure(height: float = 3.2, width: float = 8.6) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def to_svg(fig: Figure, name: str) -> str:
    """The figure as an SVG document; ``name`` salts element ids so charts on one page never clash."""
    buf = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": f"procure-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "procure (matplotlib)"})
    return buf.getvalue()


def inline(svg: str) -> str:
    """An SVG document without its XML prolog and metadata block, for pasting into HTML."""
    body = svg[svg.index("<svg"):]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", body, count=1, flags=re.DOTALL)


def stacked_bars(name: str, title: str, x: Sequence[float], series: Mapping[str, Sequence[float]],
                 ylabel: str, palette: Mapping[str, str], *, width: float = 0.8, xlabel: str = "",
                 line: tuple[str, Sequence[float]] | None = None) -> str:
    """Bars stacked per x (e.g. calendar years, or periods with ``width = 1/m``); ``line`` overlays a step."""
    with mpl.rc_context(STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        xs = np.asarray(x, dtype=float)
        bottom = np.zeros(len(xs))
        for label, values in series.items():
            v = np.asarray(values, dtype=float)
            ax.bar(xs, v, width=width, bottom=bottom, label=label, color=palette.get(label), linewidth=0,
                   align="edge" if width < 0.8 else "center")
            bottom += v
        if line is not None:
            ax.step(np.append(xs, xs[-1] + width), np.append(line[1], line[1][-1]), where="post", color="#333333",
                    linestyle="--", linewidth=1.2, label=line[0])
        _years_axis(ax, xs, width)
        _y_short(ax)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        return to_svg(fig, name)


def small_multiples(name: str, title: str, panels: Mapping[str, Mapping[str, tuple[Sequence[float], Sequence[float]]]],
                    ylabel: str, styles: Mapping[str, dict], *, columns: int = 2) -> str:
    """One panel per key; each panel draws named step lines ``(x, y)`` styled by ``styles[line name]``.

    A style may hold ``fill=True`` to shade under the line.
    """
    n = max(len(panels), 1)
    rows = -(-n // columns)
    with mpl.rc_context(STYLE):
        fig = _figure(height=2.1 * rows + 0.6)
        axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False).ravel())
        handles: dict[str, object] = {}
        for ax, (panel, lines) in zip(axes, panels.items(), strict=False):
            for label, (x, y) in lines.items():
                style = dict(styles.get(label, {}))
                fill = style.pop("fill", False)
                xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
                (h,) = ax.step(xs, ys, where="post", label=label, **style)
                if fill:
                    ax.fill_between(xs, ys, step="post", alpha=0.25, color=h.get_color(), linewidth=0)
                handles.setdefault(label, h)
            ax.set_title(panel, fontsize=9)
            ax.set_ylabel(ylabel, fontsize=8)
            ax.set_ylim(bottom=0)
            _y_short(ax)
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
        fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=min(len(handles), 6),
                   fontsize=8)
        return to_svg(fig, name)


def lines(name: str, title: str, x: Sequence[float], series: Mapping[str, Sequence[float]], ylabel: str,
          palette: Mapping[str, str]) -> str:
    """One line with markers per series (e.g. one per plan in a comparison)."""
    with mpl.rc_context(STYLE):
        fig = _figure(height=3.0)
        ax = fig.add_subplot()
        for i, (label, values) in enumerate(series.items()):
            ax.plot(x, values, marker="os^Dvx"[i % 6], markersize=4, linewidth=1.6, label=label,
                    color=palette.get(label))
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        _y_short(ax)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        return to_svg(fig, name)


def grouped_bars(name: str, title: str, groups: Sequence[str], series: Mapping[str, Sequence[float]],
                 ylabel: str, palette: Mapping[str, str], *, horizontal: bool = False) -> str:
    """Bars side by side per group, one colour per series; negative values allowed."""
    with mpl.rc_context(STYLE):
        fig = _figure(height=max(2.6, 0.45 * len(groups) * (1 + 0.3 * len(series)) + 0.8) if horizontal else 3.0)
        ax = fig.add_subplot()
        pos = np.arange(len(groups), dtype=float)
        k = max(len(series), 1)
        width = 0.8 / k
        for i, (label, values) in enumerate(series.items()):
            offset = pos - 0.4 + width * (i + 0.5)
            if horizontal:
                ax.barh(offset, values, height=width, label=label, color=palette.get(label))
            else:
                ax.bar(offset, values, width=width, label=label, color=palette.get(label))
        if horizontal:
            ax.set_yticks(pos, groups)
            ax.invert_yaxis()
            ax.set_xlabel(ylabel)
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
            ax.grid(axis="y", visible=False)
            ax.axvline(0, color="#555555", linewidth=0.8)
        else:
            ax.set_xticks(pos, groups)
            _y_short(ax)
            ax.set_ylabel(ylabel)
            ax.axhline(0, color="#555555", linewidth=0.8)
        ax.set_title(title)
        if len(series) > 1:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        return to_svg(fig, name)


def paired_bars(name: str, title: str, panels: Mapping[str, tuple[Sequence[str], Sequence[float], Sequence[float]]],
                labels: tuple[str, str], palette: Mapping[str, str]) -> str:
    """Side-by-side panels of horizontal bar pairs (e.g. committed and achieved), one panel per unit.

    ``panels``: axis label → (row labels, first values, second values).
    """
    with mpl.rc_context(STYLE):
        rows = max((len(p[0]) for p in panels.values()), default=1)
        fig = _figure(height=0.55 * rows + 1.3)
        axes = np.atleast_1d(fig.subplots(1, max(len(panels), 1), squeeze=False).ravel())
        for ax, (unit, (groups, first, second)) in zip(axes, panels.items(), strict=False):
            pos = np.arange(len(groups), dtype=float)
            ax.barh(pos - 0.2, first, height=0.38, label=labels[0], color=palette.get(labels[0]))
            ax.barh(pos + 0.2, second, height=0.38, label=labels[1], color=palette.get(labels[1]))
            ax.set_yticks(pos, groups)
            ax.invert_yaxis()
            ax.set_xlabel(unit)
            ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(short))
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
            ax.grid(axis="y", visible=False)
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8)
        return to_svg(fig, name)


def _years_axis(ax, xs: np.ndarray, width: float) -> None:
    """Whole calendar years as ticks."""
    if len(xs) == 0:
        return
    years = np.arange(np.floor(xs.min()), np.floor(xs.max()) + 1)
    centre = 0.5 if width < 0.8 else 0.0
    ax.set_xticks(years + centre, [str(int(y)) for y in years])

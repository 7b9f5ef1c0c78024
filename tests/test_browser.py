"""The report pages in a real browser: headless Chromium loads them with no console errors and draws the charts.

Chromium is driven from the command line (``--dump-dom`` for the DOM after loading, ``--screenshot``
for pixels); ``--enable-logging=stderr`` prints every console message as a ``CONSOLE`` line.
Skipped when Chromium is not installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from support.instances import INFEASIBLE
from support.paths import INSTANCES
from support.solving import solved

from optimizer.report.charts import PALETTE
from optimizer.report.compare import compare
from optimizer.report.plan import write_report

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")]


def chromium(page: Path, profile: Path, *args: str) -> tuple[str, list[str]]:
    """Load ``page`` headless; return stdout and the console messages."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-first-run",
               "--hide-scrollbars", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
               page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_the_console_check_catches_errors(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>console.error('boom'); missing();</script></body></html>")
    _, console = chromium(page, tmp_path / "profile", "--dump-dom")
    assert any("boom" in line for line in console)
    assert any("missing is not defined" in line for line in console)


def test_report_renders_without_errors_with_its_charts(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    solved(folder, INSTANCES / "two_clouds.json")
    write_report(folder)
    dom, console = chromium(folder / "report.html", tmp_path / "profile", "--dump-dom")
    assert console == []
    # The decision first: the Sign-now table, with rows, before the key figures.
    sign_now = dom[dom.index("<h2>Sign now</h2>"):dom.index("<h2>Key figures</h2>")]
    assert "<th>price per chip-hour</th>" in sign_now and "<th>contract value</th>" in sign_now
    assert sign_now.count("<tbody><tr>") >= 1 and "<h3>Obligations</h3>" in sign_now
    charts = re.findall(r'<figure id="chart-([a-z-]+)"><svg', dom)
    assert charts == ["capacity", "spend", "chips", "demand", "power", "commitments"]
    assert dom.count("<svg") == len(charts)
    for svg in re.findall(r"<svg.*?</svg>", dom, flags=re.DOTALL):  # bars, lines, axes parsed into the DOM
        assert len(re.findall(r"<path ", svg)) >= 10
    # Pixels: the first provider's colour, used by the capacity and spend bars, is on screen.
    shot = tmp_path / "report.png"
    chromium(folder / "report.html", tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2600")
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3).astype(int)
    first = np.array([int(PALETTE[0][i:i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(pixels - first).sum(axis=1) < 12).mean() > 0.005


def test_infeasible_report_and_comparison_render_without_errors(tmp_path: Path) -> None:
    feasible = dict(INFEASIBLE, providers=[INFEASIBLE["providers"][0], {"id": "gcp", "power_mw": 10}])
    solved(tmp_path / "ok", feasible)
    solved(tmp_path / "short", INFEASIBLE)
    write_report(tmp_path / "short")
    dom, console = chromium(tmp_path / "short" / "report.html", tmp_path / "profile", "--dump-dom")
    assert console == []
    assert "No plan: the instance is infeasible." in dom and dom.count("<svg") == 1
    compare(tmp_path / "ok", tmp_path / "short").write(tmp_path / "cmp")
    dom, console = chromium(tmp_path / "cmp" / "compare.html", tmp_path / "profile", "--dump-dom")
    assert console == []
    assert "short has no plan" in dom

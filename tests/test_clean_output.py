"""What a user sees: no HiGHS banner anywhere, and piped output that is never cut.

highspy 1.16 prints a two-line banner on the process's stdout (file descriptor 1) when the first
``Highs()`` is created; procure creates every HiGHS instance through :func:`optimizer.silent.new_highs`.
The first test fakes a banner at the descriptor level, so it fails without that guard whatever
highspy version is installed; the others run real commands in fresh processes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support.paths import INSTANCES, ROOT

from optimizer.solve import silent

BANNER = b"Running HiGHS 9.9.9 (git hash: abc): Copyright (c) 2099 under MIT licence terms\n"


class _LoudHighs:
    """Stands in for highspy.Highs: prints a banner and other text at the file-descriptor level."""

    def __init__(self) -> None:
        os.write(1, BANNER)
        os.write(1, b"another thread's line\n")
        os.write(2, b"Includes third-party software components, see THIRD_PARTY_NOTICES.md for full details\n")
        self.options: dict[str, object] = {}

    def setOptionValue(self, name: str, value: object) -> None:  # noqa: N802 (highspy's name)
        self.options[name] = value


def test_new_highs_drops_the_banner_and_keeps_other_output(monkeypatch: pytest.MonkeyPatch,
                                                           capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(silent.highspy, "Highs", _LoudHighs)
    h = silent.new_highs()
    out, err = capfd.readouterr()
    assert out == "another thread's line\n"
    assert err == ""
    assert h.options == {"output_flag": False}


def test_a_real_highs_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    silent.new_highs()
    assert capfd.readouterr() == ("", "")


def _procure(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run([sys.executable, "-m", "cli", *args], check=False, cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def test_solve_prints_only_procures_lines() -> None:
    run = _procure("solve", str(INSTANCES / "tiny.json"))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("tiny: optimal   NPV $74.5M (74,460,000 USD)   providers used: aws   ")
    assert lines[1:] == [
        "Sign now: the contracts signed in 2026, the first year of the horizon; $61.3M in contract value "
        "(sign_now.csv)",
        " provider ┃ contracts ┃ chips ┃  MW ┃ contract value ",
        "━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━",
        " aws      │         1 │ 1,000 │ 2.0 │         $61.3M ",
        "Spend by provider, nominal $M",
        "     ┃ 2026 ┃ 2027 ",
        "━━━━━╇━━━━━━╇━━━━━━",
        " aws │   31 │   48 ",
        "Peak power held by provider, MW",
        "     ┃ 2026 ┃ 2027 ",
        "━━━━━╇━━━━━━╇━━━━━━",
        " aws │  2.0 │  3.0 ",
        "Chip mix, mean active chips",
        "       ┃  2026 ┃  2027 ",
        "━━━━━━━╇━━━━━━━╇━━━━━━━",
        " gb200 │ 1,000 │ 1,500 ",
        "Binding limits: none besides demand.",
    ]
    assert run.stderr == ""


def test_quiet_solve_prints_nothing() -> None:
    run = _procure("solve", str(INSTANCES / "tiny.json"), "-q")
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_the_python_api_prints_nothing() -> None:
    code = "import sys, optimizer; s = optimizer.solve(sys.argv[1]); optimizer.diagnose(optimizer.prepare(s.inputs))"
    run = subprocess.run([sys.executable, "-c", code, str(INSTANCES / "tiny.json")], check=False, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_piped_output_is_not_cut_at_80_columns() -> None:
    run = _procure("solve", str(INSTANCES / "2026.json"))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "MIP gap 0.00e+00   providers used: aws, azure, oracle, google" in lines[0]
    assert "Binding limits (MILP: dual values from the LP with integer decisions fixed at the optimum)" in lines
    assert max(map(len, lines)) > 80
    assert not any(line.rstrip().endswith("…") for line in lines if "more in binding.csv" not in line)

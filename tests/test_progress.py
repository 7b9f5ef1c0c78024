"""Progress on long runs (issue 5): stage messages, HiGHS's log lines, the live display, and the
Pyomo model freed before HiGHS runs."""

from __future__ import annotations

import gc
import io
import re
import weakref

import pytest
from rich.console import Console
from support.instances import shipped
from support.paths import INSTANCES

import optimizer
import optimizer.api
from optimizer.solve import pipeline
from optimizer.terminal.live import stage_display

STAGES = ["loading the instance", "preparing arrays", "building the model", "handing the model to HiGHS",
          "HiGHS: solving an LP", "reading the plan back"]


def test_progress_tells_each_stage_in_order_then_highs_log_lines(capfd):
    messages: list[str] = []
    solution = optimizer.solve(INSTANCES / "tiny.json", progress=messages.append)
    quiet = optimizer.solve(INSTANCES / "tiny.json")
    assert solution.objective_usd == quiet.objective_usd
    stages = [m for m in messages if not (m.startswith("HiGHS: ") and not m.startswith("HiGHS: solving"))]
    assert len(stages) == len(STAGES)
    assert all(m.startswith(s) for m, s in zip(stages, STAGES, strict=True))
    solving, reading = messages.index(stages[4]), messages.index(stages[5])
    log = messages[solving + 1:reading]
    assert log and all(m.startswith("HiGHS: ") for m in log)
    assert any("Optimal" in m for m in log)  # HiGHS's own summary line
    assert capfd.readouterr().out == ""  # followed, not printed


def test_progress_reports_the_diagnosis_of_an_infeasible_instance():
    data = shipped("tiny.json")
    for provider in data["providers"]:
        provider["power_mw"] = {str(data["horizon"]["start_year"]): 0.001}
    messages: list[str] = []
    solution = optimizer.solve(data, progress=messages.append)
    assert str(solution.status) == "infeasible"
    assert messages[-1] == "diagnosing the infeasibility"


def _screen(buffer: io.StringIO) -> list[str]:
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", buffer.getvalue())
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def test_live_display_ticks_off_each_stage_on_a_terminal():
    buffer = io.StringIO()
    with stage_display(Console(file=buffer, force_terminal=True, width=120)) as progress:
        assert progress is not None
        optimizer.solve(INSTANCES / "tiny.json", progress=progress)
    lines = _screen(buffer)
    for stage in STAGES[:-1]:
        assert any(line.startswith(f"✓ {stage}") for line in lines), stage


@pytest.mark.parametrize("terminal, enabled", [(False, True), (True, False)])
def test_no_live_display_off_a_terminal_or_when_disabled(terminal, enabled):
    buffer = io.StringIO()
    with stage_display(Console(file=buffer, force_terminal=terminal), enabled=enabled) as progress:
        assert progress is None
    assert buffer.getvalue() == ""


def test_the_pyomo_model_is_freed_while_highs_runs(monkeypatch):
    """The hand-off frees nothing itself: HiGHS starts, then the Pyomo model is freed in the main
    thread while HiGHS's own thread solves (``meanwhile``), and it is gone when the solve returns."""
    models: list[weakref.ref] = []
    seen: list[tuple[bool, bool]] = []  # (alive when HiGHS is called, alive when it returns)
    build, run = optimizer.api.build_model, pipeline.solve_compiled

    def build_and_watch(prep, **kwargs):
        built = build(prep, **kwargs)
        models.append(weakref.ref(built.model))
        return built

    def run_and_look(*args, **kwargs):
        assert kwargs["meanwhile"] is not None
        gc.collect()
        before = models[-1]() is not None
        raw = run(*args, **kwargs)
        seen.append((before, models[-1]() is not None))
        return raw

    monkeypatch.setattr(optimizer.api, "build_model", build_and_watch)
    monkeypatch.setattr(pipeline, "solve_compiled", run_and_look)
    solution = optimizer.solve(INSTANCES / "tiny.json")
    assert solution.has_plan
    assert seen == [(True, False)]

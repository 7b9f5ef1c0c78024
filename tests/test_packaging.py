"""Packaging: a base install without the optional extras, errors that name the extra, the lowest-versions pins."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from support.paths import INSTANCES, ROOT
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.sweep.run import MissingExtraError, require_extras

sweep_module = importlib.import_module("optimizer.sweep.run")  # the module: optimizer.sweep.run is also the function

OPTIONAL = {"dask", "distributed", "pyarrow"}
PARQUET_ERROR = "error: sweep --parquet needs pyarrow: pip install 'procure[parquet]'\n"
DASK_ERROR = "error: sweep --scheduler needs Dask: pip install 'procure[cluster]'\n"
ONE_RUN = ["--set", "budget.total_usd=1e12", "--workers", "1"]


def requirements(extra: str | None) -> set[str]:
    """Names procure's installed metadata requires: at base (``None``) or for one extra only."""
    out = set()
    for text in importlib.metadata.requires("procure") or []:
        req = Requirement(text)
        base = req.marker is None or req.marker.evaluate({"extra": ""})
        if (extra is None and base) or (extra is not None and not base and req.marker.evaluate({"extra": extra})):
            out.add(req.name.lower() + (f"[{','.join(sorted(req.extras))}]" if req.extras else ""))
    return out


# --- extras ------------------------------------------------------------------------------------

def test_base_install_holds_no_cluster_or_parquet_packages() -> None:
    base = requirements(None)
    assert {"pyomo", "highspy", "numpy", "scipy", "pandas", "typer", "rich", "pydantic", "matplotlib"} <= base
    assert not base & OPTIONAL
    assert not any(name.startswith(("pytest", "ruff", "hypothesis")) for name in base)


def test_cluster_and_parquet_extras_hold_them_and_test_installs_both() -> None:
    assert requirements("cluster") == {"dask", "distributed"}
    assert requirements("parquet") == {"pyarrow"}
    test = requirements("test")
    assert "procure[cluster,parquet]" in test and {"pytest", "ruff", "hypothesis"} <= test


def test_pyproject_declares_only_lower_bounds_at_base() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for text in project["dependencies"]:
        specs = list(Requirement(text).specifier)
        assert specs and all(s.operator == ">=" for s in specs), text


# --- missing extras: one line naming the extra, exit 2, nothing written ------------------------------

@pytest.fixture
def no_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now raises ImportError


@pytest.fixture
def no_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("dask", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)


def test_parquet_asked_for_without_pyarrow_exits_2_and_writes_nothing(runner: CliRunner, tmp_path: Path,
                                                                      no_pyarrow: None) -> None:
    out = tmp_path / "sweep"
    result = runner.invoke(cli.app, ["sweep", str(INSTANCES / "two_clouds.json"), *ONE_RUN, "--parquet",
                                     "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr == PARQUET_ERROR and result.stdout == ""
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == []


def test_scheduler_without_dask_exits_2_before_any_run(runner: CliRunner, tmp_path: Path, no_dask: None) -> None:
    out = tmp_path / "sweep"
    # Nothing listens there: were the check not made first, the sweep would fail connecting (exit 1).
    for command, args in (("sweep", ONE_RUN), ("pareto", ["--vary", "diversification.max_share=0.5,1"])):
        result = runner.invoke(cli.app, [command, str(INSTANCES / "two_clouds.json"), *args,
                                         "--scheduler", "tcp://127.0.0.1:9", "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert result.stderr == DASK_ERROR.replace("sweep", command) and result.stdout == ""
        assert not out.exists()


def test_the_api_raises_before_anything_runs(tmp_path: Path, no_pyarrow: None, no_dask: None) -> None:
    with pytest.raises(MissingExtraError, match=r"^sweep\(parquet=True\) needs pyarrow: pip install "
                       r"'procure\[parquet\]'$") as caught:
        optimizer.sweep(INSTANCES / "two_clouds.json", {"budget.total_usd": [1e12]}, parquet=True, out=tmp_path / "o")
    assert (caught.value.option, caught.value.package, caught.value.extra) == ("parquet", "pyarrow", "parquet")
    with pytest.raises(MissingExtraError, match=r"needs Dask: pip install 'procure\[cluster\]'$") as caught:
        optimizer.sweep(INSTANCES / "two_clouds.json", {"budget.total_usd": [1e12]}, scheduler="tcp://127.0.0.1:9")
    assert caught.value.option == "scheduler" and isinstance(caught.value, ImportError)
    assert not (tmp_path / "o").exists()
    assert require_extras() is False and require_extras(parquet=False) is False


def test_without_pyarrow_the_sweep_writes_csv_only_and_says_so(runner: CliRunner, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # pandas, already imported with pyarrow here, may call it for strings: hide it from the sweep's check only.
    monkeypatch.setattr(sweep_module, "_importable", lambda module: module != "pyarrow")
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep.parquet").write_text("an earlier sweep's table")  # must not be left beside the new CSV
    result = runner.invoke(cli.app, ["sweep", str(INSTANCES / "two_clouds.json"), *ONE_RUN, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote sweep.csv and runs/0–0 to" in result.stdout and "parquet" not in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["runs", "sweep.csv"]


def test_with_pyarrow_the_closing_line_names_the_parquet_table(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "sweep"
    result = runner.invoke(cli.app, ["sweep", str(INSTANCES / "two_clouds.json"), *ONE_RUN, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote sweep.csv, sweep.parquet and runs/0–0 to" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["runs", "sweep.csv", "sweep.parquet"]
    result = runner.invoke(cli.app, ["sweep", str(INSTANCES / "two_clouds.json"), *ONE_RUN, "--no-parquet",
                                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote sweep.csv and runs/0–0 to" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["runs", "sweep.csv"]


def test_a_base_install_solves_and_sweeps_without_the_extras(tmp_path: Path) -> None:
    """In a fresh interpreter where dask, distributed and pyarrow cannot be imported at all."""
    script = textwrap.dedent(f"""
        import sys
        for name in {sorted(OPTIONAL)!r}:
            sys.modules[name] = None
        import cli
        for args in (["solve", {str(INSTANCES / "tiny.json")!r}, "-q"],
                     ["sweep", {str(INSTANCES / "tiny.json")!r}, "--set", "discount_rate=0,0.05", "--workers", "1",
                      "--out", {str(tmp_path / "sweep")!r}]):
            try:
                cli.app(args)
            except SystemExit as e:
                assert e.code in (0, None), (args, e.code)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "wrote sweep.csv and runs/0–1 to" in done.stdout
    assert sorted(p.name for p in (tmp_path / "sweep").iterdir()) == ["runs", "sweep.csv"]


# --- .ci/lowest.py: the lowest declared versions, pinned --------------------------------------------

def lowest(*args: str) -> dict[str, str]:
    done = subprocess.run([sys.executable, str(ROOT / ".ci" / "lowest.py"), *args], capture_output=True, text=True,
                          check=True)
    lines = [line for line in done.stdout.splitlines() if line and not line.startswith("#")]
    pins = dict(line.split("==") for line in lines)
    assert len(pins) == len(lines), done.stdout  # each name once
    return pins


def declared_lower_bounds() -> dict[str, str]:
    """Every ``>=`` bound of the base and of the extras the tests install, read independently of lowest.py."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts, extras, seen = list(project["dependencies"]), ["test"], set()
    while extras:
        extra = extras.pop()
        seen.add(extra)
        for req in map(Requirement, project["optional-dependencies"][extra]):
            if req.name == "procure":
                extras += sorted(req.extras - seen)
            else:
                texts.append(str(req))
    return {canonicalize_name(Requirement(t).name): s.version
            for t in texts for s in Requirement(t).specifier if s.operator == ">="}


def test_lowest_pins_exactly_the_declared_lower_bounds() -> None:
    pins = lowest()
    assert pins == declared_lower_bounds()
    assert OPTIONAL | {"pyomo", "highspy", "pandas", "pytest", "hypothesis"} <= set(pins)
    assert "linopy" not in pins  # the bench extra is not installed by the tests


def test_lowest_follows_self_references_and_skips_what_has_no_lower_bound(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [project]
        name = "My_Tool"
        dependencies = ["Alpha.Pkg>=1.2,<3", "beta", "gamma[fast] >= 0.5 ; python_version >= '3.8'"]
        [project.optional-dependencies]
        one = ["my-tool[two]", "delta>=4"]
        two = ["epsilon>=2024.1", "alpha-pkg>=1.3"]
        other = ["zeta>=9"]
    """))
    pinned = lowest("--pyproject", str(tmp_path / "pyproject.toml"), "one")
    assert pinned == {"alpha-pkg": "1.3", "gamma": "0.5", "delta": "4", "epsilon": "2024.1"}
    with pytest.raises(subprocess.CalledProcessError):
        lowest("--pyproject", str(tmp_path / "pyproject.toml"), "missing")


def test_ci_runs_the_tests_on_the_lowest_versions_too() -> None:
    run = (ROOT / ".ci" / "run").read_text()
    assert ".ci/lowest.py" in run and ".venv-lowest" in run
    newest, lowest_leg = run.index("pip install --quiet -e '.[test]'\n"), run.index(".venv-lowest/bin/pip install")
    assert newest < lowest_leg and run.count("ruff check") == 1
    assert ".venv-lowest/" in (ROOT / ".gitignore").read_text().splitlines()

"""Calibrate and check the size estimate of optimizer/health.py against real models.

    .venv/bin/python benchmarks/memory.py [INSTANCE.json ...]

For each instance (default: the shipped ones and generated small/medium/large), a child process
solves it with ``optimizer.solve`` (HiGHS stopped after 60 s) and reports its peak resident
memory above what it held after its imports; the table shows the estimated and actual
variables, rows and non-zeros, the estimated bytes and the measured peak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys
import optimizer
from optimizer.solve.health import estimate_size

def resident(field):
    return next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith(field))

base = resident("VmRSS:")  # after imports
inst = optimizer.load_instance(sys.argv[1])
est = estimate_size(inst)
solution = optimizer.solve(inst, optimizer.SolveOptions(time_limit=60.0))
n = solution.numerics
print(json.dumps({"est_vars": est.variables, "est_rows": est.rows, "est_nz": est.nonzeros, "est_bytes": est.bytes,
                  "vars": n["columns"], "rows": n["rows"], "nz": n["nonzeros"],
                  "peak_bytes": resident("VmHWM:") - base}))
"""
"""One solve as users run it (``optimizer.solve``, HiGHS stopped after 60 s): the peak resident
memory (VmHWM, Linux) above what the process held after its imports."""


def measure(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        from optimizer.input.generate import generate

        tmp = Path(tempfile.mkdtemp())
        paths = sorted((ROOT / "instances").glob("*.json"))
        for size in ("small", "medium", "large"):
            p = tmp / f"generated-{size}.json"
            p.write_text(json.dumps(generate(size, seed=0)))
            paths.append(p)
    print(f"{'instance':<24}{'vars est/real':>22}{'rows est/real':>22}{'nz est/real':>24}"
          f"{'MiB est':>10}{'MiB peak':>10}")
    for p in paths:
        r = measure(p)
        print(f"{p.stem:<24}{r['est_vars']:>11,}/{r['vars']:<10,}{r['est_rows']:>11,}/{r['rows']:<10,}"
              f"{r['est_nz']:>12,}/{r['nz']:<11,}{r['est_bytes'] / 2**20:>10,.0f}{r['peak_bytes'] / 2**20:>10,.0f}")


if __name__ == "__main__":
    main()

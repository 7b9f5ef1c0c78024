"""Calibrate and check the size estimate of optimizer/health.py against real models.

    .venv/bin/python benchmarks/memory.py [INSTANCE.json ...]

For each instance (default: the shipped ones and generated small/medium/large), a child process
prepares, builds and solves it while this one records its peak resident memory; the table shows
the estimated and actual variables, rows and non-zeros, the estimated bytes and the measured peak.
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
import json, resource, sys
import optimizer
from optimizer.health import estimate_size
from optimizer.model import build_model
from optimizer.highs import compile_to_highs
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
inst = optimizer.load_instance(sys.argv[1])
est = estimate_size(inst)
built = build_model(optimizer.prepare(inst))
h, compiled = compile_to_highs(built)
lp = h.getLp()
h.setOptionValue("time_limit", 60.0)
h.run()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"est_vars": est.variables, "est_rows": est.rows, "est_nz": est.nonzeros, "est_bytes": est.bytes,
                  "vars": lp.num_col_, "rows": lp.num_row_, "nz": len(lp.a_matrix_.value_),
                  "peak_bytes": (peak - base) * 1024}))
"""


def measure(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        from optimizer.generate import generate

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

"""The game contract's measured limits: python benchmarks/contract.py

Each registered game at its declared max_provers: solve + analyse (2,000 simulated rounds), each
in its own process with a 120 s limit, so the declared limits are measured, not guessed; the peak
memory is the process's maximum resident set (target, issue 27: under 2 GB).
Writes benchmarks/contract.md.
"""
from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from provergame.games import registered
from provergame.results import markdown_table

SIZE = """
import sys, time, provergame as pg
from provergame.games import registered
g = registered()[sys.argv[1]].example(int(sys.argv[2]))
t = time.perf_counter(); eq = pg.solve(g); t1 = time.perf_counter()
res = pg.analyse(g, rounds=2000); t2 = time.perf_counter()
import resource
print(t1 - t, t2 - t1, eq.regret, res.cross_check.passed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    rows = []
    for kind, cls in registered().items():
        n = min(cls.traits.max_provers, 10_000)
        start = time.perf_counter()
        try:
            run = subprocess.run([sys.executable, "-c", SIZE, kind, str(n)], capture_output=True, text=True,
                                 timeout=120)
            solve, analyse, regret, agrees, peak = run.stdout.split()
            rows.append({"game": kind, "max_provers": cls.traits.max_provers, "measured at": n, "solve (s)": float(solve),
                         "analyse (s)": float(analyse), "peak memory (MB)": float(peak), "regret": float(regret),
                         "simulator agrees": agrees})
        except (subprocess.TimeoutExpired, ValueError):
            rows.append({"game": kind, "max_provers": cls.traits.max_provers, "measured at": n, "solve (s)": float("nan"),
                         "analyse (s)": float("nan"), "peak memory (MB)": float("nan"), "regret": float("nan"),
                         "simulator agrees": f"failed after {time.perf_counter() - start:.0f} s"})
        print(rows[-1], flush=True)
    text = "\n\n".join([
        f"# The game contract's measured limits\n\n{platform.machine()}, Python {platform.python_version()}; "
        f"`python benchmarks/contract.py`.",
        "## Each game at its declared max_provers (solve, then analyse with 2,000 simulated rounds)",
        "Above max_provers a game refuses at construction (InvalidParameter naming the limit).",
        markdown_table(pd.DataFrame(rows))])
    Path(__file__).with_name("contract.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()

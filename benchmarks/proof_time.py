"""Proving and auditing every theorem of the default scenario, cold: python benchmarks/proof_time.py

Each run is a fresh process with no proof cache (proofs.audit: satisfiable hypotheses, literal,
abstraction, circularity, mutations). "two processes" splits the games in two halves by proof family
(a family's games in one process, as the report schedules them) and runs both at once; its wall time
is the slower half's. Target (issue 26): under 10 s on 2 cores. Writes benchmarks/proof_time.md.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from provergame.results import markdown_table

PROVE = """
import sys, time
t0 = time.perf_counter()
from provergame.scenario import load_scenario, default_scenario_path
from provergame.proofs.table import prove_all
games = list(load_scenario(default_scenario_path()).games())
games.sort(key=lambda lg: lg[1].traits.proof_family or type(lg[1]).__name__)
part, parts = int(sys.argv[1]), int(sys.argv[2])
t = time.perf_counter(); total = counted = 0
for label, g in games[part * len(games) // parts:(part + 1) * len(games) // parts]:
    df = prove_all(g.theorems()); total += len(df); counted += int(df["counted"].sum())
print(total, counted, time.perf_counter() - t, time.perf_counter() - t0)
"""


def run(parts: int) -> dict[str, float]:
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", PROVE, str(k), str(parts)], stdout=subprocess.PIPE, text=True)
             for k in range(parts)]
    outs = [p.communicate(timeout=600)[0].split() for p in procs]
    wall = time.perf_counter() - start
    return {"processes": parts, "theorems": sum(int(o[0]) for o in outs),
            "proved, audits passed": sum(int(o[1]) for o in outs),
            "prove + audit (s, slowest process)": max(float(o[2]) for o in outs),
            "wall with start-up and imports (s)": wall}


def main() -> None:
    rows = pd.DataFrame([run(1), run(2)])
    text = "\n\n".join([
        f"# Proving and auditing every theorem of the default scenario, cold\n\n{platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; `python benchmarks/proof_time.py`. "
        "Target: under 10 s on 2 cores.", markdown_table(rows)])
    Path(__file__).with_name("proof_time.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()

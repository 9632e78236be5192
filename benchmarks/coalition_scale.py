"""Coalition search at scale: python benchmarks/coalition_scale.py

Each registered game at min(1,000, max_provers) provers: solve, then pg.coalition_regret for k = 2 at
the game's declared budget, in its own process with a 120 s limit. Reports the search's seconds, what
the gain is (exact or a labelled lower bound), the joint profiles evaluated and the process's peak
memory (solve included). Target (issue 25): under 60 s and 2 GB. Writes benchmarks/coalition_scale.md.
"""
from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pandas as pd

from provergame.games import registered
from provergame.results import markdown_table

RUN = """
import resource, sys, time, provergame as pg
from provergame import games
cls = games.registered()[sys.argv[1]]
g = cls.example(int(sys.argv[2]))
if g.n < 2:
    print(0, "nan", 0, 0, 0, "| not applicable: one player (no coalition)")
    raise SystemExit
eq = pg.solve(g)
solved = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
t = time.perf_counter()
r = pg.coalition_regret(g, eq.profile, size=2)
print(time.perf_counter() - t, r.gain, r.profiles, solved, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
      "|", r.search)
"""


def main() -> None:
    rows = []
    for kind, cls in registered().items():
        n = min(1000, cls.traits.max_provers)
        try:
            out = subprocess.run([sys.executable, "-c", RUN, kind, str(n)], capture_output=True, text=True, timeout=120)
            numbers, search = out.stdout.strip().split("|")
            seconds, gain, profiles, solved, peak = numbers.split()
            rows.append({"game": kind, "provers": n, "search (s)": round(float(seconds), 2), "gain": float(gain),
                         "search": search.strip(), "joint profiles": int(profiles),
                         "peak MB after solve": int(solved), "peak MB": int(peak)})
        except (subprocess.TimeoutExpired, ValueError):
            rows.append({"game": kind, "provers": n, "search (s)": float("nan"), "gain": float("nan"),
                         "search": "did not finish in 120 s (solve included)", "joint profiles": 0,
                         "peak MB after solve": 0, "peak MB": 0})
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    text = (f"# Coalition search at 1,000 provers (k = 2)\n\n{platform.processor() or platform.machine()}, "
            f"python {platform.python_version()}; each game in its own process.\n\n" + markdown_table(table) + "\n")
    Path(__file__).with_name("coalition_scale.md").write_text(text)


if __name__ == "__main__":
    main()

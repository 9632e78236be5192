"""All equilibria of bimatrix games: provergame's bimatrix beside QuantEcon's vertex enumeration and
nashpy's support enumeration, same process, same seeded games, as ratios in one run.

Integer games (payoffs 0..9, full of ties: degenerate) and float games (normal payoffs), 8x8 to
12x12, 3 games each; QuantEcon is warmed up (numba compilation) before timing. Counts are the
regret-verified equilibria each tool returns (regret <= 1e-9 of the payoff range).
Run: python benchmarks/bimatrix_solvers.py [--out benchmarks/bimatrix_solvers.md]
(QuantEcon and nashpy are in the [dev] extra.)
"""
from __future__ import annotations

import argparse
import platform
import time
import warnings
from pathlib import Path

import numpy as np

from provergame.solvers.nash import bimatrix, relative_regret


def verified(A, B, eqs) -> int:
    return sum(relative_regret(A, B, np.asarray(x, float), np.asarray(y, float)) <= 1e-9 for x, y in eqs)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None)
    parser.add_argument("--sizes", default="8,10,12")
    args = parser.parse_args()
    import nashpy
    from quantecon.game_theory import NormalFormGame, vertex_enumeration
    qe = lambda A, B: vertex_enumeration(NormalFormGame(np.stack([A, B], axis=-1)))   # noqa: E731
    qe(np.eye(3), np.eye(3))
    lines = [f"Same process, same games; {platform.machine()}, Python {platform.python_version()}. Times are the "
             f"mean over 3 seeded games; 'found' is regret-verified equilibria per game (mean).", "",
             "| payoffs | size | provergame (s) | found | QuantEcon vertex enumeration (s) | found | ratio to QuantEcon "
             "| nashpy support enumeration (s) | found |", "|---|---|---|---|---|---|---|---|---|"]
    for kind in ("integer", "float"):
        for m in (int(s) for s in args.sizes.split(",")):
            rows = []
            for seed in range(3):
                rng = np.random.default_rng(seed)
                A, B = ((rng.integers(0, 10, (m, m)).astype(float) for _ in range(2)) if kind == "integer"
                        else (rng.normal(size=(m, m)) for _ in range(2)))
                t_pg, ours = timed(lambda: bimatrix(A, B))
                t_qe, theirs = timed(lambda: qe(A, B))
                if m <= 8:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        t_np, nash = timed(lambda: list(nashpy.Game(A, B).support_enumeration()))
                    n_np = verified(A, B, nash)
                else:
                    t_np, n_np = float("nan"), float("nan")
                rows.append((t_pg, verified(A, B, ours), t_qe, verified(A, B, theirs), t_np, n_np))
            r = np.array(rows, dtype=float).mean(axis=0)
            lines.append(f"| {kind} | {m}x{m} | {r[0]:.3g} | {r[1]:.3g} | {r[2]:.3g} | {r[3]:.3g} | {r[0] / r[2]:.1f} | "
                         + ("skipped | " if np.isnan(r[4]) else f"{r[4]:.3g} | ") + ("|" if np.isnan(r[5]) else f"{r[5]:.3g} |"))
            print(lines[-1], flush=True)
    if args.out:
        Path(args.out).write_text("# Bimatrix equilibria: provergame, QuantEcon, nashpy\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""All equilibria of bimatrix games: provergame's bimatrix beside QuantEcon's vertex enumeration and
nashpy's support enumeration, same process, same seeded games, as ratios in one run.

Integer games (payoffs 0..9, full of ties: degenerate) and float games (normal payoffs), 8x8 to
15x15, 3 games each; both tools are warmed up (numba compilation, Qhull import) before timing. Counts
are the regret-verified equilibria each tool returns (regret <= 1e-9 of the payoff range); 'scaled'
says whether provergame returns the same set for the payoffs x1e-6 and x1e6.
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


def as_set(eqs) -> set:
    return {(tuple(np.round(x, 9)), tuple(np.round(y, 9))) for x, y in eqs}


def timed(fn, repeat: int = 1):
    """Fastest of `repeat` runs (wall seconds) and the result."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None)
    parser.add_argument("--sizes", default="8,10,12,15")
    args = parser.parse_args()
    import nashpy
    from quantecon.game_theory import NormalFormGame, vertex_enumeration
    qe = lambda A, B: vertex_enumeration(NormalFormGame(np.stack([A, B], axis=-1)))   # noqa: E731
    qe(np.eye(3), np.eye(3))
    bimatrix(np.eye(9), np.eye(9))          # both warmed up: numba compiled, Qhull imported
    lines = [f"Same process, same games; {platform.machine()}, Python {platform.python_version()}. Times are the "
             f"mean over 3 seeded games of the fastest of 5 runs (1 run at 15x15); 'found' is regret-verified equilibria per game (mean).", "",
             "| payoffs | size | provergame (s) | found | QuantEcon vertex enumeration (s) | found | ratio to QuantEcon "
             "| nashpy support enumeration (s) | found | scaled |", "|---|---|---|---|---|---|---|---|---|---|"]
    for kind in ("integer", "float"):
        for m in (int(s) for s in args.sizes.split(",")):
            rows = []
            for seed in range(3):
                rng = np.random.default_rng(seed)
                A, B = ((rng.integers(0, 10, (m, m)).astype(float) for _ in range(2)) if kind == "integer"
                        else (rng.normal(size=(m, m)) for _ in range(2)))
                repeat = 5 if m <= 12 else 1
                t_pg, ours = timed(lambda: bimatrix(A, B), repeat)
                t_qe, theirs = timed(lambda: qe(A, B), repeat)
                if m <= 8:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        t_np, nash = timed(lambda: list(nashpy.Game(A, B).support_enumeration()))
                    n_np = verified(A, B, nash)
                else:
                    t_np, n_np = float("nan"), float("nan")
                same = all(as_set(bimatrix(A * f, B * f)) == as_set(ours) for f in (1e-6, 1e6))
                rows.append((t_pg, verified(A, B, ours), t_qe, verified(A, B, theirs), t_np, n_np, same))
            r = np.array(rows, dtype=float).mean(axis=0)
            lines.append(f"| {kind} | {m}x{m} | {r[0]:.3g} | {r[1]:.3g} | {r[2]:.3g} | {r[3]:.3g} | {r[0] / r[2]:.1f} | "
                         + ("skipped | " if np.isnan(r[4]) else f"{r[4]:.3g} | ") + ("|" if np.isnan(r[5]) else f"{r[5]:.3g} |") + (" same |" if r[6] == 1 else " DIFFERENT |"))
            print(lines[-1], flush=True)
    if args.out:
        Path(args.out).write_text("# Bimatrix equilibria: provergame, QuantEcon, nashpy\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

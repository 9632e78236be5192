"""Side-by-side speed, as ratios in one run: python benchmarks/run.py [--quick]

1. The rollout simulator against a plain numpy floor (only the exponential draws and the winner).
2. provergame's bimatrix against nashpy's support_enumeration and vertex_enumeration.
3. The Tullock closed form against safeguarded iterated best response.
4. Exact winning chances of VRF scores (multiplicative law, B52 committee counts) against the Monte
   Carlo estimate a user would otherwise write, at the sample size that reaches 1e-3 accuracy.
Writes benchmarks/results.md.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import nashpy
import numpy as np

import provergame as pg
from provergame.results import markdown_table
from provergame.solvers import contest
from provergame.solvers.nash import bimatrix


def timed(fn, repeat: int = 3):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_simulator(n: int, rounds: int):
    import pandas as pd
    pop = pg.Population.from_arrays(cost=np.full(n, 0.01), rate=np.linspace(0.5, 2.0, n))
    game = pg.games.WinnerTakesAll(10.0, pop)
    profile = np.ones(n)

    def floor():
        rng = np.random.default_rng(0)
        size = 1 << 15
        wins = np.zeros(n)
        for start in range(0, rounds, size):
            m = min(size, rounds - start)
            times = rng.standard_exponential((m, n)) / pop.rate
            wins += np.bincount(np.argmin(times, axis=1), minlength=n)
        return wins

    t_floor, _ = timed(floor)
    t_sim, _ = timed(lambda: pg.simulate(game, profile, rounds=rounds, seed=0))
    return pd.DataFrame([{"provers": n, "rounds": rounds, "numpy floor (s)": t_floor,
                          "pg.simulate (s)": t_sim, "ratio": t_sim / t_floor}])


def bench_bimatrix(sizes, nashpy_limit: float):
    import pandas as pd
    rows = []
    for size in sizes:
        rng = np.random.default_rng(size)
        A, B = rng.random((size, size)), rng.random((size, size))
        t_pg, res = timed(lambda: bimatrix(A, B), repeat=1)
        row = {"size": f"{size}x{size}", "pg.bimatrix (s)": t_pg, "pg found": len(res)}
        for name in ("support_enumeration", "vertex_enumeration"):
            if size <= nashpy_limit:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t, eqs = timed(lambda: list(getattr(nashpy.Game(A, B), name)()), repeat=1)
                row[f"nashpy {name} (s)"] = t
                row[f"nashpy {name} found"] = len(eqs)
                row[f"ratio vs {name}"] = t / t_pg
            else:
                row[f"nashpy {name} (s)"] = float("nan")
                row[f"nashpy {name} found"] = "skipped"
                row[f"ratio vs {name}"] = float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def bench_contest(sizes):
    import pandas as pd
    rows = []
    for n in sizes:
        costs = np.random.default_rng(n).lognormal(0, 0.5, n)
        t_cf, x = timed(lambda: contest.tullock_equilibrium(100.0, costs))
        t_it, (y, iters) = timed(lambda: contest.iterated_best_response(100.0, costs, tol=1e-12), repeat=1)
        rows.append({"provers": n, "closed form (s)": t_cf, "iterated BR (s)": t_it, "BR iterations": iters,
                     "max |diff|": float(np.max(np.abs(x - y))), "speed-up": t_it / t_cf})
    return pd.DataFrame(rows)


def bench_exact_vs_montecarlo(sizes, draws: int):
    """multiplicative_win and committee_count_tail against Monte Carlo with `draws` samples."""
    import pandas as pd
    from provergame.games.b52 import committee_count_tail
    from provergame.games.sequencer import multiplicative_win
    rows = []
    for n in sizes:
        rng = np.random.default_rng(n)
        w = rng.uniform(1, 2, n)
        t_ex, p = timed(lambda: multiplicative_win(w))
        t_mc, q = timed(lambda: np.bincount(np.argmax(rng.random((draws, n)) * w, 1), minlength=n) / draws, repeat=1)
        rows.append({"quantity": "P(win), score u (1 + a)", "players": n, "exact (s)": t_ex, "Monte Carlo (s)": t_mc,
                     "draws": draws, "max |exact - MC|": float(np.abs(p - q).max()), "speed-up": t_mc / t_ex})
        stake = rng.lognormal(0, 1, n)
        E = max(2, n // 4)
        t_ex, tail = timed(lambda: committee_count_tail(stake[0] / 4, 4, stake[1:], E))

        def mc():
            keys = np.log(rng.random((draws, n + 3))) / np.concatenate([np.full(4, stake[0] / 4), stake[1:]])
            top = np.argpartition(-keys, E - 1, axis=1)[:, :E]
            x = (top < 4).sum(axis=1)
            return np.array([(x >= j).mean() for j in range(1, min(4, E) + 1)])
        t_mc, est = timed(mc, repeat=1)
        rows.append({"quantity": "B52 committee: P(X >= j), 4 sybil identities", "players": n + 3, "exact (s)": t_ex,
                     "Monte Carlo (s)": t_mc, "draws": draws, "max |exact - MC|": float(np.abs(tail - est).max()),
                     "speed-up": t_mc / t_ex})
    return pd.DataFrame(rows)


def bench_sweep(points: int):
    """A points-long UncleRewards metrics sweep (solve + metrics per point) on 1 and 2 local workers."""
    import pandas as pd
    from provergame.sweep import sweep
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sweep_game import uncle_game
    grid = {"uncle_share": np.linspace(0, 0.5, points // 10), "uncles": list(range(1, 11))}
    rows, frames = [], {}
    for workers in (1, 2):
        t = time.perf_counter()
        frames[workers] = sweep(uncle_game, grid, analyses=("solve", "metrics"), workers=workers, progress=False)
        rows.append({"points": len(frames[workers]), "workers": workers, "seconds": time.perf_counter() - t})
    out = pd.DataFrame(rows)
    out["speed-up vs 1 worker"] = out["seconds"].iloc[0] / out["seconds"]
    out["identical results"] = frames[1].equals(frames[2])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    ap.add_argument("--sweep", type=int, default=10_000, help="points in the sweep benchmark (0: skip)")
    args = ap.parse_args()
    if args.quick:
        sim = bench_simulator(20, 20_000)
        bim = bench_bimatrix([4, 6], nashpy_limit=6)
        con = bench_contest([10, 1000])
        exact = bench_exact_vs_montecarlo([8], 100_000)
    else:
        sim = bench_simulator(100, 200_000)
        bim = bench_bimatrix([4, 6, 8, 10, 12], nashpy_limit=8)
        con = bench_contest([10, 100, 1_000, 10_000, 100_000])
        exact = bench_exact_vs_montecarlo([8, 32, 128], 1_000_000)
    swp = bench_sweep(200 if args.quick else args.sweep) if args.sweep else None
    text = "\n\n".join([
        f"# provergame benchmarks\n\n{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, nashpy {nashpy.__version__}, provergame {pg.__version__}.",
        "## Rollout simulator vs the numpy floor (draws + winner only)", markdown_table(sim),
        "## Bimatrix equilibria vs nashpy (seeded random games)", markdown_table(bim),
        "## Tullock contest: closed form vs iterated best response", markdown_table(con),
        "## Exact VRF winning chances vs Monte Carlo", markdown_table(exact)]
        + (["## Sweep: UncleRewards solve + metrics on local processes", markdown_table(swp)] if swp is not None else []))
    print(text)
    if not args.quick:
        Path(__file__).with_name("results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()

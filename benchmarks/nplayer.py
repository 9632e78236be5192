"""All equilibria of games of three or more players: provergame's support enumeration (each support's
system solved in closed form, by its signs at the pure profiles, or by exclusion and subdivision) beside
Gambit's `enumpoly` (pygambit; same games, one run, each Gambit solve in a forked child timed inside it,
so a game it does not finish is stopped at `--timeout`), as ratios.

Games: every 3+ player `.nfg` in Gambit's repository (read from a git checkout or snapshot of
gambitproject/gambit, `--gambit-repo`), and seeded random games with standard normal payoffs (3 players
2x2x2 to 4x4x4, 4 players 2^4 and 3^4, 5 players 2^5). 'found' counts distinct equilibria whose regret
is at most 1e-6 of the game's payoff range (Gambit's are checked by provergame's regret); 'both' counts
Gambit's that provergame also returns (within 1e-6); 'skipped' is the support profiles provergame
declared not isolated (a continuum or a singular solution, whose equilibria it does not report); 'extreme
points of continua' the certified extreme points it returns for continua (a polytope's vertices where one
player mixes, else the points where outside actions turn tight): not counted in 'found', as a point of a
continuum is not an isolated equilibrium.
Run: python benchmarks/nplayer.py [--out benchmarks/nplayer.md] [--gambit-repo DIR]
(pygambit is not a dependency: pip install pygambit.)
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from provergame.solvers.normal_form import NormalFormGame, mixed_equilibria

RANDOM = [(2, 2, 2), (3, 3, 3), (4, 4, 4), (2, 2, 2, 2), (3, 3, 3, 3), (2, 2, 2, 2, 2)]
GAMBIT_DIR = Path("/work/.mirror/gambitproject+gambit/repo")


def gambit_nfg_games(repo: Path) -> dict[str, str]:
    """Every .nfg file of the repository with three or more players, by path (from git, so a bare
    snapshot works)."""
    names = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD"], check=True,
                           capture_output=True, text=True).stdout.split()
    out = {}
    for name in (n for n in names if n.endswith(".nfg")):
        text = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{name}"], check=True,
                              capture_output=True, text=True).stdout
        out[name] = text
    return out


def as_profiles(strategies) -> list[np.ndarray]:
    return [np.asarray(s, float) for s in strategies]


def same(a, b) -> bool:
    return all(np.abs(x - y).max() < 1e-6 for x, y in zip(a, b))


def _gambit_child(payoffs: np.ndarray, queue) -> None:
    import pygambit as gbt
    game = gbt.Game.from_arrays(*[payoffs[..., i] for i in range(payoffs.shape[-1])])
    t = time.perf_counter()
    res = gbt.nash.enumpoly_solve(game, use_strategic=True)
    elapsed = time.perf_counter() - t
    queue.put((elapsed, [[[float(e[s]) for s in p.strategies] for p in game.players] for e in res.equilibria]))


def run_gambit(payoffs: np.ndarray, timeout: float):
    """Gambit's enumpoly in a child process (it has no budget: on some degenerate games it does not
    return), timed inside the child; None after `timeout` seconds."""
    import multiprocessing as mp
    queue = mp.get_context("fork").Queue()
    child = mp.get_context("fork").Process(target=_gambit_child, args=(payoffs, queue))
    child.start()
    try:
        elapsed, eqs = queue.get(timeout=timeout)
    except Exception:
        return None
    finally:
        child.kill()
        child.join()
    return elapsed, [[np.array(s) for s in e] for e in eqs]


REPEAT_UNDER = 1.0     # a solve under this many seconds is timed REPEATS times on both sides, the fastest kept;
REPEATS = 3            # one under SHORT seconds SHORT_REPEATS times (a few milliseconds: a single stray pause
SHORT, SHORT_REPEATS = 0.1, 10   # of the process would decide the ratio)


def repeats(first: float) -> int:
    """How many times a solve whose first run took `first` seconds is timed."""
    return SHORT_REPEATS if first < SHORT else REPEATS if first < REPEAT_UNDER else 1


def run_ours(payoffs: np.ndarray):
    game = NormalFormGame(payoffs)
    times = []
    while not times or len(times) < repeats(times[0]):
        t = time.perf_counter()
        res = mixed_equilibria(game)
        times.append(time.perf_counter() - t)
    return min(times), res, game


def run_gambit_best(payoffs: np.ndarray, timeout: float):
    """run_gambit, repeated as run_ours is: the fastest of repeats(first) runs."""
    first = run_gambit(payoffs, timeout)
    if first is None:
        return first
    runs = [first] + [run_gambit(payoffs, timeout) for _ in range(repeats(first[0]) - 1)]
    return min((r for r in runs if r is not None), key=lambda r: r[0])


def row(name: str, payoffs: np.ndarray, gbt, timeout: float) -> str:
    ours_t, ours, game = run_ours(payoffs)
    found = [e for e in ours if game.regret(e) <= 1e-6]
    extreme = len(ours.extra.get("continuum_extreme_points", []))
    gambit = None if gbt is None else run_gambit_best(payoffs, timeout)
    if gambit is None:
        said = "not installed" if gbt is None else f"no answer in {timeout:.0f} s"
        return f"| {name} | {ours_t:.3f} | {len(found)} | {ours.skipped} | {extreme} | {said} | - | - | - |"
    g_t, g_eqs = gambit
    g_ok = [e for e in g_eqs if game.regret(e) <= 1e-6]
    g_distinct = [e for k, e in enumerate(g_ok) if not any(same(e, f) for f in g_ok[:k])]
    both = sum(any(same(e, f) for f in found) for e in g_distinct)
    return (f"| {name} | {ours_t:.3f} | {len(found)} | {ours.skipped} | {extreme} | {g_t:.3f} | {len(g_distinct)} | {both} "
            f"| {ours_t / max(g_t, 1e-6):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None)
    parser.add_argument("--gambit-repo", default=str(GAMBIT_DIR))
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    try:
        import pygambit as gbt
    except ImportError:
        gbt = None
    lines = [f"Same games, one run (a solve under {REPEAT_UNDER:.0f} s timed {REPEATS} times on each side, one under "
             f"{SHORT} s {SHORT_REPEATS} times, the fastest kept); {platform.machine()}, Python {platform.python_version()}, "
             f"pygambit {getattr(gbt, '__version__', 'not installed')}. Times are wall seconds; Gambit timed out at {args.timeout:.0f} s.", "",
             "| game | provergame (s) | found | skipped | extreme points of continua | Gambit enumpoly (s) | found "
             "| both | ratio |", "|---|---|---|---|---|---|---|---|---|"]
    mixed_equilibria(NormalFormGame(np.random.default_rng(0).standard_normal((2, 2, 2, 3))))   # warm-up
    repo = Path(args.gambit_repo)
    if gbt is not None and repo.exists():
        with tempfile.TemporaryDirectory() as tmp:
            for name, text in gambit_nfg_games(repo).items():
                path = Path(tmp) / Path(name).name
                path.write_text(text)
                game = gbt.read_nfg(str(path))
                if len(game.players) < 3:
                    continue
                payoffs = np.stack([np.asarray(a, float) for a in game.to_arrays(dtype=float)], axis=-1)
                lines.append(row(name, payoffs, gbt, args.timeout))
                print(lines[-1], flush=True)
    for shape in RANDOM:
        payoffs = np.random.default_rng(len(shape) * 10 + shape[0]).standard_normal(shape + (len(shape),))
        lines.append(row("random " + "x".join(map(str, shape)), payoffs, gbt, args.timeout))
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text("# n-player equilibria: provergame beside Gambit enumpoly\n\n"
                                  + (__doc__ or "").split("Run:")[0].strip() + "\n\n" + text)
    print(text)


if __name__ == "__main__":
    main()

"""The main job: analyse every mechanism of a scenario, run its sweeps, write the report."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable

from provergame.lazy import pandas as pd

from . import __version__
from .api import analyse, cross_check, metrics, solve
from .rollout import simulate
from .scenario import Scenario, grid_value


def sweep_frame(sc: Scenario, spec: Any, rounds: int = 20_000) -> pd.DataFrame:
    mech = sc.spec(spec.mechanism)
    pop = sc.population()
    rows = []
    for value in spec.grid.values():
        game = mech.build(pop, **{spec.param: grid_value(mech, spec.param, value)})
        eq = solve(game)
        m = metrics(game, eq.profile, sc.window)
        roll = simulate(game, eq.profile, rounds=rounds, seed=sc.seed, window=sc.window)
        rows.append({spec.param: float(value), **m, "regret": eq.regret,
                     "sim_agrees": cross_check(game, eq, roll).passed})
    return pd.DataFrame(rows)


def attack_comparison(provers, budget: float, slash: float, pool_size: int, leaves: int,
                      window: float = 1.0) -> pd.DataFrame:
    """Withholding-attack cost and concentration of the race and VRF designs at one reward budget per
    block (the tree splits the budget evenly over its 2 leaves - 1 nodes)."""
    from provergame import games
    from provergame.solvers.bribe import bribe_threshold
    designs = {
        "WinnerTakesAll": games.WinnerTakesAll(budget, provers),
        "StakeVRF (stake)": games.StakeVRF(budget, provers, slash=slash),
        "StakeVRF (identity)": games.StakeVRF(budget, provers, weighting="identity", slash=slash),
        "TaikoPool": games.TaikoPool(budget, provers, pool_size=min(pool_size, len(provers)), slash=slash),
        "ProofTreeVRF": games.ProofTreeVRF(leaves, budget / (2 * leaves - 1), budget / (2 * leaves - 1), provers,
                                           slash=slash),
    }
    rows = []
    for name, game in designs.items():
        eq = solve(game)
        m = metrics(game, eq.profile, window)
        full = bribe_threshold(game, "withhold", 0.0, profile=eq.profile, window=window)
        half = bribe_threshold(game, "withhold", 0.5, profile=eq.profile, window=window)
        rows.append({"design": name, "provers": len(provers), "hhi": m["hhi"], "nakamoto": m["nakamoto"],
                     "on-time liveness": m["liveness"], "bribe to stall": full.total,
                     "bribed (stall)": int(full.coalition.sum()), "residual regret (stall)": full.regret,
                     "bribe to halve liveness": half.total, "bribed (halve)": int(half.coalition.sum()),
                     "regret": eq.regret})
    return pd.DataFrame(rows)


def sequencer_comparison(provers, mev: float, fees: float, sequencers: int, unique_bonus: float = 0.0) -> pd.DataFrame:
    """Value reaching provers, concentration and sequencer-attack bribes of the sequencer-side designs
    at one MEV and fee level per slot (value v = mev + fees). ScrollAuction draws private values
    uniform on [0, 2v]; B52 is played with identical builders (v each) and with builders at the
    expected order statistics of that law (complete information among builders)."""
    import numpy as np

    from provergame import games
    from provergame.solvers.bribe import bribe_threshold
    from provergame.solvers.metrics import hhi
    v = mev + fees
    stake = provers.stake if provers.stake.sum() > 0 else np.ones(len(provers))
    stake_hhi = hhi(stake)
    proving_cost = float(stake @ provers.cost / stake.sum())
    spread = 2 * v * np.arange(sequencers, 0, -1) / (sequencers + 1)
    least, best = int(np.argmin(provers.reliability)), int(np.argmax(provers.reliability))
    designs = {
        "FeeSharing (linear score)": (games.FeeSharing(fees, mev, sequencers), "MEV known to all"),
        "FeeSharing (exponential score)": (games.FeeSharing(fees, mev, sequencers, "exponential"), "MEV known to all"),
        "B52, identical builders": (games.B52(np.full(sequencers, v), provers, unique_bonus=unique_bonus), "values known among builders"),
        "B52, spread builders": (games.B52(spread, provers, unique_bonus=unique_bonus), "values at E[order statistics] of U[0, 2v]"),
        "ScrollAuction": (games.ScrollAuction(sequencers, "uniform", 2 * v, provers), "private values U[0, 2v]"),
    }
    rows = []
    for name, (game, info) in designs.items():
        eq = solve(game)
        flow = game.value_to_provers(eq.profile)
        to_provers, value, seq_hhi = flow["to provers"], flow["winner's value"], flow["sequencer hhi"]
        prov_hhi = stake_hhi if np.isnan(flow["prover hhi"]) else flow["prover hhi"]
        rows.append({"design": name, "information": info, "winner's value": value, "to provers": to_provers,
                     "share to provers": to_provers / value, "covers proving cost": to_provers >= proving_cost,
                     "sequencer hhi": seq_hhi, "prover hhi": prov_hhi,
                     f"bribe to censor ({provers.names[best]})":
                         bribe_threshold(game, "censor", prover=best, profile=eq.profile).total,
                     f"bribe to collude ({provers.names[least]})":
                         bribe_threshold(game, "collude", prover=least, profile=eq.profile).total,
                     "regret": eq.regret})
    return pd.DataFrame(rows)


def attack_cost_by_size(provers, budget: float, slash: float, pool_size: int, leaves: int,
                        sizes: list[int], window: float = 1.0) -> pd.DataFrame:
    frames = []
    for n in sizes:
        sub = provers.replace() if n >= len(provers) else type(provers).from_arrays(
            cost=provers.cost[:n], rate=provers.rate[:n], stake=provers.stake[:n],
            reliability=provers.reliability[:n], capacity=provers.capacity[:n], names=provers.names[:n])
        frames.append(attack_comparison(sub, budget, slash, pool_size, leaves, window))
    return pd.concat(frames, ignore_index=True)


def _analysis_task(label: str, game: Any, rounds: int, seed: int, timing: Any) -> Any:
    return analyse(game, rounds=rounds, seed=seed, timing=timing)


def _equal_budget_task(sc: Scenario) -> dict[str, Any]:
    from .design import at_user_cost
    rows = []
    for label, game in sc.games():
        r = at_user_cost(game, float(sc.equal_budget), sc.timing())
        rows.append({"mechanism": label, "budget parameter": r["budget parameter"],
                     "value at equal budget": r.get("value", float("nan")),
                     "user_cost per proof": r.get("user_cost", float("nan")),
                     "on-time liveness": r.get("liveness", float("nan")), "hhi": r.get("hhi", float("nan")),
                     "nakamoto": r.get("nakamoto", float("nan")), "regret": r.get("regret", float("nan")),
                     "note": r["note"]})
    text = (f"Every mechanism with one budget parameter re-solved so that users pay {sc.equal_budget:g} per proof "
            f"landed (bisection on that parameter; each point a certified equilibrium), so rows compare like with "
            f"like. Where competition caps what users pay, or no single parameter sets it, the note says so.")
    return {f"At equal budget: users pay {sc.equal_budget:g} per proof": text,
            "Equal-budget table": pd.DataFrame(rows)}


def _comparison_task(sc: Scenario) -> dict[str, Any]:
    from .report import Figure
    c, pop = sc.comparison, sc.population()
    comparisons: dict[str, Any] = {}
    comparisons["Attack cost and concentration at an equal budget (race vs protocol-elected provers)"] = (
        f"Every design pays {c.budget:g} per block, slashes {c.slash:g} on a failed assignment. A bribed coalition "
        f"withdraws; the provers outside it play the residual game at its equilibrium (entering where that pays), "
        f"and the attack works when that residual equilibrium's on-time liveness (a valid proof within "
        f"{sc.window:g} time units) is at most 0 (stall) or 1/2. Each member is paid what it would earn by "
        f"joining the residual game instead. To stall, every prover that would prove alone at a profit must be "
        f"bribed (exact); to halve, the integer program (cvxpy, HiGHS) on the unattacked liveness is closed under "
        f"the residual responses and pruned. 'residual regret' certifies the residual equilibrium. Bribes are per "
        f"unit of work; per hour multiply by {3600 / sc.slot_seconds:g} (one unit of work every {sc.slot_seconds:g} s).")
    comparisons["Attack cost table"] = attack_comparison(pop, c.budget, c.slash, c.pool_size, c.leaves, sc.window)
    sizes = sorted({n for n in (2, 3, 4, 6, 8, 12, 16) if n <= min(len(pop), 16)} | {min(len(pop), 16)})
    by_size = attack_cost_by_size(pop, c.budget, c.slash, c.pool_size, c.leaves, sizes, sc.window)
    pivot = by_size.pivot(index="provers", columns="design", values="bribe to stall")
    comparisons["Attack cost against the number of provers"] = Figure(
        "attack_cost_vs_provers", pivot.index.to_numpy(),
        {d: pivot[d].to_numpy() for d in pivot.columns},
        "provers", "Bribe to stall proving against the number of provers", overlay=True)
    comparisons["Attack cost against the number of provers (table)"] = pivot.reset_index()
    comparisons["Value reaching provers under the sequencer-side designs"] = (
        f"Each slot is worth {c.mev + c.fees:g} ({c.mev:g} MEV + {c.fees:g} fees) to each of {c.sequencers} "
        f"sequencers/builders. FeeSharing passes its equilibrium share of the fees; B52 pays the winning bid to "
        f"the builder's chosen provers when the proof lands; ScrollAuction pays the first-price winning bid to "
        f"stake-weighted VRF-elected provers. hhi is over winning chances (sequencers) and expected income "
        f"(provers). 'covers proving cost': what reaches provers is at least the proving cost of one block by a "
        f"stake-weighted VRF-elected prover (the stake-weighted mean cost). B52's builder earns {c.unique_bonus:g} per unique prover. The censor bribe is what the "
        f"slot's winner forgoes by dropping the most reliable prover's proof; the collude bribe what it forgoes "
        f"by picking the least reliable prover (infinite where the protocol elects the prover).")
    comparisons["Sequencer-side designs table"] = sequencer_comparison(pop, c.mev, c.fees, c.sequencers, c.unique_bonus)
    return comparisons


def _spawnable() -> bool:
    """Spawned workers re-import the main module: possible unless it was read from stdin or a string."""
    import sys
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return main is None or Path(main).is_file()


def run_scenario(sc: Scenario, out: str | Path, command: str = "", scenario_label: str = "",
                 progress: Callable[[str], None] | None = None, workers: int | None = None) -> list[Path]:
    """Analyse every mechanism, sweep and comparison of `sc` (independent tasks, in `workers`
    processes, default one per core; 1: in this process) and write the report. Every task is seeded
    on its own, so the report is byte-identical whatever the number of workers."""
    from .report import write_report
    tasks: list[tuple[str, Callable[..., Any], tuple]] = []
    for label, game in sc.games():
        tasks.append((label, _analysis_task, (label, game, sc.rounds, sc.seed, sc.timing())))
    for spec in sc.sweep:
        tasks.append((f"sweep {spec.param}", sweep_frame, (sc, spec)))
    if sc.equal_budget is not None:
        tasks.append(("equal budget", _equal_budget_task, (sc,)))
    if sc.comparison is not None:
        tasks.append(("attack comparison", _comparison_task, (sc,)))
    from .errors import check_int
    workers = (os.cpu_count() or 1) if workers is None else check_int("workers", workers, lo=1, hi=1024)
    if not _spawnable():
        workers = 1
    done: list[Any] = [None] * len(tasks)
    if workers == 1 or len(tasks) == 1:
        for k, (name, fn, args) in enumerate(tasks):
            done[k] = fn(*args)
            if progress:
                progress(name)
    else:
        # spawn, not fork: a parent that already ran HiGHS, z3 or BLAS threads can deadlock a forked child
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(fn, *args): k for k, (_, fn, args) in enumerate(tasks)}
            for fut in as_completed(futures):
                k = futures[fut]
                done[k] = fut.result()
                if progress:
                    progress(tasks[k][0])
    n_games = len(sc.mechanism)
    results = [(tasks[k][0], done[k]) for k in range(n_games)]
    sweeps = [({"mechanism": spec.mechanism, "param": spec.param}, done[n_games + j]) for j, spec in enumerate(sc.sweep)]
    comparisons: dict[str, Any] = {}
    for k in range(n_games + len(sc.sweep), len(tasks)):
        comparisons.update(done[k])
    context = {"name": sc.name, "description": sc.description, "scenario": scenario_label or sc.path,
               "seed": sc.seed, "rounds": sc.rounds, "window": sc.window, "slot_seconds": sc.slot_seconds, "version": __version__, "command": command,
               "comparisons": comparisons}
    return write_report(results, out, context=context, sweeps=sweeps, progress=progress)

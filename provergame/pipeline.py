"""The main job: analyse every mechanism of a scenario, run its sweeps, write the report."""
from __future__ import annotations

import os
from concurrent.futures import as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
from provergame.lazy import pandas as pd

from . import __version__
from .analysis import analyse
from .api import cross_check, evaluate, solve
from .timing import Timing
from .rollout import simulate
from .scenario import Scenario, grid_value
from .workers import process_pool


def sweep_frame(sc: Scenario, spec: Any, rounds: int = 20_000) -> pd.DataFrame:
    mech = sc.spec(spec.mechanism)
    pop = sc.population()
    rows = []
    for value in spec.grid.values():
        game = mech.build(pop, **{spec.param: grid_value(mech, spec.param, value)})
        ev = evaluate(game, sc.timing())
        eq, m = ev.equilibrium, ev.metrics
        roll = simulate(game, eq.profile, rounds=rounds, seed=sc.seed, window=sc.timing())
        rows.append({spec.param: float(value), **m, "regret": eq.regret,
                     "sim_agrees": cross_check(game, eq, roll).passed})
    return pd.DataFrame(rows)


def attack_comparison(provers, budget: float, slash: float, pool_size: int, leaves: int,
                      window: float = 1.0, halve: bool = True) -> pd.DataFrame:
    """Withholding-attack cost and concentration of the race and VRF designs at one reward budget per
    block (the tree splits the budget evenly over its 2 leaves - 1 nodes); `halve=False` skips the
    bribe that halves on-time liveness."""
    from provergame import games
    from provergame.solvers.bribe import bribe_threshold
    designs = {
        "WinnerTakesAll": games.WinnerTakesAll(budget, provers),
        "StakeVRF (stake)": games.StakeVRF(budget, provers, slash=slash),
        "StakeVRF (identity)": games.IdentityVRF(budget, provers, slash=slash),
        "TaikoPool": games.TaikoPool(budget, provers, pool_size=min(pool_size, len(provers)), slash=slash),
        "ProofTreeVRF": games.ProofTreeVRF(leaves, budget / (2 * leaves - 1), budget / (2 * leaves - 1), provers,
                                           slash=slash),
    }
    rows = []
    for name, game in designs.items():
        ev = evaluate(game, Timing(window=window), attacks=("withhold",))
        eq, m, full = ev.equilibrium, ev.metrics, ev.attacks["withhold"]
        row = {"design": name, "provers": len(provers), "hhi": m["hhi"], "nakamoto": m["nakamoto"],
               "on-time liveness": m["liveness"], "bribe to stall": full.total,
               "bribed (stall)": int(full.coalition.sum()), "residual regret (stall)": full.regret}
        if halve:
            half = bribe_threshold(game, "withhold", 0.5, profile=eq.profile, window=window)
            row.update({"bribe to halve liveness": half.total, "bribed (halve)": int(half.coalition.sum()),
                        "halve method": half.method.split(":")[0].split(" (")[0]})
        rows.append({**row, "regret": eq.regret})
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
    """The stall bribe of each design for the first n provers, n in `sizes`."""
    frames = [attack_comparison(_first(provers, n), budget, slash, pool_size, leaves, window, halve=False)
              for n in sizes]
    return pd.concat(frames, ignore_index=True)


def _first(provers, n: int):
    return provers.take(np.arange(min(n, len(provers))))


def _analysis_task(label: str, game: Any, rounds: int, seed: int, timing: Any) -> Any:
    return analyse(game, rounds=rounds, seed=seed, timing=timing)


def _equal_budget_row(label: str, game: Any, equal_budget: float, timing: Any) -> dict[str, Any]:
    from dataclasses import replace

    from .equilibrium_set import cheapest_stall
    from .design import at_user_cost
    r = at_user_cost(game, equal_budget, timing)
    stall, lost = float("nan"), float("nan")
    if np.isfinite(r.get("value", float("nan"))) and game.traits.proving:
        b = cheapest_stall(replace(game, **{r["budget parameter"]: r["value"]}), timing)
        stall, lost = b.per_unit(), timing.per_hour(b.proofs_lost())
    return {"mechanism": label, "budget parameter": r["budget parameter"],
            "value at equal budget": r.get("value", float("nan")),
            "user_cost per proof": r.get("user_cost", float("nan")),
            "on-time liveness": r.get("liveness", float("nan")), "hhi": r.get("hhi", float("nan")),
            "nakamoto": r.get("nakamoto", float("nan")), "hhi (best equilibrium)": r.get("hhi_best", float("nan")),
            "equilibria": _set_size(r.get("equilibria"), r.get("set complete", True)),
            "regret": r.get("regret", float("nan")),
            "stall bribe per unit": stall, "on-time proofs lost per hour (stall)": lost,
            "note": r["note"]}


DESIGN_RANGE = (1e-3, 100.0)     # the budget parameter is searched from 1/1000 to 100 times its configured value


DESIGN_SHARE = 0.8    # a design meets the targets when they hold in at least this share of the draws
DESIGN_SCAN = 16      # budgets scanned per mechanism (geometric over DESIGN_RANGE) before bisecting
DESIGN_GRID = 3       # points per declared design parameter (traits.design_fields) searched with the budget


def _design_row(spec: Any, population: Any, targets: dict[str, float], timing: Any,
                draws: list | None = None) -> dict[str, Any]:
    """The cheapest value of the mechanism's budget parameter meeting every target (pg.design), in at
    least DESIGN_SHARE of the population draws when `draws` (populations) are given."""
    from .design import design
    from .errors import InvalidParameter
    game = spec.build(population)
    field_name = game.traits.budget_field
    row: dict[str, Any] = {"mechanism": spec.label, "budget parameter": field_name or "n/a",
                           "searched with it": _searched(game), "overrides": {}}
    blank = {"value": float("nan"), "user_cost per proof": float("nan"), "on-time liveness": float("nan"),
             "hhi": float("nan"), "nakamoto": float("nan"), "equilibria": "n/a", "regret": float("nan"),
             "binding": "", "monotone": _monotone_text(None), "feasible": False}
    if field_name is None:
        return {**row, **blank, "note": "no single budget parameter"}
    start = float(getattr(game, field_name))
    lo, hi = start * DESIGN_RANGE[0], start * DESIGN_RANGE[1]
    others = {name: (a, b) for name, a, b in game.traits.design_fields}
    try:
        d = design(lambda provers=population, **kw: spec.build(provers, **kw), {field_name: (lo, hi), **others},
                   subject_to=targets, budget=field_name, timing=timing, draws=draws, share=DESIGN_SHARE,
                   scan=DESIGN_SCAN, grid=DESIGN_GRID)
    except InvalidParameter as exc:
        return {**row, **blank, "note": f"refused: {exc}"}
    if not d.feasible:
        return {**row, **blank, "monotone": _monotone_text(d.search),
                "note": f"none of the {d.search['budgets scanned per point']} scanned {field_name} values in "
                        f"[{lo:.4g}, {hi:.4g}] meets every target"}
    binds = d.binding[d.binding["binds"]]["target"].tolist()
    chosen = {name: float(d.params[name]) for name in others}
    if chosen:
        row["searched with it"] = ", ".join(f"{k} = {v:.4g} (of {others[k][0]:g}-{others[k][1]:g})"
                                            for k, v in chosen.items())
    return {**row, "overrides": {field_name: float(d.params[field_name]), **chosen}, "value": float(d.params[field_name]), "user_cost per proof": d.scores["user_cost"],
            "on-time liveness": d.scores["liveness"], "hhi": d.scores["hhi"], "nakamoto": d.scores["nakamoto"],
            "equilibria": _set_size(d.scores["equilibria"], game.finite), "regret": d.scores["regret"],
            "binding": ", ".join(binds) or "none (the range's lower end)", "monotone": _monotone_text(d.search),
            "feasible": True, "note": _certified_text(int((d.trace['selection'] != 'scan').sum()))
            + (f"; targets met in {int(d.scores['draws meeting'])} of {len(draws)} draws" if draws else "")}


def _certified_text(count: int) -> str:
    return f"{count} certified candidate{'' if count == 1 else 's'} (the bisection runs at the solver's profile)"


def _searched(game: Any) -> str:
    """The declared design parameters searched with the budget, before the search picks their values."""
    fields_ = game.traits.design_fields
    if not fields_:
        return "none declared (others as configured)"
    return ", ".join(f"{k} over {a:g}-{b:g}" for k, a, b in fields_)


def _set_size(count: float | None, complete: bool) -> str:
    """An equilibrium set's size for a table: the count, or the solver's one where the set was not searched."""
    if count is None or not np.isfinite(count):
        return "n/a"
    return f"{int(count)}" if complete else f"{int(count)} (continuous: set not searched)"


def _monotone_text(search: dict[str, Any] | None) -> str:
    """Whether feasibility changed at most once along the scanned budgets, and where it flipped."""
    if not search:
        return "n/a"
    where = "; ".join(f"{a:.4g} and {b:.4g}" for _, a, b in search["flips"])
    if search["monotone"]:
        return f"yes (first holds between {where})" if where else "yes"
    return f"no (flips between {where})"


def _robustness_task(spec: Any, populations: list, timing: Timing | list[Timing]) -> pd.DataFrame:
    from .robustness import mechanism_draws
    return mechanism_draws(spec, populations, timing)


def _survival_draw(goal: str, winner: Any, runner_up: Any, seed: int, population: Any, timing: Any,
                   targets: dict[str, float]) -> dict[str, Any]:
    from .robustness import pair_scores, score_function
    return pair_scores(score_function(goal, timing, targets), winner, runner_up, seed, population)


def _attack_text(sc: Scenario) -> str:
    c = sc.comparison
    return (f"Every design pays {c.budget:g} per block, slashes {c.slash:g} on a failed assignment. A bribed coalition "
            f"withdraws; the provers outside it play the residual game at its equilibrium (entering where that pays), "
            f"and the attack works when that residual equilibrium's on-time liveness (a valid proof within "
            f"{sc.window:g} time units) is at most 0 (stall) or 1/2. Each member is paid what it would earn by "
            f"joining the residual game instead. To stall, every prover that would prove alone at a profit must be "
            f"bribed (exact); to halve, every coalition is checked where the residual games are entry games with "
            f"strategic substitutes and at most 12 provers (exact, optimality gap 0), and elsewhere the integer "
            f"program (HiGHS) on the unattacked liveness is closed under the residual responses and pruned (a "
            f"heuristic, without an optimality certificate: 'halve method' says which). 'residual regret' "
            f"certifies the residual equilibrium. Bribes are per "
            f"unit of work; per hour multiply by {3600 / sc.slot_seconds:g} (one unit of work every {sc.slot_seconds:g} s).")


def _sequencer_text(sc: Scenario) -> str:
    c = sc.comparison
    return (f"Each slot is worth {c.mev + c.fees:g} ({c.mev:g} MEV + {c.fees:g} fees) to each of {c.sequencers} "
            f"sequencers/builders. FeeSharing passes its equilibrium share of the fees; B52 pays the winning bid to "
            f"the builder's chosen provers when the proof lands; ScrollAuction pays the first-price winning bid to "
            f"stake-weighted VRF-elected provers. hhi is over winning chances (sequencers) and expected income "
            f"(provers). 'covers proving cost': what reaches provers is at least the proving cost of one block by a "
            f"stake-weighted VRF-elected prover (the stake-weighted mean cost). B52's builder earns {c.unique_bonus:g} "
            f"per unique prover. The censor bribe is what the "
            f"slot's winner forgoes by dropping the most reliable prover's proof; the collude bribe what it forgoes "
            f"by picking the least reliable prover (infinite where the protocol elects the prover).")


def _attack_sizes(n: int) -> list[int]:
    return sorted({k for k in (2, 3, 4, 6, 8, 12, 16) if k <= min(n, 16)} | {min(n, 16)})


def _comparisons(sc: Scenario, table: pd.DataFrame, by_size: list[pd.DataFrame], sequencer: pd.DataFrame) -> dict:
    from .reporting import Figure
    frame = pd.concat(by_size, ignore_index=True)
    pivot = frame.pivot(index="provers", columns="design", values="bribe to stall")
    return {
        "Attack cost and concentration at an equal budget (race vs protocol-elected provers)": _attack_text(sc),
        "Attack cost table": table,
        "Attack cost against the number of provers": Figure(
            "attack_cost_vs_provers", pivot.index.to_numpy(), {d: pivot[d].to_numpy() for d in pivot.columns},
            "provers", "Bribe to stall proving against the number of provers", overlay=True),
        "Attack cost against the number of provers (table)": pivot.reset_index(),
        "Value reaching provers under the sequencer-side designs": _sequencer_text(sc),
        "Sequencer-side designs table": sequencer,
    }


def _timeline_task(spec: Any, population: Any, tl: Any, run: tuple[str, str], timing: Timing) -> Any:
    from .timeline import Rebuild, timeline
    commitment, rule = run
    return timeline(Rebuild(spec.build(population)), population, tl.environment_series(), seeds=tl.seeds,
                    rule=rule, economy=tl.economy_params(timing, commitment))


COMMITMENT_TEXT = {
    "self": "'self': provers commit one epoch ahead at last epoch's gas and the mechanism picks each unit's prover "
            "among them.",
    "quotes": "'quotes': provers holding the bond quote for the epoch at last epoch's gas; the lowest quote wins at "
              "the second-lowest cost, capped at the reward (Aztec's epoch proof quotes), with one bond for the epoch.",
    "assigned": "'assigned': the slot's sequencer assigns each unit to a prover holding the bond, uniformly, and it "
                "cannot decline (aztec-gddt's proving market).",
}
RULE_TEXT = {
    "equilibrium": "'equilibrium': the certified equilibrium; a committed prover delivers when proving beats "
                   "forfeiting the bond.",
    "best-response": "'best-response': each prover's best response to last epoch's profile; it delivers when proving "
                     "beats forfeiting the bond.",
    "myopic-reward": "'myopic-reward': commit and deliver iff the reward covers the gas, ignoring the bond "
                     "(aztec-gddt's rule).",
}


def _gas_text(env: Any) -> str:
    if env.preset == "history":
        return f"the recorded base fee '{env.series}' ({env.epoch_seconds:g} s per epoch; its source in provergame/data)"
    shock = f" (+{env.size:g} gwei from epoch {env.start} for {env.length} epochs)" if env.preset == "shock" else ""
    return f"{env.preset} around {env.gas:g} gwei{shock}"


def _timeline_text(tl: Any, env: Any, eco: Any) -> str:
    """What the "over time" runs assume, in words."""
    sequencers = eco.sequencer_reward > 0 or eco.gas_per_proposal > 0
    return (f"{tl.mechanism} played for {tl.epochs} epochs of {env.demand} units of work, seeds {tl.seeds}, under "
            f"each commitment and delivery rule. L1 gas: {_gas_text(env)}"
            + f"; {eco.gas_per_submission:g} gas per submission at {env.token_price:g} ETH per token, paid only for "
            f"submissions made; bond {eco.bond:g} per commitment (a committed prover that submits nothing forfeits "
            f"one per unit, up to what its balance can post); fallback: {eco.fallback}. "
            + " ".join(COMMITMENT_TEXT[c] for c in tl.commitments) + " " + " ".join(RULE_TEXT[r] for r in tl.rules)
            + (" 'assigned + myopic-reward' is aztec-gddt's run. " if {"assigned", "myopic-reward"} <= set(
                tl.commitments) | set(tl.rules) else " ")
            + (f"Each slot's sequencer is offline with probability {eco.sequencer_offline:.3g} (nothing proposed). "
               if eco.sequencer_offline else "")
            + (f"{eco.censorship:.0%} of commitments are censored on L1 (to the fallback). " if eco.censorship else "")
            + (f"The sequencer fails a later phase of {eco.sequencer_failure:.2%} of the units it proposes (to the "
               f"fallback), forfeiting {eco.sequencer_slash:g} tokens each. " if eco.sequencer_failure else "")
            + _phases_text(eco)
            + (f"Sequencers earn {eco.sequencer_reward:g} per unit proven and pay {eco.gas_per_proposal:g} gas to "
               f"propose each unit. " if sequencers else "")
            + (f"{eco.sequencers} sequencers take the slots (each unit's proposer drawn uniformly), each with its own "
               f"account from {eco.sequencer_funds:g} tokens"
               + (", proposing only what its balance's gas covers. " if eco.sequencers_need_funds else ". ")
               if eco.sequencers > 1 else "")
            + "Profits are totals per run (mean over the seeds). Tokens are conserved at every epoch (the residual "
            "column).")


def _phases_text(eco: Any) -> str:
    """The phases and timeouts of a slot, where the scenario sets them."""
    parts = []
    if eco.proposal_time or eco.commitment_time:
        parts.append(f"proposal {eco.proposal_time:g} and commitment {eco.commitment_time:g} of a window of "
                     f"{eco.window:g} time units, leaving {eco.proof_window:g} to prove on time")
    if not np.isinf(eco.proof_deadline):
        parts.append(f"an assigned or quoted prover abandons a proof not ready {eco.proof_deadline:g} after its "
                     "commitment (bond forfeited, the unit to the fallback)")
    if not np.isinf(eco.fallback_deadline):
        parts.append(f"the fallback race refuses proofs later than {eco.fallback_deadline:g} after it opens")
    return ("Phases: " + "; ".join(parts) + ". ") if parts else ""


def _timeline_row(rule: str, result: Any, eco: Any) -> dict[str, Any]:
    """One run's line of the "over time" table, averaged over the seeds."""
    k = result.kpis
    per_seed = k.groupby("seed")
    last = k[k.epoch == k.epoch.max()]
    sequencers = eco.sequencer_reward > 0 or eco.gas_per_proposal > 0
    return {"run": rule, "on-time liveness": float(k["on_time_liveness"].mean()),
            "unproven share": float(k["unproven_share"].mean()),
            "pruned units": float(per_seed["pruned"].sum().mean()),
            "fallback proofs": float(per_seed["fallback_proven"].sum().mean()),
            "commitments": float(per_seed["commitments"].sum().mean()),
            "bonds forfeited": float(per_seed["bonds_forfeited"].sum().mean()),
            **({"missed slots": float(per_seed["missed_slots"].sum().mean())} if eco.sequencer_offline else {}),
            **({"censored": float(per_seed["censored"].sum().mean())} if eco.censorship else {}),
            **({"sequencer failures": float(per_seed["sequencer_failures"].sum().mean())}
               if eco.sequencer_failure else {}),
            "provers left": float(last["alive_provers"].mean()),
            "final balances": float(last["balance_total"].mean()),
            "prover profit": float(per_seed["prover_profit"].sum().mean()),
            **({"sequencer profit": float(per_seed["sequencer_profit"].sum().mean())} if sequencers else {}),
            **({"poorest sequencer": float(last["sequencer_balance_min"].mean())}
               if sequencers and eco.sequencers > 1 else {}),
            "equilibria solved over the seeds (certified)": _certified(result.decisions),
            "max residual": result.conservation()}


def _certified(decisions: pd.DataFrame) -> str:
    """How many equilibria a timeline solved and played, and how many of them its certificate certified."""
    return f"{len(decisions)} ({int(decisions['certified'].sum())})" if len(decisions) else "none"


def _timeline_items(sc: Scenario, runs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The report's "over time" section: both rules side by side, averaged over the seeds."""
    from .reporting import Figure
    tl = sc.timeline
    env, eco = tl.environment, tl.economy_params(sc.timing())
    rows, unproven, balance = [], {}, {}
    for rule, result in runs:
        per_epoch = result.kpis.groupby("epoch")
        unproven[rule] = per_epoch["unproven_share"].mean().to_numpy()
        balance[rule] = per_epoch["balance_total"].mean().to_numpy()
        rows.append(_timeline_row(rule, result, eco))
    epochs = np.arange(tl.epochs)
    return {f"Over time: {tl.mechanism} under gas {env.preset}": _timeline_text(tl, env, eco),
            "Over time: unproven share": Figure("timeline_unproven_share", epochs, unproven, "epoch",
                                                 "Share of each epoch's units not proven by the mechanism", overlay=True),
            "Over time: prover balances": Figure("timeline_balances", epochs, balance, "epoch",
                                                 "Provers' total balance (tokens)", overlay=True),
            "Over time: table": pd.DataFrame(rows)}


@dataclass(frozen=True)
class Task:
    """One independent piece of the report: `fn(*args)`, its result filed under (`kind`, `key`)."""

    kind: str
    key: Any
    fn: Callable[..., Any]
    args: tuple
    later: int = 0            # within its kind, tasks with a larger value start after those with smaller


def phase_one(sc: Scenario) -> list[Task]:
    """Everything that does not depend on another result: analyses, sweeps, equal-budget rows, designs
    at the targets, robustness draws and the comparisons. Heavy tasks first, for the process pool."""
    pop, timing, pops, timings = sc.population(), sc.timing(), sc.populations(), sc.draw_timings()
    tasks: list[Task] = []
    if sc.comparison is not None:
        c = sc.comparison
        for n in reversed(_attack_sizes(len(pop))):
            tasks.append(Task("attack by size", n, attack_comparison,
                              (_first(pop, n), c.budget, c.slash, c.pool_size, c.leaves, sc.window, False)))
        tasks.append(Task("attack table", None, attack_comparison,
                          (pop, c.budget, c.slash, c.pool_size, c.leaves, sc.window)))
        tasks.append(Task("sequencer table", None, sequencer_comparison,
                          (pop, c.mev, c.fees, c.sequencers, c.unique_bonus)))
    twins: dict[str, int] = {}
    for spec, (label, game) in zip(sc.specs(), sc.games()):
        # games proving the same theorems (a kind's variants, a proof family) start one after another,
        # so that a cold proof cache proves each theorem once rather than in two workers at the same time
        family = game.traits.proof_family or type(game).__name__
        twin = twins[family] = twins.get(family, -1) + 1
        tasks.append(Task("analysis", label, _analysis_task, (label, game, sc.rounds, sc.seed, timing), twin))
        if len(pops) > 1:
            tasks.append(Task("robustness", label, _robustness_task, (spec, pops, timings)))
        if sc.targets:
            draws = [(p, t) for (_, p), t in zip(pops, timings)] if len(pops) > 1 else None
            tasks.append(Task("design", label, _design_row, (spec, pop, sc.targets, timing, draws)))
        if sc.equal_budget is not None:
            tasks.append(Task("equal budget", label, _equal_budget_row, (label, game, float(sc.equal_budget), timing)))
    for spec in sc.sweep:
        tasks.append(Task("sweep", spec.param, sweep_frame, (sc, spec)))
    if sc.timeline is not None:
        for run in sc.timeline.runs():
            tasks.insert(0, Task("timeline", run, _timeline_task, (sc.spec(sc.timeline.mechanism), pop, sc.timeline,
                                                                    run, sc.timing())))
    return tasks


def planned_tasks(sc: Scenario) -> int:
    """Tasks `run_scenario` reports progress on: phase one and one survival check per goal and draw."""
    return len(phase_one(sc)) + 4 * len(sc.populations())


def _spawnable() -> bool:
    """Spawned workers re-import the main module: possible unless it was read from stdin or a string."""
    import sys
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return main is None or Path(main).is_file()


@contextmanager
def _pool(workers: int, executor: Any) -> Iterator[Any]:
    """The executor both phases run on: None (this process), spawned processes, or the given one."""
    if executor is None and workers == 1:
        yield None
    elif executor is None:
        with process_pool(workers) as pool:
            yield pool
    else:
        from .sweep import _executor
        with _executor(executor, workers) as pool:
            yield pool


WARM_UP = ("provergame.pipeline", "pandas", "scipy.optimize", "scipy.integrate")   # what nearly every task imports


def _warm_up() -> None:
    import importlib
    for name in WARM_UP:
        importlib.import_module(name)


@contextmanager
def report_pool(workers: int | None = None, executor: Any = None) -> Iterator[Any]:
    """The executor a report runs on (None: this process), started at once: spawned workers import
    the toolkit while the caller loads its scenario (`workers` and `executor` as in run_scenario)."""
    from .sweep import check_executor
    from .workers import check_workers
    check_executor(executor)
    workers = check_workers(workers) if executor is None or executor in ("processes", "serial") else \
        ((os.cpu_count() or 1) if workers is None else workers)
    if executor is None and not _spawnable():
        workers = 1
    with _pool(workers, executor) as pool:
        if pool is not None and executor is None:
            for _ in range(workers):
                pool.submit(_warm_up)
        yield pool


# Timelines first, then the analyses (their pages are written here as they arrive, and with a cold proof
# cache they are the longest tasks), then the long kinds (designs over the draws, robustness draws), so
# that no long task starts last and leaves a worker idle at the end; results come back in task order.
SUBMIT_ORDER = {"timeline": 0, "analysis": 1, "design": 2, "robustness": 3, "attack table": 4,
                "attack by size": 5, "equal budget": 6, "survival": 7, "sequencer table": 8, "sweep": 9}


def _name(t: Task) -> str:
    return " ".join([t.kind, *map(str, t.key if isinstance(t.key, tuple) else [t.key])]) if t.key is not None else t.kind


def _submit(tasks: list[Task], pool: Any, progress: Callable[[str], None] | None,
            arrived: Callable[[Task, Any], None] | None = None) -> Callable[[], list[Any]]:
    """Start `tasks` on `pool` (longest kinds first) and return a function that waits for every result,
    in task order whatever the order of completion; `arrived(task, result)` runs here as each one comes
    back. Without a pool the tasks run when the function is called."""
    def done_one(t: Task, result: Any) -> None:
        if arrived:
            arrived(t, result)
        if progress:
            progress(_name(t))

    if pool is None:
        def run_here() -> list[Any]:
            done = []
            for t in tasks:
                done.append(t.fn(*t.args))
                done_one(t, done[-1])
            return done
        return run_here
    first = sorted(range(len(tasks)), key=lambda k: (SUBMIT_ORDER.get(tasks[k].kind, len(SUBMIT_ORDER)), tasks[k].later))
    futures = {pool.submit(tasks[k].fn, *tasks[k].args): k for k in first}

    def wait() -> list[Any]:
        done: list[Any] = [None] * len(tasks)
        for fut in as_completed(futures):
            k = futures[fut]
            done[k] = fut.result()
            done_one(tasks[k], done[k])
        return done
    return wait


def _execute(tasks: list[Task], pool: Any, progress: Callable[[str], None] | None,
             arrived: Callable[[Task, Any], None] | None = None) -> list[Any]:
    """Every task's result, in task order."""
    return _submit(tasks, pool, progress, arrived)()


def run_scenario(sc: Scenario, out: str | Path, command: str = "", scenario_label: str = "",
                 progress: Callable[[str], None] | None = None, workers: int | None = None,
                 executor: Any = None) -> list[Path]:
    """Analyse every mechanism, sweep, design, draw and comparison of `sc` (independent tasks, in `workers`
    processes, default one per core; 1: in this process; or on `executor`: "processes", "serial",
    "dask://HOST:PORT" or a concurrent.futures Executor), check the decision page's verdicts over the
    draws, and write the report. Every task is seeded on its own, so the report is byte-identical
    whatever the number of workers; `report_pool` starts the workers before the scenario is loaded."""
    with report_pool(workers, executor) as pool:
        return _run(sc, out, command, scenario_label, progress, pool)


def _frame_of(by_kind: dict[str, list[tuple[Any, Any]]], kind: str) -> pd.DataFrame | None:
    """One table from a kind of phase-one task: rows (equal budget, design) or frames (robustness)."""
    if kind not in by_kind:
        return None
    if kind == "robustness":
        return pd.concat([f for _, f in by_kind[kind]], ignore_index=True)
    return pd.DataFrame([r for _, r in by_kind[kind]])


def _comparison_items(sc: Scenario, by_kind: dict[str, list[tuple[Any, Any]]]) -> dict[str, Any]:
    """The scenario's comparison tables and figures, and its timeline's, in the order the page shows them."""
    comparisons = {}
    if sc.comparison is not None:
        sizes = sorted(by_kind["attack by size"], key=lambda kv: kv[0])
        comparisons = _comparisons(sc, by_kind["attack table"][0][1], [f for _, f in sizes],
                                   by_kind["sequencer table"][0][1])
    if "timeline" in by_kind:
        order = sc.timeline.runs()
        comparisons.update(_timeline_items(sc, [(sc.timeline.run_label(*run), result) for run, result in
                                                sorted(by_kind["timeline"], key=lambda kv: order.index(kv[0]))]))
    return comparisons


def _survival_tasks(sc: Scenario, found: list[Any]) -> list[Task]:
    """One task per (verdict with a runner-up, population draw): both re-solved on the draw."""
    from .decision import Build
    specs = {s.label: s for s in sc.specs()}
    pops, timings = sc.populations(), sc.draw_timings()
    if len(pops) <= 1:
        return []
    return [Task("survival", (v.goal, seed), _survival_draw,
                 (v.goal, Build(specs[v.winner.label], v.winner.overrides),
                  Build(specs[v.runner_up.label], v.runner_up.overrides), seed, pop, timing, dict(sc.targets)))
            for v in found if v.winner is not None and v.runner_up is not None
            for (seed, pop), timing in zip(pops, timings)]


def _run(sc: Scenario, out: str | Path, command: str, scenario_label: str,
         progress: Callable[[str], None] | None, pool: Any) -> list[Path]:
    from .decision import GOALS, verdicts
    from .reporting import slug, summary_frame, write_page, write_report
    from .robustness import bands, tally
    context = {"name": sc.name, "description": sc.description, "scenario": scenario_label or sc.path,
               "seed": sc.seed, "rounds": sc.rounds, "window": sc.window, "slot_seconds": sc.slot_seconds,
               "version": __version__, "command": command, "equal_budget": sc.equal_budget,
               "targets": dict(sc.targets), "draws": len(sc.populations()), "design_scan": DESIGN_SCAN, "population_seed": sc.provers.seed,
               "uncertainty": sc.uncertainty_text()}
    paged: set[str] = set()

    def page(t: Task, analysis: Any) -> None:     # while the workers go on with the rest
        if t.kind == "analysis":
            write_page(t.key, analysis, out, context)
            paged.add(t.key)

    tasks = phase_one(sc)
    done = _execute(tasks, pool, progress, page)
    by_kind: dict[str, list[tuple[Any, Any]]] = {}
    for t, result in zip(tasks, done):
        by_kind.setdefault(t.kind, []).append((t.key, result))
    results = by_kind.get("analysis", [])
    sweeps = [({"mechanism": spec.mechanism, "param": spec.param}, frame)
              for spec, (_, frame) in zip(sc.sweep, by_kind.get("sweep", []))]
    equal, designs, draws = (_frame_of(by_kind, kind) for kind in ("equal budget", "design", "robustness"))
    comparisons = _comparison_items(sc, by_kind)
    summary = summary_frame(results)
    pages = {label: slug(label) + ".md" for label, _ in results}
    found = verdicts(summary, equal, designs, pages, dict(sc.targets))
    checks = _survival_tasks(sc, found)
    checked = _submit(checks, pool, progress)

    def survival() -> dict[str, Any]:       # asked for last: the pages and figures are written meanwhile
        rows: dict[str, list] = {}
        for t, r in zip(checks, checked()):
            rows.setdefault(t.key[0], []).append(r)
        return {goal: tally(r, GOALS[goal].lower_is_better) for goal, r in rows.items()}

    context["comparisons"] = comparisons
    return write_report(results, out, context=context, sweeps=sweeps, equal_budget=equal, designs=designs,
                        draws=None if draws is None else bands(draws), verdicts=found, survival=survival,
                        pages_written=paged)

"""pg.timeline at scale beside a numpy loop that draws the same randomness and carries the same state, as ratios
in one run.

StakeVRF with 100 provers, 10 units of work per epoch, 10 seeds, steady gas (each epoch's decisions are reused
once made), in one process and with the seeds on 2 worker processes. The floor loops over seeds and epochs and
draws, per epoch, what the timeline's rules draw (Model.work) and books the balances; it carries the
timeline's state of who works (the entry game's equilibrium by pg.solve, at the start, at each arrival and at
each new gas price). Issue 15's target is 10,000 epochs x 100 provers x 10 seeds in under 10 s on 2 cores;
issue 28's, under 3 s, at most 2x the floor, and at least 5x faster than radCAD without deepcopy (pip install
radcad; beside it in the same run). Rows: the steady run; 1% of commitments censored and 1% of proposed units
failed by the sequencer (slashed 1 token each, up to its balance); 3 sequencers with 1% failures; the same
with the units assigned by the sequencer (aztec-gddt's proving market); under rule "best-response";
aztec-gddt's run (assigned units, rule myopic-reward, a +150 gwei shock draining every prover); epoch quotes;
stake as the balance (a twentieth of the epochs: the entry game changes every epoch, so every epoch is solved
and stepped); with newcomers (a fifth of the epochs); and with the gas moving every epoch (a fifth of the
epochs), each epoch's plan served from its own buffer of rounds within a stretch.
Run: python benchmarks/timeline_scale.py [--epochs 10000] [--out benchmarks/timeline_scale.md]
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Any
from pathlib import Path

import numpy as np

import provergame as pg
from provergame.timeline import Economy, Environment, Rebuild, timeline

N, DEMAND, SEEDS = 100, 10, list(range(10))
EPOCHS_MAX, SHOCK = 100_000, (1000, 200)     # the shock row's +150 gwei: from epoch 1000, for 200 epochs
ROUNDS = 3


class Model:
    """What the floor and the radCAD model play, epoch by epoch: per-epoch draws as the timeline's rules
    make them (newcomers, each unit's sequencer, failed and censored units, each unit's prover by stake among
    those working or, assigned, uniformly among those holding the bond, its delivery and proving time, the
    landed units' sequencers; a myopic assigned prover reneges, forfeiting a bond of 16, where the reward does
    not cover the gas; under epoch quotes the cheapest ask holding the bond takes every unit, paid the
    second-lowest ask; with stake as the balance, the weights are the balances); the provers' and sequencers'
    balances are booked by the caller. It carries the
    timeline's state of who works: the equilibrium of the epoch's entry game (StakeVRF over the provers at
    last epoch's gas, solved by pg.solve as a user would call it), solved at the start, at each arrival and
    at each gas price not met before (kept by price, across seeds, as pg.timeline keeps its epoch games);
    nothing else (no KPIs, ledger, exits or plan)."""

    solved: dict[bytes, np.ndarray] = {}        # (gas, costs, stakes) -> who works
    solving = 0.0                               # seconds in pg.solve, for the page

    def __init__(self, weights: np.ndarray, cost: np.ndarray, seed: int, censorship: float = 0.0,
                 failure: float = 0.0, sequencers: int = 1, assigned: bool = False, entry: float = 0.0,
                 sinusoid: bool = False, shock: bool = False, myopic: bool = False, quotes: bool = False,
                 stake_balance: bool = False):
        self.rng = np.random.default_rng(seed)
        self.weights, self.cost, self.epoch = weights.copy(), cost.copy(), 0
        e = np.arange(EPOCHS_MAX)
        gwei = (50.0 + 25.0 * np.sin(2 * np.pi * (e % 100) / 100) if sinusoid else
                50.0 + 150.0 * ((SHOCK[0] <= e) & (e < SHOCK[0] + SHOCK[1])) if shock else np.full(EPOCHS_MAX, 50.0))
        self.gas = 781_000e-9 / 4.0 * gwei          # tokens per submission, epoch by epoch
        self.share = np.full(sequencers, 1.0 / sequencers)
        self.censorship, self.failure, self.assigned, self.entry = censorship, failure, assigned, entry
        self.myopic = myopic                        # an assigned prover delivers iff the reward covers the gas
        self.quotes = quotes                        # the cheapest ask holding the bond takes the epoch's units
        self.stake_balance = stake_balance          # each prover's stake is its balance: a new game every epoch

    def working(self, gas: float) -> np.ndarray:
        """Who works at this gas: the entry game's equilibrium, solved once per (gas, costs, stakes)."""
        key = np.float64(gas).tobytes() + self.cost.tobytes() + self.weights.tobytes()
        if key not in Model.solved:
            t = time.perf_counter()
            pop = pg.Population.from_arrays(cost=self.cost + gas, stake=self.weights, reliability=0.99)
            Model.solved[key] = pg.solve(pg.games.StakeVRF(0.0161, pop)).profile == 1.0
            Model.solving += time.perf_counter() - t
        return Model.solved[key]

    def work(self, balance: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
        """One epoch's draws: the balances with newcomers added (100 each), the provers' balance changes,
        each sequencer's failed and landed units."""
        rng = self.rng
        if self.entry and (k := rng.poisson(self.entry)):
            self.weights = np.append(self.weights, np.full(k, np.median(self.weights)))
            self.cost = np.append(self.cost, np.median(self.cost) * rng.lognormal(0.0, 0.3, k))
            balance = np.append(balance, np.full(k, 100.0))
        if self.stake_balance:
            self.weights = np.maximum(balance, 0.0)
        g_then, g_now = self.gas[max(self.epoch - 1, 0)], self.gas[self.epoch]
        spend = self.cost + g_now
        self.epoch += 1
        n = len(balance)
        slots = rng.multinomial(DEMAND, self.share) if len(self.share) > 1 else np.array([DEMAND])
        failed = rng.binomial(slots, self.failure) if self.failure else np.zeros(len(slots), int)
        units = DEMAND - int(failed.sum())
        units -= rng.binomial(units, self.censorship) if self.censorship else 0
        pay = 0.0161
        if self.quotes:
            asks = np.where(balance >= 16.0, self.cost + g_then, np.inf)
            who = np.full(units, int(np.argmin(asks)))
            pay = min(pay, float(np.partition(asks, 1)[1]))
        elif self.assigned:
            eligible = np.flatnonzero(balance >= 16.0)
            who = eligible[rng.integers(len(eligible), size=units)] if len(eligible) else np.zeros(0, dtype=int)
        else:
            weight = np.where(self.working(g_then), self.weights, 0.0)
            who = rng.choice(n, size=units, p=weight / weight.sum())
        ok = rng.random(len(who)) < 0.99
        rng.standard_exponential(len(who))
        if self.myopic and 0.0161 < g_now:          # every assigned prover reneges: a bond forfeited each
            ok[:] = False
            delta = -16.0 * np.bincount(who, minlength=n)
        else:
            delta = np.bincount(who[ok], minlength=n) * pay - np.bincount(who, minlength=n) * spend
        landed = rng.multivariate_hypergeometric(slots, int(ok.sum())) if len(slots) > 1 else int(ok.sum())
        return balance, delta, failed, landed


def _sequencers(held: np.ndarray, failed: np.ndarray, landed: Any) -> np.ndarray:
    return held + 0.037 * landed - np.minimum(failed * 1.0, np.maximum(held, 0.0))


def floor(epochs: int, weights: np.ndarray, cost: np.ndarray, **run: Any) -> None:
    for seed in SEEDS:
        model = Model(weights, cost, seed, **run)
        balance, sequencer = np.full(N, 100.0), np.full(len(model.share), 100.0)
        for _ in range(epochs):
            balance, delta, failed, landed = model.work(balance)
            balance = balance + delta
            sequencer = _sequencers(sequencer, failed, landed)


def radcad_run(epochs: int, weights: np.ndarray, cost: np.ndarray, **run: Any) -> float | None:
    """The same model in radCAD (deepcopy off, one process, substeps dropped): per epoch a policy makes the
    epoch's draws (Model.work) and state updates book the provers' and the sequencers' balances. None where
    radCAD is not installed."""
    try:
        from radcad import Experiment, Model as RadModel, Simulation
        from radcad.engine import Backend, Engine
    except ImportError:
        return None

    def work(params, substep, history, state):
        balance, delta, failed, landed = state["draws"].work(state["balance"])
        return {"balance": balance, "delta": delta, "failed": failed, "landed": landed}

    def book(params, substep, history, state, policy):
        return "balance", policy["balance"] + policy["delta"]

    def slash(params, substep, history, state, policy):
        return "sequencer", _sequencers(state["sequencer"], policy["failed"], policy["landed"])

    total = 0.0
    for seed in SEEDS:                  # one run per seed, each with its own generator
        model = Model(weights, cost, seed, **run)
        rad = RadModel(initial_state={"balance": np.full(N, 100.0), "sequencer": np.full(len(model.share), 100.0),
                                      "draws": model},
                       state_update_blocks=[{"policies": {"work": work},
                                             "variables": {"balance": book, "sequencer": slash}}], params={})
        experiment = Experiment(Simulation(model=rad, timesteps=epochs, runs=1))
        experiment.engine = Engine(backend=Backend.SINGLE_PROCESS, deepcopy=False, drop_substeps=True)
        t = time.perf_counter()
        experiment.run()
        total += time.perf_counter() - t
    return total


FAIL3 = dict(failure=0.01, sequencers=3)
RUNS = (("steady", {}, "equilibrium", 1.0),
        ("1% of commitments censored and 1% of units failed by the sequencer", dict(censorship=0.01, failure=0.01),
         "equilibrium", 1.0),
        ("3 sequencers, 1% of units failed", FAIL3, "equilibrium", 1.0),
        ("3 sequencers, 1% failed, units assigned by the sequencer (aztec-gddt's market)", {**FAIL3, "assigned": True},
         "equilibrium", 1.0),
        ("3 sequencers, 1% failed, rule best-response", FAIL3, "best-response", 1.0),
        ("3 sequencers, 1% failed, assigned, rule myopic-reward, +150 gwei from epoch 1000 for 200 (aztec-gddt's run: "
         "every prover drained)", {**FAIL3, "assigned": True, "shock": True, "myopic": True}, "myopic-reward", 1.0),
        ("3 sequencers, 1% failed, epoch quotes (the cheapest ask takes the epoch's units at the second-lowest)",
         {**FAIL3, "quotes": True}, "equilibrium", 1.0),
        ("3 sequencers, 1% failed, stake is the balance (the entry game changes every epoch)",
         {**FAIL3, "stake_balance": True}, "equilibrium", 0.05),
        ("3 sequencers, 1% failed, newcomers (Poisson, 0.05 an epoch)", {**FAIL3, "entry": 0.05}, "equilibrium", 0.2),
        ("3 sequencers, 1% failed, gas moving every epoch (50 + 25 sin, period 100)",
         {**FAIL3, "sinusoid": True}, "equilibrium", 0.2))
# (run, what the floor and radCAD draw, pg.timeline's rule, share of the epochs)


def measure(epochs: int, run: dict, rule: str) -> str:
    """One table row: the floor, pg.timeline in one and two processes and radCAD, best of ROUNDS, taking turns."""
    rng = np.random.default_rng(1)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.001, 0.004, N), stake=rng.lognormal(3, 1, N), reliability=0.99)
    env = (Environment.sinusoidal(epochs, gas=50.0, amplitude=25.0, period=100, token_price=4.0, demand=DEMAND)
           if run.get("sinusoid") else
           Environment.shock(epochs, gas=50.0, start=SHOCK[0], size=150.0, length=SHOCK[1], token_price=4.0,
                             demand=DEMAND) if run.get("shock") else
           Environment.steady(epochs, gas=50.0, token_price=4.0, demand=DEMAND))
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune", censorship=run.get("censorship", 0.0),
                  sequencer_failure=run.get("failure", 0.0), sequencer_slash=1.0, sequencer_funds=100.0,
                  sequencers=run.get("sequencers", 1), sequencer_reward=0.037,
                  commitment="assigned" if run.get("assigned") else "quotes" if run.get("quotes") else "self",
                  entry_rate=run.get("entry", 0.0), stake_is_balance=run.get("stake_balance", False))
    make = Rebuild(pg.games.StakeVRF(0.0161, pop))
    a = b = r = solving = float("inf")
    for _ in range(ROUNDS):             # taking turns, best of each: a slow spell of the machine falls on every side
        Model.solved.clear()            # each run solves its own entry games, as pg.timeline does
        Model.solving = 0.0
        t = time.perf_counter()
        floor(epochs, pop.stake, pop.cost, **run)
        a, solving = min((a, solving), (time.perf_counter() - t, Model.solving))
        t = time.perf_counter()
        one = timeline(make, pop, env, seeds=SEEDS, economy=eco, rule=rule)
        b = min(b, time.perf_counter() - t)
        Model.solved.clear()
        rad = radcad_run(epochs, pop.stake, pop.cost, **run)
        r = None if rad is None else min(r, rad)
    t = time.perf_counter()
    two = timeline(make, pop, env, seeds=SEEDS, economy=eco, rule=rule, executor="processes", workers=2)
    c = time.perf_counter() - t
    same = one.kpis.equals(two.kpis) and one.balances.equals(two.balances) and one.ledger.equals(two.ledger)
    return (f"| {epochs} | {a:.3g} | {solving:.2g} | {b:.3g} | {b / a:.1f} | {c:.3g} "
            f"| {1e3 * b / (epochs * len(SEEDS)):.3g} "
            f"| {'yes' if same else 'NO'} | {'not installed' if r is None else f'{r:.3g}'} "
            f"| {'-' if r is None else f'{r / b:.1f}'} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10_000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    import pandas  # noqa: F401  (loaded before any timing, as in a notebook: radCAD and pg.timeline both use it)
    rows = [f"| {label} " + measure(max(1, int(args.epochs * share)), run, rule) for label, run, rule, share in RUNS]
    lines = [f"pg.timeline (StakeVRF, {N} provers, {DEMAND} units per epoch, {len(SEEDS)} seeds, rule equilibrium "
             "unless the row says otherwise) "
             "beside a numpy loop drawing the same randomness and carrying the same state "
             f"(best of {ROUNDS} runs each, taking turns); "
             f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores.", "",
             "| run | epochs | numpy loop, 1 process (s) | of which pg.solve (s) | pg.timeline, 1 process (s) | ratio "
             "| pg.timeline, 2 processes "
             "(s) | per epoch and seed, 1 process (ms) | same frames on 2 processes | radCAD 0.14, no deepcopy, 1 "
             "process (s) | radCAD / pg.timeline |", "|---|---|---|---|---|---|---|---|---|---|---|", *rows,
             "", "pg.timeline books stretches of epochs at once where only balances move between epochs "
             "(timeline._Run.stretch: the same demand and working provers; self-committed provers, reneging ones "
             "included, or assigned ones all delivering, or epoch quotes without a tie, best responses at their fixed "
             "point and gas, hardware up to the end of a life, no reinvestment or boosters; "
             "up to each newcomer's arrival), the same rows as epoch by epoch; "
             "each unit's sequencer, offline slots, failed units, censored commitments, the landed units' "
             "sequencers and the assignments come from per-unit draws indexed by epoch, and a stretch ends where a "
             "balance crosses the bond or a sequencer's balance would cap a slash (a drained network, nobody holding "
             "the bond, is booked in stretches too, and so is a sequencer holding nothing, each of its slashes capped "
             "at 0). Where the gas moves every epoch, "
             "each epoch's plan (one per pair of last epoch's and this epoch's gas: 100 here, each solved once) "
             "is served from its own buffer of rounds, parked and taken up as the step does, the refills drawn "
             "in epoch order, so that row is booked in stretches too (solving the 100 prices' entry games, once "
             "for all seeds, is part of its time). With newcomers, each arrival changes the entry game, whose "
             "equilibrium pg.timeline solves again (StakeVRF with free registration: its dominant-strategy "
             "equilibrium, certified). With stake as the balance the entry game changes every epoch: pg.timeline "
             "steps every epoch and solves and certifies its game, as the loop solves it. The numpy loop and the "
             "radCAD model carry the same state of who works: "
             "they call pg.solve on the same entry game at the start, at each arrival and at each gas price not "
             "met before (its seconds in the loop are a column of their own), draw the same randomness (Model.work: "
             "newcomers, the units' sequencers, the failed and censored units, each unit's prover among those "
             "working, its delivery and proving time, the landed units' sequencers) and book the provers' and the "
             "sequencers' balances, and nothing else (no KPIs, ledger, exits or plan)."]
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("# Timeline at scale\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""The network over time: a mechanism played epoch after epoch, with state carried across epochs.

Each epoch e of a run (one seed):
1. Prices. A proof submission costs gas_e = gas_price_e * 1e-9 * gas_per_submission / token_price_e
   tokens (gwei, gas, ETH per token), paid by every attempted proof, redundant ones included; the
   protocol pays gas_per_verification for each proof it accepts.
2. Who may take work: alive provers whose balance covers the bond.
3. Commitment, decided one epoch ahead at last epoch's prices (a prover commits before it knows
   the gas it will pay): "equilibrium" plays the certified equilibrium of last epoch's game (each one
   solved is a row of Timeline.decisions, with its certificate);
   "best-response" each prover's best response to the profile played last epoch; "myopic-reward"
   commits iff the reward per proof covers last epoch's gas.
4. Delivery at this epoch's prices: "equilibrium" and "best-response" deliver iff proving beats
   reneging, read off the game's own withholding bribe (forgone profit plus its slash) plus the
   epoch's `bond`, which a drawn prover that reneges forfeits (burned); "myopic-reward" delivers iff
   the reward covers this epoch's gas, ignoring the bond (aztec-gddt's behavioural rule). A prover
   that reneges has reliability 0: the rules re-draw or slash as they would on a failure.
5. The game's rules are played for the epoch's demand (game.play; the simulator's own face). Rounds are
   independent draws, so a steady stretch plays the rounds of many epochs in one call and splits them.
6. Fallback: units left unproven go to a race open to every alive prover (WinnerTakesAll with
   `fallback_reward` at its certified equilibrium, each entrant paying gas; with `fallback_deadline` a
   proof later than it is refused and the unit pruned), or are pruned. The proof phase starts once the
   proposal and commitment phases (`proposal_time`, `commitment_time`) have run: a proof is on time iff
   they and its proving time fit in the window.
7. Sequencers: the block reward `sequencer_reward` for every unit proven (fallback included; paid on
   proof, as Fernet finalises a block's rewards with its proof), less `gas_per_proposal` L1 gas for
   every unit proposed, proven or not: their profit and loss per epoch, in their own account.
8. Ledger: minted rewards; opex (proving cost), gas, burned (slashes, stake carrying cost) and
   capex leave the provers; balances update; a prover below the bond for `exit_after` epochs exits
   with its balance; Poisson(entry_rate) newcomers buy hardware (capex) and join after `entry_delay`;
   hardware lasts `lifetime` epochs, then is bought again if it paid for itself, or the prover leaves;
   with `reinvest`, that share of each epoch's positive profit moves from the balance into the stake
   (raising a stake-weighted prover's chances) and is withdrawn with the balance on exit;
   a reward booster's activity scores (games with `booster` and `scores`) decay each epoch and grow
   for each paid proof, newcomers starting at 0.
Conservation, every epoch: initial balances + minted = balances + opex + gas + burned + capex + withdrawn,
the sequencers' minted, gas and balance included.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .errors import (InvalidParameter, call_factory, check_bool, check_callable, check_choice, check_int, check_real,
                     check_sequence)
from .lazy import pandas as pd
from .model import Population
from .progress import expect, reports_progress, tick
from .timing import window_of
from provergame.games import protocols
from provergame.games.base import Game, trusted_profiles

RULES = ("equilibrium", "best-response", "myopic-reward")
FALLBACKS = ("race", "prune")
COMMITMENTS = ("self", "assigned", "quotes")


GAS_HISTORIES = {"l1-basefee-2025-01-01": "l1_basefee_2025-01-01.csv"}


def gas_histories() -> dict[str, str]:
    """The bundled L1 gas histories: name -> the source its file cites (its leading comment lines)."""
    from importlib.resources import files
    out = {}
    for name, file in GAS_HISTORIES.items():
        text = (files("provergame") / "data" / file).read_text()
        out[name] = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    return out


def gas_history(series: str) -> dict[str, np.ndarray]:
    """One bundled history as arrays: block number, timestamp (s) and base fee (gwei) per L1 block."""
    from importlib.resources import files
    if series not in GAS_HISTORIES:
        raise InvalidParameter("series", series, "one of " + ", ".join(repr(k) for k in GAS_HISTORIES))
    text = (files("provergame") / "data" / GAS_HISTORIES[series]).read_text()
    head, *body = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    columns = np.array(body).T
    return {name: columns[k].astype(float if name == "basefee_gwei" else np.int64) for k, name in enumerate(head)}


@dataclass(frozen=True)
class Environment:
    """Exogenous series of a timeline: gas price (gwei), token price (ETH per token) and demand per epoch.

    Build one with `steady`, `sinusoidal`, `shock` or `history` (a recorded L1 base-fee series).

    Parameters
    ----------
    gas_price, token_price, demand : numpy.ndarray
        One entry per epoch.

    Examples
    --------
    >>> import provergame as pg
    >>> env = pg.Environment.shock(30, gas=50, start=10, size=150, length=5, token_price=4.0, demand=3)
    >>> env.epochs, float(env.gas_price[12])
    (30, 200.0)
    """

    gas_price: np.ndarray
    token_price: np.ndarray
    demand: np.ndarray

    def __post_init__(self) -> None:
        from .errors import check_array
        gas = check_array("gas_price", np.atleast_1d(self.gas_price), lo=0, hi=1e9)
        n = len(gas)
        object.__setattr__(self, "gas_price", gas)
        object.__setattr__(self, "token_price", check_array("token_price", np.broadcast_to(
            np.asarray(self.token_price, float), n).copy(), n, lo=1e-18, hi=1e18))
        demand = np.broadcast_to(np.asarray(self.demand), n).copy()
        if demand.dtype.kind not in "iu" and not np.all(demand == np.round(demand)):
            raise InvalidParameter("demand", self.demand, "whole units of work per epoch")
        object.__setattr__(self, "demand", check_array("demand", demand.astype(float), n, lo=0, hi=1e7).astype(int))

    @property
    def epochs(self) -> int:
        return len(self.gas_price)

    @classmethod
    def steady(cls, epochs: int, gas: float = 50.0, token_price: float = 1e-3, demand: int = 10) -> "Environment":
        epochs = check_int("epochs", epochs, lo=1, hi=10_000_000)
        return cls(np.full(epochs, check_real("gas", gas, lo=0)), token_price, demand)

    @classmethod
    def sinusoidal(cls, epochs: int, gas: float = 50.0, amplitude: float = 25.0, period: int = 100,
                   token_price: float = 1e-3, demand: int = 10) -> "Environment":
        """gas + amplitude sin(2 pi e / period); the phase is taken modulo the period, so prices repeat exactly."""
        epochs = check_int("epochs", epochs, lo=1, hi=10_000_000)
        period = check_int("period", period, lo=1)
        amplitude = check_real("amplitude", amplitude, lo=0, hi=check_real("gas", gas, lo=0))
        phase = (np.arange(epochs) % period) / period
        return cls(gas + amplitude * np.sin(2 * np.pi * phase), token_price, demand)

    @classmethod
    def shock(cls, epochs: int, gas: float = 50.0, start: int = 100, size: float = 150.0, length: int = 50,
              token_price: float = 1e-3, demand: int = 10) -> "Environment":
        """gas, plus `size` gwei from epoch `start` for `length` epochs."""
        epochs = check_int("epochs", epochs, lo=1, hi=10_000_000)
        start, length = check_int("start", start, lo=0), check_int("length", length, lo=0)
        series = np.full(epochs, check_real("gas", gas, lo=0))
        series[start:start + length] += check_real("size", size, lo=0)
        return cls(series, token_price, demand)

    @classmethod
    def history(cls, epochs: int, epoch_seconds: float = 12.0, series: str = "l1-basefee-2025-01-01",
                token_price: float = 1e-3, demand: int = 10) -> "Environment":
        """A recorded L1 gas history (`provergame.timeline.gas_histories()` lists them with their sources):
        epoch e pays the base fee of the last L1 block at or before e * epoch_seconds from its first block."""
        epochs = check_int("epochs", epochs, lo=1, hi=10_000_000)
        epoch_seconds = check_real("epoch_seconds", epoch_seconds, lo=0, lo_open=True, hi=1e9)
        blocks = gas_history(series)
        elapsed = (blocks["timestamp"] - blocks["timestamp"][0]).astype(float)
        longest = int(elapsed[-1] // epoch_seconds) + 1
        if epochs > longest:
            raise InvalidParameter("epochs", epochs, f"at most {longest} epochs of {epoch_seconds:g} s: the history "
                                   f"{series!r} spans {elapsed[-1]:g} s")
        at = np.searchsorted(elapsed, np.arange(epochs) * epoch_seconds, side="right") - 1
        return cls(blocks["basefee_gwei"][at], token_price, demand)

    def submission_cost(self, gas_per_submission: float) -> np.ndarray:
        """Tokens one proof submission costs in each epoch."""
        return self.gas_price * 1e-9 * gas_per_submission / self.token_price


@dataclass(frozen=True)
class Economy:
    """The token economy a timeline runs in: gas, bonds, entry and exit, hardware, fallback.

    Parameters
    ----------
    gas_per_submission, gas_per_verification, gas_per_proposal : float
        L1 gas of one proof submission (every attempt), paid by the protocol per accepted proof, and
        paid by the sequencer per unit of demand.
    bond : float
        Balance a prover must hold to take work (forfeited by a prover that commits and reneges).
    initial_balance, capex, lifetime : float, float, int
        Starting balance, hardware cost and its life in epochs.
    entry_rate, entry_delay, entrant_cost_sigma : float, int, float
        Newcomers per epoch (Poisson), epochs before they work, spread of their costs.
    exit_after : int
        Epochs below the bond before a prover leaves.
    fallback, fallback_reward : str, float
        "race" (an open race paid `fallback_reward`) or "prune" for units left unproven.
    window, stake_is_balance, reinvest, sequencer_reward : float, bool, float, float
        On-time window, whether stake is the whole balance, the share of profit restaked, the
        sequencers' reward per unit proven.
    commitment : {"self", "assigned", "quotes"}
        Who commits a prover to each unit: "self" (provers commit one epoch ahead at last epoch's gas and
        the game's own rule picks each unit's prover among them), "assigned" (the slot's sequencer
        assigns a prover holding the bond, uniformly, who cannot decline: aztec-gddt's proving market;
        the game gives the reward per proof) or "quotes" (Aztec's epoch proof quotes: provers holding the
        bond quote for the whole epoch at last epoch's gas, the lowest quote wins at the second-lowest
        cost (Bertrand), capped at the reward, and the winner posts one bond for the epoch; the rest of
        the reward goes to the sequencers). Either way a committed prover that submits nothing
        forfeits one bond per unit, and only submissions made pay compute and gas.
    sequencer_offline, censorship : float
        Chance a slot's sequencer is offline (no block proposed: the unit is missed, nobody pays gas),
        and the share of proposed units whose commitment is censored on L1 (they go to the fallback).
    sequencer_failure, sequencer_slash : float, float
        The share of proposed units whose sequencer fails a later phase of its own (aztec-gddt's
        commitment-bond and content-reveal phases, each timing out with a slash): the unit goes to the
        fallback and the sequencer forfeits `sequencer_slash` tokens for it (burned), up to what its
        balance holds.
    sequencers, sequencer_funds, sequencers_need_funds : int, float, bool
        How many sequencers take the slots (each unit's proposer drawn uniformly), each one's starting
        balance, and whether a sequencer proposes only the units whose proposal gas its balance covers
        (the rest of its slots are missed). Each has its own account: its block rewards for the units it
        proposed that landed (drawn among the units landed, without replacement), its proposal gas.
    proof_deadline : float
        The proof phase's timeout, in time units from the commitment (default: none). Under "assigned"
        and "quotes" a committed prover whose proof is not ready by then abandons it: its compute is
        spent, nothing is submitted (no gas), its bond is forfeited and the unit goes to the fallback
        phase. Self-committed units follow the game's own rules (e.g. a VRF design's failover deadline).
    proposal_time, commitment_time : float
        How long the proposal and the commitment phases take from the slot's start (default 0): the proof
        phase starts after both, so a proof is on time iff proposal_time + commitment_time + its proving
        time <= window (`proof_window`).
    fallback_deadline : float
        The fallback phase's timeout (default: none): the fallback race refuses a proof landing later than
        this after it opens (WinnerTakesAll(deadline=...), its entrants deciding on the timed race) and the
        unit is pruned; an entrant pays gas only for a proof ready by then (in expectation, gas (1 - e^{-r D})).

    Examples
    --------
    >>> import provergame as pg
    >>> pg.Economy(bond=16.0, fallback="prune").bond
    16.0
    """

    gas_per_submission: float = 700_000.0      # L1 gas of one proof submission (every attempt)
    gas_per_verification: float = 0.0          # L1 gas the protocol pays per accepted proof
    bond: float = 0.0                          # balance a prover must hold to take work
    initial_balance: float = 100.0
    capex: float = 0.0                         # hardware bought on entry, and again when it wears out
    lifetime: int = 1000                       # epochs the hardware lasts; then a prover re-buys it if its
                                               # profit over that life covered the capex, else it leaves
    entry_rate: float = 0.0                    # newcomers per epoch (Poisson)
    entry_delay: int = 0                       # epochs from buying hardware to taking work
    entrant_cost_sigma: float = 0.3            # log-normal spread of entrants' costs around the median
    exit_after: int = 20                       # epochs below the bond before a prover leaves
    fallback: str = "race"                     # unproven units: "race" open to all, or "prune"
    fallback_reward: float = 0.0               # paid for a unit proved in the fallback race
    window: float = 1.0                        # on time within this many time units
    stake_is_balance: bool = False             # provers stake their whole balance (starting at their stake):
                                               # slashes drain stake, rewards compound into it
    reinvest: float = 0.0                      # share of each epoch's positive profit a prover adds to its stake
                                               # (locked: it leaves the balance, and returns on exit)
    sequencer_reward: float = 0.0              # the sequencers' block reward per unit proven (paid on proof)
    gas_per_proposal: float = 0.0              # L1 gas the sequencer pays to propose each unit of demand
    commitment: str = "self"                   # "self", "assigned" (the sequencer assigns) or "quotes" (epoch quotes)
    sequencer_offline: float = 0.0             # chance a slot's sequencer proposes nothing
    censorship: float = 0.0                    # share of proposed units whose commitment is censored on L1
    sequencer_failure: float = 0.0             # share of proposed units whose sequencer fails a later phase
    sequencer_slash: float = 0.0               # what a sequencer forfeits for each unit it fails
    sequencers: int = 1                        # sequencers taking the slots, each unit's proposer drawn uniformly
    sequencer_funds: float = 0.0               # each sequencer's starting balance
    sequencers_need_funds: bool = False        # a sequencer proposes only what its balance's gas covers
    proof_deadline: float = float("inf")       # the proof phase's timeout (time units from commitment): a
                                               # sequencer-assigned or quoted proof not ready by then is
                                               # abandoned (compute spent, no gas, bond forfeited) and the unit
                                               # goes to the fallback
    proposal_time: float = 0.0                 # the proposal phase's duration from the slot's start
    commitment_time: float = 0.0               # the commitment phase's duration after it
    fallback_deadline: float = float("inf")    # the fallback race's timeout: a later proof is refused, the unit pruned

    @property
    def proof_window(self) -> float:
        """The part of the window left to prove once the proposal and commitment phases have run."""
        return max(self.window - self.proposal_time - self.commitment_time, 0.0)

    def __post_init__(self) -> None:
        for name in ("gas_per_submission", "gas_per_verification", "bond", "initial_balance", "capex",
                     "entry_rate", "entrant_cost_sigma", "fallback_reward", "sequencer_reward", "gas_per_proposal"):
            check_real(name, getattr(self, name), lo=0)
        window_of(self.window)
        for name in ("proof_deadline", "fallback_deadline"):          # inf: no timeout
            if getattr(self, name) != float("inf"):
                check_real(name, getattr(self, name), lo=0, lo_open=True)
        check_real("proposal_time", self.proposal_time, lo=0)
        check_real("commitment_time", self.commitment_time, lo=0)
        check_int("lifetime", self.lifetime, lo=1)
        check_int("entry_delay", self.entry_delay, lo=0)
        check_int("exit_after", self.exit_after, lo=1)
        check_real("reinvest", self.reinvest, lo=0, hi=1)
        if self.reinvest > 0 and self.stake_is_balance:
            raise InvalidParameter("reinvest", self.reinvest, "0 when stake_is_balance (the whole balance is already "
                                   "the stake)")
        if self.fallback not in FALLBACKS:
            raise InvalidParameter("fallback", self.fallback, " or ".join(FALLBACKS))
        if self.commitment not in COMMITMENTS:
            raise InvalidParameter("commitment", self.commitment, " or ".join(COMMITMENTS))
        check_real("sequencer_offline", self.sequencer_offline, lo=0, hi=1)
        check_real("censorship", self.censorship, lo=0, hi=1)
        check_real("sequencer_failure", self.sequencer_failure, lo=0, hi=1)
        check_real("sequencer_slash", self.sequencer_slash, lo=0)
        check_int("sequencers", self.sequencers, lo=1, hi=100_000)
        check_real("sequencer_funds", self.sequencer_funds, lo=0)
        check_bool("sequencers_need_funds", self.sequencers_need_funds)


@dataclass
class _State:
    """One run's provers, growing as newcomers arrive."""

    cost: np.ndarray
    rate: np.ndarray
    stake: np.ndarray
    reliability: np.ndarray
    capacity: np.ndarray
    balance: np.ndarray
    alive: np.ndarray
    joins: np.ndarray          # first epoch it may take work
    below: np.ndarray          # consecutive epochs below the bond
    bought: np.ndarray         # epoch its hardware was bought
    earned: np.ndarray         # profit since then
    names: list[str] = field(default_factory=list)
    restaked: np.ndarray = field(default_factory=lambda: np.zeros(0))   # profit moved into stake

    def add(self, rng: np.random.Generator, k: int, epoch: int, economy: Economy) -> float:
        med = float(np.median(self.cost))
        self.cost = np.append(self.cost, med * rng.lognormal(0.0, economy.entrant_cost_sigma, k))
        self.rate = np.append(self.rate, np.full(k, float(np.median(self.rate))))
        self.stake = np.append(self.stake, np.full(k, float(np.median(self.stake))))
        self.reliability = np.append(self.reliability, np.full(k, float(np.median(self.reliability))))
        self.capacity = np.append(self.capacity, np.full(k, float(np.median(self.capacity))))
        self.balance = np.append(self.balance, np.full(k, economy.initial_balance - economy.capex))
        self.alive = np.append(self.alive, np.ones(k, dtype=bool))
        self.joins = np.append(self.joins, np.full(k, epoch + economy.entry_delay))
        self.below = np.append(self.below, np.zeros(k, dtype=int))
        self.bought = np.append(self.bought, np.full(k, epoch))
        self.earned = np.append(self.earned, np.zeros(k))
        self.restaked = np.append(self.restaked, np.zeros(k))
        self.names += [f"entrant{len(self.names) + j}" for j in range(k)]
        return k * economy.initial_balance


@dataclass(frozen=True)
class BalanceBlocks:
    """One seed's prover balances as its run keeps them: blocks of (alive provers' indices, (epochs,
    alive) balances), one per stretch of epochs or per epoch stepped alone, and the provers' names."""

    seed: int
    epochs: int
    blocks: list
    names: list

    def frame(self) -> pd.DataFrame:
        """One row per (epoch, prover alive): seed, epoch, prover (categorical where names are unique), balance."""
        blocks, names = self.blocks, self.names
        lengths = np.concatenate([np.full(len(b), len(i)) for i, b in blocks]) if blocks else np.zeros(0, int)
        idx = np.concatenate([np.tile(i, len(b)) for i, b in blocks]) if blocks else np.zeros(0, int)
        return pd.DataFrame({"seed": self.seed, "epoch": np.repeat(np.arange(self.epochs), lengths),
                             "prover": pd.Categorical.from_codes(idx, categories=pd.Index(names, dtype=object))
                             if len(set(names)) == len(names) else np.asarray(names, dtype=object)[idx],
                             "balance": np.concatenate([b.ravel() for _, b in blocks]) if blocks else np.zeros(0)},
                            copy=False)


@dataclass(frozen=True)
class Timeline:
    """A timeline's results: `kpis` one row per (seed, epoch); `balances` one row per (seed, epoch, prover alive),
    built from the seeds' `balance_blocks` when first read (10^7 rows for 10,000 epochs x 100 provers x 10
    seeds); `ledger` the token flows per (seed, epoch) with the conservation residual; `sequencers` one row per
    (seed, epoch, sequencer) with its balance; `decisions` one row per equilibrium a run solved and played (an
    epoch game under rule "equilibrium", or a paid fallback race): the seed and epoch that solved it (seeds
    without newcomers share their games within a process or worker, so a later seed there solves only what is
    new), its provers, the solver's method and its certificate (regret of the best unilateral deviation,
    certified)."""

    kpis: pd.DataFrame
    balance_blocks: tuple
    ledger: pd.DataFrame
    sequencers: pd.DataFrame
    rule: str
    decisions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    _built: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def balances(self) -> pd.DataFrame:
        """One row per (seed, epoch, prover alive) with its balance, built once."""
        if "balances" not in self._built:
            self._built["balances"] = stack_frames([b.frame() for b in self.balance_blocks])
        return self._built["balances"]

    def conservation(self) -> float:
        """Largest |initial + minted - balances - opex - gas - burned - capex - withdrawn| over the epochs,
        the sequencers' account included (their block rewards in, their proposal gas out)."""
        return float(self.ledger["residual"].abs().max()) if len(self.ledger) else 0.0


class Rebuild:
    """Picklable population -> game: `game` with its provers replaced, seat counts capped at the
    provers present, and optional per-prover parameters left unset where they were the old provers'
    own column (a default, e.g. proving cost = cost) or sized for another population."""

    def __init__(self, game: Any):
        self.game = game

    def __call__(self, population: Population) -> Any:
        from dataclasses import fields, replace

        from .params import Array, spec_of
        old = self.game.provers
        columns = [getattr(old, c) for c in Population.COLUMNS]
        changes: dict[str, Any] = {"provers": population}
        for f in fields(self.game):
            spec, value = spec_of(f), getattr(self.game, f.name)
            if not (isinstance(spec, Array) and spec.length == "provers" and value is not None):
                continue
            derived = any(np.array_equal(value, c) for c in columns)
            if len(value) != len(population) or derived:
                if not spec.optional:
                    raise InvalidParameter(f.name, "per prover", "an optional per-prover parameter (the "
                                           "timeline's population changes)")
                changes[f.name] = None
        for name in self.game.traits.seat_fields:
            changes[name] = min(getattr(self.game, name), len(population))
        return replace(self.game, **changes)


@reports_progress("timeline: epochs")
def timeline(make_game: Callable[[Population], Any], provers: Population, environment: Environment,
             seeds: Sequence[int] = (0,), rule: str = "equilibrium", economy: Economy | None = None,
             executor: Any = None, workers: int | None = None, progress: bool | None = None) -> Timeline:
    """Play `make_game(population)` epoch after epoch under `environment`.

    Each epoch: newcomers arrive, the provers able to bond commit (at last epoch's gas) and deliver
    (at this epoch's) by `rule`, a fallback covers what is left, balances, stake and hardware settle,
    and the books close (tokens conserved, `Timeline.conservation()`). One run per seed,
    reproducible bit for bit; seeds may spread over `executor`.

    Parameters
    ----------
    make_game : callable
        population -> game whose players are the provers (picklable for executors: a top-level
        function, a Recipe or `provergame.timeline.Rebuild(game)`).
    provers : Population
        The provers at the start.
    environment : Environment
        Gas price, token price and demand per epoch.
    seeds : sequence of int, default (0,)
        One run each.
    rule : {"equilibrium", "best-response", "myopic-reward"}, default "equilibrium"
        How provers commit and deliver.
    economy : Economy, optional
        Bonds, gas per submission, entry, exit, capex, fallback, reinvestment.
    executor, workers : optional
        Where the seeds run.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    Timeline
        kpis (per seed and epoch), balances (per prover), ledger (token flows and residual), sequencers
        (each sequencer's balance per seed and epoch), decisions (each equilibrium solved and played, with
        its certificate).

    Raises
    ------
    InvalidParameter
        If the rule, provers, environment or game cannot run as a timeline.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[0.001, 0.002], stake=[1.0, 2.0], reliability=0.99)
    >>> env = pg.Environment.steady(20, gas=50.0, demand=4)
    >>> tl = pg.timeline(lambda p: pg.games.StakeVRF(0.05, p), pop, env, seeds=[0])
    >>> len(tl.kpis), tl.conservation() < 1e-9
    (20, True)
    """
    economy = _checked_economy(economy)
    seeds = _checked_seeds(seeds)
    _check_run(make_game, provers, environment, rule, economy.commitment)
    expect("timeline", len(seeds) * environment.epochs)
    if executor is None or executor == "serial" or len(seeds) == 1:
        runs = _runs(make_game, provers, environment, seeds, rule, economy)
    else:
        runs = _runs_on(executor, workers, make_game, provers, environment, seeds, rule, economy)
    return Timeline(_stacked([r[0] for r in runs]), tuple(r[1] for r in runs), _stacked([r[2] for r in runs]),
                    _stacked([r[3] for r in runs]), rule=rule, decisions=_stacked([r[4] for r in runs]))


def _stacked(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """The seeds' columns (one mapping of column -> array per seed, in order) as one frame, each column
    concatenated by numpy: the frame pd.concat gives of the seeds' frames, without a frame per seed."""
    return pd.DataFrame({name: np.concatenate([p[name] for p in parts]) for name in parts[0]}, copy=False)


def stack_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """pd.concat(frames, ignore_index=True) for frames with the same columns and dtypes, by numpy column by
    column (categoricals by their codes) into one frame without consolidating its blocks: the seeds'
    balance frames of a long run (10^7 rows) in a tenth of pd.concat's time. Other frames: pd.concat."""
    first = frames[0]
    same = all(list(f.columns) == list(first.columns) and f.dtypes.equals(first.dtypes) for f in frames)
    if len(frames) == 1 or not same:
        return pd.concat(frames, ignore_index=True)
    columns = {}
    for name, dtype in first.dtypes.items():
        parts = [f[name] for f in frames]
        if isinstance(dtype, pd.CategoricalDtype):
            columns[name] = pd.Categorical.from_codes(np.concatenate([p.cat.codes.to_numpy() for p in parts]),
                                                      dtype=dtype)
        else:
            columns[name] = np.concatenate([p.to_numpy() for p in parts])
    return pd.DataFrame(columns, copy=False)


def _runs_on(executor: Any, workers: int | None, make_game: Callable[[Population], Any], provers: Population,
             environment: Environment, seeds: list[int], rule: str, economy: Economy) -> list:
    """The seeds' runs spread over `executor` in `workers` groups (make_game must pickle)."""
    import os
    import pickle

    from .sweep import _executor
    try:
        pickle.dumps(make_game)
    except Exception:      # noqa: BLE001 - lambdas, closures and local classes do not pickle
        raise InvalidParameter("make_game", getattr(make_game, "__name__", type(make_game).__name__),
                               "a picklable callable to run on an executor (a top-level function or "
                               "provergame.timeline.Rebuild(game))") from None
    from .sweep import check_executor
    from .workers import check_workers
    check_executor(executor)
    workers = check_workers(workers) if executor == "processes" else \
        check_int("workers", workers if workers is not None else (os.cpu_count() or 1), lo=1, hi=4096)
    groups = [list(g) for g in np.array_split(np.asarray(seeds, dtype=object), min(workers, len(seeds)))]
    with _executor(executor, workers) as pool:
        futures = [pool.submit(_runs, make_game, provers, environment, g, rule, economy) for g in groups]
        runs = []
        for f, g in zip(futures, groups):
            runs += f.result()
            tick("timeline", f"seeds {g[0]}-{g[-1]}", steps=len(g) * environment.epochs)
        return runs


def _checked_economy(economy: Any) -> "Economy":
    if economy is None:
        return Economy()
    if not isinstance(economy, Economy):
        raise InvalidParameter("economy", type(economy).__name__, "a provergame.Economy (or None)")
    return economy


def _checked_seeds(seeds: Any) -> list[int]:
    return [check_int("seeds", s, lo=0, hi=2 ** 63 - 1)
            for s in check_sequence("seeds", seeds, "a non-empty list of integer seeds >= 0")]


def _check_run(make_game: Callable[[Population], Any], provers: Population, environment: Environment,
               rule: str, commitment: str = "self") -> None:
    """Refuse what a timeline cannot run, naming the argument: its rule, provers, environment, or a game
    whose players are not the provers."""
    check_choice("rule", rule, RULES)
    check_callable("make_game", make_game)
    if not isinstance(provers, Population):
        raise InvalidParameter("provers", type(provers).__name__, "a provergame Population")
    if not isinstance(environment, Environment):
        raise InvalidParameter("environment", type(environment).__name__, "a provergame Environment")
    probe = call_factory(make_game, provers)
    if not isinstance(probe, Game):
        raise InvalidParameter("make_game", type(make_game).__name__, "a function returning provergame games")
    if probe.traits.players_field != "provers":
        raise InvalidParameter("make_game", probe.title, "a game whose players are the provers (no prover "
                               "population to carry across epochs: FeeSharing, ScrollAuction and B52 are played "
                               "by sequencers or builders, the procurement auctions draw costs from a law, "
                               "Predation plays its own path)")
    if rule == "myopic-reward" and (probe.traits.budget_field is None or probe.traits.strategy != "entry"):
        raise InvalidParameter("rule", rule, f"'equilibrium' or 'best-response' for {probe.title} (the myopic "
                               f"rule needs an entry game with one reward per proof)")
    if commitment != "self" and (probe.traits.budget_field is None or probe.traits.strategy != "entry"):
        raise InvalidParameter("commitment", commitment, f"'self' for {probe.title} (an assigned prover is paid the "
                               f"game's one reward per proof: an entry game with a budget parameter)")


def _runs(make_game, provers: Population, env: Environment, seeds: Sequence[int], rule: str, eco: Economy) -> list:
    """The seeds' runs, one after another; without newcomers they share their epoch games and decisions
    (a prover's index is then the same prover in every seed, and the caches are keyed by index)."""
    shared = _Shared() if eco.entry_rate == 0 else None
    return [_run(make_game, provers, env, int(seed), rule, eco, shared) for seed in seeds]


class _Shared:
    """The epoch games, their equilibria, the epoch plans and the fallback races with their equilibria,
    kept across the seeds of one timeline: each depends on the seed only through what its key holds."""

    def __init__(self) -> None:
        self.kept: dict[bytes, Any] = {}
        self.profiles: dict[bytes, np.ndarray] = {}
        self.decided: dict[bytes, tuple] = {}
        self.solved: dict[bytes, tuple] = {}


def _population(state: _State, index: np.ndarray, gas: Any, delivers: np.ndarray | None = None) -> Population:
    rel = state.reliability[index] if delivers is None else state.reliability[index] * delivers
    return Population.from_arrays(cost=state.cost[index] + gas, rate=state.rate[index], stake=state.stake[index],
                                  reliability=rel, capacity=state.capacity[index], names=[state.names[i] for i in index])


class _Games:
    """The epoch games of one run, kept by everything they are built from (who works, their costs,
    stakes and reliabilities, the gas): a steady epoch builds and solves its game once."""

    def __init__(self, limit: int = 4096):
        self.kept: dict[bytes, Any] = {}
        self.profiles: dict[bytes, np.ndarray] = {}
        self.limit = limit
        self.scores: np.ndarray | None = None     # reward-booster scores carried across epochs
        self.epoch = 0                            # the run's epoch, for the records
        self.records: list[tuple] = []            # (game, epoch, provers, method, regret, certified) solved

    def record(self, kind: str, game: Any, eq: Any) -> np.ndarray:
        """Keep the certificate of an equilibrium this run solved and plays; its profile."""
        self.records.append((kind, self.epoch, game.n, eq.method, float(eq.regret), bool(eq.certified)))
        return eq.profile

    def _key(self, state: _State, index: np.ndarray, gas: float, delivers: np.ndarray | None) -> bytes:
        return b"".join([index.tobytes(), np.float64(gas).tobytes(), state.stake[index].tobytes(),
                         b"" if delivers is None else delivers.tobytes(),
                         b"" if self.scores is None else self.scores[index].tobytes()])

    def get(self, make_game: Any, state: _State, index: np.ndarray, gas: float,
            delivers: np.ndarray | None = None) -> Any:
        key = self._key(state, index, gas, delivers)
        game = self.kept.get(key)
        if game is None:
            if len(self.kept) >= self.limit:
                self.kept.clear()
                self.profiles.clear()
            game = make_game(_population(state, index, gas, delivers))
            if self.scores is not None:
                from dataclasses import replace
                game = replace(game, scores=self.scores[index])
            self.kept[key] = game
        return game

    def equilibrium(self, make_game: Any, state: _State, index: np.ndarray, gas: float) -> np.ndarray:
        """The equilibrium profile of that epoch game (the game's solver, certified; a pure profile: an
        epoch plays one price per prover), solved once."""
        from .api import _solve_pure
        game = self.get(make_game, state, index, gas)
        key = self._key(state, index, gas, None)
        if key not in self.profiles:
            self.profiles[key] = self.record("epoch game", game, _solve_pure(game))
        return self.profiles[key]


class _Ahead:
    """Rounds of one epoch plan's game played ahead, handed out epoch by epoch while the plan holds.

    Rounds of `game.play` are independent draws of the same rules, so playing the rounds of many epochs in
    one call and splitting them gives each epoch what its own call would have (in law): a steady stretch
    draws its randomness in a few vectorised calls instead of one per epoch. A plan change (who works,
    the gas, the profile) parks the rounds not yet handed out, up to `parked` plans (their rounds up to
    `most` each), and a plan met again takes up its own (a gas price that comes back, as a cycle or a
    history does). The batch doubles with each refill of a plan (from `first` to `most` rounds)."""

    PLAN = ("size", "cursor", "rounds", "played", "proved", "window", "timely")

    def __init__(self, first: int = 64, most: int = 1 << 16, parked: int = 128):
        self.first, self.most, self.room = first, most, parked
        self.key: bytes | None = None
        self.size = first
        self.cursor = self.rounds = 0
        self.window: float | None = None          # the window `timely` was computed for
        self.parked: dict[bytes, tuple] = {}
        self.pending: tuple | None = None         # a stretch served, not yet kept

    def take(self, key: bytes, game: Any, profile: np.ndarray, rng: np.random.Generator, units: int,
             window: float, left: int = 1 << 62) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        """The next `units` rounds of the plan `key`: per-prover reward, cost and attempts summed, and the
        rounds with an accepted proof and with one on time. `left`: the rounds the run can still ask for
        (its remaining demand), which caps a refill."""
        self._ready(key, game, profile, rng, units, left)
        lo, hi = self.cursor, self.cursor + units
        self.cursor = hi
        a = self.played.assignments
        if a is None:
            totals = self.played.between(lo, hi).totals()
        else:                                    # Outcomes.between(lo, hi).totals(), without the objects
            first, last = np.searchsorted(a.row, (lo, hi))
            col = a.col[first:last]
            totals = (np.bincount(col, a.reward[first:last], a.n),
                      np.bincount(col, a.cost[first:last], a.n) + units * a.standing,
                      np.bincount(col, a.attempted[first:last].astype(float), a.n)
                      + units * (0.0 if a.standing_attempted is None else a.standing_attempted))
        if self.window != window:
            self.window, self.timely = window, self.played.on_time(window) >= 1
        return (*totals, int(np.count_nonzero(self.proved[lo:hi])), int(np.count_nonzero(self.timely[lo:hi])))

    def _ready(self, key: bytes, game: Any, profile: np.ndarray, rng: np.random.Generator, units: int,
               left: int) -> None:
        """The buffer of plan `key`, refilled when it cannot serve the next `units` rounds: the batch's size, or
        the `left` rounds the run can still ask for where fewer."""
        if key != self.key:
            self._switch(key)
        self.refilled = self.cursor + units > self.rounds
        if self.refilled:
            rounds = _refill(units, self.size, left)
            with trusted_profiles():                 # the plan's profile was checked when it was decided
                self.played = game.play(profile, rng, rounds).by_round()
            self.proved, self.window = self.played.proved(), None      # per round; on time: at the first take
            self.rounds, self.cursor = rounds, 0
            self.size = min(2 * self.size, self.most)

    def _switch(self, key: bytes) -> None:
        """Park the current plan's rounds left (the oldest parked plan dropped past `room`) and take up
        plan `key`'s, or start it afresh."""
        if self.key is not None and self.rounds > self.cursor:
            if len(self.parked) >= self.room:
                self.parked.pop(next(iter(self.parked)))
            self.parked[self.key] = tuple(getattr(self, name, None) for name in self.PLAN)
        kept = self.parked.pop(key, None)
        self.key = key
        if kept is None:
            self.size, self.cursor, self.rounds, self.window = self.first, 0, 0, None
        else:
            for name, value in zip(self.PLAN, kept):
                setattr(self, name, value)

    def serve(self, keys: list[bytes], which: np.ndarray, specs: dict[bytes, tuple], rng: np.random.Generator,
              played: np.ndarray, window: float, left: np.ndarray) -> tuple[np.ndarray, ...]:
        """The leading epochs of a stretch as `take`, epoch by epoch, would serve them: `keys[which[i]]` epoch i's
        plan (`specs`: each plan's game and profile, all over the same provers), `played` its rounds (zeros
        allowed: no take), `left` the run's remaining demand from it. Each plan's rounds come from its own buffer,
        switched, parked and refilled where the step does it, the refills drawn from `rng` in epoch order;
        the stretch stops before an epoch that would refill a plan's buffer a second time, and plans parked
        past `room` are dropped as the step drops them. Nothing is handed out until `keep`. Returns per epoch
        and prover reward, cost and attempts, (k, n) each, and per epoch the rounds proved and on time, (k,)
        each."""
        played = np.asarray(played, dtype=np.int64)
        plan = self._schedule(keys, which, played, left, len(played))
        drawn, states = {}, []
        for i, key in plan["refills"]:                 # in epoch order, as the step meets them
            states.append((i, rng.bit_generator.state))
            game, profile = specs[key]
            with trusted_profiles():
                out = game.play(profile, rng, plan["rounds"][key]).by_round()
            drawn[key] = (out, out.proved())
        self.pending = (keys, which, played, left, rng, states, drawn)
        k, n = plan["cut"], len(next(iter(specs.values()))[1])
        out = None
        for (key, fresh), (rows, start) in plan["segments"].items():
            buffer = drawn[key][0] if fresh else self._buffer(key)[0]
            rows = np.array(rows)
            part = buffer.between(start, start + int(played[rows].sum()))
            epoch = np.repeat(np.arange(len(rows)), played[rows])
            got = (*part.epoch_totals(played[rows]), np.bincount(epoch, part.proved(), len(rows)).astype(np.int64),
                   np.bincount(epoch, part.on_time(window) >= 1, len(rows)).astype(np.int64))
            if len(rows) == k:                    # one segment, every epoch played: its arrays as they are
                return got
            if out is None:
                out = (np.zeros((k, n)), np.zeros((k, n)), np.zeros((k, n)), np.zeros(k, dtype=np.int64),
                       np.zeros(k, dtype=np.int64))
            for whole, part_of in zip(out, got):
                whole[rows] = part_of
        return out if out is not None else (np.zeros((k, n)), np.zeros((k, n)), np.zeros((k, n)),
                                            np.zeros(k, dtype=np.int64), np.zeros(k, dtype=np.int64))

    def _buffer(self, key: bytes) -> tuple:
        """(rounds played, proved per round, window, on time) of plan `key`'s buffer as it stands."""
        if key == self.key:
            return self.played, self.proved, self.window, getattr(self, "timely", None)
        kept = dict(zip(self.PLAN, self.parked[key]))
        return kept["played"], kept["proved"], kept["window"], kept["timely"]

    def _state(self, key: bytes) -> list:
        """[size, cursor, rounds] of plan `key` as the buffer stands: current, parked or fresh."""
        if key == self.key:
            return [self.size, self.cursor, self.rounds]
        if key in self.parked:
            kept = dict(zip(self.PLAN, self.parked[key]))
            return [kept["size"], kept["cursor"], kept["rounds"]]
        return [self.first, 0, 0]

    def _schedule(self, keys: list[bytes], which: np.ndarray, played: np.ndarray, left: np.ndarray, upto: int
                  ) -> dict:
        """What `take` would do over epochs 0 to upto - 1 (see serve): the epoch it must stop before ("cut"),
        the refills (epoch, plan) and their rounds, each (plan, refilled) segment's epochs and first round,
        and the buffers' states after, the parked plans in the order the step parks them and the current one.
        Integer bookkeeping, a run of epochs of one plan at a time: the rounds are drawn by `serve`."""
        out = {"cut": upto, "refills": [], "rounds": {}, "segments": {}, "state": {}, "dropped": set()}
        parked, current = dict.fromkeys(self.parked), self.key
        playing = np.flatnonzero(played[:upto])
        codes = np.asarray(which)[playing]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(playing) else np.zeros(0, int)
        epochs, units, codes = playing.tolist(), played[playing].tolist(), codes.tolist()
        for a, b in zip(starts.tolist(), np.r_[starts[1:], len(playing)].tolist()):
            key = keys[codes[a]]
            if key != current:
                self._park(out, parked, current, key)
                current = key
            s = out["state"].get(key)
            if s is None:
                s = out["state"][key] = self._state(key) + [False]
            cut = self._run_of(out, key, s, epochs[a:b], units[a:b], left)
            if cut is not None:
                out["cut"] = cut
                break
        out.update(parked=[p for p in parked if p != current], current=current)
        return out

    def _park(self, out: dict, parked: dict, current: bytes | None, key: bytes) -> None:
        """`_switch` from `current` to `key` in a schedule: the current plan parked if it has rounds left (the
        oldest parked dropped past `room`), else dropped; `key` taken up, afresh where it was dropped."""
        state, dropped = out["state"], out["dropped"]
        if current is not None:
            cursor, held = (state[current] if current in state else self._state(current))[1:3]
            if held > cursor:
                if len(parked) >= self.room:
                    oldest = next(iter(parked))
                    parked.pop(oldest)
                    dropped.add(oldest)
                parked[current] = None
            else:
                dropped.add(current)
        parked.pop(key, None)
        if key in dropped:
            dropped.discard(key)
            state[key] = [self.first, 0, 0, state[key][3] if key in state else False]

    def _run_of(self, out: dict, key: bytes, s: list, epochs: list[int], units: list[int], left: np.ndarray
                ) -> int | None:
        """A run of `epochs` of plan `key` (state `s`: size, cursor, rounds, refilled), `units` rounds each,
        served as `take` would: from the buffer while it holds, then one refill; returns the epoch to stop
        before where a second refill would be needed, else None."""
        done = 0
        for _ in range(2):
            fits = _fitting(units, done, s[2] - s[1])
            if fits:
                rows, _ = out["segments"].setdefault((key, s[3]), ([], s[1]))
                rows.extend(epochs[done:done + fits])
                s[1] += sum(units[done:done + fits])
                done += fits
            if done == len(epochs) or s[3]:           # all served, or refilled once in this stretch already
                return None if done == len(epochs) else epochs[done]
            e = epochs[done]
            out["rounds"][key] = _refill(units[done], s[0], int(left[e]))
            out["refills"].append((e, key))
            s[:] = [min(2 * s[0], self.most), 0, out["rounds"][key], True]
        return epochs[done]

    def keep(self, k: int) -> None:
        """After `serve`, hand out the rounds of its first `k` epochs: the buffers as the step leaves them after
        epoch k - 1, refills drawn for later epochs undone (the stream back to before the first of them)."""
        if self.pending is None:                  # nothing served: nothing to hand out
            return
        keys, which, played, left, rng, states, drawn = self.pending
        later = [state for i, state in states if i >= k]
        if later:
            rng.bit_generator.state = later[0]
        plan = self._schedule(keys, which, played, left, k)
        fields = self._fields(plan, drawn)
        untouched = {p: self.parked[p] for p in self.parked if p not in plan["state"]}
        if self.key is not None and self.key not in plan["state"]:
            untouched[self.key] = tuple(getattr(self, name, None) for name in self.PLAN)
        self.parked = {p: untouched[p] if p in untouched else fields[p] for p in plan["parked"]}
        self.key = plan["current"]
        if self.key is not None:
            for name, value in zip(self.PLAN, untouched.get(self.key) or fields[self.key]):
                setattr(self, name, value)
        self.pending = None

    def _fields(self, plan: dict, drawn: dict) -> dict[bytes, tuple]:
        """The PLAN fields of every plan a schedule touched and kept: its rounds (drawn in the stretch, or its
        buffer's) at the schedule's size, cursor and round count."""
        fields = {}
        for key, (size, cursor, rounds, fresh) in plan["state"].items():
            if key not in plan["dropped"]:
                kept = (*drawn[key], None, None) if fresh else self._buffer(key)
                fields[key] = (size, cursor, rounds, *kept)
        return fields


def _refill(units: int, size: int, left: int) -> int:
    """The rounds a plan's buffer draws when it cannot serve an epoch's `units`: its batch `size`, or the
    `left` rounds the run can still ask for where fewer, and never fewer than `units`."""
    return max(units, min(size, left))


def _fitting(units: list[int], start: int, room: int) -> int:
    """How many of the epochs' `units` from `start` fit, in order, in `room` rounds."""
    if len(units) - start > 32:
        return int(np.searchsorted(np.cumsum(units[start:]), room, side="right"))
    fits = 0
    for u in units[start:]:
        if u > room:
            break
        room -= u
        fits += 1
    return fits


class _UnitDraws:
    """Uniform draws indexed by (epoch, unit of demand), one stream per kind of slot loss (offline sequencer,
    failed sequencer phase, censored commitment): epochs come in blocks of `block` (fewer where the demand is
    wide), each drawn from a generator of its own (seed, kind, block). Whatever order a run reads them in (epoch by epoch, or a
    stretch of epochs at once), a unit meets the same draw, so a stretch and the epoch-by-epoch step book
    the same losses, and every run of one seed (any rule or commitment) meets the same losses."""

    def __init__(self, seed: int, kind: int, width: int, block: int = 1024):
        self.seed, self.kind, self.width = seed, kind, max(width, 1)
        self.block = max(1, min(block, (1 << 20) // self.width))     # at most 8 MB of draws a block
        self.kept: dict[int, np.ndarray] = {}

    def _block(self, b: int) -> np.ndarray:
        if b not in self.kept:
            if len(self.kept) >= 2:              # a run reads forward: the two latest blocks suffice
                self.kept.pop(min(self.kept))
            self.kept[b] = np.random.default_rng([self.seed, self.kind, b]).random((self.block, self.width))
        return self.kept[b]

    def rows(self, e0: int, e1: int) -> np.ndarray:
        """(e1 - e0, width) draws of epochs e0 to e1 - 1."""
        b0, b1 = e0 // self.block, (e1 - 1) // self.block
        if b0 == b1:
            return self._block(b0)[e0 - b0 * self.block:e1 - b0 * self.block]
        whole = np.concatenate([self._block(b) for b in range(b0, b1 + 1)])
        return whole[e0 - b0 * self.block:e1 - b0 * self.block]


def _lost(draws: np.ndarray, units: np.ndarray, chance: float) -> np.ndarray:
    """Per row of `draws`, how many of its first `units` (per row) fall below `chance`: the units lost."""
    first = np.arange(draws.shape[1]) < np.asarray(units)[:, None]
    return np.count_nonzero((draws < chance) & first, axis=1)


def _by_sequencer(owner: np.ndarray, mask: np.ndarray, sequencers: int) -> np.ndarray:
    """(epochs, sequencers): per row of `owner` (each unit's sequencer), the units where `mask` holds, counted
    by sequencer."""
    cell = owner + sequencers * np.arange(len(owner))[:, None]
    return np.bincount(cell[mask], minlength=len(owner) * sequencers).reshape(len(owner), sequencers)


def _sequencer_units(owner: np.ndarray, units: Any, sequencers: int, offline: np.ndarray | None,
                     cap: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per epoch (row of `owner`, each unit's sequencer; the first `units` columns are the epoch's units) each
    sequencer's slots (its units less those `offline` marks, at most `cap`) and which units are proposed:
    a sequencer's first `slots` units, in unit order."""
    live = np.arange(owner.shape[1]) < np.asarray(units)[:, None]
    slots = _by_sequencer(owner, live, sequencers)
    if offline is not None:
        slots = slots - _by_sequencer(owner, live & offline, sequencers)
    if cap is not None:
        slots = np.minimum(slots, cap)
    rows = np.arange(len(owner))[:, None]
    if sequencers == 1:
        within = np.arange(owner.shape[1])[None, :]
    else:                                        # each unit's place among its sequencer's units
        ranks = np.cumsum(owner[:, :, None] == np.arange(sequencers), axis=1)
        within = ranks[rows, np.arange(owner.shape[1]), owner] - 1
    return slots, live & (within < slots[rows, owner])


def _landed_by_sequencer(keys: np.ndarray, proposed: np.ndarray, owner: np.ndarray, landed: Any,
                         sequencers: int) -> np.ndarray:
    """(epochs, sequencers): each epoch's `landed` units drawn among its proposed ones without replacement
    (those of the smallest per-unit `keys`), counted by sequencer: a multivariate hypergeometric draw."""
    landed = np.asarray(landed)
    if sequencers == 1:
        return landed[:, None]
    order = np.argsort(np.where(proposed, keys, 2.0), axis=1)
    chosen = owner[np.arange(len(owner))[:, None], order]
    return _by_sequencer(chosen, np.arange(owner.shape[1]) < landed[:, None], sequencers)


def _fold(start: Any, steps: np.ndarray) -> np.ndarray:
    """start + steps[0], (start + steps[0]) + steps[1], ...: running sums added one step at a time, in the
    order an epoch-by-epoch loop adds them (so a stretch books the same floats)."""
    start = np.asarray(start, dtype=float)
    steps = np.asarray(steps, dtype=float).reshape((-1,) + start.shape)
    out = np.empty((len(steps) + 1,) + start.shape)
    out[0], out[1:] = start, steps
    np.add.accumulate(out, axis=0, out=out)      # in place: a third of cumsum's time on (epochs, provers)
    return out[1:]


def _withdraw(state: _State, who: np.ndarray, totals: dict) -> None:
    """Provers in `who` leave with their balance and the stake they added from profit."""
    totals["withdrawn"] += float(state.balance[who].sum() + state.restaked[who].sum())
    totals["restaked"] -= float(state.restaked[who].sum())
    state.stake[who] -= state.restaked[who]
    state.balance[who] = 0.0
    state.restaked[who] = 0.0
    state.alive &= ~who


def _restake(state: _State, economy: Economy) -> None:
    if economy.stake_is_balance:
        state.stake = np.maximum(state.balance, 0.0)


def _delivers(rule: str, pay: float, reliability: Any, cost: Any, gas: float, bond: float, ready: Any = 1.0) -> Any:
    """Whether a prover committed to a unit paid `pay` works on it: "myopic-reward" iff the pay covers the
    gas (the bond ignored, aztec-gddt's rule), otherwise iff proving beats forfeiting the bond, with the
    proof ready by the proof deadline with probability `ready` (else abandoned, the bond lost):
    ready (rho pay - gas + bond) - cost >= 0, which is rho pay - cost - gas >= -bond without a deadline."""
    if rule == "myopic-reward":
        return np.asarray(pay >= gas)
    return np.asarray(ready) * (np.asarray(reliability) * pay - gas + bond) - cost >= 0


def _delivers_epoch(rule: str, quote: float, reliability: float, cost: float, gas: float, bond: float, ready: float,
                    units: int) -> bool:
    """Whether an epoch's quote winner, holding one bond for its `units`, works on them: "myopic-reward" iff the
    quote covers the gas; otherwise iff working beats forfeiting: each unit costs its compute and, when ready by
    the deadline (probability `ready`), earns rho quote - gas, and the bond is kept only if every unit is ready:
    units (ready (rho quote - gas) - cost) + ready^units bond >= 0."""
    if rule == "myopic-reward":
        return quote >= gas
    return units * (ready * (reliability * quote - gas) - cost) + ready ** units * bond >= 0


def _reward(game: Any) -> float:
    return float(getattr(game, game.traits.budget_field))


def _run(make_game, provers: Population, env: Environment, seed: int, rule: str, eco: Economy,
         shared: _Shared | None = None):
    """One seed's run: each epoch newcomers arrive, the committed provers play the epoch's units of work,
    a fallback covers what is left, balances settle, and the books and KPIs are written."""
    run = _Run(make_game, provers, env, seed, rule, eco, shared)
    quiet = run.quiet()
    e = 0
    while e < env.epochs:          # epochs are state updates: each one plays its units of work vectorised
        run.games.epoch = e
        booked = run.stretch(e) if quiet else 0
        if not booked:             # the full step: newcomers, commitments, fallback, settlement, books
            run.arrivals(e)
            epoch = run.commitments(e)
            run.fallback(e, epoch)
            run.settle(e, epoch)
            run.book(e, epoch)
            booked = 1
        tick(("timeline", "timeline_grid"), f"seed {seed}", steps=booked)
        e += booked
    kpis, balances, ledger = _frames(seed, env, run.gas, run.col, run.icol, run.led, run.paid, run.balances,
                                     run.st.names, run.refusal)
    rows = np.concatenate(run.seq_rows).reshape(env.epochs, eco.sequencers)
    sequencers = {"seed": np.full(rows.size, seed), "epoch": np.repeat(np.arange(env.epochs), eco.sequencers),
                  "sequencer": np.tile(np.arange(eco.sequencers), env.epochs), "balance": rows.ravel()}
    return kpis, balances, ledger, sequencers, _decisions(seed, run.games.records)


DECISIONS = ("seed", "epoch", "game", "provers", "method", "regret", "certified")


def _decisions(seed: int, records: list[tuple]) -> dict[str, np.ndarray]:
    """The run's solved equilibria as columns (DECISIONS)."""
    kind, epoch, n, method, regret, certified = (list(c) for c in zip(*records)) if records else ([],) * 6
    return dict(zip(DECISIONS, (np.full(len(records), seed), np.asarray(epoch, dtype=int),
                                np.asarray(kind, dtype=object), np.asarray(n, dtype=int), np.asarray(method, dtype=object),
                                np.asarray(regret, dtype=float), np.asarray(certified, dtype=bool))))


@dataclass
class _Epoch:
    """What one epoch's work did: per-prover rewards, spending and attempts, and its counts and flows."""

    working: np.ndarray
    demand: int
    reward: np.ndarray
    spent: np.ndarray
    attempts: np.ndarray
    seats: int | None = None
    proven: int = 0
    on_time: int = 0
    fallback_proven: int = 0
    renegers: int = 0          # bonds forfeited: commitments a prover did not submit
    commitments: int = 0       # units a committed prover took (assigned: a bond posted each)
    missed: int = 0            # slots whose sequencer was offline
    censored: int = 0          # units whose commitment was censored on L1
    failed: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=int))   # units each sequencer failed
    sequencer_slashed: float = 0.0
    sequencer_share: float = 0.0   # quotes: the reward's rest for the proven units, to the sequencers
    slots: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=int))   # units each sequencer proposed
    owner: np.ndarray = field(default_factory=lambda: np.zeros((1, 1), dtype=np.intp))   # each unit's sequencer
    proposed: np.ndarray = field(default_factory=lambda: np.zeros((1, 1), dtype=bool))   # the units proposed
    opex: float = 0.0
    gas: float = 0.0
    burned: float = 0.0


@dataclass(frozen=True)
class _Plan:
    """A stretch's plan: the epoch game and its profile and seats (self-committed provers) and who delivers,
    or, with `game` None, the reward per proof (assigned provers, `profile` each one's delivery; quotes,
    `quoted`: the winner's index among the working provers, -1 where nobody quotes within the reward, its
    quote, and whether the cheapest ask is tied)."""

    game: Any
    profile: np.ndarray
    seats: int | None
    reward: float = 0.0
    delivers: np.ndarray | None = None
    quoted: tuple[int, float, bool] | None = None


@dataclass
class _Booked:
    """A stretch's epochs as the step books them, a row each: the provers whose balances move (`field`: the
    working ones, or every prover present where a paid fallback race runs) and per epoch their rewards,
    spending, submissions and balances after it (columns: `field`), and the epoch's totals."""

    field: np.ndarray
    paid: np.ndarray
    charged: np.ndarray
    attempts: np.ndarray
    tries: np.ndarray          # the plan's submissions (commitments)
    opex: np.ndarray
    gas: np.ndarray
    burned: np.ndarray
    proved: np.ndarray
    on_time: np.ndarray
    fallback: np.ndarray | None = None    # units the fallback race proved
    forfeits: np.ndarray | None = None    # bonds forfeited
    balance: np.ndarray | None = None
    crossed: np.ndarray | None = None   # a working prover's balance fell below the bond, or an idle one's reached it
    share: np.ndarray | None = None     # quotes: the reward's rest for the proven units, to the sequencers
    profiled: np.ndarray | None = None  # the epochs whose plan's profile the step records (default: those played)

    def __post_init__(self) -> None:
        k = len(self.proved)
        self.fallback = np.zeros(k, dtype=np.int64) if self.fallback is None else self.fallback
        self.forfeits = np.zeros(k, dtype=np.int64) if self.forfeits is None else self.forfeits
        self.share = np.zeros(k) if self.share is None else self.share

    def head(self, k: int) -> "_Booked":
        cut = {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "field"}
        return _Booked(self.field, **{f: None if v is None else v[:k] for f, v in cut.items()})


class _Run:
    """The state of one seed's run and its steps (see _run)."""

    def __init__(self, make_game, provers: Population, env: Environment, seed: int, rule: str, eco: Economy,
                 shared: _Shared | None = None):
        self.make_game, self.env, self.rule, self.eco = make_game, env, rule, eco
        self.rng = np.random.default_rng(seed)
        n0 = len(provers)
        start = provers.stake.copy() if eco.stake_is_balance else np.full(n0, eco.initial_balance)
        self.st = _State(cost=provers.cost.copy(), rate=provers.rate.copy(), stake=provers.stake.copy(),
                         reliability=provers.reliability.copy(), capacity=provers.capacity.copy(), balance=start,
                         alive=np.ones(n0, dtype=bool), joins=np.zeros(n0, dtype=int), below=np.zeros(n0, dtype=int),
                         bought=np.zeros(n0, dtype=int), earned=np.zeros(n0), names=list(provers.names),
                         restaked=np.zeros(n0))
        self.gas = env.submission_cost(eco.gas_per_submission)
        self.verify = env.submission_cost(eco.gas_per_verification)
        self.propose = env.submission_cost(eco.gas_per_proposal)
        self.solved: dict[bytes, tuple] = {}
        self.decided: dict[bytes, tuple] = {}
        self.initial = float(self.st.balance.sum())
        self.totals = dict(minted=0.0, opex=0.0, gas=0.0, burned=0.0, capex=0.0, withdrawn=0.0, protocol_gas=0.0,
                           sequencer_minted=0.0, sequencer_gas=0.0, sequencer_slashed=0.0,
                           restaked=0.0)
        self.last_profile = np.ones(n0)
        self.games = _Games()
        if shared is not None:                 # another seed's games and plans, where this run meets them
            self.games.kept, self.games.profiles = shared.kept, shared.profiles
            self.solved, self.decided = shared.solved, shared.decided
        self.ahead = _Ahead()
        self.race_ahead = _Ahead(most=4096)              # the fallback race's rounds: dense, so fewer at once
        self.race_rng = np.random.default_rng([seed, 6])
        self.plan_key = b""
        self.reach = 64                                   # epochs a stretch looks ahead (see _stretch_span)
        probe = make_game(provers)
        self.booster = probe.booster if isinstance(probe, protocols.BoostedScores) and probe.scores is not None \
            else None
        self.scores = np.asarray(probe.scores, float).copy() if self.booster is not None else None
        E = env.epochs
        self.col = {k: np.zeros(E) for k in KPI_FLOATS}
        self.icol = {k: np.zeros(E, dtype=np.int64) for k in KPI_INTS}
        self.led = {k: np.zeros(E) for k in LEDGER}
        self.paid: list[np.ndarray] = []                             # blocks (epochs, provers) of rewards paid
        self.balances: list[tuple[np.ndarray, np.ndarray]] = []      # blocks (alive provers, (epochs, alive) balances)
        self.amortised = eco.capex / eco.lifetime if eco.capex > 0 else 0.0
        self.alive_idx: np.ndarray | None = None
        self.alive_mask: np.ndarray | None = None
        self.seq_held = eco.sequencers * eco.sequencer_funds     # the sequencers' accounts together
        self.seq_balance = np.full(eco.sequencers, float(eco.sequencer_funds))   # each sequencer's own
        self.seq_rows: list[np.ndarray] = []                          # blocks (epochs, sequencers) of balances
        self.initial += float(self.seq_held)
        self.limit = probe.traits.max_provers    # newcomers beyond the game's size limit wait their turn
        self.queued = 0
        self.refusal = np.full(E, "", dtype=object)   # why an epoch's game could not be built, where it could not
        self.left = np.cumsum(env.demand[::-1])[::-1]      # the demand from each epoch to the run's end
        width = int(env.demand.max(initial=0))
        self.offline, self.censored = _UnitDraws(seed, 1, width), _UnitDraws(seed, 2, width)
        self.failures = _UnitDraws(seed, 3, width)
        self.owners, self.landing = _UnitDraws(seed, 4, width), _UnitDraws(seed, 5, width)
        self.picks, self.validity = _UnitDraws(seed, 7, width), _UnitDraws(seed, 8, width)
        self.readiness = _UnitDraws(seed, 9, width)
        # newcomers drawn per epoch from a stream of their own, so a stretch can end before the next arrival
        self.arriving = np.random.default_rng([seed, 10]).poisson(eco.entry_rate, E) if eco.entry_rate > 0 else None

    def quiet(self) -> bool:
        """Whether only balances move between this run's epochs while who works holds: self-committed, assigned
        or quoting provers without reinvestment or boosters (then `stretch` may book many epochs at once, each
        with the plan of its gas, up to the next newcomer's arrival or the end of a prover's hardware life, a
        paid fallback race included;
        newcomers are drawn per epoch from a stream of their own; each unit's sequencer, offline slots,
        failed units, censorship, the landed units' sequencers and the assignments where all deliver come
        from per-unit draws indexed by epoch, which a stretch reads as the step does, and a stretch ends
        where a sequencer's balance would cap a slash or its proposals)."""
        eco = self.eco
        return eco.reinvest == 0 and not eco.stake_is_balance and self.scores is None

    def stretch(self, e0: int) -> int:
        """Book epochs e0, e0 + 1, ... in one go while nothing but the balances moves (a `quiet` run): the same
        demand and who works, each epoch's plan its own (decided at its gas and the last epoch's; assigned
        provers all delivering, a reneging committed prover's forfeits under the cap its balance sets; best
        responses at their fixed point and their gas), no working prover's balance falling
        below the bond nor an idle one's reaching it, no idle prover reaching its exit and no slash or proposal
        a sequencer's balance caps. Each epoch gets what the full step would give it: the same rounds of its
        plan's buffer and the fallback race's, the same books and rows, vectorised over the stretch.
        Returns the epochs booked (0: epoch e0 needs the full step)."""
        planned = self._stretch_plan(e0)
        if planned is None:
            return 0
        working, plans, keys, which, units, g = planned
        span = len(which)
        owner, proposed, slots, failed, censored = self._losses(e0, span, units)
        missed = units - slots.sum(axis=1)
        played = units - missed - failed.sum(axis=1) - censored
        booked = self._stretch_work(e0, working, plans, (keys, which), g, played, slots.sum(axis=1))
        k = len(booked.proved)
        landed = booked.proved + booked.fallback
        mine = _landed_by_sequencer(self.landing.rows(e0, e0 + k), proposed[:k], owner[:k], landed, self.eco.sequencers)
        share = np.divide(booked.share, landed, out=np.zeros(k), where=landed > 0)     # per landed unit
        slashed, sequencer, capped = self._sequencer_stretch(e0, slots[:k], failed[:k], mine, share)
        stops = np.flatnonzero(booked.crossed | capped)
        k = int(stops[0]) if len(stops) else k                              # epochs whose books hold as folded
        self.ahead.keep(k)
        self.race_ahead.keep(k)
        self.reach = max(64, 2 * k) if k < span else min(2 * self.reach, 1 << 16)
        if k == 0:
            return 0
        last = np.flatnonzero(played[:k] if booked.profiled is None else booked.profiled[:k])
        seats = np.array([np.nan if p is None or p.seats is None else p.seats for p in plans], dtype=float)
        self._book_stretch(e0, k, working, plans[which[last[-1]]].profile if len(last) else None, seats[which[:k]],
                           booked.head(k), missed[:k],
                           failed[:k].sum(axis=1), censored[:k], played[:k], slashed[:k].sum(axis=1), sequencer[:k])
        return k

    def _stretch_work(self, e0: int, working: np.ndarray, plans: list, keyed: tuple, g: np.ndarray,
                      played: np.ndarray, offered: np.ndarray) -> "_Booked":
        """The provers' side of a stretch: each epoch's plan's rounds (self-committed; `plans` and `keyed`: the
        stretch's plans, their keys and each epoch's index into them) or assignments for its `played` units,
        the paid fallback race's for the units `offered` (proposed by a sequencer) left unproven, where there
        is one, and the balances they fold to."""
        st, eco = self.st, self.eco
        left = self.left[e0:e0 + len(played)]
        keys, which = keyed
        forfeited = None                          # self-committed: each epoch's forfeits per working prover
        if not len(working):
            k, none = len(played), np.zeros((len(played), 0))
            zero, count = np.zeros(k), np.zeros(k, dtype=np.int64)
            out = _Booked(working, none, none, none, count, zero, zero, zero, count, count)
        elif plans[which[0]].quoted is not None:
            quoted = [(-1, 0.0, False, 0.0) if p is None else p.quoted + (p.reward,) for p in plans]   # None: unmet
            out = self._stretch_quotes(e0, working, quoted, which, g, played)
        elif plans[which[0]].game is None:
            reward = np.array([0.0 if p is None else p.reward for p in plans])[which]
            out = self._stretch_assigned(e0, working, reward, g, played)
        else:
            out, forfeited = self._stretch_committed(working, plans, keyed, g, played, left)
        races = self._races(e0, len(out.proved))
        if races is not None:
            out = self._stretch_race(out, races, offered[:len(out.proved)] - out.proved, left)
        if not len(out.proved):                   # no epoch served (e0's plan must refill its buffer twice)
            out.balance, out.crossed = np.zeros((0, len(out.field))), np.zeros(0, dtype=bool)
            return out
        balance = np.subtract(out.paid, out.charged)                                # each epoch's profit, then
        balance[0] += st.balance[out.field]                                          # folded in place: the balance
        np.add.accumulate(balance, axis=0, out=balance)                             # after each epoch (as _fold)
        out.balance = balance
        out.crossed = ((balance < eco.bond) == np.isin(out.field, working)).any(axis=1)
        if forfeited is not None and eco.bond > 0 and forfeited.any():    # the step caps a reneger's forfeits at
            at = np.searchsorted(out.field, working)                      # the bonds its balance posts: the
            before = np.concatenate([st.balance[working][None, :], balance[:-1, at]])   # stretch ends where
            out.crossed |= (forfeited[:len(before)] > np.floor(before / eco.bond)).any(axis=1)   # would bind
        return out

    def _stretch_committed(self, working: np.ndarray, plans: list, keyed: tuple, g: np.ndarray, played: np.ndarray,
                           left: np.ndarray) -> tuple["_Booked", np.ndarray]:
        """The self-committed provers' side of a stretch: each epoch's plan's rounds from its buffer, a
        reneger's units a bond each with nothing sent; and each epoch's forfeits per working prover."""
        st, eco = self.st, self.eco
        keys, which = keyed
        specs = {key: (p.game, p.profile) for key, p in zip(keys, plans) if p is not None}
        reward, cost, tried, proved, on_time = self.ahead.serve(keys, which, specs, self.rng, played,
                                                                eco.proof_window, left)
        k = len(proved)
        delivers = np.array([np.ones(len(working)) if p is None else p.delivers for p in plans])[which[:k]]
        forfeits = np.where(delivers == 0, tried, 0.0)       # a reneger's units: a bond each, nothing sent
        submitted = np.where(delivers == 0, 0.0, tried)
        unit = st.cost[working] + g[:k, None]                # compute and gas
        slashes = cost - tried * unit                        # what the rules charged beyond compute and gas
        spent = slashes + submitted * unit + forfeits * eco.bond    # as _self_committed books it, float for float
        return _Booked(working, reward, spent, submitted, tried.sum(axis=1), submitted @ st.cost[working],
                       submitted.sum(axis=1) * g[:k], slashes.sum(axis=1) + eco.bond * forfeits.sum(axis=1),
                       proved, on_time, forfeits=forfeits.sum(axis=1)), forfeits

    def _stretch_assigned(self, e0: int, working: np.ndarray, reward: np.ndarray, g: np.ndarray, played: np.ndarray
                          ) -> "_Booked":
        """The assignments of a stretch's epochs (every assigned prover delivering; `reward` and gas `g` per
        epoch), booked as `_assigned`."""
        eco, cost = self.eco, self.st.cost[working]
        out = self._assignments(e0, e0 + len(played), working, played)
        compute, gas = (out.submitted + out.late) * cost, out.submitted * g[:, None]
        forfeits = out.forfeited.sum(axis=1)
        return _Booked(working, out.valid * reward[:, None], compute + gas + out.forfeited * eco.bond,
                       out.submitted + 0.0, out.commitments.sum(axis=1), compute.sum(axis=1), gas.sum(axis=1),
                       eco.bond * forfeits, out.valid.sum(axis=1), out.on_time.sum(axis=1), forfeits=forfeits)

    def _stretch_quotes(self, e0: int, working: np.ndarray, quoted: list[tuple], which: np.ndarray, g: np.ndarray,
                        played: np.ndarray) -> "_Booked":
        """The epoch quotes of a stretch's epochs (`quoted`: each plan's winner, quote, tie and reward; no tie),
        booked as `_quoted`: the winner commits a bond to the epoch's units and delivers by its rule at the
        epoch's gas (or forfeits the bond), each proof valid and ready as the per-unit draws say."""
        st, eco, k = self.st, self.eco, len(played)
        winner, quote, _, reward = (np.array(c)[which] for c in zip(*quoted))
        winner = winner.astype(np.intp)
        on = (winner >= 0) & (played > 0)                         # a winner commits to the epoch's units
        i = working[np.maximum(winner, 0)]
        rho, cost, rate = st.reliability[i], st.cost[i], st.rate[i]
        delivers = on & np.asarray(_delivers_epoch(self.rule, quote, rho, cost, g, eco.bond,
                                                   -np.expm1(-rate * eco.proof_deadline), played), dtype=bool)
        live = delivers[:, None] & (np.arange(self.validity.width) < played[:, None])
        landed = -np.log1p(-self.readiness.rows(e0, e0 + k)) / rate[:, None]
        late = live & (landed > eco.proof_deadline)
        valid = live & ~late & (self.validity.rows(e0, e0 + k) < rho[:, None])
        sent = np.where(delivers, played - late.sum(axis=1), 0)
        forfeit = np.where(delivers, np.where(late.any(axis=1), eco.bond, 0.0), np.where(on, eco.bond, 0.0))
        proven = valid.sum(axis=1)
        rows, col = np.arange(k), np.maximum(winner, 0)
        paid, charged, attempts = np.zeros((k, len(working))), np.zeros((k, len(working))), np.zeros((k, len(working)))
        paid[rows, col] = np.where(delivers, quote * proven, 0.0)
        charged[rows, col] = np.where(delivers, played * cost + sent * g + forfeit, forfeit)
        attempts[rows, col] = sent
        opex = np.where(delivers, played * cost, 0.0)
        return _Booked(working, paid, charged, attempts, np.where(on, played, 0), opex, sent * g, forfeit, proven,
                       (valid & (landed <= eco.proof_window)).sum(axis=1),
                       forfeits=np.where(delivers, late.any(axis=1), on).astype(np.int64),
                       share=np.where(delivers, (reward - quote) * proven, 0.0), profiled=delivers)

    def _races(self, e0: int, k: int) -> tuple | None:
        """Epochs e0 to e0 + k - 1's paid fallback races (see `_race`: the field is the same throughout a
        stretch, the gas each epoch's), built once per gas price, and each epoch's index into them; None
        without one or nobody present to race."""
        if not (self.eco.fallback == "race" and self.eco.fallback_reward > 0) or k == 0:
            return None
        _, first, which = np.unique(self.gas[e0:e0 + k], return_index=True, return_inverse=True)
        built = [self._race(e0 + int(i)) for i in first]
        return None if built[0] is None else (built, np.asarray(which).ravel())

    def _stretch_race(self, out: "_Booked", races: tuple, unproven: np.ndarray, left: np.ndarray) -> "_Booked":
        """`out` with the paid fallback race's rounds added for each epoch's `unproven` units (`races`: the
        stretch's races, see `_race`, and each epoch's index into them): its field is then every prover
        present (the race's), the working ones' columns holding the plan's books."""
        built, which = races
        alive, keys = built[0][0], [race[2] for race in built]
        specs = {race[2]: (race[3], race[4]) for race in built}
        reward, cost, tried, proved, _ = self.race_ahead.serve(keys, which, specs, self.race_rng, unproven,
                                                               self.eco.proof_window, left)
        k = len(reward)
        at = np.searchsorted(alive, out.field)          # the working provers' columns among those present
        paid, charged, attempts = np.zeros((k, len(alive))), np.zeros((k, len(alive))), np.zeros((k, len(alive)))
        paid[:, at], charged[:, at], attempts[:, at] = out.paid[:k], out.charged[:k], out.attempts[:k]
        paid += reward
        charged += cost
        attempts += tried
        gas = np.zeros(k)
        for w in np.unique(which[:k]):                  # each gas price's rows at once, as the step's dot product
            rows = np.flatnonzero(which[:k] == w)
            gas[rows] = tried[rows] @ np.broadcast_to(built[w][1], len(alive))
        head = out.head(k)
        return _Booked(alive, paid, charged, attempts, head.tries, head.opex + tried @ self.st.cost[alive],
                       head.gas + gas, head.burned, head.proved, head.on_time, proved, head.forfeits,
                       share=head.share, profiled=head.profiled)

    def _stretch_plan(self, e0: int) -> tuple | None:
        """Who works from e0, each epoch's plan (self-committed: the game's profile, and its buffer's key;
        assigned: the reward, every assigned prover delivering; nobody holding the bond: no plan, every unit
        to the fallback), the demand and the gas per epoch; None where epoch e0 must step."""
        st, eco = self.st, self.eco
        units = int(self.env.demand[e0])
        if units == 0:
            return None
        span = self._stretch_span(e0, units)
        working = np.flatnonzero(st.alive & (st.joins <= e0) & (st.balance >= eco.bond))
        if span < 2 or np.any(st.joins[st.alive] > e0):
            return None
        if not len(working):                  # nobody holds the bond: no plan, the units go to the fallback
            return working, [_Plan(None, working + 0.0, None)], [b""], np.zeros(span, dtype=np.intp), units, \
                self.gas[e0:e0 + span]
        plans, keys, which = self._stretch_decisions(e0, span, working)
        if len(which) < 2:
            return None
        return working, plans, keys, which, units, self.gas[e0:e0 + len(which)]

    def _stretch_span(self, e0: int, units: int) -> int:
        """The epochs from e0 of the same demand, at most `reach` (the last stretch's length, doubled while
        stretches run to their end), before the next newcomer arrives (0 while newcomers wait for room),
        before an idle prover would exit and before the first epoch that ends a prover's hardware life (which
        the step settles: renewed where it paid for itself, else the prover leaves)."""
        st, eco, env = self.st, self.eco, self.env
        ahead = slice(e0, e0 + max(2, min(self.reach, self.ahead.most // units)))   # no buffer serves more at once
        same = env.demand[ahead] == units
        span = len(same) if same.all() else int(np.argmin(same))
        if self.arriving is not None:
            if self.queued and int(st.alive.sum()) < self.limit:
                return 0
            coming = np.flatnonzero(self.arriving[e0:e0 + span])
            span = int(coming[0]) if len(coming) else span
        idle = st.alive & (st.balance < eco.bond)
        if idle.any():
            span = min(span, int((eco.exit_after - 1 - st.below[idle]).min()))
        if eco.capex > 0 and st.alive.any():       # hardware is renewed, or its prover leaves, as its life ends
            span = min(span, int((st.bought[st.alive] + eco.lifetime - 1).min()) - e0)
        return span

    def _stretch_decisions(self, e0: int, span: int, working: np.ndarray) -> tuple[list["_Plan"], list[bytes],
                                                                                   np.ndarray]:
        """The plans of the epochs from e0 (decided once per pair of last epoch's and this epoch's gas; None for
        a pair met past the stretch's end), their buffer keys and each epoch's index into them, up to the first
        epoch whose plan has no valid game or cannot be stretched (`_stretchable`); under "best-response" only
        while the gas stays e0's."""
        e = np.arange(e0, e0 + span)
        pairs = np.stack([self.gas[np.maximum(e - 1, 0)], self.gas[e]], axis=1)
        if self.rule == "best-response":
            same = (pairs == pairs[0]).all(axis=1)
            pairs = pairs[:len(same) if same.all() else int(np.argmin(same))]
        if (pairs == pairs[0]).all():                 # a steady gas: one plan (np.unique by rows sorts)
            first, inverse = np.zeros(1, dtype=np.intp), np.zeros(len(pairs), dtype=np.intp)
        else:
            _, first, inverse = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
        decided: dict[int, tuple] = {}
        for u in np.argsort(first):                   # pairs in the order the stretch meets them
            g_then, g_now = pairs[first[u]]
            try:
                plan, delivers = self._epoch_plan(working, float(g_then), float(g_now))
            except InvalidParameter:
                break
            if not self._stretchable(plan, delivers, working):
                break
            decided[int(u)] = (plan, self.plan_key)
        inverse = np.asarray(inverse).ravel()
        known = np.zeros(len(first), dtype=bool)
        known[list(decided)] = True
        k = len(inverse) if known[inverse].all() else int(np.argmin(known[inverse]))
        plans = [decided[u][0] if u in decided else None for u in range(len(first))]
        return plans, [decided[u][1] if u in decided else b"" for u in range(len(first))], inverse[:k]

    def _stretchable(self, plan: "_Plan", delivers: np.ndarray, working: np.ndarray) -> bool:
        """Whether a stretch may book an epoch with this plan: not one with an assigned prover reneging (its units
        are then assigned by the run's stream) or a tied quote (drawn epoch by epoch); under "best-response",
        only at the responses' fixed point."""
        if (plan.game is None and not np.all(delivers == 1)) or (plan.quoted is not None and plan.quoted[2]):
            return False
        return self.rule != "best-response" or np.array_equal(plan.profile, self.last_profile[working])

    def _epoch_plan(self, working: np.ndarray, g_then: float, g_now: float) -> tuple["_Plan", np.ndarray]:
        """An epoch's plan at last epoch's gas `g_then` and this one's `g_now`, and who delivers."""
        if self.eco.commitment == "assigned":
            reward, delivers = self._assigned_plan(working, g_now)
            return _Plan(None, delivers.astype(float), None, reward), delivers
        if self.eco.commitment == "quotes":
            reward, winner, quote, tied = self._quote(working, g_then, g_now)
            profile = (np.arange(len(working)) == winner) * 1.0
            return _Plan(None, profile, None, reward, quoted=(winner, quote, tied)), np.ones(1)
        game, profile, delivers, seats = self._plan(working, g_then, g_now)
        return _Plan(game, profile, seats, delivers=delivers), delivers

    def _sequencer_stretch(self, e0: int, slots: np.ndarray, failed: np.ndarray, mine: np.ndarray,
                           share: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sequencers over a stretch's epochs, (epochs, sequencers) each: `slots` proposed, `failed`, `mine`
        landed. Their balances folded as the step books them: (their slashes per epoch, their balances after each,
        whether a balance as the epoch opens would cap the epoch's slash or, where sequencers need funds, its
        proposals: there the stretch must end); `share` the quotes' rest per landed unit. A sequencer that opens the
        stretch with nothing and gains nothing in it (no landed units' rewards above its proposal gas) holds nothing
        all through: the step caps each of its slashes at 0, and so does the stretch."""
        eco, propose = self.eco, self.propose[e0:e0 + len(slots), None]
        income = mine * (eco.sequencer_reward + share[:, None]) - slots * propose
        broke = (self.seq_balance <= 0.0) & (income <= 0.0).all(axis=0)
        slashed = np.where(broke, 0.0, failed * eco.sequencer_slash)
        sequencer = _fold(self.seq_balance, income - slashed)
        before = np.concatenate([self.seq_balance[None, :], sequencer[:-1]])
        capped = (slashed > np.maximum(before - slots * propose, 0.0)).any(axis=1)
        if eco.sequencers_need_funds:
            paying = propose > 0
            room = np.floor(np.maximum(before, 0.0) / np.where(paying, propose, 1.0))
            capped |= (paying & (room < slots)).any(axis=1)
        return slashed, sequencer, capped

    def _losses(self, e0: int, span: int, units: int) -> tuple[np.ndarray, ...]:
        """Per epoch of a stretch, from the per-unit draws `_proposed` reads epoch by epoch (demand `units`
        throughout, the sequencers' balances covering their proposal gas: `stretch` checks): each unit's
        sequencer and whether it is proposed, each sequencer's slots and failed units, and the units
        censored."""
        eco, sequencers = self.eco, self.eco.sequencers
        owner = self.owner(e0, e0 + span)
        offline = self.offline.rows(e0, e0 + span) < eco.sequencer_offline if eco.sequencer_offline > 0 else None
        slots, proposed = _sequencer_units(owner, np.full(span, units), sequencers, offline)
        failed = np.zeros_like(slots)
        if eco.sequencer_failure > 0:
            failed = _by_sequencer(owner, proposed & (self.failures.rows(e0, e0 + span) < eco.sequencer_failure),
                                   sequencers)
        censored = np.zeros(span, dtype=np.int64)
        if eco.censorship > 0:
            censored = _lost(self.censored.rows(e0, e0 + span), slots.sum(axis=1) - failed.sum(axis=1),
                             eco.censorship)
        return owner, proposed, slots, failed, censored

    def _book_stretch(self, e0: int, k: int, working: np.ndarray, profile: np.ndarray | None, seats: np.ndarray,
                      b: "_Booked", missed: np.ndarray, failed: np.ndarray, censored: np.ndarray, played: np.ndarray,
                      slashed: np.ndarray, seq_rows: np.ndarray) -> None:
        """The books and rows of `k` stretch epochs from e0 (see stretch): per epoch what `_self_committed`,
        `fallback`, `settle`, `book` and `_kpis` write, the running sums folded in the same order as epoch by
        epoch (the balances `b.balance` of the provers `b.field` after each epoch already folded; the others'
        stand still); `profile` the last epoch played's plan profile, `seats` each epoch's; `failed` and
        `slashed` per epoch over the sequencers, `seq_rows` each one's balance."""
        st, eco, totals, led = self.st, self.eco, self.totals, self.led
        rows, n, cols = slice(e0, e0 + k), len(st.cost), b.field
        if eco.capex > 0:                                    # profit since the hardware was bought, added epoch
            earned = np.subtract(b.paid, b.charged)          # by epoch as the step adds it (read by renewal only)
            earned[0] += st.earned[cols]
            st.earned[cols] = np.add.accumulate(earned, axis=0)[-1]
        if len(cols) == n:                    # every prover's balance moves: its columns are all the columns
            paid, charged, full, attempts = b.paid, b.charged, b.balance, b.attempts
        else:
            paid, charged, full, attempts = np.zeros((k, n)), np.zeros((k, n)), np.empty((k, n)), np.zeros((k, n))
            paid[:, cols], charged[:, cols], attempts[:, cols] = b.paid, b.charged, b.attempts
            full[:], full[:, cols] = st.balance, b.balance
        demand, propose, verify = int(self.env.demand[e0]), self.propose[rows], self.verify[rows]
        landed = b.proved + b.fallback
        minted, seq_revenue = paid.sum(axis=1), eco.sequencer_reward * landed + b.share
        seq_gas = (demand - missed) * propose
        flows = {"minted": minted, "opex": b.opex, "gas": b.gas, "burned": b.burned, "protocol_gas": landed * verify,
                 "sequencer_minted": seq_revenue, "sequencer_gas": seq_gas, "sequencer_slashed": slashed + 0.0}
        for name, flow in flows.items():
            led[name][rows] = _fold(totals[name], flow)
            totals[name] = float(led[name][e0 + k - 1])
        for name in ("capex", "withdrawn", "restaked"):
            led[name][rows] = totals[name]
        st.balance = full[-1].copy()
        idle = st.alive.copy()
        idle[working] = False
        st.below = np.where(idle, st.below + k, 0)
        if profile is not None:
            self.last_profile[working] = profile
        if self.alive_idx is None or len(self.alive_idx) != len(st.alive) or \
                not np.array_equal(self.alive_mask, st.alive):
            self.alive_mask = st.alive.copy()
            self.alive_idx = np.flatnonzero(self.alive_mask)
        alive_idx = self.alive_idx
        held_seq = _fold(self.seq_held, seq_revenue - seq_gas - slashed)
        self.seq_held = float(held_seq[-1])
        self.seq_balance = seq_rows[-1].copy()
        self.seq_rows.append(seq_rows)
        self.paid.append(paid)
        alive_full = full if len(alive_idx) == n else full[:, alive_idx]
        self.balances.append((alive_idx, alive_full))
        led["initial"][rows] = self.initial
        led["held"][rows] = full.sum(axis=1)
        led["sequencer_held"][rows] = held_seq
        self._stretch_rows(rows, working, seats, b, np.count_nonzero(attempts, axis=1), missed, failed, censored,
                           played, minted, charged, alive_full, seq_revenue, seq_gas, slashed, seq_rows, verify)

    def _stretch_rows(self, rows: slice, working: np.ndarray, seats: np.ndarray, b: "_Booked",
                      attempting: np.ndarray, missed: np.ndarray, failed: np.ndarray, censored: np.ndarray,
                      played: np.ndarray, minted: np.ndarray, spent: np.ndarray, alive_full: np.ndarray,
                      seq_revenue: np.ndarray, seq_gas: np.ndarray, slashed: np.ndarray, seq_rows: np.ndarray,
                      verify: np.ndarray) -> None:
        """The KPI rows of a stretch's epochs (what `_kpis` writes one epoch at a time); `attempting` the provers
        that submitted per epoch, `alive_full` the alive provers' balances after each."""
        st, col, icol, led, alive_idx = self.st, self.col, self.icol, self.led, self.alive_idx
        icol["demand"][rows], icol["proven"][rows], icol["on_time"][rows] = self.env.demand[rows], b.proved, b.on_time
        icol["fallback_proven"][rows], icol["active_provers"][rows], icol["bonds_forfeited"][rows] = \
            b.fallback, len(working), np.round(b.forfeits)
        icol["attempting_provers"][rows] = attempting
        icol["queued_entrants"][rows] = self.queued
        icol["commitments"][rows] = np.round(b.tries)
        icol["missed_slots"][rows], icol["censored"][rows], icol["sequencer_failures"][rows] = missed, censored, failed
        col["sequencer_slashed"][rows] = slashed
        icol["alive_provers"][rows] = int(st.alive.sum())
        col["seats"][rows] = np.where(played > 0, seats, np.nan)
        col["prover_profit"][rows] = minted - spent.sum(axis=1) - self.amortised * st.alive.sum()
        col["protocol_gas"][rows] = (b.proved + b.fallback) * verify
        col["minted"][rows] = minted
        col["booster_score_mean"][rows] = np.nan
        col["balance_total"][rows] = led["held"][rows]
        col["balance_min"][rows] = alive_full.min(axis=1) if len(alive_idx) else 0.0
        col["token_supply"][rows] = self.initial + led["minted"][rows] + led["sequencer_minted"][rows] \
            - led["burned"][rows] - led["sequencer_slashed"][rows]
        col["sequencer_revenue"][rows], col["sequencer_gas"][rows] = seq_revenue, seq_gas
        col["sequencer_profit"][rows] = seq_revenue - seq_gas - slashed
        col["stake_total"][rows] = float(st.stake[alive_idx].sum())
        col["sequencer_balance_min"][rows] = seq_rows.min(axis=1)

    def arrivals(self, e: int) -> None:
        """Newcomers (Poisson), their capex, and the stake that follows the balances."""
        eco, st = self.eco, self.st
        if eco.entry_rate > 0:
            drawn = int(self.arriving[e])
            k = min(drawn + self.queued, max(self.limit - int(st.alive.sum()), 0))
            self.queued += drawn - k
            if k:
                self.initial += st.add(self.rng, k, e, eco)
                self.totals["capex"] += k * eco.capex
                self.last_profile = np.append(self.last_profile, np.ones(k))
                if self.scores is not None:
                    self.scores = np.append(self.scores, np.zeros(k))        # newcomers start at score 0
        _restake(st, eco)
        self.games.scores = self.scores

    def _plan(self, working: np.ndarray, g_then: float, g_now: float) -> tuple:
        """The epoch's decisions, kept by everything they depend on (a steady stretch decides once)."""
        st, scores = self.st, self.scores
        key = b"".join([working.tobytes(), st.stake[working].tobytes(), np.float64(g_then).tobytes(),
                        np.float64(g_now).tobytes(), b"" if scores is None else scores[working].tobytes(),
                        self.last_profile[working].tobytes() if self.rule == "best-response" else b""])
        plan = self.decided.get(key)
        if plan is None:
            plan = _decide(self.make_game, self.games, st, working, g_then, g_now, self.rule, self.eco,
                           self.last_profile)
            if len(self.decided) >= self.games.limit:
                self.decided.clear()
            self.decided[key] = plan
        self.plan_key = key
        return plan

    def commitments(self, e: int) -> _Epoch:
        """The slot's units: missed where the sequencer is offline, censored ones left to the fallback, the
        rest played by the committed provers ("self") or by the provers the sequencer assigns ("assigned")."""
        st, eco = self.st, self.eco
        working = np.flatnonzero(st.alive & (st.joins <= e) & (st.balance >= eco.bond))
        n = len(st.cost)
        ep = _Epoch(working, int(self.env.demand[e]), np.zeros(n), np.zeros(n), np.zeros(n))
        played = self._proposed(e, ep)
        if not (len(working) and played):
            return ep
        if eco.commitment == "assigned":
            self._assigned(e, ep, played)
        elif eco.commitment == "quotes":
            self._quoted(e, ep, played)
        else:
            self._self_committed(e, ep, played)
        return ep

    def _proposed(self, e: int, ep: _Epoch) -> int:
        """Units that reach a prover: the demand less offline slots, slots whose sequencer cannot pay the
        proposal gas (where sequencers need funds), units the sequencer fails and censored commitments.
        Each unit's sequencer, offline slots, failures and censorship are read off per-unit draws indexed by
        epoch (_UnitDraws; a sequencer's proposed units are the first of its units), so a stretch books the
        same losses and runs without them keep the run's own random stream."""
        eco, sequencers = self.eco, self.eco.sequencers
        owner = self.owner(e, e + 1)
        offline = self.offline.rows(e, e + 1) < eco.sequencer_offline if eco.sequencer_offline > 0 else None
        cap = None
        if eco.sequencers_need_funds and self.propose[e] > 0:
            cap = np.floor(np.maximum(self.seq_balance, 0.0) / self.propose[e]).astype(int)[None, :]
        slots, ep.proposed = _sequencer_units(owner, [ep.demand], sequencers, offline, cap)
        ep.slots, ep.owner = slots[0], owner
        ep.missed = ep.demand - int(ep.slots.sum())
        proposed = ep.demand - ep.missed
        if eco.sequencer_failure > 0:
            lost = self.failures.rows(e, e + 1) < eco.sequencer_failure
            ep.failed = _by_sequencer(owner, lost & ep.proposed, sequencers)[0]
            proposed -= int(ep.failed.sum())
        if eco.censorship > 0:
            ep.censored = int(_lost(self.censored.rows(e, e + 1), [proposed], eco.censorship)[0])
        return proposed - ep.censored

    def owner(self, e0: int, e1: int) -> np.ndarray:
        """(e1 - e0, width): each unit's sequencer, uniformly drawn (per-unit draws indexed by epoch)."""
        sequencers = self.eco.sequencers
        if sequencers == 1:
            return np.zeros((e1 - e0, self.owners.width), dtype=np.intp)
        return np.minimum((self.owners.rows(e0, e1) * sequencers).astype(np.intp), sequencers - 1)

    def _self_committed(self, e: int, ep: _Epoch, played: int) -> None:
        """The committed provers play the units by the game's rules; a drawn prover that reneges submits
        nothing (no compute, no gas) and forfeits one bond per unit it was drawn for, up to the bonds its
        balance can post (past them it could not have been committed)."""
        st, eco, working = self.st, self.eco, ep.working
        g_now, g_then = self.gas[e], self.gas[max(e - 1, 0)]
        try:
            game, profile, delivers, ep.seats = self._plan(working, g_then, g_now)
        except InvalidParameter as exc:          # no valid epoch game (e.g. a gas shock): the work goes unproven
            self.refusal[e] = str(exc)
            return
        paid_now, cost_now, tried, accepted, on_time = self.ahead.take(self.plan_key, game, profile, self.rng, played,
                                                                       eco.proof_window, int(self.left[e]))
        forfeits = np.where(delivers == 0, tried, 0.0)
        if eco.bond > 0:                          # no more commitments than bonds its balance can post
            forfeits = np.minimum(forfeits, np.floor(st.balance[working] / eco.bond))
        submitted = np.where(delivers == 0, 0.0, tried)
        unit_cost = st.cost[working] + g_now
        slashes = cost_now - tried * unit_cost    # what the rules charged beyond compute and gas
        ep.reward[working] += paid_now
        ep.spent[working] += slashes + submitted * unit_cost + forfeits * eco.bond
        ep.attempts[working] += submitted
        ep.gas += float(submitted.sum() * g_now)
        ep.opex += float(submitted @ st.cost[working])
        ep.burned += float(slashes.sum() + eco.bond * forfeits.sum())
        ep.renegers = int(round(forfeits.sum()))
        ep.commitments = int(round(tried.sum()))
        ep.proven, ep.on_time = accepted, on_time
        self.last_profile[working] = profile

    def _assigned(self, e: int, ep: _Epoch, played: int) -> None:
        """The sequencer assigns each unit to a prover holding the bond (provergame.commitments); the
        prover cannot decline and submits by its rule: "myopic-reward" iff the reward covers the gas
        (ignoring the bond), otherwise iff proving beats forfeiting (rho R - c - gas >= -bond). Where all
        deliver, the assignments come from per-unit draws indexed by epoch (a stretch reads them alike)."""
        from .commitments import AssignedUnits, assign_units
        st, eco, working = self.st, self.eco, ep.working
        g_now = self.gas[e]
        try:
            reward, delivers = self._assigned_plan(working, g_now)
        except InvalidParameter as exc:
            self.refusal[e] = str(exc)
            return
        if delivers.all():
            out = self._assignments(e, e + 1, working, np.array([played]))
            out = AssignedUnits(**{k: v[0] if isinstance(v, np.ndarray) else v for k, v in vars(out).items()})
        else:
            out = assign_units(self.rng, played, st.balance[working], eco.bond, delivers, st.reliability[working],
                               st.rate[working], eco.proof_window, eco.proof_deadline)
        compute, gas = (out.submitted + out.late) * st.cost[working], out.submitted * g_now
        ep.reward[working] += out.valid * reward
        ep.spent[working] += compute + gas + out.forfeited * eco.bond
        ep.attempts[working] += out.submitted
        ep.gas += float(gas.sum())
        ep.opex += float(compute.sum())
        ep.burned += eco.bond * float(out.forfeited.sum())
        ep.renegers, ep.commitments = int(out.forfeited.sum()), int(out.commitments.sum())
        ep.proven, ep.on_time = int(out.valid.sum()), int(out.on_time.sum())
        self.last_profile[working] = delivers.astype(float)

    def _assigned_plan(self, working: np.ndarray, g: float) -> tuple[float, np.ndarray]:
        """The reward per proof of the epoch's game at gas `g` and whether each assigned prover delivers."""
        st, eco = self.st, self.eco
        reward = _reward(self.games.get(self.make_game, st, working, g))
        ready = -np.expm1(-st.rate[working] * eco.proof_deadline)
        delivers = _delivers(self.rule, reward, st.reliability[working], st.cost[working], g, eco.bond, ready)
        return reward, np.broadcast_to(delivers, len(working))

    def _assignments(self, e0: int, e1: int, working: np.ndarray, played: np.ndarray) -> Any:
        """Epochs e0 to e1 - 1's assignments among `working` (all delivering), `played` units each, from the
        per-unit draws of each unit's prover, validity and proving time."""
        from .commitments import assign_delivering
        st, eco = self.st, self.eco
        return assign_delivering(self.picks.rows(e0, e1), self.validity.rows(e0, e1), self.readiness.rows(e0, e1),
                                 played, st.reliability[working], st.rate[working], eco.proof_window,
                                 eco.proof_deadline)

    def _quote(self, working: np.ndarray, g_then: float, g_now: float) -> tuple[float, int, float, bool]:
        """(the reward per proof of the epoch's game at gas `g_now`, the cheapest ask's index among `working`,
        -1 where no ask is within the reward, the quote, whether the cheapest ask is tied): asks are compute
        plus last epoch's gas `g_then`; the winner is paid the second-lowest ask, capped at the reward."""
        reward = _reward(self.games.get(self.make_game, self.st, working, g_now))
        asks = self.st.cost[working] + g_then
        if asks.min() > reward:
            return reward, -1, 0.0, False
        cheapest = np.flatnonzero(asks == asks.min())
        quote = min(reward, float(np.partition(asks, 1)[1])) if len(asks) > 1 else reward
        return reward, int(cheapest[0]), quote, len(cheapest) > 1

    def _quoted(self, e: int, ep: _Epoch, played: int) -> None:
        """Epoch proof quotes: the cheapest prover holding the bond (compute plus last epoch's gas; ties
        drawn) wins at the second-lowest such cost, capped at the reward, and commits one bond to every
        unit of the epoch; it delivers by its rule at this epoch's gas ("myopic-reward": iff the quote
        covers the gas) or forfeits the bond. The reward's rest for each proven unit goes to the sequencers.
        The tie, each proof's validity and its proving time are per-unit draws indexed by epoch (the
        assignments' streams), so a stretch books the same epochs."""
        st, eco, working = self.st, self.eco, ep.working
        g_now, g_then = self.gas[e], self.gas[max(e - 1, 0)]
        try:
            reward, winner, quote, tied = self._quote(working, g_then, g_now)
        except InvalidParameter as exc:
            self.refusal[e] = str(exc)
            return
        if winner < 0:                            # nobody quotes within the reward: the epoch goes unproven
            return
        if tied:
            asks = st.cost[working] + g_then
            cheapest = np.flatnonzero(asks == asks.min())
            winner = int(cheapest[min(int(self.picks.rows(e, e + 1)[0, 0] * len(cheapest)), len(cheapest) - 1)])
        i = working[winner]
        rho = float(st.reliability[i])
        ep.commitments = played
        if not _delivers_epoch(self.rule, quote, rho, float(st.cost[i]), g_now, eco.bond,
                               float(-np.expm1(-st.rate[i] * eco.proof_deadline)), played):
            ep.spent[i] += eco.bond
            ep.burned += eco.bond
            ep.renegers = 1
            return
        valid = self.validity.rows(e, e + 1)[0, :played] < rho
        landed = -np.log1p(-self.readiness.rows(e, e + 1)[0, :played]) / st.rate[i]
        late = landed > eco.proof_deadline              # abandoned at the proof deadline: no submission, bond lost
        valid &= ~late
        sent = played - int(late.sum())
        forfeit = eco.bond if late.any() else 0.0
        ep.reward[i] += quote * valid.sum()
        ep.spent[i] += played * st.cost[i] + sent * g_now + forfeit
        ep.attempts[i] += sent
        ep.gas += sent * g_now
        ep.opex += played * float(st.cost[i])
        ep.burned += forfeit
        ep.renegers = int(late.any())
        ep.proven, ep.on_time = int(valid.sum()), int(np.sum(valid & (landed <= eco.proof_window)))
        ep.sequencer_share = (reward - quote) * ep.proven
        self.last_profile[working] = (np.arange(len(working)) == winner).astype(float)

    def fallback(self, e: int, ep: _Epoch) -> None:
        """Units left unproven go to an open race among the provers present (fallback "race"), or are pruned.
        The race's rounds come from a buffer of their own (own stream), so a stretch books them alike."""
        unproven = ep.demand - ep.missed - ep.proven
        race = self._race(e) if unproven else None
        if race is None:
            return
        alive, gas, key, game, profile = race
        r_paid, r_cost, r_tried, accepted, _ = self.race_ahead.take(key, game, profile, self.race_rng, unproven,
                                                                    self.eco.proof_window, int(self.left[e]))
        ep.reward[alive] += r_paid
        ep.spent[alive] += r_cost
        ep.attempts[alive] += r_tried
        ep.gas += float(r_tried @ np.broadcast_to(gas, r_tried.shape))
        ep.opex += float(r_tried @ self.st.cost[alive])
        ep.fallback_proven = accepted

    def _race(self, e: int) -> tuple | None:
        """Epoch e's paid fallback race among the provers present: (who, each one's expected gas, its key,
        the race, its equilibrium), built once per field and gas; None without one."""
        st, eco = self.st, self.eco
        if not (eco.fallback == "race" and eco.fallback_reward > 0):
            return None
        from .api import solve
        from .games import WinnerTakesAll
        alive = np.flatnonzero(st.alive & (st.joins <= e))
        if not len(alive):
            return None
        timeout = None if np.isinf(eco.fallback_deadline) else eco.fallback_deadline
        # an entrant submits (pays gas) only a proof ready by the timeout: in expectation gas (1 - e^{-r D})
        gas = self.gas[e] * (1.0 if timeout is None else -np.expm1(-st.rate[alive] * timeout))
        key = b"race" + alive.tobytes() + np.float64(self.gas[e]).tobytes() + st.stake[alive].tobytes()
        if key not in self.solved:            # the race and its equilibrium, built once per field and gas
            if len(self.solved) >= self.games.limit:
                self.solved.clear()
            race = WinnerTakesAll(eco.fallback_reward, _population(st, alive, gas), deadline=timeout)
            self.solved[key] = (race, self.games.record("fallback race", race, solve(race)))
        return (alive, gas, key, *self.solved[key])

    def settle(self, e: int, ep: _Epoch) -> None:
        """Booster scores, balances, reinvested profit and hardware renewal at the epoch's end."""
        st, eco, totals = self.st, self.eco, self.totals
        if self.scores is not None:             # reward booster: decay, + increment for a paid proof
            live = np.flatnonzero(st.alive)
            self.scores[live] = self.booster.step(self.scores[live], ep.reward[live] > 0)
        st.balance += ep.reward - ep.spent
        st.earned += ep.reward - ep.spent
        if eco.reinvest > 0:                    # a share of this epoch's profit goes into stake
            moved = eco.reinvest * np.clip(ep.reward - ep.spent, 0.0, np.maximum(st.balance, 0.0))
            st.balance -= moved
            st.restaked += moved
            st.stake += moved
            totals["restaked"] += float(moved.sum())
        if eco.capex > 0:                       # hardware at the end of its life: re-buy if it paid for itself
            worn = st.alive & (e + 1 - st.bought >= eco.lifetime)
            renew = worn & (st.earned >= eco.capex) & (st.balance >= eco.capex + eco.bond)
            st.balance[renew] -= eco.capex
            totals["capex"] += eco.capex * int(renew.sum())
            st.bought[renew], st.earned[renew] = e + 1, 0.0
            _withdraw(st, worn & ~renew, totals)

    def book(self, e: int, ep: _Epoch) -> None:
        """The ledger's totals, exits below the bond, and the epoch's KPI and ledger rows."""
        st, eco, totals = self.st, self.eco, self.totals
        landed = ep.proven + ep.fallback_proven
        totals["minted"] += float(ep.reward.sum())
        totals["opex"] += ep.opex
        totals["gas"] += ep.gas
        totals["burned"] += ep.burned
        totals["protocol_gas"] += landed * self.verify[e]
        seq_revenue = eco.sequencer_reward * landed + ep.sequencer_share
        seq_gas = (ep.demand - ep.missed) * self.propose[e]
        slashes = self._sequencer_slashes(e, ep)
        totals["sequencer_minted"] += seq_revenue
        totals["sequencer_gas"] += seq_gas
        totals["sequencer_slashed"] += ep.sequencer_slashed
        st.below = np.where(st.alive & (st.balance < eco.bond), st.below + 1, 0)
        leaving = st.alive & (st.below >= eco.exit_after)
        if leaving.any():
            _withdraw(st, leaving, totals)
        if self.alive_idx is None or len(self.alive_idx) != len(st.alive) or \
                not np.array_equal(self.alive_mask, st.alive):
            self.alive_mask = st.alive.copy()
            self.alive_idx = np.flatnonzero(self.alive_mask)
        self.seq_held += seq_revenue - seq_gas - ep.sequencer_slashed
        self._sequencer_accounts(e, ep, landed, slashes)
        self._kpis(e, ep, seq_revenue, seq_gas)
        self.paid.append(ep.reward[None, :])
        self.balances.append((self.alive_idx, st.balance[self.alive_idx][None, :]))

    def _sequencer_slashes(self, e: int, ep: _Epoch) -> np.ndarray:
        """What each sequencer forfeits for the units it failed: `sequencer_slash` each, up to what its
        balance holds once its proposal gas is paid."""
        if self.eco.sequencer_failure == 0:
            return np.zeros(1)
        held = np.maximum(self.seq_balance - ep.slots * self.propose[e], 0.0)
        slashes = np.minimum(ep.failed * self.eco.sequencer_slash, held)
        ep.sequencer_slashed = float(slashes.sum())
        return slashes

    def _sequencer_accounts(self, e: int, ep: _Epoch, landed: int, slashes: np.ndarray) -> None:
        """Each sequencer's account: the landed units are drawn among the units proposed without
        replacement (per-unit draws indexed by epoch; one sequencer: all of them), each paid the block reward and its share of the
        quotes' rest; its proposal gas for every unit it proposed, its slashes for the units it failed."""
        eco, slots = self.eco, ep.slots
        mine = _landed_by_sequencer(self.landing.rows(e, e + 1), ep.proposed, ep.owner,
                                    [min(landed, int(slots.sum()))], eco.sequencers)[0]
        share = ep.sequencer_share / landed if landed else 0.0
        self.seq_balance += mine * (eco.sequencer_reward + share) - slots * self.propose[e] - slashes
        self.seq_rows.append(self.seq_balance[None, :].copy())

    def _kpis(self, e: int, ep: _Epoch, seq_revenue: float, seq_gas: float) -> None:
        st, col, icol, led, totals, alive_idx = self.st, self.col, self.icol, self.led, self.totals, self.alive_idx
        held = float(st.balance.sum())
        icol["demand"][e], icol["proven"][e], icol["on_time"][e] = ep.demand, ep.proven, ep.on_time
        icol["fallback_proven"][e], icol["active_provers"][e], icol["bonds_forfeited"][e] = \
            ep.fallback_proven, len(ep.working), ep.renegers
        icol["attempting_provers"][e] = int(np.count_nonzero(ep.attempts))
        icol["queued_entrants"][e] = self.queued
        icol["commitments"][e], icol["missed_slots"][e], icol["censored"][e] = ep.commitments, ep.missed, ep.censored
        icol["sequencer_failures"][e] = int(ep.failed.sum())
        col["sequencer_slashed"][e] = ep.sequencer_slashed
        icol["alive_provers"][e] = int(st.alive.sum())
        col["seats"][e] = np.nan if ep.seats is None else ep.seats
        col["prover_profit"][e] = float(ep.reward.sum() - ep.spent.sum() - self.amortised * st.alive.sum())
        col["protocol_gas"][e] = (ep.proven + ep.fallback_proven) * self.verify[e]
        col["minted"][e] = float(ep.reward.sum())
        col["booster_score_mean"][e] = float(self.scores[st.alive].mean()) \
            if self.scores is not None and st.alive.any() else np.nan
        col["balance_total"][e] = held
        col["balance_min"][e] = float(st.balance[alive_idx].min()) if len(alive_idx) else 0.0
        col["token_supply"][e] = self.initial + totals["minted"] + totals["sequencer_minted"] - totals["burned"] \
            - totals["sequencer_slashed"]
        col["sequencer_revenue"][e], col["sequencer_gas"][e] = seq_revenue, seq_gas
        col["sequencer_profit"][e] = seq_revenue - seq_gas - ep.sequencer_slashed
        col["stake_total"][e] = float(st.stake[alive_idx].sum())
        col["sequencer_balance_min"][e] = float(self.seq_balance.min())
        led["initial"][e] = self.initial
        for name, value in totals.items():
            led[name][e] = value
        led["held"][e] = held
        led["sequencer_held"][e] = self.seq_held


KPI_INTS = ("demand", "proven", "on_time", "fallback_proven", "active_provers", "bonds_forfeited",
            "attempting_provers", "alive_provers", "queued_entrants", "commitments", "missed_slots", "censored",
            "sequencer_failures")
KPI_FLOATS = ("seats", "prover_profit", "protocol_gas", "minted", "booster_score_mean", "balance_total",
              "balance_min", "token_supply", "sequencer_revenue", "sequencer_gas", "sequencer_profit", "stake_total",
              "sequencer_balance_min", "sequencer_slashed")
LEDGER = ("initial", "minted", "opex", "gas", "burned", "capex", "withdrawn", "protocol_gas", "sequencer_minted",
          "sequencer_gas", "sequencer_slashed", "restaked", "held", "sequencer_held")
KPI_ORDER = ("seed", "epoch", "gas_price", "submission_cost", "demand", "missed_slots", "sequencer_failures",
             "censored", "commitments",
             "proven", "on_time", "fallback_proven", "pruned", "on_time_liveness", "unproven_share", "hhi", "nakamoto",
             "active_provers", "bonds_forfeited", "seats", "attempting_provers", "alive_provers", "prover_profit", "protocol_gas", "minted",
             "booster_score_mean", "balance_total", "balance_min", "token_supply", "sequencer_revenue",
             "sequencer_gas", "sequencer_slashed", "sequencer_profit", "sequencer_balance_min", "stake_total", "queued_entrants", "refusal")


def _decide(make_game, games: _Games, st: _State, working: np.ndarray, g_then: float, g_now: float, rule: str,
            eco: Economy, last_profile: np.ndarray) -> tuple:
    """The epoch's game as played (reneging provers at reliability 0), its profile (checked), who
    delivers and the seats: commitment at last epoch's gas, delivery at this epoch's."""
    committed_game = games.get(make_game, st, working, g_then)
    if rule == "equilibrium":
        profile = games.equilibrium(make_game, st, working, g_then)
    elif rule == "best-response":
        from .solvers.regret import best_responses
        lo, hi = committed_game.strategy_bounds()
        start = committed_game.check_profile(np.clip(last_profile[working], lo, hi))
        profile = best_responses(committed_game, start)[1]
    else:
        profile = np.where(_reward(committed_game) >= g_then, 1.0, 0.0) * np.ones(len(working))
    now = games.get(make_game, st, working, g_now)
    if rule == "myopic-reward":
        delivers = np.full(len(working), float(_reward(now) >= g_now))
    elif g_now <= g_then or not isinstance(now, protocols.WithholdBribes):
        delivers = np.ones(len(working))         # committed at prices no better than today's
    else:                                         # proving beats reneging and forfeiting the bond
        delivers = (np.asarray(now.withhold_bribes(), float) + eco.bond >= 0).astype(float)
    game = now if np.all(delivers == 1) else games.get(make_game, st, working, g_now, delivers)
    profile = game.check_profile(profile)
    return game, profile, delivers, game.seats(profile)


def _frames(seed: int, env: Environment, gas: np.ndarray, col: dict, icol: dict, led: dict, paid: list,
            balances: list, names: list[str], refusal: np.ndarray):
    """The run's KPI and ledger columns (column -> array; `_stacked` makes the frames) and its balance blocks;
    concentration per epoch from the rewards paid, vectorised."""
    from .solvers.metrics import hhi_rows, nakamoto_rows
    E = len(gas)
    width = max((r.shape[1] for r in paid), default=0)
    rewards = np.zeros((E, width))
    e = 0
    for block in paid:                       # one block per stretch of epochs, or per epoch stepped alone
        rewards[e:e + len(block), :block.shape[1]] = block
        e += len(block)
    demand = icol["demand"]
    with np.errstate(invalid="ignore", divide="ignore"):
        k = {"seed": np.full(E, seed), "epoch": np.arange(E), "gas_price": env.gas_price.astype(float),
             "submission_cost": gas.astype(float), **icol, **col,
             "pruned": demand - icol["missed_slots"] - icol["proven"] - icol["fallback_proven"],
             "on_time_liveness": np.where(demand > 0, icol["on_time"] / np.maximum(demand, 1), 1.0),
             "unproven_share": np.where(demand > 0, (demand - icol["proven"]) / np.maximum(demand, 1), 0.0),
             "hhi": hhi_rows(rewards), "nakamoto": nakamoto_rows(rewards), "refusal": refusal}
    kpis = {name: np.asarray(k[name]) for name in KPI_ORDER}
    residual = led["initial"] + led["minted"] + led["sequencer_minted"] - led["held"] - led["sequencer_held"] \
        - led["restaked"] - led["opex"] - led["gas"] - led["sequencer_gas"] - led["sequencer_slashed"] - led["burned"] \
        - led["capex"] - led["withdrawn"]
    ledger = {"seed": np.full(E, seed), "epoch": np.arange(E), **led, "residual": residual}
    return kpis, BalanceBlocks(seed, E, balances, list(names)), ledger


SUMMARY = ("on_time_liveness", "unproven_share", "pruned", "fallback_proven", "bonds_forfeited", "final_balances",
           "prover_profit", "sequencer_profit", "max_residual")


def summarise(kpis: pd.DataFrame, ledger: pd.DataFrame) -> dict[str, float]:
    """One run's totals: mean on-time liveness and unproven share over the epochs; pruned units, fallback
    proofs, forfeited bonds, prover and sequencer profit summed; the provers' balances at the end; the
    largest conservation residual."""
    residual = float(ledger["residual"].abs().max()) if len(ledger) else 0.0
    return {"on_time_liveness": float(kpis["on_time_liveness"].mean()),
            "unproven_share": float(kpis["unproven_share"].mean()), "pruned": float(kpis["pruned"].sum()),
            "fallback_proven": float(kpis["fallback_proven"].sum()),
            "bonds_forfeited": float(kpis["bonds_forfeited"].sum()),
            "final_balances": float(kpis["balance_total"].iloc[-1]), "prover_profit": float(kpis["prover_profit"].sum()),
            "sequencer_profit": float(kpis["sequencer_profit"].sum()), "max_residual": residual}


@reports_progress("timeline_grid: epochs")
def timeline_grid(make_game: Callable[..., Any], grid: dict[str, Sequence[Any]], provers: Population,
                  environment: Environment, seeds: Sequence[int] = (0,), rule: str = "equilibrium",
                  economy: Economy | None = None, executor: Any = None, workers: int | None = None,
                  store: str | None = None, progress: bool | None = None) -> pd.DataFrame:
    """pg.timeline at every point of `grid` x every seed, one summary row each, in grid order.

    Grid keys naming an Economy field (bond, gas_per_submission, reinvest, ...) set the economy; the
    others go to `make_game(provers, **params)`. With `store` (an SQLite file, as for `pg.sweep`) every row
    is committed as it finishes and a rerun skips the (point, seed) pairs already there; a store written
    for other provers, gas, economy or rule is refused.

    Parameters
    ----------
    make_game : callable
        make_game(population, **params) -> game.
    grid : dict of str to sequence
        Values of each parameter.
    provers, environment, seeds, rule, economy, executor, workers
        As for `timeline`.
    store : str, optional
        SQLite file rows are committed to (one transaction each: a killed run resumes, no torn row).
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    pandas.DataFrame
        One row per (point, seed): the point, seed, rule and `summarise`'s totals.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[0.001, 0.002], stake=[1.0, 2.0], reliability=0.99)
    >>> env = pg.Environment.steady(10, gas=50.0, demand=2)
    >>> make = lambda p, reward: pg.games.StakeVRF(reward, p)
    >>> frame = pg.timeline_grid(make, {"reward": [0.01, 0.05]}, pop, env, executor="serial")
    >>> frame["reward"].tolist()
    [0.01, 0.05]
    """
    economy = _checked_economy(economy)
    seeds = _checked_seeds(seeds)
    tasks = _grid_tasks(make_game, grid, provers, environment, seeds, rule, economy)
    done = _GridStore(store, list(grid), rule, _grid_identity(provers, environment, economy, rule, list(grid)))
    try:
        _run_grid(done, [t for t in tasks if t[1] not in done.rows], make_game, provers, environment, rule, executor,
                  workers)
    except BaseException:
        if done.db is not None:
            done.db.remove_if_new()
        raise
    done.close()
    rows = [done.rows[t[1]] for t in tasks]
    return pd.DataFrame(rows).drop(columns="key")


def _run_grid(done: _GridStore, todo: list[tuple], make_game: Callable[..., Any], provers: Population,
              environment: Environment, rule: str, executor: Any, workers: int | None) -> None:
    """Every (point, seed) not in the store, here or on `executor`, each recorded as it finishes."""
    expect("timeline_grid", len(todo) * environment.epochs)
    if executor is None or executor == "serial":
        for t in todo:
            done.record(t, _grid_point(make_game, provers, environment, t[3], t[4], t[5], rule))
        return
    from concurrent.futures import as_completed

    from .sweep import _executor
    with _executor(executor, workers) as pool:
        futures = {pool.submit(_grid_point, make_game, provers, environment, t[3], t[4], t[5], rule): t for t in todo}
        for fut in as_completed(futures):
            done.record(futures[fut], fut.result())
            tick("timeline_grid", f"point {futures[fut][0]}, seed {futures[fut][5]}", steps=environment.epochs)


def _grid_tasks(make_game: Callable[..., Any], grid: dict[str, Sequence[Any]], provers: Population,
                environment: Environment, seeds: list[int], rule: str, economy: Economy) -> list[tuple]:
    """(point index, key, point, game parameters, economy, seed) for every point x seed, each point checked."""
    import dataclasses
    import json

    from .sweep import grid_points
    eco_fields = {f.name for f in dataclasses.fields(Economy)}
    tasks = []
    for k, params in enumerate(grid_points(grid)):
        eco = dataclasses.replace(economy, **{n: v for n, v in params.items() if n in eco_fields})
        game_params = {n: v for n, v in params.items() if n not in eco_fields}
        _check_run(_PointGame(make_game, game_params), provers, environment, rule,
                   eco.commitment)                # a bad point, named
        for seed in seeds:
            key = json.dumps({"point": params, "seed": seed, "rule": rule}, sort_keys=True, default=str)
            tasks.append((k, key, params, game_params, eco, seed))
    return tasks


class _GridStore:
    """A timeline grid's finished rows by key, in the sweeps' SQLite store when `store` is given (each row
    committed in its own transaction, so a run killed mid-write leaves every finished row and no torn
    one); the store is tagged with the grid's provers, environment, economy and rule."""

    def __init__(self, store: str | None, names: list[str], rule: str, ident: str = ""):
        from .sweep import _Store
        self.names, self.rule = names, rule
        self.db = _Store(store, ident) if store is not None else None
        self.rows: dict[str, dict] = self.db.done() if self.db is not None else {}

    def record(self, task: tuple, summary: dict) -> None:
        row = {"key": task[1], **{n: task[2][n] for n in self.names}, "seed": task[5], "rule": self.rule, **summary}
        self.rows[task[1]] = row
        if self.db is not None:
            self.db.add([(task[1], row)])

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def _grid_identity(provers: Population, env: Environment, economy: Economy, rule: str, names: list[str]) -> str:
    """What a grid store's rows depend on besides their point and seed (the factory cannot be identified)."""
    import dataclasses
    import hashlib
    import json

    from provergame.games.base import canonical
    ident = {"provers": canonical(provers), "gas": canonical(env.gas_price), "token": canonical(env.token_price),
             "demand": canonical(env.demand), "economy": {k: canonical(v) for k, v in dataclasses.asdict(economy).items()},
             "rule": rule, "names": names}
    return "timeline_grid:" + hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


def _grid_point(make_game, provers: Population, env: Environment, game_params: dict, eco: Economy, seed: int,
                rule: str) -> dict[str, float]:
    kpis, _, ledger, _, _ = _run(_PointGame(make_game, game_params), provers, env, seed, rule, eco)
    return summarise(_stacked([kpis]), _stacked([ledger]))


class _PointGame:
    """population -> make_game(population, **params): picklable when make_game is."""

    def __init__(self, make_game: Callable[..., Any], params: dict):
        self.make_game, self.params = make_game, params

    def __call__(self, population: Population) -> Any:
        return self.make_game(population, **self.params)

"""Scenarios: a prover network and the mechanisms to analyse, in one TOML file, validated on load.

Unknown keys are errors; every error names the file, the key and what is allowed.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import InvalidParameter
from .model import Population


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Distribution(_Strict):
    """A named distribution for a population column, drawn with the population's seed."""

    dist: Literal["lognormal", "uniform", "constant", "pareto"]
    mean: float = 0.0          # lognormal: mean of log
    sigma: float = Field(0.5, ge=0)
    low: float = 0.0
    high: float = 1.0
    value: float = 1.0
    alpha: float = Field(2.0, gt=0)
    scale: float = Field(1.0, gt=0)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.dist == "lognormal":
            return self.scale * rng.lognormal(self.mean, self.sigma, n)
        if self.dist == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.dist == "pareto":
            return self.scale * (1 + rng.pareto(self.alpha, n))
        return np.full(n, self.value)


Column = Union[float, list[float], Distribution]


class ProversSpec(_Strict):
    n: int | None = Field(None, ge=1)
    seed: int = Field(0, ge=0)
    cost: Column = 1.0
    rate: Column = 1.0
    stake: Column = 0.0
    reliability: Column = 1.0
    capacity: Column = 1.0
    names: list[str] | None = None
    # a dominant, well-funded prover: overrides for prover 0
    dominant: dict[str, float] | None = None

    @model_validator(mode="after")
    def _size(self) -> "ProversSpec":
        lists = [len(v) for v in (self.cost, self.rate, self.stake, self.reliability, self.capacity)
                 if isinstance(v, list)]
        if self.n is None and not lists:
            raise ValueError("give n, or at least one column as an explicit list")
        sizes = set(lists) | ({self.n} if self.n is not None else set())
        if len(sizes) > 1:
            raise ValueError(f"column lengths and n disagree: {sorted(sizes)}")
        if self.dominant and set(self.dominant) - {"cost", "rate", "stake", "reliability", "capacity"}:
            raise ValueError("dominant may set only cost, rate, stake, reliability, capacity")
        return self

    def population(self) -> Population:
        lists = [len(v) for v in (self.cost, self.rate, self.stake, self.reliability, self.capacity)
                 if isinstance(v, list)]
        n = self.n if self.n is not None else lists[0]
        rng = np.random.default_rng(self.seed)
        cols = {}
        for key in ("cost", "rate", "stake", "reliability", "capacity"):
            v = getattr(self, key)
            cols[key] = v.draw(rng, n) if isinstance(v, Distribution) else np.broadcast_to(np.asarray(v, float), n).copy()
        for key, value in (self.dominant or {}).items():
            cols[key][0] = value
        return Population.from_arrays(names=self.names, **cols)


class _Mech(_Strict):
    label: str | None = None


class WinnerTakesAllSpec(_Mech):
    kind: Literal["winner_takes_all"]
    reward: float = Field(gt=0)


class SpeedRaceSpec(_Mech):
    kind: Literal["speed_race"]
    reward: float = Field(gt=0)


class UncleRewardsSpec(_Mech):
    kind: Literal["uncle_rewards"]
    reward: float = Field(gt=0)
    uncle_share: float = Field(ge=0, le=1)
    uncles: int = Field(ge=0)


class MinimumProvingTimeSpec(_Mech):
    kind: Literal["minimum_proving_time"]
    reward: float = Field(gt=0)
    t_min: float = Field(ge=0)
    proving_time: Literal["exponential", "deterministic"] = "exponential"


class SequencerChosenSpec(_Mech):
    kind: Literal["sequencer_chosen"]
    fee: float = Field(ge=0)
    deadline: float = Field(gt=0)
    target: float = Field(ge=0, lt=1)
    pay: Literal["first", "all"] = "first"
    bond: float = Field(0.0, ge=0)
    payment: Literal["protocol", "out_of_protocol"] = "protocol"


class StakeVRFSpec(_Mech):
    kind: Literal["stake_vrf"]
    reward: float = Field(gt=0)
    weighting: Literal["stake", "identity"] = "stake"
    min_stake: float = Field(0.0, ge=0)
    stake_cost: float = Field(0.0, ge=0)
    slash: float = Field(0.0, ge=0)
    choose: Literal["entry", "stake"] = "entry"


class TaikoPoolSpec(_Mech):
    kind: Literal["taiko_pool"]
    fee_cap: float = Field(gt=0)
    pool_size: int = Field(32, ge=1)
    slash: float = Field(0.0, ge=0)
    selection: Literal["uniform", "stake"] = "uniform"


class TurnBasedSpec(_Mech):
    kind: Literal["turn_based"]
    reward: float = Field(gt=0)
    rule: Literal["stake_turns", "turn_auction"] = "stake_turns"
    cost_noise: float = Field(0.2, gt=0)


class ProofTreeVRFSpec(_Mech):
    kind: Literal["proof_tree_vrf"]
    leaves: int = Field(ge=2)
    leaf_reward: float = Field(ge=0)
    merge_reward: float = Field(ge=0)
    slash: float = Field(0.0, ge=0)
    weighting: Literal["uniform", "stake"] = "uniform"
    node_work: float | None = Field(None, ge=0)


class DelegatedStakeSpec(_Mech):
    kind: Literal["delegated_stake"]
    reward: float = Field(gt=0)
    delegators: float | list[float]
    active_set: int = Field(ge=1)
    sensitivity: float = Field(20.0, ge=0)


class SnarketplaceSpec(_Mech):
    kind: Literal["snarketplace"]
    demand: float = Field(gt=0)
    reserve_price: float = Field(gt=0)


class PredationSpec(_Mech):
    kind: Literal["predation"]
    demand: float = Field(gt=0)
    reserve_price: float = Field(gt=0)
    predator: int = Field(ge=0)
    predation_price: float = Field(ge=0)
    periods: int = Field(ge=1)
    entry_delay: int = Field(ge=0)
    entry_cost: float = Field(ge=0)
    discount: float = Field(gt=0, le=1)
    fixed_cost: float = Field(0.0, ge=0)


class NilMarketSpec(_Mech):
    kind: Literal["nil_market"]
    requests: list[tuple[float, float]] = Field(min_length=1)
    priority: Literal["price", "time"] = "price"


class FeeSharingSpec(_Mech):
    kind: Literal["fee_sharing"]
    fees: float = Field(gt=0)
    mev: float | list[float] = 0.0
    sequencers: int = Field(ge=2)
    weight: Literal["linear", "exponential", "multiplicative"] = "linear"
    gamma: float = Field(1.0, gt=0)


class ScrollAuctionSpec(_Mech):
    kind: Literal["scroll_auction"]
    sequencers: int = Field(ge=2)
    value_distribution: (Literal["uniform"] | tuple[Literal["lognormal"], float]
                          | tuple[Literal["beta"], float, float]) = "uniform"
    value_max: float = Field(1.0, gt=0)


class B52Spec(_Mech):
    kind: Literal["b52"]
    builders: list[float] = Field(min_length=2)
    vote_weight: Literal["vrf", "stake", "none"] = "vrf"
    committee: int | None = Field(None, ge=1)
    units: int = Field(8, ge=1)
    unique_bonus: float = Field(0.0, ge=0)


class BoosterSpec(_Strict):
    decay: float = Field(100_000, ge=0)
    increment: float = Field(125_000, ge=0)
    max_score: float = Field(15_000_000, gt=0)
    a: float = Field(1_000, gt=0)
    minimum: float = Field(100_000, ge=0)
    k: float = Field(1_000_000, gt=0)


class AztecMultiProofSpec(_Mech):
    kind: Literal["aztec_multi_proof"]
    epoch_rewards: float = Field(gt=0)
    proving_cost: float | None = Field(None, ge=0)
    booster: BoosterSpec = BoosterSpec()
    scores: float | list[float] | None = None


class SidecarSpec(_Mech):
    kind: Literal["sidecar"]
    prover_tip: float = Field(ge=0)
    reward_share: float = Field(ge=0, le=1)
    block_reward: float = Field(ge=0)
    deposit: float = Field(ge=0)
    stake_slash: float = Field(0.0, ge=0)


class EpochQuotesSpec(_Mech):
    kind: Literal["epoch_quotes"]
    epoch_rewards: float = Field(gt=0)
    max_bps: float = Field(10_000, gt=0, le=10_000)
    proposer_share: float = Field(0.0, ge=0, le=1)
    bond: float = Field(0.0, ge=0)


class TaikoProverPoolSpec(_Mech):
    kind: Literal["taiko_prover_pool"]
    fee_per_gas: float = Field(gt=0)
    gas: float = Field(gt=0)
    pool_size: int = Field(32, ge=1)
    slash_points: float = Field(500.0, ge=0, le=10_000)
    max_capacity: int = Field(10, ge=1)
    reward_multiple: float = Field(4.0, ge=0)
    min_slash: float = Field(0.0, ge=0)


CostLaw = tuple[Literal["uniform", "lognormal"], float, float]


class ReverseAuctionSpec(_Mech):
    kind: Literal["reverse_auction"]
    provers_count: int = Field(ge=2)
    cost_distribution: CostLaw = ("uniform", 0.0, 1.0)
    reliability: float = Field(1.0, gt=0, le=1)
    slash: float = Field(0.0, ge=0)
    max_price: float = Field(float("inf"), gt=0)


class ReverseDutchAuctionSpec(_Mech):
    kind: Literal["reverse_dutch_auction"]
    min_price: float = Field(ge=0)
    max_price: float = Field(gt=0)
    ramp: float = Field(gt=0)
    lock_timeout: float = Field(gt=0)
    collateral: float = Field(0.0, ge=0)
    burn_share: float = Field(0.5, ge=0, le=1)
    provers_count: int = Field(ge=2)
    cost_distribution: CostLaw = ("uniform", 0.0, 1.0)
    reliability: float = Field(1.0, gt=0, le=1)
    after_timeout_price: float = Field(0.0, ge=0)


class LotteryRewardSpec(_Mech):
    kind: Literal["lottery_reward"]
    reward: float = Field(ge=0)
    fault_cost: float = Field(0.0, ge=0)


MechanismSpec = Annotated[Union[AztecMultiProofSpec, SidecarSpec, EpochQuotesSpec, TaikoProverPoolSpec, ReverseAuctionSpec,
                                ReverseDutchAuctionSpec, LotteryRewardSpec, FeeSharingSpec, ScrollAuctionSpec, B52Spec, SnarketplaceSpec, PredationSpec, NilMarketSpec, WinnerTakesAllSpec, SpeedRaceSpec, UncleRewardsSpec, MinimumProvingTimeSpec,
                                SequencerChosenSpec, StakeVRFSpec, TaikoPoolSpec, TurnBasedSpec, ProofTreeVRFSpec,
                                DelegatedStakeSpec], Field(discriminator="kind")]

MECHANISMS = {
    "winner_takes_all": "WinnerTakesAll", "speed_race": "SpeedRace", "uncle_rewards": "UncleRewards",
    "minimum_proving_time": "MinimumProvingTime", "sequencer_chosen": "SequencerChosen", "stake_vrf": "StakeVRF",
    "taiko_pool": "TaikoPool", "turn_based": "TurnBased", "proof_tree_vrf": "ProofTreeVRF",
    "delegated_stake": "DelegatedStake", "snarketplace": "Snarketplace", "predation": "Predation",
    "nil_market": "NilMarket", "fee_sharing": "FeeSharing", "b52": "B52",
    "aztec_multi_proof": "AztecMultiProof", "sidecar": "Sidecar", "epoch_quotes": "EpochQuotes",
    "taiko_prover_pool": "TaikoProverPool", "reverse_auction": "ReverseAuction",
    "reverse_dutch_auction": "ReverseDutchAuction", "lottery_reward": "LotteryReward", "scroll_auction": "ScrollAuction",
}


class Grid(_Strict):
    start: float
    stop: float
    num: int = Field(ge=2, le=10_000)

    def values(self) -> np.ndarray:
        return np.linspace(self.start, self.stop, self.num)


class SweepSpec(_Strict):
    mechanism: str
    param: str
    grid: Grid
    label: str | None = None


class ComparisonSpec(_Strict):
    """Designs compared at one reward budget per block in the index report."""

    budget: float = Field(10.0, gt=0)
    slash: float = Field(1.0, ge=0)
    pool_size: int = Field(8, ge=1)
    leaves: int = Field(8, ge=2)
    mev: float = Field(4.0, ge=0)
    fees: float = Field(1.0, gt=0)
    sequencers: int = Field(4, ge=2)
    unique_bonus: float = Field(0.25, ge=0)


class Scenario(_Strict):
    name: str
    description: str = ""
    seed: int = Field(0, ge=0)
    rounds: int = Field(100_000, ge=100, le=100_000_000)
    provers: ProversSpec
    mechanism: list[MechanismSpec] = Field(min_length=1)
    sweep: list[SweepSpec] = []
    comparison: ComparisonSpec | None = None
    path: str | None = None

    @model_validator(mode="after")
    def _unique_labels(self) -> "Scenario":
        labels = [m.label or m.kind for m in self.mechanism]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise ValueError(f"mechanism labels must be unique (each names a report page); repeated: {dup}; "
                             f"give each a distinct 'label'")
        known = set(labels) | {m.kind for m in self.mechanism}
        for sw in self.sweep:
            if sw.mechanism not in known:
                raise ValueError(f"sweep.mechanism {sw.mechanism!r} is not a mechanism of this scenario")
        return self

    def population(self) -> Population:
        return self.provers.population()

    def games(self) -> list[tuple[str, Any]]:
        """(label, game) for every mechanism in the file."""
        pop = self.population()
        return [(spec.label or spec.kind, build_game(spec, pop)) for spec in self.mechanism]


def build_game(spec: Any, provers: Population, **overrides: Any):
    from provergame import games
    params = spec.model_dump(exclude={"kind", "label"})
    params.update(overrides)
    if spec.kind in ("fee_sharing",):
        return games.FeeSharing(**params)
    if spec.kind == "scroll_auction":
        return games.ScrollAuction(provers=provers, **params)
    if spec.kind in ("reverse_auction", "reverse_dutch_auction"):
        return getattr(games, MECHANISMS[spec.kind])(**params)
    if spec.kind == "aztec_multi_proof":
        params["booster"] = games.Booster(**params["booster"])
    if spec.kind == "predation":
        market = games.Snarketplace(params.pop("demand"), params.pop("reserve_price"), provers)
        return games.Predation(market=market, **params)
    return getattr(games, MECHANISMS[spec.kind])(provers=provers, **params)


def _message(path: str, err: ValidationError) -> str:
    lines = [f"{path}: invalid scenario"]
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"] if not (isinstance(x, str) and x.endswith("Spec")))
        val = e.get("input")
        shown = "" if isinstance(val, dict) else f" (got {val!r})"
        lines.append(f"  key '{loc}': {e['msg']}{shown}")
    return "\n".join(lines)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file; errors name the file and the key."""
    path = Path(path)
    if not path.is_file():
        raise InvalidParameter("scenario", str(path), "an existing TOML file")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InvalidParameter("scenario", str(path), f"valid TOML ({exc})") from None
    try:
        sc = Scenario.model_validate({**data, "path": str(path)})
        sc.population()
        return sc
    except ValidationError as exc:
        raise InvalidParameter("scenario", str(path), "a valid scenario:\n" + _message(str(path), exc)) from None
    except InvalidParameter as exc:
        raise InvalidParameter("scenario", str(path), f"a valid prover population ({exc})") from None


def default_scenario_path() -> Path:
    here = Path(__file__).resolve().parent.parent / "scenarios" / "default.toml"
    return here

"""Scenarios: a prover network and the mechanisms to analyse, in one TOML file, validated on load.

Unknown keys are errors; every error names the file, the key and what is allowed.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from provergame.games import Game, build, game_class, registered
from provergame.games.registry import Recipe
from provergame.games.base import canonical
from provergame.games.registry import parameter_specs, resolve, routed_kinds

from .errors import InvalidParameter
from .model import Population
from .params import Int
from .timing import Timing


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


def _law(d: Distribution) -> str:
    """A distribution in words, as the report states it."""
    return {"uniform": f"uniform on [{d.low:g}, {d.high:g}]", "constant": f"constant {d.value:g}",
            "lognormal": f"{d.scale:g} x lognormal(mean {d.mean:g}, sigma {d.sigma:g})",
            "pareto": f"{d.scale:g} x (1 + Pareto({d.alpha:g}))"}[d.dist]


class UncertaintySpec(_Strict):
    """What else the robustness draws draw besides the provers: draw 0 keeps the configured values,
    draw k >= 1 draws the window with seed (provers.seed + k, 1), the cost scale with (.., 2) and the
    failure scale with (.., 3), one number per draw for the whole network.

    cost_scale multiplies every prover's cost in reward tokens: a proof's gas and compute are paid in
    ETH or fiat and the reward in the rollup's token, so a gas-price spike or a token-price fall moves
    every cost together (token price halved: scale 2). failure_scale multiplies every prover's failure
    probability 1 - reliability (an outage or a buggy prover release hits all provers at once)."""

    window: Distribution | None = None          # the on-time window, in the scenario's time units
    cost_scale: Distribution | None = None      # multiplier of every prover's cost (gas and token price)
    failure_scale: Distribution | None = None   # multiplier of every prover's failure probability

    @model_validator(mode="after")
    def _positive(self) -> "UncertaintySpec":
        for name in ("window", "cost_scale", "failure_scale"):
            w = getattr(self, name)
            low = {"uniform": w.low, "constant": w.value, "lognormal": 1.0, "pareto": 1.0}[w.dist] if w else 1.0
            if low <= 0 and not (name == "failure_scale" and low == 0):
                raise ValueError(f"uncertainty.{name} must stay > 0; its {w.dist} draw reaches {low:g}")
        f = self.failure_scale
        if f is not None and f.dist in ("lognormal", "pareto"):
            raise ValueError(f"uncertainty.failure_scale must be bounded (uniform or constant): a {f.dist} draw can "
                             "push a failure probability above 1")
        return self

    def highest_failure_scale(self) -> float:
        """The largest failure scale a draw can take (1 where none is declared)."""
        f = self.failure_scale
        return 1.0 if f is None else (f.high if f.dist == "uniform" else f.value)


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
        for key in Population.COLUMNS:
            v = getattr(self, key)
            cols[key] = v.draw(rng, n) if isinstance(v, Distribution) else np.broadcast_to(np.asarray(v, float), n).copy()
        for key, value in (self.dominant or {}).items():
            cols[key][0] = value
        return Population.from_arrays(names=self.names, **cols)


@dataclass(frozen=True)
class MechanismSpec:
    """One [[mechanism]] table: a registered kind, its label, and its parameters as given."""

    kind: str
    label: str
    params: dict[str, Any]

    def build(self, provers: Population, **overrides: Any) -> Game:
        """The game, its parameters validated by the game's own specs (provergame.params)."""
        return build(self.kind, {**self.params, **overrides}, provers)

    def recipe(self, provers: Population | None = None, **overrides: Any) -> Recipe:
        """This mechanism as a picklable recipe (provergame.games.Recipe), with `overrides` set."""
        from provergame.sweep import _digest
        return Recipe(self.kind, {**self.params, **overrides}, provers, f"{self.kind}:{_digest(self.identity())}")

    def identity(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "params": canonical(self.params)}


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


class EnvironmentSpec(_Strict):
    """Exogenous series of a timeline: a preset (steady, sinusoidal, shock, a recorded history) and its numbers."""

    preset: Literal["steady", "sinusoidal", "shock", "history"] = "steady"
    gas: float = Field(50.0, ge=0, le=1e9)                # gwei
    amplitude: float = Field(0.0, ge=0, le=1e9)           # sinusoidal
    period: int = Field(100, ge=1)                        # sinusoidal, epochs
    start: int = Field(0, ge=0)                           # shock
    size: float = Field(0.0, ge=0, le=1e9)                # shock, gwei added
    length: int = Field(0, ge=0)                          # shock, epochs
    series: str = "l1-basefee-2025-01-01"                 # history: a bundled L1 base-fee series
    epoch_seconds: float = Field(12.0, gt=0, le=1e9)      # history: seconds per epoch
    token_price: float = Field(1e-3, gt=0, le=1e18)       # ETH per token
    demand: int = Field(10, ge=0, le=10_000_000)          # units of work per epoch


class TimelineSpec(_Strict):
    """[timeline]: one scenario mechanism played epoch after epoch under each rule (pg.timeline)."""

    mechanism: str
    epochs: int = Field(200, ge=1, le=10_000_000)
    seeds: list[Annotated[int, Field(ge=0, le=2**63 - 1)]] = Field([0], min_length=1, max_length=10_000)
    rules: list[Literal["equilibrium", "best-response", "myopic-reward"]] = ["equilibrium"]
    commitments: list[Literal["self", "assigned", "quotes"]] = ["self"]     # each run under every (commitment, rule)
    environment: EnvironmentSpec = EnvironmentSpec()
    economy: dict[str, Any] = {}
    reward_per_day: float | None = Field(None, gt=0, le=1e18)   # checked: the mechanism's budget x blocks_per_day

    def environment_series(self):
        from .timeline import Environment
        e = self.environment
        common = {"token_price": e.token_price, "demand": e.demand}
        if e.preset == "sinusoidal":
            return Environment.sinusoidal(self.epochs, e.gas, e.amplitude, e.period, **common)
        if e.preset == "shock":
            return Environment.shock(self.epochs, e.gas, e.start, e.size, e.length, **common)
        if e.preset == "history":
            return Environment.history(self.epochs, e.epoch_seconds, e.series, **common)
        return Environment.steady(self.epochs, e.gas, **common)

    def economy_params(self, timing: Timing | None = None, commitment: str | None = None):
        """The Economy; on time within the scenario's window (its Timing) unless the table sets its own;
        `commitment` (one of `commitments`) as given, else the first."""
        from .timeline import Economy
        return Economy(**{"window": (timing or Timing()).window, **self.economy,
                          "commitment": commitment or self.commitments[0]})

    def runs(self) -> list[tuple[str, str]]:
        """(commitment, rule) of every run, commitments outermost."""
        return [(c, r) for c in self.commitments for r in self.rules]

    def run_label(self, commitment: str, rule: str) -> str:
        return rule if len(self.commitments) == 1 else f"{commitment} + {rule}"


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
    window: float = Field(1.0, gt=0, le=1e12)          # time units within which a proof is on time
    slot_seconds: float = Field(600.0, gt=0, le=1e9)   # real seconds of one unit of work
    blocks_per_day: float | None = Field(None, gt=0, le=1e9)   # units of work a day, checked against slot_seconds
    equal_budget: float | None = Field(None, gt=0, le=1e12)   # user cost per proof every design is also solved at
    draws: int = Field(1, ge=1, le=1000)        # population draws behind the robustness bands (1: none)
    targets: dict[str, float] = {}              # the designer's targets (decision page): metric -> bound
    provers: ProversSpec
    mechanism: list[dict[str, Any]] = Field(min_length=1)
    sweep: list[SweepSpec] = []
    comparison: ComparisonSpec | None = None
    timeline: TimelineSpec | None = None
    uncertainty: UncertaintySpec | None = None  # quantities drawn beside the provers in the robustness draws
    path: str | None = None

    @model_validator(mode="after")
    def _unique_labels(self) -> "Scenario":
        self._check_mechanisms()
        self._check_timeline()
        self._check_targets()
        self._check_sweeps()
        return self

    def _check_mechanisms(self) -> None:
        """Every [[mechanism]] names a known kind and a string label, and labels are unique."""
        kinds = registered()
        for i, m in enumerate(self.mechanism):
            if not isinstance(m.get("kind"), str) or m["kind"] not in kinds and m["kind"] not in routed_kinds():
                raise ValueError(f"mechanism[{i}].kind must be one of {', '.join(sorted(kinds))} "
                                 f"(got {m.get('kind')!r})")
            if "label" in m and not isinstance(m["label"], str):
                raise ValueError(f"mechanism[{i}].label must be a string (got {m['label']!r})")
        labels = [m.label for m in self.specs()]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise ValueError(f"mechanism labels must be unique (each names a report page); repeated: {dup}; "
                             f"give each a distinct 'label'")

    def _check_time_base(self) -> None:
        """Units agree: a day of units of work at slot_seconds each is a day, and the timeline mechanism's
        reward per block times the blocks of a day is its reward per day (each within 1%)."""
        if self.blocks_per_day is None:
            if self.timeline is not None and self.timeline.reward_per_day is not None:
                raise ValueError("timeline.reward_per_day needs blocks_per_day (the scenario's units of work a day)")
            return
        day = self.blocks_per_day * self.slot_seconds
        if abs(day - 86_400) > 864:
            raise ValueError(f"blocks_per_day = {self.blocks_per_day:g} at slot_seconds = {self.slot_seconds:g} is "
                             f"{day / 3600:.4g} hours, not a day: set slot_seconds = {86_400 / self.blocks_per_day:.6g}")
        if self.timeline is None or self.timeline.reward_per_day is None:
            return
        spec = self.spec(self.timeline.mechanism)
        field = game_class(spec.kind).traits.budget_field
        per_block = spec.params.get(field) if field else None
        if not isinstance(per_block, (int, float)):
            raise ValueError(f"timeline.reward_per_day: {self.timeline.mechanism!r} has no reward per block to check it "
                             f"against")
        if abs(per_block * self.blocks_per_day - self.timeline.reward_per_day) > 0.01 * self.timeline.reward_per_day:
            raise ValueError(f"timeline.reward_per_day = {self.timeline.reward_per_day:g} but {field} = {per_block:g} per "
                             f"block x {self.blocks_per_day:g} blocks a day = {per_block * self.blocks_per_day:.6g}")

    def _check_timeline(self) -> None:
        if self.timeline is None:
            self._check_time_base()
            return
        spec = self.spec(self.timeline.mechanism)
        if spec is None:
            raise ValueError(f"timeline.mechanism {self.timeline.mechanism!r} is not a mechanism of this scenario")
        traits = game_class(spec.kind).traits
        if traits.players_field != "provers":
            raise ValueError(f"timeline.mechanism {self.timeline.mechanism!r} is a {spec.kind}, whose players are "
                             f"its {traits.players_field}, not a prover population a timeline carries across epochs; "
                             f"choose a mechanism played by the provers")
        if set(self.timeline.commitments) - {"self"} and (traits.budget_field is None or traits.strategy != "entry"):
            raise ValueError(f"timeline.commitments: 'assigned' and 'quotes' need an entry game with one reward per proof; "
                             f"{self.timeline.mechanism!r} is a {spec.kind}")
        if "myopic-reward" in self.timeline.rules and (traits.budget_field is None or traits.strategy != "entry"):
            raise ValueError(f"timeline.rules: 'myopic-reward' needs an entry game with one reward per proof; "
                             f"{spec.kind} is not one (use 'equilibrium' or 'best-response')")
        unknown = set(self.timeline.economy) - set(_economy_fields())
        if unknown:
            raise ValueError(f"timeline.economy has unknown keys {sorted(unknown)}; known: "
                             f"{', '.join(_economy_fields())}")
        self.timeline.economy_params()
        self._check_time_base()

    def _check_targets(self) -> None:
        from .targets import TARGETS
        for key, bound in self.targets.items():
            if key not in TARGETS:
                raise ValueError(f"targets.{key} is not a target; targets are {', '.join(TARGETS)}")
            if not np.isfinite(bound) or bound < 0:
                raise ValueError(f"targets.{key} must be a finite number >= 0 (got {bound!r})")

    def _check_sweeps(self) -> None:
        for i, sw in enumerate(self.sweep):
            spec = self.spec(sw.mechanism)
            if spec is None:
                raise ValueError(f"sweep[{i}].mechanism {sw.mechanism!r} is not a mechanism of this scenario")
            fields_ = parameter_specs(game_class(spec.kind))
            if sw.param not in fields_:
                raise ValueError(f"sweep[{i}].param {sw.param!r} is not a parameter of {spec.kind} "
                                 f"(one of {', '.join(fields_)})")

    def specs(self) -> list[MechanismSpec]:
        """Every [[mechanism]] table as a MechanismSpec (label defaults to the kind)."""
        out = []
        for m in self.mechanism:
            kind, params = resolve(m["kind"], {k: v for k, v in m.items() if k not in ("kind", "label")})
            out.append(MechanismSpec(kind, m.get("label") or m["kind"], params))
        return out

    def spec(self, name: str) -> MechanismSpec | None:
        """The mechanism with this label, or else the first of this kind."""
        specs = self.specs()
        return next((m for m in specs if m.label == name), None) or next((m for m in specs if m.kind == name), None)

    def population(self) -> Population:
        return self.provers.population()

    def populations(self) -> list[tuple[int, Population]]:
        """(seed, population) for each robustness draw: the configured population first, then the same
        distributions drawn with seeds seed + 1, ..., each with the draw's cost and failure scales
        (`uncertainty`); a population where nothing is drawn is drawn once."""
        return [(seed, self._scaled(seed, self.provers.model_copy(update={"seed": seed}).population()))
                for seed in self._draw_seeds()]

    def _scaled(self, seed: int, pop: Population) -> Population:
        """`pop` with draw `seed`'s network-wide cost and failure scales (draw 0 keeps the configured)."""
        u = self.uncertainty
        if u is None or seed == self.provers.seed or (u.cost_scale is None and u.failure_scale is None):
            return pop
        cost, reliability = pop.cost, pop.reliability
        if u.cost_scale is not None:
            cost = cost * float(u.cost_scale.draw(np.random.default_rng((seed, 2)), 1)[0])
        if u.failure_scale is not None:
            scale = float(u.failure_scale.draw(np.random.default_rng((seed, 3)), 1)[0])
            worst = float(np.max(1 - reliability))
            if scale * worst > 1:
                raise InvalidParameter("uncertainty.failure_scale", scale,
                                       f"at most {1 / worst:.4g} (the least reliable prover fails with {worst:.4g})")
            reliability = 1 - (1 - reliability) * scale
        return pop.replace(cost=cost, reliability=reliability)

    def _draw_seeds(self) -> list[int]:
        """The robustness draws' seeds: provers.seed + k, k < draws, where anything is drawn (else one)."""
        u = self.uncertainty
        random = any(isinstance(getattr(self.provers, k), Distribution) for k in Population.COLUMNS) or (
            u is not None and any(d is not None for d in (u.window, u.cost_scale, u.failure_scale)))
        return [self.provers.seed + k for k in range(self.draws if random else 1)]

    @property
    def _window_drawn(self) -> bool:
        return self.uncertainty is not None and self.uncertainty.window is not None

    def draw_timings(self) -> list[Timing]:
        """The Timing of each robustness draw, aligned with `populations()`: the configured window in draw
        0, and in draw k >= 1 the `uncertainty.window` draw with seed (provers.seed + k, 1) where declared."""
        out = []
        for seed in self._draw_seeds():
            window = self.window
            if self._window_drawn and seed != self.provers.seed:
                window = float(self.uncertainty.window.draw(np.random.default_rng((seed, 1)), 1)[0])
            out.append(Timing(window, self.slot_seconds))
        return out

    def uncertainty_text(self) -> str:
        """What the draws draw besides the provers, in words ("" where nothing else)."""
        u = self.uncertainty
        if u is None:
            return ""
        parts = []
        if u.window is not None:
            parts.append(f"the window, {_law(u.window)} time units (draw 0 keeps {self.window:g})")
        if u.cost_scale is not None:
            parts.append(f"a network-wide cost scale (gas and token price), {_law(u.cost_scale)} times every "
                         "prover's cost (draw 0 keeps 1)")
        if u.failure_scale is not None:
            parts.append(f"a network-wide failure scale, {_law(u.failure_scale)} times every prover's failure "
                         "probability 1 - reliability (draw 0 keeps 1)")
        return "drawn too: " + "; ".join(parts) if parts else ""

    def timing(self) -> Timing:
        """The scenario's Timing: the one carrier of its window and slot length."""
        return Timing(self.window, self.slot_seconds)

    def games(self) -> list[tuple[str, Game]]:
        """(label, game) for every mechanism in the file."""
        pop = self.population()
        return [(spec.label, spec.build(pop)) for spec in self.specs()]


def build_game(spec: MechanismSpec, provers: Population, **overrides: Any) -> Game:
    return spec.build(provers, **overrides)


def _economy_fields() -> list[str]:
    from dataclasses import fields

    from .timeline import Economy
    return [f.name for f in fields(Economy)]


class ScenarioError(InvalidParameter):
    """A scenario file that cannot be used; one line naming the file, the key and what is wrong."""

    def __init__(self, path: str, key: str, problem: str, value: Any = None):
        ValueError.__init__(self, f"{path}: key '{key}': {problem}")
        self.name, self.value, self.allowed, self.path = key, value, problem, path


def _check_values(sc: Scenario, path: str) -> None:
    """Build every mechanism (and every sweep point) so that values the game refuses are reported
    here, naming the file and the key, before any work starts."""
    pop = sc.population()
    for i, spec in enumerate(sc.specs()):
        try:
            spec.build(pop)
        except InvalidParameter as exc:
            raise ScenarioError(path, f"mechanism[{i}].{exc.name}",
                                f"must be {exc.allowed} (got {exc.value!r}; mechanism {spec.label!r})", exc.value) from None
    for i, sw in enumerate(sc.sweep):
        spec = sc.spec(sw.mechanism)
        assert spec is not None
        for value in sw.grid.values():
            try:
                spec.build(pop, **{sw.param: grid_value(spec, sw.param, value)})
            except InvalidParameter as exc:
                raise ScenarioError(path, f"sweep[{i}].grid", f"{sw.param} = {value:g} is refused by "
                                    f"{spec.kind}: {exc}", value) from None


def grid_value(spec: MechanismSpec, name: str, value: float) -> Any:
    """Grid values are floats; an integer parameter takes them when they are whole numbers."""
    field_spec = parameter_specs(game_class(spec.kind))[name][0]
    if isinstance(field_spec, Int) and float(value).is_integer():
        return int(value)
    return float(value)


def _first_error(path: str, err: ValidationError) -> ScenarioError:
    e = err.errors()[0]
    loc = ".".join(str(x) for x in e["loc"] if not (isinstance(x, str) and x.endswith("Spec"))) or "(top level)"
    val = e.get("input")
    shown = "" if isinstance(val, dict) else f" (got {val!r})"
    more = f"; and {len(err.errors()) - 1} more" if len(err.errors()) > 1 else ""
    msg = str(e["msg"]).replace("Value error, ", "")
    return ScenarioError(path, loc, f"{msg}{shown}{more}", val)


MAX_NESTING = 8      # the deepest a scenario needs: a table of a mechanism holding an array of arrays


def _check_nesting(path: str, data: dict) -> None:
    """Refuse tables and arrays nested deeper than MAX_NESTING, naming the key (walked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ScenarioError(path, key or "(top level)", f"nested {depth} levels deep; a scenario nests at most "
                                f"{MAX_NESTING} levels of tables and arrays")
        if isinstance(value, dict):
            stack += [(v, f"{key}.{k}" if key else str(k), depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, f"{key}[{i}]", depth + 1) for i, v in enumerate(value)]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file; errors (ScenarioError) name the file and the key."""
    path = Path(path)
    if not path.is_file():
        raise InvalidParameter("scenario", str(path), "an existing TOML file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ScenarioError(str(path), "(file)", f"not a readable UTF-8 TOML file: {exc}") from None
    except RecursionError:
        raise ScenarioError(str(path), "(file)", f"arrays or tables nested beyond Python's recursion limit; "
                            f"a scenario nests at most {MAX_NESTING} levels") from None
    _check_nesting(str(path), data)
    try:
        sc = Scenario.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        raise _first_error(str(path), exc) from None
    try:
        sc.population()
    except InvalidParameter as exc:
        raise ScenarioError(str(path), f"provers.{exc.name}", f"must be {exc.allowed} (got {exc.value!r})") from None
    _check_values(sc, str(path))
    return sc


def default_scenario_path() -> Path:
    here = Path(__file__).resolve().parent.parent / "scenarios" / "default.toml"
    return here

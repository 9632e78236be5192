"""Robustness: headline numbers over seeded draws of the provers from the scenario's distributions.

Each draw rebuilds every mechanism on a population drawn with seed `provers.seed + k` (draw 0 is the
configured population), with the window drawn too where the scenario declares `uncertainty.window`, solves it (each equilibrium with its regret certificate) and measures it.
`bands` gives the median and the 10-90% band of each number; a verdict survives the draws when the
design it picks stays at least as good as the runner-up in most of them (`pairwise_survival`).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .lazy import pandas as pd
from .progress import expect, reports_progress, tick
from .timing import Timing

HEADLINE = ("liveness", "eventual_liveness", "hhi", "nakamoto", "user_cost", "surplus", "regret")
BAND_QUANTILES = (0.1, 0.5, 0.9)


def draw_row(label: str, game: Any, seed: int, timing: Timing, solved: dict | None = None) -> dict[str, Any]:
    """One mechanism at one population draw: its certified equilibrium's headline numbers. `solved`
    keeps equilibria by the game's identity (without the provers where the players' payoffs do not
    use them), so a draw that leaves the players' game unchanged is not solved twice."""
    from .api import metrics, mixed_equilibrium, solve
    key = _players_game(game)
    if solved is None or key not in solved:
        eq = solve(game)
        if not eq.exact:           # a certified mixture where no pure equilibrium exists, as in analyse
            eq = mixed_equilibrium(game, eq) or eq          # None: the labelled least-regret profile stays
        if solved is not None:
            solved[key] = eq
    else:
        eq = solved[key]
    m = metrics(game, eq.extra.get("mixed", eq.profile), timing.window)
    tick("robustness", f"{label}, seed {seed}")
    return {"mechanism": label, "seed": seed, **{k: float(m[k]) for k in HEADLINE if k != "regret"},
            "regret": float(eq.regret), "exact": bool(eq.exact)}


def _players_game(game: Any) -> str:
    import json
    ident = game.identity()
    if not game.traits.payoffs_use_provers:
        ident = {**ident, "params": {k: v for k, v in ident["params"].items() if k != "provers"}}
    return json.dumps(ident, sort_keys=True, default=str)


def mechanism_draws(spec: Any, populations: Sequence[tuple[int, Any]], timing: Timing | Sequence[Timing]) -> pd.DataFrame:
    """Every draw of one scenario mechanism (a MechanismSpec), one row per draw; `timing` is one Timing
    for every draw or one per draw (a scenario's `draw_timings()`, where the window is drawn too)."""
    solved: dict[str, Any] = {}
    timings = [timing] * len(populations) if isinstance(timing, Timing) else list(timing)
    return pd.DataFrame([{**draw_row(spec.label, spec.build(pop), seed, t, solved), "window": t.window}
                         for (seed, pop), t in zip(populations, timings, strict=True)])


@reports_progress("robustness: mechanism draws")
def robustness(scenario: Any, draws: int | None = None, workers: int | None = 1,
               progress: bool | None = None) -> pd.DataFrame:
    """Every mechanism of a scenario re-solved on population draws: the headline numbers per draw.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of its TOML file.
    draws : int, optional
        How many draws (default: the scenario's `draws`).
    workers : int, default 1
        Processes.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    pandas.DataFrame
        One row per (mechanism, draw): the certified equilibrium's headline metrics and regret.

    Examples
    --------
    >>> import provergame as pg
    >>> from provergame.scenario import default_scenario_path
    >>> frame = pg.robustness(default_scenario_path(), draws=2)
    >>> sorted(set(frame["seed"])) == [42, 43]
    True
    """
    from .errors import check_int
    from .scenario import Scenario, load_scenario
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if draws is not None:
        sc = sc.model_copy(update={"draws": check_int("draws", draws, lo=1, hi=1000)})
    pops = sc.populations()
    timings = sc.draw_timings()
    jobs = [(spec, pops, timings) for spec in sc.specs()]
    from .workers import check_workers
    workers = check_workers(workers or 1)
    expect("robustness", len(jobs) * len(pops))
    if workers == 1:
        frames = [mechanism_draws(*job) for job in jobs]
    else:
        from .workers import process_pool
        with process_pool(workers) as pool:
            frames = []
            for (spec, _, _), frame in zip(jobs, pool.map(mechanism_draws, *zip(*jobs))):
                frames.append(frame)
                tick("robustness", spec.label, steps=len(pops))
    return pd.concat(frames, ignore_index=True)


def bands(frame: pd.DataFrame, metrics: Sequence[str] = HEADLINE[:-1]) -> pd.DataFrame:
    """Per mechanism: draws, and for each metric the 10%, median and 90% quantiles over the draws;
    `max regret` is the worst certificate met over the draws."""
    rows = []
    for label, group in frame.groupby("mechanism", sort=False):
        row: dict[str, Any] = {"mechanism": label, "draws": len(group)}
        for m in metrics:
            lo, mid, hi = np.quantile(group[m].to_numpy(float), BAND_QUANTILES)
            row[m] = f"{_g(mid)} [{_g(lo)}, {_g(hi)}]"
        row["max regret"] = float(group["regret"].max())
        row["all exact"] = bool(group["exact"].all())
        rows.append(row)
    return pd.DataFrame(rows)


def _g(x: float) -> str:
    return "inf" if np.isinf(x) else ("nan" if np.isnan(x) else f"{x:.3g}")


def pair_scores(score: Callable[[Any], float], winner: Any, runner_up: Any, seed: int, population: Any
                ) -> dict[str, Any]:
    """One draw of a survival check: the goal's number for the winner and the runner-up (both
    functions population -> game) on this population."""
    return {"seed": seed, "winner": score(winner(population)),
            "runner_up": score(runner_up(population)) if runner_up is not None else np.nan}


def tally(rows: Sequence[dict[str, Any]], lower_is_better: bool) -> dict[str, Any]:
    """The share of draws in which the winner scores at least as well as the runner-up (nan loses)."""
    frame = pd.DataFrame(list(rows))
    a, b = frame["winner"].to_numpy(float), frame["runner_up"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        ahead = (a <= b + 1e-12) if lower_is_better else (a >= b - 1e-12)
    holds = np.isfinite(a) & (~np.isfinite(b) | ahead)
    frame["winner holds"] = holds
    return {"held": int(holds.sum()), "draws": len(frame), "winner finite": int(np.isfinite(a).sum()),
            "rows": frame}


def pairwise_survival(score: Callable[[Any], float], winner: Any, runner_up: Any,
                      populations: Sequence[tuple[int, Any]], lower_is_better: bool) -> dict[str, Any]:
    """The share of draws in which `winner` scores at least as well as `runner_up`. Both are
    functions population -> game; `score(game)` is the goal's number (nan counts as a loss)."""
    return tally([pair_scores(score, winner, runner_up, seed, pop) for seed, pop in populations], lower_is_better)


def score_function(goal: str, timing: Timing, targets: dict[str, float] | None = None) -> Callable[[Any], float]:
    """The number a decision goal ranks designs by, computed afresh on a game."""
    return _Score(goal, timing, dict(targets or {}))


class _Score:
    """Picklable goal score: the registered goal's number (decision.GOALS) at the game's equilibrium."""

    def __init__(self, goal: str, timing: Timing, targets: dict[str, float]):
        from .decision import GOALS
        if goal not in GOALS:
            raise ValueError(f"goal {goal!r}: one of {', '.join(GOALS)}")
        self.goal, self.timing, self.targets = goal, timing, targets

    def __call__(self, game: Any) -> float:
        from .api import evaluate
        from .decision import GOALS
        ev = evaluate(game, self.timing)
        return GOALS[self.goal].score(game, ev.equilibrium, ev.metrics, self.timing, self.targets)

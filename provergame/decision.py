"""The decision page: one verdict per design goal, each with its number, its runner-up, whether it
survives the population draws, and a link to its certificate.

Goals are registered objects (`register_goal`); each ranks the scenario's mechanisms by one number,
computed at certified equilibria, and the page loops over the registry:
- cheapest: the lowest user cost per proof among the cheapest designs meeting the targets (`design`);
- decentralised: the lowest HHI of rewards at the equal budget (every design paid the same per proof);
- attack: the highest stall bribe per unit of what users pay (as configured);
- cartels: the lowest joint gain of a coalition of 2 or 3 provers per unit of what users pay.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .lazy import pandas as pd
from .registries import add_once
from .results import _fmt

SURVIVAL_SHARE = 0.8        # a verdict survives when its winner holds in at least this share of draws


@dataclass(frozen=True)
class Candidate:
    """A mechanism, possibly re-parameterised (`overrides`), and its score on a goal."""

    label: str
    overrides: dict[str, float]
    score: float


@dataclass(frozen=True)
class Verdict:
    goal: str
    winner: Candidate | None
    runner_up: Candidate | None
    link: str
    note: str = ""
    tied: tuple[str, ...] = ()          # other mechanisms with exactly the winner's number


def Build(spec: Any, overrides: dict[str, float]) -> Any:      # noqa: N802 - kept for callers
    """Picklable population -> game for one scenario mechanism with parameter overrides (its Recipe)."""
    return spec.recipe(**overrides)


@dataclass(frozen=True)
class Tables:
    """What the goals rank from: the comparison summary (one row per mechanism, label in "label"), the
    equal-budget table and the cheapest designs (None where the scenario asks for neither)."""

    summary: pd.DataFrame
    equal_budget: pd.DataFrame | None
    designs: pd.DataFrame | None


@dataclass(frozen=True)
class Goal:
    """A decision goal: ranks the scenario's mechanisms by one number. `candidates(tables)` gives each
    mechanism's number (None: the goal does not apply to this scenario); `link` points at the winner's
    certificate ("{page}" is its page); `empty` is said when no mechanism has a finite number;
    `score(game, eq, metrics, timing, targets)` recomputes the number on a fresh game (the verdict's
    survival over the population draws)."""

    name: str
    title: str
    unit: str
    lower_is_better: bool
    candidates: Callable[[Tables], "list[Candidate] | None"]
    link: str
    empty: str
    score: Callable[[Any, Any, Any, Any, dict], float]


GOALS: dict[str, Goal] = {}


def register_goal(goal: Goal) -> Goal:
    """Add a goal to the decision page (the page lists them in registration order)."""
    return add_once(GOALS, goal.name, goal, "goal")


def _cheapest(t: Tables) -> list[Candidate] | None:
    if t.designs is None or not len(t.designs):
        return None
    return [Candidate(r["mechanism"], {r["budget parameter"]: float(r["value"])}, float(r["user_cost per proof"]))
            for _, r in t.designs.iterrows() if r["feasible"]]


def _decentralised(t: Tables) -> list[Candidate] | None:
    if t.equal_budget is None or not len(t.equal_budget):
        return None
    return [Candidate(r["mechanism"], {r["budget parameter"]: float(r["value at equal budget"])}, float(r["hhi"]))
            for _, r in t.equal_budget.iterrows() if np.isfinite(r["value at equal budget"])]


def _per_budget(t: Tables, numbers: np.ndarray) -> list[Candidate]:
    cost = t.summary["user_cost per proof"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost > 0, numbers / cost, np.nan)
    return [Candidate(lb, {}, float(v)) for lb, v in zip(t.summary["label"].tolist(), ratio)]


def _attack(t: Tables) -> list[Candidate]:
    return _per_budget(t, t.summary["stall bribe per unit"].to_numpy(float))


def _cartels(t: Tables) -> list[Candidate]:
    s = t.summary
    return _per_budget(t, np.fmax(s["cartel gain (k = 2)"].to_numpy(float), s["cartel gain (k = 3)"].to_numpy(float)))


def _cheapest_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    """User cost where the targets hold, else inf."""
    from .targets import meets
    scores = {"liveness": m["liveness"], "hhi": m["hhi"], "nakamoto": float(m["nakamoto"]), "user_cost": m["user_cost"]}
    return float(m["user_cost"]) if meets(scores, {k: v for k, v in targets.items() if k in scores}) else float("inf")


def _hhi_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    return float(m["hhi"])


def _attack_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    """The stall bribe after everyone responds, per token users pay per proof."""
    from .solvers.bribe import bribe_threshold
    b = bribe_threshold(game, "withhold", 0.0, profile=eq.profile, window=timing.window)
    return float(b.total / m["user_cost"]) if m["user_cost"] > 0 else float("nan")


def _cartel_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    """The largest joint gain of a coalition of 2 or 3, per token users pay per proof."""
    from .solvers.coalition import coalition_regret
    gain = max((coalition_regret(game, eq.profile, size=k, budget=game.traits.coalition_budget,
                                 best_response=eq.best_response).gain for k in (2, 3) if k <= game.n), default=0.0)
    return float(gain / m["user_cost"]) if m["user_cost"] > 0 else float("nan")


for _goal in (
    Goal("cheapest", "Cheapest design meeting the targets", "user cost per proof (token)", True, _cheapest,
         "#cheapest-design-meeting-the-targets", "no mechanism meets the targets within its searched range",
         _cheapest_score),
    Goal("decentralised", "Most decentralised at equal budget", "HHI of reward shares", True, _decentralised,
         "#at-equal-budget", "no mechanism could be set to the equal budget", _hhi_score),
    Goal("attack", "Hardest to attack per unit of budget", "stall bribe per token users pay per proof", False, _attack,
         "{page}#cost-of-a-withholding-attack-after-everyone-responds",
         "no mechanism has a finite stall bribe and a positive user cost", _attack_score),
    Goal("cartels", "Most robust to cartels", "joint gain of the best coalition of 2-3 per token users pay", True,
         _cartels, "{page}#coalitions-and-cartels", "no mechanism has coalitions to search", _cartel_score),
):
    register_goal(_goal)


def _ranked(cands: list[Candidate], lower: bool) -> list[Candidate]:
    ok = [c for c in cands if np.isfinite(c.score)]
    return sorted(ok, key=lambda c: c.score if lower else -c.score)


def _verdict(goal: Goal, cands: list[Candidate], pages: dict[str, str]) -> Verdict:
    ranked = _ranked(cands, goal.lower_is_better)
    if not ranked:
        return Verdict(goal.name, None, None, goal.link, goal.empty)
    best = ranked[0].score
    tied = tuple(c.label for c in ranked[1:] if abs(c.score - best) <= 1e-12 * max(1.0, abs(best)))
    link = goal.link.format(page=pages[ranked[0].label]) if "{page}" in goal.link else goal.link
    return Verdict(goal.name, ranked[0], ranked[1] if len(ranked) > 1 else None, link, tied=tied)


def verdicts(summary: pd.DataFrame, equal_budget: pd.DataFrame | None, designs: pd.DataFrame | None,
             pages: dict[str, str]) -> list[Verdict]:
    """Each registered goal's winner and runner-up from the report's tables. `summary` has one row per
    mechanism (label in "label"), `pages` maps a label to its page file."""
    tables = Tables(summary, equal_budget, designs)
    out = []
    for goal in GOALS.values():
        cands = goal.candidates(tables)
        if cands is not None:
            out.append(_verdict(goal, cands, pages))
    return out


def _who(c: Candidate) -> str:
    if not c.overrides:
        return f"**{c.label}**"
    return f"**{c.label}** at " + ", ".join(f"{k} = {v:.4g}" for k, v in c.overrides.items())


def verdict_table(found: list[Verdict], survival: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per goal: the winner, its number, the runner-up, and how often the winner holds over
    the population draws."""
    rows = []
    for v in found:
        title, unit = GOALS[v.goal].title, GOALS[v.goal].unit
        if v.winner is None:
            rows.append({"goal": title, "verdict": v.note, "number": "", "runner-up": "", "over the draws": "",
                         "certificate": ""})
            continue
        s = survival.get(v.goal)
        if s is None or v.runner_up is None:
            held = "no runner-up to compare" if v.runner_up is None else "not checked"
        else:
            verdict = "survives" if s["held"] >= SURVIVAL_SHARE * s["draws"] else "does not survive"
            held = f"{verdict}: ahead in {s['held']} of {s['draws']} draws"
            if v.goal == "cheapest":
                held += f"; meets the targets in {s['winner finite']}"
        shown = _who(v.winner)
        if v.tied:
            more = f", and {len(v.tied) - 3} more" if len(v.tied) > 3 else ""
            shown += f" (tied with {', '.join(v.tied[:3])}{more})"
        rows.append({"goal": title, "verdict": shown, "number": f"{_fmt(v.winner.score)} ({unit})",
                     "runner-up": f"{_who(v.runner_up)}: {_fmt(v.runner_up.score)}" if v.runner_up else "none",
                     "over the draws": held, "certificate": f"[regret and method]({v.link})"})
    return pd.DataFrame(rows)

"""The decision page: one verdict per design goal, each with its number, its runner-up, whether it
survives the population draws, and a link to its certificate.

Goals (each ranks the scenario's mechanisms by one number, computed at certified equilibria):
- cheapest: the lowest user cost per proof among the cheapest designs meeting the targets (`design`);
- decentralised: the lowest HHI of rewards at the equal budget (every design paid the same per proof);
- attack: the highest stall bribe per unit of what users pay (as configured);
- cartels: the lowest joint gain of a coalition of 2 or 3 provers per unit of what users pay.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .lazy import pandas as pd
from .results import _fmt

GOALS = {
    "cheapest": ("Cheapest design meeting the targets", "user cost per proof (token)", True),
    "decentralised": ("Most decentralised at equal budget", "HHI of reward shares", True),
    "attack": ("Hardest to attack per unit of budget", "stall bribe per token users pay per proof", False),
    "cartels": ("Most robust to cartels", "joint gain of the best coalition of 2-3 per token users pay", True),
}
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


class Build:
    """Picklable population -> game for one scenario mechanism with parameter overrides."""

    def __init__(self, spec: Any, overrides: dict[str, float]):
        self.spec, self.overrides = spec, dict(overrides)

    def __call__(self, population: Any) -> Any:
        return self.spec.build(population, **self.overrides)


def _ranked(cands: list[Candidate], lower: bool) -> list[Candidate]:
    ok = [c for c in cands if np.isfinite(c.score)]
    return sorted(ok, key=lambda c: c.score if lower else -c.score)


def _verdict(goal: str, cands: list[Candidate], link: str, empty: str) -> Verdict:
    ranked = _ranked(cands, GOALS[goal][2])
    if not ranked:
        return Verdict(goal, None, None, link, empty)
    best = ranked[0].score
    tied = tuple(c.label for c in ranked[1:] if abs(c.score - best) <= 1e-12 * max(1.0, abs(best)))
    return Verdict(goal, ranked[0], ranked[1] if len(ranked) > 1 else None, link, tied=tied)


def verdicts(summary: pd.DataFrame, equal_budget: pd.DataFrame | None, designs: pd.DataFrame | None,
             pages: dict[str, str]) -> list[Verdict]:
    """Pick each goal's winner and runner-up from the report's tables. `summary` has one row per
    mechanism (label in "label"), `pages` maps a label to its page file."""
    out = []
    if designs is not None and len(designs):
        cands = [Candidate(r["mechanism"], {r["budget parameter"]: float(r["value"])}, float(r["user_cost per proof"]))
                 for _, r in designs.iterrows() if r["feasible"]]
        out.append(_verdict("cheapest", cands, "#cheapest-design-meeting-the-targets",
                            "no mechanism meets the targets within its searched range"))
    if equal_budget is not None and len(equal_budget):
        cands = [Candidate(r["mechanism"], {r["budget parameter"]: float(r["value at equal budget"])}, float(r["hhi"]))
                 for _, r in equal_budget.iterrows() if np.isfinite(r["value at equal budget"])]
        out.append(_verdict("decentralised", cands, "#at-equal-budget",
                            "no mechanism could be set to the equal budget"))
    cost = summary["user_cost per proof"].to_numpy(float)
    bribe = summary["stall bribe per unit"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_budget = np.where(cost > 0, bribe / cost, np.nan)
        gain = np.fmax(summary["cartel gain (k = 2)"].to_numpy(float), summary["cartel gain (k = 3)"].to_numpy(float))
        cartel = np.where(cost > 0, gain / cost, np.nan)
    labels = summary["label"].tolist()
    out.append(_verdict("attack", [Candidate(lb, {}, float(v)) for lb, v in zip(labels, per_budget)],
                        "{page}#cost-of-a-withholding-attack-after-everyone-responds",
                        "no mechanism has a finite stall bribe and a positive user cost"))
    out.append(_verdict("cartels", [Candidate(lb, {}, float(v)) for lb, v in zip(labels, cartel)],
                        "{page}#coalitions-and-cartels", "no mechanism has coalitions to search"))
    return [v if "{page}" not in v.link or v.winner is None
            else Verdict(v.goal, v.winner, v.runner_up, v.link.format(page=pages[v.winner.label]), v.note, v.tied)
            for v in out]


def _who(c: Candidate) -> str:
    if not c.overrides:
        return f"**{c.label}**"
    return f"**{c.label}** at " + ", ".join(f"{k} = {v:.4g}" for k, v in c.overrides.items())


def verdict_table(found: list[Verdict], survival: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per goal: the winner, its number, the runner-up, and how often the winner holds over
    the population draws."""
    rows = []
    for v in found:
        title, unit, _ = GOALS[v.goal]
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

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

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from .lazy import pandas as pd
from .registries import add_once
from .results import _fmt

SURVIVAL_SHARE = 0.8        # a verdict survives when its winner holds in at least this share of draws
SIMULATED = ("max_z", "sim_agrees")    # summary columns from the simulator's draws, not the model


@dataclass(frozen=True)
class Candidate:
    """A mechanism, possibly re-parameterised (`overrides`), its score on a goal, and the numbers the
    page's targets are checked on where the row has them (`at`: liveness, hhi, nakamoto, user_cost)."""

    label: str
    overrides: dict[str, float]
    score: float
    at: dict[str, float] = field(default_factory=dict)
    lower_bound: bool = False           # the score is a lower bound from a search that is not exhaustive


@dataclass(frozen=True)
class Verdict:
    goal: str
    winner: Candidate | None
    runner_up: Candidate | None
    link: str
    note: str = ""
    tied: tuple[str, ...] = ()          # other mechanisms with exactly the winner's number
    bounds: tuple[str, ...] = ()        # the winner or tied mechanisms whose number is only a lower bound
    fails: str = ""                     # the page's targets the winner misses, with its numbers
    best_meeting: Candidate | None = None   # the best candidate meeting every target, where the winner does not
    same_model: tuple[str, ...] = ()    # tied mechanisms whose every table number equals the winner's


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
    survival over the population draws); `claims` are the page claims (proofs.coverage.CLAIMS) the goal
    ranks on, whose backing theorems the verdict table shows for the winner."""

    name: str
    title: str
    unit: str
    lower_is_better: bool
    candidates: Callable[[Tables], "list[Candidate] | None"]
    link: str
    empty: str
    score: Callable[[Any, Any, Any, Any, dict], float]
    claims: tuple[str, ...] = ()


GOALS: dict[str, Goal] = {}


def register_goal(goal: Goal) -> Goal:
    """Add a goal to the decision page (the page lists them in registration order)."""
    return add_once(GOALS, goal.name, goal, "goal")


def _cheapest(t: Tables) -> list[Candidate] | None:
    if t.designs is None or not len(t.designs):
        return None
    return [Candidate(r["mechanism"], dict(r.get("overrides") or {r["budget parameter"]: float(r["value"])}),
                      float(r["user_cost per proof"]))
            for _, r in t.designs.iterrows() if r["feasible"]]


AT_COLUMNS = {"liveness": "on-time liveness", "hhi": "hhi", "nakamoto": "nakamoto", "user_cost": "user_cost per proof"}


def _at(row: Any) -> dict[str, float]:
    """The numbers of a table row the targets are checked on (those the row has)."""
    return {k: float(row[c]) for k, c in AT_COLUMNS.items() if c in row.index}


def _decentralised(t: Tables) -> list[Candidate] | None:
    if t.equal_budget is None or not len(t.equal_budget):
        return None
    return [Candidate(r["mechanism"], {r["budget parameter"]: float(r["value at equal budget"])}, float(r["hhi"]), _at(r))
            for _, r in t.equal_budget.iterrows() if np.isfinite(r["value at equal budget"])]


def _per_budget(t: Tables, numbers: np.ndarray) -> list[Candidate]:
    """Per-round numbers per token users pay per round at full liveness (user cost per proof times the
    proofs a round asks for)."""
    cost = t.summary["user_cost per proof"].to_numpy(float)
    if "proofs per round" in t.summary:
        cost = cost * t.summary["proofs per round"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost > 0, numbers / cost, np.nan)
    return [Candidate(r["label"], {}, float(v), _at(r)) for (_, r), v in zip(t.summary.iterrows(), ratio)]


def _attack(t: Tables) -> list[Candidate]:
    """The stall bribe at equal user cost, in tokens: absolute, so that a price cap users never pay
    cannot inflate it as it inflates a bribe per token users pay (the theorem
    turn_auction_stall_bribe_per_token_rises_with_the_cap); none without an equal-budget table."""
    e = t.equal_budget
    if e is None or not len(e) or "stall bribe per unit" not in e:
        return []
    return [Candidate(r["mechanism"], {r["budget parameter"]: float(r["value at equal budget"])},
                      float(r["stall bribe per unit"]), _at(r))
            for _, r in e.iterrows() if np.isfinite(r["value at equal budget"]) and np.isfinite(r["stall bribe per unit"])]


def _cartels(t: Tables) -> list[Candidate]:
    s = t.summary
    found = _per_budget(t, np.fmax(s["cartel gain (k = 2)"].to_numpy(float), s["cartel gain (k = 3)"].to_numpy(float)))
    if "cartel search" not in s:
        return found
    bound = (s["cartel search"].astype(str) != "exact").to_numpy()
    return [replace(c, lower_bound=bool(b)) for c, b in zip(found, bound)]


def _cheapest_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    """User cost where the targets hold, else inf."""
    from .targets import meets
    scores = {"liveness": m["liveness"], "hhi": m["hhi"], "nakamoto": float(m["nakamoto"]), "user_cost": m["user_cost"]}
    return float(m["user_cost"]) if meets(scores, {k: v for k, v in targets.items() if k in scores}) else float("inf")


def _hhi_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    return float(m["hhi"])


def _attack_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    """The stall bribe after everyone responds, the cheapest over the game's equilibria (tokens per unit)."""
    from .equilibrium_set import cheapest_stall
    chosen = eq if eq.certified or eq.exact else None        # else pg.solve's answer (a mixed one), found afresh
    return float(cheapest_stall(game, timing, chosen).per_unit()) if game.traits.proving else float("nan")


def _cartel_score(game: Any, eq: Any, m: Any, timing: Any, targets: dict) -> float:
    """The largest joint gain of a coalition of 2 or 3, per token users pay per proof."""
    from .solvers.coalition import coalition_regret
    gain = max((coalition_regret(game, eq.profile, size=k, budget=game.traits.coalition_budget,
                                 best_response=eq.best_response).gain for k in (2, 3) if k <= game.n), default=0.0)
    paid = m["user_cost"] * game.units_per_round
    return float(gain / paid) if paid > 0 else float("nan")


for _goal in (
    Goal("cheapest", "Cheapest design meeting the targets", "user cost per proof (token)", True, _cheapest,
         "#cheapest-design-meeting-the-targets", "no mechanism meets the targets within its searched range",
         _cheapest_score, ("user cost", "on-time liveness", "concentration")),
    Goal("decentralised", "Most decentralised at equal budget", "HHI of reward shares", True, _decentralised,
         "#at-equal-budget", "no mechanism could be set to the equal budget", _hhi_score, ("concentration",)),
    Goal("attack", "Hardest to attack at equal budget",
         "stall bribe per unit of work at equal user cost, cheapest over the equilibria (token)", False, _attack,
         "#at-equal-budget", "not ranked: a stall bribe compares like with like only at equal user cost, and the "
         "scenario sets no equal_budget, or no mechanism could be set to it with a finite stall bribe (each page shows "
         "its own, as configured)",
         _attack_score, ("stall bribe",)),
    Goal("cartels", "Most robust to cartels", "joint gain of the best coalition of 2-3 per token users pay", True,
         _cartels, "{page}#coalitions-and-cartels", "no mechanism has coalitions to search", _cartel_score, ("cartel",)),
):
    register_goal(_goal)


def _ranked(cands: list[Candidate], lower: bool) -> list[Candidate]:
    ok = [c for c in cands if np.isfinite(c.score)]
    return sorted(ok, key=lambda c: c.score if lower else -c.score)


def _misses(c: Candidate, targets: dict[str, float]) -> str:
    """The targets `c` misses on its own row's numbers ("" where it meets them or the row lacks them)."""
    from .targets import TARGETS, meets
    missed = [f"{TARGETS[k][1]} {c.at[k]:.4g} (target {TARGETS[k][0]} {v:g})" for k, v in targets.items()
              if k in c.at and not meets(c.at, {k: v})]
    return "; ".join(missed)


def _same_numbers(a: str, b: str, tables: Tables) -> bool:
    """Whether every model number of mechanisms a and b agrees in the comparison table (metrics, attack
    costs, cartel gains, regret, at the configured parameters; the simulator's columns left out): the
    same model in expectation, as far as the page can tell. The design and equal-budget tables are
    bisections to a tolerance, so they are not compared."""
    frame = tables.summary
    rows = frame[frame["label"].isin((a, b))].drop(columns=["label", *(c for c in SIMULATED if c in frame)])
    numeric = rows.apply(pd.to_numeric, errors="coerce").select_dtypes("number").dropna(axis=1, how="all")
    return len(rows) == 2 and bool(np.allclose(*numeric.to_numpy(float), rtol=1e-9, atol=1e-12, equal_nan=True))


def _verdict(goal: Goal, cands: list[Candidate], pages: dict[str, str], targets: dict[str, float],
             tables: Tables) -> Verdict:
    ranked = _ranked(cands, goal.lower_is_better)
    if not ranked:
        return Verdict(goal.name, None, None, goal.link, goal.empty)
    best = ranked[0].score
    tied = tuple(c.label for c in ranked[1:] if abs(c.score - best) <= 1e-12 * max(1.0, abs(best)))
    link = goal.link.format(page=pages[ranked[0].label]) if "{page}" in goal.link else goal.link
    rest = ranked[1 + len(tied):]
    fails, all_fail = _group_misses(ranked[:1 + len(tied)], targets)
    meeting = next((c for c in rest if c.at and not _misses(c, targets)), None) if all_fail else None
    same = tuple(lb for lb in tied if _same_numbers(ranked[0].label, lb, tables))
    bounds = tuple(c.label for c in ranked[:1 + len(tied)] if c.lower_bound)
    return Verdict(goal.name, ranked[0], rest[0] if rest else None, link, tied=tied, fails=fails,
                   best_meeting=meeting, same_model=same, bounds=bounds)


def _group_misses(group: list[Candidate], targets: dict[str, float]) -> tuple[str, bool]:
    """What the winner (or the tied group) misses of the targets, and whether every member misses them."""
    failing = [c for c in group if _misses(c, targets)]
    if len(group) == 1:
        return _misses(group[0], targets), bool(failing)
    if not failing:
        return "", False
    if len(failing) == len(group):
        return "all of them", True
    return f"{len(failing)} of them (meeting them: {', '.join(c.label for c in group if c not in failing)})", False


def verdicts(summary: pd.DataFrame, equal_budget: pd.DataFrame | None, designs: pd.DataFrame | None,
             pages: dict[str, str], targets: dict[str, float] | None = None) -> list[Verdict]:
    """Each registered goal's winner and runner-up from the report's tables. `summary` has one row per
    mechanism (label in "label"), `pages` maps a label to its page file. Mechanisms with exactly the
    winner's number are a tie (the runner-up is the best one outside it); a winner that misses one of
    `targets` on its own row says so, with the best candidate that meets them all."""
    tables = Tables(summary, equal_budget, designs)
    out = []
    for goal in GOALS.values():
        cands = goal.candidates(tables)
        if cands is not None:
            out.append(_verdict(goal, cands, pages, dict(targets or {}), tables))
    return out


def _who(c: Candidate) -> str:
    if not c.overrides:
        return f"**{c.label}**"
    return f"**{c.label}** at " + ", ".join(f"{k} = {v:.4g}" for k, v in c.overrides.items())


def _proved(v: Verdict, backing: dict[str, dict[str, str]] | None) -> str:
    """The claims the goal ranks on, each with the winner's theorems backing it or "not proved"."""
    if backing is None or v.winner is None or v.winner.label not in backing:
        return ""
    claims = backing[v.winner.label]
    return "; ".join(f"{claim}: {claims.get(claim, 'not proved')}" for claim in GOALS[v.goal].claims)


def verdict_table(found: list[Verdict], survival: dict[str, dict[str, Any]],
                  backing: dict[str, dict[str, str]] | None = None,
                  achievable: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per goal: the winner, its number, the runner-up, how often the winner holds over the
    population draws, (with `backing`: label -> claim -> theorems) which of the claims the goal ranks
    on a theorem of the winner's backs, and (with `achievable`: label -> text) the winner against the
    best correlated equilibrium."""
    rows = []
    for v in found:
        title, unit = GOALS[v.goal].title, GOALS[v.goal].unit
        if v.winner is None:
            rows.append({"goal": title, "verdict": v.note, "number": "", "runner-up": "", "over the draws": "",
                         "certificate": "", "proved for the winner": "", "against the best achievable": ""})
            continue
        rows.append({"goal": title, "verdict": _shown(v), "number": f"{_fmt(v.winner.score)} ({unit})",
                     "runner-up": (f"{_who(v.runner_up)}: {_fmt(v.runner_up.score)}"
                                   + (" (a lower bound)" if v.runner_up.lower_bound else "")) if v.runner_up else "none",
                     "over the draws": _held(v, survival.get(v.goal)), "certificate": f"[regret and method]({v.link})",
                     "proved for the winner": _proved(v, backing),
                     "against the best achievable": (achievable or {}).get(v.winner.label, "")})
    return pd.DataFrame(rows)


def _shown(v: Verdict) -> str:
    """The verdict cell: the winner, or the tie (never a winner picked among equals), and any target it misses."""
    if not v.tied:
        shown = _who(v.winner)
    else:
        names = [v.winner.label, *v.tied]
        listed = ", ".join(f"**{n}**" for n in names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        shown = f"a tie of {len(names)}, no discrimination among {listed}"
        if v.same_model:
            shown += (f" ({', '.join([v.winner.label, *v.same_model])}: every model number of the comparison table "
                      f"agrees, the same model in expectation)")
    if v.bounds:
        shown += (f"; not certified: the number{'s' if len(v.bounds) > 1 else ''} of {', '.join(v.bounds)} "
                  f"{'are lower bounds' if len(v.bounds) > 1 else 'is a lower bound'} (a search over candidate "
                  f"strategies or sampled coalitions, not every joint deviation)")
    if v.fails:
        shown += f"; **misses the targets**: {v.fails}"
        if v.tied and not v.fails.startswith("all"):
            return shown                      # some of the tie meet them
        shown += (f"; the best meeting them: {_who(v.best_meeting)} ({_fmt(v.best_meeting.score)})"
                  if v.best_meeting else "; no ranked mechanism meets them")
    return shown


def _held(v: Verdict, s: dict[str, Any] | None) -> str:
    """How the ranking holds over the population draws (for a tie: the tied group against the runner-up)."""
    if s is None or v.runner_up is None:
        return "no runner-up to compare" if v.runner_up is None else "not checked"
    verdict = "survives" if s["held"] >= SURVIVAL_SHARE * s["draws"] else "does not survive"
    who = "the tie ahead of the runner-up" if v.tied else "ahead"
    held = f"{verdict}: {who} in {s['held']} of {s['draws']} draws"
    if v.goal == "cheapest":
        held += f"; meets the targets in {s['winner finite']}"
    return held

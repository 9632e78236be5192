"""Design, not only analysis: the cheapest parameters of a mechanism that meet a designer's targets.

`design(make_game, params, minimise, subject_to)` searches the parameter box. One parameter is the
budget (by default "reward"), and the targets tighten or loosen monotonically in it. For every point
of a refined grid over the other parameters, bisection finds the smallest budget at which every
target holds at the game's certified equilibrium. The cheapest such design wins. The trace lists
every candidate evaluated. A target that is not monotone in the budget is still checked at the
returned design, so the answer is never infeasible. It is only possibly not the cheapest, and the
`monotone` flag of the result says whether the bracketing check held.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .progress import reports_progress, tick
from .errors import (InvalidParameter, call_factory, check_callable, check_choice, check_int, check_mapping,
                     check_real, check_sequence)
from .model import Population
from provergame.games.base import check_game
from .lazy import pandas as pd
from .targets import TARGETS, meets as _meets
from .equilibrium_set import HEADLINE, check_selection
from .timing import Timing

OBJECTIVES = ("user_cost", "hhi", "stall_bribe_per_hour")
MAX_DOUBLINGS = 12        # an equal-budget search grows the budget at most 4096-fold


@dataclass(frozen=True)
class Design:
    """The cheapest design found, what it scores, which targets bind, and the search trace.

    Attributes
    ----------
    params : dict
        The chosen parameters (the budget included).
    game : Game or None
        The game at them (None where nothing is feasible).
    scores : dict
        liveness, hhi, nakamoto, user_cost, regret (and the stall bribe where targeted).
    binding : pandas.DataFrame
        Each target's value, achievement, slack and whether it binds.
    trace : pandas.DataFrame
        Every point evaluated.
    monotone, feasible : bool
        Whether feasibility changed at most once, from failing to holding, along every scanned budget
        line, and whether a design was found.
    search : dict
        The search's certificate: grid points, budgets scanned per point, the selection, points
        evaluated, and every flip of feasibility (grid point, budget below, budget above).

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> d = pg.design(lambda reward: pg.games.WinnerTakesAll(reward, pop), {"reward": (0.5, 20.0)},
    ...               subject_to={"hhi": 0.5})
    >>> d.feasible, list(d.binding["target"])
    (True, ['hhi'])
    """

    params: dict[str, Any]
    game: Any
    scores: dict[str, float]
    binding: pd.DataFrame
    trace: pd.DataFrame
    monotone: bool
    feasible: bool = True
    analysis: Any = field(default=None, repr=False)
    search: dict[str, Any] = field(default_factory=dict)

    def _repr_markdown_(self) -> str:
        from .results import markdown_table
        head = ", ".join(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}" for k, v in self.params.items())
        return f"**Design**: {head}\n\n" + markdown_table(self.binding)


def _scores(game: Any, names: set[str], timing: Timing, selection: str = "dynamics") -> dict[str, float]:
    """The headline scores at the solver's equilibrium ("dynamics"), or each one's worst or best over
    the game's equilibrium set (`equilibria`: the set's size; `regret`: the worst member's). "scan":
    the solver's profile without its certificate (regret NaN), for the feasibility scan only."""
    from .api import evaluate
    if selection == "scan" and "stall_bribe_per_hour" not in names:
        from .api import metrics
        m = metrics(game, game.equilibrium()[0], timing.window)
        return {"liveness": m.liveness, "hhi": m.hhi, "nakamoto": float(m.nakamoto), "user_cost": m.user_cost,
                "regret": float("nan"), "equilibria": 1.0}
    ev = evaluate(game, timing, attacks=("withhold",) if "stall_bribe_per_hour" in names else ())
    m = ev.metrics
    out = {"liveness": m["liveness"], "hhi": m["hhi"], "nakamoto": float(m["nakamoto"]), "user_cost": m["user_cost"],
           "regret": ev.equilibrium.regret, "equilibria": 1.0}
    if "withhold" in ev.attacks:
        out["stall_bribe_per_hour"] = timing.per_hour(ev.attacks["withhold"].total)
    if selection in ("worst", "best") and game.finite:
        from .equilibrium_set import set_around
        eqs = set_around(game, ev.pure)
        if len(eqs) > 1:
            ranges = eqs.ranges(timing.window).set_index("metric")
            out.update({name: float(ranges.loc[name, selection]) for name in HEADLINE})
            out["regret"] = max(eq.regret for eq in eqs.equilibria)
            out["equilibria"] = float(len(eqs))
    return out


class _Scorer:
    """A candidate's scores and whether it meets the targets: at one population, or over population
    draws (`draws`), where each metric is the median over the draws, `regret` the worst, and a target
    is met when it holds in at least `need` of them (all targets at once for the design itself).
    Scores are at the equilibrium `selection` names (per call, or the scorer's own)."""

    def __init__(self, make_game: Callable[..., Any], names: set[str], timing: Timing,
                 subject_to: dict[str, float], draws: Sequence[Any] | None, need: int, selection: str = "dynamics"):
        self.make_game, self.names, self.timing = make_game, names, timing
        self.subject_to, self.draws, self.need, self.selection = subject_to, draws, need, selection

    def __call__(self, params: dict[str, float], full: bool = True, selection: str | None = None) -> dict[str, float]:
        """Scores at `params`; with full=False the draws stop once the verdict is settled (enough met,
        or too many failed), and the scores cover the draws evaluated ("draws evaluated")."""
        rule = self.selection if selection is None else selection
        tick("design", ", ".join(f"{k}={v:.4g}" for k, v in params.items()))
        if self.draws is None:
            return _scores(call_factory(self.make_game, **params), self.names, self.timing, rule)
        each, met = [], 0
        for pop, timing in self.draws:
            each.append(_scores(call_factory(self.make_game, provers=pop, **params), self.names, timing or self.timing,
                                rule))
            met += _meets(each[-1], self.subject_to)
            if not full and (met >= self.need or len(each) - met > len(self.draws) - self.need):
                break
        out = {k: float(np.median([s[k] for s in each])) for k in each[0]}
        out["regret"] = float(max(s["regret"] for s in each))
        out["equilibria"] = float(max(s["equilibria"] for s in each))
        out["draws meeting"] = float(met)
        out["draws evaluated"] = float(len(each))
        for k, v in self.subject_to.items():
            out[f"draws meeting {k}"] = float(sum(_meets(s, {k: v}) for s in each))
        return out

    def meets(self, scores: dict[str, float], only: str | None = None) -> bool:
        if self.draws is None:
            return _meets(scores, self.subject_to if only is None else {only: self.subject_to[only]})
        key = "draws meeting" if only is None else f"draws meeting {only}"
        return scores[key] >= self.need


def scan_points(lo: float, hi: float, count: int) -> np.ndarray:
    """`count` budgets from lo to hi: geometric where lo > 0 (budgets span decades), else even."""
    if lo == hi or count == 1:
        return np.array([hi])
    return np.geomspace(lo, hi, count) if lo > 0 else np.linspace(lo, hi, count)


def _cheapest_at(scorer: _Scorer, point: dict[str, float], budget: str, lo_b: float, hi_b: float, tolerance: float,
                 scan: int = 32) -> tuple[list[dict[str, Any]], Any, dict[str, Any]]:
    """The cheapest budget meeting the targets at one point of the other parameters: (trace rows,
    outcome, search), the outcome None (no scanned budget meets them) or (budget, scores); the search
    record says how many budgets were scanned, where feasibility flips and whether it is monotone.

    The budget is scanned at `scan` points at the solver's equilibrium (its profile, uncertified: the
    scan only brackets; feasibility is not assumed monotone: `flips` lists each pair of neighbouring
    scan points where it changes) and bisected the same way between the first feasible scan point and
    the one before it; the budget found is then checked at a certified equilibrium of the scorer's
    selection (the solver's, or the worst or best of the set), and where the targets fail there,
    bisected again with certified equilibria between it and the scan point above it where they hold,
    else the next feasible scan point is tried. Only certified candidates are returned."""
    rows: list[dict[str, Any]] = []

    def evaluate(value: float, rule: str, full: bool = False) -> tuple[bool, dict[str, float]]:
        try:
            scores = scorer({**point, budget: value}, full=full, selection=rule)
        except InvalidParameter as exc:          # no valid game at this budget: it meets nothing
            rows.append({**point, budget: value, "selection": rule, "meets": False, "refused": str(exc)})
            return False, {}
        ok = scorer.meets(scores)
        rows.append({**point, budget: value, **scores, "selection": rule, "meets": ok})
        return ok, scores

    def bisect(low: float, high: float, rule: str) -> float:
        """The cheapest budget in (low, high] meeting the targets, `high` meeting them and `low` not."""
        while high - low > tolerance * max(abs(high), 1e-9):
            mid = 0.5 * (low + high)
            if evaluate(mid, rule)[0]:
                high = mid
            else:
                low = mid
        return high

    values = scan_points(lo_b, hi_b, scan)
    feasible = np.array([evaluate(float(v), "scan")[0] for v in values])
    flips = [(float(values[i]), float(values[i + 1])) for i in np.flatnonzero(feasible[1:] != feasible[:-1])]
    search = {"scanned": len(values), "flips": flips, "monotone": not np.any(feasible[:-1] & ~feasible[1:])}
    rule = scorer.selection
    for j in np.flatnonzero(feasible):
        top = float(values[j])
        high = bisect(float(values[j - 1]) if j > 0 else top, top, "scan")
        ok, scores = evaluate(high, rule, full=True)
        if not ok and high < top and evaluate(top, rule)[0]:
            high = bisect(high, top, rule)             # the certified selection needs more
            ok, scores = evaluate(high, rule, full=True)
        if ok:
            return rows, (high, scores), search
    return rows, None, search


@reports_progress("design: candidates scored")
def design(make_game: Callable[..., Any], params: Mapping[str, tuple[float, float]], minimise: str = "user_cost",
           subject_to: Mapping[str, float] | None = None, budget: str = "reward", grid: int = 5,
           tolerance: float = 1e-3, timing: Timing | None = None, analyse_result: bool = False,
           executor: Any = None, draws: Sequence[Any] | None = None, share: float = 0.8,
           selection: str = "worst", scan: int = 32, progress: bool | None = None) -> Design:
    """The cheapest design meeting every target, at the worst equilibrium by default.

    `make_game(**params)` builds a game; `params` gives each parameter's range (lo, hi); `budget` is
    the parameter searched finely; the other parameters are searched on a grid of `grid` points each.
    At each grid point the budget is scanned at `scan` points (feasibility is not assumed monotone in
    it: the result lists where it flips), then bisected to `tolerance` relative to itself below the
    first feasible scan point ("binds": the target fails one tolerance step cheaper). `selection`
    says at which equilibrium the targets must hold: "worst" (each metric at its worst over the
    game's equilibrium set, `pg.equilibrium_set`), "best", or "dynamics" (the solver's). With `draws`
    (populations), `make_game(provers=population, **params)` is built on each and a design meets the
    targets when they hold in at least `share` of the draws (scores: medians, the regret the worst).

    Parameters
    ----------
    make_game : callable
        Parameters -> game (picklable for executors, e.g. a provergame.games.Recipe).
    params : mapping of str to (float, float)
        Each searched parameter's range.
    minimise : str, default "user_cost"
        The objective.
    subject_to : mapping of str to float, optional
        Targets: liveness (on time, >=), hhi (<=), nakamoto (>=), user_cost (<=),
        stall_bribe_per_hour (>=).
    budget : str, default "reward"
        The bisected parameter (one of `params`).
    grid : int, default 5
        Points per other parameter.
    tolerance : float, default 1e-3
        Relative precision of the budget.
    timing : Timing, optional
        Window and slot length.
    analyse_result : bool, default False
        Also run pg.analyse on the chosen design.
    executor : optional
        "processes", "serial", "dask://HOST:PORT" or an Executor for the grid points.
    draws : sequence of Population or of (Population, Timing), optional
        Draws the design must hold over: the provers, and with a Timing the window of that draw too.
    share : float, default 0.8
        Share of the draws that must meet the targets.
    selection : {"worst", "best", "dynamics"}, default "worst"
        The equilibrium the targets are checked at (continuous games: the solver's, stated in
        `search`).
    scan : int, default 32
        Budgets scanned per grid point before bisecting.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    Design
        params, game, scores, binding targets, the search trace, monotone, feasible, search.

    Raises
    ------
    InvalidParameter
        For an unknown target or objective, a budget not searched, or a range out of order.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> make = lambda reward: pg.games.WinnerTakesAll(reward, pop)
    >>> d = pg.design(make, {"reward": (0.5, 20.0)}, subject_to={"liveness": 0.9})
    >>> d.feasible, d.scores["liveness"] >= 0.9
    (True, True)
    """
    check_callable("make_game", make_game)
    subject_to, grid, tolerance, share, draws = _checked(params, minimise, subject_to, budget, grid, tolerance,
                                                         share, draws)
    selection = check_selection(selection)
    scan = check_int("scan", scan, lo=2, hi=1000)
    from .sweep import check_executor
    check_executor(executor)
    timing = Timing() if timing is None else timing
    need = int(np.ceil(share * len(draws) - 1e-9)) if draws is not None else 1
    scorer = _Scorer(make_game, set(subject_to) | {minimise}, timing, subject_to, draws, need, selection)
    combos = _grid_points(params, budget, grid)
    found = _bisect_every_point(scorer, combos, budget, params[budget], tolerance, executor, scan)
    trace = pd.DataFrame([row for point_rows, _, _ in found for row in point_rows])
    record = _search_record(combos, found, budget, selection, tolerance, len(trace))
    monotone = record["monotone"]
    best = _cheapest_point(combos, found, minimise)
    if best is None:
        return Design({}, None, {}, pd.DataFrame(), trace, monotone, feasible=False, search=record)
    point, value, scores = best
    chosen = {**point, budget: value}
    first = {} if draws is None else {"provers": draws[0][0]}
    game = call_factory(make_game, **first, **chosen)
    step = tolerance * abs(value)
    try:
        cheaper = scorer({**point, budget: value - step}) if value - step >= float(params[budget][0]) else None
    except InvalidParameter:                      # no valid game one step cheaper: no target binds there
        cheaper = None
    binding = _binding(scorer, subject_to, scores, cheaper)
    result = None
    if analyse_result:
        from .analysis import analyse
        result = analyse(game, rounds=20_000, timing=timing)
    return Design(chosen, game, scores, binding, trace, monotone, True, result, search=record)


def _checked(params: Mapping[str, tuple[float, float]], minimise: str, subject_to: Mapping[str, float] | None,
             budget: str, grid: int, tolerance: float, share: float,
             draws: Sequence[Any] | None) -> tuple[dict[str, float], int, float, float, list[Any] | None]:
    """design's arguments checked: (targets, grid, tolerance, share, draws)."""
    check_mapping("params", params, "a non-empty mapping of parameter -> (lo, hi)")
    if subject_to is not None:
        check_mapping("subject_to", subject_to, "a mapping of target -> bound (or None)")
    targets = dict(subject_to or {})
    for name in targets:
        if name not in TARGETS:
            raise InvalidParameter("subject_to", name, f"targets among {', '.join(TARGETS)}")
        targets[name] = check_real(f"subject_to[{name}]", targets[name])     # finite: a NaN target is no target
    check_choice("minimise", minimise, OBJECTIVES)
    check_choice("budget", budget, params)
    for name, rng in params.items():
        if not (isinstance(rng, tuple) and len(rng) == 2):
            raise InvalidParameter(f"params[{name}]", rng, "a (lo, hi) pair")
        lo = check_real(f"params[{name}][0]", rng[0])
        check_real(f"params[{name}][1]", rng[1], lo=lo)
    grid = check_int("grid", grid, lo=1, hi=101)
    tolerance = check_real("tolerance", tolerance, lo=1e-9, hi=0.5)
    share = check_real("share", share, lo=0, lo_open=True, hi=1)
    if draws is not None:
        allowed = "a non-empty list of Population, or of (Population, Timing) pairs"
        draws = [_draw(k, d) for k, d in enumerate(check_sequence("draws", draws, allowed))]
    return targets, grid, tolerance, share, draws


def _draw(k: int, item: Any) -> tuple[Population, Timing | None]:
    """A design draw: a Population, or (Population, Timing) where the draw also changes the window."""
    if isinstance(item, Population):
        return item, None
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Population) and isinstance(item[1], Timing):
        return item
    raise InvalidParameter(f"draws[{k}]", item, "a Population, or a (Population, Timing) pair")


def _grid_points(params: Mapping[str, tuple[float, float]], budget: str, grid: int) -> list[dict[str, float]]:
    """Every point of the grid over the parameters other than the budget (`grid` values each)."""
    others = {k: np.linspace(float(v[0]), float(v[1]), grid) if v[0] != v[1] else np.array([float(v[0])])
              for k, v in params.items() if k != budget}
    return [dict(zip(others, (float(x) for x in combo))) for combo in itertools.product(*others.values())]


def _search_record(combos: list[dict[str, float]], found: list[tuple[list, Any, dict]], budget: str, selection: str,
                   tolerance: float, evaluated: int) -> dict[str, Any]:
    """What the search did, for the certificate: grid points, budgets scanned at each, where
    feasibility flips (grid point, budget below, budget above), the selection and the points evaluated."""
    flips = [(point, lo, hi) for point, (_, _, search) in zip(combos, found) for lo, hi in search["flips"]]
    return {"grid points": len(combos), "budgets scanned per point": found[0][2]["scanned"] if found else 0,
            "budget": budget, "tolerance": tolerance, "selection": selection, "points evaluated": evaluated,
            "flips": flips, "monotone": all(search["monotone"] for _, _, search in found)}


def _bisect_every_point(scorer: "_Scorer", combos: list[dict[str, float]], budget: str, budget_range: tuple,
                        tolerance: float, executor: Any, scan: int) -> list[tuple[list[dict[str, Any]], Any, dict]]:
    """_cheapest_at at every grid point, here or on `executor`."""
    lo_b, hi_b = (float(x) for x in budget_range)
    jobs = [(scorer, point, budget, lo_b, hi_b, tolerance, scan) for point in combos]
    if executor is None or len(jobs) == 1:
        return [_cheapest_at(*job) for job in jobs]
    from .sweep import _executor
    with _executor(executor, None) as ex:
        return [_cheapest_at(*job) for job in jobs] if ex is None else list(ex.map(_cheapest_at, *zip(*jobs)))


def _cheapest_point(combos: list[dict[str, float]], found: list[tuple[list, Any, dict]],
                    minimise: str) -> tuple[dict[str, float], float, dict[str, float]] | None:
    """(grid point, budget, scores) with the lowest objective among the points whose search found a budget."""
    best: tuple[float, dict[str, float], float, dict[str, float]] | None = None
    for point, (_, outcome, _) in zip(combos, found):
        if outcome is None:
            continue
        value, scores = outcome
        if best is None or scores[minimise] < best[0]:
            best = (scores[minimise], point, value, scores)
    return None if best is None else best[1:]


def _binding(scorer: "_Scorer", subject_to: dict[str, float], scores: dict[str, float],
             cheaper: dict[str, float] | None) -> pd.DataFrame:
    """Each target's value, what the design achieves, its slack, and whether it fails one step cheaper."""
    return pd.DataFrame([{"target": k, "direction": TARGETS[k][0], "value": v, "achieved": scores[k],
                          "slack": (scores[k] - v) if TARGETS[k][0] == ">=" else (v - scores[k]),
                          "binds": cheaper is not None and not scorer.meets(cheaper, only=k)}
                         for k, v in subject_to.items()])


@reports_progress("at_user_cost: budgets tried")
def at_user_cost(game: Any, user_cost: float, timing: Timing | None = None, tolerance: float = 1e-4,
                 selection: str = "worst", progress: bool | None = None) -> dict[str, Any]:
    """The game re-solved with its budget parameter set so that users pay `user_cost` per proof.

    Bisection on `traits.budget_field` at the solver's equilibrium (every point certified); at the
    value found, liveness, hhi and nakamoto are at the equilibrium `selection` names (each metric's
    worst or best over the game's equilibrium set, or the solver's), with the set's size and the
    best HHI beside them.

    Parameters
    ----------
    game : Game
        A game with a budget parameter.
    user_cost : float
        What users should pay per proof landed (> 0).
    timing : Timing, optional
        Window for on-time liveness.
    tolerance : float, default 1e-4
        Relative precision.
    selection : {"worst", "best", "dynamics"}, default "worst"
        The equilibrium liveness, hhi and nakamoto are reported at.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    dict
        mechanism, budget parameter, value, user_cost (at the solver's equilibrium), liveness, hhi,
        nakamoto (at `selection`), hhi_best, equilibria (the set's size), set complete (every pure
        equilibrium listed), regret, note (why the target cannot be met, where it cannot).

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> row = pg.at_user_cost(pg.games.UncleRewards(10.0, 0.25, 1, pop), 5.0)
    >>> round(row["user_cost"], 2)
    5.0
    """
    game = check_game(game)
    from dataclasses import replace

    timing = Timing() if timing is None else timing
    user_cost = check_real("user_cost", user_cost, lo=0, lo_open=True)
    tolerance = check_real("tolerance", tolerance, lo=1e-12, hi=0.5)      # finer stalls in float bisection
    selection = check_selection(selection)
    field_name = game.traits.budget_field
    row: dict[str, Any] = {"mechanism": game.title, "budget parameter": field_name or "n/a"}
    if field_name is None:
        return {**row, "note": "no single budget parameter (sequencer side, two rewards, or prices that emerge)"}
    start = float(getattr(game, field_name))

    def cost_at(value: float) -> float:
        tick("at_user_cost", f"{field_name}={value:.4g}")
        g = replace(game, **{field_name: value})
        eq = g.equilibrium()[0]
        from .solvers import metrics as _m
        return float(_m.metrics(g, eq, timing.window)["user_cost"])

    low, high = 0.0, max(start, user_cost, 1e-9)
    try:
        c_high = cost_at(high)
        for _ in range(MAX_DOUBLINGS):
            if c_high >= user_cost:
                break
            low, high = high, 2 * high
            c_before, c_high = c_high, cost_at(high)
            if c_high <= c_before * (1 + 1e-9):       # the budget no longer moves what users pay
                break
        if c_high < user_cost:
            return {**row, "note": f"users pay at most {c_high:.4g} per proof at any {field_name}"}
        while high - low > tolerance * high:
            mid = 0.5 * (low + high)
            if mid in (low, high):                # adjacent floats: no finer bisection exists
                break
            if cost_at(mid) >= user_cost:
                high = mid
            else:
                low = mid
        from .equilibrium_set import equilibrium_set
        eqs = equilibrium_set(replace(game, **{field_name: high}))
        ranges = eqs.ranges(timing.window).set_index("metric")
        regret = max(eq.regret for eq in eqs.equilibria) if selection != "dynamics" else eqs.equilibria[eqs.selected].regret
    except InvalidParameter as exc:
        return {**row, "note": f"refused: {exc}"}
    column = {"worst": "worst", "best": "best", "dynamics": "selected"}[selection]
    return {**row, "value": high, "user_cost": float(ranges.loc["user_cost", "selected"]),
            "liveness": float(ranges.loc["liveness", column]), "hhi": float(ranges.loc["hhi", column]),
            "nakamoto": float(ranges.loc["nakamoto", column]), "hhi_best": float(ranges.loc["hhi", "best"]),
            "equilibria": len(eqs), "set complete": eqs.complete, "regret": float(regret), "note": ""}

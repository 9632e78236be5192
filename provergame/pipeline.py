"""The main job: analyse every mechanism of a scenario, run its sweeps, write the report."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import __version__
from .api import analyse, cross_check, metrics, solve
from .rollout import simulate
from .scenario import Scenario, build_game


def sweep_frame(sc: Scenario, spec: Any, rounds: int = 20_000) -> pd.DataFrame:
    mech = next(m for m in sc.mechanism if (m.label or m.kind) == spec.mechanism or m.kind == spec.mechanism)
    pop = sc.population()
    rows = []
    for value in spec.grid.values():
        game = build_game(mech, pop, **{spec.param: float(value)})
        eq = solve(game)
        m = metrics(game, eq.profile)
        roll = simulate(game, eq.profile, rounds=rounds, seed=sc.seed)
        rows.append({spec.param: float(value), **m, "regret": eq.regret,
                     "sim_agrees": cross_check(game, eq, roll).passed})
    return pd.DataFrame(rows)


def run_scenario(sc: Scenario, out: str | Path, command: str = "", scenario_label: str = "",
                 progress: Callable[[str], None] | None = None) -> list[Path]:
    from .report import write_report
    results = []
    for label, game in sc.games():
        results.append((label, analyse(game, rounds=sc.rounds, seed=sc.seed)))
    sweeps = []
    for spec in sc.sweep:
        sweeps.append(({"mechanism": spec.mechanism, "param": spec.param}, sweep_frame(sc, spec)))
        if progress:
            progress(f"sweep {spec.param}")
    context = {"name": sc.name, "description": sc.description, "scenario": scenario_label or sc.path,
               "seed": sc.seed, "rounds": sc.rounds, "version": __version__, "command": command}
    return write_report(results, out, context=context, sweeps=sweeps, progress=progress)

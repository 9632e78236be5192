"""provergame command line: `provergame report` writes the decision report for a scenario."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, help="Game-theoretic analysis of decentralised zk-prover networks.")


@app.callback()
def _root() -> None:
    """provergame: equilibria, attacks, proofs and simulations of prover-network mechanisms."""


@app.command()
def report(scenario: Optional[Path] = typer.Option(None, help="scenario TOML file (default: bundled default.toml)"),
           out: Path = typer.Option(Path("reports"), help="output directory")) -> None:
    """Analyse every mechanism of a scenario and write markdown reports with figures."""
    from rich.progress import Progress

    from provergame.errors import InvalidParameter
    from provergame.pipeline import run_scenario
    from provergame.scenario import default_scenario_path, load_scenario

    path = scenario or default_scenario_path()
    try:
        sc = load_scenario(path)
    except InvalidParameter as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    shown = str(scenario) if scenario else "scenarios/default.toml"
    command = f"provergame report --scenario {shown} --out {out}"
    with Progress(transient=True) as bar:
        task = bar.add_task("analysing", total=len(sc.mechanism) + len(sc.sweep))
        written = run_scenario(sc, out, command=command, scenario_label=shown,
                               progress=lambda label: bar.update(task, advance=1, description=label))
    typer.echo(f"wrote {len(written)} files to {out}/ (open {out / 'index.md'})")


def _parse_param(text: str):
    """name=start:stop:num (a linear grid) or name=v1,v2,... (a list)."""
    import numpy as np
    from provergame.errors import InvalidParameter
    if "=" not in text:
        raise InvalidParameter("--param", text, "name=start:stop:num or name=v1,v2,...")
    name, spec = text.split("=", 1)
    try:
        if ":" in spec:
            start, stop, num = spec.split(":")
            return name, np.linspace(float(start), float(stop), int(num)).tolist()
        return name, [float(v) if any(c in v for c in ".eE") else int(v) for v in spec.split(",")]
    except ValueError:
        raise InvalidParameter("--param", text, "numbers: name=start:stop:num or name=v1,v2,...") from None


@app.command()
def sweep(scenario: Optional[Path] = typer.Option(None, help="scenario TOML file (default: bundled default.toml)"),
          mechanism: Optional[str] = typer.Option(None, help="label or kind of the mechanism to sweep (default: "
                                                             "the mechanism named by the first [[sweep]] or the first)"),
          param: list[str] = typer.Option(..., help="name=start:stop:num or name=v1,v2 (repeatable)"),
          seeds: str = typer.Option("0", help="comma-separated seeds"),
          rounds: int = typer.Option(20_000, help="simulated rounds per point"),
          executor: Optional[str] = typer.Option(None, help="'processes' (default), 'serial' or dask://HOST:PORT"),
          store: Path = typer.Option(Path(".sweeps/sweep.sqlite"), help="SQLite store; reruns resume from it"),
          out: Path = typer.Option(Path("sweep.csv"), help="CSV of the tidy results")) -> None:
    """Sweep a mechanism's parameters: solve, measure and cross-check every grid point."""
    from provergame.errors import InvalidParameter
    from provergame.scenario import default_scenario_path, load_scenario
    from provergame.sweep import GameFactory, sweep as run_sweep
    try:
        sc = load_scenario(scenario or default_scenario_path())
        target = mechanism or (sc.sweep[0].mechanism if sc.sweep else (sc.mechanism[0].label or sc.mechanism[0].kind))
        specs = [m for m in sc.mechanism if (m.label or m.kind) == target] or [m for m in sc.mechanism if m.kind == target]
        if not specs:
            raise InvalidParameter("--mechanism", target, "a label or kind of the scenario's mechanisms")
        grid = dict(_parse_param(p) for p in param)
        frame = run_sweep(GameFactory(specs[0], sc.population()), grid, seeds=[int(s) for s in seeds.split(",")],
                          rounds=rounds, executor=executor, store=store)
    except InvalidParameter as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    frame.to_csv(out, index=False)
    bad = int((frame["error"] != "").sum())
    typer.echo(f"{len(frame)} points -> {out} (store {store}; {bad} points rejected as invalid)")


def main() -> None:
    app()

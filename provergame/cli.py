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


def main() -> None:
    app()

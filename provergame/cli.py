"""provergame command line: `provergame report` writes the decision report for a scenario.

Every error ends the command with exit code 2 and one line on stderr that names the file and the
key (or the option) at fault; a failed run leaves no partial sweep store behind.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  help="Game-theoretic analysis of decentralised zk-prover networks.")


@app.callback()
def _root() -> None:
    """provergame: equilibria, attacks, proofs and simulations of prover-network mechanisms."""


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """InvalidParameter, SweepError and file-system errors become one line on stderr and exit 2."""
    from provergame.errors import InvalidParameter
    from provergame.sweep import SweepError
    try:
        yield
    except (InvalidParameter, SweepError, OSError) as exc:
        text = " ".join(str(exc).split())
        typer.echo(f"provergame: {text}", err=True)
        raise typer.Exit(2) from None


def _load(scenario: Optional[Path]):
    from provergame.scenario import default_scenario_path, load_scenario
    return load_scenario(scenario or default_scenario_path())


@app.command()
def report(scenario: Optional[Path] = typer.Option(None, help="scenario TOML file (default: bundled default.toml)"),
           out: Path = typer.Option(Path("reports"), help="output directory"),
           workers: int = typer.Option(0, help="processes analysing mechanisms in parallel (0: one per core)"),
           executor: Optional[str] = typer.Option(None, help="'processes' (default), 'serial' or dask://HOST:PORT")
           ) -> None:
    """Analyse every mechanism of a scenario and write markdown reports with figures."""
    from rich.progress import Progress

    from provergame.pipeline import planned_tasks, report_pool, run_scenario
    with _one_line_errors(), report_pool(None if workers == 0 else workers,
                                         None if executor in (None, "processes") else executor) as pool:
        sc = _load(scenario)             # while the workers start
        shown = str(scenario) if scenario else "scenarios/default.toml"
        command = f"provergame report --scenario {shown} --out {out}"
        out.mkdir(parents=True, exist_ok=True)
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("analysing", total=planned_tasks(sc))
            written = run_scenario(sc, out, command=command, scenario_label=shown, workers=1 if pool is None else None,
                                   executor=pool, progress=lambda label: bar.update(task, advance=1, description=label))
    typer.echo(f"wrote {len(written)} files to {out}/ (open {out / 'index.md'})")


def _number(text: str, what: str):
    from provergame.errors import InvalidParameter
    try:
        value = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise InvalidParameter("--param", what, "numbers: name=start:stop:num or name=v1,v2,...") from None
    if value != value or value in (float("inf"), -float("inf")):
        raise InvalidParameter("--param", what, "finite numbers")
    return value


def _parse_param(text: str):
    """name=start:stop:num (a linear grid; whole numbers stay integers) or name=v1,v2,... (a list)."""
    import numpy as np

    from provergame.errors import InvalidParameter
    name, sep, spec = text.partition("=")
    if not sep or not name.strip() or not spec.strip():
        raise InvalidParameter("--param", text, "name=start:stop:num or name=v1,v2,...")
    name = name.strip()
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise InvalidParameter("--param", text, "name=start:stop:num (three numbers)")
        start, stop, num = (_number(p, text) for p in parts)
        if not isinstance(num, int) or not 1 <= num <= 100_000:
            raise InvalidParameter("--param", text, "a whole number of grid points from 1 to 100000")
        values = np.linspace(start, stop, num)
        if isinstance(start, int) and isinstance(stop, int) and np.all(values == np.round(values)):
            return name, [int(v) for v in np.round(values)]
        return name, values.tolist()
    return name, [_number(v.strip(), text) for v in spec.split(",")]


def _mechanism_with(sc, name: str, params) -> Any:
    """The scenario's mechanism labelled (or of kind) `name`, checking that it has every parameter named."""
    from provergame.errors import InvalidParameter
    from provergame.games.registry import game_class, parameter_specs
    spec = sc.spec(name)
    if spec is None:
        raise InvalidParameter("--mechanism", name, "a label or kind of the scenario's mechanisms: "
                               + ", ".join(m.label for m in sc.specs()))
    known = parameter_specs(game_class(spec.kind))
    for field in params:
        if field not in known:
            raise InvalidParameter("--param", field, f"a parameter of {spec.kind}: one of {', '.join(known)}")
    return spec


def _parse_seeds(text: str) -> list[int]:
    from provergame.errors import InvalidParameter
    try:
        seeds = [int(s) for s in text.split(",")]
    except ValueError:
        raise InvalidParameter("--seeds", text, "comma-separated whole numbers >= 0") from None
    if not seeds or min(seeds) < 0:
        raise InvalidParameter("--seeds", text, "comma-separated whole numbers >= 0")
    return seeds


@app.command()
def sweep(scenario: Optional[Path] = typer.Option(None, help="scenario TOML file (default: bundled default.toml)"),
          mechanism: Optional[str] = typer.Option(None, help="label or kind of the mechanism to sweep (default: "
                                                             "the mechanism named by the first [[sweep]] or the first)"),
          param: list[str] = typer.Option(..., help="name=start:stop:num or name=v1,v2 (repeatable)"),
          seeds: str = typer.Option("0", help="comma-separated seeds"),
          rounds: int = typer.Option(20_000, help="simulated rounds per point"),
          executor: Optional[str] = typer.Option(None, help="'processes' (default), 'serial' or dask://HOST:PORT"),
          store: Path = typer.Option(Path(".sweeps/sweep.sqlite"), help="SQLite store; reruns resume from it"),
          out: Path = typer.Option(Path("sweep.csv"), help="CSV of the tidy results"),
          timeout: float = typer.Option(600.0, help="seconds without a finished chunk before the sweep stops"),
          connect_timeout: float = typer.Option(10.0, help="seconds to wait for a Dask scheduler")) -> None:
    """Sweep a mechanism's parameters: solve, measure and cross-check every grid point."""
    from provergame.sweep import GameFactory, sweep as run_sweep
    with _one_line_errors():
        sc = _load(scenario)
        target = mechanism or (sc.sweep[0].mechanism if sc.sweep else sc.specs()[0].label)
        grid = dict(_parse_param(p) for p in param)
        spec = _mechanism_with(sc, target, grid)
        frame = run_sweep(GameFactory(spec, sc.population()), grid, seeds=_parse_seeds(seeds), rounds=rounds,
                          executor=executor, store=store, timeout=timeout, connect_timeout=connect_timeout)
        frame.to_csv(out, index=False)
    bad = int((frame["error"] != "").sum())
    typer.echo(f"{len(frame)} points -> {out} (store {store}; {bad} points rejected as invalid)")


def _parse_range(text: str) -> tuple[str, tuple[float, float]]:
    """name=lo:hi, a parameter's search range."""
    from provergame.errors import InvalidParameter
    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or not name.strip() or len(parts) != 2:
        raise InvalidParameter("--param", text, "name=lo:hi (a range to search)")
    lo, hi = (float(_number(p.strip(), text)) for p in parts)
    if hi < lo:
        raise InvalidParameter("--param", text, "lo <= hi")
    return name.strip(), (lo, hi)


def _parse_target(text: str) -> tuple[str, float]:
    from provergame.errors import InvalidParameter
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InvalidParameter("--target", text, "name=value, e.g. liveness=0.99")
    return name.strip(), float(_number(value.strip(), text))


@app.command()
def design(scenario: Optional[Path] = typer.Option(None, help="scenario TOML file (default: bundled default.toml)"),
           mechanism: Optional[str] = typer.Option(None, help="label or kind of the mechanism to design "
                                                   "(default: every mechanism with a budget parameter)"),
           minimise: str = typer.Option("user_cost", help="user_cost, hhi or stall_bribe_per_hour"),
           target: list[str] = typer.Option([], help="metric=value: liveness, hhi, nakamoto, user_cost, "
                                                     "stall_bribe_per_hour (repeatable; default: the scenario's)"),
           param: list[str] = typer.Option([], help="name=lo:hi to search (repeatable; default: the budget "
                                                    "parameter from 1/1000 to 100 times its value)"),
           budget: str = typer.Option("reward", help="the parameter bisected (targets monotone in it)"),
           grid: int = typer.Option(5, help="grid points for each other parameter"),
           executor: Optional[str] = typer.Option(None, help="'processes', 'serial' (default) or dask://HOST:PORT"),
           ) -> None:
    """The cheapest parameters meeting the targets, each candidate a certified equilibrium."""
    from provergame.design import design as run_design
    from provergame.results import markdown_table
    from provergame.sweep import GameFactory
    with _one_line_errors():
        sc = _load(scenario)
        targets = dict(_parse_target(t) for t in target) if target else dict(sc.targets)
        if not targets:
            from provergame.errors import InvalidParameter
            raise InvalidParameter("--target", "none", "at least one metric=value (or targets in the scenario)")
        pop = sc.population()
        if mechanism is None:
            from provergame.lazy import pandas as pd
            from provergame.pipeline import _design_row
            table = pd.DataFrame([_design_row(spec, pop, targets, sc.timing()) for spec in sc.specs()])
            typer.echo(markdown_table(table))
            return
        ranges = dict(_parse_range(p) for p in (param or ["reward=0.1:100"]))
        spec = _mechanism_with(sc, mechanism, ranges)
        result = run_design(GameFactory(spec, pop), ranges, minimise=minimise, subject_to=targets, budget=budget,
                            grid=grid, timing=sc.timing(), executor=executor)
    if not result.feasible:
        typer.echo(f"no design of {spec.label} within the ranges meets the targets ({len(result.trace)} candidates)")
        return
    shown = ", ".join(f"{k} = {v:.6g}" for k, v in result.params.items())
    typer.echo(f"cheapest {spec.label}: {shown}; {minimise} = {result.scores[minimise]:.6g}; "
               f"regret {result.scores['regret']:.3g}; {len(result.trace)} candidates")
    if len(result.binding):
        typer.echo(markdown_table(result.binding))


@app.command()
def schema(kind: Optional[str] = typer.Argument(None, help="a mechanism kind (default: list every kind)")) -> None:
    """The scenario schema: every mechanism kind, or one kind's parameters with ranges and units."""
    from provergame.games import registered, schema as kind_schema
    with _one_line_errors():
        if kind is None:
            for name, cls in registered().items():
                doc = (cls.__doc__ or "").strip().split("\n")[0]
                typer.echo(f"{name:24s} {cls.__name__}: {doc}")
            return
        for row in kind_schema(kind):
            default = "" if row["default"] == "required" else f" = {row['default']!r}"
            typer.echo(f"{row['field']}{default}: {row['accepts']}" + (f"; {row['meaning']}" if row["meaning"] else ""))


def _click_errors() -> tuple[type, type]:
    """(UsageError, Abort) of the click typer runs on: its vendored copy (typer >= 0.16) or click."""
    try:
        from typer._click.exceptions import UsageError
        from typer.exceptions import Abort
    except ImportError:                     # pragma: no cover - an older typer on click itself
        from click.exceptions import Abort, UsageError
    return UsageError, Abort


def main() -> None:
    """The console script. It leaves without tearing the interpreter down once the command is done
    (every file it wrote is closed): freeing a report's heap module by module took another 0.5 s."""
    usage_error, abort = _click_errors()
    try:
        result = typer.main.get_command(app).main(prog_name="provergame", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except usage_error as exc:           # usage errors: one line, exit code 2
        print(f"provergame: {exc.format_message()}", file=sys.stderr)
        code = 2
    except abort:
        code = 1
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:                    # a closed pipe (provergame ... | head): nothing left to say
            pass
    os._exit(code)

"""Parameter sweeps: every grid point solved, measured and cross-checked, streamed to a store.

Points run in chunks on an executor: local processes by default, a Dask cluster when given
"dask://HOST:PORT" (dask.distributed's Client.get_executor() is a concurrent.futures executor, so
one code path serves both), or in this process ("serial"). Each finished chunk is committed to a
SQLite store; rerunning the same sweep skips the points already there, so a killed sweep resumes
without loss or duplication. Each point's simulation seed derives from (seed, parameters) alone,
so results do not depend on the executor, the chunking or the order of completion.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import sys
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InvalidParameter, check_int

ANALYSES = ("solve", "metrics", "simulate")


def _point_key(params: Mapping[str, Any], seed: int, analyses: Sequence[str], rounds: int, name: str) -> str:
    blob = json.dumps({"p": params, "s": seed, "a": list(analyses), "r": rounds, "g": name}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _point_seed(params: Mapping[str, Any], seed: int) -> int:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).digest()
    return int(np.random.SeedSequence([seed, int.from_bytes(digest[:8], "little")]).generate_state(1)[0])


def evaluate_point(make_game: Callable[..., Any], params: Mapping[str, Any], seed: int,
                   analyses: Sequence[str], rounds: int) -> dict[str, Any]:
    """One grid point: build the game, solve it, its metrics, and the simulator cross-check."""
    from .api import cross_check, metrics, solve
    from .rollout import simulate
    row: dict[str, Any] = {**params, "seed": seed}
    try:
        game = make_game(**params)
        eq = solve(game)
        row.update({"regret": eq.regret, "exact": eq.exact, "method": eq.method})
        if "metrics" in analyses:
            row.update(metrics(game, eq.profile))
        if "simulate" in analyses:
            roll = simulate(game, eq.profile, rounds=rounds, seed=_point_seed(params, seed))
            chk = cross_check(game, eq, roll)
            row.update({"sim_agrees": chk.passed, "max_z": chk.max_abs_z,
                        **{f"sim_{k}": v for k, v in roll.metrics.items() if k in ("hhi", "liveness", "user_cost")}})
        row["error"] = ""
    except (InvalidParameter, ValueError) as exc:
        row["error"] = str(exc)
    return row


def _evaluate_chunk(make_game, chunk, analyses, rounds):
    return [(key, evaluate_point(make_game, params, seed, analyses, rounds)) for key, params, seed in chunk]


class _Store:
    """Append-only SQLite store of finished points (key -> JSON row)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("CREATE TABLE IF NOT EXISTS points (key TEXT PRIMARY KEY, row TEXT NOT NULL)")
        self.db.commit()

    def done(self) -> dict[str, dict]:
        return {k: json.loads(r) for k, r in self.db.execute("SELECT key, row FROM points")}

    def add(self, items: list[tuple[str, dict]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO points VALUES (?, ?)",
                                [(k, json.dumps(r, default=_json_default)) for k, r in items])

    def close(self) -> None:
        self.db.close()


def _json_default(x: Any) -> Any:
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.bool_):
        return bool(x)
    raise TypeError(type(x).__name__)


@contextmanager
def _executor(spec: str | Executor | None, workers: int | None) -> Iterator[Executor | None]:
    if spec == "serial":
        yield None
    elif spec is None or spec == "processes":
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as ex:
            yield ex
    elif isinstance(spec, str) and (spec.startswith("dask://") or spec.startswith("tcp://")):
        from distributed import Client
        address = "tcp://" + spec.split("://", 1)[1]
        with Client(address) as client:
            yield client.get_executor()
    elif isinstance(spec, Executor):
        yield spec
    else:
        raise InvalidParameter("executor", spec, "None, 'processes', 'serial', 'dask://HOST:PORT' or an Executor")


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    if not grid:
        raise InvalidParameter("grid", dict(grid), "a non-empty mapping of parameter -> values")
    names = list(grid)
    values = []
    for name in names:
        vals = list(np.atleast_1d(grid[name]))
        if not vals:
            raise InvalidParameter(f"grid[{name!r}]", vals, "at least one value")
        values.append([v.item() if isinstance(v, np.generic) else v for v in vals])
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def sweep(make_game: Callable[..., Any], grid: Mapping[str, Sequence[Any]], analyses: Sequence[str] = ANALYSES,
          seeds: Sequence[int] = (0,), executor: str | Executor | None = None, store: str | Path | None = None,
          rounds: int = 20_000, chunk: int | None = None, workers: int | None = None,
          progress: bool | None = None) -> pd.DataFrame:
    """Evaluate every grid point (x every seed); a tidy frame, one row per (point, seed), grid order.

    make_game(**params) -> game must be picklable for process and Dask executors (a module-level
    function or a provergame.sweep.GameFactory). Results stream to `store` (SQLite) as they finish.
    """
    analyses = tuple(analyses)
    bad = set(analyses) - set(ANALYSES)
    if bad or "solve" not in analyses:
        raise InvalidParameter("analyses", analyses, f"a subset of {ANALYSES} containing 'solve'")
    rounds = check_int("rounds", rounds, lo=2)
    seeds = [check_int("seeds", s, lo=0) for s in seeds]
    name = getattr(make_game, "name", getattr(make_game, "__qualname__", type(make_game).__name__))
    tasks = [(_point_key(p, s, analyses, rounds, name), p, s) for p in grid_points(grid) for s in seeds]
    db = _Store(store) if store is not None else None
    results = db.done() if db else {}
    todo = [t for t in tasks if t[0] not in results]
    size = chunk or max(1, min(64, len(todo) // (4 * (workers or os.cpu_count() or 1)) or 1))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(tasks), len(tasks) - len(todo)) if show else None
    try:
        with _executor(executor, workers) as ex:
            if ex is None:
                finished = (_evaluate_chunk(make_game, c, analyses, rounds) for c in chunks)
            else:
                futures = [ex.submit(_evaluate_chunk, make_game, c, analyses, rounds) for c in chunks]
                finished = (f.result() for f in as_completed(futures))
            for items in finished:
                if db:
                    db.add(items)
                results.update(items)
                if bar:
                    bar[0].update(bar[1], advance=len(items))
    finally:
        if bar:
            bar[0].stop()
        if db:
            db.close()
    return pd.DataFrame([results[k] for k, _, _ in tasks])


def _progress(total: int, done: int):
    from rich.progress import Progress
    p = Progress(transient=True)
    task = p.add_task("sweep", total=total, completed=done)
    p.start()
    return p, task


class GameFactory:
    """Picklable make_game for sweeps over a scenario mechanism: GameFactory(spec, provers)(**overrides)."""

    def __init__(self, spec: Any, provers: Any):
        self.spec, self.provers = spec, provers
        self.name = f"{spec.kind}:{json.dumps(spec.model_dump(), sort_keys=True, default=str)}"

    def __call__(self, **params: Any):
        from .scenario import build_game
        return build_game(self.spec, self.provers, **params)

"""Parameter sweeps: every grid point solved, measured and cross-checked, streamed to a store.

Points run in chunks on an executor: local processes by default, a Dask cluster when given
"dask://HOST:PORT" (dask.distributed's Client.get_executor() is a concurrent.futures executor, so
one code path serves both), or in this process ("serial"). Each finished chunk is committed to a
SQLite store; rerunning the same sweep skips the points already there, so a killed sweep resumes
without loss or duplication. Each point's simulation seed derives from (seed, parameters) alone,
so results do not depend on the executor, the chunking or the order of completion.

Every point is keyed on the canonical identity of the game built there (its kind, every
parameter, the population, the library version), and a store remembers which sweep wrote it, so a
rerun can never return another game's or an older population's rows. If no chunk finishes within
`timeout` seconds (a worker vanished, a cluster stalled) the sweep stops with a `SweepError`,
keeping every point that finished.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
from provergame.lazy import pandas as pd

from .errors import InvalidParameter, call_factory, check_int, check_mapping, check_real, check_sequence, factory_name
from .progress import expect, reports_progress, tick
from provergame.games.base import Game
from .workers import check_workers, process_pool

ANALYSES = ("solve", "metrics", "simulate")


class SweepError(RuntimeError):
    """A sweep that could not finish (workers gone, no progress within the timeout); the points that
    finished are in the store, and rerunning the same sweep resumes from them."""


def _digest(blob: Any) -> str:
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _game_identity(make_game: Callable[..., Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The identity of the game at one point; for a point the factory refuses, the factory's name and
    the parameters (such a point is re-evaluated, never confused with a valid one)."""
    try:
        game = call_factory(make_game, **params)
    except InvalidParameter as exc:
        if exc.name == "make_game":
            raise
        return {"refused": factory_name(make_game), "params": params, "error": type(exc).__name__}
    except ValueError as exc:
        return {"refused": factory_name(make_game), "params": params, "error": type(exc).__name__}
    if not isinstance(game, Game):
        raise InvalidParameter("make_game", factory_name(make_game), "a function returning provergame games")
    return game.identity()


def _sweep_identity(identities: Sequence[dict[str, Any]], grid_names: Sequence[str], analyses: Sequence[str],
                    rounds: int) -> str:
    """What makes two sweeps the same: the game with the swept parameters left out, the analyses and
    the rounds; extending the grid of the same sweep keeps it."""
    base = next((i for i in identities if "refused" not in i), identities[0])
    base = {**base, "params": {k: v for k, v in base.get("params", {}).items() if k not in grid_names}}
    return _digest({"game": base, "a": list(analyses), "r": rounds})


def _point_seed(params: Mapping[str, Any], seed: int) -> int:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).digest()
    return int(np.random.SeedSequence([seed, int.from_bytes(digest[:8], "little")]).generate_state(1)[0])


def evaluate_point(make_game: Callable[..., Any], params: Mapping[str, Any], seed: int,
                   analyses: Sequence[str], rounds: int) -> dict[str, Any]:
    """One grid point: build the game, solve it, its metrics, and the simulator cross-check."""
    from .api import cross_check, evaluate
    from .rollout import simulate
    row: dict[str, Any] = {**params, "seed": seed}
    try:
        game = make_game(**params)
        ev = evaluate(game)
        eq = ev.equilibrium
        row.update({"regret": eq.regret, "exact": eq.exact, "method": eq.method})
        if "metrics" in analyses:
            row.update(ev.metrics)
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
    """Append-only SQLite store of finished points (key -> JSON row), tagged with the sweep that wrote it.

    Write-ahead logging: each chunk is one transaction appended to the -wal file with checksummed frames
    and a commit frame, so a write torn at any byte (a killed process, a full disk) leaves the store at
    its last whole transaction, which the next run resumes from (tests/test_sweep.py tears every byte)."""

    def __init__(self, path: str | Path, sweep_id: str):
        self.path = Path(path)
        self.created = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS points (key TEXT PRIMARY KEY, row TEXT NOT NULL)")
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = self.db.execute("SELECT value FROM meta WHERE name = 'sweep'").fetchone()
            self.db.commit()
        except (OSError, sqlite3.Error) as exc:
            self.remove_if_new()
            raise InvalidParameter("store", str(path), f"a writable SQLite file ({exc})") from None
        if row is None:
            with self.db:
                self.db.execute("INSERT INTO meta VALUES ('sweep', ?)", (sweep_id,))
        elif row[0] != sweep_id:
            self.db.close()
            raise InvalidParameter("store", str(path), "a store written by this same sweep (this one holds another "
                                   "game's, population's or analysis' points); give another store path")

    def remove_if_new(self) -> None:
        """A store this run created and left empty goes, so a failed run leaves nothing behind."""
        if not self.created:
            return
        try:
            empty = self.db.execute("SELECT COUNT(*) FROM points").fetchone()[0] == 0
            self.db.close()
        except (AttributeError, sqlite3.Error):
            empty = True
        if empty:
            self.path.unlink(missing_ok=True)

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
def _executor(spec: str | Executor | None, workers: int | None, connect_timeout: float = 10.0,
              shipped: tuple = ()) -> Iterator[Executor | None]:
    """The executor `spec` names, opened for the block. On a Dask cluster every worker first unpickles
    `shipped` (the game factory): a worker that cannot import its module is reported at once, naming
    the module, instead of the sweep waiting out its timeout for a task that never starts."""
    if spec == "serial":
        yield None
    elif spec is None or spec == "processes":
        with process_pool(workers or os.cpu_count() or 1, start_method=None) as ex:
            yield ex
    elif isinstance(spec, str) and (spec.startswith("dask://") or spec.startswith("tcp://")):
        from distributed import Client
        address = "tcp://" + spec.split("://", 1)[1]
        try:
            client = Client(address, timeout=connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InvalidParameter("executor", spec, f"a reachable Dask scheduler (none answered within "
                                   f"{connect_timeout:g} s: {exc})") from None
        with client:
            _workers_can_load(client, shipped)
            yield client.get_executor()
    elif isinstance(spec, Executor):
        yield spec
    else:
        raise InvalidParameter("executor", spec, "None, 'processes', 'serial', 'dask://HOST:PORT' or an Executor")


def _load_on_worker(blob: bytes) -> str:
    """Unpickle `blob` here (on a Dask worker): "" or the error, which names a module it cannot import."""
    import pickle
    try:
        pickle.loads(blob)
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild the factory is the caller's to see
        return f"{type(exc).__name__}: {exc}"
    return ""


def _workers_can_load(client: Any, shipped: tuple) -> None:
    import pickle
    for obj in shipped:
        answers = client.run(_load_on_worker, pickle.dumps(obj))
        failed = {worker: error for worker, error in answers.items() if error}
        if failed:
            worker, error = sorted(failed.items())[0]
            raise InvalidParameter("make_game", repr(obj)[:80], f"a factory every Dask worker can import ({len(failed)} "
                                   f"of {len(answers)} cannot; {worker}: {error})")


def check_executor(spec: Any) -> None:
    """Refuse an executor that is none of None, 'processes', 'serial', 'dask://HOST:PORT' (or tcp://)
    or a concurrent.futures Executor, before any work starts."""
    if spec is None or isinstance(spec, Executor) or (isinstance(spec, str) and spec in ("processes", "serial")):
        return
    if isinstance(spec, str) and (spec.startswith("dask://") or spec.startswith("tcp://")) and "://" in spec \
            and spec.split("://", 1)[1]:
        return
    raise InvalidParameter("executor", spec, "None, 'processes', 'serial', 'dask://HOST:PORT' or an Executor")


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    check_mapping("grid", grid, "a non-empty mapping of parameter -> values")
    names = list(grid)
    values = []
    for name in names:
        vals = list(np.atleast_1d(grid[name]))
        if not vals:
            raise InvalidParameter(f"grid[{name!r}]", vals, "at least one value")
        values.append([v.item() if isinstance(v, np.generic) else v for v in vals])
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


@reports_progress("sweep: points")
def sweep(make_game: Callable[..., Any], grid: Mapping[str, Sequence[Any]], analyses: Sequence[str] = ANALYSES,
          seeds: Sequence[int] = (0,), executor: str | Executor | None = None, store: str | Path | None = None,
          rounds: int = 20_000, chunk: int | None = None, workers: int | None = None,
          progress: bool | None = None, timeout: float = 600.0, connect_timeout: float = 10.0) -> pd.DataFrame:
    """Evaluate every grid point (x every seed); a tidy frame, one row per (point, seed), grid order.

    Results stream to `store` (SQLite) as they finish; a rerun of the same sweep resumes, and a store
    written by a different sweep is refused. If no chunk finishes for `timeout` seconds the sweep
    raises SweepError, keeping what finished.

    Parameters
    ----------
    make_game : callable
        make_game(**params) -> game; picklable for process and Dask executors (a module-level function
        or a provergame.games.Recipe).
    grid : mapping of str to sequence
        Values of each parameter (the product is swept).
    analyses : sequence of str, default ("solve", "metrics", "simulate")
        What each point computes ("solve" is required).
    seeds : sequence of int, default (0,)
        Simulator seeds per point.
    executor : optional
        None (local processes), "serial", "processes", "dask://HOST:PORT" or an Executor.
    store : path, optional
        SQLite file results stream to.
    rounds : int, default 20_000
        Simulated rounds per point.
    chunk, workers : int, optional
        Points per task and processes.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).
    timeout, connect_timeout : float
        Seconds without a finished chunk, and to reach a Dask scheduler.

    Returns
    -------
    pandas.DataFrame
        One row per (point, seed): parameters, regret, metrics, simulator agreement.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> recipe = pg.games.Recipe("uncle_rewards", {"reward": 10.0, "uncles": 1}, pop)
    >>> frame = pg.sweep(recipe, {"uncle_share": [0.0, 0.5]}, executor="serial", rounds=2_000, progress=False)
    >>> frame["uncle_share"].tolist(), bool((frame["regret"] < 1e-9).all())
    ([0.0, 0.5], True)
    """
    analyses, rounds, seeds, timeout, connect_timeout, chunk, workers = _checked_sweep(
        make_game, analyses, rounds, seeds, timeout, connect_timeout, chunk, workers)
    workers = _checked_pool(executor, workers)

    points = grid_points(grid)
    identities = [_game_identity(make_game, p) for p in points]
    sweep_id = _sweep_identity(identities, list(grid), analyses, rounds)
    tasks = [(_digest({"game": ident, "s": s, "a": list(analyses), "r": rounds}), p, s)
             for p, ident in zip(points, identities) for s in seeds]
    with _executor(executor, workers, connect_timeout, shipped=(make_game,)) as ex:
        db = _Store(store, sweep_id) if store is not None else None
        results = db.done() if db else {}
        todo = [t for t in tasks if t[0] not in results]
        expect("sweep", len(tasks))
        tick("sweep", "stored points", steps=len(tasks) - len(todo))
        try:
            _collect(_run(ex, make_game, _chunks(todo, chunk, workers), analyses, rounds, timeout), results, db)
        except SweepError as exc:
            kept = f" and are kept in {db.path}: rerun the same sweep to resume" if db else ""
            raise SweepError(f"{exc}; {len(results)} of {len(tasks)} points finished{kept}") from None
        finally:
            _finish(db)
    return pd.DataFrame([results[k] for k, _, _ in tasks])


def _checked_sweep(make_game: Any, analyses: Sequence[str], rounds: int, seeds: Sequence[int], timeout: float,
                   connect_timeout: float, chunk: int | None, workers: int | None) -> tuple:
    """sweep's arguments checked, each named: (analyses, rounds, seeds, timeout, connect_timeout, chunk, workers)."""
    analyses = check_sequence("analyses", analyses, f"a list of analyses among {ANALYSES} containing 'solve'")
    bad = any(not isinstance(a, str) for a in analyses) or bool(set(analyses) - set(ANALYSES))
    if bad or "solve" not in analyses:
        raise InvalidParameter("analyses", analyses, f"a subset of {ANALYSES} containing 'solve'")
    rounds = check_int("rounds", rounds, lo=2, hi=100_000_000)
    seeds = [check_int("seeds", s, lo=0, hi=2 ** 63 - 1)
             for s in check_sequence("seeds", seeds, "a non-empty list of integer seeds >= 0")]
    if not seeds:
        raise InvalidParameter("seeds", seeds, "at least one seed")
    timeout = check_real("timeout", timeout, lo=0, lo_open=True, hi=1e7)
    connect_timeout = check_real("connect_timeout", connect_timeout, lo=0, lo_open=True, hi=3600)
    if chunk is not None:
        chunk = check_int("chunk", chunk, lo=1, hi=1_000_000)
    if workers is not None:
        workers = check_int("workers", workers, lo=1, hi=1024)
    if not callable(make_game):
        raise InvalidParameter("make_game", make_game, "a callable returning a game")
    return analyses, rounds, seeds, timeout, connect_timeout, chunk, workers


def _checked_pool(executor: Any, workers: int | None) -> int | None:
    """The executor checked up front; local process pools at most one worker per core."""
    check_executor(executor)
    return check_workers(workers) if workers is not None and executor in (None, "processes") else workers


def _chunks(todo: list, chunk: int | None, workers: int | None) -> list[list]:
    """The tasks in chunks of `chunk` (default: about four chunks per worker, at most 64 tasks each)."""
    size = chunk or max(1, min(64, len(todo) // (4 * (workers or os.cpu_count() or 1)) or 1))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def _finish(db: Any) -> None:
    """Close the store (removing it when this sweep created it and kept nothing)."""
    if db:
        db.remove_if_new()
        db.close()


def _collect(finished: Iterator[list], results: dict, db: Any) -> None:
    """Each finished chunk into the store (as it arrives), the results and the progress bar."""
    for items in finished:
        if db:
            db.add(items)
        results.update(items)
        tick("sweep", steps=len(items))


def _run(ex: Executor | None, make_game, chunks, analyses, rounds, timeout) -> Iterator[list]:
    """Finished chunks as they complete; SweepError when none completes within `timeout` seconds or
    a worker process dies."""
    if ex is None:
        for c in chunks:
            yield _evaluate_chunk(make_game, c, analyses, rounds)
        return
    pending = {ex.submit(_evaluate_chunk, make_game, c, analyses, rounds) for c in chunks}
    try:
        while pending:
            done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            if not done:
                raise SweepError(f"no sweep chunk finished within {timeout:g} s (a worker vanished or the "
                                 f"executor stalled)")
            for fut in done:
                try:
                    yield fut.result()
                except (InvalidParameter, SweepError):
                    raise
                except Exception as exc:  # a dead worker or a lost connection, not a bad point
                    raise SweepError(f"a sweep worker failed: {type(exc).__name__}: {exc}") from None
    finally:
        for fut in pending:
            fut.cancel()


def GameFactory(spec: Any, provers: Any) -> Any:       # noqa: N802 - the name users know
    """Picklable make_game for sweeps over a scenario mechanism: its recipe (provergame.games.Recipe)
    with the provers, called as GameFactory(spec, provers)(**overrides)."""
    return spec.recipe(provers)

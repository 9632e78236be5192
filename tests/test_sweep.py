import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
import time

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import provergame as pg
from provergame.cli import app
from provergame.sweep import sweep

import sweep_target
from sweep_target import uncle_game

GRID = {"uncle_share": np.linspace(0, 0.5, 6), "uncles": [1, 2]}


def test_embedded_sweep_matches_serial_and_is_tidy():
    serial = sweep(uncle_game, GRID, seeds=[0, 1], executor="serial", rounds=2_000, progress=False)
    procs = sweep(uncle_game, GRID, seeds=[0, 1], rounds=2_000, workers=2, progress=False)
    assert len(serial) == 6 * 2 * 2 and serial.equals(procs)
    assert {"uncle_share", "uncles", "seed", "hhi", "user_cost", "regret", "sim_agrees"} <= set(serial.columns)
    assert (serial["regret"] <= 1e-9).all() and serial["sim_agrees"].all()
    # uncle rewards raise the cost per proof monotonically along the sweep
    for _, g in serial[serial.seed == 0].groupby("uncles"):
        assert np.all(np.diff(g["user_cost"].to_numpy()) >= -1e-9)


def test_dask_local_cluster_same_results():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = sweep(uncle_game, GRID, seeds=[0], executor="dask://" + cluster.scheduler_address.split("://")[1],
                     rounds=2_000, progress=False)
    serial = sweep(uncle_game, GRID, seeds=[0], executor="serial", rounds=2_000, progress=False)
    assert dask.equals(serial)


def test_invalid_points_are_recorded_not_fatal():
    out = sweep(uncle_game, {"uncle_share": [0.2, 1.5]}, executor="serial", rounds=200, progress=False)
    assert out.loc[0, "error"] == "" and "uncle_share" in out.loc[1, "error"]
    with pytest.raises(pg.InvalidParameter, match="analyses"):
        sweep(uncle_game, {"uncle_share": [0.2]}, analyses=("metrics",))
    with pytest.raises(pg.InvalidParameter, match="executor"):
        sweep(uncle_game, {"uncle_share": [0.2]}, executor="carrier-pigeon")


def test_killed_sweep_resumes_without_loss_or_duplication(tmp_path):
    store = tmp_path / "s.sqlite"
    script = textwrap.dedent(f"""
        import sys, numpy as np
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from provergame.sweep import sweep
        from sweep_target import uncle_game
        sweep(uncle_game, {{"uncle_share": np.linspace(0, 0.5, 60), "uncles": [1, 2]}}, executor="serial",
              rounds=20_000, store={str(store)!r}, chunk=1, progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline:
        time.sleep(0.2)
        if store.exists():
            try:
                done = sqlite3.connect(store).execute("SELECT COUNT(*) FROM points").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if done >= 5:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = sqlite3.connect(store).execute("SELECT COUNT(*) FROM points").fetchone()[0]
    assert 5 <= stored < 120
    grid = {"uncle_share": np.linspace(0, 0.5, 60), "uncles": [1, 2]}
    resumed = sweep(uncle_game, grid, executor="serial", rounds=20_000, store=store, progress=False)
    keys = sqlite3.connect(store).execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM points").fetchone()
    assert keys == (120, 120) and len(resumed) == 120
    fresh = sweep(uncle_game, grid, executor="serial", rounds=20_000, progress=False)
    pd.testing.assert_frame_equal(resumed, fresh)


def test_cli_sweep(tmp_path):
    out = tmp_path / "s.csv"
    res = CliRunner().invoke(app, ["sweep", "--param", "uncle_share=0:0.5:3", "--param", "uncles=1,2",
                                   "--executor", "serial", "--rounds", "500", "--store", str(tmp_path / "st.sqlite"),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(out)
    assert len(frame) == 6 and set(frame["uncles"]) == {1, 2}
    bad = CliRunner().invoke(app, ["sweep", "--param", "uncle_share", "--executor", "serial"])
    assert bad.exit_code == 2 and "--param" in bad.output


@pytest.mark.parametrize("name", ["testnet.toml", "large.toml", "default.toml"])
def test_bundled_scenarios_load(name):
    from pathlib import Path
    from provergame.scenario import load_scenario
    sc = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / name)
    pop = sc.population()
    assert len(pop) in (5, 12, 1000)
    if name == "large.toml":
        assert pop.stake[0] == pop.stake.max() and pop.cost[0] == 0.3


def test_store_refuses_another_sweeps_points(tmp_path):
    """A rerun can never return another population's or another game's rows (issue 11)."""
    from sweep_target import uncle_game_other_costs
    store = tmp_path / "s.sqlite"
    grid = {"uncle_share": [0.1, 0.2]}
    first = sweep(uncle_game, grid, executor="serial", rounds=500, store=store, progress=False)
    with pytest.raises(pg.InvalidParameter, match="store"):
        sweep(uncle_game_other_costs, grid, executor="serial", rounds=500, store=store, progress=False)
    fresh = sweep(uncle_game_other_costs, grid, executor="serial", rounds=500, progress=False)
    assert not np.allclose(fresh["surplus"], first["surplus"])
    wta = lambda reward: pg.games.WinnerTakesAll(reward, sweep_target.POP)          # noqa: E731
    race = lambda reward: pg.games.SpeedRace(reward, sweep_target.POP)             # noqa: E731
    other = tmp_path / "t.sqlite"
    sweep(wta, {"reward": [5.0]}, executor="serial", rounds=500, store=other, progress=False)
    with pytest.raises(pg.InvalidParameter, match="store"):
        sweep(race, {"reward": [5.0]}, executor="serial", rounds=500, store=other, progress=False)
    extended = sweep(uncle_game, {"uncle_share": [0.1, 0.2, 0.3]}, executor="serial", rounds=500, store=store,
                     progress=False)                                  # the same sweep, a longer grid: resumes
    pd.testing.assert_frame_equal(extended.iloc[:2], first)


def test_dead_worker_fails_clearly_and_keeps_what_finished(tmp_path, monkeypatch):
    from provergame.sweep import SweepError
    from sweep_target import dying_game
    monkeypatch.setenv("PROVERGAME_TEST_PARENT", str(os.getpid()))
    store = tmp_path / "s.sqlite"
    grid = {"uncle_share": [0.1, 0.2, 0.3, 0.5]}
    with pytest.raises(SweepError, match="worker") as err:
        sweep(dying_game, grid, rounds=500, store=store, chunk=1, workers=1, progress=False)
    assert "rerun" in str(err.value)
    kept = sqlite3.connect(store).execute("SELECT COUNT(*) FROM points").fetchone()[0]
    assert 1 <= kept <= 3


def test_stalled_executor_times_out(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from provergame.sweep import SweepError
    from sweep_target import slow_game
    start = time.time()
    with ThreadPoolExecutor(2) as ex:
        with pytest.raises(SweepError, match="within 1 s"):
            sweep(slow_game, {"uncle_share": [0.1, 0.5]}, executor=ex, rounds=200, chunk=1, timeout=1.0,
                  store=tmp_path / "s.sqlite", progress=False)
        assert time.time() - start < 3.0


def test_a_blas_heavy_sweep_is_bit_identical_on_processes_and_when_resumed_serially(tmp_path):
    """The turn auction's payoffs go through matrix products: the serial run (all cores' BLAS threads),
    the processes run (one BLAS thread per worker) and a processes run resumed serially from its store
    give the same bytes."""
    from sweep_target import turn_game
    grid = {"reward": [1.0, 2.0, 3.5, 6.0]}
    serial = sweep(turn_game, grid, seeds=[0, 1], executor="serial", rounds=3_000, progress=False)
    procs = sweep(turn_game, grid, seeds=[0, 1], executor="processes", workers=2, rounds=3_000, progress=False)
    pd.testing.assert_frame_equal(serial, procs, check_exact=True)
    store = tmp_path / "half.sqlite"
    sweep(turn_game, {"reward": [1.0, 2.0]}, seeds=[0, 1], executor="processes", workers=2, rounds=3_000,
          store=store, progress=False)
    resumed = sweep(turn_game, grid, seeds=[0, 1], executor="serial", rounds=3_000, store=store, progress=False)
    pd.testing.assert_frame_equal(serial, resumed, check_exact=True)


def test_a_dask_worker_that_cannot_import_the_factory_is_reported_at_once(tmp_path, monkeypatch):
    """The factory's module exists only in this process (its file is gone before the cluster starts):
    the sweep refuses within seconds, naming the module, instead of waiting out its timeout."""
    distributed = pytest.importorskip("distributed")
    import importlib
    import shutil
    (tmp_path / "vanishing_factory.py").write_text(textwrap.dedent("""
        import provergame as pg
        def make(reward):
            return pg.games.WinnerTakesAll(reward, pg.Population.from_arrays(cost=[1.0, 1.2]))
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("vanishing_factory")
    (tmp_path / "vanishing_factory.py").unlink()
    shutil.rmtree(tmp_path / "__pycache__", ignore_errors=True)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        start = time.time()
        with pytest.raises(pg.InvalidParameter, match="vanishing_factory") as err:
            sweep(module.make, {"reward": [5.0]}, executor="dask://" + cluster.scheduler_address.split("://")[1],
                  rounds=200, progress=False, timeout=600)
    assert time.time() - start < 60 and "make_game" in str(err.value)


def test_a_store_torn_at_every_byte_of_its_last_write_resumes_whole(tmp_path):
    """The last chunk's transaction is torn at every byte offset of its write-ahead log: the store reads
    back exactly the earlier rows (never a partial one) until the log is whole, then all of them; and a
    sweep resumed from a torn store equals a fresh one."""
    grid = {"uncle_share": [0.1, 0.2, 0.3, 0.4]}
    full = tmp_path / "full.sqlite"
    fresh = sweep(uncle_game, grid, executor="serial", rounds=300, store=full, progress=False)
    last_key, last_row = sqlite3.connect(full).execute("SELECT key, row FROM points ORDER BY rowid DESC").fetchone()
    base = tmp_path / "base.sqlite"
    sweep(uncle_game, {"uncle_share": [0.1, 0.2, 0.3]}, executor="serial", rounds=300, store=base, progress=False)
    db = sqlite3.connect(base)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("PRAGMA wal_autocheckpoint=0")
    with db:
        db.execute("INSERT INTO points VALUES (?, ?)", (last_key, last_row))
    main, wal = base.read_bytes(), Path(str(base) + "-wal").read_bytes()
    db.close()
    assert len(wal) > 4096
    resumed_at = set(range(0, len(wal), 1021)) | {len(wal) - 1, len(wal)}
    for k in range(len(wal) + 1):
        torn = tmp_path / f"torn{k % 2}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(torn) + suffix).unlink(missing_ok=True)
        torn.write_bytes(main)
        Path(str(torn) + "-wal").write_bytes(wal[:k])
        check = sqlite3.connect(torn)
        rows = check.execute("SELECT COUNT(*) FROM points").fetchone()[0]
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.close()
        assert rows == (4 if k == len(wal) else 3), k
        if k in resumed_at:
            again = sweep(uncle_game, grid, executor="serial", rounds=300, store=torn, progress=False)
            pd.testing.assert_frame_equal(again, fresh, check_exact=True)

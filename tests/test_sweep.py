import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import provergame as pg
from provergame.cli import app
from provergame.sweep import sweep

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

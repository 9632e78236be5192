"""Progress bars on the public calls that can run for more than a few seconds: drawn when asked (or
on a terminal), never with progress=False, counting the call's own steps, and never changing a result."""
from __future__ import annotations

import inspect
import io
import re

import numpy as np
import pytest
from rich.console import Console

import provergame as pg
import provergame.progress as progress_module

LONG_CALLS = ("analyse", "design", "at_user_cost", "robustness", "timeline", "timeline_grid", "coalition_regret",
              "cartel", "sweep", "equilibria", "logit_equilibrium", "bimatrix")


@pytest.fixture
def screen(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(progress_module, "CONSOLE", Console(file=buf, force_terminal=True, width=160))
    return buf


def _counts(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+)", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text))]


def test_every_long_call_takes_progress():
    for name in LONG_CALLS:
        parameter = inspect.signature(getattr(pg, name)).parameters.get("progress")
        assert parameter is not None and parameter.default is None, name
        assert "progress : bool" in getattr(pg, name).__doc__, name


def test_timeline_bar_counts_every_epoch_of_every_seed(screen):
    pop = pg.Population.from_arrays(cost=[0.001, 0.002], stake=[1.0, 2.0], reliability=0.99)
    env = pg.Environment.steady(15, gas=50.0, demand=4)
    shown = pg.timeline(lambda p: pg.games.StakeVRF(0.05, p), pop, env, seeds=[0, 1, 2], progress=True)
    assert "timeline: epochs" in screen.getvalue()
    assert _counts(screen.getvalue())[-1] == (45, 45)
    screen.truncate(0)
    screen.seek(0)
    quiet = pg.timeline(lambda p: pg.games.StakeVRF(0.05, p), pop, env, seeds=[0, 1, 2], progress=False)
    assert screen.getvalue() == ""
    assert shown.kpis.equals(quiet.kpis) and shown.ledger.equals(quiet.ledger)


def test_analyse_counts_its_phases_and_nested_calls_do_not_count(screen):
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    pg.analyse(pg.games.WinnerTakesAll(10.0, pop), rounds=2_000, progress=True)
    counts = _counts(screen.getvalue())
    assert counts[-1] == (6, 6) and all(total == 6 for _, total in counts if total)


def test_coalition_search_counts_joint_deviations(screen):
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0, 0.8], rate=[1.0, 2.0, 1.0, 0.5])
    game = pg.games.WinnerTakesAll(10.0, pop)
    found = pg.coalition_regret(game, [1, 1, 1, 1], size=2, progress=True)
    done, total = _counts(screen.getvalue())[-1]
    assert done == total > 0
    assert found.gain == pg.coalition_regret(game, [1, 1, 1, 1], size=2, progress=False).gain


def test_default_draws_nothing_off_a_terminal(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(progress_module, "CONSOLE", Console(file=buf, force_terminal=False))
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    row = pg.at_user_cost(pg.games.UncleRewards(10.0, 0.25, 1, pop), 5.0)
    assert buf.getvalue() == "" and np.isclose(row["user_cost"], 5.0, rtol=1e-3)


@pytest.mark.parametrize("bad", ["yes", 1, 0.5])
def test_progress_must_be_a_bool(bad):
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    with pytest.raises(pg.InvalidParameter, match="progress"):
        pg.cartel(pg.games.WinnerTakesAll(10.0, pop), [0, 1], progress=bad)


def test_support_enumeration_counts_every_support_profile(screen):
    rng = np.random.default_rng(0)
    game = pg.NormalFormGame(rng.integers(0, 9, size=(2, 3, 2, 3)).astype(float))
    pg.equilibria(game, progress=True)
    assert _counts(screen.getvalue())[-1] == (3 * 7 * 3, 3 * 7 * 3)     # supports of 2, 3 and 2 actions


def test_bimatrix_counts_its_phases(screen):
    found = pg.bimatrix(np.eye(6), np.eye(6), progress=True)
    assert len(found.equilibria) == 2 ** 6 - 1
    assert _counts(screen.getvalue())[-1] == (4, 4)

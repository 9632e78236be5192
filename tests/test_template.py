"""The template works where it says: examples/new_mechanism.py, placed in games/ as a module of
provergame.games, passes the conformance suite and the architecture checks with no other change."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "new_mechanism.py"


def test_template_in_games_passes_conformance_and_architecture(tmp_path):
    module = tmp_path / "round_robin.py"
    shutil.copy(TEMPLATE, module)
    env = {**os.environ, "PROVERGAME_EXTRA_GAME": str(module)}
    tests = [str(ROOT / "tests" / "test_conformance.py"), str(ROOT / "tests" / "test_architecture.py")]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests,
                          "-k", "round_robin or import_graph or depend_only or dispatch",
                          "-rA"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    passed = [line for line in out.splitlines() if line.startswith("PASSED") and "round_robin" in line]
    assert len(passed) >= 15, out[-3000:]            # every per-kind conformance check ran on it
    assert "test_import_graph_is_acyclic" in out and "test_game_modules_depend_only_on_the_kernel" in out


TINY = """
name = "template-attack"
rounds = 4000
draws = 2
[provers]
n = 4
seed = 3
cost = { dist = "lognormal", mean = -0.5, sigma = 0.3 }
rate = { dist = "lognormal", mean = 0.0, sigma = 0.3 }
reliability = 0.9
stake = { dist = "lognormal", mean = 1.0, sigma = 0.5 }
[[mechanism]]
kind = "winner_takes_all"
reward = 5.0
[[mechanism]]
kind = "stake_turns"
reward = 5.0
"""


def test_a_new_attack_reaches_the_pages_the_table_and_the_decision_page(tmp_path, monkeypatch):
    """examples/new_attack.py registered: a whole report shows its section on each page, its column in
    the comparison table and its goal's verdict, with no report code touched; its number is the halving
    bribe computed directly."""
    import importlib.util

    import provergame as pg
    from provergame import attacks, decision
    from provergame.pipeline import run_scenario
    from provergame.scenario import load_scenario
    monkeypatch.setattr(attacks, "ATTACKS", dict(attacks.ATTACKS))
    monkeypatch.setattr(decision, "GOALS", dict(decision.GOALS))
    spec = importlib.util.spec_from_file_location("new_attack", ROOT / "examples" / "new_attack.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "new_attack", module)
    spec.loader.exec_module(module)
    path = tmp_path / "s.toml"
    path.write_text(TINY)
    sc = load_scenario(path)
    run_scenario(sc, tmp_path / "out", executor="serial")
    index = (tmp_path / "out" / "index.md").read_text()
    page = (tmp_path / "out" / "winner_takes_all.md").read_text()
    assert "halve bribe per unit" in index and "Hardest to halve" in index
    assert "### Cost of halving on-time proving" in page
    game = sc.specs()[0].build(sc.population())
    direct = pg.bribe_threshold(game, "withhold", max_liveness=0.5, profile=pg.solve(game).profile)
    analysis = pg.analyse(game, rounds=2000, timing=sc.timing())
    assert analysis.summary()["halve bribe per unit"] == direct.total

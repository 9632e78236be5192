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

import hashlib
import textwrap

import pytest
from typer.testing import CliRunner

import provergame as pg
from provergame.cli import app
from provergame.scenario import load_scenario

SMALL = textwrap.dedent("""
    name = "tiny"
    seed = 3
    rounds = 2000
    [provers]
    cost = [0.5, 1.0, 1.5]
    rate = [1.0, 2.0, 0.5]
    [[mechanism]]
    kind = "winner_takes_all"
    reward = 5.0
    [[mechanism]]
    kind = "uncle_rewards"
    reward = 5.0
    uncle_share = 0.3
    uncles = 1
    [[sweep]]
    mechanism = "uncle_rewards"
    param = "uncle_share"
    grid = { start = 0.0, stop = 0.5, num = 3 }
""")


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_report_cli_is_reproducible_byte_for_byte(tmp_path):
    sc = tmp_path / "tiny.toml"
    sc.write_text(SMALL)
    runner = CliRunner()
    digests = []
    for _ in range(2):
        res = runner.invoke(app, ["report", "--scenario", str(sc), "--out", str(tmp_path / "a")])
        assert res.exit_code == 0, res.output
        digests.append(_digest(tmp_path / "a"))
    a, b = digests
    assert set(a) == {"index.md", "index.html", "winner_takes_all.md", "uncle_rewards.md", "sweep_uncle_rewards_uncle_share.png",
                      "pareto_front.png", ".provergame-manifest.json"}
    assert a == b
    index = (tmp_path / "a" / "index.md").read_text()
    assert "Reproduce byte for byte: `provergame report --scenario" in index and pg.__version__ in index
    assert "| [winner_takes_all](winner_takes_all.md) |" in index


@pytest.mark.parametrize("patch,needle", [
    ('rounds = 2000', "rounds"),
    ('reward = 5.0\n[[mechanism]]', "reward"),
    ('uncle_share = 0.3', "uncle_share"),
    ('kind = "winner_takes_all"', "kind"),
    ('name = "tiny"', "colour"),
])
def test_bad_scenarios_name_the_key(tmp_path, patch, needle):
    replacement = {"rounds": "rounds = 5", "reward": "reward = -5.0\n[[mechanism]]", "uncle_share": "uncle_share = 3",
                   "kind": 'kind = "lottery_of_doom"', "colour": 'name = "tiny"\ncolour = "red"'}[needle]
    sc = tmp_path / "bad.toml"
    sc.write_text(SMALL.replace(patch, replacement, 1))
    with pytest.raises(pg.InvalidParameter) as err:
        load_scenario(sc)
    assert needle in str(err.value) and str(sc) in str(err.value)
    res = CliRunner().invoke(app, ["report", "--scenario", str(sc), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and needle in res.output


def test_duplicate_labels_and_unknown_sweep_targets_rejected(tmp_path):
    sc = tmp_path / "dup.toml"
    sc.write_text(SMALL + '\n[[mechanism]]\nkind = "winner_takes_all"\nreward = 3.0\n')
    with pytest.raises(pg.InvalidParameter, match="unique"):
        load_scenario(sc)
    sc.write_text(SMALL.replace('mechanism = "uncle_rewards"', 'mechanism = "lottery"'))
    with pytest.raises(pg.InvalidParameter, match="lottery"):
        load_scenario(sc)


def test_default_scenario_loads():
    from provergame.scenario import default_scenario_path
    sc = load_scenario(default_scenario_path())
    assert len(sc.population()) == 12 and len(sc.games()) >= 5


def test_report_is_the_same_serial_and_in_parallel_processes(tmp_path):
    """Every task is seeded on its own: one worker or two processes write identical files."""
    from provergame.pipeline import run_scenario
    path = tmp_path / "tiny.toml"
    path.write_text(SMALL)
    sc = load_scenario(path)
    run_scenario(sc, tmp_path / "serial", command="c", scenario_label="s", workers=1)
    run_scenario(sc, tmp_path / "parallel", command="c", scenario_label="s", workers=2)
    assert _digest(tmp_path / "serial") == _digest(tmp_path / "parallel")

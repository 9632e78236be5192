"""Malformed input to the CLI: exit code 2, one line naming the file and key (or option), no
traceback, and no sweep store left behind by a failed run."""
from __future__ import annotations

import textwrap

import pytest
from typer.testing import CliRunner

from provergame.cli import app

GOOD = """
name = "t"
[provers]
n = 3
cost = 1.0
[[mechanism]]
kind = "winner_takes_all"
reward = 5.0
"""


def _write(tmp_path, text: str | bytes, name: str = "s.toml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text))
    return path


def _fails_cleanly(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


BAD_SCENARIOS = {
    "binary": (b"\x00\x01\xff\xfe garbage", "(file)"),
    "empty": ("", "name"),
    "not toml": ("name = [unclosed", "(file)"),
    "unknown kind": (GOOD.replace("winner_takes_all", "no_such_game"), "mechanism"),
    "unknown key": (GOOD + "colour = 3\n", "colour"),
    "negative reward": (GOOD.replace("5.0", "-5.0"), "mechanism[0].reward"),
    "huge reward": (GOOD.replace("5.0", "1e300"), "mechanism[0].reward"),
    "string reward": (GOOD.replace("5.0", '"five"'), "mechanism[0].reward"),
    "float for int": (GOOD.replace('kind = "winner_takes_all"\nreward = 5.0',
                                   'kind = "uncle_rewards"\nreward = 5.0\nuncle_share = 0.2\nuncles = 1.5'),
                      "mechanism[0].uncles"),
    "game rule": (GOOD.replace('kind = "winner_takes_all"\nreward = 5.0', 'kind = "taiko_pool"\nfee_cap = 5.0\npool_size = 9'),
                  "mechanism[0].pool_size"),
    "bad population": (GOOD.replace("cost = 1.0", "cost = -1.0"), "provers"),
    "missing field": (GOOD.replace("reward = 5.0", ""), "mechanism[0].reward"),
    "bad sweep param": (GOOD + '[[sweep]]\nmechanism = "winner_takes_all"\nparam = "nope"\n'
                               'grid = { start = 0, stop = 1, num = 2 }\n', "sweep"),
    "bad sweep value": (GOOD + '[[sweep]]\nmechanism = "winner_takes_all"\nparam = "reward"\n'
                               'grid = { start = -1, stop = 1, num = 3 }\n', "sweep[0].grid"),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_report_on_a_bad_scenario_fails_in_one_line(tmp_path, case):
    text, needle = BAD_SCENARIOS[case]
    path = _write(tmp_path, text)
    res = CliRunner().invoke(app, ["report", "--scenario", str(path), "--out", str(tmp_path / "out")])
    _fails_cleanly(res, str(path), needle)


def test_missing_scenario_file(tmp_path):
    res = CliRunner().invoke(app, ["report", "--scenario", str(tmp_path / "none.toml")])
    _fails_cleanly(res, "none.toml")


@pytest.mark.parametrize("args,needle", [
    (["--param", "=1:10:3"], "--param"),
    (["--param", "reward=1:10"], "--param"),
    (["--param", "reward=a:b:3"], "--param"),
    (["--param", "reward=1:2:0"], "--param"),
    (["--param", "reward=1,nan"], "--param"),
    (["--param", "colour=1,2"], "colour"),
    (["--param", "reward=1,2", "--seeds", "a"], "--seeds"),
    (["--param", "reward=1,2", "--seeds", "-1"], "--seeds"),
    (["--param", "reward=1,2", "--mechanism", "nope"], "--mechanism"),
    (["--param", "reward=1,2", "--executor", "threads"], "executor"),
    (["--param", "reward=1,2", "--rounds", "1"], "rounds"),
])
def test_sweep_bad_options_fail_in_one_line_and_leave_no_store(tmp_path, args, needle):
    path = _write(tmp_path, GOOD)
    store = tmp_path / "store.sqlite"
    res = CliRunner().invoke(app, ["sweep", "--scenario", str(path), "--store", str(store),
                                   "--out", str(tmp_path / "o.csv"), "--executor", "serial", *args])
    _fails_cleanly(res, needle)
    assert not store.exists()


def test_sweep_unwritable_store(tmp_path):
    path = _write(tmp_path, GOOD)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(app, ["sweep", "--scenario", str(path), "--param", "reward=1,2", "--executor", "serial",
                                   "--store", str(blocker / "s.sqlite"), "--out", str(tmp_path / "o.csv")])
    _fails_cleanly(res, "store")


def test_sweep_unreachable_dask_fails_fast_and_leaves_no_store(tmp_path):
    path = _write(tmp_path, GOOD)
    store = tmp_path / "store.sqlite"
    res = CliRunner().invoke(app, ["sweep", "--scenario", str(path), "--param", "reward=1,2",
                                   "--executor", "dask://127.0.0.1:9", "--connect-timeout", "2",
                                   "--store", str(store), "--out", str(tmp_path / "o.csv")])
    _fails_cleanly(res, "executor")
    assert not store.exists()


def test_schema_lists_kinds_and_fields():
    runner = CliRunner()
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0 and "winner_takes_all" in res.output
    res = runner.invoke(app, ["schema", "uncle_rewards"])
    assert res.exit_code == 0 and "uncle_share" in res.output and "[0, 1]" in res.output
    _fails_cleanly(runner.invoke(app, ["schema", "nope"]), "kind")


def test_the_console_script_keeps_exit_codes_and_output(tmp_path):
    """`main` leaves through os._exit once the command is done: the exit code, what it printed and the
    files it wrote are all there (a bad scenario: 2 and one line; a good one: 0 and its reports)."""
    import subprocess
    import sys
    run = lambda *args: subprocess.run([sys.executable, "-c", "from provergame.cli import main; main()", *args],  # noqa: E731
                                       capture_output=True, text=True, timeout=300)
    bad = run("report", "--scenario", str(tmp_path / "none.toml"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "none.toml" in bad.stderr
    shown = run("--help")
    assert shown.returncode == 0 and "report" in shown.stdout
    good = run("report", "--scenario", str(_write(tmp_path, GOOD)), "--out", str(tmp_path / "out"), "--workers", "2")
    assert good.returncode == 0 and good.stdout.startswith("wrote ")
    assert (tmp_path / "out" / "index.md").read_text().startswith("# ")


@pytest.mark.parametrize("args,needle", [
    (["report", "--bogus"], "No such option: --bogus"),
    (["report", "--workers", "abc"], "--workers"),
    (["nocommand"], "No such command"),
    (["report", "--workers", "100000"], "workers"),
    (["design", "--executor", "bogus", "--mechanism", "winner_takes_all"], "executor"),
])
def test_usage_errors_are_one_line_and_exit_2_through_the_console_script(args, needle):
    """The console script itself (not typer's runner): typer's boxed usage errors become one line."""
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-c", "from provergame.cli import main; main()", *args],
                         capture_output=True, text=True, timeout=120)
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    assert run.returncode == 2 and len(lines) == 1 and needle in lines[0], (run.returncode, lines)
    assert lines[0].startswith("provergame: ")


TIMELINE = GOOD + """
[[mechanism]]
kind = "fee_sharing"
label = "fees"
fees = 1.0
mev = 4.0
sequencers = 4
[timeline]
mechanism = "{mechanism}"
epochs = 5
seeds = {seeds}
"""


@pytest.mark.parametrize("mechanism, seeds, needles", [
    ("fees", "[0]", ("timeline.mechanism 'fees' is a fee_sharing", "sequencers")),
    ("winner_takes_all", "[-1]", ("timeline.seeds", "-1")),
    ("winner_takes_all", "[]", ("timeline.seeds",)),
    ("winner_takes_all", "[" * 20 + "0" + "]" * 20, ("timeline.seeds", "nested")),
    ("winner_takes_all", "[" * 900 + "]" * 900, ("nested",)),
])
def test_a_timeline_the_report_cannot_run_is_refused_before_any_work(tmp_path, mechanism, seeds, needles):
    """Checked when the scenario loads (issue 27 item 5): an incompatible timeline mechanism, negative or no
    seeds, and nesting deep enough to overflow the parser; nothing is written to --out."""
    path = _write(tmp_path, TIMELINE.format(mechanism=mechanism, seeds=seeds))
    out = tmp_path / "out"
    _fails_cleanly(CliRunner().invoke(app, ["report", "--scenario", str(path), "--out", str(out)]), *needles)
    assert not out.exists()

"""The bundled L1 gas history (issue 28, item 3): its rows are a base-fee series (EIP-1559's bounds hold
at every block), epochs read it by the clock, and a timeline pays its gas from it."""
from __future__ import annotations

import csv
from importlib.resources import files

import numpy as np
import pytest

import provergame as pg
from provergame.timeline import Economy, Environment, gas_histories, timeline

NAME = "l1-basefee-2025-01-01"


def rows() -> list[tuple[int, int, float]]:
    """The CSV read with the standard library, not through provergame."""
    text = (files("provergame") / "data" / "l1_basefee_2025-01-01.csv").read_text().splitlines()
    body = list(csv.reader(line for line in text if not line.startswith("#")))
    assert body[0] == ["block", "timestamp", "basefee_gwei"]
    return [(int(b), int(t), float(f)) for b, t, f in body[1:]]


def test_the_history_is_a_base_fee_series_with_its_source():
    """340 consecutive mainnet blocks 12 s apart; each base fee is within 1/8 of its parent's (EIP-1559:
    base_fee * (1 +- (gas_used - target) / target / 8), rounded here to 1e-6 gwei); the source is cited."""
    data = rows()
    blocks, stamps, fee = (np.array(c) for c in zip(*data))
    assert len(data) == 340 and (blocks[0], blocks[-1]) == (21527387, 21527726)
    assert np.all(np.diff(blocks) == 1) and np.all(np.diff(stamps) == 12)
    step = fee[1:] / fee[:-1]
    slack = 1e-6 / fee[:-1] + 1e-6 / fee[1:]
    assert np.all(step >= 0.875 - slack) and np.all(step <= 1.125 + slack)
    assert 3.8 < fee.min() < fee.max() < 11.9
    assert "OilerNetwork/pitchlake_cron" in gas_histories()[NAME] and "d320d114" in gas_histories()[NAME]


@pytest.mark.parametrize("epoch_seconds", [12.0, 36.0, 30.0, 100.0])
def test_epochs_read_the_last_block_at_their_start(epoch_seconds):
    """Epoch e pays the fee of block floor(e * epoch_seconds / 12) (blocks are 12 s apart), by hand."""
    fee = [f for _, _, f in rows()]
    epochs = int(339 * 12 // epoch_seconds) + 1
    env = Environment.history(epochs, epoch_seconds, token_price=4.0, demand=3)
    assert env.gas_price.tolist() == [fee[int(e * epoch_seconds // 12)] for e in range(epochs)]
    with pytest.raises(pg.InvalidParameter, match=f"at most {epochs} epochs"):
        Environment.history(epochs + 1, epoch_seconds)
    with pytest.raises(pg.InvalidParameter, match="series"):
        Environment.history(3, epoch_seconds, series="l1-basefee-1999")


def test_a_timeline_pays_the_recorded_gas():
    """Three provers of a stake VRF, each unit proven by its one assignee: every epoch's gas is its
    proofs times the recorded fee * 1e-9 * 800,000 gas / 4 ETH per token, and tokens are conserved."""
    fee = [f for _, _, f in rows()]
    pop = pg.Population.from_arrays(cost=[0.001] * 3, rate=[1.0] * 3, stake=[10.0] * 3)
    env = Environment.history(40, 36.0, token_price=4.0, demand=5)
    tl = timeline(lambda p: pg.games.StakeVRF(0.05, p), pop, env, seeds=[0],
                  economy=Economy(gas_per_submission=800_000, bond=1.0, initial_balance=10.0))
    paid = np.array([fee[3 * e] * 1e-9 * 800_000 / 4.0 for e in range(40)])
    spent = np.diff(tl.ledger["gas"].to_numpy(), prepend=0.0)              # the ledger is cumulative
    np.testing.assert_allclose(spent, tl.kpis["proven"].to_numpy() * paid, rtol=1e-9)
    assert tl.kpis["proven"].sum() == 200 and tl.conservation() <= 1e-9


def test_a_scenario_sets_the_history():
    from provergame.scenario import TimelineSpec
    spec = TimelineSpec(mechanism="x", epochs=50, environment={"preset": "history", "epoch_seconds": 36.0,
                                                               "token_price": 4.0})
    env = spec.environment_series()
    assert env.epochs == 50 and env.gas_price[1] == rows()[3][2]

"""pg.timeline (issue 15): the network over epochs, checked against conservation, by-hand ledgers
and the difference the behavioural rule makes."""
from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import provergame as pg
from provergame.timeline import Economy, Environment, Rebuild, timeline
from stepped import stretched_and_stepped

POP = pg.Population.from_arrays(cost=[0.001, 0.002, 0.003, 0.004], rate=[1.0, 1.5, 0.8, 1.2],
                                stake=[1.0, 2.0, 3.0, 4.0], reliability=0.99)
REWARD = 32 / (7152 / 12) * 0.30


def vrf(pop):
    return pg.games.StakeVRF(REWARD, pop)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["equilibrium", "best-response", "myopic-reward"]), st.floats(0.0, 20.0),
       st.floats(0.5, 8.0), st.floats(0.0, 0.5), st.floats(0.0, 2.0), st.sampled_from(["race", "prune"]),
       st.integers(0, 3), st.integers(0, 1000), st.sampled_from([0.0, 0.5, 1.0]), st.sampled_from(["self", "assigned", "quotes"]),
       st.sampled_from([0.0, 0.2]), st.sampled_from([0.0, 0.3]), st.sampled_from([0.0, 0.25]))
def test_tokens_are_conserved_every_epoch(rule, bond, token_price, entry_rate, capex, fallback, delay, seed, reinvest,
                                          commitment, offline, censorship, failure):
    """initial + minted = held + opex + gas + burned + capex + withdrawn, whatever happens (the
    sequencers' account included)."""
    env = Environment.shock(40, gas=50, start=10, size=150, length=10, token_price=token_price, demand=6)
    eco = Economy(gas_per_submission=781_000, bond=bond, initial_balance=bond + 0.05, capex=capex,
                  entry_rate=entry_rate, entry_delay=delay, exit_after=3, fallback=fallback,
                  fallback_reward=2 * REWARD, sequencer_reward=2.3 * REWARD, gas_per_proposal=100_000,
                  reinvest=reinvest, commitment=commitment, sequencer_offline=offline, censorship=censorship,
                  sequencer_failure=failure, sequencer_slash=0.01, sequencer_funds=0.05)
    tl = timeline(vrf, POP, env, seeds=[seed], rule=rule, economy=eco)
    scale = max(1.0, float(tl.ledger["initial"].max()))
    assert tl.conservation() <= 1e-9 * scale
    k = tl.kpis
    assert np.all(k["proven"] + k["fallback_proven"] + k["pruned"] + k["missed_slots"] == k["demand"])
    assert np.all((k["on_time"] <= k["proven"]) & (k["on_time_liveness"] >= 0) & (k["on_time_liveness"] <= 1))


def test_minted_rewards_are_the_rewards_of_the_proofs_landed():
    """By hand: StakeVRF pays the reward once per unit proved, the fallback race its own reward."""
    env = Environment.shock(30, gas=50, start=10, size=150, length=10, token_price=4.0, demand=5)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="race", fallback_reward=1.0)
    tl = timeline(vrf, POP, env, seeds=[3], economy=eco)
    k = tl.kpis
    np.testing.assert_allclose(k["minted"], k["proven"] * REWARD + k["fallback_proven"] * 1.0, rtol=1e-12)


def test_reinvested_profit_becomes_stake():
    """Reinvesting all of every epoch's profit (stake-weighted VRF, reliability 1, no bond): the balances
    stay at their start while the stake grows by exactly the profit the run without reinvestment
    banks (a drawn prover's epoch profit is never negative: no bond, no failure, only the assignee pays), to
    rounding; the run without reinvestment keeps its stake."""
    env = Environment.steady(200, gas=50, token_price=4.0, demand=10)
    pop = POP.replace(stake=0.01, reliability=1.0)
    make = lambda p: pg.games.IdentityVRF(REWARD, p)          # noqa: E731
    kept = timeline(make, pop, env, seeds=[4], economy=Economy(gas_per_submission=781_000, bond=0.0, fallback="prune"))
    grown = timeline(make, pop, env, seeds=[4], economy=Economy(gas_per_submission=781_000, bond=0.0,
                                                                fallback="prune", reinvest=1.0))
    np.testing.assert_allclose(grown.kpis["stake_total"], 0.04 + grown.ledger["restaked"], rtol=1e-12)
    np.testing.assert_allclose(grown.balances["balance"], 100.0, rtol=1e-12)
    np.testing.assert_allclose(grown.ledger["restaked"], grown.kpis["prover_profit"].cumsum(), rtol=1e-9)
    assert grown.ledger["restaked"].iloc[-1] > 0.5 * (kept.kpis["balance_total"].iloc[-1] - 400.0) > 0
    assert grown.conservation() <= 1e-12 and kept.kpis["stake_total"].eq(0.04).all()
    with pytest.raises(pg.InvalidParameter, match="reinvest"):
        Economy(reinvest=0.5, stake_is_balance=True)
    with pytest.raises(pg.InvalidParameter, match="reinvest"):
        Economy(reinvest=1.5)


def test_sequencer_profit_and_loss_by_hand():
    """Fernet's split (aztec-gddt): 69% of the block reward to the sequencer, paid for each unit proven
    (fallback included), against 100k gas to propose every unit, proven or not."""
    env = Environment.shock(40, gas=50, start=10, size=150, length=10, token_price=4.0, demand=6)
    seq_reward = 32 / (7152 / 12) * 0.69
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune", sequencer_reward=seq_reward,
                  gas_per_proposal=100_000)
    k = timeline(vrf, POP, env, seeds=[2], rule="myopic-reward", economy=eco).kpis
    gas_price = np.where((k["epoch"] >= 10) & (k["epoch"] < 20), 200.0, 50.0)
    np.testing.assert_allclose(k["sequencer_revenue"], seq_reward * (k["proven"] + k["fallback_proven"]), rtol=1e-12)
    np.testing.assert_allclose(k["sequencer_gas"], 6 * gas_price * 1e-9 * 100_000 / 4.0, rtol=1e-12)
    np.testing.assert_allclose(k["sequencer_profit"], k["sequencer_revenue"] - k["sequencer_gas"], rtol=1e-12)
    assert k.loc[12, "proven"] == 0 and k.loc[12, "sequencer_profit"] < 0     # the shock: proposals, no proofs


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 6), st.floats(0.0, 0.05), st.sampled_from([0.0, 0.3]), st.booleans(), st.integers(0, 1000),
       st.sampled_from([0.0, 0.2]))
def test_each_sequencer_s_account_adds_up_to_the_sequencers_books(sequencers, funds, offline, need_funds, seed, failure):
    """The per-sequencer balances, summed, follow the sequencers' KPI columns epoch by epoch (their funds
    plus cumulative revenue less cumulative proposal gas and slashes), and the ledger still balances to 1e-9."""
    env = Environment.shock(30, gas=50, start=10, size=150, length=10, token_price=4.0, demand=7)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="race", fallback_reward=REWARD,
                  sequencer_reward=REWARD * 2.3, gas_per_proposal=100_000, sequencers=sequencers,
                  sequencer_funds=funds, sequencers_need_funds=need_funds, sequencer_offline=offline,
                  sequencer_failure=failure, sequencer_slash=0.004)
    tl = timeline(vrf, POP, env, seeds=[seed], economy=eco)
    k, s = tl.kpis, tl.sequencers
    assert len(s) == 30 * sequencers
    summed = s.groupby("epoch")["balance"].sum().to_numpy()
    by_hand = sequencers * funds + np.cumsum(k["sequencer_revenue"] - k["sequencer_gas"]
                                             - k["sequencer_slashed"]).to_numpy()
    np.testing.assert_allclose(k["sequencer_profit"], k["sequencer_revenue"] - k["sequencer_gas"]
                               - k["sequencer_slashed"], atol=1e-15)
    np.testing.assert_allclose(summed, by_hand, atol=1e-12)
    np.testing.assert_allclose(s.groupby("epoch")["balance"].min().to_numpy(), k["sequencer_balance_min"], atol=0)
    assert tl.conservation() < 1e-9
    if need_funds:                  # nobody proposes what it cannot pay for: no account goes below zero
        assert s["balance"].min() >= -1e-12


def test_sequencers_who_cannot_pay_the_proposal_gas_miss_their_slots():
    """Funds for exactly three proposals each at 50 gwei and no reward: every sequencer proposes three units
    and then misses every slot it draws; four sequencers propose 12 units in all (by hand: 3 x 4)."""
    env = Environment.steady(20, gas=50.0, token_price=4.0, demand=5)
    per_proposal = 50 * 1e-9 * 100_000 / 4.0
    eco = Economy(gas_per_submission=781_000, gas_per_proposal=100_000, sequencers=4,
                  sequencer_funds=3 * per_proposal * (1 + 1e-9), sequencers_need_funds=True)
    tl = timeline(vrf, POP, env, seeds=[1], economy=eco)
    assert int((tl.kpis["demand"] - tl.kpis["missed_slots"]).sum()) == 12
    final = tl.sequencers[tl.sequencers.epoch == 19]["balance"].to_numpy()
    np.testing.assert_allclose(final, 3 * per_proposal * 1e-9, atol=1e-15)


def test_slots_spread_evenly_over_sequencers():
    """Uniform proposers: over 400 epochs x 10 units each of 5 sequencers pays gas for about a fifth of the
    units (within 5 binomial standard deviations)."""
    env = Environment.steady(400, gas=50.0, token_price=4.0, demand=10)
    per_proposal = 50 * 1e-9 * 100_000 / 4.0
    eco = Economy(gas_per_submission=781_000, gas_per_proposal=100_000, sequencers=5)
    s = timeline(vrf, POP, env, seeds=[3], economy=eco).sequencers
    proposed = -s[s.epoch == 399]["balance"].to_numpy() / per_proposal        # no reward: gas alone
    units, p = 4000, 0.2
    assert proposed.sum() == pytest.approx(units)
    assert np.all(np.abs(proposed - units * p) < 5 * np.sqrt(units * p * (1 - p)))


def test_myopic_rule_forfeits_bonds_the_rational_rule_keeps():
    """A gas shock after the provers committed: the behavioural rule reneges and loses its bond; the
    rational one proves through the first shock epoch (the bond is worth far more than the gas)."""
    env = Environment.shock(60, gas=50, start=20, size=150, length=20, token_price=4.0, demand=10)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune")
    rational = timeline(vrf, POP, env, seeds=[1], rule="equilibrium", economy=eco).kpis
    myopic = timeline(vrf, POP, env, seeds=[1], rule="myopic-reward", economy=eco).kpis
    gas_then, gas_now = 50e-9 * 781_000 / 4.0, 200e-9 * 781_000 / 4.0
    assert gas_then < REWARD * 0.99 - 0.004 and gas_now > REWARD          # profitable before, not during
    assert rational.loc[20, "proven"] == 10 and rational.loc[20, "bonds_forfeited"] == 0
    assert myopic.loc[20, "proven"] == 0 and myopic.loc[20, "bonds_forfeited"] >= 1
    assert rational["balance_total"].iloc[-1] > myopic["balance_total"].iloc[-1] + 15.0
    assert rational.loc[25, "proven"] == 0                                  # nobody commits at a known loss


def test_runs_are_reproducible_by_seed_and_differ_across_seeds():
    env = Environment.sinusoidal(50, gas=50, amplitude=30, period=10, token_price=4.0, demand=8)
    eco = Economy(gas_per_submission=781_000, entry_rate=0.2, capex=0.01, fallback_reward=0.05)
    a = timeline(vrf, POP.replace(reliability=0.7), env, seeds=[5, 6], economy=eco)
    b = timeline(vrf, POP.replace(reliability=0.7), env, seeds=[5, 6], economy=eco)
    assert a.kpis.equals(b.kpis) and a.balances.equals(b.balances)
    s5, s6 = (a.kpis[a.kpis.seed == s]["proven"].to_numpy() for s in (5, 6))
    assert not np.array_equal(s5, s6)


PROVER_KINDS = [k for k, c in pg.games.registered().items() if c.traits.players_field == "provers"]


@pytest.mark.parametrize("kind", PROVER_KINDS)
def test_every_prover_mechanism_runs_over_epochs(kind):
    game = pg.games.registered()[kind].example()
    env = Environment.steady(6, gas=0.0, token_price=1.0, demand=3)
    tl = timeline(Rebuild(game), game.provers, env, seeds=[0], economy=Economy(initial_balance=10.0))
    assert len(tl.kpis) == 6 and tl.conservation() <= 1e-9 * 100


def test_sequencer_side_games_and_bad_rules_are_refused():
    with pytest.raises(pg.InvalidParameter, match="players are the provers"):
        timeline(Rebuild(pg.games.ScrollAuction.example()), pg.games.example_provers(4), Environment.steady(3))
    with pytest.raises(pg.InvalidParameter, match="rule"):
        timeline(vrf, POP, Environment.steady(3), rule="greedy")
    with pytest.raises(pg.InvalidParameter, match="gas_price"):
        Environment(np.array([1.0, np.nan]), 1.0, 1)
    with pytest.raises(pg.InvalidParameter, match="fallback"):
        Economy(fallback="retry")
    with pytest.raises(pg.InvalidParameter, match="myopic"):
        timeline(Rebuild(pg.games.SpeedRace.example()), pg.games.example_provers(4), Environment.steady(3),
                 rule="myopic-reward")


def test_staking_the_balance_lets_slashes_evict_from_the_pool():
    """stake_is_balance: the stake each epoch is the balance, so the unreliable prover, seated first by
    its larger stake, is slashed down below the others and evicted; the prover it kept out gets in."""
    pop = pg.Population.from_arrays(cost=[0.3, 0.3, 0.3, 0.3], rate=1.0, stake=[10.0, 10.0, 10.0, 20.0],
                                    reliability=[1.0, 1.0, 1.0, 0.9])
    game = pg.games.TaikoProverPool(1.0, 1.0, pop, pool_size=3, max_capacity=1)
    assert list(game.seated()) == [True, True, False, True]
    eco = Economy(gas_per_submission=0.0, stake_is_balance=True, fallback="prune")
    tl = timeline(Rebuild(game), pop, Environment.steady(60, gas=0.0, demand=20), seeds=[0],
                  rule="best-response", economy=eco)
    assert tl.kpis["seats"].max() <= 3 and tl.conservation() <= 1e-9
    b = tl.balances.pivot(index="epoch", columns="prover", values="balance")
    assert b["p3"].iloc[-1] < 20.0 and b["p3"].iloc[-1] == b.iloc[-1].min()
    assert b["p3"].iloc[-1] == b["p3"].iloc[-10]             # evicted: neither paid nor slashed any more
    assert b["p2"].iloc[-1] > 10.0 * 5                        # the prover it kept out is in the pool


def test_best_response_rule_starts_inside_every_game_strategy_box():
    """Continuous games whose strategies exclude 1 still learn from a valid first profile."""
    game = pg.games.TaikoProverPool.example(5)
    pop = game.provers
    eco = Economy(gas_per_submission=0.0, fallback="prune")
    tl = timeline(Rebuild(pg.games.TaikoProverPool(4.0, 1.0, pop, pool_size=3)), pop,
                  Environment.steady(4, gas=0.0, demand=5), rule="best-response", economy=eco)
    assert len(tl.kpis) == 4


def test_scenario_timeline_tables_are_checked(tmp_path):
    from provergame.scenario import load_scenario
    text = (Path(__file__).parent.parent / "scenarios" / "aztec-fernet-timeline.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("bond = 16.0", "bonds = 16.0"))
    with pytest.raises(pg.InvalidParameter, match="bonds"):
        load_scenario(bad)
    bad.write_text(text.replace('mechanism = "fernet_prover"', 'mechanism = "nope"'))
    with pytest.raises(pg.InvalidParameter, match="nope"):
        load_scenario(bad)


def test_worn_hardware_is_bought_again_only_when_it_paid_for_itself():
    """lifetime 10, capex 0.05: the cheap prover earns more than 0.05 a life and re-buys (capex counted
    by hand); a prover whose proofs never pay leaves at the end of its hardware's life."""
    pop = pg.Population.from_arrays(cost=[0.001, 5.0], rate=1.0, stake=[1.0, 1.0], reliability=1.0)
    eco = Economy(gas_per_submission=0.0, capex=0.05, lifetime=10, fallback="prune")
    tl = timeline(lambda p: pg.games.StakeVRF(0.5, p), pop, Environment.steady(35, gas=0.0, demand=4),
                  seeds=[0], economy=eco)
    assert tl.conservation() <= 1e-9
    ledger = tl.ledger.iloc[-1]
    assert ledger["capex"] == pytest.approx(3 * 0.05)          # re-bought after epochs 10, 20 and 30
    alive = tl.kpis["alive_provers"].to_numpy()
    assert alive[8] == 2 and alive[9] == 1 and alive[-1] == 1  # the loss-maker leaves with its hardware


def test_reward_booster_scores_carry_across_epochs():
    """Aztec's multi-proof epochs: a newcomer that proves every epoch climbs by increment - decay an
    epoch from 0 (iterated here by hand); once off the shares floor (about 477 epochs with the deployed
    constants) its share of the rewards rises with its score."""
    pop = pg.Population.from_arrays(cost=[0.1, 0.1, 0.1], rate=1.0, reliability=1.0)
    game = pg.games.AztecMultiProof(10.0, None, pop, scores=[15e6, 15e6, 0.0])
    tl = timeline(Rebuild(game), pop, Environment.steady(600, gas=0.0, demand=1), seeds=[0],
                  economy=Economy(gas_per_submission=0.0, fallback="prune"))
    b = game.booster
    score, path = 0.0, []
    for _ in range(600):
        score = min(max(score - b.decay, 0.0) + b.increment, b.max_score)
        path.append(score)
    mean = tl.kpis["booster_score_mean"].to_numpy()
    np.testing.assert_allclose(mean, (2 * 15e6 + np.array(path)) / 3, rtol=1e-12)   # veterans stay at the cap
    gains = tl.balances.pivot(index="epoch", columns="prover", values="balance").diff()["p2"].to_numpy()[1:]
    assert gains[-1] > gains[0] > 0


def test_rebuilt_games_take_per_prover_defaults_from_the_new_provers():
    """A per-prover parameter that was the old provers' own column (proving cost = cost) follows the
    epoch's provers, so the gas added to their cost reaches it; one set explicitly is kept."""
    pop = pg.Population.from_arrays(cost=[0.1, 0.2, 0.3])
    default = Rebuild(pg.games.AztecMultiProof(10.0, None, pop))(pop.replace(cost=pop.cost + 1.0))
    np.testing.assert_allclose(default.proving_cost, [1.1, 1.2, 1.3])
    explicit = Rebuild(pg.games.AztecMultiProof(10.0, [0.5, 0.5, 0.5], pop))(pop.replace(cost=pop.cost + 1.0))
    np.testing.assert_allclose(explicit.proving_cost, [0.5, 0.5, 0.5])


def stake_vrf_at(pop, reward):
    """A picklable factory for grids run on processes."""
    return pg.games.StakeVRF(reward, pop)


def test_timeline_grid_rows_are_the_runs_themselves_and_resume(tmp_path):
    """Every (point, seed) row equals a direct pg.timeline run summarised; processes give the same
    rows; a rerun with the same store computes nothing again (a factory that would fail proves it)."""
    from provergame.timeline import summarise, timeline_grid
    env = Environment.shock(30, gas=50, start=10, size=150, length=10, token_price=4.0, demand=5)
    eco = Economy(gas_per_submission=781_000, fallback="prune")
    grid = {"reward": [REWARD, 2 * REWARD], "bond": [0.0, 16.0]}
    store = tmp_path / "grid.sqlite"
    serial = timeline_grid(stake_vrf_at, grid, POP, env, seeds=[0, 1], economy=eco, store=str(store))
    assert len(serial) == 8 and list(serial.columns[:4]) == ["reward", "bond", "seed", "rule"]
    row = serial[(serial.reward == 2 * REWARD) & (serial.bond == 16.0) & (serial.seed == 1)].iloc[0]
    direct = timeline(lambda p: pg.games.StakeVRF(2 * REWARD, p), POP, env, seeds=[1],
                      economy=Economy(gas_per_submission=781_000, fallback="prune", bond=16.0))
    for name, value in summarise(direct.kpis, direct.ledger).items():
        assert row[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
    parallel = timeline_grid(stake_vrf_at, grid, POP, env, seeds=[0, 1], economy=eco, executor="processes", workers=2)
    pd_cols = [c for c in serial.columns if c != "rule"]
    np.testing.assert_array_equal(serial[pd_cols].to_numpy(float), parallel[pd_cols].to_numpy(float))

    def refuses_to_rerun(pop, reward):
        if pop is not POP:
            raise AssertionError("a stored point was computed again")
        return pg.games.StakeVRF(reward, pop)
    again = timeline_grid(refuses_to_rerun, grid, POP, env, seeds=[0, 1], economy=eco, store=str(store))
    np.testing.assert_allclose(again[pd_cols].to_numpy(float), serial[pd_cols].to_numpy(float), rtol=1e-12)
    with pytest.raises(pg.InvalidParameter, match="make_game"):
        timeline_grid(lambda pop, **kw: pg.games.FeeSharing.example(), {"bond": [1.0]}, POP, env)


def test_newcomers_beyond_the_games_limit_queue_instead_of_aborting():
    """NilMarket allows 30 players: entrants arriving past that wait (queued_entrants) and join as
    others leave; the run goes on, tokens conserved."""
    g = pg.games.NilMarket.example(6)
    tl = timeline(Rebuild(g), g.provers, Environment.steady(60, gas=1.0, demand=2), seeds=[0],
                  economy=Economy(gas_per_submission=0.0, entry_rate=2.0))
    k = tl.kpis
    assert k["alive_provers"].max() == g.traits.max_provers and k["queued_entrants"].iloc[-1] > 0
    assert np.all(k["alive_provers"] + 0 <= g.traits.max_provers) and tl.conservation() < 1e-9


def test_an_epoch_without_a_valid_game_goes_unproven_with_its_reason():
    """A gas shock makes TaikoProverPool's fee invalid: those epochs prove nothing in-protocol (the
    fallback race covers them), their reason is in the KPIs, and the run finishes."""
    g = pg.games.TaikoProverPool.example(5)
    env = Environment.shock(30, gas=50, start=10, size=1e6, length=5, token_price=4.0, demand=2)
    tl = timeline(Rebuild(g), g.provers, env, seeds=[0], economy=Economy(gas_per_submission=781_000))
    k = tl.kpis
    refused = k["refusal"] != ""
    assert refused.sum() >= 5 and set(k.loc[refused, "epoch"]) <= set(range(10, 16))
    assert k.loc[refused, "refusal"].str.contains("fee_per_gas").all()
    assert (k.loc[refused, "proven"] == 0).all() and (k.loc[~refused, "refusal"] == "").all()
    assert tl.conservation() < 1e-9


def test_killed_timeline_grid_resumes_without_loss_duplication_or_torn_rows(tmp_path):
    """kill -9 a grid run at three moments, each after more rows are committed; every reopening finds only
    whole rows, and the last rerun completes the grid with the same rows as an uninterrupted one."""
    import json
    import signal
    import sqlite3
    import subprocess
    import sys
    import textwrap
    import time

    from provergame.timeline import timeline_grid
    store = tmp_path / "grid.sqlite"
    env_args = "Environment.steady(300, gas=50, token_price=4.0, demand=5)"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import provergame as pg
        from provergame.timeline import Economy, Environment, timeline_grid
        from sweep_target import vrf_at
        from test_timeline import POP
        timeline_grid(vrf_at, {{"reward": [0.01 * k for k in range(1, 9)], "bond": [0.0, 16.0]}}, POP, {env_args},
                      seeds=[0, 1], economy=Economy(gas_per_submission=781_000, fallback="prune"),
                      store={str(store)!r}, progress=False)
    """)
    counts = []
    for wanted in (2, 8, 20):
        proc = subprocess.Popen([sys.executable, "-c", script])
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
            try:
                if store.exists() and sqlite3.connect(store).execute("SELECT COUNT(*) FROM points").fetchone()[0] >= wanted:
                    break
            except sqlite3.OperationalError:
                continue
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        rows = sqlite3.connect(store).execute("SELECT row FROM points").fetchall()
        assert all(json.loads(r[0])["seed"] in (0, 1) for r in rows)      # each row whole
        counts.append(len(rows))
    assert counts == sorted(counts) and counts[0] >= 2
    grid = {"reward": [0.01 * k for k in range(1, 9)], "bond": [0.0, 16.0]}
    eco = Economy(gas_per_submission=781_000, fallback="prune")
    env = Environment.steady(300, gas=50, token_price=4.0, demand=5)
    from sweep_target import vrf_at
    resumed = timeline_grid(vrf_at, grid, POP, env, seeds=[0, 1], economy=eco, store=str(store), progress=False)
    keys = sqlite3.connect(store).execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM points").fetchone()
    assert keys == (32, 32) and len(resumed) == 32
    fresh = timeline_grid(vrf_at, grid, POP, env, seeds=[0, 1], economy=eco, progress=False)
    cols = [c for c in fresh.columns if c != "rule"]
    np.testing.assert_allclose(resumed[cols].to_numpy(float), fresh[cols].to_numpy(float), rtol=0, atol=0)
    with pytest.raises(pg.InvalidParameter, match="store"):            # another grid's store is refused
        timeline_grid(vrf_at, grid, POP, Environment.steady(300, gas=60, token_price=4.0, demand=5), seeds=[0, 1],
                      economy=eco, store=str(store), progress=False)


def test_a_timeline_with_seeds_on_processes_is_bit_identical_to_serial():
    env = Environment.shock(30, gas=50, start=10, size=150, length=10, token_price=4.0, demand=5)
    eco = Economy(gas_per_submission=781_000, fallback="prune", bond=16.0)
    make = partial(stake_vrf_at, reward=2 * REWARD)
    serial = timeline(make, POP, env, seeds=[0, 1, 2], economy=eco)
    parallel = timeline(make, POP, env, seeds=[0, 1, 2], economy=eco, executor="processes", workers=2)
    pd.testing.assert_frame_equal(serial.kpis, parallel.kpis, check_exact=True)
    pd.testing.assert_frame_equal(serial.ledger, parallel.ledger, check_exact=True)


@pytest.mark.parametrize("rule", ["equilibrium", "best-response", "myopic-reward"])
@pytest.mark.parametrize("commitment", ["self", "assigned", "quotes"])
def test_seeds_run_together_give_what_each_gives_alone(rule, commitment):
    """Seeds of one call share their epoch games, equilibria, plans and fallback races (timeline._Shared);
    each seed's frames are bit for bit what a call with that seed alone gives, balances included."""
    env = Environment.shock(40, gas=50, start=10, size=150, length=10, token_price=4.0, demand=5)
    eco = Economy(gas_per_submission=781_000, fallback="race", fallback_reward=2 * REWARD, bond=16.0,
                  commitment=commitment, exit_after=3, initial_balance=20.0)
    together = timeline(vrf, POP, env, seeds=[0, 1, 2], rule=rule, economy=eco)
    for seed in (0, 1, 2):
        alone = timeline(vrf, POP, env, seeds=[seed], rule=rule, economy=eco)
        for name in ("kpis", "ledger", "balances", "sequencers"):
            frame = getattr(together, name)
            part = frame[frame.seed == seed].reset_index(drop=True)
            pd.testing.assert_frame_equal(part, getattr(alone, name), check_exact=True)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["stake_vrf", "lottery_reward"]), st.lists(st.integers(1, 40), min_size=1, max_size=6),
       st.integers(0, 10_000))
def test_rounds_played_ahead_are_one_play_split_by_epoch(kind, units, seed):
    """The timeline plays a steady stretch's rounds ahead in one call (timeline._Ahead): the epochs' shares,
    taken in turn, add up to what `game.play` gives for those rounds in one call with the same stream
    (per-prover reward, cost, attempts; accepted and on-time rounds), for the sparse (VRF) and the dense
    (lottery) outcome forms; a new plan key parks the rounds not handed out, and the old key takes them
    up where it left off (rounds `sum(units)` onwards of the same batch)."""
    from provergame.timeline import _Ahead
    game = pg.games.StakeVRF(REWARD, POP) if kind == "stake_vrf" else pg.games.LotteryReward(REWARD, POP)
    profile = np.full(game.n, 0.7) if kind == "lottery_reward" else np.ones(game.n)
    ahead, rng = _Ahead(first=256), np.random.default_rng(seed)
    taken = [ahead.take(b"plan", game, profile, rng, u, 1.0) for u in units]
    one = np.random.default_rng(seed)
    out = game.play(profile, one, 256)      # every epoch comes from the first batch (at most 240 rounds)
    dense = out.dense()
    rows = slice(0, sum(units))
    np.testing.assert_allclose(sum(t[0] for t in taken), dense.reward[rows].sum(0), atol=1e-12)
    np.testing.assert_allclose(sum(t[1] for t in taken), dense.cost[rows].sum(0), atol=1e-12)
    np.testing.assert_allclose(sum(t[2] for t in taken), dense.attempted[rows].sum(0), atol=1e-12)
    assert sum(t[3] for t in taken) == int(out.accepted[rows].sum())
    assert sum(t[4] for t in taken) == int(np.sum(out.on_time(1.0)[rows] >= 1))
    assert all(t[3] >= t[4] >= 0 and t[3] <= u for t, u in zip(taken, units))
    ahead.take(b"other plan", game, profile, rng, 1, 1.0)
    assert ahead.cursor == 1 and ahead.rounds == 256
    back = ahead.take(b"plan", game, profile, rng, 5, 1.0)
    assert ahead.cursor == sum(units) + 5 and ahead.rounds == 256
    np.testing.assert_allclose(back[0], dense.reward[sum(units):sum(units) + 5].sum(0), atol=1e-12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 1000), rho=st.floats(0.6, 1.0), slash=st.sampled_from([0.0, 0.02, 0.1]),
       exit_after=st.integers(1, 6), demand=st.integers(1, 12),
       shock=st.sampled_from(["steady", "shock", "cycle", "walk", "history"]),
       rule=st.sampled_from(["equilibrium", "myopic-reward", "best-response"]), start=st.sampled_from([20.0, 60.0]),
       offline=st.sampled_from([0.0, 0.05, 0.5]), censorship=st.sampled_from([0.0, 0.01, 0.3, 1.0]),
       lottery=st.booleans(), failure=st.sampled_from([0.0, 0.02, 0.3]), funds=st.sampled_from([0.0, 0.05, 5]),
       need_funds=st.booleans(), sequencers=st.sampled_from([1, 3, 8]), race=st.sampled_from([0.0, 0.01, 0.05]),
       commitment=st.sampled_from(["self", "assigned", "quotes"]), deadline=st.sampled_from([np.inf, 0.05]), entry=st.sampled_from([0.0, 0.05, 0.3]),
       delay=st.sampled_from([0, 3]), first=st.sampled_from([64, 4]), room=st.sampled_from([128, 3]),
       capex=st.sampled_from([0.0, 0.0, 0.05, 5.0]))
def test_a_stretch_books_what_epoch_by_epoch_steps_book(monkeypatch, seed, rho, slash, exit_after, shock, demand, rule,
                                                        start, offline, censorship, lottery, failure, funds, need_funds,
                                                        sequencers, race, commitment, deadline, entry, delay, first, room,
                                                        capex):
    """A quiet run (self-committed, no entry, no hardware, no sequencer failures) books steady stretches of
    epochs at once (timeline._Run.stretch); forcing the epoch-by-epoch step instead gives the same KPI rows
    and balances, float for float, and the same ledger to 1e-12 (its compute cost is one dot product per
    stretch rather than per epoch). Slashes drain balances across the bond and idle provers exit
    mid-run, so stretches end where the books change; the gas may move every epoch (a cycle, a random walk
    over five prices, a recorded history), each epoch's plan served from its own buffer of rounds, parked
    and taken up as the step does (buffers of 4 or 64 rounds at first, 3 or 128 plans parked: a stretch
    stops before a second refill or a park past the room); offline slots, failed units and censored
    commitments (per-unit draws indexed by epoch) vary the units played from epoch to epoch, up to none; one
    sequencer or several (each unit's and each landed unit's drawn per unit); a sequencer with little
    balance has its slashes capped, or (needing funds) its proposals, mid-stretch; a paid fallback race
    (its own buffer and stream) pays provers below the bond too, up to lifting them over it; the sequencer
    may assign the units (per-unit draws where all deliver; a proof deadline forfeits late proofs' bonds), or
    the epoch's cheapest quote wins them (its proofs' validity and readiness per-unit draws, its bond
    forfeited where it reneges or a proof is late, the reward's rest to the sequencers);
    newcomers arrive (a stretch ends before each arrival and waits for them to join); hardware with a life of
    25 epochs is renewed where it paid for itself (capex 0.05) or its prover leaves (capex 5), a stretch
    ending before each epoch that ends a life."""
    import importlib
    tl_module = importlib.import_module("provergame.timeline")
    pop = POP.replace(reliability=rho)
    env = {"shock": lambda: Environment.shock(120, gas=50, start=40, size=30, length=20, token_price=4.0, demand=demand),
           "cycle": lambda: Environment.sinusoidal(120, gas=50, amplitude=20, period=7, token_price=4.0, demand=demand),
           "steady": lambda: Environment.steady(120, gas=50, token_price=4.0, demand=demand),
           "walk": lambda: Environment(np.random.default_rng(seed).choice([40.0, 45.0, 50.0, 55.0, 60.0], 120), 4.0,
                                       demand),
           "history": lambda: Environment.history(120, epoch_seconds=12.0, token_price=4.0, demand=demand)}[shock]()
    eco = Economy(gas_per_submission=781_000, bond=16.0, initial_balance=start, exit_after=exit_after,
                  fallback="race" if race else "prune", fallback_reward=race, fallback_deadline=0.5 if race else np.inf,
                  sequencer_reward=0.037, gas_per_proposal=100_000, gas_per_verification=50_000,
                  sequencer_offline=offline, censorship=censorship, sequencer_failure=failure,
                  sequencer_slash=0.01, sequencer_funds=funds, sequencers_need_funds=need_funds,
                  sequencers=sequencers, commitment=commitment, proof_deadline=deadline,
                  entry_rate=entry, entry_delay=delay, capex=capex, lifetime=25)
    make = (lambda p: pg.games.LotteryReward(REWARD, p)) if lottery else \
        (lambda p: pg.games.StakeVRF(REWARD, p, slash=slash))                           # dense and sparse outcomes
    booked = []
    stretch, quiet = tl_module._Run.stretch, tl_module._Run.quiet
    with monkeypatch.context() as m:
        m.setattr(tl_module._Ahead.__init__, "__defaults__", (first, 1 << 16, room))
        m.setattr(tl_module._Run, "stretch", lambda self, e: booked.append(stretch(self, e)) or booked[-1])
        fast = timeline(make, pop, env, seeds=[seed], rule=rule, economy=eco, progress=False)
    with monkeypatch.context() as m:
        m.setattr(tl_module._Ahead.__init__, "__defaults__", (first, 1 << 16, room))
        m.setattr(tl_module._Run, "quiet", lambda self: False)
        slow = timeline(make, pop, env, seeds=[seed], rule=rule, economy=eco, progress=False)
    assert tl_module._Run.quiet is quiet and tl_module._Ahead.__init__.__defaults__ == (64, 1 << 16, 128)
    capped = (need_funds or failure > 0) and fast.sequencers["balance"].min() < 1.0   # a sequencer short of funds
    idle = (fast.kpis["active_provers"] == 0).mean() > 0.5       # newcomers drained as they come: nobody to stretch
    newcomers = entry > 0.1 or (entry > 0 and idle)            # or a newcomer every few epochs
    moving = rule == "best-response"            # best responses may cycle (a lottery): see the test below
    assert max(booked, default=0) > 1 or fast.kpis["alive_provers"].iloc[-1] == 0 or capped or newcomers or moving
    pd.testing.assert_frame_equal(fast.kpis, slow.kpis, check_exact=True)
    pd.testing.assert_frame_equal(fast.balances, slow.balances, check_exact=True)
    pd.testing.assert_frame_equal(fast.ledger, slow.ledger, check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(fast.sequencers, slow.sequencers, check_exact=True)
    assert fast.conservation() < 1e-9


def test_reneging_provers_are_booked_in_stretches(monkeypatch):
    """Rule "myopic-reward" through a +200 gwei shock: provers committed at epoch 49's gas renege at epoch
    50's (every drawn unit forfeits a bond of 1), then stop committing. A stretch books that epoch with its
    neighbours (its forfeits under the cap the step applies, a balance's bonds), with the step's rows, and
    the 12 bonds are what the step forfeits."""
    env = Environment.shock(200, gas=50, start=50, size=200, length=100, token_price=4.0, demand=3)
    eco = Economy(gas_per_submission=781_000, bond=1.0, initial_balance=100.0, exit_after=3)
    fast, slow, spans = stretched_and_stepped(monkeypatch, vrf, POP, env, 1, "myopic-reward", eco)
    assert any(e < 50 < e + k - 1 for e, k in spans)
    assert slow.kpis["bonds_forfeited"].sum() == slow.kpis.loc[50, "bonds_forfeited"] == 12
    pd.testing.assert_frame_equal(fast.kpis, slow.kpis, check_exact=True)
    pd.testing.assert_frame_equal(fast.balances, slow.balances, check_exact=True)


@pytest.mark.parametrize("commitment, race, funds", [("assigned", 0.0, 5.0), ("self", 0.0, 5.0),
                                                     ("assigned", 0.05, 5.0), ("assigned", 0.0, 0.3),
                                                     ("self", 0.0, 0.3)])
def test_a_drained_network_is_booked_in_stretches(monkeypatch, commitment, race, funds):
    """aztec-gddt's run: a +150 gwei shock with myopic-reward provers who cannot decline (or who committed
    at last epoch's gas) forfeits bonds until no prover holds one. From there nobody works: every unit goes to
    the fallback (pruned, or a paid race among the provers still present), the idle provers exit, and the
    sequencers go on proposing, failing and being slashed (with little funds, until they hold nothing: then
    each slash is capped at 0). Those epochs are booked in stretches, with the rows, balances and sequencer
    books of the epoch-by-epoch step."""
    env = Environment.shock(300, gas=50.0, start=60, size=150.0, length=60, token_price=4.0, demand=10)
    eco = Economy(gas_per_submission=781_000, bond=16.0, initial_balance=40.0, exit_after=20, commitment=commitment,
                  fallback="race" if race else "prune", fallback_reward=race, sequencer_failure=0.05,
                  sequencer_slash=0.01 if funds > 1 else 1.0, sequencer_funds=funds, sequencers=3,
                  sequencer_reward=0.037, gas_per_proposal=100_000)
    fast, slow, booked = stretched_and_stepped(monkeypatch, vrf, POP, env, 2, "myopic-reward", eco)
    drained = int(np.argmax(slow.kpis["active_provers"].to_numpy() == 0))
    assert drained > 60 and (slow.kpis["active_provers"].iloc[drained:] == 0).all()
    assert max(k for e, k in booked if e >= drained) > 50
    assert (slow.sequencers["balance"].min() <= 0) == (funds < 1)
    for frame in ("kpis", "balances", "sequencers"):
        pd.testing.assert_frame_equal(getattr(fast, frame), getattr(slow, frame), check_exact=True)
    pd.testing.assert_frame_equal(fast.ledger, slow.ledger, check_exact=False, rtol=1e-12, atol=1e-12)


def test_best_responses_at_their_fixed_point_are_booked_in_stretches(monkeypatch):
    """Under rule "best-response" each epoch's plan is the best response to the last epoch's profile; once
    that is a fixed point, nothing but balances moves and the run is booked in stretches (StakeVRF at a
    steady gas: all but a few of 300 epochs), with the rows of the epoch-by-epoch step."""
    env = Environment.steady(300, gas=50, token_price=4.0, demand=5)
    eco = Economy(gas_per_submission=781_000, bond=16.0, initial_balance=100.0, sequencer_failure=0.01,
                  sequencer_funds=10.0, sequencers=3)
    fast, slow, booked = stretched_and_stepped(monkeypatch, vrf, POP, env, 3, "best-response", eco)
    assert sum(k for _, k in booked) >= 290 and max(k for _, k in booked) > 100
    pd.testing.assert_frame_equal(fast.kpis, slow.kpis, check_exact=True)
    pd.testing.assert_frame_equal(fast.balances, slow.balances, check_exact=True)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 1000), st.sampled_from([0.0, 0.4]), st.sampled_from([1, 3]))
def test_seeds_are_stacked_as_pandas_would(seed, entry_rate, sequencers):
    """A run over several seeds gives the frames pd.concat gives of the seeds run one by one: values,
    dtypes (the prover column categorical) and index."""
    env = Environment.steady(25, gas=50.0, token_price=1.0, demand=4)
    eco = Economy(entry_rate=entry_rate, exit_after=2, sequencers=sequencers, sequencer_reward=0.01)
    seeds = [seed, seed + 1, seed + 2]
    tl = timeline(vrf, POP, env, seeds=seeds, economy=eco)
    alone = [timeline(vrf, POP, env, seeds=[s], economy=eco) for s in seeds]
    for name in ("kpis", "balances", "ledger", "sequencers"):
        pd.testing.assert_frame_equal(getattr(tl, name), pd.concat([getattr(t, name) for t in alone], ignore_index=True))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), cuts=st.lists(st.integers(1, 700), min_size=1, max_size=8),
       width=st.sampled_from([7, 3000]))
def test_unit_draws_are_the_same_whatever_order_they_are_read_in(seed, cuts, width):
    """timeline._UnitDraws (offline slots, failures, censorship): epochs read one at a time, in stretches of
    any length (across the blocks: 1,024 epochs, or 349 where 3,000 units an epoch keep a block to 8 MB) or
    all at once meet the same draws; kinds and seeds are streams of their own; the draws are uniform on
    [0, 1) (mean within 4 standard errors of 1/2)."""
    import importlib
    draws = importlib.import_module("provergame.timeline")._UnitDraws
    total = sum(cuts)
    assert draws(seed, 1, width).block == (1024 if width == 7 else 349)
    whole = draws(seed, 1, width).rows(0, total)
    one, start, parts = draws(seed, 1, width), 0, []
    for c in cuts:
        parts.append(one.rows(start, start + c))
        start += c
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    stepped = draws(seed, 1, width)
    np.testing.assert_array_equal(np.concatenate([stepped.rows(e, e + 1) for e in range(total)]), whole)
    assert not np.array_equal(draws(seed, 2, width).rows(0, total), whole)
    assert not np.array_equal(draws(seed + 1, 1, width).rows(0, total), whole)
    assert whole.min() >= 0 and whole.max() < 1
    assert abs(whole.mean() - 0.5) < 4 * np.sqrt(1 / 12 / whole.size)


def test_stretched_runs_censor_and_fail_units_at_their_rates():
    """A self-committed run with one sequencer books its epochs in stretches; its censored and failed units
    still come at the stated rates: failures ~ Binomial(proposed, 0.2), censorship ~ Binomial(proposed -
    failed, 0.1), each within 4 standard errors over 4 seeds x 500 epochs x 10 units, and every unit is
    accounted for (proven + pruned + missed = demand, nothing in a fallback that is pruned)."""
    env = Environment.steady(500, gas=50, token_price=4.0, demand=10)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune", sequencer_failure=0.2, censorship=0.1,
                  sequencer_slash=0.001, sequencer_funds=1000.0)
    k = timeline(vrf, POP, env, seeds=[0, 1, 2, 3], economy=eco, progress=False).kpis
    proposed = int((k["demand"] - k["missed_slots"]).sum())
    failed, censored = int(k["sequencer_failures"].sum()), int(k["censored"].sum())
    assert abs(failed - 0.2 * proposed) < 4 * np.sqrt(proposed * 0.2 * 0.8)
    assert abs(censored - 0.1 * (proposed - failed)) < 4 * np.sqrt((proposed - failed) * 0.1 * 0.9)
    assert (k["proven"] + k["pruned"] + k["missed_slots"] == k["demand"]).all()
    assert k["sequencer_slashed"].sum() == pytest.approx(0.001 * failed, rel=1e-12)


def test_every_equilibrium_a_timeline_plays_is_recorded_with_its_certificate():
    """Commitment is at last epoch's gas, which a shock sets to two values: the first seed solves one epoch game
    for each (all 4 provers), certified; the second seed meets the same games and solves none. A paid
    fallback race is solved, and recorded, as well."""
    env = Environment.shock(40, gas=50.0, start=10, size=150.0, length=5, token_price=4.0, demand=4)
    tl = timeline(vrf, POP, env, seeds=[0, 1], economy=Economy(gas_per_submission=100_000))
    d = tl.decisions
    assert list(d.columns) == ["seed", "epoch", "game", "provers", "method", "regret", "certified"]
    assert d["seed"].tolist() == [0, 0] and set(d["game"]) == {"epoch game"} and d["provers"].tolist() == [4, 4]
    assert d["certified"].all() and (d["regret"] <= 1e-9).all()
    eco = Economy(fallback="race", fallback_reward=0.5, bond=1.0, gas_per_submission=0.0)
    tl = timeline(lambda p: pg.games.WinnerTakesAll(REWARD, p), POP, env, seeds=[0], rule="myopic-reward",
                  economy=eco)
    races = tl.decisions[tl.decisions["game"] == "fallback race"]
    assert len(races) >= 1 and races["certified"].all()


def test_newcomers_each_bring_an_epoch_game_of_their_own():
    eco = Economy(entry_rate=0.5, gas_per_submission=0.0)
    tl = timeline(vrf, POP, Environment.steady(30, gas=50.0, demand=4), seeds=[3], economy=eco)
    d = tl.decisions
    alive = tl.kpis.groupby("epoch")["alive_provers"].first()
    assert d["provers"].is_monotonic_increasing and d["provers"].iloc[0] == alive.iloc[0] >= 4
    assert d["provers"].max() == alive.max() and d["certified"].all()

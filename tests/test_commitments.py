"""Issue 28: who commits (self or sequencer-assigned) apart from how a committed prover delivers; bonds
per commitment; gas only for submissions made; offline sequencers and censored commitments. Checked
by hand, by an accounting of the balances that does not use Timeline.conservation(), and statistically."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

import provergame as pg
from provergame.commitments import assign_delivering, assign_units
from provergame.timeline import Economy, Environment, timeline
from stepped import stretched_and_stepped

REWARD = 32 / (7152 / 12) * 0.30
POP = pg.Population.from_arrays(cost=np.linspace(0.001, 0.003, 8), rate=1.0, stake=np.linspace(20, 40, 8),
                                reliability=0.99)
SHOCK = Environment.shock(60, gas=50, start=20, size=150, length=10, token_price=4.0, demand=10)


def vrf(pop):
    return pg.games.StakeVRF(REWARD, pop)


def run(commitment, rule, env=SHOCK, seeds=(0,), **economy):
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="race", fallback_reward=REWARD,
                  commitment=commitment, **economy)
    return timeline(vrf, POP, env, seeds=list(seeds), rule=rule, economy=eco, progress=False)


@pytest.mark.parametrize("commitment", ["self", "assigned"])
def test_myopic_provers_post_and_lose_every_bond_their_balance_covers(commitment):
    """aztec-gddt's run (assigned + myopic): at 200 gwei the myopic prover refuses to submit; each prover
    is picked until its balance of 100 has posted floor(100 / 16) = 6 bonds, 48 in all, and then holds 4,
    below the bond, so nobody works again (aztec-gddt: 48 bonds lost, all 8 provers drained). The
    fallback race pays too little at 200 gwei, so nothing else moves the balances."""
    k = run(commitment, "myopic-reward").kpis.set_index("epoch")
    assert k["bonds_forfeited"].sum() == 8 * 6
    assert k.loc[20:29, "bonds_forfeited"].sum() == 48         # all within the shock (self: at its first epoch,
    assert (k.loc[30:, "proven"] == 0).all()                   # when the VRF re-draws each refused unit)
    assert (k.loc[30:, "active_provers"] == 0).all()
    assert k.loc[29, "balance_total"] == pytest.approx(k.loc[19, "balance_total"] - 48 * 16.0, abs=1e-9)


def test_renegers_pay_no_gas_and_no_compute():
    """Everyone reneges in the first shock epoch (self + myopic): no submission, so the ledger's gas and
    compute do not move; the only outflow is the bonds, burned."""
    tl = run("self", "myopic-reward")
    led = tl.ledger.set_index("epoch")
    assert led.loc[20, "gas"] == led.loc[19, "gas"] and led.loc[20, "opex"] == led.loc[19, "opex"]
    assert led.loc[20, "burned"] - led.loc[19, "burned"] == pytest.approx(48 * 16.0)


def test_an_assigned_prover_cannot_decline_and_proves_at_a_loss_under_the_bond():
    """assigned + equilibrium: at 200 gwei proving loses 0.039 - 0.016 per unit but reneging loses 16,
    so every unit is still proved (reliability 0.99: the rest by the fallback when it pays, else pruned)."""
    k = run("assigned", "equilibrium").kpis
    shock = k[(k.epoch >= 20) & (k.epoch < 30)]
    assert shock["bonds_forfeited"].sum() == 0 and shock["commitments"].sum() == 100
    assert shock["proven"].sum() >= 90
    assert (shock["prover_profit"] < 0).all()


@pytest.mark.parametrize("commitment", ["self", "assigned"])
@pytest.mark.parametrize("rule", ["equilibrium", "myopic-reward"])
def test_balances_move_by_the_profit_booked(commitment, rule):
    """An accounting apart from conservation() (which adds up minted, compute, gas and burned tokens):
    what the provers hold at the end plus what they took on leaving is what they started with plus the
    profit booked epoch by epoch, and the balances frame adds up to the held total every epoch."""
    tl = run(commitment, rule, seeds=(0, 1), sequencer_offline=0.1, censorship=0.2)
    for seed, k in tl.kpis.groupby("seed"):
        end = k["balance_total"].iloc[-1] + tl.ledger[tl.ledger.seed == seed]["withdrawn"].iloc[-1]
        assert end == pytest.approx(100.0 * len(POP) + k["prover_profit"].sum(), abs=1e-9)
        rows = tl.balances[tl.balances.seed == seed].groupby("epoch")["balance"].sum()
        np.testing.assert_allclose(rows.reindex(k["epoch"], fill_value=0.0), k["balance_total"], atol=1e-9)


def test_offline_sequencers_miss_slots_and_pay_no_proposal_gas():
    env = Environment.steady(300, gas=50, token_price=4.0, demand=10)
    tl = run("assigned", "equilibrium", env=env, sequencer_offline=0.3, gas_per_proposal=100_000,
             sequencer_reward=0.037)
    k = tl.kpis
    missed = k["missed_slots"].sum()
    assert abs(missed - 0.3 * 3000) < 4 * np.sqrt(3000 * 0.3 * 0.7)
    per_unit = 50 * 1e-9 * 100_000 / 4.0
    np.testing.assert_allclose(k["sequencer_gas"], (k["demand"] - k["missed_slots"]) * per_unit, rtol=1e-12)
    assert (k["proven"] + k["fallback_proven"] + k["pruned"] + k["missed_slots"] == k["demand"]).all()


def test_censored_commitments_go_to_the_fallback():
    env = Environment.steady(50, gas=50, token_price=4.0, demand=10)
    k = run("assigned", "equilibrium", env=env, censorship=1.0).kpis
    assert (k["censored"] == 10).all() and (k["proven"] == 0).all() and (k["commitments"] == 0).all()
    assert k["fallback_proven"].sum() > 0


def test_failed_sequencer_phases_go_to_the_fallback_and_slash_the_sequencer_up_to_its_balance():
    """Every proposed unit's sequencer fails its later phase (aztec-gddt's commitment-bond timeout): no
    prover is committed, the fallback race proves what it can, and each of 2 sequencers forfeits 0.3 per unit
    it proposed until its balance (5, no rewards, no gas) is gone: by hand, 5 per sequencer in all, and a
    failure share of 0.3 fails about 30% of the units (binomial bounds)."""
    env = Environment.steady(40, gas=50, token_price=4.0, demand=10)
    tl = run("assigned", "equilibrium", env=env, sequencers=2, sequencer_funds=5.0, sequencer_failure=1.0,
             sequencer_slash=0.3)
    k = tl.kpis
    assert (k["sequencer_failures"] == 10).all() and (k["commitments"] == 0).all() and (k["proven"] == 0).all()
    assert k["fallback_proven"].sum() > 0 and k["sequencer_slashed"].sum() == pytest.approx(10.0, abs=1e-12)
    assert tl.sequencers["balance"].min() >= 0 and tl.sequencers.groupby("sequencer")["balance"].last().max() == 0
    per_unit = k["sequencer_slashed"].iloc[0] / 10
    assert per_unit == pytest.approx(0.3, abs=1e-12)              # the first epoch: both can pay every slash
    assert tl.conservation() < 1e-9
    some = run("self", "equilibrium", env=Environment.steady(200, gas=50, token_price=4.0, demand=10), sequencers=3,
               sequencer_failure=0.3, sequencer_slash=0.01, sequencer_funds=1000.0).kpis
    failed = some["sequencer_failures"].sum()
    assert abs(failed - 600) < 4 * np.sqrt(2000 * 0.3 * 0.7)
    np.testing.assert_allclose(some["sequencer_slashed"], 0.01 * some["sequencer_failures"], rtol=1e-12)
    assert (some["proven"] <= 10 - some["sequencer_failures"]).all()
    with pytest.raises(pg.InvalidParameter, match="sequencer_failure"):
        Economy(sequencer_failure=1.5)


@settings(max_examples=40, deadline=None)
@given(units=st.integers(0, 200), n=st.integers(1, 8), bond=st.sampled_from([0.0, 5.0, 16.0]),
       seed=st.integers(0, 10_000), data=st.data())
def test_assignments_respect_the_bonds(units, n, bond, seed, data):
    balance = np.array(data.draw(st.lists(st.floats(16.0, 120.0), min_size=n, max_size=n)))
    delivers = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    out = assign_units(np.random.default_rng(seed), units, balance, bond, delivers, np.full(n, 0.9), np.ones(n), 1.0)
    assert out.commitments.sum() + out.unassigned == units
    assert (out.forfeited[delivers] == 0).all() and (out.submitted[~delivers] == 0).all()
    assert (out.submitted + out.forfeited == out.commitments).all()
    assert (out.valid <= out.submitted).all() and (out.on_time <= out.valid).all()
    if bond > 0:
        assert (out.forfeited <= np.floor(balance / bond)).all()
        if out.unassigned:                 # nobody left holding the bond: only renegers were eligible
            assert not delivers.any() and (out.forfeited == np.floor(balance / bond)).all()


def test_assignment_is_uniform_among_bond_holders():
    """A chi-square test of 20,000 assignments among 5 provers who all deliver (seeded)."""
    out = assign_units(np.random.default_rng(11), 20_000, np.full(5, 100.0), 16.0, np.ones(5, bool), np.ones(5),
                       np.ones(5), 1.0)
    assert stats.chisquare(out.commitments).pvalue > 1e-3


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 6), width=st.integers(1, 12), epochs=st.integers(1, 5),
       deadline=st.sampled_from([np.inf, 0.5, 0.05]))
def test_assignments_from_unit_draws_are_a_loop_over_the_units(seed, n, width, epochs, deadline):
    """assign_delivering (every prover delivering, per-unit draws indexed by epoch) against a plain loop over
    each epoch's units: the unit's prover int(u n), valid iff its draw is below the reliability, ready at
    -ln(1 - u) / rate, late past the deadline (bond forfeited, nothing submitted), on time within 1."""
    rng = np.random.default_rng(seed)
    pick, valid, ready = rng.random((3, epochs, width))
    units = rng.integers(0, width + 1, epochs)
    rho, rate = rng.uniform(0.5, 1.0, n), rng.uniform(0.5, 20.0, n)
    out = assign_delivering(pick, valid, ready, units, rho, rate, 1.0, deadline)
    want = {k: np.zeros((epochs, n), dtype=int) for k in ("commitments", "submitted", "valid", "on_time", "forfeited")}
    for e in range(epochs):
        for u in range(units[e]):
            i = int(pick[e, u] * n)
            t = -np.log(1.0 - ready[e, u]) / rate[i]
            want["commitments"][e, i] += 1
            if t > deadline:
                want["forfeited"][e, i] += 1
                continue
            want["submitted"][e, i] += 1
            if valid[e, u] < rho[i]:
                want["valid"][e, i] += 1
                want["on_time"][e, i] += t <= 1.0
    for name, table in want.items():
        np.testing.assert_array_equal(getattr(out, name), table, err_msg=name)
    np.testing.assert_array_equal(out.late, want["forfeited"])


def test_assignments_from_unit_draws_match_the_sequential_draw_in_law():
    """Where all deliver, assign_delivering and assign_units are the same law: over 40,000 units among 4
    provers (reliability 0.6-0.9, rates 1-8, deadline 0.4, window 0.25) each prover's commitments, valid
    proofs, on-time proofs and forfeits agree within 4 standard errors of their difference."""
    rho, rate, units = np.array([0.6, 0.7, 0.8, 0.9]), np.array([1.0, 2.0, 4.0, 8.0]), 40_000
    a = assign_units(np.random.default_rng(3), units, np.full(4, 1e9), 16.0, np.ones(4, bool), rho, rate, 0.25, 0.4)
    draws = np.random.default_rng(4).random((3, 1, units))
    b = assign_delivering(*draws, np.array([units]), rho, rate, 0.25, 0.4)
    for name in ("commitments", "valid", "on_time", "forfeited"):
        x, y = getattr(a, name), getattr(b, name)[0]
        p = (x + y) / (2 * units)
        assert (np.abs(x - y) <= 4 * np.sqrt(2 * units * p * (1 - p)) + 1).all(), name


def test_a_scenarios_time_base_is_checked_at_load(tmp_path):
    """aztec-gddt's 596 L2 blocks a day are one every 145 s, not 36 s; and the reward per block times the
    blocks of a day must be the reward per day."""
    text = (Path(__file__).resolve().parents[1] / "scenarios" / "aztec-fernet-timeline.toml").read_text()
    assert load_scenario_text(tmp_path, text).blocks_per_day == 596
    with pytest.raises(Exception, match="slot_seconds = 144.966"):
        load_scenario_text(tmp_path, text.replace("slot_seconds = 144.966", "slot_seconds = 36.0"))
    with pytest.raises(Exception, match="reward_per_day"):
        load_scenario_text(tmp_path, text.replace("reward_per_day = 9.6", "reward_per_day = 32.0"))


def test_the_fernet_scenario_s_phases_are_aztec_gddt_s(tmp_path):
    """The slot is 12 L1 blocks; proposal 3, commitment bond + reveal 6, rollup proof 3, race 2 of them
    (aztec-gddt's phase_duration_*_max_blocks); a proof within the rollup phase with probability 0.99
    (final_probability); the sequencer's two phases each fail with 0.01, slashing 2 or 1 tokens. Recomputed
    from those counts, not from the scenario's own arithmetic."""
    text = (Path(__file__).resolve().parents[1] / "scenarios" / "aztec-fernet-timeline.toml").read_text()
    sc = load_scenario_text(tmp_path, text)
    eco = sc.timeline.economy_params(sc.timing())
    assert (eco.proposal_time, eco.commitment_time, eco.proof_deadline) == pytest.approx((3 / 12, 6 / 12, 3 / 12))
    assert eco.fallback_deadline == pytest.approx(2 / 12) and eco.proof_window == pytest.approx(3 / 12)
    rate = float(np.unique(sc.population().rate)[0])
    assert 1 - np.exp(-rate * 3 / 12) == pytest.approx(0.99, abs=1e-12)
    assert eco.sequencer_failure == pytest.approx(1 - 0.99 * 0.99, abs=1e-12)
    assert eco.sequencer_slash * eco.sequencer_failure == pytest.approx(0.01 * 2 + 0.99 * 0.01 * 1, abs=1e-12)
    assert eco.sequencer_offline == pytest.approx(0.01 ** 3) and eco.sequencers == 3


@pytest.mark.slow
def test_the_fernet_report_s_assigned_bonds_are_the_rollup_timeouts():
    """The Fernet report's 'assigned + equilibrium' row forfeits 40.75 bonds a run: rational assigned provers
    work every unit (0.99 (rho R - gas + 16) > cost at any gas of the run), so a bond is lost only when a
    proof misses the rollup phase, with probability e^{-r d} = e^{-ln 100} = 0.01 by hand. Over the four
    seeds the forfeits per commitment are 0.01 within 4 binomial standard errors."""
    from provergame.pipeline import _timeline_task
    from provergame.scenario import load_scenario
    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "aztec-fernet-timeline.toml")
    result = _timeline_task(sc.spec(sc.timeline.mechanism), sc.population(), sc.timeline, ("assigned", "equilibrium"),
                            sc.timing())
    k = result.kpis
    commitments, forfeited = int(k["commitments"].sum()), int(k["bonds_forfeited"].sum())
    assert commitments > 10_000
    assert abs(forfeited - 0.01 * commitments) < 4 * np.sqrt(commitments * 0.01 * 0.99)
    assert forfeited / 4 == pytest.approx(40.75)              # the report's number, per run
    assert result.conservation() < 1e-9


def load_scenario_text(tmp_path, text):
    from provergame.scenario import load_scenario
    path = tmp_path / "s.toml"
    path.write_text(text)
    return load_scenario(path)


def test_epoch_quotes_by_hand():
    """Steady gas: the cheapest prover (compute + gas) wins every epoch at the second-lowest such cost,
    is paid that for each valid proof, and the sequencers get the reward's rest; reliability 1, so every
    unit is proved. In the first shock epoch the myopic winner, who quoted at 50 gwei, finds the quote
    below the gas and forfeits its one bond for the epoch; from then on nobody quotes under the reward."""
    pop = pg.Population.from_arrays(cost=[0.001, 0.002, 0.004], rate=1.0, stake=10.0, reliability=1.0)
    env = Environment.shock(30, gas=50, start=10, size=150, length=10, token_price=4.0, demand=10)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune", commitment="quotes", sequencer_reward=0.0)
    gas50, gas200 = 50e-9 * 781_000 / 4.0, 200e-9 * 781_000 / 4.0
    tl = timeline(vrf, pop, env, seeds=[0], rule="myopic-reward", economy=eco, progress=False)
    k = tl.kpis.set_index("epoch")
    quote = 0.002 + gas50
    assert (k.loc[:9, "proven"] == 10).all() and (k.loc[:9, "hhi"] == 1.0).all()
    np.testing.assert_allclose(k.loc[:9, "minted"], 10 * quote, rtol=1e-12)
    np.testing.assert_allclose(k.loc[:9, "sequencer_revenue"], 10 * (REWARD - quote), rtol=1e-12)
    assert quote < gas200 and k.loc[10, "bonds_forfeited"] == 1 and k.loc[10, "proven"] == 0
    assert 0.001 + gas200 > REWARD and (k.loc[11:19, "commitments"] == 0).all()
    assert (k.loc[21:, "proven"] == 10).all()
    assert tl.conservation() < 1e-9


def test_a_proof_deadline_abandons_late_proofs_with_their_bond_and_no_gas():
    """Proof phase timeout d under "assigned": each delivering prover's proof is ready after Exp(1), so a
    unit is abandoned with probability e^{-d} (bond forfeited, compute spent, no gas) and goes to the
    fallback; reliability 1. Counted against the hand probability (4 SE), and every balance moves by the
    profit booked (an accounting apart from conservation())."""
    pop = POP.replace(reliability=1.0)
    env = Environment.steady(200, gas=50, token_price=4.0, demand=10)
    d = np.log(2.0)
    eco = Economy(gas_per_submission=781_000, bond=0.5, fallback="prune", commitment="assigned", proof_deadline=d,
                  initial_balance=1e3)
    tl = timeline(vrf, pop, env, seeds=[3], rule="equilibrium", economy=eco, progress=False)
    k = tl.kpis
    units = int(k["commitments"].sum())
    late = int(k["bonds_forfeited"].sum())
    p = np.exp(-d)
    assert units == 2000 and abs(late / units - p) < 4 * np.sqrt(p * (1 - p) / units)
    assert int(k["proven"].sum()) == units - late
    gas = 50e-9 * 781_000 / 4.0
    led = tl.ledger.iloc[-1]
    assert led["gas"] == pytest.approx((units - late) * gas, rel=1e-12)       # gas only on submissions
    assert led["burned"] == pytest.approx(late * 0.5, rel=1e-12)
    end = k["balance_total"].iloc[-1] + led["withdrawn"]
    assert end == pytest.approx(1e3 * len(pop) + k["prover_profit"].sum(), rel=1e-12)
    assert tl.conservation() < 1e-9
    free = timeline(vrf, pop, env, seeds=[3], rule="equilibrium", progress=False,
                    economy=Economy(gas_per_submission=781_000, bond=0.5, fallback="prune", commitment="assigned",
                                    initial_balance=1e3))
    assert int(free.kpis["bonds_forfeited"].sum()) == 0 and int(free.kpis["proven"].sum()) == 2000


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan")])
def test_a_bad_proof_deadline_names_the_parameter(value):
    with pytest.raises(pg.InvalidParameter, match="proof_deadline"):
        Economy(proof_deadline=value)


def test_the_equilibrium_rule_prices_the_proof_deadline_in():
    """A tight deadline makes working a worse bet than reneging: at d = 0.01 a proof is ready with
    probability 1 - e^{-0.01} = 0.00995, so working is worth 0.00995 (0.0161 - 0.0098 + 0.5) - 0.01 = -0.005
    per unit against 0 more for reneging (the bond is lost either way): every assigned prover reneges (bond
    forfeited, no compute, no gas). At d = 5 (ready 0.993) working is worth 0.49 and every unit is worked."""
    pop = POP.replace(reliability=np.ones(8), cost=np.full(8, 0.01))
    env = Environment.steady(20, gas=50, token_price=4.0, demand=10)
    for d, worked in ((0.01, False), (5.0, True)):
        eco = Economy(gas_per_submission=781_000, bond=0.5, fallback="prune", commitment="assigned", proof_deadline=d,
                      initial_balance=1e3)
        tl = timeline(vrf, pop, env, seeds=[1], rule="equilibrium", economy=eco, progress=False)
        k, led = tl.kpis, tl.ledger.iloc[-1]
        if worked:
            assert led["opex"] == pytest.approx(200 * 0.01) and k["bonds_forfeited"].sum() < 10
        else:
            assert led["opex"] == 0 and led["gas"] == 0 and k["bonds_forfeited"].sum() == 200


def test_an_epoch_quote_is_worked_or_abandoned_for_its_one_bond():
    """Quotes: one bond covers the epoch's 10 units. The winner quoted at 50 gwei (second-lowest cost
    0.002 + 0.0098 = 0.0118) and the gas jumps to 200 gwei (0.039 per unit), so working loses
    10 x (0.0118 - 0.039 - 0.001) = -0.28 against forfeiting the bond: with a bond of 16 it works; with 0.2 it
    forfeits the one bond (no gas, nothing proved), where a rule pricing the bond per unit would have
    worked (0.2 > 0.028)."""
    pop = pg.Population.from_arrays(cost=[0.001, 0.002, 0.004], rate=1.0, stake=10.0, reliability=1.0)
    env = Environment.shock(2, gas=50, start=1, size=150, length=1, token_price=4.0, demand=10)
    gas50, gas200 = 50e-9 * 781_000 / 4.0, 200e-9 * 781_000 / 4.0
    quote = 0.002 + gas50
    for bond, works in ((16.0, True), (0.2, False)):
        assert (10 * (quote - gas200 - 0.001) + bond >= 0) == works and quote - gas200 - 0.001 + bond >= 0
        eco = Economy(gas_per_submission=781_000, bond=bond, fallback="prune", commitment="quotes", initial_balance=100.0)
        tl = timeline(lambda p: pg.games.StakeVRF(0.02, p), pop, env, seeds=[0], rule="equilibrium", economy=eco,
                      progress=False)
        k = tl.kpis.set_index("epoch")
        assert k.loc[0, "proven"] == 10
        if works:
            assert k.loc[1, "proven"] == 10 and k.loc[1, "bonds_forfeited"] == 0
        else:
            assert k.loc[1, "proven"] == 0 and k.loc[1, "bonds_forfeited"] == 1
            assert tl.ledger.set_index("epoch").loc[1, "gas"] == tl.ledger.set_index("epoch").loc[0, "gas"]


def test_proposal_and_commitment_phases_leave_the_rest_of_the_window_to_prove():
    """Phases of 0.3 and 0.2 before the proof phase leave 0.5 of a window of 1: with Exp(1) proving times and
    reliability 1, a proof is on time with chance 1 - e^{-0.5} (by hand, 4 SE over 2,000 assigned units)
    against 1 - e^{-1} without them; the same draws prove the same units."""
    pop = POP.replace(reliability=1.0)
    env = Environment.steady(200, gas=50, token_price=4.0, demand=10)

    def units(**phases):
        eco = Economy(gas_per_submission=781_000, bond=0.5, fallback="prune", commitment="assigned",
                      initial_balance=1e3, **phases)
        return timeline(vrf, pop, env, seeds=[3], rule="equilibrium", economy=eco, progress=False).kpis

    k, free = units(proposal_time=0.3, commitment_time=0.2), units()
    assert int(k["proven"].sum()) == int(free["proven"].sum()) == 2000
    for kpis, chance in ((k, 1 - np.exp(-0.5)), (free, 1 - np.exp(-1.0))):
        share = kpis["on_time"].sum() / 2000
        assert abs(share - chance) < 4 * np.sqrt(chance * (1 - chance) / 2000)
    assert Economy(window=1.0, proposal_time=0.7, commitment_time=0.6).proof_window == 0.0


def test_a_fallback_deadline_refuses_late_race_proofs():
    """Every commitment censored, so every unit goes to the fallback race (reward 1, compute 0.001-0.003, gas
    1e-5: all 8 provers enter). With a timeout of 0.05 a unit is proved with chance
    1 - (1 - 0.99 (1 - e^{-0.05}))^8 = 0.327 (by hand, 4 SE over 2,000 units), the rest pruned; without it
    1 - 0.01^8. Gas is paid only for proofs ready by the timeout (by hand, in expectation); balances still add
    up apart from conservation()."""
    env = Environment.steady(200, gas=50, token_price=4.0, demand=10)

    def fallback(**timeout):
        eco = Economy(gas_per_submission=800, bond=0.0, fallback="race", fallback_reward=1.0, censorship=1.0,
                      commitment="assigned", **timeout)
        return timeline(vrf, POP, env, seeds=[5], rule="equilibrium", economy=eco, progress=False)

    tl, free = fallback(fallback_deadline=0.05), fallback()
    k = tl.kpis
    chance = 1 - (1 - 0.99 * -np.expm1(-0.05)) ** 8
    share = k["fallback_proven"].sum() / 2000
    assert abs(share - chance) < 4 * np.sqrt(chance * (1 - chance) / 2000)
    assert (k["fallback_proven"] + k["pruned"] == 10).all()
    assert free.kpis["fallback_proven"].sum() == 2000
    gas = 50e-9 * 800 / 4.0                                    # an entrant pays it only for a proof ready by 0.05
    assert tl.ledger["gas"].iloc[-1] == pytest.approx(2000 * 8 * gas * -np.expm1(-0.05), rel=1e-9)
    assert free.ledger["gas"].iloc[-1] == pytest.approx(2000 * 8 * gas, rel=1e-9)
    end = k["balance_total"].iloc[-1] + tl.ledger["withdrawn"].iloc[-1]
    assert end == pytest.approx(100.0 * len(POP) + k["prover_profit"].sum(), abs=1e-9)
    assert tl.conservation() < 1e-9


@pytest.mark.parametrize("field, value", [("fallback_deadline", 0.0), ("fallback_deadline", -1.0),
                                          ("proposal_time", -0.1), ("commitment_time", float("nan"))])
def test_bad_phase_durations_name_the_parameter(field, value):
    with pytest.raises(pg.InvalidParameter, match=field):
        Economy(**{field: value})


def test_tied_quotes_are_drawn_evenly_epoch_by_epoch(monkeypatch):
    """Two provers ask the same (compute + gas); each epoch's winner is drawn between them (a per-unit draw
    indexed by epoch). The second one never delivers a valid proof (reliability 0) but keeps its bond by
    working, so its balance falls by its 10 asks exactly in the epochs it wins: about half of 400 (4 standard
    errors of a fair coin). Ties are stepped, not stretched: the rows are those of the step."""
    pop = pg.Population.from_arrays(cost=[0.001, 0.001, 0.004], rate=1.0, stake=10.0, reliability=[1.0, 0.0, 1.0])
    env = Environment.steady(400, gas=50, token_price=4.0, demand=10)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune", commitment="quotes", initial_balance=100.0)
    tl, slow, booked = stretched_and_stepped(monkeypatch, lambda p: pg.games.StakeVRF(0.02, p), pop, env, 5,
                                             "equilibrium", eco)
    b = tl.balances.pivot(index="epoch", columns="prover", values="balance")["p1"].to_numpy()
    ask = 0.001 + 50e-9 * 781_000 / 4.0
    won = -np.diff(np.concatenate([[100.0], b]))
    assert np.allclose(won[won > 1e-9], 10 * ask, rtol=1e-9)
    wins = int((won > 1e-9).sum())
    assert abs(wins - 200) < 4 * np.sqrt(400 * 0.25) and (tl.kpis["commitments"] == 10).all()
    assert all(k == 0 for _, k in booked)                     # a tie is drawn epoch by epoch: never stretched
    pd.testing.assert_frame_equal(tl.kpis, slow.kpis, check_exact=True)

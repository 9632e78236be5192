"""What each mechanism page claims, and which shipped theorem backs each claim (issue 26, item 4).

Every page reports the same seven claims about its mechanism (the comparison table's columns); a
claim is "proved" on a page when at least one theorem of that game backing it passes every audit,
otherwise the page says "not proved". BACKS maps each shipped theorem to the claim it backs; a test
keeps it complete, so a new theorem must say what it is evidence for.
"""
from __future__ import annotations

from provergame.lazy import pandas as pd

CLAIMS: dict[str, str] = {
    "equilibrium": "the reported profile is an equilibrium (entry, bid, share or effort condition)",
    "on-time liveness": "how on-time liveness moves with provers, supply and the window",
    "concentration": "who takes the work (HHI, shares, returns to size)",
    "user cost": "what users pay per proof",
    "stall bribe": "the bribe that makes provers withhold",
    "sybil": "what extra identities gain",
    "cartel": "what a coalition gains (beyond the unilateral equilibrium condition)",
}

BACKS: dict[str, str] = {
    # equilibrium conditions
    "wta_identical_entrants": "equilibrium", "wta_mixed_entry_value_falls_with_entry": "equilibrium",
    "tullock_symmetric_foc": "equilibrium", "tullock_symmetric_soc": "equilibrium",
    "tullock_symmetric_profit": "equilibrium", "mpt_speed_gain_bounded": "equilibrium",
    "mpt_speed_sensitivity_bounded": "equilibrium", "mpt_value_within_reward": "equilibrium",
    "bounty_second_prover_loss": "equilibrium", "bounty_bond_deters_default": "equilibrium",
    "taiko_seat_profitable_above_break_even": "equilibrium", "taiko_no_seat_below_break_even": "equilibrium",
    "nil_matched_above_break_even_profits": "equilibrium", "nil_below_break_even_loses": "equilibrium",
    "predation_unprofitable_below_threshold": "equilibrium", "predation_profitable_above_threshold": "equilibrium",
    "predation_breaks_even_at_the_threshold": "equilibrium",
    "fee_share_linear_closed_form": "equilibrium", "fee_share_reaches_one": "equilibrium",
    "fee_share_second_order": "equilibrium", "multiplicative_share_foc": "equilibrium",
    "first_price_uniform_bid": "equilibrium", "procurement_uniform_bid_foc": "equilibrium",
    "procurement_bid_above_cost": "equilibrium", "procurement_bid_below_highest_cost": "equilibrium",
    "b52_one_more_prover_pays_above": "equilibrium", "b52_one_more_prover_costs_below": "equilibrium",
    "b52_adding_needs_imperfect_reliability_only_below_one": "equilibrium",
    "lottery_poisson_optimum_convex": "equilibrium", "lottery_poisson_reward": "equilibrium",
    "quote_kickback_range_nonempty": "cartel", "dutch_lock_time_within_ramp": "equilibrium",
    "grief_unprofitable_without_bribe": "stall bribe",
    # liveness
    "race_entrant_never_lowers_on_time_liveness": "on-time liveness",
    "race_on_time_liveness_rises_with_the_window": "on-time liveness",
    "elected_on_time_liveness_capped_by_reliability": "on-time liveness",
    "elected_on_time_liveness_rises_with_the_window": "on-time liveness",
    "served_more_supply_never_lowers_liveness": "on-time liveness",
    "served_full_once_supply_covers_demand": "on-time liveness",
    "node_lands_with_probability_at_most_one": "on-time liveness", "covering_never_hurts_a_node": "on-time liveness",
    # concentration
    "wta_faster_rivals_hurt": "concentration", "wta_own_speed_pays": "concentration",
    "stake_vrf_work_concentration_at_least_equal_split": "concentration",
    "stake_vrf_diminishing_returns_to_stake": "concentration", "stake_turn_share_at_most_one": "concentration",
    "taiko_selection_falls_with_erpg": "concentration", "taiko_selection_rises_with_stake": "concentration",
    "booster_shares_rise_with_score": "concentration", "delegator_return_falls_with_the_cut": "concentration",
    "delegator_return_rises_with_reliability": "concentration", "fee_share_rises_with_mev": "concentration",
    # user cost
    "uncles_user_cost_rises_with_entrants": "user cost", "uncles_payout_bounded": "user cost",
    "bounty_pay_all_within_fee": "user cost", "stake_turns_pay_at_most_the_reward": "user cost",
    "delegation_budget_balance": "user cost", "booster_pro_rata_pays_the_epoch_reward": "user cost",
    "revenue_equivalence_uniform": "user cost", "procurement_revenue_equivalence_uniform": "user cost",
    # attacks
    "snarketplace_reserve_raises_the_withholding_bribe": "stall bribe",
    "identity_share_below_one": "sybil", "identity_weighting_rewards_sybils": "sybil",
}


def coverage(proofs: pd.DataFrame) -> pd.DataFrame:
    """One row per claim a mechanism page makes: the theorems of this game backing it that pass every
    audit, and "proved" or "not proved"."""
    counted = proofs.loc[proofs["counted"].astype(bool), "theorem"] if len(proofs) else []
    rows = []
    for claim, meaning in CLAIMS.items():
        backing = [name for name in counted if BACKS.get(name) == claim]
        rows.append({"claim": claim, "what the page states": meaning,
                     "backed by": ", ".join(backing) if backing else "not proved",
                     "status": "proved" if backing else "not proved"})
    return pd.DataFrame(rows)


def proved_share(proofs: pd.DataFrame) -> str:
    """"k/7 claims": how many of the page's claims a passing theorem backs (the index's column)."""
    table = coverage(proofs)
    return f"{int((table['status'] == 'proved').sum())}/{len(table)} claims"

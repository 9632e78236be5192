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

BACKED_BY: dict[str, tuple[str, ...]] = {
    "equilibrium": (
        "wta_identical_entrants", "wta_mixed_entry_value_falls_with_entry", "tullock_symmetric_foc",
        "tullock_symmetric_soc", "tullock_symmetric_profit", "mpt_speed_gain_bounded",
        "mpt_speed_edge_vanishes_with_tmin", "mpt_value_within_reward", "bounty_second_prover_loss",
        "bounty_pay_first_value_falls_with_more_asked", "taiko_seat_profitable_above_break_even", "taiko_no_seat_below_break_even",
        "nil_matched_above_break_even_profits", "nil_below_break_even_loses",
        "predation_unprofitable_below_threshold", "predation_profitable_above_threshold",
        "predation_breaks_even_at_the_threshold", "fee_share_linear_closed_form", "fee_share_reaches_one",
        "fee_share_second_order", "multiplicative_share_foc", "first_price_uniform_bid",
        "procurement_uniform_bid_foc", "procurement_bid_above_cost", "procurement_bid_below_highest_cost",
        "b52_one_more_prover_pays_above", "b52_one_more_prover_costs_below",
        "b52_adding_needs_imperfect_reliability_only_below_one", "lottery_poisson_optimum_convex",
        "lottery_poisson_reward", "dutch_lock_time_within_ramp", "uncles_entry_payoff_falls_with_entrants",
        "quotes_bertrand_equilibrium_at_the_second_cost", "second_price_truthful_bid_is_dominant",
        "turn_auction_ladder_never_pays_to_bid_below_effective_cost", "turn_auction_ladder_pays_a_reached_bidder_its_cost",
        "sidecar_offer_pays_at_or_above_the_break_even_tip", "sidecar_no_offer_below_the_break_even_tip",
    ),
    "on-time liveness": (
        "race_entrant_never_lowers_on_time_liveness", "race_on_time_liveness_rises_with_the_window",
        "elected_on_time_liveness_capped_by_reliability", "elected_on_time_liveness_rises_with_the_window",
        "served_more_supply_never_lowers_liveness", "served_full_once_supply_covers_demand",
        "node_lands_with_probability_at_most_one", "covering_never_hurts_a_node",
        "sidecar_offerer_raises_liveness_only_above_the_average",
        "vrf_failover_at_half_the_window_never_lowers_on_time_liveness",
        "vrf_failover_lifts_on_time_liveness_above_the_reliability_cap",
    ),
    "concentration": (
        "wta_faster_rivals_hurt", "wta_own_speed_pays", "stake_vrf_work_concentration_at_least_equal_split",
        "stake_vrf_diminishing_returns_to_stake", "sidecar_reward_concentration_set_by_the_reliability_spread",
        "uncles_share_raises_the_entry_payoff",
        "taiko_selection_falls_with_erpg",
        "taiko_selection_rises_with_stake", "booster_shares_rise_with_score", "delegator_return_falls_with_the_cut",
        "delegator_return_rises_with_reliability", "fee_share_rises_with_mev",
    ),
    "user cost": (
        "uncles_user_cost_rises_with_entrants",
        "stake_turns_pay_at_most_the_reward", "delegation_budget_balance", "booster_pro_rata_pays_the_epoch_reward",
        "revenue_equivalence_uniform", "procurement_revenue_equivalence_uniform",
    ),
    "stall bribe": (
        "grief_net_below_the_block_reward", "snarketplace_reserve_raises_the_withholding_bribe",
        "turn_auction_stall_payment_is_the_cap_less_the_mean_cost", "wta_stall_payment_at_least_the_race_profit", "turn_auction_stall_bribe_per_token_rises_with_the_cap",
    ),
    "sybil": (
        "identity_share_below_one", "identity_weighting_rewards_sybils", "stake_vrf_splitting_stake_gains_nothing",
        "stake_turns_splitting_stake_gains_nothing",
    ),
    "cartel": (
        "quote_kickback_range_nonempty", "turn_auction_cover_bid_ring_raises_the_price",
    ),
}
BACKS: dict[str, str] = {name: claim for claim, names in BACKED_BY.items() for name in names}


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

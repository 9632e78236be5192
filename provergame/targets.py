"""What a designer can ask of a mechanism: metric -> (direction, meaning); ">=" floors, "<=" ceilings."""

TARGETS = {
    "liveness": (">=", "on-time liveness within the window"),
    "hhi": ("<=", "Herfindahl-Hirschman index of reward shares"),
    "nakamoto": (">=", "fewest provers holding more than half of the rewards"),
    "user_cost": ("<=", "paid by users per proof landed"),
    "stall_bribe_per_hour": (">=", "cheapest bribe stalling on-time proving, per hour"),
}

"""What a designer can ask of a mechanism: the registered metrics with a better direction
(solvers.metrics.METRICS), as metric -> (direction, meaning); ">=" floors, "<=" ceilings."""
from collections.abc import Mapping

import numpy as np

from provergame.solvers.metrics import METRICS

TARGETABLE = ("liveness", "hhi", "nakamoto", "user_cost", "stall_bribe_per_hour")
TARGETS = {name: (METRICS[name].direction, METRICS[name].meaning) for name in TARGETABLE}


def meets(scores: Mapping[str, float], subject_to: Mapping[str, float]) -> bool:
    """Whether every target holds (1e-12 slack); a non-finite score fails its target, and so does an
    HHI of 0 (nobody is paid: an idle network meets no concentration target)."""
    for name, target in subject_to.items():
        value = scores[name]
        if name == "hhi" and value == 0:
            return False
        low = TARGETS[name][0] == ">="
        if not np.isfinite(value) or (value < target - 1e-12 if low else value > target + 1e-12):
            return False
    return True

"""Pareto fronts: the designs no other design beats on every objective at once."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from provergame.errors import InvalidParameter


TIE = 1e-9      # relative difference below which two designs' objectives are equal (rounding, not economics)


def pareto_mask(values: np.ndarray, maximise: Sequence[bool], tie: float = TIE) -> np.ndarray:
    """Boolean mask of the non-dominated rows of `values` (designs x objectives); objective j is
    maximised where maximise[j], minimised otherwise. Row a dominates row b when a is at least as good
    on every objective and better on one by more than `tie` (relative to the larger magnitude, absolute
    below 1): values that differ only by rounding are equal, so float noise never puts a design on the
    front or off it; infinite values compare as they are. NaN objectives make a row ineligible."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape[1] != len(maximise):
        raise InvalidParameter("values", v.shape, f"a (designs, {len(maximise)}) array")
    signed = np.where(np.asarray(maximise, dtype=bool), -v, v)          # everything minimised
    ok = ~np.isnan(signed).any(axis=1)
    s = np.where(ok[:, None], signed, np.inf)
    a, b = s[:, None, :], s[None, :, :]
    both = np.isfinite(a) & np.isfinite(b)                              # an infinite value is never a rounding
    slack = np.where(both, tie * np.maximum(np.maximum(np.abs(np.where(both, a, 0.0)),
                                                       np.abs(np.where(both, b, 0.0))), 1.0), 0.0)
    no_worse = (a <= b + slack).all(axis=2)                              # a no worse than b everywhere
    better = (a < b - slack).any(axis=2)
    dominated = (no_worse & better & ok[:, None]).any(axis=0)
    return ok & ~dominated

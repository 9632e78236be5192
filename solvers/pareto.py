"""Pareto fronts: the designs no other design beats on every objective at once."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from provergame.errors import InvalidParameter


def pareto_mask(values: np.ndarray, maximise: Sequence[bool]) -> np.ndarray:
    """Boolean mask of the non-dominated rows of `values` (designs x objectives); objective j is
    maximised where maximise[j], minimised otherwise. Row a dominates row b when a is at least as good
    on every objective and strictly better on one. NaN objectives make a row ineligible."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape[1] != len(maximise):
        raise InvalidParameter("values", v.shape, f"a (designs, {len(maximise)}) array")
    signed = np.where(np.asarray(maximise, dtype=bool), -v, v)          # everything minimised
    ok = ~np.isnan(signed).any(axis=1)
    s = np.where(ok[:, None], signed, np.inf)
    no_worse = (s[:, None, :] <= s[None, :, :]).all(axis=2)             # a no worse than b everywhere
    better = (s[:, None, :] < s[None, :, :]).any(axis=2)
    dominated = (no_worse & better & ok[:, None]).any(axis=0)
    return ok & ~dominated

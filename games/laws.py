"""The built-in laws of private costs and values, uniform and log-normal, with the part of the frozen
scipy.stats interface the games use (cdf, ppf, rvs). Each method is the formula scipy.stats evaluates
for that law (scipy.special's ndtr and ndtri, the same boundary values, the same draws from the same
generator), so results are unchanged to the last bit; what is saved is importing scipy.stats, 0.9 s
in every process that builds an auction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from provergame.lazy import special


@dataclass(frozen=True)
class Uniform:
    """Uniform on [loc, loc + scale] (scipy.stats.uniform(loc, scale))."""

    loc: float
    scale: float

    def cdf(self, x: Any) -> Any:
        return np.clip((np.asarray(x, dtype=float) - self.loc) / self.scale, 0.0, 1.0)[()]

    def ppf(self, q: Any) -> Any:
        q = np.asarray(q, dtype=float)
        return np.where((q >= 0) & (q <= 1), q * self.scale + self.loc, np.nan)[()]

    def rvs(self, size: Any, random_state: np.random.Generator) -> np.ndarray:
        return random_state.uniform(0.0, 1.0, size) * self.scale + self.loc


@dataclass(frozen=True)
class LogNormal:
    """log X ~ Normal(log scale, s^2) (scipy.stats.lognorm(s, scale=scale))."""

    s: float
    scale: float

    def cdf(self, x: Any) -> Any:
        z = np.asarray(x, dtype=float) / self.scale
        with np.errstate(divide="ignore"):
            inside = special.ndtr(np.log(np.where(z > 0, z, 1.0)) / self.s)
        return np.where(np.isnan(z), np.nan, np.where(z <= 0, 0.0, np.where(np.isinf(z), 1.0, inside)))[()]

    def ppf(self, q: Any) -> Any:
        q = np.asarray(q, dtype=float)
        inside = np.exp(self.s * special.ndtri(np.clip(q, 0.0, 1.0))) * self.scale
        return np.where((q > 0) & (q < 1), inside, np.where(q == 0, 0.0, np.where(q == 1, np.inf, np.nan)))[()]

    def rvs(self, size: Any, random_state: np.random.Generator) -> np.ndarray:
        return np.exp(self.s * random_state.standard_normal(size)) * self.scale + 0.0

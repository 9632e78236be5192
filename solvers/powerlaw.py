"""Power-law tails by maximum likelihood (Clauset, Shalizi & Newman 2009).

alpha_hat = 1 + n / sum ln(x / x_min) for the tail x >= x_min, with x_min chosen to minimise the
Kolmogorov-Smirnov distance; against a log-normal tail, Vuong's normalised log-likelihood ratio
(R > 0 favours the power law; p the two-sided significance of its sign).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from provergame.lazy import optimize, stats

from provergame.errors import InvalidParameter


@dataclass(frozen=True)
class PowerLawFit:
    alpha: float
    xmin: float
    ks: float
    n_tail: int
    loglik_ratio: float
    p_value: float

    @property
    def favoured(self) -> str:
        if self.p_value > 0.1:
            return "undecided"
        return "power law" if self.loglik_ratio > 0 else "log-normal"


def _alpha(tail: np.ndarray, xmin: float) -> float:
    return 1.0 + len(tail) / float(np.sum(np.log(tail / xmin)))


def fit_power_law(x, min_tail: int = 10) -> PowerLawFit:
    x = np.sort(np.asarray(x, dtype=float))
    x = x[x > 0]
    if len(x) < min_tail or len(np.unique(x)) < 3:
        raise InvalidParameter("x", f"{len(x)} positive values", f"at least {min_tail} positive values, not all equal")
    best = None
    for xmin in np.unique(x)[:-min_tail + 1] if len(np.unique(x)) > min_tail else np.unique(x)[:1]:
        tail = x[x >= xmin]
        if len(tail) < min_tail:
            break
        a = _alpha(tail, xmin)
        cdf = 1 - (tail / xmin) ** (1 - a)
        emp = np.arange(1, len(tail) + 1) / len(tail)
        ks = float(np.max(np.abs(emp - cdf)))
        if best is None or ks < best[2]:
            best = (a, xmin, ks, len(tail))
    a, xmin, ks, n_tail = best
    tail = x[x >= xmin]
    ll_pl = np.log(a - 1) - np.log(xmin) - a * np.log(tail / xmin)
    # log-normal truncated to x >= xmin, fitted by maximum likelihood
    def nll(theta):
        mu, log_s = theta
        s = np.exp(log_s)
        z = (np.log(tail) - mu) / s
        norm = stats.norm.logsf((np.log(xmin) - mu) / s)
        return -np.sum(stats.norm.logpdf(z) - np.log(s * tail) - norm)
    start = [np.log(tail).mean(), np.log(np.log(tail).std() + 1e-6)]
    res = optimize.minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    mu, s = res.x[0], np.exp(res.x[1])
    ll_ln = (stats.norm.logpdf((np.log(tail) - mu) / s) - np.log(s * tail)
             - stats.norm.logsf((np.log(xmin) - mu) / s))
    diff = ll_pl - ll_ln
    sd = diff.std()
    R = float(diff.sum())
    p = float(2 * stats.norm.sf(abs(R) / (sd * np.sqrt(len(diff))))) if sd > 0 else 1.0
    return PowerLawFit(float(a), float(xmin), float(ks), int(n_tail), R, p)

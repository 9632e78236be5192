import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from provergame.solvers.metrics import gini, hhi, nakamoto

rewards = st.lists(st.floats(0, 100), min_size=1, max_size=50).filter(lambda r: sum(r) > 1e-6)


def test_known_values():
    assert hhi([1, 1, 1, 1]) == 0.25 and hhi([1, 0, 0]) == 1.0
    assert nakamoto([0.6, 0.2, 0.2]) == 1 and nakamoto([0.5, 0.5]) == 2 and nakamoto([1, 1, 1, 1]) == 3
    assert gini([1, 1, 1]) == 0 and np.isclose(gini([0, 0, 0, 1]), 0.75)
    assert hhi([0, 0]) == 0 and nakamoto([0, 0]) == 0 and gini([0, 0]) == 0


@given(rewards)
def test_metric_ranges(r):
    n = len(r)
    assert 1 / n - 1e-12 <= hhi(r) <= 1 + 1e-12
    assert 1 <= nakamoto(r) <= n
    assert -1e-12 <= gini(r) <= (n - 1) / n + 1e-12


@given(rewards, st.floats(0.01, 100), st.integers(0, 100))
def test_scale_and_permutation_invariance(r, scale, seed):
    perm = np.random.default_rng(seed).permutation(len(r))
    r2 = np.array(r)[perm] * scale
    assert np.isclose(hhi(r), hhi(r2)) and np.isclose(gini(r), gini(r2), atol=1e-12)
    assert nakamoto(r) == nakamoto(r2) or abs(np.sort(r)[::-1].cumsum()[nakamoto(r) - 1] / sum(r) - 0.5) < 1e-9


def test_nakamoto_counts_an_exact_half_as_not_more_than_half():
    """Shares 0.2, 0.2, 0.1 sum to exactly one half: a fourth prover is needed to exceed it, whatever
    the order the floating-point sums run in."""
    from provergame.solvers.metrics import nakamoto, nakamoto_rows
    reward = np.array([0.0161] * 2 + [0.00805] * 6)
    assert nakamoto(reward) == 4
    assert nakamoto(reward[::-1]) == 4 and nakamoto_rows(reward[None, :])[0] == 4


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_concentration_rows_match_the_scalar_metrics(seed, n):
    """hhi_rows and nakamoto_rows (the timeline's vectorised KPIs) equal hhi and nakamoto of the paid
    provers, row by row, on rewards full of exact ties (multiples of one reward)."""
    from provergame.solvers.metrics import hhi, hhi_rows, nakamoto, nakamoto_rows
    rewards = np.random.default_rng(seed).integers(0, 4, (30, n)) * 0.0161
    h, k = hhi_rows(rewards), nakamoto_rows(rewards)
    for row, hr, kr in zip(rewards, h, k):
        paid = row[row > 0]
        if paid.size:
            assert hr == pytest.approx(hhi(paid), abs=1e-12) and kr == nakamoto(paid)
        else:
            assert np.isnan(hr) and kr == 0

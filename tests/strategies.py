"""Hypothesis strategies shared by the tests."""
from hypothesis import strategies as st

import provergame as pg



@st.composite
def populations(draw, min_n=1, max_n=6, reliability=True, identical=False):
    n = draw(st.integers(min_n, max_n))
    real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if identical:
        cost, rate = draw(real(0.05, 5)), draw(real(0.1, 10))
        rel = draw(real(0.5, 1)) if reliability else 1.0
        return pg.Population.identical(n, cost=cost, rate=rate, reliability=rel)
    cost = draw(st.lists(real(0.05, 5), min_size=n, max_size=n))
    rate = draw(st.lists(real(0.1, 10), min_size=n, max_size=n))
    rel = draw(st.lists(real(0.5, 1), min_size=n, max_size=n)) if reliability else 1.0
    return pg.Population.from_arrays(cost=cost, rate=rate, reliability=rel)



"""The 1,000-claim soundness run of the proof engine (issue 12): seeded random claims from the same
family as tests/test_proof_engine.py, each checked against the exact grid oracle; prints the counts
by verdict. Run: python benchmarks/proof_soundness.py"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_proof_engine import check_claim, n, x, y  # noqa: E402

from provergame.proofs.engine import Theorem  # noqa: E402


def main(claims: int = 1000, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    coeffs = [1, 2, 3, -1, -2, sp.Rational(1, 3), sp.Rational(-5, 2), 0.5, 0.1, 0.9999999999999, 1e-13, -0.25]
    monos = [sp.Integer(1), x, y, x * y, x ** 2, y ** 2, n, 1 / n, x / n, n ** 2, y / (n + 1), x / y, 1 / (x + y)]
    rels = [sp.Ge, sp.Le, sp.Gt, sp.Lt, sp.Eq]
    hyps = [x >= y, sp.Eq(x, y), n >= 2, x <= 3, y >= 1, n <= 4, x >= 2 * y]
    counts: dict[str, int] = {}
    start = time.time()
    for _ in range(claims):
        def side():
            return sp.Add(*[rng.choice(coeffs) * rng.choice(monos) for _ in range(rng.randint(1, 3))])
        claim = Theorem("generated", rng.choice(rels)(side(), side()), tuple(rng.sample(hyps, rng.randint(0, 2))))
        status = check_claim(claim)          # asserts: no false "proved", every refutation confirmed
        counts[status] = counts.get(status, 0) + 1
    print(f"{claims} claims in {time.time() - start:.0f} s: {counts}; no claim violated on the grid was proved, "
          f"every refutation's counterexample confirmed exactly")
    return counts


if __name__ == "__main__":
    main()

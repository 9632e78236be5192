"""Provers and populations of provers: the players of every game."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

import numpy as np
from provergame.lazy import pandas as pd

from .errors import InvalidParameter, check_array, check_int, check_real

MAX_VALUE = 1e12          # largest cost, stake or capacity a prover may have
MIN_RATE, MAX_RATE = 1e-9, 1e9
MAX_POPULATION = 1_000_000


@dataclass(frozen=True)
class Prover:
    """One prover.

    Parameters
    ----------
    cost : float, default 1.0
        Cost per proof (or per unit of speed).
    rate : float, default 1.0
        Proving rate (exponential proving times).
    stake : float, default 0.0
        Stake.
    reliability : float, default 1.0
        Chance a started proof is valid and delivered.
    capacity : float, default 1.0
        Units of work per block (markets).
    name : str, default ""
        Its name.

    Examples
    --------
    >>> import provergame as pg
    >>> pg.Population.of([pg.Prover(cost=1.0, name="a"), pg.Prover(cost=2.0, name="b")]).names
    ('a', 'b')
    """

    cost: float = 1.0
    rate: float = 1.0
    stake: float = 0.0
    reliability: float = 1.0
    capacity: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        check_real("cost", self.cost, lo=0, hi=MAX_VALUE)
        check_real("rate", self.rate, lo=MIN_RATE, hi=MAX_RATE)
        check_real("stake", self.stake, lo=0, hi=MAX_VALUE)
        check_real("reliability", self.reliability, lo=0, hi=1)
        check_real("capacity", self.capacity, lo=0, hi=MAX_VALUE)


@dataclass(frozen=True, eq=False)
class Population:
    """Provers as columns of read-only arrays (one entry per prover).

    Parameters
    ----------
    cost : array_like
        Cost per proof (or per unit of speed), >= 0.
    rate : array_like
        Proofs per unit time of an exponential proving time, > 0.
    stake : array_like
        Stake, >= 0.
    reliability : array_like
        Chance a started proof is valid and delivered, in [0, 1].
    capacity : array_like
        Units of work per block (markets), >= 0.
    names : tuple of str, optional
        One name per prover (default p0, p1, ...).

    Notes
    -----
    Build one with `Population.from_arrays` (scalars broadcast), `identical` or `of`; `take(index)`
    keeps every column and name.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0], capacity=[2.0, 3.0, 1.5])
    >>> len(pop), pop.take([0, 2]).capacity.tolist()
    (3, [2.0, 1.5])
    """

    COLUMNS: ClassVar[tuple[str, ...]] = ("cost", "rate", "stake", "reliability", "capacity")

    cost: np.ndarray
    rate: np.ndarray
    stake: np.ndarray
    reliability: np.ndarray
    capacity: np.ndarray
    names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        cost = check_array("cost", np.atleast_1d(self.cost) if np.ndim(self.cost) == 0 else self.cost,
                           lo=0, hi=MAX_VALUE)
        n = len(cost)
        if not 1 <= n <= MAX_POPULATION:
            raise InvalidParameter("provers", n, f"from 1 to {MAX_POPULATION} provers")
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "rate", check_array("rate", self.rate, n, lo=MIN_RATE, hi=MAX_RATE))
        object.__setattr__(self, "stake", check_array("stake", self.stake, n, lo=0, hi=MAX_VALUE))
        object.__setattr__(self, "reliability", check_array("reliability", self.reliability, n, lo=0, hi=1))
        object.__setattr__(self, "capacity", check_array("capacity", self.capacity, n, lo=0, hi=MAX_VALUE))
        names = tuple(self.names) if self.names else tuple(f"p{i}" for i in range(n))
        if len(names) != n:
            raise InvalidParameter("names", self.names, f"{n} names, one per prover")
        object.__setattr__(self, "names", names)

    @classmethod
    def from_arrays(cls, cost: Any, rate: Any = 1.0, stake: Any = 0.0, reliability: Any = 1.0,
                    capacity: Any = 1.0, names: Sequence[str] | None = None) -> "Population":
        """Build a population from per-prover arrays; scalars broadcast to the length of `cost`."""
        cost_arr = check_array("cost", np.atleast_1d(np.asarray(cost, dtype=object)) if np.ndim(cost) == 0 else cost,
                               lo=0, hi=MAX_VALUE)
        n = len(cost_arr)
        if names is not None and (isinstance(names, str) or not all(isinstance(x, str) for x in names)):
            raise InvalidParameter("names", names, "a sequence of strings, one per prover")
        return cls(cost_arr, _broadcast(rate, n), _broadcast(stake, n), _broadcast(reliability, n),
                   _broadcast(capacity, n), tuple(names) if names else ())

    @classmethod
    def identical(cls, n: int, cost: float = 1.0, rate: float = 1.0, stake: float = 0.0,
                  reliability: float = 1.0, capacity: float = 1.0) -> "Population":
        n = check_int("n", n, lo=1)
        return cls.from_arrays(np.full(n, check_real("cost", cost, lo=0)), rate, stake, reliability, capacity)

    @classmethod
    def of(cls, provers: Sequence[Prover]) -> "Population":
        if not provers:
            raise InvalidParameter("provers", provers, "a non-empty sequence of Prover")
        cols = {k: [getattr(p, k) for p in provers] for k in cls.COLUMNS}
        return cls.from_arrays(names=[p.name or f"p{i}" for i, p in enumerate(provers)], **cols)

    def __len__(self) -> int:
        return self.cost.shape[0]

    def __getitem__(self, i: int) -> Prover:
        return Prover(float(self.cost[i]), float(self.rate[i]), float(self.stake[i]),
                      float(self.reliability[i]), float(self.capacity[i]), self.names[i])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return self.names == other.names and all(
            np.array_equal(getattr(self, k), getattr(other, k))
            for k in self.COLUMNS)

    def __hash__(self) -> int:
        return hash((self.names, self.cost.tobytes(), self.rate.tobytes(), self.stake.tobytes(),
                     self.reliability.tobytes(), self.capacity.tobytes()))

    @property
    def is_identical(self) -> bool:
        return all(np.all(a == a[0]) for a in (self.cost, self.rate, self.stake, self.reliability, self.capacity))

    def take(self, index: Any) -> "Population":
        """The provers at `index` (integers or a boolean mask), every column and name kept: the one slicer
        that residual games, timelines and sub-populations use."""
        idx = np.atleast_1d(np.asarray(index))
        if idx.dtype == bool:
            if idx.shape != (len(self),):
                raise InvalidParameter("index", f"mask of shape {idx.shape}", f"a boolean mask of length {len(self)}")
            idx = np.flatnonzero(idx)
        elif idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < -len(self) or idx.max() >= len(self)):
            raise InvalidParameter("index", index, f"integer positions of provers in [0, {len(self) - 1}]")
        return Population.from_arrays(names=[self.names[i] for i in idx],
                                      **{k: getattr(self, k)[idx] for k in self.COLUMNS})

    def replace(self, **columns: Any) -> "Population":
        data = {k: getattr(self, k) for k in self.COLUMNS}
        data.update(columns)
        return Population.from_arrays(names=self.names, **data)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"prover": self.names, "cost": self.cost, "rate": self.rate, "stake": self.stake,
                             "reliability": self.reliability, "capacity": self.capacity})


def _broadcast(value: Any, n: int) -> Any:
    if np.ndim(value) == 0 and isinstance(value, (int, float, np.integer, np.floating)) \
            and not isinstance(value, (bool, np.bool_)):
        return np.full(n, float(value))
    return value

"""Time in a scenario: the proving window every liveness is measured against, and the real length of
one unit of work, which turns per-unit quantities (bribes, user cost) into per-hour ones."""
from __future__ import annotations

from dataclasses import dataclass

from provergame.params import Real, param
from provergame.games.base import validate_fields

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Timing:
    """Time in a scenario: the proving window and the real length of one unit of work.

    Parameters
    ----------
    window : float, default 1.0
        A proof is on time if it lands within this many time units of the round's start (the time
        unit is the scenario's: a mean proving time at rate 1).
    slot_seconds : float, default 600.0
        How long one unit of work (one round, one block's proof) lasts in real time, so that
        3600 / slot_seconds units of work happen per hour.

    Examples
    --------
    >>> import provergame as pg
    >>> pg.Timing(window=1.0, slot_seconds=600).per_hour(2.5)
    15.0
    """

    window: float = param(Real(lo=0, lo_open=True, unit="time unit", doc="deadline for an on-time proof"), 1.0)
    slot_seconds: float = param(Real(lo=0, lo_open=True, hi=1e9, unit="second",
                                     doc="real duration of one unit of work"), 600.0)

    def __post_init__(self) -> None:
        validate_fields(self)

    @property
    def units_per_hour(self) -> float:
        return SECONDS_PER_HOUR / self.slot_seconds

    def per_hour(self, per_unit: float) -> float:
        """A quantity per unit of work, per hour of the network running."""
        return float(per_unit) * self.units_per_hour


DEFAULT = Timing()


def window_of(value: "Timing | float") -> float:
    """The proving window carried by `value`: a Timing's own (checked when it was built), or a bare
    number checked here, the one place a window is checked (> 0, finite)."""
    if isinstance(value, Timing):
        return value.window
    from provergame.errors import check_real
    return check_real("window", value, lo=0, lo_open=True)

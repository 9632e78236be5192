"""Report content per mechanism kind: tables, figures and notes beyond the common analysis.

A mechanism module holds rules, payoffs and its solver; what a report shows about it lives here,
one module per family, each function registered for a game kind with `sections.section`.
"""
from __future__ import annotations

from typing import Any

from . import deployed, market, race, sequencer, vrf  # noqa: F401  (each registers its sections)
from .sections import SECTIONS, section

__all__ = ["SECTIONS", "extras", "section"]


def extras(game: Any, profile: Any) -> dict[str, Any]:
    """The report sections of `game` at `profile` (empty for kinds without any)."""
    fn = SECTIONS.get(game.kind)
    return dict(fn(game, profile)) if fn else {}

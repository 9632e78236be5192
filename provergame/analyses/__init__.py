"""Report content per mechanism kind: tables, figures and notes beyond the common analysis.

A mechanism module holds rules, payoffs and its solver; what a report shows about it lives here,
keyed by the game's registered kind:

    @section("winner_takes_all")
    def winner_takes_all(game, profile) -> dict[str, DataFrame | Figure | str]: ...
"""
from __future__ import annotations

from typing import Any, Callable

_SECTIONS: dict[str, Callable[[Any, Any], dict[str, Any]]] = {}


def section(kind: str) -> Callable[[Callable[[Any, Any], dict[str, Any]]], Callable[[Any, Any], dict[str, Any]]]:
    """Register the report sections of one game kind."""
    def add(fn: Callable[[Any, Any], dict[str, Any]]) -> Callable[[Any, Any], dict[str, Any]]:
        _SECTIONS[kind] = fn
        return fn
    return add


def extras(game: Any, profile: Any) -> dict[str, Any]:
    """The report sections of `game` at `profile` (empty for kinds without any)."""
    from . import deployed, market, race, sequencer, vrf  # noqa: F401  (registers the sections)
    fn = _SECTIONS.get(game.kind)
    return dict(fn(game, profile)) if fn else {}

"""Issue 28: every constant of the bundled network scenarios says where it comes from: an inline source,
unit or assumption note, or the sourced/assumption header of the file (aztec-fernet-timeline)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
NETWORK = ["aztec-fernet-timeline.toml", "aztec-multiproof.toml", "taiko-alpha4.toml", "boundless.toml"]
STRUCTURAL = {"kind", "label", "mechanism", "booster", "scores", "seed", "name", "description", "rounds", "window",
              "slot_seconds", "blocks_per_day"}


@pytest.mark.parametrize("name", NETWORK)
def test_every_network_constant_is_sourced_or_labelled_an_assumption(name):
    text = (SCENARIOS / name).read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#")).lower()
    assert "assumption" in header and ("source" in header or "illustrative" in header), name
    bare = [line for line in text.splitlines()
            if re.match(r"^[a-z_]+ = ", line) and line.split(" =")[0] not in STRUCTURAL
            and not re.search(r"#\s*(source|unit|assumption|sourced)", line)]
    assert bare == [], f"{name}: constants without a source or assumption note: {bare}"

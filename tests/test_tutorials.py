"""The tutorials (docs/tutorials/*.md, jupytext markdown notebooks) run end to end in a fresh kernel;
each asserts its headline numbers against an independent computation inside the notebook."""
from __future__ import annotations

from pathlib import Path

import pytest

TUTORIALS = sorted(p for p in (Path(__file__).resolve().parents[1] / "docs" / "tutorials").glob("*.md")
                   if p.name != "index.md")


def test_every_tutorial_is_listed_on_the_index():
    index = (TUTORIALS[0].parent / "index.md").read_text()
    assert len(TUTORIALS) >= 7
    for path in TUTORIALS:
        assert f"]({path.name})" in index, path.name


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_and_its_checks_hold(path, tmp_path):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    notebook = jupytext.read(path)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert any("assert" in c.source for c in code), "a tutorial checks its numbers"
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []

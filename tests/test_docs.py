"""The documentation site builds in strict mode (a broken link or anchor, a docstring griffe cannot
read, a public name missing from the API reference or lacking its numpydoc sections, a mechanism
without sources: each fails the build), and it holds a page for every mechanism and every public name."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import provergame as pg

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.xdist_group("docs")   # one pytest-xdist worker builds the site once: two builds at
                                               # once would both rewrite docs/hooks.py's build/api-tree


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "WARNING" not in run.stderr, run.stderr[-4000:]
    return out


def test_every_mechanism_has_a_page(site):
    fresh = subprocess.run([sys.executable, "-c", "import provergame as pg; print(*pg.games.registered())"],
                           capture_output=True, text=True, check=True).stdout.split()   # not tests' own kinds
    assert len(fresh) >= 26
    for kind in fresh:
        page = (site / "mechanisms" / kind / "index.html").read_text()
        assert "Sources" in page and "Limitations" in page and "Theorems" in page, kind


def test_every_public_name_is_in_the_api_reference(site):
    page = (site / "api" / "index.html").read_text()
    for name in pg.__all__:
        if name not in {"games", "proofs", "solvers", "__version__"}:
            assert f"pg.{name}" in page, name


def test_reports_tutorials_and_benchmarks_are_published(site):
    decision = (site / "reports" / "decision.html").read_text()
    assert "plotly" in decision[:200_000].lower() and 'href="winner_takes_all/"' in decision
    for target in re.findall(r'href="([\w.-]+)/(?:#[^"]*)?"', decision):
        assert (site / "reports" / target / "index.html").is_file(), target
    for page in ("reports/index.html", "reports/decision.html", "reports/winner_takes_all/index.html", "tutorials/gas_shock/index.html",
                 "benchmarks/nplayer/index.html", "concepts/timing/index.html", "getting-started/index.html"):
        assert (site / page).is_file(), page

"""The HTML decision page (reports/index.html), opened in headless Chromium: no console errors, the
plotted points are the tables' rows, every link resolves, hover names the mechanism, the tables sort;
a screenshot of the hovered page is taken (into the test's temporary directory: a test never writes into
the checkout). Chromium is Debian's package (.ci/run installs it);
outside CI a machine without it skips the browser tests, in CI they fail."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from provergame.html_page import pareto_points, slugify

REPORTS = Path(__file__).resolve().parents[1] / "reports"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _browser_or_skip():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page():
    api = _browser_or_skip()
    errors: list[str] = []
    with api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("request", lambda r: errors.append(f"network request {r.url}")
               if not r.url.startswith(("file:", "data:", "about:")) else None)
        tab.goto((REPORTS / "index.html").as_uri())
        tab.wait_for_function("document.getElementById('pareto-front').data !== undefined")
        yield tab, errors
        browser.close()


def _table_after(tab, heading: str) -> pd.DataFrame:
    """The first table after the heading with this text, as the browser shows it."""
    rows = tab.evaluate("""(heading) => {
        const h = Array.from(document.querySelectorAll('h2, h3')).find(e => e.textContent.trim() === heading);
        let e = h.nextElementSibling;
        while (e && e.tagName !== 'TABLE') { e = e.nextElementSibling; }
        return Array.from(e.rows).map(r => Array.from(r.cells).map(c => c.innerText.trim()));
    }""", heading)
    return pd.DataFrame(rows[1:], columns=rows[0])


def _numbers(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce") for c in cols})


def test_no_console_errors_and_no_network(page):
    tab, errors = page
    tab.mouse.move(10, 10)
    assert errors == []


def test_plotted_points_are_the_tables_rows(page):
    tab, _ = page
    traces = tab.evaluate("""() => document.getElementById('pareto-front').data.map(
        t => ({name: t.name, x: t.x, y: t.y, who: t.customdata.map(c => c[0])}))""")
    plotted = {t["name"]: pd.DataFrame({"mechanism": t["who"], "x": t["x"], "y": t["y"]}) for t in traces}
    cols = ["user_cost per proof", "on-time liveness", "hhi", "stall bribe per hour"]
    front = _numbers(_table_after(tab, "Pareto front across mechanisms (as configured)"), cols)
    comparison = _numbers(_table_after(tab, "Comparison at equilibrium (as configured)"), cols).dropna(subset=cols)
    on_front = plotted["Pareto front"].set_index("mechanism").sort_index()
    assert list(on_front.index) == sorted(front["mechanism"])
    expected = front.set_index("mechanism").sort_index()
    np.testing.assert_allclose(on_front["x"], expected["user_cost per proof"], rtol=5e-4)
    np.testing.assert_allclose(on_front["y"], expected["on-time liveness"], rtol=5e-4)
    every = pd.concat(plotted.values()).set_index("mechanism").sort_index()
    table = comparison.set_index("mechanism").sort_index()
    assert list(every.index) == list(table.index)
    np.testing.assert_allclose(every["x"], table["user_cost per proof"], rtol=5e-4)
    np.testing.assert_allclose(every["y"], table["on-time liveness"], rtol=5e-4)


def test_every_link_resolves(page):
    tab, _ = page
    hrefs = tab.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    ids = set(tab.evaluate("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
    assert len(hrefs) > 30
    for href in hrefs:
        assert not href.startswith(("http:", "https:")), href
        target, _, anchor = href.partition("#")
        if not target:
            assert anchor in ids, href
            continue
        path = REPORTS / target
        assert path.is_file(), href
        if anchor:
            headings = re.findall(r"^#+ (.+)$", path.read_text(), flags=re.M)
            assert anchor in {slugify(h) for h in headings}, href


def test_hover_names_the_mechanism(page, tmp_path):
    tab, _ = page
    first = tab.evaluate("() => document.getElementById('pareto-front').data[1].customdata[0][0]")
    tab.evaluate("() => Plotly.Fx.hover('pareto-front', [{curveNumber: 1, pointNumber: 0}])")
    label = tab.evaluate("() => document.querySelector('#pareto-front .hoverlayer').textContent")
    assert first in label and "HHI" in label and "stall bribe per hour" in label
    tab.evaluate("() => document.getElementById('trade-offs').scrollIntoView()")
    tab.evaluate("() => Plotly.Fx.hover('pareto-front', [{curveNumber: 1, pointNumber: 0}])")
    shot = tmp_path / "decision_page.png"
    tab.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


def test_a_click_sorts_a_table(page):
    tab, _ = page
    column = "user_cost per proof"
    header = tab.locator("table").nth(1).locator("th", has_text=column).first
    header.click()
    values = _numbers(_table_rows(tab, 1), [column])[column].dropna().to_numpy()
    assert len(values) >= 2 and np.all(np.diff(values) >= 0)
    header.click()
    again = _numbers(_table_rows(tab, 1), [column])[column].dropna().to_numpy()
    assert np.all(np.diff(again) <= 0)


def _table_rows(tab, k: int) -> pd.DataFrame:
    rows = tab.evaluate("""(k) => Array.from(document.querySelectorAll('table')[k].rows).map(
        r => Array.from(r.cells).map(c => c.innerText.trim()))""", k)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_front_is_exactly_the_undominated_rows():
    """pareto_points' mask against a brute force over every pair (lower cost and HHI, higher liveness
    and stall bribe are better), on random frames with ties."""
    rng = np.random.default_rng(3)
    for _ in range(50):
        n = int(rng.integers(2, 12))
        values = rng.integers(0, 4, size=(n, 4)).astype(float)
        frame = pd.DataFrame(values, columns=["user_cost per proof", "hhi", "on-time liveness", "stall bribe per hour"])
        frame["mechanism"] = [f"m{i}" for i in range(n)]
        from provergame.solvers.pareto import pareto_mask
        mask = pareto_mask(values, [False, False, True, True])
        signed = values * np.array([1, 1, -1, -1])
        brute = [not any(np.all(signed[j] <= signed[i]) and np.any(signed[j] < signed[i]) for j in range(n))
                 for i in range(n)]
        assert list(mask) == brute
        assert list(pareto_points(frame, mask)["front"]) == brute

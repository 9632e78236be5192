"""The decision page as one self-contained HTML file (no network at view time): index.md rendered, its
figures embedded, the Pareto front an interactive Plotly chart (hover names a mechanism and its
numbers), every table sortable by a click on its header.

Plotly rather than vega-lite through Altair: one pure-Python wheel that carries its JavaScript, so the
page inlines it with no second tool (Altair needs vl-convert, a compiled binary, to inline vega)."""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path
import numpy as np
import pandas as pd

PARETO_DIV = "pareto-front"

_SORTABLE = """
document.querySelectorAll('table').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.title = 'sort by this column';
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.from(body.rows);
      var up = th.dataset.order !== 'asc';
      var key = function (row) {
        var text = row.cells[col] ? row.cells[col].innerText.trim() : '';
        var number = parseFloat(text.replace(/,/g, ''));
        return isNaN(number) ? [1, text.toLowerCase()] : [0, number];
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x[0] !== y[0]) { return x[0] - y[0]; }
        var c = x[1] < y[1] ? -1 : (x[1] > y[1] ? 1 : 0);
        return up ? c : -c;
      });
      table.querySelectorAll('th').forEach(function (h) { delete h.dataset.order; });
      th.dataset.order = up ? 'asc' : 'desc';
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f3f3f3; cursor: pointer; position: sticky; top: 0; }
th[data-order='asc']::after { content: ' \\25B2'; }
th[data-order='desc']::after { content: ' \\25BC'; }
code { background: #f6f6f6; padding: 0 0.2em; }
img { max-width: 100%; }
"""


def slugify(value: str, separator: str = "-") -> str:
    """GitHub's heading anchors (the ones the markdown pages link to): lower case, punctuation dropped,
    each space a hyphen."""
    value = re.sub(r"[^\w\s-]", "", value.strip().lower())
    return re.sub(r"\s", separator, value)


def pareto_points(frame: pd.DataFrame, front: np.ndarray) -> pd.DataFrame:
    """The mechanisms plotted: name, user cost per proof, on-time liveness, HHI, stall bribe per hour and
    whether it is on the front; mechanisms with any objective missing are left out (as in the PNG)."""
    cols = ["user_cost per proof", "on-time liveness", "hhi", "stall bribe per hour"]
    numeric = frame[cols].apply(pd.to_numeric, errors="coerce")
    keep = ~numeric.isna().any(axis=1).to_numpy()
    points = numeric[keep].assign(mechanism=frame["mechanism"][keep].to_numpy(), front=np.asarray(front)[keep])
    return points.reset_index(drop=True)


def pareto_figure(points: pd.DataFrame) -> str:
    """The Pareto front as a Plotly div (no script tag for plotly.js: the page carries it once)."""
    import plotly.graph_objects as go
    fig = go.Figure()
    for on_front, name, colour in ((False, "dominated", "#999999"), (True, "Pareto front", "#d62728")):
        part = points[points["front"] == on_front]
        fig.add_trace(go.Scatter(
            x=part["user_cost per proof"].tolist(), y=part["on-time liveness"].tolist(), mode="markers",
            name=name, marker={"color": colour, "size": 11 if on_front else 8},
            customdata=part[["mechanism", "hhi", "stall bribe per hour"]].to_numpy().tolist(),
            hovertemplate=("<b>%{customdata[0]}</b><br>user cost per proof %{x:.4g}<br>on-time liveness %{y:.4g}"
                           "<br>HHI %{customdata[1]:.4g}<br>stall bribe per hour %{customdata[2]:.4g}<extra></extra>")))
    fig.update_layout(title="Designs as configured: user cost vs on-time liveness (hover a point)",
                      xaxis={"title": "user cost per proof (token)", "type": "log"},
                      yaxis={"title": "on-time liveness"}, template="plotly_white", height=480)
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=PARETO_DIV,
                       config={"displaylogo": False, "responsive": True})


def _embed_images(body: str, out: Path) -> str:
    """Every local PNG the page shows, inlined as a data URI (the page stands alone)."""
    def inline(match: re.Match[str]) -> str:
        path = out / html.unescape(match.group(1))
        if not path.is_file():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'
    return re.sub(r'src="([^":]+\.png)"', inline, body)


def render(markdown_text: str, out: Path, figure: str | None) -> str:
    """index.md as one HTML document: the Pareto PNG replaced by `figure` (when given), the other figures
    embedded, the tables sortable."""
    import markdown
    from plotly.offline import get_plotlyjs
    body = markdown.markdown(markdown_text, extensions=["tables", "toc"],
                             extension_configs={"toc": {"slugify": slugify}})
    if figure is not None:
        body = re.sub(r'<p><img alt="Pareto front" src="pareto_front.png" ?/?></p>', lambda _: figure, body)
    body = _embed_images(body, out)
    title = re.search(r"<h1[^>]*>(.*?)</h1>", body)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title.group(1) if title else 'provergame report'}</title>\n<style>{_STYLE}</style>\n"
            f"<script>{get_plotlyjs()}</script>\n</head>\n<body>\n{body}\n<script>{_SORTABLE}</script>\n"
            "</body>\n</html>\n")


def write_html(out: Path, markdown_text: str, pareto: tuple[pd.DataFrame, np.ndarray] | None) -> Path:
    """Write out/index.html from the decision page's markdown and its Pareto rows (frame, front mask)."""
    figure = pareto_figure(pareto_points(*pareto)) if pareto is not None else None
    path = out / "index.html"
    path.write_text(render(markdown_text, out, figure), encoding="utf-8")
    return path

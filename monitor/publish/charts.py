"""Plotly charts: each a figure's data and layout, which `assets/charts.js` draws with plotly.js
from the chart's `data-plot` attribute (no inline script), adding the layout and config every
chart shares. `board_charts` is the one
place a dashboard's chart set is assembled."""

from __future__ import annotations

import html
import json

from markupsafe import Markup

from monitor.publish.context import KINDS, MIN_JUDGED, fmt_rate


def _label(text) -> str:
    """Plotly renders a subset of HTML in labels: escape so values show as text."""
    return html.escape(str(text), quote=True)


def chart(chart_id: str, data: list, layout: dict) -> dict:
    """A chart's id and figure (data and layout) as JSON; `assets/charts.js` adds what every
    chart shares (font, white background, no mode bar, responsive), so no page repeats it."""
    layout = {"margin": {"l": 60, "r": 20, "t": 20, "b": 60}, **layout}
    return {"id": chart_id, "figure": figure_json({"data": data, "layout": layout})}


def figure_json(figure: dict) -> str:
    """A figure as compact JSON with <, > and / escaped, as plotly's `to_json_plotly` writes
    it, without its per-call look-ups (a national publish draws a chart on every case page)."""
    text = json.dumps(figure, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("/", "\\u002f")


def in_single_quotes(figure: str) -> Markup:
    """A figure's JSON as the value of a single-quoted HTML attribute: only & and ' escaped (its
    < and > are already), where a double-quoted one would spell each of its quotes `&#34;`."""
    return Markup(figure.replace("&", "&amp;").replace("'", "&#39;"))


def board_charts(board: dict, responses: bool) -> dict[str, dict]:
    """An area's or commissioner's charts by name: the rates and the trend when it has duties,
    the responses to recommendations when `responses`."""
    charts = {}
    if board["duties"]:
        charts["rates"] = rates_chart("chart-rates", board["duties"])
        charts["trend"] = trend_chart("chart-trend", board["months"])
    if responses:
        charts["response"] = response_chart("chart-response", board["bins"])
        charts["outcomes"] = outcome_chart("chart-outcomes", board["outcomes"])
    return charts


def _count_ticks(top: int) -> dict:
    """Whole-number ticks for counts (small counts would otherwise repeat rounded ticks)."""
    return {"tick0": 0, "dtick": 1} if top <= 10 else {}


def rates_chart(chart_id: str, rows: list[dict]) -> dict:
    """The rate per duty as bars, with England's rate as a marker on each."""
    shown = [r for r in rows if r["rate"] is not None]
    labels = [_label(r["short_title"]) for r in shown]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "name": "This body",
            "x": [round(r["rate"] * 100, 1) for r in shown],
            "text": [f"{fmt_rate(r['rate'])} of {r['n']}" for r in shown],
            "textposition": "auto",
            "marker": {"color": "#1d70b8"},
            "hovertemplate": "%{y}: %{x:.0f}%<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "y": labels,
            "name": "England",
            "x": [None if r["england_rate"] is None else round(r["england_rate"] * 100, 1) for r in shown],
            "marker": {"symbol": "diamond", "size": 12, "color": "#0b0c0c", "line": {"color": "#ffffff", "width": 1}},
            "hovertemplate": "England %{y}: %{x:.0f}%<extra></extra>",
        },
    ]
    layout = {
        "xaxis": {"range": [0, 100], "title": {"text": "Compliance rate (%)"}, "ticksuffix": "%"},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "legend": {"orientation": "h", "y": -0.25},
        "height": 120 + 36 * max(len(shown), 1),
        "margin": {"l": 10, "r": 20, "t": 10, "b": 80},
    }
    return chart(chart_id, data, layout)


def trend_chart(chart_id: str, months: list[dict]) -> dict:
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "All duties",
            "x": [m["month"] + "-01" for m in months],
            "y": [None if m["rate"] is None else round(m["rate"] * 100, 1) for m in months],
            "customdata": [m["n"] for m in months],
            "line": {"color": "#1d70b8", "width": 3},
            "marker": {"symbol": "circle", "size": 7},
            "hovertemplate": "%{x|%b %Y}: %{y:.0f}% of %{customdata}<extra></extra>",
        }
    ]
    layout = {
        "xaxis": {"type": "date", "title": {"text": "Month the duty fell due"}, "tickformat": "%b %Y"},
        "yaxis": {"range": [0, 105], "title": {"text": "Compliance rate (%)"}, "ticksuffix": "%"},
        "height": 340,
    }
    return chart(chart_id, data, layout)


def response_chart(chart_id: str, bins: dict) -> dict:
    on_time = [b for b in bins["bins"] if not b["late"]]
    late = [b for b in bins["bins"] if b["late"]]
    data = [
        {
            "type": "bar",
            "name": f"Within {bins['weeks']} weeks",
            "x": [b["label"] for b in on_time],
            "y": [b["n"] for b in on_time],
            "marker": {"color": "#1d70b8"},
            "hovertemplate": "days %{x}: %{y}<extra></extra>",
        },
        {
            "type": "bar",
            "name": f"After {bins['weeks']} weeks",
            "x": [b["label"] for b in late],
            "y": [b["n"] for b in late],
            "marker": {"color": "#d4351c", "pattern": {"shape": "/", "fgcolor": "#ffffff", "fillmode": "overlay"}},
            "hovertemplate": "days %{x}: %{y}<extra></extra>",
        },
    ]
    boundary = len(on_time) - 0.5
    layout = {
        "barmode": "overlay",
        "bargap": 0.1,
        "height": 340,
        "legend": {"orientation": "h", "y": -0.3},
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [b["label"] for b in bins["bins"]],
            "title": {"text": "Days taken to respond (the day the recommendation was made is day 1)"},
        },
        "yaxis": {
            "title": {"text": "Recommendations"},
            "rangemode": "tozero",
            "tickformat": "d",
            **_count_ticks(max([b["n"] for b in bins["bins"]], default=0)),
        },
        "margin": {"l": 60, "r": 20, "t": 30, "b": 110},
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": boundary,
                "x1": boundary,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#0b0c0c", "width": 2, "dash": "dash"},
            }
        ],
        "annotations": [
            {
                "xref": "x",
                "yref": "paper",
                "x": boundary,
                "y": 1.06,
                "showarrow": False,
                "xanchor": "left",
                "text": f"{bins['weeks']}-week deadline (day {bins['limit']})",
            }
        ],
    }
    return chart(chart_id, data, layout)


def outcome_chart(chart_id: str, outcomes: dict) -> dict:
    styles = {
        "health": {"color": "#1d70b8"},
        "social_care": {"color": "#f47738", "pattern": {"shape": "x", "fgcolor": "#0b0c0c", "fillmode": "overlay"}},
    }
    data = [
        {
            "type": "bar",
            "name": label,
            "x": [r["outcome"] for r in outcomes["rows"]],
            "y": [r[key] for r in outcomes["rows"]],
            "marker": styles[key],
            "text": [str(r[key]) for r in outcomes["rows"]],
            "textposition": "outside",
            "hovertemplate": f"{label}: %{{x}} %{{y}}<extra></extra>",
        }
        for key, label in KINDS
    ]
    layout = {
        "barmode": "group",
        "height": 340,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {
            "title": {"text": "Responses"},
            "rangemode": "tozero",
            "tickformat": "d",
            **_count_ticks(max([r[k] for r in outcomes["rows"] for k, _ in KINDS], default=0)),
        },
        "margin": {"l": 60, "r": 20, "t": 20, "b": 90},
    }
    return chart(chart_id, data, layout)


def heatmap_chart(chart_id: str, areas: list[dict], duties: list[str], titles: dict[str, str]) -> dict:
    z, text = [], []
    for a in areas:  # a rate on fewer than MIN_JUDGED judged findings is marked "few"
        z.append([None if a["rates"][d] is None else round(a["rates"][d] * 100, 1) for d in duties])
        text.append([fmt_rate(a["rates"][d]) + (" few" if 0 < a["ns"][d] < MIN_JUDGED else "") for d in duties])
    data = [
        {
            "type": "heatmap",
            "x": [_label(titles[d]) for d in duties],
            "y": [_label(f"{a['area_code']} {a['name']}") for a in areas],
            "z": z,
            "text": text,
            "texttemplate": "%{text}",
            "zmin": 0,
            "zmax": 100,
            "xgap": 2,
            "ygap": 2,
            # no pale middle: 50–80% is orange to mid-blue, not a neutral white
            "colorscale": [[0, "#942514"], [0.5, "#f47738"], [0.8, "#5694ca"], [1, "#003078"]],
            "colorbar": {
                "title": {"text": "Rate %"},
                "ticksuffix": "%",
                "tickvals": [0, 25, 50, 75, 100],
                "lenmode": "fraction",
                "len": 1,
                "yanchor": "top",
                "y": 1,
                "outlinewidth": 0,
            },
            "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
            "hoverongaps": False,
        }
    ]
    layout = {
        "height": 220 + 26 * max(len(areas), 1),  # the colour key's whole length even for one area
        "xaxis": {"side": "top", "tickangle": -35, "automargin": True},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
    }
    return chart(chart_id, data, layout)


def timeline_chart(chart_id: str, events: list[dict]) -> dict | None:
    """One case's dated events, a row per record type, with its deadlines as red diamonds."""
    if not events:
        return None
    tracks = list(dict.fromkeys(e["track"] for e in events if e["track"] != "deadline")) + ["deadline"]
    data = []
    for deadline in (False, True):
        shown = [e for e in events if (e["track"] == "deadline") == deadline]
        if not shown:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Deadlines" if deadline else "Events",
                "x": [e["on"].isoformat() for e in shown],
                "y": [e["track"] for e in shown],
                "text": [_label(e["label"]) for e in shown],
                "marker": (
                    {"symbol": "diamond-open", "size": 13, "color": "#d4351c", "line": {"width": 2}}
                    if deadline
                    else {"symbol": "circle", "size": 10, "color": "#1d70b8"}
                ),
                "hovertemplate": "%{x|%-d %b %Y}: %{text}<extra></extra>",
            }
        )
    layout = {
        "xaxis": {"type": "date", "tickformat": "%b %Y", "title": {"text": "Date"}},
        "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": tracks[::-1], "automargin": True},
        "legend": {"orientation": "h", "y": -0.35},
        "height": 140 + 40 * len(tracks),
        "margin": {"l": 10, "r": 20, "t": 10, "b": 90},
    }
    return chart(chart_id, data, layout)

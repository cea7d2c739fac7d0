"""Plotly figures for the monitoring page, drawn from contractgen.metrics results (already aggregated)."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

KIND_COLORS = {"timeout": "#d62728", "connection": "#ff7f0e", "rate_limit": "#9467bd", "server_error": "#8c564b",
               "truncated": "#e377c2", "malformed": "#7f7f7f", "length": "#bcbd22", "fatal": "#17becf"}


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, margin=dict(l=10, r=10, t=40, b=10), height=320, legend_title_text="")
    return fig


def faults_over_time(series: list[dict]) -> go.Figure:
    frame = pd.DataFrame(series)
    kinds = [c for c in frame.columns if c.startswith("faults_")]
    # The total column is also called "faults": drop it, the stacked kinds add up to it.
    long = frame[["start", *kinds]].melt(id_vars=["start"], var_name="kind", value_name="count")
    long["kind"] = long["kind"].str.removeprefix("faults_")
    fig = px.bar(long, x="start", y="count", color="kind", color_discrete_map=KIND_COLORS, labels={"count": "faults"})
    return _layout(fig, "Faults over time, by kind")


def resume_success_over_time(series: list[dict]) -> go.Figure:
    frame = pd.DataFrame(series)
    fig = px.line(frame, x="start", y="resume_success_rate", markers=True)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return _layout(fig, "Resume success rate over time")


def resume_time_histogram(times: list[dict]) -> go.Figure:
    frame = pd.DataFrame(times or [{"auto": True, "seconds": None}])
    frame["resume"] = frame["auto"].map({True: "automatic", False: "manual"})
    fig = px.histogram(frame, x="seconds", color="resume", barmode="overlay", nbins=40,
                       color_discrete_map={"automatic": "#1f4e79", "manual": "#ff7f0e"})
    fig.update_xaxes(title="seconds from fault to first new token")
    return _layout(fig, "Resume time (automatic vs manual)")


def ttft_histogram(rows: list[dict]) -> go.Figure:
    fig = px.histogram(pd.DataFrame(rows or [{"ttft": None}]), x="ttft", nbins=40)
    fig.update_xaxes(title="seconds to first token")
    return _layout(fig, "Time to first token")


def throughput_histogram(rows: list[dict]) -> go.Figure:
    fig = px.histogram(pd.DataFrame(rows or [{"chars_per_second": None}]), x="chars_per_second", nbins=40)
    fig.update_xaxes(title="output characters per second")
    return _layout(fig, "Throughput")


def cost_and_calls_by_mode(rows: list[dict]) -> go.Figure:
    frame = pd.DataFrame(rows or [{"value": "", "cost_per_document": 0, "calls": 0, "documents": 1}])
    frame["calls per document"] = frame["calls"] / frame["documents"].clip(lower=1)
    fig = go.Figure([
        go.Bar(name="cost per document (USD)", x=frame["value"], y=frame["cost_per_document"].fillna(0), yaxis="y"),
        go.Bar(name="calls per document", x=frame["value"], y=frame["calls per document"], yaxis="y2"),
    ])
    fig.update_layout(barmode="group", yaxis=dict(title="USD", rangemode="tozero"),
                      yaxis2=dict(title="calls", overlaying="y", side="right", rangemode="tozero"))
    return _layout(fig, "Cost and calls per document, by mode")


JOIN_COLORS = {"exact": "#2ca02c", "unverified": "#d62728"}


def seams_by_join(quality: dict) -> go.Figure:
    from contractgen.seam import JOINS

    frame = pd.DataFrame([{"join": JOINS[j], "seams": n, "key": j} for j, n in quality["by_join"].items() if n]
                         or [{"join": "", "seams": 0, "key": "exact"}])
    frame["color"] = frame["key"].map(lambda k: JOIN_COLORS.get(k, "#1f77b4"))
    fig = go.Figure(go.Bar(x=frame["seams"], y=frame["join"], orientation="h", marker_color=frame["color"]))
    fig.update_xaxes(title="seams", rangemode="tozero")
    return _layout(fig, "How resumed text joined (seams)")


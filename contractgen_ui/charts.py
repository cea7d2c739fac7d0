"""Plotly figures and labels for the monitoring page, drawn from contractgen.metrics results (already aggregated).

Rules every figure follows (a product owner reads them without asking): axis titles in words with their unit, one
measure per chart (one axis), fault kinds in plain words (storage.FAULT_LABELS), time ticks that suit the range
(never milliseconds for hourly buckets), and figures of the template engine never pooled with a model's: it streams
thousands of times faster and costs nothing, so each engine gets its own panel.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from contractgen.metrics import BUCKETS
from contractgen.storage import FAULT_KINDS, FAULT_LABELS

KIND_COLORS = {"timeout": "#d62728", "connection": "#ff7f0e", "rate_limit": "#9467bd", "server_error": "#8c564b",
               "truncated": "#e377c2", "malformed": "#7f7f7f", "length": "#bcbd22", "fatal": "#17becf"}
LABEL_COLORS = {FAULT_LABELS[k].capitalize(): c for k, c in KIND_COLORS.items()}
MODE_LABELS = {"stream": "Stream (one call)", "chunks": "Chunks (a call per group)", "sections": "Sections (a call each)"}
PROVIDER_LABELS = {"offline": "Offline template engine", "openai": "OpenAI or compatible server"}


def kind_label(kind: str) -> str:
    return FAULT_LABELS.get(kind, kind.replace("_", " ")).capitalize()


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, str(mode))


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, str(provider))


def _layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(title=title, margin=dict(l=10, r=10, t=40, b=10), height=height, legend_title_text="",
                      hoverlabel=dict(namelength=-1))
    return fig


def _empty(title: str, note: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def seconds(value: float | None) -> str:
    return "–" if value is None else (f"{value * 1000:.0f} ms" if value < 1 else f"{value:,.1f} s")


def points(value: float | None) -> str | None:
    """A change of a rate, in percentage points (None: no comparison to show)."""
    return None if value is None else f"{value * 100:+.1f} pts"


def bucket_for(first: dt.date, last: dt.date) -> str:
    """Hours for a range of up to two days, else days: a few dozen bars either way for a month."""
    return "day" if (last - first).days > 2 else "hour"


def time_axis(fig: go.Figure, series: list[dict], bucket: str) -> go.Figure:
    """Ticks at whole hours or days, whatever the range: the axis spans the buckets (half a bucket either side),
    so one or two buckets do not zoom Plotly's automatic axis down to milliseconds."""
    if not series:
        return fig
    size = BUCKETS[bucket]
    first, last = series[0]["bucket"], series[-1]["bucket"]
    as_ms = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).replace(tzinfo=None)  # noqa: E731
    span = (last - first) / size + 1
    fig.update_xaxes(type="date", range=[as_ms(first - size / 2), as_ms(last + size / 2)], title="",
                     tickformat="%b %-d, %H:%M" if bucket == "hour" else "%b %-d",
                     # At most about 12 labels: every bucket when few, else Plotly's choice of whole multiples.
                     dtick=size * 1000 * max(1, round(span / 12)) if span <= 48 else None,
                     hoverformat="%Y-%m-%d %H:%M UTC" if bucket == "hour" else "%Y-%m-%d (UTC)")
    return fig


def faults_over_time(series: list[dict], bucket: str) -> go.Figure:
    frame = pd.DataFrame(series)
    kinds = [c for c in frame.columns if c.startswith("faults_")]
    if frame.empty or not kinds:
        return _empty("Faults over time, by kind", "No faults in this selection.")
    long = frame[["start", *kinds]].melt(id_vars=["start"], var_name="kind", value_name="faults")
    long["kind"] = long["kind"].str.removeprefix("faults_").map(kind_label)
    long["start"] = pd.to_datetime(long["start"], utc=True).dt.tz_localize(None)
    fig = px.bar(long, x="start", y="faults", color="kind", color_discrete_map=LABEL_COLORS,
                 labels={"faults": "faults", "start": "", "kind": "kind"},
                 category_orders={"kind": [kind_label(k) for k in FAULT_KINDS]})
    fig.update_traces(hovertemplate="%{x}<br>%{fullData.name}: %{y} fault(s)<extra></extra>")
    fig.update_yaxes(title=f"faults per {bucket}", rangemode="tozero")
    return _layout(time_axis(fig, series, bucket), "Faults over time, by kind")


def resume_success_over_time(series: list[dict], bucket: str) -> go.Figure:
    frame = pd.DataFrame(series)
    if frame.empty or frame["resume_success_rate"].isna().all():
        return _empty("Resume success over time", "No resumes in this selection.")
    frame["start"] = pd.to_datetime(frame["start"], utc=True).dt.tz_localize(None)
    fig = go.Figure(go.Scatter(
        x=frame["start"], y=frame["resume_success_rate"], mode="lines+markers", connectgaps=False,
        customdata=frame[["resume_successes", "resume_attempts"]],
        hovertemplate="%{x}<br>%{y:.0%} of resumes delivered new text (%{customdata[0]} of %{customdata[1]})"
                      "<extra></extra>"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], title="resumes that delivered new text")
    return _layout(time_axis(fig, series, bucket), "Resume success over time")


def resume_time_histogram(times: list[dict]) -> go.Figure:
    frame = pd.DataFrame([t for t in times if t.get("seconds") is not None])
    if frame.empty:
        return _empty("Time to recover after a fault", "No resumes in this selection.")
    frame["resume"] = frame["auto"].map({True: "Automatic", False: "By hand (includes the person's wait)"})
    fig = px.histogram(frame, x="seconds", color="resume", barmode="overlay", nbins=40,
                       color_discrete_map={"Automatic": "#1f4e79", "By hand (includes the person's wait)": "#ff7f0e"},
                       labels={"seconds": "seconds from the fault to the first new text", "resume": ""})
    fig.update_traces(hovertemplate="%{x} s: %{y} resume(s)<extra></extra>")
    fig.update_yaxes(title="resumes")
    return _layout(fig, "Time to recover after a fault")


def _per_engine(rows: list[dict], column: str, title: str, axis: str, note: str, unit: str) -> go.Figure:
    """One histogram per engine, each on its own axis from 0 to its own largest value: the template engine's
    millions of characters a second and a model's few hundred never share a scale."""
    from plotly.subplots import make_subplots

    frame = pd.DataFrame(rows)
    if frame.empty or column not in frame or frame[column].isna().all():
        return _empty(title, note)
    frame = frame.dropna(subset=[column])
    engines = list(dict.fromkeys(frame["engine"]))
    fig = make_subplots(rows=len(engines), cols=1, subplot_titles=[f"<b>{e}</b>" for e in engines],
                        vertical_spacing=0.55 / len(engines) if len(engines) > 1 else 0.0)
    colors = px.colors.qualitative.D3
    for i, engine in enumerate(engines, 1):
        values = frame.loc[frame["engine"] == engine, column]
        top = float(values.max()) or 1.0
        fig.add_trace(go.Histogram(x=values, xbins=dict(start=0, end=top * 1.0001, size=top / 30), name=engine,
                                   marker_color=colors[(i - 1) % len(colors)],
                                   hovertemplate=f"%{{x}} {unit}: %{{y}} draft(s)<extra>{engine}</extra>"),
                      row=i, col=1)
        fig.update_xaxes(range=[0, top * 1.05], title=axis, row=i, col=1)
        fig.update_yaxes(title="drafts", rangemode="tozero", row=i, col=1)
    fig.for_each_annotation(lambda a: a.update(x=0.0, xanchor="left", font_size=12))
    fig.update_layout(showlegend=False, bargap=0.05)
    return _layout(fig, title, height=max(320, 250 * len(engines)))


def ttft_histogram(rows: list[dict]) -> go.Figure:
    return _per_engine(rows, "ttft", "Time to first text, per engine", "seconds from the request to the first text",
                       "No draft has written text yet.", "s")


def throughput_histogram(rows: list[dict]) -> go.Figure:
    return _per_engine(rows, "chars_per_second", "Writing speed, per engine", "characters per second while writing",
                       "No finished calls in this selection.", "characters/s")


def cost_per_document(rows: list[dict]) -> go.Figure:
    """Estimated cost per draft by mode, one bar per priced engine; USD only (calls have their own chart)."""
    frame = pd.DataFrame(rows)
    if frame.empty or not (frame["estimated_cost"] > 0).any():
        return _empty("Estimated cost per draft", "No priced model in this selection: template drafts cost nothing.")
    frame = frame[frame["estimated_cost"] > 0].copy()
    frame["mode"] = frame["mode"].map(mode_label)
    fig = px.bar(frame, x="mode", y="cost_per_document", color="engine", barmode="group",
                 labels={"cost_per_document": "US dollars per draft", "mode": "", "engine": ""})
    fig.update_traces(hovertemplate="%{x}<br>$%{y:.4f} per draft<extra>%{fullData.name}</extra>")
    fig.update_yaxes(tickprefix="$", rangemode="tozero")
    return _layout(fig, "Estimated cost per draft, by mode")


def calls_per_document(rows: list[dict]) -> go.Figure:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return _empty("Provider calls per draft", "No drafts in this selection.")
    frame["mode"] = frame["mode"].map(mode_label)
    fig = px.bar(frame, x="mode", y="calls_per_document", color="engine", barmode="group",
                 labels={"calls_per_document": "calls per draft", "mode": "", "engine": ""})
    fig.update_traces(hovertemplate="%{x}<br>%{y:.2f} calls per draft<extra>%{fullData.name}</extra>")
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, "Provider calls per draft, by mode (resumes included)")


JOIN_COLORS = {"exact": "#2ca02c", "unverified": "#d62728"}


def seams_by_join(quality: dict) -> go.Figure:
    from contractgen.seam import JOINS

    frame = pd.DataFrame([{"join": JOINS[j], "seams": n, "key": j} for j, n in quality["by_join"].items() if n]
                         or [{"join": "", "seams": 0, "key": "exact"}])
    frame["color"] = frame["key"].map(lambda k: JOIN_COLORS.get(k, "#1f77b4"))
    fig = go.Figure(go.Bar(x=frame["seams"], y=frame["join"], orientation="h", marker_color=frame["color"],
                           hovertemplate="%{y}: %{x} seam(s)<extra></extra>"))
    fig.update_xaxes(title="seams (places where a later call's text was joined on)", rangemode="tozero")
    return _layout(fig, "How resumed text joined the kept text")


# --- tables: human column names, units in the names -------------------------------------------------

def _when(t: float | None) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if t else ""


def engine_table(rows: list[dict]) -> pd.DataFrame:
    """One row per engine: what a product owner compares between the template engine and each model."""
    return pd.DataFrame([{
        "Engine": r["engine"], "Drafts": r["documents"],
        "Fault rate": r["fault_rate"], "Timeout rate": r["timeout_rate"],
        "Resume success": r["resume_success_rate"],
        "Time to first text (s, mean)": r["ttft_mean"],
        "Writing speed (characters/s)": r["output_chars_per_second"],
        "Calls per draft": r["calls_per_document"],
        "Tokens in per draft": r["tokens_in"] / r["documents"] if r["documents"] else None,
        "Tokens out per draft": r["tokens_out"] / r["documents"] if r["documents"] else None,
        "Cost per draft (USD)": None if r["unpriced_models"] and not r["estimated_cost"] else r["cost_per_document"],
    } for r in rows])


ENGINE_COLUMNS = {  # st.column_config arguments: format and one-line help per column
    "Fault rate": ("percent", "Drafts with at least one fault of any kind / drafts."),
    "Timeout rate": ("percent", "Drafts with at least one timeout (no data within the read timeout) / drafts."),
    "Resume success": ("percent", "Resumes that delivered new text / resumes."),
    "Time to first text (s, mean)": ("%.2f", "Mean seconds from the first request to the first text, per draft."),
    "Writing speed (characters/s)": ("%,.0f", "Characters written / seconds spent in provider calls."),
    "Calls per draft": ("%.2f", "Provider calls (resumes included) / drafts."),
    "Tokens in per draft": ("%,.0f", "Prompt tokens sent / drafts (resumes re-send context; estimated when the "
                                     "provider did not report them)."),
    "Tokens out per draft": ("%,.0f", "Tokens written / drafts (estimated as characters / 4 when not reported)."),
    "Cost per draft (USD)": ("dollar", "Estimated from tokens and contractgen/prices.toml; empty when unpriced."),
}


def kinds_table(k: dict) -> pd.DataFrame:
    """Per fault kind: how many drafts it struck and how often it happened, in plain words."""
    return pd.DataFrame([{
        "Fault": kind_label(kind), "Drafts affected": k["documents_by_fault_kind"][kind],
        "Share of drafts": k["fault_rate_by_kind"][kind], "Faults": k["faults_by_kind"].get(kind, 0),
    } for kind in FAULT_KINDS if k["documents_by_fault_kind"].get(kind)])


def latest_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Created": _when(r["created_at"]), "Status": r["status"], "Mode": mode_label(r["mode"]),
        "Model": r["model"], "Faults": r["faults"], "Resumes": r["resumes"], "Draft": f"/?doc={r['id']}",
    } for r in rows])


def csv_of(rows: list[dict]) -> str:
    frame = pd.DataFrame([{
        "draft id": r["id"], "created (UTC)": _when(r["created_at"]), "engine": r["engine"], "mode": r["mode"],
        "model": r["model"], "time to first text (s)": r["ttft"], "characters written": r["output_chars"],
        "writing speed (characters/s)": r["chars_per_second"],
    } for r in rows])
    return frame.to_csv(index=False)

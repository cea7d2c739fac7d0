"""Monitoring: timeout rate, resume success and resume time, computed in SQL by contractgen.metrics."""

import datetime as dt

import pandas as pd
import streamlit as st

from contractgen import metrics
from contractgen.generation import manager
from contractgen_ui import charts

store = manager().store
st.title("Monitoring")
options = metrics.filter_options(store)
if options["min_created_at"] is None:
    st.info("No generations yet. Draft a document on the Generate page, or fill the database with honest data:\n\n"
            "`contractgen simulate --documents 200 --fault-rate 0.3`", icon=":material/monitoring:")
    st.stop()

first = dt.datetime.fromtimestamp(options["min_created_at"], dt.timezone.utc).date()
last = dt.datetime.fromtimestamp(options["max_created_at"], dt.timezone.utc).date()
with st.container(border=True):
    dates, mode, model, provider, kind = st.columns([2, 1, 1, 1, 1])
    picked = dates.date_input("Dates (UTC)", (first, last), min_value=first, max_value=last, key="dates")
    filters = metrics.Filters(
        *metrics.day_range(picked[0].isoformat(), picked[-1].isoformat()) if picked else (None, None),
        modes=tuple(mode.multiselect("Mode", options["modes"], key="f_mode")),
        models=tuple(model.multiselect("Model", options["models"], key="f_model")),
        providers=tuple(provider.multiselect("Provider", options["providers"], key="f_provider")),
        doc_types=tuple(kind.multiselect("Type", options["doc_types"], key="f_type")))


def percent(value):
    return "–" if value is None else f"{value:.1%}"


def seconds(value):
    return "–" if value is None else f"{value:.2f} s"


@st.fragment(run_every="5s")
def dashboard() -> None:
    compared = metrics.compare(store, filters)  # {} unless both dates are set
    k = compared["current"] if compared else metrics.kpis(store, filters)  # the current KPIs, computed once
    change = compared.get("change", {})
    if not k["documents"]:
        st.info("No documents match these filters.", icon=":material/filter_alt_off:")
        return
    row = [*st.columns(3), *st.columns(3)]  # two rows of three: labels and values stay whole
    row[0].metric("Documents", f"{k['documents']:,}", change.get("documents"))
    row[1].metric("Timeout rate", percent(k["timeout_rate"]), _points(change.get("timeout_rate")), delta_color="inverse",
                  help="Documents with at least one fault / documents.")
    row[2].metric("Faults per 100 docs", "–" if k["faults_per_100_documents"] is None else f"{k['faults_per_100_documents']:.1f}")
    row[3].metric("Resume success", percent(k["resume_success_rate"]), _points(change.get("resume_success_rate")),
                  help="Resume attempts whose new text joined the kept text (exact or repaired) / resume attempts.")
    row[4].metric("Recovery rate", percent(k["recovery_rate"]), _points(change.get("recovery_rate")),
                  help="Documents with faults that completed / documents with faults.")
    auto = k["resume_time"]["auto"]
    row[5].metric("Resume time p50", seconds(auto["p50"]), help=f"p95 {seconds(auto['p95'])}; manual resumes apart below.")
    manual = k["resume_time"]["manual"]
    st.caption(f"Resume time, automatic: mean {seconds(auto['mean'])}, p50 {seconds(auto['p50'])}, p95 {seconds(auto['p95'])} "
               f"(n={auto['n']}) · manual (includes the person's wait): mean {seconds(manual['mean'])}, "
               f"p50 {seconds(manual['p50'])}, p95 {seconds(manual['p95'])} (n={manual['n']}) · "
               f"estimated cost ${k['estimated_cost']:.4f} · {k['calls']:,} calls")

    seams = metrics.seam_quality(store, filters)
    if seams["seams"]:
        st.caption(f"Seams: {seams['seams']:,} ({seams['on_resumes']:,} after faults) · joined {percent(seams['joined_rate'])} "
                   f"— exact {seams['exact']:,}, repaired {seams['repaired']:,}, unverified {seams['unverified']:,} · "
                   f"{seams['dropped_chars']:,} repeated characters dropped")

    series = metrics.series(store, filters, "day" if (last - first).days > 2 else "hour")
    per_document = metrics.ttft_and_throughput(store, filters)
    left, right = st.columns(2)
    left.plotly_chart(charts.faults_over_time(series), key="faults")
    right.plotly_chart(charts.resume_success_over_time(series), key="resume_rate")
    left.plotly_chart(charts.resume_time_histogram(metrics.resume_times(store, filters)), key="resume_times")
    right.plotly_chart(charts.cost_and_calls_by_mode(metrics.by_dimension(store, filters, "mode")), key="by_mode")
    left.plotly_chart(charts.ttft_histogram(per_document), key="ttft")
    right.plotly_chart(charts.throughput_histogram(per_document), key="throughput")
    if seams["seams"]:
        left.plotly_chart(charts.seams_by_join(seams), key="seams")

    st.subheader("Latest documents with faults")
    latest = pd.DataFrame(metrics.latest_faulted(store, filters))
    if not latest.empty:
        latest["open"] = "/?doc=" + latest["id"]
        latest["created_at"] = pd.to_datetime(latest["created_at"], unit="s", utc=True)
        st.dataframe(latest, hide_index=True, width="stretch",
                     column_config={"open": st.column_config.LinkColumn("open", display_text="open")})
    st.download_button("Download CSV (documents in the filter)", pd.DataFrame(per_document).to_csv(index=False),
                       file_name="contractgen-metrics.csv", mime="text/csv", icon=":material/download:")


def _points(value):
    return None if value is None else f"{value * 100:+.1f} pts"


dashboard()

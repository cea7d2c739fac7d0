"""Monitoring: how often drafts meet faults, how they recover, how fast and at what cost; computed in SQL by
contractgen.metrics, labelled and charted by contractgen_ui.charts."""

import datetime as dt

import streamlit as st

from contractgen import metrics
from contractgen.forms import DOC_TYPES
from contractgen_ui import charts
from contractgen_ui.provider import manager

store = manager().store
st.title("Monitoring")
st.caption("How drafting goes for the people using contractgen: faults met, recoveries, speed and cost. "
           "Hover a figure or a chart's title for its definition. Times are UTC.")
options = metrics.filter_options(store)
if options["min_created_at"] is None:
    st.info("No generations yet. Draft a document on the Generate page, or fill the database with honest data:\n\n"
            "`contractgen simulate --documents 200 --fault-rate 0.3`", icon=":material/monitoring:")
    st.stop()

first = dt.datetime.fromtimestamp(options["min_created_at"], dt.timezone.utc).date()
last = dt.datetime.fromtimestamp(options["max_created_at"], dt.timezone.utc).date()
with st.container(border=True):
    dates, mode, model, provider, kind = st.columns([2, 1, 1, 1, 1])
    picked = dates.date_input("Dates (UTC)", (first, last), min_value=first, max_value=last, key="dates",
                              help="Drafts created on these days, both included.")
    filters = metrics.Filters(
        *metrics.day_range(picked[0].isoformat(), picked[-1].isoformat()) if picked else (None, None),
        modes=tuple(mode.multiselect("Mode", options["modes"], key="f_mode", format_func=charts.mode_label)),
        models=tuple(model.multiselect("Model", options["models"], key="f_model")),
        providers=tuple(provider.multiselect("Engine", options["providers"], key="f_provider",
                                             format_func=charts.provider_label)),
        doc_types=tuple(kind.multiselect("Document type", options["doc_types"], key="f_type",
                                         format_func=lambda k: DOC_TYPES[k].title if k in DOC_TYPES else k)))
bucket = charts.bucket_for(picked[0], picked[-1]) if picked else charts.bucket_for(first, last)
percent, seconds, points = charts.percent, charts.seconds, charts.points


@st.fragment(run_every="5s")
def dashboard() -> None:
    compared = metrics.compare(store, filters)  # {} unless both dates are set
    k = compared["current"] if compared else metrics.kpis(store, filters)  # the current KPIs, computed once
    change = compared.get("change", {})
    if not k["documents"]:
        st.info("No documents match these filters.", icon=":material/filter_alt_off:")
        return
    versus = "Change: against the previous period of the same length." if compared else ""

    st.subheader("Reliability")
    row = st.columns(5)
    row[0].metric("Documents", f"{k['documents']:,}", change.get("documents"),
                  help=f"Drafts created in the selected days and filters. {versus}")
    row[1].metric("Fault rate", percent(k["fault_rate"]), points(change.get("fault_rate")), delta_color="inverse",
                  help="Drafts that met at least one fault of any kind (timeout, reset, rate limit, server error, "
                       "cut, malformed...) / drafts.")
    row[2].metric("Timeout rate", percent(k["fault_rate_by_kind"]["timeout"]),
                  points(change.get("fault_rate_by_kind", {}).get("timeout")), delta_color="inverse",
                  help="Drafts that met at least one timeout (no data within the read timeout) / drafts. "
                       "Other kinds are in the table below.")
    row[3].metric("Recovery rate", percent(k["recovery_rate"]), points(change.get("recovery_rate")),
                  help="Drafts that met a fault and still completed / drafts that met a fault.")
    row[4].metric("Resume success", percent(k["resume_success_rate"]), points(change.get("resume_success_rate")),
                  help="Resumes (automatic or by hand) that delivered new text after the kept text / resumes.")

    st.subheader("Speed and cost")
    auto, manual = k["resume_time"]["auto"], k["resume_time"]["manual"]
    row = st.columns(5)
    row[0].metric("Time to recover (median)", seconds(auto["p50"]),
                  help=f"Automatic resumes: seconds from the fault to the first new text, median (p95 "
                       f"{seconds(auto['p95'])}, {auto['n']:,} resumes). By hand, including the person's wait: "
                       f"median {seconds(manual['p50'])} ({manual['n']:,}).")
    row[1].metric("Time to first text (median)", seconds(k["time_to_first_token"]["p50"]),
                  help="Seconds from a draft's first request to its first text, median over drafts "
                       f"(p95 {seconds(k['time_to_first_token']['p95'])}). Per engine in the table below.")
    row[2].metric("Draft duration (median)", seconds(k["duration"]["p50"]),
                  help="Seconds from start to completion of completed drafts, median (faults, backoff and waits "
                       f"included; p95 {seconds(k['duration']['p95'])}).")
    row[3].metric("Calls per draft", "–" if k["calls_per_document"] is None else f"{k['calls_per_document']:.2f}",
                  help="Provider calls / drafts. Resumes, fallbacks, and each chunk or section of the chunks "
                       "and sections modes are calls.")
    cost = k["cost_per_document"]
    row[4].metric("Cost per draft", "–" if cost is None else f"${cost:,.4f}",
                  help=f"Estimated US dollars per draft from tokens and contractgen/prices.toml (total "
                       f"${k['estimated_cost']:,.4f}). Template drafts cost nothing"
                       + (f"; unpriced models count $0: {', '.join(k['unpriced_models'])}." if k["unpriced_models"]
                          else "."))

    engines = metrics.by_engine(store, filters)
    st.markdown("**By engine** — the template engine and each model apart: their speeds and costs differ by "
                "orders of magnitude, so pooled figures would describe neither.")
    st.dataframe(charts.engine_table(engines), hide_index=True, width="stretch", column_config={
        name: st.column_config.NumberColumn(name, format=fmt, help=text)
        for name, (fmt, text) in charts.ENGINE_COLUMNS.items()})

    kinds = charts.kinds_table(k)
    if not kinds.empty:
        st.markdown("**Faults by kind**")
        st.dataframe(kinds, hide_index=True, width="stretch", column_config={
            "Drafts affected": st.column_config.NumberColumn(help="Drafts that met this kind at least once."),
            "Share of drafts": st.column_config.NumberColumn(format="percent", help="Drafts affected / drafts."),
            "Faults": st.column_config.NumberColumn(help="Times this kind happened (a draft can meet it twice)."),
        })

    series = metrics.series(store, filters, bucket)
    per_document = metrics.ttft_and_throughput(store, filters)
    by_mode = metrics.by_engine(store, filters, "mode")
    left, right = st.columns(2)
    left.plotly_chart(charts.faults_over_time(series, bucket), key="chart-faults")
    left.caption(f"Faults detected per {bucket} (UTC), stacked by kind.")
    right.plotly_chart(charts.resume_success_over_time(series, bucket), key="chart-resume-rate")
    right.caption(f"Per {bucket}: resumes that delivered new text / resumes.")
    left.plotly_chart(charts.resume_time_histogram(metrics.resume_times(store, filters)), key="chart-resume-times")
    left.caption("Seconds from each fault to the first new text of its resume; resumes by hand include the wait.")
    right.plotly_chart(charts.cost_per_document(by_mode), key="chart-cost")
    right.caption("Estimated US dollars per draft, by mode and priced engine.")
    left.plotly_chart(charts.ttft_histogram(per_document), key="chart-ttft")
    left.caption("Per draft: seconds from its first request to its first text; each engine on its own axis.")
    right.plotly_chart(charts.throughput_histogram(per_document), key="chart-throughput")
    right.caption("Per draft: characters written / seconds in provider calls; each engine on its own axis.")
    left.plotly_chart(charts.calls_per_document(by_mode), key="chart-calls")
    left.caption("Provider calls per draft, by mode and engine (resumes and fallbacks included).")

    seams = metrics.seam_quality(store, filters)
    if seams["seams"]:
        right.plotly_chart(charts.seams_by_join(seams), key="chart-seams")
        right.caption(f"Seams: {seams['seams']:,} ({seams['on_resumes']:,} after faults) · joined "
                      f"{percent(seams['joined_rate'])} — exact {seams['exact']:,}, repaired {seams['repaired']:,}, "
                      f"unverified {seams['unverified']:,} · {seams['dropped_chars']:,} repeated characters dropped. "
                      "A seam is where a later call's text was joined on; unverified ones deserve a read.")

    st.subheader("Latest drafts with faults")
    latest = charts.latest_table(metrics.latest_faulted(store, filters))
    if not latest.empty:
        st.dataframe(latest, hide_index=True, width="stretch", column_config={
            "Draft": st.column_config.LinkColumn("Draft", display_text="open", help="Open it on the Generate page."),
            "Faults": st.column_config.NumberColumn(help="Faults met by this draft."),
            "Resumes": st.column_config.NumberColumn(help="Resumes, automatic and by hand.")})
    st.download_button("Download CSV (drafts in the filter)", charts.csv_of(per_document),
                       file_name="contractgen-metrics.csv", mime="text/csv", icon=":material/download:")


dashboard()

"""Batch: a sheet of requests in (CSV or Excel), every row validated, an estimate, then the drafts written N at a
time with a live table; a zip of the exports and a summary out. The batch is stored: its id in the URL brings it
back after a refresh, a closed browser or a restart. Logic lives in contractgen.batch."""

import streamlit as st

from contractgen import batch, batch_io
from contractgen.errors import ContractgenError
from contractgen.export import FORMATS
from contractgen.forms import DOC_TYPES
from contractgen.modes import MODES
from contractgen.storage import STATUS_LABELS
from contractgen_ui.charts import mode_label
from contractgen_ui.live import error, message
from contractgen_ui.provider import manager, settings_sidebar

settings = settings_sidebar()
store = manager().store
st.title("Batch")
chosen = st.query_params.get("batch")
record = store.get_batch(chosen) if chosen else None

if record is None:
    if chosen:
        st.warning(message(f"No batch with id {chosen}: it was deleted, or the link is from another database."))
    st.caption("One request per row, columns named after the fields (a `doc` column may mix document types). "
               "Every row is checked before anything runs.")
    kind, csv_col, xlsx_col = st.columns([2, 1, 1], vertical_alignment="bottom")
    doc = kind.selectbox("Document type (rows without a doc column)", list(DOC_TYPES), key="batch-doc",
                         format_func=lambda k: DOC_TYPES[k].title)
    csv_col.download_button("Template CSV", batch_io.template_csv(doc), f"{doc}-template.csv", "text/csv",
                            icon=":material/download:")
    xlsx_col.download_button("Template Excel", lambda: batch_io.template_xlsx(doc), f"{doc}-template.xlsx",
                             icon=":material/download:")
    upload = st.file_uploader("Sheet", type=["csv", "xlsx"], key="batch-sheet")
    if upload is None:
        st.stop()
    try:
        checks = batch.validate(batch_io.read_sheet(upload.name, upload.getvalue()), doc)
    except ContractgenError as exc:
        error(exc)
        st.stop()
    invalid = [c for c in checks if not c.valid]
    if invalid:
        st.error(f"{len(invalid)} of {len(checks)} row(s) have problems; fix them in the sheet and upload it again, "
                 "or skip them.", icon=":material/error:")
        st.dataframe([{"row": c.row, "field": f, "problem": s} for c in invalid for f, s in c.problems],
                     hide_index=True, width="stretch")
    else:
        st.success(f"All {len(checks)} row(s) are valid.", icon=":material/check_circle:")
    mode_col, lanes_col, formats_col = st.columns(3)
    mode = mode_col.selectbox("Mode", list(MODES), list(MODES).index(settings.mode), key="batch-mode",
                              format_func=mode_label, help=MODES.get(settings.mode))
    concurrency = lanes_col.number_input("Drafts at once", 1, batch.MAX_CONCURRENCY, batch.DEFAULT_CONCURRENCY, key="batch-lanes")
    formats = formats_col.multiselect("Exports", list(FORMATS), ["md"], key="batch-formats", format_func=str.upper)
    skip = st.checkbox(f"Skip the {len(invalid)} invalid row(s)", key="batch-skip") if invalid else False
    run_settings = settings.with_(mode=mode)
    st.info("Estimate: " + batch.estimate(checks, run_settings, int(concurrency)).sentence(), icon=":material/calculate:")
    if st.button("Start", type="primary", icon=":material/play_arrow:", disabled=bool(invalid and not skip) or not formats):
        try:
            new = batch.create(store, checks, run_settings, source=upload.name, concurrency=int(concurrency),
                               formats=formats, skip_invalid=skip)
            batch.start(manager(), new, run_settings)
        except ContractgenError as exc:
            error(exc)
            st.stop()
        st.query_params["batch"] = new
        st.rerun()
    st.stop()

st.caption(message(f"Batch {record.id} · {record.source} · {record.settings.get('label', '')} · "
                   f"{mode_label(record.settings.get('mode'))} · {record.settings.get('concurrency')} at a time"))
st.page_link("views/batch.py", label="New batch", icon=":material/add:", query_params={})


p = batch.progress(store, record.id)


@st.fragment(run_every=1.0 if p.runner_alive else None)  # polls the store while a runner (any process's) is alive
def live():
    now = batch.progress(store, record.id)
    st.progress(now.fraction, text=now.line())
    st.dataframe([{**r, "status": STATUS_LABELS.get(r["status"], r["status"])} for r in now.rows], hide_index=True,
                 width="stretch")
    if p.runner_alive and not now.runner_alive:
        st.rerun(scope="app")  # the end: show the downloads and the resume button


live()
run_settings = batch.settings_for(record.settings, api_key=settings.api_key)
try:
    if p.runner_alive:
        runner = batch.runner(record.id)
        if runner is not None and st.button("Stop", icon=":material/stop:"):
            runner.stop()
    elif p.unfinished:
        if st.button(f"Resume: finish the {p.unfinished} unfinished row(s)", icon=":material/play_arrow:"):
            batch.start(manager(), record.id, run_settings)
            st.rerun()
        if p.failed_rows:
            row = st.selectbox("Failed row", p.failed_rows, key="batch-retry-row")
            if st.button("Retry this row alone", icon=":material/refresh:"):
                batch.start(manager(), record.id, run_settings, rows=[row])
                st.rerun()
except ContractgenError as exc:
    error(exc)
zip_col, csv_col = st.columns(2)
zip_col.download_button(f"Download {p.done} draft(s) (zip)", lambda: batch.build_zip(store, record.id),
                        f"batch-{record.id}.zip", "application/zip", icon=":material/download:", disabled=not p.done)
csv_col.download_button("Download summary (CSV)", lambda: batch.summary_csv(batch.summary(store, record.id)),
                        f"batch-{record.id}-summary.csv", "text/csv", icon=":material/table:")

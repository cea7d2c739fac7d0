"""History: every draft, searchable; click a row to open it; download, resume, revise, regenerate a section,
compare versions, delete (after a confirmation)."""

import streamlit as st

from contractgen import diff
from contractgen.documents import rows, title_of, when
from contractgen.errors import ContractgenError
from contractgen.export import FORMATS, export, filename, info_for
from contractgen.forms import DOC_TYPES
from contractgen.generation import INSTRUCTION_LIMIT, STATUSES
from contractgen.modes import MODES
from contractgen.storage import STATUS_LABELS
from contractgen_ui.charts import mode_label
from contractgen_ui.live import message
from contractgen_ui.provider import manager, settings_sidebar

settings = settings_sidebar()
store = manager().store
st.title("Drafts")

search, kind, status, mode = st.columns([2, 1, 1, 1])
found = store.list_documents(
    limit=500, search=search.text_input("Search", placeholder="company, party or id") or None,
    doc_type=kind.selectbox("Type", [None, *DOC_TYPES], format_func=lambda k: DOC_TYPES[k].title if k else "All"),
    status=status.selectbox("Status", [None, *STATUSES], format_func=lambda s: STATUS_LABELS.get(s, s) if s else "All"),
    mode=mode.selectbox("Mode", [None, *MODES], format_func=lambda m: mode_label(m) if m else "All"))
if not found:
    st.info("No drafts match. Start one on the Generate page.", icon=":material/description:")
    st.stop()

st.caption("Click a row to open that draft below.")
ids = [r.id for r in found]
# Keyed by the rows shown: a click names a row by its position, so a new search or a deletion starts afresh.
picked = st.dataframe(rows(found), hide_index=True, width="stretch", key=f"drafts-{hash(tuple(ids))}",
                      on_select="rerun", selection_mode="single-row")
selected = picked.selection.rows if picked is not None and hasattr(picked, "selection") else []
if selected and selected[0] < len(ids):
    st.session_state["chosen"] = ids[selected[0]]
if st.session_state.get("chosen") not in ids:  # nothing clicked yet, or the draft left the list: the newest
    st.session_state["chosen"] = ids[0]
chosen = st.session_state["chosen"]
generation = manager().get(chosen)
record = store.get(chosen)
if generation is None or record is None:  # deleted by another session meanwhile
    st.session_state.pop("chosen", None)
    st.rerun()

st.subheader(title_of(record))
st.caption(message(f"{STATUS_LABELS.get(record.status, record.status)} · {mode_label(record.mode)} · {record.model} · {record.faults} fault(s) handled · "
                   f"created {when(record.created_at)} · {record.id}" + (f" · error: {record.error}" if record.error else "")))

versions = store.family(chosen)
if len(versions) > 1:
    st.markdown("**Versions:** " + " → ".join(f"`{v.id}`" + (" (this one)" if v.id == chosen else "") for v in versions))

open_, resume, version = st.columns(3)
open_.page_link("views/generate.py", label="Open" + (" (live)" if generation.running else ""),
                icon=":material/open_in_new:", query_params={"doc": chosen})
try:
    if generation.resumable and resume.button("Resume generation", icon=":material/play_arrow:"):
        manager().resume(chosen, settings)
        st.switch_page("views/generate.py", query_params={"doc": chosen})
    # The form opens filled with this draft's answers, to change before generating (the Generate page reads ?from=).
    if version.button("New version (edit the answers)", icon=":material/content_copy:"):
        st.switch_page("views/generate.py", query_params={"from": chosen})
    if record.status == "completed":
        with st.container(border=True):
            titles = {s["number"]: f"{s['number']}. {s['title']}" for s in store.sections(chosen)}
            number = st.selectbox("Regenerate one section", list(titles), key="regen", format_func=titles.get)
            # No max_chars: the box would cut a long paste silently; new_version refuses it with a message instead.
            instruction = st.text_input(
                f"Instruction for this section (optional, up to {INSTRUCTION_LIMIT} characters)",
                key="regen-instruction", placeholder="e.g. shorter, or stricter on refunds",
                help="Read by a model (OpenAI or compatible). The other sections are kept as they are.")
            if settings.provider_name == "offline":
                st.caption("The offline template engine writes the same text again for a section, and cannot "
                           "follow an instruction: choose a model in the sidebar to have the section rewritten.")
            if st.button("Regenerate this section as a new version", icon=":material/refresh:"):
                new = manager().new_version(chosen, settings, regenerate=number, instruction=instruction)
                st.switch_page("views/generate.py", query_params={"doc": new.id})
except ContractgenError as exc:
    st.error(message(str(exc)))

info = info_for(record)
for column, fmt in zip(st.columns(len(FORMATS)), FORMATS):
    column.download_button(f"Download {fmt.upper()}", export(record.text, info, fmt), file_name=filename(info, fmt),
                           mime=FORMATS[fmt][0], icon=":material/download:", disabled=not record.text, key=f"dl-{fmt}")

others = [v for v in versions if v.id != chosen]
if others:
    with st.expander("Compare with another version", icon=":material/difference:"):
        labels = {v.id: f"{v.id} · {STATUS_LABELS.get(v.status, v.status)} · {when(v.created_at)}" for v in others}
        # The parent by default: "what did this version change?"
        default = next((i for i, v in enumerate(others) if v.id == record.parent_id), 0)
        other_id = st.selectbox("Earlier or later version", list(labels), index=default, key="compare-with",
                                format_func=labels.get)
        other = store.get(other_id)
        older, newer = sorted([other, record], key=lambda r: r.created_at)
        comparison = diff.compare(older.text, newer.text)
        st.html(diff.fragment(comparison))
        page = diff.to_html(comparison, f"{older.id} ({when(older.created_at)})", f"{newer.id} ({when(newer.created_at)})",
                            title=f"{title_of(newer)}: changes from {older.id} to {newer.id}")
        st.download_button("Download the comparison (HTML)", page.encode("utf-8"), mime="text/html",
                           file_name=filename(info, "html").removesuffix(".html") + f"-vs-{other_id}.html",
                           icon=":material/download:", key="dl-diff")

with st.container(border=True):
    if st.session_state.get("deleting") != chosen:
        if st.button("Delete this draft…", icon=":material/delete:", key="delete"):
            st.session_state["deleting"] = chosen
            st.rerun()
    else:
        st.warning(f"Delete “{title_of(record)}” ({chosen})? This removes the draft, its history of faults and "
                   "resumes, and cannot be undone.", icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button("Yes, delete it", type="primary", key="delete-yes"):
            manager().delete(chosen)
            st.session_state.pop("deleting", None)
            st.session_state.pop("chosen", None)
            st.toast("Draft deleted.", icon=":material/delete:")
            st.rerun()
        if no.button("Cancel", key="delete-no"):
            st.session_state.pop("deleting", None)
            st.rerun()

"""History: every draft, searchable; open, download, resume, version, regenerate a section, delete."""

import streamlit as st

from contractgen.documents import rows, title_of, when
from contractgen.errors import ContractgenError
from contractgen.export import FORMATS, export, filename, info_for
from contractgen.forms import DOC_TYPES
from contractgen.generation import STATUSES, manager
from contractgen.modes import MODES
from contractgen_ui.live import message
from contractgen_ui.provider import settings_sidebar

settings = settings_sidebar()
store = manager().store
st.title("Drafts")

search, kind, status, mode = st.columns([2, 1, 1, 1])
found = store.list_documents(
    limit=500, search=search.text_input("Search", placeholder="company, party or id") or None,
    doc_type=kind.selectbox("Type", [None, *DOC_TYPES], format_func=lambda k: DOC_TYPES[k].title if k else "All"),
    status=status.selectbox("Status", [None, *STATUSES], format_func=lambda s: s or "All"),
    mode=mode.selectbox("Mode", [None, *MODES], format_func=lambda m: m or "All"))
if not found:
    st.info("No drafts match. Start one on the Generate page.", icon=":material/description:")
    st.stop()
st.dataframe(rows(found), hide_index=True, width="stretch")

labels = {r.id: f"{title_of(r)} · {r.status} · {when(r.created_at)} · {r.id}" for r in found}
chosen = st.selectbox("Draft", list(labels), key="chosen", format_func=labels.get)
generation = manager().get(chosen)
record = store.get(chosen)
st.subheader(title_of(record))
st.caption(message(f"{record.status} · {record.mode} mode · {record.model} · {record.faults} fault(s) handled · "
                   f"created {when(record.created_at)}" + (f" · error: {record.error}" if record.error else "")))

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
    if version.button("New version from these answers", icon=":material/content_copy:"):
        st.switch_page("views/generate.py", query_params={"doc": manager().new_version(chosen, settings).id})
    if record.status == "completed":
        titles = {s["number"]: f"{s['number']}. {s['title']}" for s in store.sections(chosen)}
        number = st.selectbox("Regenerate one section", list(titles), key="regen", format_func=titles.get)
        if st.button("Regenerate this section as a new version", icon=":material/refresh:"):
            new = manager().new_version(chosen, settings, regenerate=number)
            st.switch_page("views/generate.py", query_params={"doc": new.id})
except ContractgenError as exc:
    st.error(message(str(exc)))

info = info_for(record)
for column, fmt in zip(st.columns(len(FORMATS)), FORMATS):
    column.download_button(f"Download {fmt.upper()}", export(record.text, info, fmt), file_name=filename(info, fmt),
                           mime=FORMATS[fmt][0], icon=":material/download:", disabled=not record.text, key=f"dl-{fmt}")

with st.expander("Delete this draft"):
    st.warning("This removes the draft, its history of faults and resumes, and cannot be undone.")
    if st.checkbox("Yes, delete it", key="confirm-delete") and st.button("Delete", type="primary"):
        manager().delete(chosen)
        del st.session_state["confirm-delete"]  # the next draft shown must be confirmed afresh
        st.rerun()

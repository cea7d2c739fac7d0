"""Generate page: pick a document type, answer its guided form, watch the draft being written."""

import streamlit as st

from contractgen.documents import NOT_LEGAL_ADVICE
from contractgen.errors import ContractgenError, InputError
from contractgen.forms import DOC_TYPES
from contractgen.modes import MAX_PARALLEL, MODES
from contractgen.request import parse_request
from contractgen_ui import live
from contractgen_ui.form import guided_form, prefill
from contractgen_ui.provider import armed_notice, manager, settings_sidebar

settings = settings_sidebar()
st.title("Draft a legal document")
st.caption(f"⚖️ {NOT_LEGAL_ADVICE}")

# ?from=ID: a new version of that draft, its answers in the form to change first (History's "New version").
source_id = st.query_params.get("from")
source = manager().store.get(source_id) if source_id and manager().store else None
if source_id and source is None:
    st.warning(live.message(f"Draft {source_id} is not known to this server: the form starts empty."))
prefilled = frozenset()
if source is not None and st.session_state.get("_prefilled_from") != source_id:
    prefilled = prefill(source.doc_type, source.request)  # once: later reruns keep what the person changed
    st.session_state["_prefilled_from"] = source_id
    st.session_state["mode"] = source.mode if source.mode in MODES else settings.mode
    prefilled |= {"mode"}

doc_id = st.query_params.get("doc")
if doc_id is None and source_id is None and st.session_state.get("current_doc"):
    # Back on Generate through the sidebar: the draft this session was following, not an empty form.
    doc_id = st.session_state["current_doc"]
    st.query_params["doc"] = doc_id
if doc_id:
    st.session_state["current_doc"] = doc_id

# A different label once a draft is shown makes a new, collapsed expander, so the draft is in view.
label = ("New version of your draft: change any answer, then Generate" if source is not None
         else "Your answers" if doc_id is None else "Start another draft")
with st.expander(label, expanded=doc_id is None):
    doc_type = st.selectbox("Document type", list(DOC_TYPES), key="doc_type",
                            format_func=lambda k: f"{DOC_TYPES[k].title}: {DOC_TYPES[k].summary}")
    with st.form("request"):
        answers = guided_form(doc_type, prefilled)
        mode = st.radio("Generation mode", list(MODES), horizontal=True, key="mode", captions=list(MODES.values()),
                        **({} if "mode" in prefilled else
                           {"index": list(MODES).index(settings.mode) if settings.mode in MODES else 0}))
        # Empty: the mode's default (4 calls at once in the sections mode, 1 otherwise; contractgen.modes).
        parallel = st.number_input("Parallel calls", min_value=1, max_value=MAX_PARALLEL, value=None, step=1, key="parallel",
                                   placeholder="4 in the sections mode, 1 otherwise",
                                   help="Sections written at the same time in the sections and chunks modes.")
        notice = armed_notice(settings)
        if notice:
            st.warning(notice)
        submitted = st.form_submit_button("Generate", type="primary")

if submitted:
    try:
        generation = manager().start(parse_request(answers), settings.with_(mode=mode, parallel=int(parallel) if parallel else settings.parallel),
                                     parent_id=source.id if source is not None else None)
    except InputError as exc:
        st.error("Please correct the form:\n\n" + "\n".join(f"- {live.message(p)}" for p in exc.problems))
    except ContractgenError as exc:
        st.error(live.message(str(exc)))
    else:
        st.query_params.clear()
        st.query_params["doc"] = generation.id
        st.session_state["current_doc"] = generation.id
        st.rerun()  # redraw with the form folded away and the draft in view

if doc_id:
    generation = manager().get(doc_id)
    if generation is None:
        # The id comes from the URL: shown, never rendered as a link or obeyed as a control character.
        st.warning(live.message(f"Draft {doc_id} is not known to this server. Fill the form to start a new one."))
        if st.session_state.get("current_doc") == doc_id:
            del st.session_state["current_doc"]
    else:
        live.show(generation, settings)

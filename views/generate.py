"""Generate page: pick a document type, answer its guided form, watch the draft being written."""

import streamlit as st

from contractgen.errors import ContractgenError, InputError
from contractgen.forms import DOC_TYPES
from contractgen.generation import manager
from contractgen.modes import MODES
from contractgen.request import parse_request
from contractgen_ui import live
from contractgen_ui.form import guided_form
from contractgen_ui.provider import settings_sidebar

settings = settings_sidebar()
st.title("Draft a legal document")
doc_id = st.query_params.get("doc")

# A different label once a draft is shown makes a new, collapsed expander, so the draft is in view.
with st.expander("Your answers" if doc_id is None else "Start another draft", expanded=doc_id is None):
    doc_type = st.selectbox("Document type", list(DOC_TYPES), key="doc_type",
                            format_func=lambda k: f"{DOC_TYPES[k].title}: {DOC_TYPES[k].summary}")
    with st.form("request"):
        answers = guided_form(doc_type)
        mode = st.radio("Generation mode", list(MODES), horizontal=True, key="mode", captions=list(MODES.values()),
                        index=list(MODES).index(settings.mode) if settings.mode in MODES else 0)
        submitted = st.form_submit_button("Generate", type="primary")

if submitted:
    try:
        generation = manager().start(parse_request(answers), settings.with_(mode=mode))
    except InputError as exc:
        st.error("Please correct the form:\n\n" + "\n".join(f"- {live.message(p)}" for p in exc.problems))
    except ContractgenError as exc:
        st.error(live.message(str(exc)))
    else:
        st.query_params["doc"] = generation.id
        st.rerun()  # redraw with the form folded away and the draft in view

if doc_id:
    generation = manager().get(doc_id)
    if generation is None:
        # The id comes from the URL: shown, never rendered as a link or obeyed as a control character.
        st.warning(live.message(f"Draft {doc_id} is not known to this server. Fill the form to start a new one."))
    else:
        live.show(generation, settings)

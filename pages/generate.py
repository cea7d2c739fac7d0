"""Generate page: the form, then the draft written live. Logic lives in contractgen."""

import streamlit as st

from contractgen.errors import ContractgenError, InputError
from contractgen.generation import manager
from contractgen.modes import MODES
from contractgen.request import LIMITS, parse_request
from contractgen_ui import live
from contractgen_ui.provider import settings_sidebar

settings = settings_sidebar()
st.title("Draft a Terms of Service")
doc_id = st.query_params.get("doc")

# A different label once a draft is shown makes a new, collapsed expander, so the draft is in view.
label = "Your answers" if doc_id is None else "Start another draft"
with st.expander(label, expanded=doc_id is None), st.form("request"):
    a, b = st.columns(2)
    answers = {
        "company": a.text_input("Company name *", max_chars=LIMITS["company"], placeholder="Acme Inc."),
        "product": a.text_area("Product or service", max_chars=LIMITS["product"], placeholder="An online tool that ..."),
        "website": a.text_input("Website", placeholder="https://acme.example"),
        "contact_email": a.text_input("Contact email", placeholder="legal@acme.example"),
        "country": b.text_input("Country or jurisdiction", "United States"),
        "governing_law": b.text_input("Governing law", "the State of Delaware"),
        "effective_date": b.date_input("Effective date"),
        "minimum_age": b.number_input("Minimum age", 13, 21, 18),
    }
    c, d = st.columns(2)
    answers["accounts"] = c.checkbox("Users create accounts", True)
    answers["user_content"] = c.checkbox("Users post content")
    answers["eu_users"] = c.checkbox("Users in the EU")
    answers["payments"] = d.checkbox("Paid subscriptions")
    answers["renewal"] = d.selectbox("Renewal", ["monthly", "annual"])
    answers["refund_days"] = d.number_input("Refund window (days, 0 for none)", 0, 365, 14)
    mode = st.radio("Generation mode", list(MODES), horizontal=True, key="mode", captions=list(MODES.values()),
                    index=list(MODES).index(settings.mode) if settings.mode in MODES else 0)
    submitted = st.form_submit_button("Generate", type="primary")

if submitted:
    try:
        generation = manager().start(parse_request(answers), settings.with_(mode=mode))
    except InputError as exc:
        st.error("Please correct the form:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
    except ContractgenError as exc:
        st.error(str(exc))
    else:
        st.query_params["doc"] = generation.id
        st.rerun()  # redraw with the form folded away and the draft in view

if doc_id:
    generation = manager().get(doc_id)
    if generation is None:
        st.warning(f"Draft {doc_id} is not known to this server. Fill the form to start a new one.")
    else:
        live.show(generation, settings)

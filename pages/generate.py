"""Generate page: the form, then the draft written live. Logic lives in contractgen."""

import os

import streamlit as st

from contractgen.config import Settings
from contractgen.errors import ContractgenError, InputError
from contractgen.generation import manager
from contractgen.pacing import ParagraphStreams, settled
from contractgen.progress import progress
from contractgen.providers import make_provider
from contractgen.request import LIMITS, parse_request

secrets = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
defaults = Settings.from_env(os.environ, secrets)

with st.sidebar:
    st.subheader("Provider")
    choice = st.radio("Engine", ["offline", "openai"], index=0 if defaults.provider_name == "offline" else 1,
                      format_func={"offline": "Offline template engine", "openai": "OpenAI-compatible"}.get)
    if choice == "offline":
        st.caption("Writes from a clause library filled with your answers. A template engine, not AI.")
        rate = st.slider("Typing speed (tokens/s)", 0, 500, int(defaults.rate), help="0 writes as fast as possible.")
        settings = defaults.with_(provider="offline", rate=float(rate))
    else:
        base_url = st.text_input("Base URL", defaults.base_url or "", placeholder="https://api.openai.com/v1")
        model = st.text_input("Model", defaults.model)
        key = st.text_input("API key", type="password", help="Kept in this browser session only; never stored.")
        read_timeout = st.number_input("Read timeout (s)", 1.0, 600.0, defaults.read_timeout)
        settings = defaults.with_(provider="openai", base_url=base_url or None, model=model,
                                  api_key=key or defaults.api_key, read_timeout=read_timeout)

st.title("Draft a Terms of Service")
doc_id = st.query_params.get("doc")

with st.expander("Your answers", expanded=doc_id is None), st.form("request"):
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
    submitted = st.form_submit_button("Generate", type="primary")

if submitted:
    try:
        generation = manager().start(parse_request(answers), make_provider(settings))
    except InputError as exc:
        st.error("Please correct the form:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
    except ContractgenError as exc:
        st.error(str(exc))
    else:
        doc_id = generation.id
        st.query_params["doc"] = doc_id

if doc_id:
    generation = manager().get(doc_id)
    if generation is None:
        st.warning(f"Draft {doc_id} is not known to this server. Fill the form to start a new one.")
        st.stop()
    st.caption(f"Written by **{generation.provider.label}** · document `{generation.id}`")
    status, bar = st.empty(), st.empty()
    draft, sections = st.columns([3, 1])
    toc = sections.empty()

    def show_progress() -> None:
        p = progress(generation)
        toc.markdown("**Sections**\n\n" + p.markdown())
        bar.progress(p.fraction, text=f"{p.done} of {p.total} sections · {p.words:,} words")
        if not generation.done:
            status.info("Streaming...", icon="✍️")

    show_progress()
    with draft:
        text = generation.text
        start = len(text) if generation.done else settled(text)
        if start:
            st.markdown(text[:start])
        shown = -1
        for paragraph in ParagraphStreams(generation.read, start=start):
            st.write_stream(paragraph)
            if len(generation.completed_sections) != shown:
                shown = len(generation.completed_sections)
                show_progress()
    show_progress()
    if generation.status == "completed":
        status.success(f"Completed: {len(generation.sections)} sections, {len(generation.text.split()):,} words.", icon="✅")
    else:
        status.error(f"{generation.error} The text written so far is kept and can be downloaded.", icon="⚠️")
    st.download_button("Download Markdown", generation.text, file_name=f"terms-of-service-{generation.id}.md",
                       mime="text/markdown", icon=":material/download:")

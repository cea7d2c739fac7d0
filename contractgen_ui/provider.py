"""The frame every page shares (app.py draws it once per run): the sidebar with which engine writes, how it
resumes and the fault injection panel for demos; and the process's one generation manager."""

import os

import streamlit as st

from contractgen import generation as _generation
from contractgen.config import Settings, check_base_url
from contractgen.continuation import STRATEGIES
from contractgen.errors import InputError
from contractgen.faultplan import AT_START, KINDS


FRAME = "_contractgen_frame_settings"


@st.cache_resource(show_spinner=False)
def _shared_manager(database: str):
    return _generation.manager()


def manager() -> "_generation.GenerationManager":
    """The process's manager, held by Streamlit as a resource: a code reload that re-imports
    contractgen.generation (and so empties its module global) gets the same manager back, with its
    running drafts, instead of starting a second one. One per database (tests give each their own)."""
    shared = _shared_manager(os.environ.get("CONTRACTGEN_DATABASE_URL", ""))
    if _generation._manager is None:
        _generation._manager = shared
    return _generation._manager


def frame() -> Settings:
    """app.py's part: draw the sidebar once for whichever page runs, and hand the settings to that page.
    The sidebar's widgets are drawn on every page, so their values (engine, key, resume budget) persist
    from page to page."""
    settings = _draw_sidebar()
    st.session_state[FRAME] = settings
    return settings


def settings_sidebar() -> Settings:
    """The settings the frame drew in this run (app.py always runs before the page). A page run on its
    own (AppTest of one page file) has no frame: it draws the sidebar itself."""
    if FRAME in st.session_state:
        return st.session_state[FRAME]
    return _draw_sidebar()


def armed_notice(settings: Settings) -> str | None:
    """The sentence saying faults are armed for the next draft, or None."""
    if not settings.fault_plan:
        return None
    return (f"⚡ Faults armed for the next draft: `{settings.fault_plan}` (sidebar, Fault injection). "
            "They stay armed for every draft until removed there.")


def _draw_sidebar() -> Settings:
    secrets = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    try:
        defaults = Settings.from_env(os.environ, secrets)
    except InputError as exc:  # e.g. CONTRACTGEN_RATE=nan: named, not a traceback
        st.error("The configuration (environment or .streamlit/secrets.toml) has a problem: " + " ".join(exc.problems))
        st.stop()
    problem = None
    with st.sidebar:
        st.subheader("Provider")
        choice = st.radio("Engine", ["offline", "openai"], key="engine", index=0 if defaults.provider_name == "offline" else 1,
                          format_func={"offline": "Offline template engine", "openai": "OpenAI-compatible"}.get)
        if choice == "offline":
            st.caption("Writes from a clause library filled with your answers. A template engine, not AI.")
            rate = st.slider("Typing speed (tokens/s)", 0, 2000, min(int(defaults.rate), 2000), help="0 writes as fast as possible.",
                             key="rate")
            settings = defaults.with_(provider="offline", rate=float(rate))
        else:
            base_url = st.text_input("Base URL", defaults.base_url or "", placeholder="https://api.openai.com/v1", key="base_url")
            model = st.text_input("Model", defaults.model, key="model")
            fallbacks = st.text_input("Fallback models", ", ".join(defaults.fallback_models),
                                      help="Comma-separated, tried in order when the model keeps failing.", key="fallbacks")
            key = st.text_input("API key", type="password", help="Kept in this browser session only; never stored.",
                                key="api_key")
            read_timeout = st.number_input("Read timeout (s)", 1.0, 600.0, defaults.read_timeout)
            strategies = list(STRATEGIES)
            continuation = st.selectbox("Continuation after a fault", strategies, strategies.index(defaults.continuation),
                                        key="continuation", help=" ".join(f"**{k}**: {v}" for k, v in STRATEGIES.items()))
            max_tokens = st.number_input("Max tokens per call (0 = by call size)", 0, 200_000, defaults.max_tokens or 0,
                                         step=512, key="max_tokens",
                                         help="Every call is bounded; 0 picks 8192 for a whole document, 1200 per section.")
            settings = defaults.with_(provider="openai", base_url=base_url or None, model=model, api_key=key or defaults.api_key,
                                      read_timeout=read_timeout, continuation=continuation,
                                      max_tokens=int(max_tokens) or None,
                                      fallback_models=tuple(m.strip() for m in fallbacks.split(",") if m.strip()))
            problem = _url_problem(base_url)
            if problem:
                st.error(problem)
        st.subheader("Resume")
        auto = st.toggle("Resume automatically", defaults.auto_resume, help="Off: a Resume button appears after a fault.",
                         key="auto_resume")
        max_resumes = st.number_input("Resumes per run", 0, 20, defaults.max_resumes, key="max_resumes")
        settings = settings.with_(auto_resume=auto, max_resumes=int(max_resumes),
                                  fault_plan=_fault_panel(defaults.fault_plan) or defaults.fault_plan)
        notice = armed_notice(settings)
        if notice:
            st.warning(notice)
    if problem:  # nothing may start with it: the page stops here, saying what to change
        st.error(f"{problem} Change it in the sidebar (Provider) to continue.")
        st.stop()
    return settings


def _url_problem(base_url: str) -> str | None:
    """The sentence refusing a base URL the HTTP client cannot use (checked before anything starts), or None."""
    try:
        check_base_url(base_url.strip() or None, "Base URL")
    except InputError as exc:
        return exc.problems[0]
    return None


def _fault_panel(configured: str) -> str:
    with st.expander("Fault injection (demo)"):
        if configured:
            st.caption(f"Set by CONTRACTGEN_FAULTS: `{configured}` (used unless faults are picked here).")
        kinds = st.multiselect("Faults", list(KINDS), key="faults", format_func=lambda k: f"{k}: {KINDS[k][0]}",
                               help="Each strikes once, in order, so a demo shows recovery.")
        where = st.radio("Where", ["after", "random"], format_func={"after": "After N characters", "random": "At random"}.get,
                         horizontal=True)
        every = st.number_input("N (characters; the k-th fault strikes at k·N)", 100, 100_000, 4000, step=500,
                                disabled=where == "random", key="fault_every")
    parts = []
    for i, kind in enumerate(kinds, 1):
        if kind in AT_START:
            parts.append(kind)  # a refused request has no position
        else:
            parts.append(f"{kind}@random" if where == "random" else f"{kind}@{every * i}")
    return ",".join(parts)

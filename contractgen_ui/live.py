"""A generation shown live: status line, progress, sections list, the draft, resume and download."""

import streamlit as st

from contractgen.errors import ContractgenError
from contractgen.generation import Generation, manager
from contractgen.pacing import ParagraphStreams, settled
from contractgen.progress import progress


def status_text(generation: Generation) -> tuple[str, str]:
    """(kind of box, message) for the status line."""
    handled = f" · ⚠️ {generation.faults_handled} timeout(s) handled" if generation.faults_handled else ""
    if generation.status == "resuming" or generation.notice:
        return "warning", (generation.notice or "Resuming generation from where it left off...") + handled
    if generation.status in ("pending", "streaming"):
        return "info", "Streaming..." + handled
    if generation.status == "completed":
        words = len(generation.text.split())
        return "success", f"Completed: {len(generation.sections)} sections, {words:,} words{handled}."
    if generation.status == "interrupted":
        return "warning", f"Interrupted: {generation.error or 'the server stopped before the draft was finished.'} The text so far is kept.{handled}"
    if generation.status == "expired":
        return "error", "This draft expired (unfinished for over 24 hours): it can be read and downloaded, not resumed."
    resumable = " You can resume it by hand." if generation.resumable else ""
    return "error", f"{generation.error} The text written so far is kept and can be downloaded.{resumable}{handled}"


def show(generation: Generation, settings) -> None:
    st.caption(f"Written by **{generation.label}** · document `{generation.id}`")
    status, bar = st.empty(), st.empty()
    draft, side = st.columns([3, 1])
    toc = side.empty()
    shown = {"status": None, "sections": -1}

    def refresh(force: bool = False) -> None:
        line = status_text(generation)
        if force or line != shown["status"]:
            shown["status"] = line
            box, message = line
            getattr(status, box)(message)
        done = len(generation.completed_sections)
        if force or done != shown["sections"]:
            shown["sections"] = done
            p = progress(generation)
            toc.markdown("**Sections**\n\n" + p.markdown())
            bar.progress(p.fraction, text=f"{p.done} of {p.total} sections · {p.words:,} words")

    refresh(force=True)
    with draft:
        text = generation.text
        start = len(text) if generation.done and not generation.running else settled(text)
        if start:
            st.markdown(text[:start])
        for paragraph in ParagraphStreams(generation.read, start=start, on_tick=refresh):
            st.write_stream(paragraph)
    generation.join(timeout=2)  # the status is final; let the worker return so "resumable" is settled
    refresh()
    actions(generation, settings)


def actions(generation: Generation, settings) -> None:
    left, right = st.columns(2)
    if generation.resumable:
        if left.button("Resume generation", type="primary", icon=":material/play_arrow:"):
            try:
                manager().resume(generation.id, settings)
            except ContractgenError as exc:
                st.error(str(exc))
            else:
                st.rerun()
    right.download_button("Download Markdown", generation.text, file_name=f"terms-of-service-{generation.id}.md",
                          mime="text/markdown", icon=":material/download:", disabled=not generation.text)

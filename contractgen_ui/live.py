"""A generation shown live: status line, progress, sections list, the draft, resume and download."""

import re

import streamlit as st

from contractgen.errors import ContractgenError
from contractgen.export import FORMATS, app_view, export, filename, info_for, needs_sanitizing
from contractgen.generation import Generation, manager
from contractgen.pacing import ParagraphStreams, settled
from contractgen.progress import progress
from contractgen.sanitize import strip_hidden, visible


def render(target, text: str, partial: bool = False) -> None:
    """Generated Markdown into `target` (st or a placeholder) with the HTML export's link policy (app_view).

    `partial`: a paragraph still being written; Streamlit then completes unclosed markup (like write_stream)."""
    body, is_html = app_view(text)
    if is_html:
        target.markdown(body, unsafe_allow_html=True)
        return
    write = getattr(target, "_markdown", None) if partial else None
    try:
        if write is not None:
            write(body, unterminated_parsing=True)
            return
    except TypeError:  # another Streamlit version: the plain call below is as good, without the completion
        pass
    target.markdown(body)


def stream(pieces) -> None:
    """One paragraph as it is written (st.write_stream's typewriter effect), each update through `render`."""
    slot, written = None, ""
    for piece in pieces:
        if not piece:
            continue
        first = slot is None
        if first:
            slot = st.empty()
        written += piece
        render(slot, written, partial=not first)
    if slot is not None:
        render(slot, written)


def plain_label(title: str) -> str:
    """A model-written title for a widget label (which renders Markdown links and images): as written,
    unless it holds a link or image the export would drop; then its plain text, escaped."""
    from contractgen.export import _plain
    from contractgen.library import escape_md

    title = strip_hidden(title)
    return escape_md(_plain(title)) if needs_sanitizing(title, partial=False) else title


def message(text: str) -> str:
    """A message with outside text in it (a server's error, an id) for st.error and friends: control
    characters made visible and, if it holds a link or image the export would drop, no link syntax left."""
    text = visible(text)
    return re.sub(r"([\[\]<>])", r"\\\1", text) if needs_sanitizing(text, partial=False) else text


def status_text(generation: Generation) -> tuple[str, str]:
    """(kind of box, message) for the status line."""
    handled = f" · ⚠️ {generation.faults_handled} timeout(s) handled" if generation.faults_handled else ""
    if generation.foreign_owner:
        return "info", (f"Streaming from another process ({generation.foreign_owner}), followed live: "
                        f"{len(generation.text):,} characters so far.{handled}")
    if generation.status == "resuming" or generation.notice:
        return "warning", (generation.notice or "Resuming generation from where it left off...") + handled
    if generation.status in ("pending", "streaming"):
        return "info", "Streaming..." + handled
    if generation.status == "completed":
        words = len(generation.text.split())
        if generation.warnings:
            return "warning", (f"Completed with warnings: {len(generation.sections)} sections, {words:,} words{handled}. "
                               + " ".join(generation.warnings) + " Read the draft before using it.")
        return "success", f"Completed: {len(generation.sections)} sections, {words:,} words{handled}."
    if generation.status == "interrupted":
        return "warning", f"Interrupted: {generation.error or 'the server stopped before the draft was finished.'} The text so far is kept.{handled}"
    if generation.status == "expired":
        return "error", "This draft expired (unfinished for over 24 hours): it can be read and downloaded, not resumed."
    resumable = " You can resume it by hand." if generation.resumable else ""
    return "error", f"{generation.error} The text written so far is kept and can be downloaded.{resumable}{handled}"


def progress_label(generation: Generation, p) -> str:
    """Progress as the mode counts it: live text, group g/G, or section k/N."""
    if generation.mode == "sections":
        current = min(p.done + (0 if generation.done else 1), p.total)
        return f"section {current}/{p.total} · {p.words:,} words"
    if generation.mode == "chunks":
        group = min(generation.calls_done + (0 if generation.done else 1), generation.calls_total)
        return f"group {group}/{generation.calls_total} · {p.done} of {p.total} sections · {p.words:,} words"
    return f"{p.done} of {p.total} sections · {p.words:,} words"


def show(generation: Generation, settings) -> None:
    st.caption(f"Written by **{generation.label}** · {generation.mode} mode · document `{generation.id}`")
    status, bar = st.empty(), st.empty()
    draft, side = st.columns([3, 1])
    side.markdown("**Sections**")
    toc, upcoming = side.container(), side.empty()
    shown = {"status": None, "sections": 0, "done": -1}

    def refresh(force: bool = False) -> None:
        line = status_text(generation)
        if force or line != shown["status"]:
            shown["status"] = line
            box, text = line
            getattr(status, box)(message(text))
        completed = generation.completed_sections
        if force or len(completed) != shown["done"]:
            shown["done"] = len(completed)
            # Append-only: each finished section is sent to the browser once, never re-rendered.
            for section in completed[shown["sections"]:]:
                with toc.expander(f"{section.number}. {plain_label(section.title)}", icon=":material/check_circle:"):
                    render(st, "\n".join(f"- {s.number} {s.title}" for s in section.subsections) or "_No subsections._")
            shown["sections"] = len(completed)
            p = progress(generation)
            rest = [f"{n}. {title}" for n, title, ok in p.lines if not ok]
            upcoming.caption("To come: " + "; ".join(rest) if rest else "")
            bar.progress(p.fraction, text=progress_label(generation, p))

    refresh(force=True)
    with draft:
        text = generation.text
        start = len(text) if generation.done and not generation.running else settled(text)
        if start:
            render(st, text[:start])
        for paragraph in ParagraphStreams(generation.read, start=start, on_tick=refresh):
            stream(paragraph)
    generation.join(timeout=2)  # the status is final; let the worker return so "resumable" is settled
    refresh()
    actions(generation, settings)


def actions(generation: Generation, settings) -> None:
    columns = st.columns(4)
    if generation.resumable:
        if columns[0].button("Resume generation", type="primary", icon=":material/play_arrow:"):
            try:
                manager().resume(generation.id, settings)
            except ContractgenError as exc:
                st.error(message(str(exc)))
            else:
                st.rerun()
    record = manager().store.get(generation.id) if manager().store else None
    if record is None or not record.text:
        return
    info = info_for(record)
    for column, fmt in zip(columns[1:], FORMATS):
        column.download_button(f"Download {fmt.upper()}", export(record.text, info, fmt), file_name=filename(info, fmt),
                               mime=FORMATS[fmt][0], icon=":material/download:", key=f"live-dl-{fmt}")

"""A generation shown live: a toolbar of its actions at the top (pause, stop, break it now, speed; resume and
downloads once it stops), the status line, progress with the fault timeline beside it, the sections list
and the draft, followed as it grows."""

import re
import time

import streamlit as st

from contractgen.errors import ContractgenError
from contractgen import recovery
from contractgen.export import FORMATS, app_view, export, filename, info_for, needs_sanitizing
from contractgen.faultplan import KINDS
from contractgen.generation import BREAK_NOW, Generation
from contractgen.pacing import ParagraphStreams, settled
from contractgen.progress import progress
from contractgen.sanitize import strip_hidden, visible
from contractgen.storage import FAULT_LABELS
from contractgen_ui import timeline
from contractgen_ui.provider import manager


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


def error(exc: ContractgenError) -> None:
    """A refused action, in its own sentences (an InputError's problems, else its message), shown safely."""
    st.error(message(" ".join(getattr(exc, "problems", [str(exc)]))))


def status_text(generation: Generation, kinds: list[str] | None = None) -> tuple[str, str]:
    """(kind of box, message) for the status line. `kinds`: the draft's faults so far, oldest first (the
    seeds' "timeout(s) handled" when all were timeouts; every other kind named as what it was)."""
    count = recovery.handled(kinds or [], generation.faults_handled)
    handled = f" · {count}" if count else ""
    if generation.foreign_owner:
        return "info", (f"🔄 Streaming from another process ({generation.foreign_owner}), followed live: "
                        f"{len(generation.text):,} characters so far.{handled}")
    if generation.status == "resuming" or generation.notice:
        last = f" after a {FAULT_LABELS.get(kinds[-1], kinds[-1])}" if kinds else ""
        return "warning", f"🔄 Resuming generation... picking up at character {len(generation.text):,}{last}.{handled}"
    if generation.status in ("pending", "streaming"):
        return "info", "🔄 Streaming..." + handled
    if generation.status == "completed":
        words = len(generation.text.split())
        if generation.warnings:
            return "warning", (f"Completed with warnings: {len(generation.sections)} sections, {words:,} words{handled}. "
                               + " ".join(generation.warnings) + " Read the draft before using it.")
        return "success", f"Completed: {len(generation.sections)} sections, {words:,} words{handled}."
    if generation.status == "paused":
        return "info", (f"⏸️ Paused at {len(generation.text):,} characters: the text so far is kept. "
                        f"Press 🔄 Resume Generation to go on, now or later (it survives a restart).{handled}")
    if generation.status == "cancelled":
        return "warning", f"Stopped by hand at {len(generation.text):,} characters: the text so far is kept.{handled}"
    if generation.status == "interrupted":
        return "warning", f"Interrupted: {generation.error or 'the server stopped before the draft was finished.'} The text so far is kept.{handled}"
    if generation.status == "expired":
        return "error", "This draft expired (unfinished for over 24 hours): it can be read and downloaded, not resumed."
    resumable = " You can resume it by hand." if generation.resumable else ""
    return "error", f"{generation.error} The text written so far is kept and can be downloaded.{resumable}{handled}"


BAR_EVERY = 1.0  # seconds between word-count updates of the progress bar while streaming


def _words(n: int) -> str:
    return f"{n:,} word" + ("" if n == 1 else "s")


def progress_label(generation: Generation, p) -> str:
    """Progress as the mode counts it: live text, group g/G, or section k/N."""
    if generation.mode == "sections":
        if generation.parallel > 1:  # sections finish out of order: k/N counts every finished call
            done = min(generation.calls_finished, p.total)
            return f"section {done}/{p.total} done · {generation.parallel} at once · {_words(p.words)}"
        current = min(p.done + (0 if generation.done else 1), p.total)
        return f"section {current}/{p.total} · {_words(p.words)}"
    if generation.mode == "chunks":
        group = min(generation.calls_done + (0 if generation.done else 1), generation.calls_total)
        return f"group {group}/{generation.calls_total} · {p.done} of {p.total} sections · {_words(p.words)}"
    return f"{p.done} of {p.total} sections · {_words(p.words)}"


class _Recovery:
    """The draft's faults and resumes as stored, read again only when something changed, and the toasts
    for each new fault and each recovery (none for those already there when the page attached)."""

    def __init__(self, generation: Generation):
        self.generation, self.store = generation, manager().store
        self.key, self.faults, self.resumes = None, [], []
        self.toasted: tuple[int, int] | None = None

    def changed(self) -> bool:
        g = self.generation
        key = (g.faults_handled, g.resumes, len(g.flowed_at), g.status)
        if key == self.key and len(self.faults) >= g.faults_handled:
            return False
        self.key = key
        if self.store is not None:
            self.faults, self.resumes = self.store.faults(g.id), self.store.resumes(g.id)
        return True

    @property
    def kinds(self) -> list[str]:
        return [f.kind for f in self.faults]

    def entries(self) -> list[recovery.Entry]:
        g = self.generation
        return recovery.entries(g.text, self.faults, self.resumes, g.flowed_at, live=not g.done)

    def toast(self, entries: list[recovery.Entry]) -> None:
        recovered = [e for e in entries if e.recovered_after is not None]
        if self.toasted is not None:
            for e in entries[self.toasted[0]:]:
                st.toast(message(f"Fault {e.number}: {e.label} in {e.section}, at character {e.offset:,}. Recovering..."),
                         icon=":material/bolt:")
            for e in recovered[self.toasted[1]:]:
                st.toast(message(f"Recovered from the {e.label}: text flowing again after {e.recovered_after:.1f} s."),
                         icon=":material/check_circle:")
        self.toasted = (len(entries), len(recovered))


def show(generation: Generation, settings) -> None:
    st.caption(f"Written by **{generation.label}** · {generation.mode} mode · document `{generation.id}`")
    # The draft's actions, at the top: the live controls while it runs, then (in the next slot) resume and downloads.
    toolbar, final = st.empty(), st.empty()
    live_here = generation.running
    if live_here or generation.foreign_owner:
        live_controls(toolbar, generation)
    options = st.columns([1, 1, 3])
    following = options[0].toggle("Follow the text", value=True, key="follow",
                                  help="Keep the newest text in view while the draft streams.")
    seams_on = options[1].toggle("Show seams", key="show_seams",
                                 help="Mark in the text where each resume joined the kept text, and how.")
    top, beside = st.columns([3, 2])
    status, bar = top.empty(), top.empty()
    faults_slot = beside.empty()
    follow_slot = st.empty()
    draft, side = st.columns([3, 1])
    ahead = st.empty()  # parallel calls: the sections written ahead of the text in order, each in its place
    side.markdown("**Sections**")
    toc, upcoming = side.container(), side.empty()
    shown = {"status": None, "sections": 0, "done": -1, "bar": (None, None, None), "bar_at": 0.0, "armed": None}
    rec = _Recovery(generation)

    def refresh(force: bool = False) -> None:
        news, armed = rec.changed(), generation.armed
        if force or news or armed != shown["armed"]:
            shown["armed"] = armed
            entries = rec.entries()
            timeline.draw(faults_slot, entries, armed, not generation.done, message)
            rec.toast(entries)
        line = status_text(generation, rec.kinds)
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
        show_ahead(ahead, generation, shown)
        p = progress(generation)
        now = time.monotonic()
        if force or (p.done, generation.status) != shown["bar"][:2] or \
                (p.words != shown["bar"][2] and now - shown["bar_at"] >= BAR_EVERY):
            # The word count moves with the text, not only when a section completes (at most once a second:
            # each update is a message to the browser).
            shown["bar"], shown["bar_at"] = (p.done, generation.status, p.words), now
            bar.progress(p.fraction, text=progress_label(generation, p))

    refresh(force=True)
    if following and not generation.done:
        timeline.follow(follow_slot)
    with draft:
        # What `read` gives, in order (with parallel calls, the sections ahead show below, see show_ahead).
        text = generation.read(0)[0] if generation.parallel > 1 else generation.text
        if seams_on and generation.done and not generation.running and manager().store is not None:
            seams = manager().store.seams(generation.id)
            st.caption(f"{len(seams)} seam(s) marked where resumed text joined the kept text."
                       if seams else "No seams: no resume joined text in this draft.")
            render(st, recovery.mark_seams(text, seams) if seams else text)
        else:
            if seams_on:
                st.caption("Seams are marked once the draft stops.")
            start = len(text) if generation.done and not generation.running else settled(text)
            if start:
                render(st, text[:start])
            for paragraph in ParagraphStreams(generation.read, start=start, on_tick=refresh):
                stream(paragraph)
    generation.join(timeout=2)  # the status is final; let the worker return so "resumable" is settled
    follow_slot.empty()
    refresh()
    toolbar.empty()
    actions(final, generation, settings)


def show_ahead(slot, generation: Generation, shown: dict) -> None:
    """Parallel calls: each section being written ahead of the text in order, filling in live in its place (below
    the text, in order); it joins the text above once every section before it is done."""
    parts = [(i, text) for i, text, _ in generation.parts_view()[1:] if text] if generation.parallel > 1 else []
    key = tuple((i, len(text) // 200) for i, text in parts)  # re-drawn every ~200 characters, not every token
    if key == shown.get("ahead"):
        return
    shown["ahead"] = key
    if not parts:
        slot.empty()
        return
    with slot.container(border=True):  # always two elements: a shorter redraw leaves no stale one behind
        st.caption(f"Written at the same time ({generation.parallel} calls at once), each in its place:")
        render(st, "\n\n".join(text.strip("\n") for _, text in parts), partial=True)


def live_controls(toolbar, generation: Generation) -> None:
    """Pause, Stop, the display speed of the offline engine, and the faults to throw at it now."""
    id_ = generation.id
    with toolbar.container(border=True):
        pause, stop, speed = st.columns([1, 1, 4])
        if pause.button("Pause", icon=":material/pause:", key=f"pause-{id_}",
                        help="Stop at the end of the sentence and keep the draft, to resume later (even after a restart)."):
            manager().pause(id_)
            st.toast("Pausing at the end of the sentence...", icon=":material/pause:")
        if stop.button("Stop", icon=":material/stop:", key=f"stop-{id_}",
                       help="Stop now; the text so far is kept (cancelled)."):
            manager().cancel(id_)
            st.toast("Stopping; the text so far is kept.", icon=":material/stop:")
        if generation.running and generation.provider == "offline":
            key = f"speed-{id_}"

            def changed() -> None:
                generation.speed = float(st.session_state[key])

            speed.slider("Display speed (tokens/s)", 5, 2000, int(generation.speed or _rate(generation)), step=5,
                         key=key, on_change=changed, help="How fast the offline engine writes, changed while it streams.")
        if generation.running:
            cells = st.columns([2, *[1] * len(BREAK_NOW)])
            cells[0].markdown("**Break it now:**")
            for cell, kind in zip(cells[1:], BREAK_NOW):
                if cell.button(kind.capitalize(), key=f"break-{kind}-{id_}", help=f"{KINDS[kind][0][0].upper()}{KINDS[kind][0][1:]}: "
                               "strikes the next piece of text, then the draft recovers."):
                    generation.strike(kind)
                    st.toast(f"{kind.capitalize()} armed: it strikes the next piece of text.", icon=":material/bolt:")


def _rate(generation: Generation) -> float:
    record = manager().store.get(generation.id) if manager().store else None
    return float((record.settings.get("rate") if record else None) or 50)


def actions(toolbar, generation: Generation, settings) -> None:
    """Once the draft stopped: Resume (when it can be resumed) and the downloads, in the toolbar at the top."""
    record = manager().store.get(generation.id) if manager().store else None
    with toolbar.container(border=True):
        columns = st.columns(4)
        if generation.resumable:
            if columns[0].button("🔄 Resume Generation", type="primary", key=f"resume-{generation.id}"):
                try:
                    manager().resume(generation.id, settings)
                except ContractgenError as exc:
                    st.error(message(str(exc)))
                else:
                    st.rerun()
        if record is None or not record.text:
            return
        info = info_for(record)
        for column, fmt in zip(columns[1:], FORMATS):
            column.download_button(f"Download {fmt.upper()}", export(record.text, info, fmt), file_name=filename(info, fmt),
                                   mime=FORMATS[fmt][0], icon=":material/download:", key=f"live-dl-{fmt}")

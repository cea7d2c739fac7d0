"""Generations run in worker threads, outside any page view, and are stored as they go.

A page (or the CLI) starts a generation and follows it: the text from an
offset, the sections so far, the status line. Clicking a widget, leaving the
page or refreshing the browser ends the page's script run, never the
generation. Text reaches the database in checkpoints at a bounded rate, so a
killed process loses at most one interval; on restart, unfinished documents
show as interrupted and resume from their last checkpoint.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
import os
import re
import random
import socket
import threading
import time
import uuid

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from typing import Callable, Sequence

from .config import Settings, redact_urls
from .faultplan import FaultPlan
from .providers import describe, make_targets
from .errors import ContractgenError, DatabaseUnavailable, InputError, LeaseLost, ProviderError
from .faultplan import error_for
from .request import BaseRequest, parse_request
from . import modes, telemetry
from .library import get_library, outline
from .resume import (AttemptEnded, AttemptStarted, FaultDetected, Outcome, ResumeDelivered, ResumePolicy,
                     ResumeScheduled, SeamJoined, Target, Text, _add as _add_usage, resilient_events)
from .storage import LIVE, RESUMABLE, STATUSES, Lease, Store  # noqa: F401 - statuses are the store's, named once (STATUSES re-exported for the pages)
from .structure import HeadingShaper, Section, StructureParser, check

TargetFactory = Callable[[Sequence[int] | None, str], list[Target]]  # (sections, text before) -> targets
_SECTION_HEADING = re.compile(r"^## (\d+)\.? ", re.MULTILINE)
CHECKPOINT_INTERVAL = 0.5  # seconds: a crash loses at most this much text, and the DB sees ~2 writes/s
DB_RETRY_SECONDS = 20.0  # a write the database refuses is retried this long (text kept in memory), then the draft stops
_WRITES = {"append_text", "set_status", "start_attempt", "end_attempt", "record_fault", "record_resume",
           "resume_delivered", "record_seam", "save_section", "checkpoint"}  # fenced by the writer's lease
LEASE_LOST = "Another process took this draft over; this one stopped writing it (the draft goes on there)."
# Faults a person can throw at a live draft ("break it now"), in faultplan's words; each strikes the next delta.
BREAK_NOW = ("stall", "reset", "429", "503", "cut", "malformed")
STALL_SECONDS = 2.0  # a stall thrown by hand holds the stream this long before the timeout is declared (visible, short)
PAUSE_WITHIN = 400  # characters a pause waits for the end of a sentence or paragraph before stopping anyway
PAUSE_WAIT = 3.0  # seconds a pause waits for text at all (a stall, a backoff) before stopping anyway


_TOKEN = uuid.uuid4().hex[:8]  # two containers sharing a hostname and a pid are still two owners


def process_owner() -> str:
    """This process as a draft's owner: host:pid:token."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


def owner_alive(owner: str | None) -> bool:
    """Is the process that owns a live document still running? Only a process on this host can be checked;
    elsewhere the owner's lease decides (a dead host's drafts are taken over once it expires)."""
    if not owner:
        return False
    parts = owner.split(":")
    host, pid = (":".join(parts[:-2]), parts[-2]) if len(parts) >= 3 else (":".join(parts[:-1]), parts[-1])
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class Generation:
    observer: telemetry.DraftObserver | None = None  # OpenTelemetry export of this run, when on (telemetry.py)

    def __init__(self, request: BaseRequest, *, id: str | None = None, label: str = "", model: str = "",
                 provider: str = "", store: Store | None = None, text: str = "", status: str = "pending",
                 error: str | None = None, faults: int = 0, resumes: int = 0, fault_spec: str = "",
                 mode: str = "stream", group_size: int = modes.DEFAULT_GROUP_SIZE, calls_done: int = 0,
                 call_start: int | None = None, only_sections: tuple[int, ...] | None = None, suffix: str = "",
                 parent_id: str | None = None):
        self.id = id or uuid.uuid4().hex[:12]
        self.request = request
        self.label, self.model, self.provider = label, model, provider
        self.status, self.error = status, error
        self.faults_handled, self.resumes = faults, resumes
        self.notice: str | None = None  # transient status line: "Resuming generation..."
        self.last_fault: str | None = None  # "kind: message" of the latest fault
        self.foreign_owner: str | None = None  # set when loaded while another live process writes it
        self.warnings: list[str] = []  # structure problems and unverified seams of a completed draft
        self.lease: Lease | None = None  # this process's claim on the draft while its worker writes
        self.takeover_at: float | None = None  # set when this run takes over a dead writer's draft
        self._followed: tuple[int, float] | None = None  # (checkpoints read, last poll) of a draft written elsewhere
        self.seams: list[SeamJoined] = []  # how each continuation of this run joined the text
        self.plan: FaultPlan | None = None  # injected faults, shared by every run of this document
        self.fault_spec = fault_spec
        self.mode, self.group_size = mode, group_size
        self.outline = outline(get_library(request.doc_type), request)
        self.calls_total = len(modes.plan(mode, len(self.outline), group_size))
        self.calls_done = calls_done  # calls finished; the next one runs from `call_start`
        self.call_start = call_start
        self.call: modes.Call | None = None
        # Regenerating one section: a single call for it, between the parent's text before and after it.
        self.only_sections, self.suffix, self.parent_id = only_sections, suffix, parent_id
        if only_sections:
            self.calls_total = 1
        self._sections_saved = 0
        self.usage = None
        self._store = store
        self._chunks: list[str] = []
        self._ends: list[int] = []
        self._parser = StructureParser()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._cancel = threading.Event()
        self._pausing = False  # the stop under way is a pause: the draft is stored "paused", not "cancelled"
        # A pause's "stop anyway" timer, and the run it belongs to: a later run (a quick resume) is never stopped by it.
        self._pause_timer: threading.Timer | None = None
        self._run_token = 0
        self._strikes: list[str] = []  # faults asked for now (break it now), struck at the next delta
        self.speed: float | None = None  # the offline engine's speed changed while streaming; None: as set
        self.flowed_at: list[float] = []  # when text flowed again after each resume of this process's runs
        self._thread: threading.Thread | None = None
        self._unsaved = ""
        self._saved_at = 0.0
        # Parallel calls (parallel.py): up to `parallel` calls at once. `_parts` holds the text of the calls not yet
        # merged into `_chunks` (which stay the document's text in order), `_finished` those of them that are done,
        # `_dirty` those whose text changed since it was last stored. `revision` counts changes of the text other
        # than at its end (a call ahead of the last one grew): a reader that appends by offset re-reads it all.
        self.parallel = 1
        self.instruction = ""  # what the person asked of a regenerated section; models read it (stored in settings)
        self._parts: dict[int, str] = {}
        self._finished: set[int] = set()
        self._dirty: set[int] = set()
        # Held across a flush's snapshot and its write: two flushes (the coordinator's periodic one, a call's own at
        # its attempt's end) never commit out of order, so a call's stored text never goes backwards.
        self._flush_lock = threading.Lock()
        self.revision = 0
        self._gate = None  # the draft's shared 429 gate while its calls run in parallel
        # The attempt row is written with the call's first checkpoint (or its fault, seam or end), not before its
        # request: a write fewer between a draft's start and its first token. Until then it waits here.
        self._pending_attempt: dict | None = None
        self._attempt_id: int | None = None
        if text:
            self._append(text)
        if status == "completed":
            # Only the end of a finished document completes its last section: a draft stopped
            # inside a heading line must keep that line open for the resume to finish it.
            self._parser.finish()

    # -- reading (any thread) -------------------------------------------------
    @property
    def done(self) -> bool:
        # A draft another live process writes is followed from its checkpoints until it ends there.
        return self.status not in LIVE

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def resumable(self) -> bool:
        return self.status in RESUMABLE and not self.running

    @property
    def text(self) -> str:
        with self._lock:
            return self._text_locked()

    def _settled_locked(self) -> str:
        return "".join(self._chunks) + self._parts.get(self.calls_done, "")

    def parts_view(self) -> list[tuple[int, str, bool]]:
        """(call index, text so far, finished) of each parallel call not yet merged into the text, in order."""
        with self._lock:
            return [(i, self._parts[i], i in self._finished) for i in sorted(self._parts)]

    def _text_locked(self) -> str:
        # The merged text, then each parallel call's text so far, in order: the sections in their places.
        text = "".join(self._chunks)
        return text + "".join(self._parts[i] for i in sorted(self._parts)) if self._parts else text

    @property
    def calls_finished(self) -> int:
        """Calls done, counting the parallel calls that finished ahead of one still running (progress k/N)."""
        return self.calls_done + len(self._finished)

    FOLLOW_EVERY = 0.25  # seconds between reads of the checkpoints of a draft another process writes

    def read(self, offset: int = 0, wait: float = 0.0) -> tuple[str, bool]:
        """Text after `offset`, and whether the generation has stopped; waits up to `wait` s for news."""
        if self.foreign_owner is not None and self._store is not None:
            self._follow(wait)
            wait = 0.0
        with self._changed:
            if self._parts:
                # Parallel calls: what reads by offset gets the text in order, append-only: the merged calls and
                # the first unfinished one (the calls after it show in `text` and `parts_view`, in their places).
                if wait and not self.done and len(self._settled_locked()) <= offset:
                    self._changed.wait(wait)
                return self._settled_locked()[offset:], self.done
            if wait and not self.done and (not self._ends or self._ends[-1] <= offset):
                self._changed.wait(wait)
            i = bisect.bisect_right(self._ends, offset)
            if i >= len(self._chunks):
                return "", self.done
            start = self._ends[i - 1] if i else 0
            return self._chunks[i][offset - start:] + "".join(self._chunks[i + 1:]), self.done

    def _follow(self, wait: float) -> None:
        """Append the checkpoints another process stored since the last look (at most every FOLLOW_EVERY s), and
        take its status when it ends: a page on any replica shows the draft live, at the pace of its checkpoints."""
        seq, last = self._followed or (-1, 0.0)
        pause = last + self.FOLLOW_EVERY - time.monotonic()
        if pause > 0:
            if not wait:
                return
            time.sleep(min(pause, wait))
        if seq < 0:  # the first look: skip the checkpoints the loaded text already holds
            rows, total, seq = self._store.checkpoints_after(self.id, 0), 0, 0
            for n, chunk in rows:
                if total >= len(self.text):
                    break
                total, seq = total + len(chunk), n + 1
        rows = self._store.checkpoints_after(self.id, seq)
        for n, chunk in rows:
            self._append(chunk)
            seq = n + 1
        self._followed = (seq, time.monotonic())
        state = self._store.lifecycle(self.id)
        if state is None or state[0] not in LIVE:
            self.foreign_owner = None
            if state is not None and state[0] == "completed":
                with self._lock:
                    self._parser.finish()
            self._show(state[0] if state else "failed", state[1] if state else "The draft was deleted.")

    @property
    def sections(self) -> list[Section]:
        with self._lock:
            return list(self._parser.sections)

    @property
    def completed_sections(self) -> list[Section]:
        with self._lock:
            return self._parser.completed

    # -- writing (the worker thread) -----------------------------------------
    def _append(self, text: str) -> None:
        with self._changed:
            self._chunks.append(text)
            self._ends.append((self._ends[-1] if self._ends else 0) + len(text))
            self._parser.feed(text)
            self._changed.notify_all()

    def _checkpoint(self, now: float, force: bool = False, attempt: dict | None = None) -> None:
        """The text since the last checkpoint, the sections completed since, and (`attempt`) an attempt's end with
        the rollups, in ONE transaction, at most every CHECKPOINT_INTERVAL s (forced at an attempt's end)."""
        if not (force or (self._unsaved and now - self._saved_at >= CHECKPOINT_INTERVAL)):
            return
        if self._store:
            done = self.completed_sections
            sections = [section.to_dict() for section in done[self._sections_saved:]]
            start = self._pending_attempt if (self._unsaved or force) else None
            if self._unsaved or sections or attempt is not None or start is not None:
                started = self._db("checkpoint", self.id, text=self._unsaved, sections=sections, start=start,
                                   attempt=attempt, now=now)
                if start is not None:
                    self._attempt_id, self._pending_attempt = started, None
            self._sections_saved = len(done)
        self._unsaved, self._saved_at = "", now

    def _flush_parts(self, now: float, attempt: dict | None = None, part: int | None = None) -> None:
        """Store the text of the parallel calls that changed (or only of `part`, with its attempt's end).

        Flushes are serialised (`_flush_lock`): a snapshot is written before any later one is taken, so an older
        text never overwrites a newer one. A flush waits at most for one other write, so the crash loss stays within
        the checkpoint interval."""
        with self._flush_lock:
            with self._lock:
                chosen = set(self._dirty) if part is None else {part}
                parts = {i: (self._parts[i], i in self._finished) for i in chosen if i in self._parts}
                self._dirty -= set(parts)
            if self._store and (parts or attempt is not None):
                self._db("checkpoint", self.id, parts=parts, attempt=attempt, now=now)

    def _merge(self, now: float) -> None:
        """Append the finished calls at the front of the parallel ones to the document's text, in order, and store
        that with their rows marked merged and the sections it completes, in one transaction. The whole text does
        not change: those calls were already shown in their places."""
        with self._changed:
            merged, text = [], ""
            while self.calls_done in self._finished:
                index = self.calls_done
                text += self._parts.pop(index)
                self._finished.discard(index)
                self._dirty.discard(index)
                merged.append(index)
                self.calls_done += 1
            if text:
                self._chunks.append(text)
                self._ends.append((self._ends[-1] if self._ends else 0) + len(text))
                self._parser.feed(text)
            self._changed.notify_all()
        if not merged or not self._store:
            return
        done = self.completed_sections
        sections = [section.to_dict() for section in done[self._sections_saved:]]
        self._db("checkpoint", self.id, text=text, sections=sections, merged=merged, now=now)
        self._sections_saved = len(done)

    def _show(self, status: str, error: str | None = None) -> None:
        """The status in memory only (what the page and the CLI follow)."""
        with self._changed:
            self.status, self.error = status, error
            self._changed.notify_all()

    def _set_status(self, status: str, error: str | None = None) -> None:
        self._show(status, error)
        if self._store:
            self._db("set_status", self.id, status, error=error)

    def _db(self, method: str, *args, **kw):
        """A store call of the worker: writes are fenced by the lease; a database that refuses (locked,
        connection lost, restarting) is retried with backoff for DB_RETRY_SECONDS while the text stays in
        memory, then DatabaseUnavailable. LeaseLost is never retried: the draft is someone else's now."""
        if method in _WRITES and self.lease is not None:
            kw["lease"] = self.lease
        call = getattr(self._store, method)
        started, delay = time.monotonic(), 0.1
        while True:
            try:
                return call(*args, **kw)
            except (OperationalError, InterfaceError) as exc:
                waited = time.monotonic() - started
                if waited >= DB_RETRY_SECONDS or self._cancel.is_set():
                    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
                    raise DatabaseUnavailable(f"The database could not be written for {waited:.0f} s ({reason}).") from exc
                time.sleep(min(delay, DB_RETRY_SECONDS - waited))
                delay = min(delay * 2, 2.0)

    def run(self, targets_for: TargetFactory, policy: ResumePolicy, plan: FaultPlan | None = None,
            manual: bool = False, clock: Callable[[], float] = time.time) -> None:
        """Run the mode's calls in order, each through the resilient stream, from wherever the text stopped."""
        token = self._run_token
        try:
            self._saved_at = clock()  # the first checkpoint comes one interval after the start, not with the first token
            calls = ([modes.Call(0, 1, self.only_sections)] if self.only_sections
                     else modes.plan(self.mode, len(self.outline), self.group_size))
            if self._parallel_run(calls):
                from .parallel import run_parallel

                outcome = run_parallel(self, calls, targets_for, policy, plan, manual, clock, CHECKPOINT_INTERVAL)
                if outcome.status != "completed":
                    self._finish(outcome, clock)
                    return
            while self.calls_done < len(calls):
                call = calls[self.calls_done]
                self.call = call
                if self.call_start is None:
                    self.call_start = len(self.text)
                outcome = self._run_call(call, targets_for, policy, plan, manual, clock)
                manual = False  # only the first call of a resume by hand is the manual resume
                if outcome.status != "completed":
                    self._finish(outcome, clock)
                    return
                self.calls_done += 1
                self.call_start = None
            if self.suffix and not self.text.endswith(self.suffix):
                self._append(self.suffix)  # the sections after a regenerated one, as they were
                self._unsaved += self.suffix
            self._finish(Outcome("completed", None), clock)
        except LeaseLost:
            self._show("interrupted", LEASE_LOST)  # nothing more is written: the draft is the other process's
        except DatabaseUnavailable as exc:
            # The row stays live under a lease that runs out: any process can resume it once the database is back.
            self._show("interrupted", f"{exc} The text written so far is kept in memory ({len(self.text):,} "
                       f"characters; {len(self._unsaved):,} not yet stored). Resume the draft once the database is back.")
        except Exception as exc:  # a bug: keep the text, say so, and let the log show it
            self._show("failed", f"Unexpected error: {type(exc).__name__}: {redact_urls(str(exc))}. The text so far is kept.")
            try:
                self._checkpoint(clock(), force=True)
                self._set_status(self.status, self.error)
            except (LeaseLost, DatabaseUnavailable):
                pass  # the bug is what to report; the text is in memory
            if self.observer:
                self.observer.draft_ended(self, exc)
            raise
        finally:
            with self._lock:  # the run is over: its pause timer must not stop the next one
                if token == self._run_token:
                    self._stop_pause_timer()
            if self.status in LIVE:  # no path leaves the page or the CLI following a worker that has ended
                self._show("interrupted", self.error or "The worker stopped before the draft ended; resume it to go on.")
            if self.observer:  # every way a run ends, with its final status
                self.observer.draft_ended(self)

    def _parallel_run(self, calls: list[modes.Call]) -> bool:
        """Calls in parallel: a parts mode with K > 1, or a draft that has parallel calls stored already (it goes on
        the same way, whatever K is now: its calls' texts are in `call_parts`)."""
        return (len(calls) > 1 and not self.only_sections and self.mode in ("chunks", "sections")
                and (self.parallel > 1 or bool(self._parts) or self._had_parts))

    _had_parts = False  # set by the manager when a stored draft has `call_parts` rows

    def _finish(self, outcome: Outcome, clock: Callable[[], float]) -> None:
        if outcome.status == "cancelled" and self._pausing:
            outcome = replace(outcome, status="paused", message=f"Paused by hand at {len(self.text):,} characters: "
                              "the text so far is kept; resume it to go on from there.")
        warnings = None
        if outcome.status == "completed":
            with self._lock:
                self._parser.finish()  # the end of the text completes the last section
                warnings = check(self._parser.sections, self.outline)
            unverified = sum(1 for s in self.seams if not s.seam.joined)
            if unverified:
                warnings.append(f"{unverified} seam{'s' if unverified > 1 else ''} could not be verified: "
                                "the text around it may repeat itself (see the seams in `contractgen show`).")
            self.warnings = warnings
        self._checkpoint(clock(), force=True)  # the last text and every section still unsaved: one write
        self.notice = None
        with self._changed:
            self.status, self.error = outcome.status, outcome.message
            self._changed.notify_all()
        if self._store:
            self._db("set_status", self.id, outcome.status, error=outcome.message, warnings=warnings)

    def _run_call(self, call: modes.Call, targets_for: TargetFactory, policy: ResumePolicy, plan: FaultPlan | None,
                  manual: bool, clock: Callable[[], float], part: int | None = None, lead: bool = True,
                  gate=None) -> Outcome:
        """One call: consume its resilient stream, showing, checkpointing and recording every event.

        `part`: the call runs in parallel with others (parallel.py): its text goes to `_parts[part]`, stored with its
        attempts and by the coordinating thread; `lead`: the one call of a run that records a resume by hand or a
        takeover; `gate`: the draft's shared 429 gate."""
        if part is None:
            text = self.text
            partial = text[self.call_start:]
            before = text[:self.call_start]
            base = self.call_start
        else:
            from .parallel import nominal_offset

            with self._lock:
                partial = self._parts.get(part, "")
            before, base = "", nominal_offset(self, call)  # the calls before it are not written yet
        attempt_id = fault_id = resume_id = fault_kind = None
        fault_at: float | None = None
        resume_joined = True
        # The parts modes know which sections a call writes: their headings are written from the outline.
        wanted = [s for s in self.outline if call.sections and s.number in call.sections]
        shaper = HeadingShaper(wanted, partial) if wanted else None

        def stored_attempt() -> int | None:
            """The running attempt's row id, its row written now if it is still waiting for a checkpoint."""
            if part is None and self._pending_attempt is not None:
                self._checkpoint(clock(), force=True)
            return self._attempt_id if part is None else attempt_id

        def add(new: str) -> None:
            if not new:
                return
            if part is not None:
                with self._changed:
                    self._parts[part] = self._parts.get(part, "") + new
                    self._dirty.add(part)
                    if part != max(self._parts):
                        self.revision += 1
                    self._changed.notify_all()
                return
            self._append(new)
            self._unsaved += new
            self._checkpoint(clock())

        if manual and self._store:
            last = self._db("faults", self.id)
            resumed = {r.fault_id for r in self._db("resumes", self.id)}
            # Only a fault that no resume answered yet is what this click resumes from.
            fault_id = last[-1].id if last and last[-1].id not in resumed else None
            # The store copies the fault's detection time, so manual resume time includes the person's wait.
            resume_id = self._db("record_resume", self.id, fault_id=fault_id, attempt_id=None, auto=False,
                                                  requested_at=clock())
        elif self.takeover_at is not None and self._store and lead:
            # A dead writer's draft, taken over: an automatic resume, timed from the moment its lease ran out.
            resume_id = self._db("record_resume", self.id, fault_id=None, attempt_id=None, auto=True,
                                 requested_at=min(self.takeover_at, clock()))
            self.takeover_at = None
        targets = self._hooked(targets_for(call.sections, before))
        if gate is not None:
            targets = gate.gated(targets, self._cancel)
        events = resilient_events(targets, partial=partial, policy=policy, plan=plan,
                                  cancel=self._cancel, first_kind="resume" if partial else modes.attempt_kind(self.mode),
                                  auto=not manual, clock=clock, rng=random.Random(), base_offset=base)
        events = self.observer.watch(events) if self.observer else events
        for event in events:
            if isinstance(event, Text):
                add(shaper.feed(event.text) if shaper else event.text)
            elif isinstance(event, SeamJoined):
                self.seams.append(event)
                resume_joined = event.seam.joined
                if self._store:
                    seam = event.seam
                    self._db("record_seam", self.id, attempt_id=stored_attempt(), resume_id=resume_id, strategy=event.strategy,
                                            join_kind=seam.join, dropped=seam.dropped, preamble=seam.preamble,
                                            inserted=seam.inserted, similarity=seam.similarity, offset=event.offset,
                                            excerpt=seam.excerpt, now=event.at)
            elif isinstance(event, AttemptStarted):
                self.model = event.model
                if self._store and part is None:  # written with the first checkpoint (see _pending_attempt)
                    self._attempt_id = None
                    self._pending_attempt = dict(kind=event.kind, model=event.model, provider=event.provider,
                                                 start_offset=event.offset, now=event.at)
                elif self._store:
                    attempt_id = self._db("start_attempt", self.id, kind=event.kind, model=event.model,
                                                           provider=event.provider, start_offset=event.offset, now=event.at)
            elif isinstance(event, ResumeDelivered):
                self.flowed_at.append(event.first_token_at)
                self.notice = None
                if self.status == "resuming":
                    self._set_status("streaming")
            elif isinstance(event, AttemptEnded):
                u = event.usage
                # The attempt's end, its text and the sections it completed: one write (one commit, not three).
                end = None if not self._store else dict(
                    id=self._attempt_id if part is None else attempt_id, outcome=event.outcome, output_chars=event.output_chars,
                    first_token_at=event.first_token_at, finish_reason=event.finish_reason,
                    prompt_tokens=u.prompt_tokens if u else None, completion_tokens=u.completion_tokens if u else None,
                    tokens_estimated=bool(u and u.estimated))
                if part is None:
                    self._checkpoint(event.at, force=True, attempt=end)
                else:
                    self._flush_parts(event.at, attempt=end, part=part)
                if self._store:
                    if resume_id is not None and event.first_token_at is not None:
                        self._db("resume_delivered", resume_id, first_token_at=event.first_token_at,
                                                     delivered_chars=event.output_chars, joined=resume_joined)
                resume_id, resume_joined = None, True
            elif isinstance(event, FaultDetected):
                with self._lock:  # parallel calls count into the same draft
                    self.faults_handled += 1
                self.last_fault = f"{event.kind} at {event.offset:,} characters: {event.message}"
                fault_at, fault_kind = event.at, event.kind
                if gate is not None and fault_kind == "rate_limit":
                    gate.hold(policy.backoff_base)  # at once, before any write; its resume's delay extends it
                if self._store:
                    fault_id = self._db("record_fault", self.id, attempt_id=stored_attempt(), kind=event.kind,
                                                        message=event.message, retryable=event.retryable,
                                                        offset=event.offset, now=event.at)
            elif isinstance(event, ResumeScheduled):
                if gate is not None and fault_kind == "rate_limit":
                    gate.hold(event.delay)  # every parallel call of the draft waits out this 429's Retry-After
                with self._lock:
                    self.resumes += 1
                self.notice = "Resuming generation from where it left off..."
                self._set_status("resuming")
                if self._store:
                    resume_id = self._db("record_resume", self.id, fault_id=fault_id, attempt_id=None, auto=True,
                                                          requested_at=fault_at or event.at, now=event.at)
            elif isinstance(event, Outcome):
                if shaper:
                    add(shaper.finish())
                if event.usage:
                    with self._lock:
                        self.usage = event.usage if self.usage is None else _add_usage(self.usage, event.usage)
                return event
        raise RuntimeError("the resilient stream ended without an outcome")

    def _save_sections(self, now: float) -> None:
        """Store the sections completed since the last save (a handful per document, never per token)."""
        if not self._store:
            return
        done = self.completed_sections
        for section in done[self._sections_saved:]:
            self._db("save_section", self.id, section.to_dict(), now=now)
        self._sections_saved = len(done)

    def start(self, targets_for: TargetFactory, policy: ResumePolicy, plan: FaultPlan | None = None,
              manual: bool = False) -> None:
        with self._lock:  # a new run: an earlier pause's timer, even one firing now, no longer stops anything
            self._run_token += 1
            self._stop_pause_timer()
            self._cancel.clear()
        self._pausing = False
        with self._lock:
            self._strikes.clear()
        # Set before the thread exists, so no reader sees the old final status in between. Resuming
        # means the current call has text already (kept text before a regenerated section does not count).
        partial = len(self.text) - (self.call_start if self.call_start is not None else len(self.text))
        partial += sum(len(text) for text in self._parts.values())  # parallel calls with text go on from it
        self.foreign_owner = None
        self._set_status("resuming" if partial > 0 else "streaming")
        self._thread = threading.Thread(target=self.run, args=(targets_for, policy, plan, manual),
                                        name=f"generation-{self.id}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def pause(self) -> None:
        """Stop at a clean point (the end of a sentence or paragraph, see `_watch`) and be stored "paused":
        resumable later, by any process, also after a restart."""
        if self._pausing or not self.running:
            return
        self._pausing = True
        with self._lock:
            self._stop_pause_timer()
            # No text coming (a stall, a backoff): stop anyway, but only this run.
            timer = self._pause_timer = threading.Timer(PAUSE_WAIT, self._pause_expired, args=(self._run_token,))
        timer.daemon = True
        timer.start()

    def _pause_expired(self, token: int) -> None:
        with self._lock:
            if token == self._run_token:
                self._cancel.set()

    def _stop_pause_timer(self) -> None:
        timer, self._pause_timer = self._pause_timer, None
        if timer is not None:
            timer.cancel()

    def live_rate(self) -> float | None:
        return self.speed

    def strike(self, kind: str) -> None:
        """Break the live draft now: fault `kind` (one of BREAK_NOW) strikes its next delta, whatever the provider."""
        if kind not in BREAK_NOW:
            raise InputError([f"Unknown fault \u201c{kind}\u201d; use one of: {', '.join(BREAK_NOW)}."])
        with self._lock:
            self._strikes.append(kind)

    @property
    def armed(self) -> list[str]:
        """Faults asked for now that have not struck yet."""
        with self._lock:
            return list(self._strikes)

    def _hooked(self, targets: list[Target]) -> list[Target]:
        """The targets with the live controls between each provider and the resilient stream."""
        return [replace(t, stream=lambda partial, tail, t=t: self._watch(t.stream(partial, tail))) for t in targets]

    def _watch(self, deltas):
        """Faults asked for now strike the next delta; a pause lets the text run to the end of a sentence or a
        paragraph (at most PAUSE_WITHIN characters), then stops the stream like a cancel."""
        since_pause = 0
        for delta in deltas:
            with self._lock:
                kind = self._strikes.pop(0) if self._strikes else None
            if kind is not None:
                raise _struck(kind, self._cancel)
            yield delta
            if self._pausing and not self._cancel.is_set():
                since_pause += len(delta.text or "")
                if since_pause >= PAUSE_WITHIN or re.search(r"([.!?:;]\s*|\n)$", delta.text or ""):
                    self._cancel.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread:
            self._thread.join(timeout)


def _struck(kind: str, cancel: threading.Event) -> ProviderError:
    """The error a fault thrown by hand raises (the same as a planned one of that kind)."""
    if kind == "stall":
        cancel.wait(STALL_SECONDS)  # the stream really goes quiet, then the read times out
    return error_for(kind, "Fault thrown by hand")


INSTRUCTION_LIMIT = 300  # characters of a regenerated section's instruction


def _factory(settings: Settings, request: BaseRequest, instruction: str = "") -> TargetFactory:
    # `instruction`: what the person asked of a regenerated section ("shorter"); models read it, the template
    # engine cannot (it writes the same text again, and the page says so).
    return lambda sections, before: make_targets(settings, request, sections, before, instruction=instruction)


def _policy(settings: Settings) -> ResumePolicy:
    return ResumePolicy(max_resumes=settings.max_resumes, auto_resume=settings.auto_resume,
                        first_token_timeout=settings.first_token_timeout, attempt_deadline=settings.deadline,
                        resume_tail=settings.resume_tail, stall_floor=settings.stall_floor,
                        stall_factor=settings.stall_factor, overall_deadline=settings.overall_deadline)


def _plan(spec: str | None, written: int = 0) -> FaultPlan | None:
    """A document's fault plan; faults at positions already written have struck before."""
    if not spec:
        return None
    plan = FaultPlan.parse(spec)
    for fault in plan.faults:
        if fault.at is not None and fault.at <= written:
            plan.fire(fault)
    return plan


class GenerationManager:
    """Process-wide registry: live generations in memory, every document in the store."""

    CLEANUP_EVERY = 3600.0
    TAKEOVER_EVERY = 2.0  # seconds between looks for drafts whose writer died (with `takeover`)

    def __init__(self, store: Store | None = None, *, background_cleanup: bool = False, retention_days: float = 90.0,
                 takeover: Settings | None = None):
        """`takeover`: settings with which this process continues, on its own, the drafts of writers that died
        (an app with automatic resume on, `contractgen worker`); None: only by hand (`resume`)."""
        self.store = store
        self.retention = retention_days * 86400
        self._items: dict[str, Generation] = {}
        self._lock = threading.Lock()
        self._resume_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None
        self.taken_over: list[str] = []  # drafts this process took over from dead writers, in order
        if store is not None:
            # Drafts of a dead process on this host are known dead at once: continued here when this process
            # takes over drafts, else marked interrupted (resumable by hand). A draft "owned" by this very process
            # at startup is a leftover of an earlier one. Drafts of other hosts wait for their lease to expire.
            if takeover is None:
                store.mark_interrupted(alive=lambda owner: owner != process_owner() and owner_alive(owner))
            if background_cleanup:
                threading.Thread(target=self._cleanup_loop, name="contractgen-cleanup", daemon=True).start()
            if takeover is not None:
                threading.Thread(target=self._takeover_loop, args=(takeover,), name="contractgen-takeover",
                                 daemon=True).start()

    def _cleanup_loop(self) -> None:
        while True:
            try:
                self.store.cleanup(retention=self.retention)
            except SQLAlchemyError:
                pass  # the database is away: the next round tries again
            time.sleep(self.CLEANUP_EVERY)

    def _takeover_loop(self, settings: Settings) -> None:
        while True:
            try:
                self.take_over(settings)
            except (SQLAlchemyError, ContractgenError):
                pass  # the database is away or the draft cannot run here: the next round tries again
            time.sleep(self.TAKEOVER_EVERY)

    def take_over(self, settings: Settings, *, limit: int = 10, ids: Sequence[str] | None = None) -> list[Generation]:
        """Continue, in this process, the drafts whose writer's lease ran out (a dead process, container or
        machine), from their last checkpoint, as automatic resumes. Racing takers: one wins each draft.
        `ids`: only these drafts (each still taken only if its lease has run out)."""
        taken = []
        for id in self.store.expired(limit=limit) if ids is None else ids:
            record = self.store.get(id)
            if record is None or self._running(id):
                continue
            lease = Lease(process_owner(), settings.lease_seconds)
            dead = lambda owner: owner != process_owner() and not owner_alive(owner)  # noqa: E731
            if not self.store.acquire(id, lease, expect=LIVE, status="resuming", dead=dead):
                continue
            generation = self._load(id, record)  # the writer is gone: what was stored is what there is
            generation.lease, generation.takeover_at = lease, record.lease_until or record.updated_at
            # The run goes on with the resume budget it had: automatic resumes since the last one by hand count.
            resumes = self.store.resumes(id)
            last_manual = max((i for i, r in enumerate(resumes) if not r.auto), default=-1)
            used = sum(1 for r in resumes[last_manual + 1:] if r.auto)
            self._launch(generation, settings, manual=False, budget=max(0, settings.max_resumes - used))
            self.taken_over.append(id)
            taken.append(generation)
        return taken

    def _running(self, id: str) -> bool:
        with self._lock:
            found = self._items.get(id)
        return found is not None and found.running

    def _beat(self) -> None:
        """Renew the leases of this process's running drafts (their checkpoints renew them too, but a call can
        be silent for a while); act on a stop asked from any process; stop a worker whose lease was lost."""
        while True:
            with self._lock:
                running = [g for g in self._items.values() if g.running and g.lease is not None]
                if not running:  # started again by the next draft (_ensure_heartbeat, after its worker starts)
                    self._heartbeat = None
                    return
            seconds = min(g.lease.seconds for g in running)
            for generation in running:
                try:
                    held, asked = self.store.renew(generation.id, generation.lease)
                except SQLAlchemyError:
                    continue  # the worker's own writes retry and decide
                if not held or asked == "cancel":
                    generation.cancel()
                elif asked == "pause":
                    generation.pause()
            time.sleep(max(0.2, seconds / 3))

    def _ensure_heartbeat(self) -> None:
        with self._lock:
            if self.store is not None and (self._heartbeat is None or not self._heartbeat.is_alive()):
                self._heartbeat = threading.Thread(target=self._beat, name="contractgen-heartbeat", daemon=True)
                self._heartbeat.start()

    def _launch(self, generation: Generation, settings: Settings, *, manual: bool, budget: int | None = None) -> None:
        """Start a worker for a draft this process holds the lease of."""
        generation.label = describe(settings)
        if settings.parallel:  # else the draft goes on with the parallelism it was started (and stored) with
            generation.parallel = modes.parallel_for(generation.mode, settings.parallel)
        # The plan belongs to the document: each fault strikes once per document, not once per run.
        if generation.plan is None and generation.fault_spec:
            generation.plan = _plan(generation.fault_spec, len(generation.text))
        with self._lock:
            self._items[generation.id] = generation
        generation.observer = telemetry.observer(settings, generation, manual=manual)  # None when off
        policy = _policy(settings) if budget is None else replace(_policy(settings), max_resumes=budget)
        generation.start(_factory(settings.with_(live_rate=generation.live_rate), generation.request,
                                  generation.instruction), policy, generation.plan, manual=manual)
        self._ensure_heartbeat()  # after the worker starts: a heartbeat with nothing running ends itself

    def pause(self, document_id: str) -> bool:
        """Pause a draft wherever it is written: here at its next clean point, in another process through the store."""
        return self._stop(document_id, "pause")

    def cancel(self, document_id: str) -> bool:
        """Stop a draft wherever it is written: here at once, in another process through the store."""
        return self._stop(document_id, "cancel")

    def _stop(self, document_id: str, how: str) -> bool:
        with self._lock:
            generation = self._items.get(document_id)
        if generation is not None and generation.running:
            generation.pause() if how == "pause" else generation.cancel()
            return True
        return bool(self.store and self.store.request_stop(document_id, how))

    def start(self, request: BaseRequest, settings: Settings, *, parent_id: str | None = None,
              regenerate: int | None = None, id: str | None = None, instruction: str = "") -> Generation:
        """Start a draft; with `parent_id` it is a new version of that draft, and with `regenerate`
        it keeps the parent's text except section `regenerate`, which is written anew. `id`: an id reserved
        beforehand (a batch row links it before the draft exists, so a kill in between never drafts it twice)."""
        modes.plan(settings.mode, 1)  # an unknown mode or fault plan is refused before anything is stored
        plan = _plan(settings.fault_plan)
        first = make_targets(settings, request)[0]  # a bad setting must not leave a row
        prefix = suffix = ""
        if regenerate is not None:
            prefix, suffix = self._split_parent(parent_id, regenerate)
        generation = Generation(request, id=id, label=describe(settings), model=first.model, provider=first.provider,
                                store=self.store, mode="sections" if regenerate else settings.mode,
                                group_size=settings.group_size, text=prefix, call_start=len(prefix),
                                only_sections=(regenerate,) if regenerate else None, suffix=suffix, parent_id=parent_id)
        generation.parallel = modes.parallel_for(generation.mode, settings.parallel)
        generation.observer = telemetry.observer(settings, generation)  # None when off; refused here if not installed
        generation.instruction = instruction = (instruction or "").strip() if regenerate else ""
        if self.store:
            extra = {"regenerate_section": regenerate} if regenerate else {}
            if instruction:
                extra["regenerate_instruction"] = instruction
            # The owner is recorded from the first row: the draft is this process's until its lease runs out.
            generation.lease = Lease(process_owner(), settings.lease_seconds)
            self.store.create_document(id=generation.id, doc_type=request.doc_type, request=request.model_dump(mode="json"),
                                       provider=first.provider, model=first.model, mode=generation.mode,
                                       settings={**settings.public(), "label": generation.label, **extra},
                                       parent_id=parent_id, status="streaming", lease=generation.lease)
            if prefix:
                self.store.append_text(generation.id, prefix, lease=generation.lease)
        with self._lock:
            self._items[generation.id] = generation
        generation.plan = plan
        generation.start(_factory(settings.with_(live_rate=generation.live_rate), request, instruction), _policy(settings),
                         generation.plan)
        self._ensure_heartbeat()
        return generation

    def _split_parent(self, parent_id: str | None, number: int) -> tuple[str, str]:
        """The parent's text before section `number` and after it."""
        parent = self.get(parent_id) if parent_id else None
        if parent is None or parent.status != "completed":
            raise InputError(["Only a completed draft can have a section regenerated."])
        text = parent.text
        starts = {int(m.group(1)): m.start() for m in _SECTION_HEADING.finditer(text)}
        if number not in starts:
            raise InputError([f"Draft {parent_id} has no section {number}."])
        after = min((start for n, start in starts.items() if n > number), default=len(text))
        return text[:starts[number]], text[after:]

    def new_version(self, document_id: str, settings: Settings, *, regenerate: int | None = None,
                    instruction: str = "") -> Generation:
        """A new draft from an old one's answers (linked to it), or with one section regenerated, optionally with
        an instruction for it ("shorter", "stricter on refunds") that a model follows."""
        old = self.get(document_id)
        if old is None:
            raise InputError([f"No draft with id {document_id}."])
        if len(instruction or "") > INSTRUCTION_LIMIT:
            raise InputError([f"The instruction is {len(instruction)} characters long; the limit is {INSTRUCTION_LIMIT}."])
        return self.start(old.request, settings, parent_id=document_id, regenerate=regenerate, instruction=instruction)

    def forget(self, document_id: str) -> None:
        """Drop a finished draft from memory (the store keeps it; `get` loads it again): a batch of thousands
        of drafts must not hold every text in this process."""
        with self._lock:
            found = self._items.get(document_id)
            if found is not None and not found.running and self.store is not None:
                del self._items[document_id]

    def delete(self, document_id: str) -> bool:
        """Stop the draft if it is running, then delete it and everything recorded about it."""
        with self._lock:
            generation = self._items.pop(document_id, None)
        if generation is not None and generation.running:
            generation.cancel()
            generation.join(5)
        return self.store.delete(document_id) if self.store else generation is not None

    def get(self, generation_id: str) -> Generation | None:
        """A live generation, or a stored one loaded as it now is (another process may have moved it on)."""
        with self._lock:
            found = self._items.get(generation_id)
        if found is not None and (found.running or self.store is None):
            return found
        if self.store is None:
            return None
        record = self.store.get(generation_id)
        if record is None:
            with self._lock:
                self._items.pop(generation_id, None)
            return None
        if found is not None and found.foreign_owner is None and record.status == found.status \
                and record.length == len(found.text):
            return found
        if found is not None and found.foreign_owner is not None and record.status in LIVE:
            return found  # followed live from the checkpoints (Generation.read)
        generation = self._load(generation_id, record)
        with self._lock:
            if generation_id in self._items and self._items[generation_id].running:
                return self._items[generation_id]
            self._items[generation_id] = generation
            return generation

    def _load(self, generation_id: str, record=None) -> Generation:
        """A draft as stored. One another live process writes is followed from its checkpoints; a live one
        whose writer is gone (lease run out, or its process dead) shows as interrupted, resumable."""
        record = record or self.store.get(generation_id)
        calls_done, call_start = _progress_of(self.store.attempts(generation_id), len(record.text))
        generation = Generation(parse_request(record.request), id=record.id, label=record.settings.get("label") or record.model,
                                model=record.model, provider=record.provider, store=self.store, text=record.text,
                                status=record.status, error=record.error, faults=record.faults, resumes=record.resumes,
                                fault_spec=record.settings.get("fault_plan") or "", mode=record.mode,
                                group_size=int(record.settings.get("group_size") or modes.DEFAULT_GROUP_SIZE),
                                calls_done=calls_done, call_start=call_start, parent_id=record.parent_id)
        regenerate = record.settings.get("regenerate_section")
        generation.instruction = str(record.settings.get("regenerate_instruction") or "")
        if regenerate and record.parent_id:
            generation.only_sections = (regenerate,)
            generation.calls_total = 1
            generation.suffix = self._split_parent(record.parent_id, regenerate)[1]
            if generation.call_start is None and calls_done == 0:
                generation.call_start = len(self._split_parent(record.parent_id, regenerate)[0])
        generation._sections_saved = len(self.store.sections(generation_id))
        generation.parallel = modes.parallel_for(record.mode, record.settings.get("parallel"))
        parts = self.store.parts(generation_id)
        if parts:  # parallel calls (m009): the merged ones are in the text; the others go on from their own text
            generation._had_parts = True
            generation.calls_done = sum(1 for _, _, merged in parts.values() if merged)
            generation.call_start = None
            generation._parts = {i: text for i, (text, _, merged) in parts.items() if not merged}
            generation._finished = {i for i, (_, finished, merged) in parts.items() if finished and not merged}
        generation.warnings = list(record.warnings)
        if record.status in LIVE and not self._running(generation_id):
            held = record.lease_until is not None and record.lease_until > time.time()
            if held and record.owner != process_owner() and owner_alive(record.owner):
                generation.foreign_owner = record.owner
                generation._followed = (-1, 0.0)
            else:
                generation._show("interrupted", "The process writing this draft stopped before it ended; resume it "
                                                "to go on from its last checkpoint.")
        return generation

    def resume(self, generation_id: str, settings: Settings) -> Generation:
        """Resume by hand: continue the same document from its stored text, with a fresh resume budget.

        The store decides, in one conditional write, who resumes: of any number of clicks, CLI runs or
        replicas resuming at once, exactly one wins; the others are told who writes the draft."""
        telemetry.observer(settings)  # telemetry asked for without its packages: refused before any lease is taken
        with self._resume_lock:
            if self._running(generation_id):
                raise InputError([f"Draft {generation_id} is already being written by this process."])
            state = self.store.lifecycle(generation_id) if self.store else None  # status only: no text read twice
            if state is None:
                raise InputError([f"No draft with id {generation_id}."])
            if state[0] not in RESUMABLE + LIVE:
                why = "it has expired (older than 24 hours)" if state[0] == "expired" else f"it is {state[0]}"
                raise InputError([f"Draft {generation_id} cannot be resumed: {why}."])
            lease = Lease(process_owner(), settings.lease_seconds)
            dead = lambda owner: owner != process_owner() and not owner_alive(owner)  # noqa: E731
            if not self.store.acquire(generation_id, lease, expect=RESUMABLE + LIVE, status="resuming", dead=dead):
                now = self.store.get(generation_id)
                left = f"; its lease runs until {time.strftime('%H:%M:%S', time.localtime(now.lease_until))}" \
                    if now and now.lease_until else ""
                raise InputError([f"Draft {generation_id} is being written by another process "
                                  f"({now.owner if now else 'unknown'}{left}): it is not resumed twice."])
            with self._lock:
                found = self._items.get(generation_id)
            # The object a page or a caller already follows goes on, when it holds exactly the stored text.
            stored = self.store.get(generation_id)
            generation = found if found is not None and len(found.text) == stored.length else self._load(generation_id, stored)
            generation.lease = lease
            self._launch(generation, settings, manual=True)
            return generation


def _progress_of(attempts, length: int) -> tuple[int, int | None]:
    """(calls finished, where the unfinished call started) from stored attempts.

    Each call ends with exactly one completed attempt; the call after the last
    one started where its first attempt did."""
    done = sum(1 for a in attempts if a.outcome == "completed")
    last_done = max((i for i, a in enumerate(attempts) if a.outcome == "completed"), default=-1)
    later = attempts[last_done + 1:]
    return done, (later[0].start_offset if later else None)


_manager: GenerationManager | None = None
_manager_lock = threading.Lock()


def manager(settings: Settings | None = None) -> GenerationManager:
    """The process's manager, created on first use (never at import time)."""
    global _manager
    with _manager_lock:
        if _manager is None:
            import os

            settings = settings or Settings.from_env(os.environ)
            # With automatic resume on, the app also continues drafts whose writer died (any replica's).
            _manager = GenerationManager(Store(settings.database_url or Store.default_url(os.environ)),
                                         background_cleanup=True, retention_days=settings.retention_days,
                                         takeover=settings if settings.auto_resume else None)
        return _manager


def follow(generation: Generation, on_progress: Callable[[Generation], None] | None = None, poll: float = 0.25) -> str:
    """Block until the generation stops, calling `on_progress` as text arrives (CLI use)."""
    offset = 0
    while True:
        new, done = generation.read(offset, wait=poll)
        offset += len(new)
        if on_progress:
            on_progress(generation)
        if done and not generation.running:
            return generation.text

"""Parallel calls: up to K calls of a draft (sections or chunks mode) streamed at once.

Each call is resilient on its own (`Generation._run_call` with its own resilient
stream: its own seam, resume budget and stored text), and they meet here:

- order: a call's text joins the document's text (the `checkpoints`) only once
  every call before it has finished, so the stored text is always the
  document in order; until then it lives in its own `call_parts` row (m009),
  rewritten at the checkpoint cadence, so a crash loses at most
  CHECKPOINT_INTERVAL of each call and a resume continues every unfinished one;
- rate limits: a 429 on any call pauses every call for its Retry-After (or
  the backoff). A served endpoint's calls share the process-wide gate of
  contractgen/ratelimit.py (wired in resume.py through `Target.rate_key`: every
  draft of the process to that endpoint and model waits); targets without one
  (the in-process offline engine) get this draft's own `Gate`;
- the same document: a call is sent what a sequential call is sent except "the
  text just before this part" (not written yet when it starts), so the offline
  engine writes exactly the sequential document, and a model is kept
  consistent by the outline and the defined terms every part prompt carries.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from .offline import OfflineEngine
from .resume import Outcome, ResumePolicy, Target

if TYPE_CHECKING:
    from .faultplan import FaultPlan
    from .generation import Generation, TargetFactory
    from .modes import Call


class Gate:
    """A shared pause before any request of a draft: closed by a 429 for its Retry-After (honoured for all)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self.open_at = 0.0
        self.closed = 0  # times a 429 closed it (tests, logs)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self.open_at = max(self.open_at, self._clock() + seconds)
            self.closed += 1

    def wait(self, cancel: threading.Event) -> None:
        while True:
            with self._lock:
                left = self.open_at - self._clock()
            if left <= 0 or cancel.wait(left):
                return

    def gated(self, targets: list[Target], cancel: threading.Event) -> list[Target]:
        """The targets, each waiting for the gate before its request (a call's 429 closes it: `Generation._run_call`
        holds it for the delay its resume is scheduled with, the Retry-After when the server sent one). A target with
        a process-wide gate (`rate_key`, ratelimit.py) is left as it is: that gate already covers every call."""
        def stream(partial, tail, t):
            self.wait(cancel)
            yield from t.stream(partial, tail)
        return [t if getattr(t, "rate_key", "") else replace(t, stream=lambda partial, tail, t=t: stream(partial, tail, t))
                for t in targets]


def nominal_offset(generation: "Generation", call: "Call") -> int:
    """Where a call's text starts in the document, before the calls ahead of it are written: its position in the
    offline engine's rendering of the same request. Exact for the offline engine (served or not), an estimate for
    a model; used for attempt offsets and the document positions of faults."""
    if not call.sections:
        return 0
    return OfflineEngine(rate=0).part_offset(generation.request, call.sections)


def run_parallel(generation: "Generation", calls: list["Call"], targets_for: "TargetFactory", policy: ResumePolicy,
                 plan: "FaultPlan | None", manual: bool, clock: Callable[[], float], interval: float) -> Outcome:
    """Run every call from `generation.calls_done` on, up to `generation.parallel` at once; merge finished calls
    into the text in order; store every call's text at most every `interval` seconds. Returns the draft's outcome
    (the first call that did not complete decides it; the calls running then are let finish, their text kept)."""
    g = generation
    k = max(1, g.parallel)
    gate = g._gate = Gate()
    todo = [c for c in calls[g.calls_done:] if c.index not in g._finished]
    results: queue.Queue = queue.Queue()
    running: dict[int, threading.Thread] = {}
    failed: Outcome | None = None
    error: BaseException | None = None
    last_flush = clock()

    def work(call: "Call", lead: bool) -> None:
        try:
            results.put((call.index, g._run_call(call, targets_for, policy, plan, manual and lead, clock,
                                                 part=call.index, lead=lead, gate=gate)))
        except BaseException as exc:  # noqa: BLE001 - handed to the coordinating thread, which re-raises it
            results.put((call.index, exc))

    def launch(lead: bool) -> None:
        call = todo.pop(0)
        with g._lock:
            g._parts.setdefault(call.index, "")
        thread = threading.Thread(target=work, args=(call, lead), name=f"generation-{g.id}-call-{call.index}",
                                  daemon=True)
        running[call.index] = thread
        thread.start()

    lead = True
    while todo and len(running) < k:
        launch(lead)
        lead = False
    while running:
        try:  # woken at the checkpoint cadence at the latest: a crash loses at most `interval` of each call
            index, result = results.get(timeout=max(0.01, interval - (clock() - last_flush)))
        except queue.Empty:
            index, result = None, None
        if clock() - last_flush >= interval:
            g._flush_parts(clock())
            last_flush = clock()
        if index is None:
            continue
        running.pop(index).join()
        if isinstance(result, BaseException):
            error = error or result
            g._cancel.set()  # a bug or a lost database/lease: stop the other calls too
            continue
        if result.status != "completed":
            failed = failed or result  # no new calls; the running ones finish and keep their text
            continue
        with g._lock:
            g._finished.add(index)
            g._dirty.add(index)
        g._merge(clock())
        if failed is None and error is None and not g._cancel.is_set():
            while todo and len(running) < k:
                launch(False)
    if error is not None:
        raise error
    g._flush_parts(clock())
    if failed is not None:
        return failed
    if todo or (g._cancel.is_set() and g.calls_done < len(calls)):
        return Outcome("cancelled", "Generation was cancelled.")
    return Outcome("completed", None)

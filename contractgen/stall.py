"""Stalls caught in seconds: an adaptive stall rule and the watchdog that enforces it on a live socket.

The rule. A stream that has sent text is stalled when it has been silent (no chunk arrived while we were
waiting for one) for longer than

    limit = min(read_timeout, max(floor, factor x p99))

where p99 is the 99th percentile of the gaps between chunks this stream has shown so far (after its first
text), `floor` is STALL_FLOOR (3.5 s) and `factor` STALL_FACTOR (4). A model streaming 20-150 tokens/s has
gaps of 5-100 ms, so its limit is the floor: a silence is called after 3.5 s instead of the 60 s read
timeout. A stream that pauses for 1-2 s now and then (a loaded server, a slow local model) shows those
pauses in its p99, so its limit grows to 4-8 s and its own habits never trip it. The limit is never
longer than the read timeout, which still ends any silence at the socket.

Before the first text the first-token timeout applies instead (FIRST_TOKEN_TIMEOUT, 30 s by default,
measured from the request); a per-call deadline, when set, bounds the whole call.

Only time spent waiting for the server counts as silence: while the caller holds a chunk (storing it,
showing it, waiting on a busy database) the clock is stopped, so a slow consumer is never taken for a
stalled provider. The defaults are chosen for a loaded 2-core CI machine: a scheduling hiccup of a
second or two is far below the 3.5 s floor, and a 2 s pause leaves 1.5 s to spare.
"""

from __future__ import annotations

import bisect
import math
import socket
import threading
import time
from typing import Callable

STALL_FLOOR = 3.5  # seconds: the shortest silence ever called a stall
STALL_FACTOR = 4.0  # times the stream's own 99th percentile gap
FIRST_TOKEN_TIMEOUT = 30.0  # seconds from the request to the first text (0 or None: off)
POLL = 0.05  # seconds between the watchdog's looks at the clock


class StallRule:
    """The adaptive limit: min(cap, max(floor, factor x p99 of the gaps observed)). Pure; not thread safe."""

    def __init__(self, floor: float = STALL_FLOOR, factor: float = STALL_FACTOR, cap: float | None = None):
        self.floor, self.factor, self.cap = floor, factor, cap
        self._gaps: list[float] = []  # sorted

    def observe(self, gap: float) -> None:
        bisect.insort(self._gaps, gap)

    @property
    def observed(self) -> int:
        return len(self._gaps)

    def p99(self) -> float:
        if not self._gaps:
            return 0.0
        return self._gaps[min(len(self._gaps) - 1, math.ceil(0.99 * len(self._gaps)) - 1)]

    def limit(self) -> float:
        limit = max(self.floor, self.factor * self.p99())
        return min(limit, self.cap) if self.cap else limit

    def off(self) -> bool:
        return not self.floor and not self.factor


class Guard:
    """Watches one streamed call: the first-token timeout, the adaptive stall rule and the call's deadline.

    The stream calls `waiting()` before it reads, `arrived(text)` when a chunk comes. The blocked read
    cannot be interrupted from its own thread: when a limit passes, a watchdog thread calls `abort`
    (for a socket: shut it down, which wakes the read with an error) and `fired` says why.
    """

    def __init__(self, *, first_token_timeout: float | None = FIRST_TOKEN_TIMEOUT, rule: StallRule | None = None,
                 deadline: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.first_token_timeout = first_token_timeout or None
        self.rule = rule if rule is not None and not rule.off() else None
        self.deadline = deadline or None
        self.fired: str | None = None
        self._clock = clock
        self.started = clock()
        self.got_text = False
        self._waiting_since: float | None = None
        self._gaps: list[float] = []  # appended by the stream (cheap), folded into the rule by the watchdog
        self._folded = 0
        self._done = threading.Event()

    @property
    def active(self) -> bool:
        return bool(self.first_token_timeout or self.rule or self.deadline)

    # -- the stream's side (hot path: a clock read and an append) ---------------------
    def waiting(self) -> None:
        self._waiting_since = self._clock()

    def arrived(self, text: bool) -> None:
        since = self._waiting_since
        self._waiting_since = None
        if self.got_text and since is not None:
            self._gaps.append(self._clock() - since)
        if text:
            self.got_text = True

    # -- the watchdog's side ----------------------------------------------------------
    def check(self, now: float) -> str | None:
        """Why the call should be ended now, or None."""
        elapsed = now - self.started
        if not self.got_text:
            if self.first_token_timeout and elapsed > self.first_token_timeout:
                return f"No text within {self.first_token_timeout:g} s of the request (first-token timeout)."
        elif self.rule is not None:
            while self._folded < len(self._gaps):
                self.rule.observe(self._gaps[self._folded])
                self._folded += 1
            since = self._waiting_since
            if since is not None and now - since > (limit := self.rule.limit()):
                return (f"The stream went silent for {now - since:.1f} s after sending text (stall limit {limit:.1f} s: "
                        f"max({self.rule.floor:g} s, {self.rule.factor:g} x its 99th percentile gap of "
                        f"{self.rule.p99():.2f} s)).")
        if self.deadline and elapsed > self.deadline:
            return f"The call took longer than its {self.deadline:g} s deadline."
        return None

    def watch(self, abort: Callable[[], None]) -> None:
        """Start the watchdog thread (nothing to do when every limit is off)."""
        if not self.active:
            return
        threading.Thread(target=self._run, args=(abort,), name="contractgen-watchdog", daemon=True).start()

    def stop(self) -> None:
        self._done.set()

    def _run(self, abort: Callable[[], None]) -> None:
        while not self._done.wait(POLL):
            why = self.check(self._clock())
            if why:
                self.fired = why
                abort()
                return


def shutdown(sock) -> Callable[[], None]:
    """An abort for a blocked read on `sock`: closing the SDK stream from another thread does not wake the
    read, shutting the socket down does."""
    def abort() -> None:
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed: the stream is ending anyway
    return abort

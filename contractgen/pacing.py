"""Paragraph streams for a live view, each updated at a bounded rate.

Streamlit's `st.write_stream` re-sends the whole accumulated text of its
element on every chunk, so one stream for a whole document costs the browser
O(n^2) bytes. Splitting the text into one stream per paragraph bounds what each
update re-sends to one paragraph, and emitting at most once per `interval`
bounds how many updates there are. No streamlit here: the page feeds each
inner iterator to `st.write_stream`.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

Reader = Callable[[int, float], tuple[str, bool]]  # (offset, wait) -> (new text, done)


class ParagraphStreams:
    def __init__(self, read: Reader, start: int = 0, interval: float = 0.25,
                 clock: Callable[[], float] = time.monotonic, on_tick: Callable[[], None] | None = None):
        self._read = read
        # Called after every read (so at most once per interval while waiting):
        # lets a view refresh a status line during a stall, when no text comes.
        self._on_tick = on_tick
        self._offset = start
        self._interval = interval
        self._clock = clock
        self._pending = ""
        self._done = False

    def _fill(self, wait: float) -> None:
        new, done = self._read(self._offset, wait)
        if self._on_tick:
            self._on_tick()
        self._offset += len(new)
        self._pending += new
        self._done = done

    def _wait_until(self, deadline: float) -> None:
        """Gather text until `deadline`, so one emitted update carries all of it.

        Reads at least once, so a zero interval still makes progress."""
        self._fill(max(0.0, deadline - self._clock()))
        while not self._done and (remaining := deadline - self._clock()) > 0:
            self._fill(remaining)

    def __iter__(self) -> Iterator[Iterator[str]]:
        while True:
            while not self._pending and not self._done:
                self._fill(self._interval)
            self._pending = self._pending.lstrip("\n")
            if not self._pending:
                if self._done:
                    return
                continue
            yield self._paragraph()

    def _paragraph(self) -> Iterator[str]:
        while True:
            end = self._pending.find("\n\n")
            if end >= 0:
                piece, self._pending = self._pending[:end], self._pending[end + 2:]
                if piece:
                    yield piece
                return
            if self._done:
                piece, self._pending = self._pending, ""
                if piece:
                    yield piece
                return
            # Hold back trailing newlines: with the next read they may turn
            # out to be a paragraph break.
            body = self._pending.rstrip("\n")
            if body:
                piece, self._pending = body, self._pending[len(body):]
                yield piece
            self._wait_until(self._clock() + self._interval)


def settled(text: str) -> int:
    """Where the last whole paragraph ends: a re-attaching view shows text up to
    here at once and streams the rest, so no paragraph is split in two."""
    end = text.rfind("\n\n")
    return end + 2 if end >= 0 else 0

"""Where a resumed stream joins the text already written, with nothing repeated or lost.

Judged on text alone a seam is ambiguous: after "...se", a continuation "e the"
may be "see the" or a repeated "e". So resumes are anchored: the partial last
word is held back from the continuation request (the request ends at a word
boundary) and the model must write it again. The overlap between what we have
and what arrives is then at least that held-back tail, which removes the
ambiguity in practice; the longest such overlap is dropped (a model that
repeats more is cut back too). When no overlap of that size exists, nothing
is dropped: text that was not repeated is never deleted.
"""

from __future__ import annotations

MAX_HOLD = 64  # a "word" longer than this (a URL, a rule of dashes) is not held back
WINDOW = 1024  # the longest repeat that is looked for
UNANCHORED_MIN = 16  # overlap needed to drop text when nothing was held back


def resume_point(text: str) -> int:
    """Where the continuation request ends: the start of the last word (with its trailing whitespace)."""
    body = text.rstrip()
    start = max(body.rfind(" "), body.rfind("\n"), body.rfind("\t")) + 1
    if start <= 0 or len(text) - start > MAX_HOLD:
        return len(text)
    return start


class SeamFilter:
    """Feed it the resumed stream's deltas; it drops the repeated overlap and passes the rest."""

    def __init__(self, text: str, held: str):
        self._tail = text[-WINDOW:]
        # Without a held-back word there is no anchor: only a long overlap is taken as a repeat,
        # so a one-character coincidence ("#" + "# 2.") is never deleted.
        self._min = len(held) if held else UNANCHORED_MIN
        self._buf = ""
        self.dropped: int | None = None  # set once decided

    @property
    def decided(self) -> bool:
        return self.dropped is not None

    def feed(self, delta: str) -> str:
        if self.decided:
            return delta
        self._buf += delta
        # Wait while a longer overlap is still possible: the buffer occurs in
        # the tail with room to extend. A real continuation leaves that state
        # within a few characters, so the delay is short.
        if len(self._buf) < len(self._tail) and self._buf in self._tail[:-1]:
            return ""
        return self._decide()

    def finish(self) -> str:
        """The stream ended (or failed) while undecided: decide with what arrived."""
        return "" if self.decided else self._decide()

    def _decide(self) -> str:
        buf, self._buf = self._buf, ""
        self.dropped = 0
        for size in range(min(len(buf), len(self._tail)), self._min - 1, -1):
            if self._tail.endswith(buf[:size]):
                self.dropped = size
                break
        return buf[self.dropped:]

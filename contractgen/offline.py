"""The offline drafting engine: a template engine (not AI) that streams a real document.

It renders the clause library for the request, then streams the text in
token-sized pieces at a configurable rate. It is deterministic, so it is also
the reference that resumed documents are compared with.
"""

from __future__ import annotations

import re
import time
from typing import Callable, Iterator, Sequence

from .library import get_library, render
from .prompts import build_messages
from .seam import tail_start
from .request import BaseRequest
from .stream import Delta, Usage
from .tokens import estimate_tokens, split_tokens

_SECTION = re.compile(r"^## (\d+)\. ", re.MULTILINE)
LABEL = "Offline template engine (clause library, not AI)"
MODEL = "contractgen-offline"


def locate(full: str, partial: str) -> int:
    """Where `partial` (the whole text so far, or only its tail, as a resume sends) ends in `full`; for text
    the engine did not write, the end of the longest common prefix."""
    if full.startswith(partial):
        return len(partial)
    found = full.find(partial)
    if partial and found >= 0:
        return found + len(partial)
    common = 0
    for a, b in zip(full, partial):
        if a != b:
            break
        common += 1
    return common


class OfflineEngine:
    name = "offline"
    label = LABEL
    model = MODEL

    def __init__(self, rate: float = 50.0, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, live_rate: Callable[[], float | None] | None = None):
        self.rate = rate
        self._sleep = sleep
        self._clock = clock
        self._live_rate = live_rate  # a speed changed while streaming (the app's control); None keeps `rate`

    def current_rate(self) -> float:
        live = self._live_rate() if self._live_rate is not None else None
        return self.rate if live is None else live

    def document(self, request: BaseRequest, sections: Sequence[int] | None = None) -> str:
        """The whole document, or exactly the part holding `sections` (the first part also holds the title
        and preamble), so that the parts of any mode join into the same document."""
        full = render(get_library(request.doc_type), request)
        begin, end = self._span(full, sections)
        return full[begin:end]

    def part_offset(self, request: BaseRequest, sections: Sequence[int] | None) -> int:
        """Where the part holding `sections` starts in the whole document."""
        return self._span(render(get_library(request.doc_type), request), sections)[0]

    @staticmethod
    def _span(full: str, sections: Sequence[int] | None) -> tuple[int, int]:
        if not sections:
            return 0, len(full)
        starts = {int(m.group(1)): m.start() for m in _SECTION.finditer(full)}
        first, last = min(sections), max(sections)
        return (0 if first == 1 else starts.get(first, len(full))), starts.get(last + 1, len(full))

    def continuation(self, request: BaseRequest, partial: str, sections: Sequence[int] | None = None) -> str:
        """The rest of the document after `partial`.

        When `partial` is a prefix of the document (the normal case: it came
        from this engine) the rest is exact. Otherwise the engine continues
        after the longest common prefix: the best a template can do with text
        it did not write.
        """
        full = self.document(request, sections)
        return full[locate(full, partial):]

    def pace(self, text: str) -> Iterator[Delta]:
        """`text` in token-sized deltas at the engine's rate."""
        pieces = split_tokens(text)
        rate = self.current_rate()
        if rate <= 0 and self._live_rate is None:
            # Full speed: larger pieces keep per-delta overhead negligible.
            pieces = ["".join(pieces[i:i + 64]) for i in range(0, len(pieces), 64)]
        start, first = self._clock(), 0
        for i, piece in enumerate(pieces):
            if self._live_rate is not None and (now := self.current_rate()) != rate:
                rate, start, first = now, self._clock(), i  # a new speed counts from here, with no catch-up burst
            if rate > 0:
                # Pace against the start time, not the previous token, so
                # scheduling jitter does not accumulate into a slower stream.
                wait = start + (i - first) / rate - self._clock()
                if wait > 0:
                    self._sleep(wait)
            yield Delta(text=piece)

    @staticmethod
    def strategy() -> str:
        return "prefill"  # the engine continues any partial text in place

    def stream(self, request: BaseRequest, partial: str = "", sections: Sequence[int] | None = None,
               before: str = "", tail: int | None = None) -> Iterator[Delta]:
        rest = self.continuation(request, partial, sections)
        yield from self.pace(rest)
        yield Delta(finish_reason="stop", usage=Usage(
            # What a model would have been sent, so modes compare honestly on the offline engine too.
            prompt_tokens=sum(estimate_tokens(m["content"]) for m in build_messages(
                request, partial[tail_start(partial, tail):] if tail else partial, sections, before)),
            completion_tokens=estimate_tokens(rest),
            estimated=True,
        ))

"""Generations run in worker threads, outside any page view.

A page (or the CLI) starts a generation and then follows it: reading the text
from an offset, the sections completed so far and the status. Clicking a
widget or leaving the page ends the page's script run, never the generation.
The chunks list is the single source of truth for the text.
"""

from __future__ import annotations

import bisect
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from .errors import ContractgenError
from .providers import Provider
from .request import TermsRequest
from .stream import Usage
from .structure import Section, StructureParser


@dataclass
class Generation:
    request: TermsRequest
    provider: Provider
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = "pending"  # pending | streaming | completed | failed
    error: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    created_at: float = field(default_factory=time.time)
    first_token_at: float | None = None
    finished_at: float | None = None

    def __post_init__(self) -> None:
        self._chunks: list[str] = []
        self._ends: list[int] = []  # cumulative length after each chunk, for reads from an offset
        self._parser = StructureParser()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    # -- reading (any thread) -------------------------------------------------
    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed")

    @property
    def text(self) -> str:
        with self._lock:
            return "".join(self._chunks)

    def __len__(self) -> int:
        with self._lock:
            return self._ends[-1] if self._ends else 0

    def read(self, offset: int = 0, wait: float = 0.0) -> tuple[str, bool]:
        """Text after `offset` and whether the generation has ended; waits up to `wait` s for news."""
        with self._changed:
            if wait and not self.done and (not self._ends or self._ends[-1] <= offset):
                self._changed.wait(wait)
            i = bisect.bisect_right(self._ends, offset)
            if i >= len(self._chunks):
                return "", self.done
            start = self._ends[i - 1] if i else 0
            return self._chunks[i][offset - start:] + "".join(self._chunks[i + 1:]), self.done

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
            if self.first_token_at is None:
                self.first_token_at = time.time()
            self._chunks.append(text)
            self._ends.append((self._ends[-1] if self._ends else 0) + len(text))
            self._parser.feed(text)
            self._changed.notify_all()

    def _end(self, status: str, error: str | None = None) -> None:
        with self._changed:
            self._parser.finish()
            self.status = status
            self.error = error
            self.finished_at = time.time()
            self._changed.notify_all()

    def run(self) -> None:
        self.status = "streaming"
        try:
            for delta in self.provider.stream(self.request, self.text):
                if delta.text:
                    self._append(delta.text)
                if delta.usage:
                    self.usage = delta.usage
                if delta.finish_reason:
                    self.finish_reason = delta.finish_reason
        except ContractgenError as exc:
            self._end("failed", str(exc))
            return
        except Exception as exc:  # a bug: keep the text, say so, and let the log show it
            self._end("failed", f"Unexpected error: {type(exc).__name__}: {exc}")
            raise
        if self.finish_reason is None:
            self._end("failed", "The stream ended before the document was finished; the text so far is kept.")
        else:
            self._end("completed")


class GenerationManager:
    """Process-wide registry of generations, each on its own daemon thread."""

    def __init__(self) -> None:
        self._items: dict[str, Generation] = {}
        self._lock = threading.Lock()

    def start(self, request: TermsRequest, provider: Provider) -> Generation:
        generation = Generation(request, provider)
        with self._lock:
            self._items[generation.id] = generation
        threading.Thread(target=generation.run, name=f"generation-{generation.id}", daemon=True).start()
        return generation

    def get(self, generation_id: str) -> Generation | None:
        with self._lock:
            return self._items.get(generation_id)


_manager: GenerationManager | None = None
_manager_lock = threading.Lock()


def manager() -> GenerationManager:
    """The process's manager, created on first use (never at import time)."""
    global _manager
    with _manager_lock:
        if _manager is None:
            _manager = GenerationManager()
        return _manager


def follow(generation: Generation, on_progress: Callable[[Generation], None] | None = None, poll: float = 0.25) -> str:
    """Block until the generation ends, calling `on_progress` as text arrives (CLI use)."""
    offset = 0
    while True:
        new, done = generation.read(offset, wait=poll)
        offset += len(new)
        if on_progress and (new or done):
            on_progress(generation)
        if done:
            return generation.text

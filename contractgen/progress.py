"""What a progress view shows: the expected outline with the sections done so far."""

from __future__ import annotations

from dataclasses import dataclass

from .generation import Generation
from .library import get_library, outline


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    lines: list[tuple[int, str, bool]]  # (number, title, complete)
    words: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


def progress(generation: Generation) -> Progress:
    expected = outline(get_library(generation.request.doc_type), generation.request)
    seen = {s.number: s for s in generation.sections}
    completed = {s.number for s in generation.completed_sections}
    lines = [(s.number, seen[s.number].title if s.number in seen else s.title, s.number in completed) for s in expected]
    # A model may write more sections than asked; show them too rather than hide text.
    lines += [(n, s.title, n in completed) for n, s in seen.items() if n > len(expected)]
    return Progress(total=max(len(expected), len(lines)), done=len(completed), lines=lines, words=len(generation.text.split()))

"""Generation modes: how a document is split into provider calls.

| mode     | calls                        | progress      |
|----------|------------------------------|---------------|
| stream   | one for the whole document   | live text     |
| chunks   | one per group of sections    | group g/G     |
| sections | one per section              | section k/N   |

The chunks and sections modes may run up to K calls at once (`--parallel K`,
default 4 for sections, 1 otherwise; see parallel.py).

Every mode writes the same structure; the outline (N sections) comes from the
document type's library, so every mode agrees on N. A call's text is exactly
its sections: the first call also writes the title and preamble.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = {
    "stream": "One streamed call: text appears as it is written; the most immersive.",
    "chunks": "One call per group of sections: fewest calls for long documents; a fault re-sends one group's context.",
    "sections": "One call per section: exact progress k/N; the most calls, each small and cheap to resume.",
}
DEFAULT_GROUP_SIZE = 4


@dataclass(frozen=True)
class Call:
    index: int  # 0-based
    total: int
    sections: tuple[int, ...] | None  # None: the whole document

    def label(self, mode: str) -> str:
        if mode == "chunks":
            return f"group {self.index + 1}/{self.total}"
        if mode == "sections":
            return f"section {self.index + 1}/{self.total}"
        return "whole document"


def plan(mode: str, sections: int, group_size: int = DEFAULT_GROUP_SIZE) -> list[Call]:
    if mode not in MODES:
        from .errors import InputError
        raise InputError([f"Unknown mode \u201c{mode}\u201d; use one of: {', '.join(MODES)}."])
    if mode == "stream" or sections == 0:
        return [Call(0, 1, None)]
    size = 1 if mode == "sections" else max(1, group_size)
    groups = [tuple(range(first, min(first + size, sections + 1))) for first in range(1, sections + 1, size)]
    return [Call(i, len(groups), group) for i, group in enumerate(groups)]


def attempt_kind(mode: str) -> str:
    return {"stream": "initial", "chunks": "chunk", "sections": "section"}[mode]


DEFAULT_PARALLEL = {"stream": 1, "chunks": 1, "sections": 4}  # calls at once when --parallel is not given
MAX_PARALLEL = 8  # the most calls a draft runs at once (settings, the CLI's --parallel and the form all refuse more)


def parallel_for(mode: str, parallel: int | None) -> int:
    """Calls a draft runs at once (parallel.py): the setting, else the mode's default. The stream mode has one call."""
    if mode == "stream":
        return 1
    return min(MAX_PARALLEL, max(1, parallel)) if parallel else DEFAULT_PARALLEL.get(mode, 1)

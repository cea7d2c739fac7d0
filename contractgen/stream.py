"""What every provider yields: text deltas, then a finish reason and usage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    # True when counted by contractgen rather than reported by the provider.
    estimated: bool = False


@dataclass(frozen=True)
class Delta:
    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None

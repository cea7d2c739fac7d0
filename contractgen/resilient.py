"""The resilient stream on its own, for use from Python without the app.

    from contractgen.resilient import resilient_chat
    from contractgen.resume import ResumePolicy

    stream = resilient_chat(
        [{"role": "user", "content": "Write a haiku about backups."}],
        model="gpt-4o-mini", fallback_models=["gpt-4o"],
        policy=ResumePolicy(max_resumes=3),
    )
    for text in stream:
        print(text, end="", flush=True)
    print(stream.outcome.status, stream.outcome.model, stream.outcome.faults, stream.outcome.resumes)

Faults are detected, the text is kept, and the stream resumes where it stopped
(see contractgen.seam) with backoff, then on the fallback models. A silent stream is
caught by the policy's first-token timeout (30 s by default) and adaptive stall rule
(contractgen.stall) on the socket itself; a timeout or connection failure before any
text moves to the next model at once.
"""

from __future__ import annotations

import os
from typing import Iterator, Sequence

import openai

from . import telemetry
from .config import Settings
from .faultplan import FaultPlan
from .providers import WHOLE_DOCUMENT_MAX_TOKENS, OpenAIProvider
from .resume import Event, Outcome, ResumePolicy, Target, Text, resilient_events
from .seam import tail_start
from .tokens import estimate_tokens


class ResilientStream:
    """Iterate for text deltas; when iteration ends, `outcome` says how (completed, failed, ...), which model
    answered (`outcome.model`) and what the failed attempts cost (`outcome.failed_usage`)."""

    def __init__(self, events: Iterator[Event]):
        self._events = events
        self.outcome: Outcome | None = None
        self.events: list[Event] = []  # everything but the text, for logging and metrics

    def __iter__(self) -> Iterator[str]:
        for event in self._events:
            if isinstance(event, Text):
                yield event.text
                continue
            self.events.append(event)
            if isinstance(event, Outcome):
                self.outcome = event

    def text(self) -> str:
        """Run to the end and return the whole text."""
        return "".join(self)


def resilient_chat(messages: list[dict[str, str]], *, model: str, client: openai.OpenAI | None = None,
                   base_url: str | None = None, api_key: str | None = None, fallback_models: Sequence[str] = (),
                   policy: ResumePolicy = ResumePolicy(), read_timeout: float = 60.0, connect_timeout: float = 10.0,
                   partial: str = "", inject_faults: str | None = None, continuation: str = "auto",
                   chat_template: str | None = None, max_tokens: int | None = WHOLE_DOCUMENT_MAX_TOKENS,
                   otel: bool = False) -> ResilientStream:
    """Stream a chat completion that survives stalls, resets, 429/5xx, cut and malformed streams.

    Give an `openai.OpenAI` client, or a base URL (and key; OPENAI_API_KEY is read when none is given).
    `partial` continues text you already have; `inject_faults` takes a fault plan such as "reset@500".
    `continuation` says how a cut stream is continued (auto, prefill, completion, instruct: see
    contractgen.continuation); every call is bounded by `max_tokens`. `otel=True` exports the call, its attempts,
    faults and resumes as OpenTelemetry spans and metrics (the `otel` extra; see contractgen.telemetry).
    """
    settings = Settings(api_key=api_key or os.environ.get("OPENAI_API_KEY"), base_url=base_url, model=model,
                        read_timeout=read_timeout, connect_timeout=connect_timeout, provider="openai",
                        continuation=continuation, chat_template=chat_template, max_tokens=max_tokens, otel=otel,
                        # The policy's limits bound the socket too (stall.py's watchdog), not only chunks that arrive.
                        first_token_timeout=policy.first_token_timeout, deadline=policy.attempt_deadline,
                        stall_floor=policy.stall_floor, stall_factor=policy.stall_factor)
    if base_url is None and client is not None:
        settings = settings.with_(base_url=str(client.base_url))  # so "auto" knows which server it probes
    sent_before = sum(estimate_tokens(str(m.get("content") or "")) for m in messages)

    def prompt_tokens(partial: str) -> int:
        # What a call that is cut before the provider reports usage sent: counted, so failed attempts show a cost.
        return sent_before + estimate_tokens(partial[tail_start(partial, policy.resume_tail):])

    targets = []
    for name in (model, *fallback_models):
        provider = OpenAIProvider(settings, name, client=client)
        targets.append(Target(name, "openai", lambda text, tail, p=provider: p.stream_messages(messages, text, tail, max_tokens),
                              prompt_tokens=prompt_tokens, strategy=provider.strategy))
    plan = FaultPlan.parse(inject_faults) if inject_faults else None
    events = resilient_events(targets, partial=partial, policy=policy, plan=plan)
    watcher = telemetry.observer(settings)  # None unless otel=True: nothing imported from opentelemetry then
    return ResilientStream(watcher.watch(events) if watcher else events)

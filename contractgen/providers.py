"""Providers: the offline template engine and OpenAI (or any OpenAI-compatible server).

Both take a request and the partial text written so far and yield `Delta`s,
so the code above them does not care which one it talks to.
"""

from __future__ import annotations

from typing import Iterator, Protocol, Sequence

import openai

from . import clients, ratelimit
from .config import Settings, safe_url
from .continuation import PREFILL_EXTRA, PROBE, prefill_messages, render, template_for
from .errors import ProviderError
from .faults import classify
from .offline import OfflineEngine
from .prompts import base_messages, build_messages, continuation, stance
from .seam import tail_start
from .stall import Guard, StallRule, shutdown
from .request import BaseRequest
from .stream import Delta, Usage
from .tokens import estimate_tokens


class Provider(Protocol):
    name: str
    label: str
    model: str

    def stream(self, request: BaseRequest, partial: str = "", sections: Sequence[int] | None = None,
               before: str = "", tail: int | None = None) -> Iterator[Delta]: ...

    def strategy(self) -> str: ...


WHOLE_DOCUMENT_MAX_TOKENS = 8192  # a whole draft in one call on hosted models; past it "length" continues in place
SECTION_MAX_TOKENS = 1200  # a section is 300-700 tokens in every library


def max_tokens_for(settings: Settings, sections: Sequence[int] | None) -> int:
    """Every call is bounded: the setting, else a size for what the call writes."""
    if settings.max_tokens:
        return settings.max_tokens
    return WHOLE_DOCUMENT_MAX_TOKENS if not sections else min(WHOLE_DOCUMENT_MAX_TOKENS, SECTION_MAX_TOKENS * len(sections))


class OpenAIProvider:
    name = "openai"

    def __init__(self, settings: Settings, model: str | None = None, client: openai.OpenAI | None = None):
        self.model = model or settings.model
        self.base_url = settings.base_url
        self.first_token_timeout = settings.first_token_timeout
        self.deadline = settings.deadline
        # The adaptive stall rule (stall.py): its floor and factor; its cap is the read timeout.
        self.stall_floor, self.stall_factor = settings.stall_floor, settings.stall_factor
        self.continuation = settings.continuation
        self.template = settings.chat_template or template_for(self.model)
        self.max_tokens = settings.max_tokens
        self.label = label_for(settings, self.model, client)
        # A caller's own client is used as given (its timeouts and retries are the caller's choice). Otherwise the
        # process-wide one for this configuration (clients.py), taken on first use: a provider built only for its
        # label, or never called, builds no client.
        self._own_client = client
        self._settings = settings

    @property
    def _client(self) -> openai.OpenAI:
        if self._own_client is not None:
            return self._own_client
        s = self._settings
        return clients.client_for(s.api_key, s.base_url, s.read_timeout, s.connect_timeout)

    def stream(self, request: BaseRequest, partial: str = "", sections: Sequence[int] | None = None,
               before: str = "", tail: int | None = None, instruction: str = "") -> Iterator[Delta]:
        max_tokens = self.max_tokens or max_tokens_for(Settings(), sections)
        return self.stream_messages(base_messages(request, sections, before, instruction), partial, tail, max_tokens)

    def strategy(self) -> str:
        """The continuation strategy for this server and model (auto: probed once, then cached)."""
        if self.continuation != "auto":
            return self.continuation
        return PROBE.resolve(self._client, self.base_url, self.model, self.template)

    def request(self, messages: list[dict[str, str]], partial: str, tail: int | None, max_tokens: int | None):
        """(strategy, the streamed response) for a call continuing `partial` (of which only a tail is sent)."""
        strategy = self.strategy() if partial else None
        sent = partial[tail_start(partial, tail):] if tail else partial
        options = {"model": self.model, "stream": True, "stream_options": {"include_usage": True}}
        if max_tokens:
            options["max_tokens"] = max_tokens
        read, connect = self._timeouts()
        if self.first_token_timeout and (read is None or self.first_token_timeout < read):
            # Until the response headers arrive there is no socket for the watchdog to shut: the socket's own
            # read timeout must bound a server that never answers, so for this call it is the first-token limit.
            options["timeout"] = openai.Timeout(self.first_token_timeout, connect=connect)
        if strategy == "completion":
            return strategy, self._client.completions.create(prompt=render(messages, self.template) + sent, **options)
        if strategy == "prefill":
            return strategy, self._client.chat.completions.create(
                messages=prefill_messages(messages, sent), extra_body=PREFILL_EXTRA, **options)
        where = stance(partial) if sent != partial else None
        return strategy, self._client.chat.completions.create(messages=continuation(messages, sent, where), **options)

    def _timeouts(self) -> tuple[float | None, float | None]:
        """(read, connect) timeouts of the client this provider calls (a caller's own client included)."""
        if self._own_client is None:
            return self._settings.read_timeout, self._settings.connect_timeout
        timeout = self._own_client.timeout
        if isinstance(timeout, (int, float)):
            return float(timeout), float(timeout)
        return getattr(timeout, "read", None), getattr(timeout, "connect", None)

    def guard(self) -> Guard:
        """The watchdog of one call: first-token timeout, adaptive stall rule (capped by the socket's read
        timeout, which is the first-token limit when that is shorter) and deadline."""
        read = self._timeouts()[0]
        cap = min(t for t in (read, self.first_token_timeout) if t) if (read or self.first_token_timeout) else None
        return Guard(first_token_timeout=self.first_token_timeout, deadline=self.deadline,
                     rule=StallRule(self.stall_floor or 0.0, self.stall_factor or 0.0, cap=cap))

    def stream_messages(self, messages: list[dict[str, str]], partial: str = "", tail: int | None = None,
                        max_tokens: int | None = None) -> Iterator[Delta]:
        guard = self.guard()
        received = False  # any text or finish reason: an empty 200 stream is told apart from a cut one
        try:
            strategy, response = self.request(messages, partial, tail, max_tokens)
            with response:
                stream = response.response.extensions.get("network_stream")
                guard.watch(shutdown(stream.get_extra_info("socket") if stream is not None else None))
                try:
                    guard.waiting()
                    for chunk in response:
                        guard.arrived(False)
                        if chunk.usage is not None:
                            yield Delta(usage=Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens))
                        for choice in chunk.choices or ():
                            if strategy == "completion":
                                text = getattr(choice, "text", None)
                            else:
                                text = choice.delta.content if choice.delta else None
                            if text:
                                guard.arrived(True)
                            if text or choice.finish_reason:
                                received = True
                                yield Delta(text=text or "", finish_reason=choice.finish_reason)
                        # Only time spent waiting on the server is silence: a caller holding a chunk is not a stall.
                        guard.waiting()
                finally:
                    guard.stop()
        except ProviderError:
            raise
        except Exception as exc:  # classify() re-raises anything that is not a provider failure
            if guard.fired:
                raise ProviderError("timeout", guard.fired, retryable=True) from exc
            fault = classify(exc)
            if fault.kind == "timeout" and fault.status is None and not guard.got_text and self.first_token_timeout \
                    and self.first_token_timeout < (self._timeouts()[0] or float("inf")):
                # The socket's read timeout was the first-token limit (see request()): say which limit passed.
                fault = ProviderError("timeout", f"No text within {self.first_token_timeout:g} s of the request "
                                      "(first-token timeout).", retryable=True)
            raise fault from exc
        if not received:
            raise ProviderError("truncated", "The server answered with an empty stream (no text, no finish reason): "
                                "often a prompt longer than its context window.", retryable=True, reason="empty")


def label_for(settings: Settings, model: str, client: openai.OpenAI | None = None) -> str:
    """"model via host", as people see it: never the key, and no client is built to compute it."""
    host = safe_url(settings.base_url) or (safe_url(str(client.base_url)) if client else "api.openai.com")
    return f"{model} via {host}"


def make_provider(settings: Settings) -> Provider:
    if settings.provider_name == "offline":
        return OfflineEngine(rate=settings.rate, live_rate=settings.live_rate)
    if settings.provider_name == "openai":
        return OpenAIProvider(settings)
    raise ProviderError("fatal", f"Unknown provider \u201c{settings.provider}\u201d; use offline or openai.", retryable=False)


def make_targets(settings: Settings, request: BaseRequest, sections: Sequence[int] | None = None,
                 before: str = "", instruction: str = "") -> list["Target"]:
    """The primary model then each fallback, each bound to this request and part of the document."""
    from .resume import Target

    providers = [make_provider(settings)]
    if settings.provider_name == "openai":
        providers += [OpenAIProvider(settings, model) for model in settings.fallback_models]
    for p in providers:
        if isinstance(p, OpenAIProvider):
            p.max_tokens = max_tokens_for(settings, sections)

    def prompt_tokens(partial: str) -> int:
        sent = partial[tail_start(partial, settings.resume_tail):]
        return sum(estimate_tokens(m["content"]) for m in build_messages(request, sent, sections, before))

    # A served endpoint shares one 429 backoff across drafts (ratelimit.py); the in-process engine has none.
    # A regenerated section's instruction goes to models only: the template engine has no use for it.
    extra = {"instruction": instruction} if instruction else {}
    return [Target(p.model, p.name, lambda partial, tail, p=p: p.stream(
                       request, partial, sections, before, tail, **(extra if isinstance(p, OpenAIProvider) else {})),
                   prompt_tokens, p.strategy,
                   rate_key=ratelimit.key(p.base_url, p.model) if isinstance(p, OpenAIProvider) else "")
            for p in providers]


def describe(settings: Settings) -> str:
    """The engine's name as people see it (never the key)."""
    if settings.provider_name == "openai":
        fallbacks = f" (then {', '.join(settings.fallback_models)})" if settings.fallback_models else ""
        return label_for(settings, settings.model) + fallbacks
    return make_provider(settings).label  # the offline engine (an unknown provider is refused there)

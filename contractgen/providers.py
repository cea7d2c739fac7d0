"""Providers: the offline template engine and OpenAI (or any OpenAI-compatible server).

Both take a request and the partial text written so far and yield `Delta`s,
so the code above them does not care which one it talks to.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Protocol, Sequence

import openai

from .config import Settings, safe_url
from .continuation import PREFILL_EXTRA, PROBE, prefill_messages, render, template_for
from .errors import ProviderError
from .faults import classify
from .offline import OfflineEngine
from .prompts import base_messages, build_messages, continuation, stance
from .seam import tail_start
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
        self.continuation = settings.continuation
        self.template = settings.chat_template or template_for(self.model)
        self.max_tokens = settings.max_tokens
        host = safe_url(settings.base_url) or (safe_url(str(client.base_url)) if client else "api.openai.com")
        self.label = f"{self.model} via {host}"
        # A caller's own client is used as given (its timeouts and retries are the caller's choice).
        self._client = client or openai.OpenAI(
            # Local OpenAI-compatible servers need no key, but the SDK insists on one.
            api_key=settings.api_key or "unused",
            base_url=settings.base_url or None,
            timeout=openai.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            # Retries belong to contractgen's resume logic, which keeps the
            # partial text; the SDK's own retries would start over silently.
            max_retries=0,
        )

    def stream(self, request: BaseRequest, partial: str = "", sections: Sequence[int] | None = None,
               before: str = "", tail: int | None = None) -> Iterator[Delta]:
        max_tokens = self.max_tokens or max_tokens_for(Settings(), sections)
        return self.stream_messages(base_messages(request, sections, before), partial, tail, max_tokens)

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
        if strategy == "completion":
            return strategy, self._client.completions.create(prompt=render(messages, self.template) + sent, **options)
        if strategy == "prefill":
            return strategy, self._client.chat.completions.create(
                messages=prefill_messages(messages, sent), extra_body=PREFILL_EXTRA, **options)
        where = stance(partial) if sent != partial else None
        return strategy, self._client.chat.completions.create(messages=continuation(messages, sent, where), **options)

    def stream_messages(self, messages: list[dict[str, str]], partial: str = "", tail: int | None = None,
                        max_tokens: int | None = None) -> Iterator[Delta]:
        watchdog = _Watchdog(self.first_token_timeout, self.deadline)
        received = False  # any text or finish reason: an empty 200 stream is told apart from a cut one
        try:
            strategy, response = self.request(messages, partial, tail, max_tokens)
            with response, watchdog.watch(response):
                for chunk in response:
                    if chunk.usage is not None:
                        yield Delta(usage=Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens))
                    for choice in chunk.choices or ():
                        if strategy == "completion":
                            text = getattr(choice, "text", None)
                        else:
                            text = choice.delta.content if choice.delta else None
                        if text:
                            watchdog.first_token()
                        if text or choice.finish_reason:
                            received = True
                            yield Delta(text=text or "", finish_reason=choice.finish_reason)
        except ProviderError:
            raise
        except Exception as exc:  # classify() re-raises anything that is not a provider failure
            if watchdog.fired:
                raise ProviderError("timeout", watchdog.fired, retryable=True) from exc
            raise classify(exc) from exc
        if not received:
            raise ProviderError("truncated", "The server answered with an empty stream (no text, no finish reason): "
                                "often a prompt longer than its context window.", retryable=True, reason="empty")


class _Watchdog:
    """Enforces the first-token timeout and the per-call deadline during a silent stall.

    The read timeout only measures gaps between bytes. Closing the SDK stream
    from another thread does not wake a blocked read, but shutting down its
    socket does, so that is what the watchdog does when a limit passes.
    """

    def __init__(self, first_token_timeout: float | None, deadline: float | None):
        self.first_token_timeout, self.deadline = first_token_timeout, deadline
        self.fired: str | None = None
        self._started = time.monotonic()
        self._got_text = False
        self._done = threading.Event()

    def first_token(self) -> None:
        self._got_text = True

    @contextmanager
    def watch(self, response):
        if not (self.first_token_timeout or self.deadline):
            yield
            return
        stream = response.response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        thread = threading.Thread(target=self._run, args=(sock,), name="contractgen-watchdog", daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._done.set()

    def _run(self, sock) -> None:
        while not self._done.wait(0.05):
            elapsed = time.monotonic() - self._started
            if self.first_token_timeout and not self._got_text and elapsed > self.first_token_timeout:
                self.fired = f"No text within {self.first_token_timeout:g} s of the request (first-token timeout)."
            elif self.deadline and elapsed > self.deadline:
                self.fired = f"The call took longer than its {self.deadline:g} s deadline."
            if self.fired:
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass  # already closed: the stream is ending anyway
                return


def make_provider(settings: Settings) -> Provider:
    if settings.provider_name == "offline":
        return OfflineEngine(rate=settings.rate)
    if settings.provider_name == "openai":
        return OpenAIProvider(settings)
    raise ProviderError("fatal", f"Unknown provider \u201c{settings.provider}\u201d; use offline or openai.", retryable=False)


def make_targets(settings: Settings, request: BaseRequest, sections: Sequence[int] | None = None,
                 before: str = "") -> list["Target"]:
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

    return [Target(p.model, p.name, lambda partial, tail, p=p: p.stream(request, partial, sections, before, tail),
                   prompt_tokens, p.strategy)
            for p in providers]


def describe(settings: Settings) -> str:
    """The engine's name as people see it (never the key)."""
    provider = make_provider(settings)
    fallbacks = f" (then {', '.join(settings.fallback_models)})" if settings.fallback_models and settings.provider_name == "openai" else ""
    return provider.label + fallbacks

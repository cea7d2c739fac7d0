"""OpenTelemetry export of what the engine sees: drafts, model calls, attempts, faults, resumes, seams.

Off by default. On when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, or with `--otel`
(Settings.otel); `resilient_chat(..., otel=True)` for library use. Nothing is
imported from `opentelemetry` until then: with telemetry off this module costs
one import of plain Python and `Generation.observer` stays None.

What is exported (names from the OpenTelemetry GenAI semantic conventions
where they have one, `contractgen.*` for the rest; README "Telemetry"):

    draft {doc_type}                       one per run of a draft (a resume by hand is a new run)
    └── chat {request model}               one per logical model call: covers its retries and resumes
        ├── chat {model}                   one per attempt (a request to the provider); fault events
        └── text_completion {model}        an attempt continued on /v1/completions (completion strategy)

The call span is the GenAI operation of the conventions (a span that covers a
logical call with all its retries). Token usage is reported per attempt, as
`gen_ai.usage.*` on the attempt spans and in `gen_ai.client.token.usage`,
each at the model that was really asked: a backend that adds up usage over a
trace counts every request once and prices it at its own model, also when a
call moved to a fallback model. The call span carries the totals as
`contractgen.usage.*`.

Prompt and draft text are exported only with content capture on
(CONTRACTGEN_OTEL_CAPTURE_CONTENT=true). Keys never: nothing here reads one,
URLs pass through config.safe_url and fault messages through redact_urls.
Telemetry never breaks a draft: an error in here is logged once and turns
this draft's telemetry off.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from . import __version__
from .config import Settings, redact_urls, safe_url
from .errors import InputError
from .resume import (AttemptEnded, AttemptStarted, Event, FaultDetected, Outcome, ResumeDelivered,
                     ResumeScheduled, SeamJoined, Text)

if TYPE_CHECKING:  # never at run time: opentelemetry is imported only when telemetry is on
    from .generation import Generation

log = logging.getLogger("contractgen.telemetry")

MISSING = ("OpenTelemetry export was asked for (--otel or OTEL_EXPORTER_OTLP_ENDPOINT) but its packages "
           "are not installed: run pip install -e '.[otel]', or unset OTEL_EXPORTER_OTLP_ENDPOINT.")

# Explicit bucket boundaries, as the GenAI metric conventions advise.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)

# contractgen's provider names -> gen_ai.provider.name (a custom value for the offline template engine).
PROVIDERS = {"openai": "openai", "offline": "contractgen.offline"}
MESSAGE_LIMIT = 500  # characters of a fault message kept (redacted) on its span event


class _Instruments:
    """The tracer and the instruments, made once per pair of providers."""

    def __init__(self, tracer_provider: Any, meter_provider: Any):
        self.tracer_provider, self.meter_provider = tracer_provider, meter_provider
        self.tracer = tracer_provider.get_tracer("contractgen", __version__)
        meter = meter_provider.get_meter("contractgen", __version__)
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s", description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS)
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}", description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS)
        self.first_chunk = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk", unit="s",
            description="Time from a request to the first chunk of its streamed response.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS)
        self.faults = meter.create_counter(
            "contractgen.faults", unit="{fault}", description="Faults detected in model calls, by kind.")
        self.resumes = meter.create_counter(
            "contractgen.resumes", unit="{resume}", description="Resumes of a cut call, by outcome.")
        self.resume_time = meter.create_histogram(
            "contractgen.resume.duration", unit="s",
            description="Fault detection (or the click, for a resume by hand) to the first new text of the resumed call.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS)
        self.seams = meter.create_counter(
            "contractgen.seam.joins", unit="{seam}", description="How continuations joined the text, by join.")
        self.drafts = meter.create_counter(
            "contractgen.drafts", unit="{draft}", description="Runs of drafts that ended, by status.")


_lock = threading.Lock()
_chosen: _Instruments | None = None  # set by use(), or on first need from the standard OTEL_* variables


def use(tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Export through these providers from now on (tests, or a host application); use() with nothing resets,
    so the next draft with telemetry on sets up OTLP export from the environment again."""
    global _chosen
    with _lock:
        _chosen = None
        if tracer_provider is not None or meter_provider is not None:
            from opentelemetry import metrics, trace

            _chosen = _Instruments(tracer_provider or trace.NoOpTracerProvider(),
                                   meter_provider or metrics.NoOpMeterProvider())


def _instruments() -> _Instruments:
    global _chosen
    with _lock:
        if _chosen is None:
            _chosen = _Instruments(*_providers())
        return _chosen


def _providers() -> tuple[Any, Any]:
    """The process's providers: a host's global ones when it set them up, else OTLP/HTTP export configured
    by the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, _TIMEOUT, OTEL_SERVICE_NAME, ...)."""
    try:
        from opentelemetry import metrics, trace
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise InputError([MISSING]) from None
    tracer_provider, meter_provider = trace.get_tracer_provider(), metrics.get_meter_provider()
    if isinstance(tracer_provider, TracerProvider):  # the host application exports already: join it
        return tracer_provider, meter_provider if isinstance(meter_provider, MeterProvider) else metrics.NoOpMeterProvider()
    _check_endpoints()
    # OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES), when set, names the service; else "contractgen".
    resource = Resource.create({"service.version": __version__})
    if str(resource.attributes.get("service.name", "unknown_service")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "contractgen"}))
    # "none" turns one signal off (Phoenix and Langfuse take traces only), as in the SDK's own configuration.
    tracer_provider = TracerProvider(resource=resource)
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() != "none":
        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    readers = []
    if os.environ.get("OTEL_METRICS_EXPORTER", "otlp").strip().lower() != "none":
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    # Both providers flush and shut down at interpreter exit (their shutdown_on_exit default): a CLI run
    # exports everything before it ends.
    return tracer_provider, MeterProvider(resource=resource, metric_readers=readers)


def _check_endpoints() -> None:
    """Refuse, with one sentence, an endpoint the exporter cannot use (it would fail on every export). The
    value itself is never repeated: it may hold credentials."""
    from urllib.parse import urlsplit

    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"):
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise InputError([f"{name} must be an http:// or https:// URL of an OTLP/HTTP receiver, "
                              "such as http://127.0.0.1:4318."])


def observer(settings: Settings, generation: "Generation | None" = None, *, manual: bool = False) -> "DraftObserver | None":
    """A draft's observer when telemetry is on, else None (and nothing imported).

    Raises InputError with one sentence when telemetry is asked for but the `otel` extra is missing: called
    before anything is stored, so nothing starts."""
    if not settings.otel:
        return None
    return DraftObserver(_instruments(), settings, generation, manual=manual)


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)


def _server(settings: Settings, provider: str) -> dict[str, Any]:
    """server.address and server.port of an OpenAI-compatible server (never its credentials)."""
    if provider != "openai":
        return {}
    from urllib.parse import urlsplit

    url = safe_url(settings.base_url) or "https://api.openai.com/v1"
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return {}
    return {"server.address": parts.hostname, "server.port": port} if parts.hostname else {}


@dataclass
class _Attempt:
    span: Any
    model: str
    provider: str  # gen_ai.provider.name
    server: dict[str, Any]  # server.address and server.port
    operation: str
    started: float
    ended: float | None = None
    responded: bool = False


@dataclass
class _Resume:
    auto: bool
    delay: float | None
    at: float
    since: float  # fault detection (automatic) or the click (by hand): resume time counts from here
    number: int
    model: str | None = None
    fallback: bool = False
    started: bool = False  # its attempt has begun
    first_token_at: float | None = None
    joined: bool = True
    seam: SeamJoined | None = None


@dataclass
class _Call:
    span: Any
    context: Any
    started: float
    request_model: str
    provider: str
    server: dict[str, Any]
    base: int  # document position where the call's text starts
    attempts: int = 0
    faults: int = 0
    resumes: int = 0
    last_fault: str | None = None
    fault_at: float | None = None
    response_model: str | None = None
    finish_reason: str | None = None
    output: list[str] = field(default_factory=list)


class DraftObserver:
    """Turns one run's events into spans, span events and metric points, as they happen.

    Generation._run_call passes each call's events through `watch`; GenerationManager creates one observer
    per run (start or resume by hand) and the run ends it with `draft_ended`. Without a generation
    (resilient_chat) there is no draft span: each call span is a child of the caller's current span."""

    def __init__(self, instruments: _Instruments, settings: Settings, generation: "Generation | None" = None,
                 *, manual: bool = False):
        self._i = instruments
        self._settings = settings
        self.capture = settings.otel_capture_content
        self.generation = generation
        self.manual = manual  # this run is a resume by hand: its first call's first attempt is that resume
        self._created = time.time()
        self._draft: Any = None
        self._draft_context: Any = None
        self._call: _Call | None = None
        self._attempt: _Attempt | None = None
        self._resume: _Resume | None = None
        self.faults = self.resumes = self.seams = self.unverified = 0
        self._last_fault: str | None = None
        self._broken = self._ended = False
        self._handlers = {AttemptStarted: self._attempt_started, AttemptEnded: self._attempt_ended,
                          FaultDetected: self._fault, ResumeScheduled: self._resume_scheduled,
                          ResumeDelivered: self._resume_delivered, SeamJoined: self._seam, Outcome: self._outcome}

    # -- the hook ---------------------------------------------------------------
    def watch(self, events: Iterator[Event]) -> Iterator[Event]:
        """The same events, observed on the way (before the caller sees each one)."""
        for event in events:
            if type(event) is Text:
                if self.capture and self._call is not None:
                    self._call.output.append(event.text)
            elif not self._broken:
                try:
                    handler = self._handlers.get(type(event))
                    if handler:
                        handler(event)
                except Exception:  # noqa: BLE001 - telemetry must never stop a draft
                    self._broken = True
                    log.warning("OpenTelemetry export failed and is off for the rest of this draft.", exc_info=True)
            yield event

    def draft_ended(self, generation: "Generation", error: BaseException | None = None) -> None:
        """End the draft span (and anything left open) once the run has its final status; once (later calls
        do nothing), so a bug's exception, passed first, names the error."""
        if self._broken or self._ended:
            return
        self._ended = True
        try:
            self._end_draft(generation, error)
        except Exception:  # noqa: BLE001
            self._broken = True
            log.warning("OpenTelemetry export failed at the end of a draft.", exc_info=True)

    # -- spans --------------------------------------------------------------------
    def _draft_span(self) -> Any:
        if self._draft is None and self.generation is not None:
            from opentelemetry import trace

            g = self.generation
            self._draft = self._i.tracer.start_span(
                f"draft {g.request.doc_type}", start_time=_ns(self._created), kind=trace.SpanKind.INTERNAL,
                attributes={"contractgen.document.id": g.id, "contractgen.document.type": g.request.doc_type,
                            "contractgen.mode": g.mode, "contractgen.calls": g.calls_total,
                            "contractgen.resume.manual": self.manual, "contractgen.length.start": len(g.text)})
            self._draft_context = trace.set_span_in_context(self._draft)
        return self._draft

    def _kind(self, provider: str) -> Any:
        from opentelemetry import trace

        # A model in this process (the offline template engine) is INTERNAL; a server is CLIENT.
        return trace.SpanKind.CLIENT if provider == "openai" else trace.SpanKind.INTERNAL

    def _start_call(self, event: AttemptStarted) -> _Call:
        from opentelemetry import trace

        self._draft_span()
        g = self.generation
        provider, server = PROVIDERS.get(event.provider, event.provider), _server(self._settings, event.provider)
        attributes: dict[str, Any] = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": provider,
                                      "gen_ai.request.model": event.model, **server}
        base = 0
        if g is not None and g.call is not None:
            base = g.call_start or 0
            attributes["contractgen.call.index"] = g.call.index + 1
            attributes["contractgen.call.count"] = g.call.total
            if g.call.sections:
                attributes["contractgen.call.sections"] = list(g.call.sections)
            if self.capture:
                attributes.update(self._input(g))
        span = self._i.tracer.start_span(f"chat {event.model}", context=self._draft_context,
                                         kind=self._kind(event.provider), start_time=_ns(event.at), attributes=attributes)
        self._call = _Call(span, trace.set_span_in_context(span), event.at, event.model, provider, server, base)
        if self.manual:  # the click that started this run is the resume its first attempt answers
            self.manual = False
            self._resume = _Resume(auto=False, delay=None, at=self._created, since=self._created, number=1)
            self._call.resumes += 1
            self.resumes += 1
        return self._call

    def _input(self, g: "Generation") -> dict[str, str]:
        """The call's prompt, in the conventions' message format (content capture only)."""
        from .prompts import base_messages

        text = g.text
        messages = base_messages(g.request, g.call.sections if g.call else None, text[:g.call_start or 0])
        system = [{"type": "text", "content": m["content"]} for m in messages if m["role"] == "system"]
        others = [{"role": m["role"], "parts": [{"type": "text", "content": m["content"]}]}
                  for m in messages if m["role"] != "system"]
        return {"gen_ai.system_instructions": json.dumps(system, ensure_ascii=False),
                "gen_ai.input.messages": json.dumps(others, ensure_ascii=False)}

    # -- events -------------------------------------------------------------------
    def _attempt_started(self, e: AttemptStarted) -> None:
        call = self._call or self._start_call(e)
        call.attempts += 1
        continuing = e.offset > call.base
        operation = "text_completion" if continuing and self._settings.continuation == "completion" else "chat"
        provider, server = PROVIDERS.get(e.provider, e.provider), _server(self._settings, e.provider)
        span = self._i.tracer.start_span(
            f"{operation} {e.model}", context=call.context, kind=self._kind(e.provider), start_time=_ns(e.at),
            attributes={"gen_ai.operation.name": operation, "gen_ai.provider.name": provider,
                        "gen_ai.request.model": e.model, **server,
                        "contractgen.attempt.kind": e.kind, "contractgen.attempt.offset": e.offset})
        self._attempt = _Attempt(span, e.model, provider, server, operation, e.at)
        if self._resume is not None and not self._resume.started:
            self._resume.started = True
            self._resume.model = e.model
            self._resume.fallback = e.kind == "fallback"

    def _seam(self, e: SeamJoined) -> None:
        self.seams += 1
        self.unverified += not e.seam.joined
        attempt = self._attempt
        if attempt is not None:
            if e.strategy == "completion" and attempt.operation != "text_completion":
                attempt.operation = "text_completion"  # known once the strategy is resolved (auto probes)
                attempt.span.update_name(f"text_completion {attempt.model}")
                attempt.span.set_attribute("gen_ai.operation.name", "text_completion")
            attempt.span.set_attributes({"contractgen.continuation.strategy": e.strategy,
                                         "contractgen.seam.join": e.seam.join, "contractgen.seam.dropped": e.seam.dropped})
        if self._resume is not None and self._resume.started:
            self._resume.seam = e
        self._i.seams.add(1, {"contractgen.seam.join": e.seam.join, "contractgen.continuation.strategy": e.strategy})

    def _resume_delivered(self, e: ResumeDelivered) -> None:
        if self._resume is not None:
            self._resume.first_token_at = e.first_token_at
            self._resume.joined = e.joined

    def _metric_attributes(self, attempt: _Attempt) -> dict[str, Any]:
        attributes = {"gen_ai.operation.name": attempt.operation, "gen_ai.provider.name": attempt.provider,
                      "gen_ai.request.model": attempt.model, **attempt.server}
        if attempt.responded:
            attributes["gen_ai.response.model"] = attempt.model
        return attributes

    def _attempt_ended(self, e: AttemptEnded) -> None:
        attempt, call = self._attempt, self._call
        if attempt is None or call is None:
            return
        attempt.ended = e.at
        attempt.responded = e.first_token_at is not None or e.finish_reason is not None
        span = attempt.span
        attributes: dict[str, Any] = {"contractgen.attempt.outcome": e.outcome,
                                      "contractgen.attempt.output_chars": e.output_chars}
        if attempt.responded:
            attributes["gen_ai.response.model"] = attempt.model
            call.response_model = attempt.model
        if e.finish_reason:
            attributes["gen_ai.response.finish_reasons"] = [e.finish_reason]
            call.finish_reason = e.finish_reason
        metric = self._metric_attributes(attempt)
        if e.first_token_at is not None:
            ttfc = max(0.0, e.first_token_at - attempt.started)
            attributes["gen_ai.response.time_to_first_chunk"] = ttfc
            self._i.first_chunk.record(ttfc, metric)
        if e.usage is not None:
            attributes.update({"gen_ai.usage.input_tokens": e.usage.prompt_tokens,
                               "gen_ai.usage.output_tokens": e.usage.completion_tokens,
                               "contractgen.usage.estimated": e.usage.estimated})
            # Estimated counts (a call cut before the provider reported usage) are marked, never passed off.
            for kind, count in (("input", e.usage.prompt_tokens), ("output", e.usage.completion_tokens)):
                self._i.tokens.record(count, {**metric, "gen_ai.token.type": kind,
                                              "contractgen.usage.estimated": e.usage.estimated})
        span.set_attributes(attributes)
        self._settle_resume(ended=True)
        if e.outcome != "fault":  # a fault's attempt ends with its FaultDetected, which follows at once
            span.end(end_time=_ns(e.at))
            self._attempt = None

    def _fault(self, e: FaultDetected) -> None:
        from opentelemetry.trace import Status, StatusCode

        self.faults += 1
        self._last_fault = e.kind
        call = self._call
        if call is not None:
            call.faults += 1
            call.last_fault, call.fault_at = e.kind, e.at
        attempt = self._attempt
        model = attempt.model if attempt else (call.request_model if call else "")
        provider = attempt.provider if attempt else (call.provider if call else "")
        if attempt is not None:
            span = attempt.span
            span.add_event("contractgen.fault", timestamp=_ns(e.at), attributes={
                "contractgen.fault.kind": e.kind, "contractgen.fault.offset": e.offset,
                "contractgen.fault.retryable": e.retryable,
                "contractgen.fault.message": redact_urls(e.message)[:MESSAGE_LIMIT]})
            if e.kind != "length":  # "length" continues at once: the request did its job
                span.set_attribute("error.type", e.kind)
                span.set_status(Status(StatusCode.ERROR, e.kind))
            span.end(end_time=_ns(attempt.ended or e.at))
            self._attempt = None
        self._i.faults.add(1, {"contractgen.fault.kind": e.kind, "contractgen.fault.retryable": e.retryable,
                               "gen_ai.provider.name": provider, "gen_ai.request.model": model})

    def _resume_scheduled(self, e: ResumeScheduled) -> None:
        self._settle_resume(ended=False)  # cannot happen, but never lose one
        call = self._call
        since = call.fault_at if call is not None and call.fault_at is not None else e.at
        self._resume = _Resume(auto=e.auto, delay=e.delay, at=e.at, since=since,
                               number=(call.resumes + 1) if call else 1)
        if call is not None:
            call.resumes += 1
        self.resumes += 1

    def _settle_resume(self, ended: bool, cancelled: bool = False) -> None:
        """A resume is settled when the attempt it started ends (or the call ends without one): a span event
        on the call, and a metric point by outcome."""
        r, call = self._resume, self._call
        if r is None or (ended and not r.started):
            return
        self._resume = None
        if r.first_token_at is not None:
            outcome = "delivered" if r.joined else "unverified"
        else:
            outcome = "cancelled" if cancelled else "no_text"
        attributes: dict[str, Any] = {"contractgen.resume.auto": r.auto, "contractgen.resume.number": r.number,
                                      "contractgen.resume.outcome": outcome, "contractgen.resume.fallback": r.fallback}
        if r.delay is not None:
            attributes["contractgen.resume.delay"] = r.delay
        if r.model:
            attributes["contractgen.resume.model"] = r.model
        if r.first_token_at is not None:
            seconds = max(0.0, r.first_token_at - r.since)
            attributes["contractgen.resume.time"] = seconds
            self._i.resume_time.record(seconds, {"contractgen.resume.auto": r.auto})
        if r.seam is not None:
            attributes.update({"contractgen.seam.join": r.seam.seam.join, "contractgen.seam.dropped": r.seam.seam.dropped,
                               "contractgen.continuation.strategy": r.seam.strategy})
        if call is not None:
            call.span.add_event("contractgen.resume", timestamp=_ns(r.at), attributes=attributes)
        self._i.resumes.add(1, {"contractgen.resume.outcome": outcome, "contractgen.resume.auto": r.auto})

    def _outcome(self, e: Outcome) -> None:
        from opentelemetry.trace import Status, StatusCode

        now = time.time()
        if self._attempt is not None:  # never expected: an attempt always ends before its outcome
            self._attempt.span.end(end_time=_ns(self._attempt.ended or now))
            self._attempt = None
        self._settle_resume(ended=False, cancelled=e.status == "cancelled")
        call, self._call = self._call, None
        if call is None:
            return
        span = call.span
        attributes: dict[str, Any] = {"contractgen.call.status": e.status, "contractgen.call.attempts": call.attempts,
                                      "contractgen.call.faults": call.faults, "contractgen.call.resumes": call.resumes}
        if call.response_model:
            attributes["gen_ai.response.model"] = call.response_model
        if e.status == "completed" and call.finish_reason:
            attributes["gen_ai.response.finish_reasons"] = [call.finish_reason]
        if e.usage is not None:
            attributes.update({"contractgen.usage.input_tokens": e.usage.prompt_tokens,
                               "contractgen.usage.output_tokens": e.usage.completion_tokens,
                               "contractgen.usage.estimated": e.usage.estimated})
        if self.capture:
            message = {"role": "assistant", "parts": [{"type": "text", "content": "".join(call.output)}]}
            if e.status == "completed" and call.finish_reason:
                message["finish_reason"] = call.finish_reason
            attributes["gen_ai.output.messages"] = json.dumps([message], ensure_ascii=False)
        error = {"completed": None, "cancelled": "cancelled"}.get(e.status, call.last_fault or e.status)
        if error:
            attributes["error.type"] = error
        span.set_attributes(attributes)
        if e.status == "failed":
            span.set_status(Status(StatusCode.ERROR, error))
        span.end(end_time=_ns(now))
        metric = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": call.provider,
                  "gen_ai.request.model": call.request_model, **call.server}
        if call.response_model:
            metric["gen_ai.response.model"] = call.response_model
        if error:
            metric["error.type"] = error
        self._i.duration.record(max(0.0, now - call.started), metric)

    def _end_draft(self, g: "Generation", error: BaseException | None) -> None:
        from opentelemetry.trace import Status, StatusCode

        if self._call is not None:  # the run broke off inside a call (an unexpected error)
            self._outcome(Outcome("failed", None, [], self._call.resumes))
        span = self._draft_span()
        if span is None:
            return
        status = g.status
        span.set_attributes({"contractgen.status": status, "contractgen.faults": self.faults,
                             "contractgen.resumes": self.resumes, "contractgen.seams": self.seams,
                             "contractgen.seams.unverified": self.unverified, "contractgen.calls.done": g.calls_done,
                             "contractgen.warnings": len(g.warnings) if status == "completed" else 0,
                             "contractgen.length": len(g.text)})
        if status == "failed":
            kind = type(error).__name__ if error is not None else (self._last_fault or "failed")
            span.set_attribute("error.type", kind)
            span.set_status(Status(StatusCode.ERROR, kind))
        span.end()
        self._i.drafts.add(1, {"contractgen.status": status, "contractgen.document.type": g.request.doc_type,
                               "contractgen.mode": g.mode})

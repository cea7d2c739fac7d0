"""OpenTelemetry export (contractgen/telemetry.py), through the real SDK, the real engine and real sockets.

- the exact span tree, names and attributes of a draft that meets a 404 (and moves to its fallback model),
  a 429 and a connection reset, against the fault server, read back from the SDK's in-memory exporter;
- the metrics of that draft, with the conventions' units and bucket boundaries;
- a real OTLP/HTTP round trip: `contractgen generate` in a subprocess exports to a receiver started here on
  127.0.0.1, which decodes the protobuf payloads with the opentelemetry-proto classes;
- prompt and draft text only with content capture on; nothing imported from opentelemetry when off; one
  clear sentence (exit 2) when telemetry is asked for without the packages.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
from types import SimpleNamespace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from contractgen import telemetry
from contractgen.config import Settings
from contractgen.errors import InputError
from contractgen.generation import GenerationManager, follow
from contractgen.offline import MODEL
from contractgen.prompts import build_messages
from contractgen.request import parse_request
from contractgen.resilient import resilient_chat
from contractgen.resume import ResumePolicy

from support import ROOT, finished, reference

# What is exported does not depend on the database engine: one run, on SQLite, even when PostgreSQL is configured.
pytestmark = pytest.mark.sqlite_only

OTEL_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME",
                  "OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "CONTRACTGEN_OTEL_CAPTURE_CONTENT")


@pytest.fixture(autouse=True)
def _no_otel_env(monkeypatch):
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def otel():
    """contractgen's telemetry through in-memory SDK providers: .spans (exporter), .reader (metrics), .tracer_provider."""
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    telemetry.use(tracer_provider, meter_provider)
    yield SimpleNamespace(spans=spans, reader=reader, tracer_provider=tracer_provider)
    telemetry.use()
    tracer_provider.shutdown()
    meter_provider.shutdown()


def served_settings(server, **kw):
    return Settings(provider="openai", base_url=server.base_url, connect_timeout=2.0, read_timeout=1.0, otel=True, **kw)


def run(manager, request, settings):
    generation = manager.start(request, settings)
    follow(generation, poll=0.05)
    generation.join(10)
    return generation


def tree(spans):
    """{span: [children]} and the roots, in start order."""
    children = {s.context.span_id: [] for s in spans}
    roots = []
    for s in sorted(spans, key=lambda s: s.start_time):
        (children[s.parent.span_id] if s.parent else roots).append(s)
    return roots, children


def metrics(reader):
    """{name: metric} of everything recorded so far."""
    found = {}
    for resource in reader.get_metrics_data().resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name] = metric
    return found


def points(metric):
    return [(dict(p.attributes), getattr(p, "value", None) if hasattr(p, "value") else p.count)
            for p in metric.data.data_points]


def test_a_draft_with_a_404_fallback_a_429_and_a_reset_as_spans(serve, store, otel):
    spans, reader = otel.spans, otel.reader
    request = parse_request({"company": "Acme"})
    server = serve("reset@3000,429")
    # The served engine knows one model: the primary answers 404, which moves the call to the fallback at once.
    settings = served_settings(server, model="gpt-missing", fallback_models=(MODEL,))
    generation = run(GenerationManager(store), request, settings)
    assert generation.status == "completed" and generation.text == reference(request)

    [draft], children = tree(spans.get_finished_spans())
    [call] = children[draft.context.span_id]
    attempts = children[call.context.span_id]
    assert all(children[a.context.span_id] == [] for a in attempts)
    assert draft.name == "draft tos" and draft.kind == SpanKind.INTERNAL
    assert call.name == "chat gpt-missing" and call.kind == SpanKind.CLIENT
    assert [a.name for a in attempts] == ["chat gpt-missing"] + ["chat contractgen-offline"] * 3
    assert all(a.kind == SpanKind.CLIENT for a in attempts)
    length = len(reference(request))

    assert dict(draft.attributes) == {
        "contractgen.document.id": generation.id, "contractgen.document.type": "tos", "contractgen.mode": "stream",
        "contractgen.calls": 1, "contractgen.resume.manual": False, "contractgen.length.start": 0,
        "contractgen.status": "completed", "contractgen.faults": 3, "contractgen.resumes": 3, "contractgen.seams": 1,
        "contractgen.seams.unverified": 0, "contractgen.calls.done": 1, "contractgen.warnings": 0,
        "contractgen.length": length}
    assert draft.status.status_code == StatusCode.UNSET and draft.events == ()

    port = int(server.base_url.split(":")[2].split("/")[0])
    server_attributes = {"server.address": "127.0.0.1", "server.port": port}
    genai = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", **server_attributes}
    usage_in, usage_out = call.attributes["contractgen.usage.input_tokens"], call.attributes["contractgen.usage.output_tokens"]
    assert dict(call.attributes) == {
        **genai, "gen_ai.request.model": "gpt-missing", "contractgen.call.index": 1, "contractgen.call.count": 1,
        "contractgen.call.status": "completed", "contractgen.call.attempts": 4, "contractgen.call.faults": 3,
        "contractgen.call.resumes": 3, "gen_ai.response.model": MODEL, "gen_ai.response.finish_reasons": ("stop",),
        "contractgen.usage.input_tokens": usage_in, "contractgen.usage.output_tokens": usage_out,
        "contractgen.usage.estimated": True}
    # The call's totals are its attempts' usage added up (each attempt carries its own, at its own model).
    assert usage_in == sum(a.attributes["gen_ai.usage.input_tokens"] for a in attempts)
    assert usage_out == sum(a.attributes["gen_ai.usage.output_tokens"] for a in attempts)

    # The 404: a fatal fault on the primary model; its request's tokens are counted from what it sent.
    first = attempts[0]
    assert dict(first.attributes) == {
        **genai, "gen_ai.request.model": "gpt-missing", "contractgen.attempt.kind": "initial",
        "contractgen.attempt.offset": 0, "contractgen.attempt.outcome": "fault", "contractgen.attempt.output_chars": 0,
        "gen_ai.usage.input_tokens": first.attributes["gen_ai.usage.input_tokens"], "gen_ai.usage.output_tokens": 0,
        "contractgen.usage.estimated": True, "error.type": "fatal"}
    # The 429, on the fallback model: nothing was written.
    second = attempts[1]
    assert dict(second.attributes) == {
        **genai, "gen_ai.request.model": MODEL, "contractgen.attempt.kind": "fallback", "contractgen.attempt.offset": 0,
        "contractgen.attempt.outcome": "fault", "contractgen.attempt.output_chars": 0,
        "gen_ai.usage.input_tokens": second.attributes["gen_ai.usage.input_tokens"], "gen_ai.usage.output_tokens": 0,
        "contractgen.usage.estimated": True, "error.type": "rate_limit"}
    # The reset at 3,000 characters: its text is kept; its output tokens are estimated from that text.
    third = attempts[2]
    ttfc = third.attributes["gen_ai.response.time_to_first_chunk"]
    assert dict(third.attributes) == {
        **genai, "gen_ai.request.model": MODEL, "contractgen.attempt.kind": "resume", "contractgen.attempt.offset": 0,
        "contractgen.attempt.outcome": "fault", "contractgen.attempt.output_chars": 3000, "gen_ai.response.model": MODEL,
        "gen_ai.response.time_to_first_chunk": ttfc, "gen_ai.usage.input_tokens": third.attributes["gen_ai.usage.input_tokens"],
        "gen_ai.usage.output_tokens": third.attributes["gen_ai.usage.output_tokens"],
        "contractgen.usage.estimated": True, "error.type": "connection"}
    assert 0 <= ttfc < 5 and third.attributes["gen_ai.usage.output_tokens"] > 0
    # The resume that finished the draft: continued in place (prefill, found by the auto probe), usage reported.
    last = attempts[3]
    assert dict(last.attributes) == {
        **genai, "gen_ai.request.model": MODEL, "contractgen.attempt.kind": "resume", "contractgen.attempt.offset": 3000,
        "contractgen.continuation.strategy": "prefill", "contractgen.seam.join": "exact", "contractgen.seam.dropped": 0,
        "contractgen.attempt.outcome": "completed", "contractgen.attempt.output_chars": length - 3000,
        "gen_ai.response.model": MODEL, "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.response.time_to_first_chunk": last.attributes["gen_ai.response.time_to_first_chunk"],
        "gen_ai.usage.input_tokens": last.attributes["gen_ai.usage.input_tokens"],
        "gen_ai.usage.output_tokens": last.attributes["gen_ai.usage.output_tokens"], "contractgen.usage.estimated": False}

    # One fault event on each faulted attempt, an error status on those three only.
    assert [a.status.status_code for a in attempts] == [StatusCode.ERROR] * 3 + [StatusCode.UNSET]
    assert [a.status.description for a in attempts[:3]] == ["fatal", "rate_limit", "connection"]
    faults = [(a.events[0].name, {k: v for k, v in a.events[0].attributes.items() if k != "contractgen.fault.message"})
              for a in attempts[:3]]
    assert faults == [
        ("contractgen.fault", {"contractgen.fault.kind": "fatal", "contractgen.fault.offset": 0, "contractgen.fault.retryable": False}),
        ("contractgen.fault", {"contractgen.fault.kind": "rate_limit", "contractgen.fault.offset": 0, "contractgen.fault.retryable": True}),
        ("contractgen.fault", {"contractgen.fault.kind": "connection", "contractgen.fault.offset": 3000, "contractgen.fault.retryable": True}),
    ]
    assert "HTTP 404" in attempts[0].events[0].attributes["contractgen.fault.message"]
    assert last.events == ()

    # One resume event per resume on the call: the move to the fallback (which met the 429, no text), the wait
    # the 429 asked for (0.2 s), and the backoff after the reset, which joined the text exactly.
    resumes = [dict(e.attributes) for e in call.events]
    assert [e.name for e in call.events] == ["contractgen.resume"] * 3
    assert resumes[0] == {"contractgen.resume.auto": True, "contractgen.resume.number": 1, "contractgen.resume.outcome": "no_text",
                          "contractgen.resume.fallback": True, "contractgen.resume.delay": 0.0, "contractgen.resume.model": MODEL}
    assert resumes[1] == {"contractgen.resume.auto": True, "contractgen.resume.number": 2, "contractgen.resume.outcome": "delivered",
                          "contractgen.resume.fallback": False, "contractgen.resume.delay": 0.2, "contractgen.resume.model": MODEL,
                          "contractgen.resume.time": resumes[1]["contractgen.resume.time"]}
    assert resumes[2] == {"contractgen.resume.auto": True, "contractgen.resume.number": 3, "contractgen.resume.outcome": "delivered",
                          "contractgen.resume.fallback": False, "contractgen.resume.delay": resumes[2]["contractgen.resume.delay"],
                          "contractgen.resume.model": MODEL, "contractgen.resume.time": resumes[2]["contractgen.resume.time"],
                          "contractgen.seam.join": "exact", "contractgen.seam.dropped": 0,
                          "contractgen.continuation.strategy": "prefill"}
    assert 0.2 <= resumes[1]["contractgen.resume.time"] < 3
    assert 0.75 <= resumes[2]["contractgen.resume.delay"] <= 1.0  # min(0.5 * 2**1, 8) less up to 25% jitter
    assert resumes[2]["contractgen.resume.delay"] <= resumes[2]["contractgen.resume.time"] < 4
    # Times are the engine's own: the spans nest in time and events fall inside their spans.
    assert draft.start_time <= call.start_time <= attempts[0].start_time and attempts[-1].end_time <= call.end_time <= draft.end_time
    assert all(call.start_time <= e.timestamp <= call.end_time for e in call.events)
    assert all(a.start_time <= e.timestamp <= a.end_time for a in attempts for e in a.events)

    # The same draft as metrics, in the conventions' units, with explicit bucket boundaries.
    found = metrics(reader)
    assert {name: m.unit for name, m in found.items()} == {
        "gen_ai.client.operation.duration": "s", "gen_ai.client.token.usage": "{token}",
        "gen_ai.client.operation.time_to_first_chunk": "s", "contractgen.faults": "{fault}",
        "contractgen.resumes": "{resume}", "contractgen.resume.duration": "s", "contractgen.seam.joins": "{seam}",
        "contractgen.drafts": "{draft}"}
    for name, buckets in (("gen_ai.client.operation.duration", telemetry.DURATION_BUCKETS),
                          ("gen_ai.client.operation.time_to_first_chunk", telemetry.DURATION_BUCKETS),
                          ("contractgen.resume.duration", telemetry.DURATION_BUCKETS),
                          ("gen_ai.client.token.usage", telemetry.TOKEN_BUCKETS)):
        assert all(tuple(p.explicit_bounds) == tuple(buckets) for p in found[name].data.data_points), name
    assert telemetry.DURATION_BUCKETS[0] == 0.01 and telemetry.DURATION_BUCKETS[-1] == 81.92
    assert telemetry.TOKEN_BUCKETS[0] == 1 and telemetry.TOKEN_BUCKETS[-1] == 67108864

    assert points(found["gen_ai.client.operation.duration"]) == [
        ({**genai, "gen_ai.request.model": "gpt-missing", "gen_ai.response.model": MODEL}, 1)]
    assert sorted(points(found["contractgen.faults"]), key=str) == sorted([
        ({"contractgen.fault.kind": "fatal", "contractgen.fault.retryable": False, "gen_ai.provider.name": "openai",
          "gen_ai.request.model": "gpt-missing"}, 1),
        ({"contractgen.fault.kind": "rate_limit", "contractgen.fault.retryable": True, "gen_ai.provider.name": "openai",
          "gen_ai.request.model": MODEL}, 1),
        ({"contractgen.fault.kind": "connection", "contractgen.fault.retryable": True, "gen_ai.provider.name": "openai",
          "gen_ai.request.model": MODEL}, 1)], key=str)
    assert sorted(points(found["contractgen.resumes"]), key=str) == sorted([
        ({"contractgen.resume.outcome": "no_text", "contractgen.resume.auto": True}, 1),
        ({"contractgen.resume.outcome": "delivered", "contractgen.resume.auto": True}, 2)], key=str)
    assert points(found["contractgen.resume.duration"]) == [({"contractgen.resume.auto": True}, 2)]
    assert points(found["contractgen.seam.joins"]) == [
        ({"contractgen.seam.join": "exact", "contractgen.continuation.strategy": "prefill"}, 1)]
    assert points(found["contractgen.drafts"]) == [
        ({"contractgen.status": "completed", "contractgen.document.type": "tos", "contractgen.mode": "stream"}, 1)]
    # Time to first chunk: the two attempts that received text; tokens: each attempt, input and output,
    # estimated ones marked (the three cut calls), at the model that was asked.
    assert points(found["gen_ai.client.operation.time_to_first_chunk"]) == [
        ({**genai, "gen_ai.request.model": MODEL, "gen_ai.response.model": MODEL}, 2)]
    tokens = found["gen_ai.client.token.usage"].data.data_points
    assert sorted((p.attributes["gen_ai.request.model"], p.attributes.get("gen_ai.response.model", "-"),
                   p.attributes["gen_ai.token.type"], p.attributes["contractgen.usage.estimated"], p.count)
                  for p in tokens) == sorted(
        [("gpt-missing", "-", t, True, 1) for t in ("input", "output")]  # the 404: no response
        + [(MODEL, "-", t, True, 1) for t in ("input", "output")]  # the 429
        + [(MODEL, MODEL, t, True, 1) for t in ("input", "output")]  # cut by the reset
        + [(MODEL, MODEL, t, False, 1) for t in ("input", "output")])  # reported by the server
    assert sum(p.sum for p in tokens if p.attributes["gen_ai.token.type"] == "output") == usage_out


@pytest.mark.parametrize("continuation", ["completion", "auto"])
def test_a_resume_on_the_completions_endpoint_is_a_text_completion(serve, store, otel, continuation):
    # A server that does not continue a final assistant message: the resume goes to /v1/completions, set by
    # hand or found by the auto probe (then the attempt is renamed once the strategy is known).
    server = serve("reset@3000", prefill="none")
    request = parse_request({"company": "Acme"})
    generation = run(GenerationManager(store), request, served_settings(server, model=MODEL, continuation=continuation))
    assert generation.status == "completed" and generation.text == reference(request)
    [draft], children = tree(otel.spans.get_finished_spans())
    [call] = children[draft.context.span_id]
    attempts = children[call.context.span_id]
    assert call.name == f"chat {MODEL}" and call.attributes["gen_ai.operation.name"] == "chat"
    assert [(a.name, a.attributes["gen_ai.operation.name"], a.attributes.get("contractgen.continuation.strategy"))
            for a in attempts] == [(f"chat {MODEL}", "chat", None),
                                   (f"text_completion {MODEL}", "text_completion", "completion")]
    ttfc = [p for m in [metrics(otel.reader)["gen_ai.client.operation.time_to_first_chunk"]] for p in m.data.data_points]
    assert sorted(p.attributes["gen_ai.operation.name"] for p in ttfc) == ["chat", "text_completion"]


def test_no_prompt_or_draft_text_in_spans_unless_capture_is_on(store, otel):
    spans = otel.spans
    request = parse_request({"company": "Zyxwvut Holdings", "product": "Qwertyuiop Cloud"})
    settings = Settings(provider="offline", rate=0, otel=True, mode="chunks", group_size=8)
    manager = GenerationManager(store)
    generation = run(manager, request, settings)
    assert generation.status == "completed"
    text = generation.text

    def exported(span_list):
        values = []
        for s in span_list:
            values += [s.name, *map(str, s.attributes.values())]
            values += [str(v) for e in s.events for v in e.attributes.values()]
        return "\n".join(values)

    off = spans.get_finished_spans()
    everything = exported(off)
    assert "Zyxwvut" not in everything and "Qwertyuiop" not in everything
    assert text[:80] not in everything and "## 1." not in everything
    assert not any(k.startswith(("gen_ai.input", "gen_ai.output", "gen_ai.system")) for s in off for k in s.attributes)
    [draft], children = tree(off)
    calls = children[draft.context.span_id]
    # The offline engine is a model in this process: INTERNAL spans, a provider name of its own, no server.
    assert [(c.attributes["contractgen.call.index"], c.attributes["contractgen.call.count"],
             c.attributes["contractgen.call.sections"][0], c.attributes["gen_ai.provider.name"], c.kind) for c in calls] == [
        (i + 1, len(calls), 1 + 8 * i, "contractgen.offline", SpanKind.INTERNAL) for i in range(len(calls))]
    assert not any("server.address" in s.attributes for s in off)

    spans.clear()
    generation = run(manager, request, settings.with_(otel_capture_content=True))
    on = spans.get_finished_spans()
    calls = sorted((s for s in on if s.attributes.get("contractgen.call.index")), key=lambda s: s.start_time)
    outputs = [json.loads(c.attributes["gen_ai.output.messages"]) for c in calls]
    assert all(o[0]["role"] == "assistant" and o[0]["finish_reason"] == "stop" for o in outputs)
    assert "".join(o[0]["parts"][0]["content"] for o in outputs) == generation.text == text
    inputs = json.loads(calls[0].attributes["gen_ai.input.messages"])
    assert inputs[0]["role"] == "user" and "Zyxwvut Holdings" in inputs[0]["parts"][0]["content"]
    assert json.loads(calls[0].attributes["gen_ai.system_instructions"])[0]["type"] == "text"
    # Content stays on the call spans: never on the draft or on attempts.
    assert not any(k.startswith("gen_ai.output") for s in on if s not in calls for k in s.attributes)


def test_capture_is_read_from_the_environment_and_off_unless_explicit():
    assert Settings.from_env({}).otel is False and Settings.from_env({}).otel_capture_content is False
    on = Settings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert on.otel is True and on.otel_capture_content is False
    assert Settings.from_env({"CONTRACTGEN_OTEL_CAPTURE_CONTENT": "true"}).otel_capture_content is True
    assert Settings.from_env({"CONTRACTGEN_OTEL_CAPTURE_CONTENT": "no"}).otel_capture_content is False
    assert "http" not in json.dumps(on.public())  # neither setting is stored with a document


def test_an_endpoint_the_exporter_cannot_use_is_refused_in_one_sentence(monkeypatch):
    telemetry.use()
    for value in ("notaurl", "ftp://collector:4318", "http://user:sk-secret@[::1"):
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", value)
        with pytest.raises(InputError) as refused:
            telemetry.observer(Settings.from_env(os.environ))
        assert refused.value.problems == ["OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL of an "
                                          "OTLP/HTTP receiver, such as http://127.0.0.1:4318."]
    assert telemetry.observer(Settings.from_env({})) is None  # off: nothing checked, nothing set up


def test_a_resume_by_hand_is_a_new_draft_span_with_a_manual_resume(serve, store, otel):
    spans, reader = otel.spans, otel.reader
    request = parse_request({"company": "Acme"})
    server = serve("cut@5000")
    manager = GenerationManager(store)
    settings = served_settings(server, model=MODEL, auto_resume=False)
    generation = run(manager, request, settings)
    assert generation.status == "interrupted"
    manager.resume(generation.id, settings)
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed" and generation.text == reference(request)

    roots, children = tree(spans.get_finished_spans())
    assert [r.name for r in roots] == ["draft tos", "draft tos"]
    assert [(r.attributes["contractgen.document.id"], r.attributes["contractgen.status"],
             r.attributes["contractgen.resume.manual"], r.attributes["contractgen.length.start"]) for r in roots] == [
        (generation.id, "interrupted", False, 0), (generation.id, "completed", True, 5000)]
    [paused] = children[roots[0].context.span_id]
    assert paused.attributes["contractgen.call.status"] == "interrupted" and paused.attributes["error.type"] == "connection"
    assert paused.status.status_code == StatusCode.UNSET  # paused by choice, not failed
    [resumed] = children[roots[1].context.span_id]
    [event] = resumed.events
    assert event.attributes["contractgen.resume.auto"] is False
    assert event.attributes["contractgen.resume.outcome"] == "delivered"
    assert event.attributes["contractgen.continuation.strategy"] == "prefill"
    assert [a.attributes["contractgen.attempt.kind"] for a in children[resumed.context.span_id]] == ["resume"]
    assert points(metrics(reader)["contractgen.resumes"]) == [
        ({"contractgen.resume.outcome": "delivered", "contractgen.resume.auto": False}, 1)]


def test_resilient_chat_exports_its_call_under_the_callers_span(serve, otel):
    spans = otel.spans
    server = serve("503")
    tracer = otel.tracer_provider.get_tracer("a host application")
    with tracer.start_as_current_span("caller") as parent:
        stream = resilient_chat(build_messages(parse_request({"company": "Acme"})), model=MODEL, base_url=server.base_url,
                                policy=ResumePolicy(backoff_base=0.01), otel=True)
        stream.text()
    assert stream.outcome.status == "completed"
    roots, children = tree(spans.get_finished_spans())
    assert [r.name for r in roots] == ["caller"] and roots[0].context.span_id == parent.get_span_context().span_id
    [call] = children[roots[0].context.span_id]
    assert call.name == f"chat {MODEL}" and "contractgen.call.index" not in call.attributes
    assert [(a.attributes["contractgen.attempt.kind"], a.attributes.get("error.type"))
            for a in children[call.context.span_id]] == [("initial", "server_error"), ("resume", None)]


# -- a real OTLP/HTTP round trip ------------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    """A minimal OTLP/HTTP collector: keeps each request's path, headers and (decompressed) body."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)  # an empty protobuf message is a valid Export*ServiceResponse
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _value(any_value):
    return getattr(any_value, any_value.WhichOneof("value"))


def test_otlp_http_round_trip_to_a_receiver_on_localhost(receiver, tmp_path):
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    endpoint = f"http://127.0.0.1:{receiver.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_"))}
    # One variable turns export on; headers go with every request (how Langfuse and hosted collectors authenticate).
    env.update(OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_HEADERS="authorization=Basic dGVzdDp0ZXN0")
    out = tmp_path / "acme.md"
    done = subprocess.run([sys.executable, "-m", "contractgen", "generate", "--company", "Acme", "--rate", "0",
                           "--inject-fault", "reset@3000", "--out", str(out), "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == finished(reference(parse_request({"company": "Acme"})))

    paths = {path for path, _, _ in receiver.received}
    assert paths == {"/v1/traces", "/v1/metrics"}
    assert all(h.get("authorization") == "Basic dGVzdDp0ZXN0" and h.get("content-type") == "application/x-protobuf"
               for _, h, _ in receiver.received)

    spans, resource = [], {}
    for path, _, body in receiver.received:
        if path == "/v1/traces":
            request = ExportTraceServiceRequest.FromString(body)
            for rs in request.resource_spans:
                resource.update({a.key: _value(a.value) for a in rs.resource.attributes})
                spans += [s for ss in rs.scope_spans for s in ss.spans]
    assert resource["service.name"] == "contractgen"
    names = sorted(s.name for s in spans)
    assert names == ["chat contractgen-offline"] * 3 + ["draft tos"]
    [draft] = [s for s in spans if s.name == "draft tos"]
    [call] = [s for s in spans if s.parent_span_id == draft.span_id]
    attempts = [s for s in spans if s.parent_span_id == call.span_id]
    assert len({s.trace_id for s in spans}) == 1 and len(attempts) == 2
    attributes = {a.key: _value(a.value) for a in call.attributes}
    assert attributes["gen_ai.operation.name"] == "chat" and attributes["gen_ai.provider.name"] == "contractgen.offline"
    assert attributes["gen_ai.request.model"] == attributes["gen_ai.response.model"] == "contractgen-offline"
    [cut] = [a for a in attempts if a.events]
    assert cut.events[0].name == "contractgen.fault"
    assert {a.key: _value(a.value) for a in cut.events[0].attributes}["contractgen.fault.offset"] == 3000
    assert [e.name for e in call.events] == ["contractgen.resume"]

    found = {}
    for path, _, body in receiver.received:
        if path == "/v1/metrics":
            for rm in ExportMetricsServiceRequest.FromString(body).resource_metrics:
                for sm in rm.scope_metrics:
                    found.update({m.name: m for m in sm.metrics})
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage", "gen_ai.client.operation.time_to_first_chunk",
            "contractgen.faults", "contractgen.resumes", "contractgen.resume.duration", "contractgen.drafts"} <= set(found)
    duration = found["gen_ai.client.operation.duration"]
    assert duration.unit == "s" and list(duration.histogram.data_points[0].explicit_bounds) == list(telemetry.DURATION_BUCKETS)
    assert list(found["gen_ai.client.token.usage"].histogram.data_points[0].explicit_bounds) == list(telemetry.TOKEN_BUCKETS)
    [fault] = found["contractgen.faults"].sum.data_points
    assert fault.as_int == 1 and {a.key: _value(a.value) for a in fault.attributes}["contractgen.fault.kind"] == "connection"


# -- off means off ------------------------------------------------------------------------------------------
def _python(code, tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_"))}
    environment.update(env, CONTRACTGEN_DATABASE_URL=f"sqlite:///{tmp_path / 'off.db'}")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_with_telemetry_off_nothing_is_imported_from_opentelemetry(tmp_path):
    code = (f"import sys; sys.path.insert(0, 'tests'); from contractgen.cli import main\n"
            f"rc = main(['generate', '--company', 'Acme', '--rate', '0', '--inject-fault', 'reset@3000', "
            f"'--out', {str(tmp_path / 'acme.md')!r}, '--quiet'])\n"
            "import contractgen.telemetry, contractgen.resilient\n"
            "print(rc, sorted(m for m in sys.modules if m.split('.')[0] == 'opentelemetry'))")
    done = _python(code, tmp_path)
    assert done.stdout.strip() == "0 []", done.stderr


def test_asked_for_without_the_packages_one_sentence_and_exit_2(tmp_path):
    # The packages made unimportable, as in an install without the `otel` extra.
    code = (f"import sys; sys.modules['opentelemetry'] = None\nfrom contractgen.cli import main\n"
            f"sys.exit(main(['generate', '--company', 'Acme', '--rate', '0', '--out', {str(tmp_path / 'a.md')!r}]))")
    for env in ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}, {}):
        done = _python(code.replace("'--out'", "'--otel', '--out'") if not env else code, tmp_path, **env)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == f"error: {telemetry.MISSING}"
        assert "Traceback" not in done.stderr and not (tmp_path / "a.md").exists()

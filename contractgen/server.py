"""The offline engine served as an OpenAI-compatible HTTP endpoint.

`POST /v1/chat/completions` (streamed as server-sent events over a chunked
body, or whole) and `GET /v1/models`, on 127.0.0.1 by default. It lets the
real `openai` client meet a real socket, which is how providers and faults are
tested. Standard library only: a test server should have no moving parts of
its own.

Faults (`plan`, see faultplan.py) are produced at the socket level, so the
client meets the real thing: a stalled socket, a TCP reset, a chunked body cut
short, a stream that ends without a finish_reason, invalid JSON, an in-band
error event, finish_reason "length", or an HTTP 429/503/500/401 answer. One
plan serves every request; each fault strikes once, the first time a streamed
response reaches its document position (len(partial) + new characters sent).
A fault written without a position (`429`, or `reset`) answers the next chat
request before any text, streamed or not; positioned faults wait for a
streamed response to reach their position.
"""

from __future__ import annotations

import json
import math
import random
import select
import socket
import struct
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .config import redact_urls
from .errors import InputError
from .faultplan import AT_START, Fault, FaultPlan
from .mimic import HEADINGS, PREFILL, STYLES, continue_from, counting, headings, unrender_chatml
from .offline import MODEL, OfflineEngine, locate
from .prompts import parse_messages
from .stream import Delta, Usage
from .tokens import estimate_tokens, split_tokens

REPEAT_RANDOM_MAX = 200  # `repeat="random"` repeats 0..200 characters


@dataclass
class Scenario:
    """How the server answers one more model name: a primary that fails in a given way and a fallback that
    answers, on one server, as two models of one provider are. Every field's default is "like the engine"."""

    plan: FaultPlan | None = None  # this model's own faults (None: the server's plan)
    hang: bool = False  # reads the request and never answers, not even a status line
    first_token_delay: float = 0.0  # status and role chunk at once, the first text this many seconds later
    down: tuple[float, float] | None = None  # (from, to) seconds after the server started: the connection drops
    pauses: tuple[float, float, float] | None = None  # (chance per token, shortest, longest pause in seconds)
    prefill: str | None = None  # as the server's --prefill, or "reject": HTTP 400 for a final assistant message
    completions: bool | None = None  # None: as the server
    headers: dict[str, str] = field(default_factory=dict)  # on every error answer (x-should-retry, Retry-After)
    rate: float | None = None  # tokens per second (None: the server's)
    seed: int | None = None  # of the pauses

    def is_down(self, since_start: float) -> bool:
        return self.down is not None and self.down[0] <= since_start < self.down[1]

    def paused(self) -> bool:
        return bool(self.first_token_delay or self.pauses)

# What each fault sends. The cut announces a chunk of 0x400 bytes and sends 20.
_CUT_PROMISE = b"400\r\n"
_CUT_SENT = b'data: {"id": "chatcm'
_MALFORMED = 'data: {"choices": [{"delta": {"content": "x"'
_ERROR_EVENT = {"error": {"message": "The server had an error while processing your request.", "type": "server_error"}}
_STATUS_FAULTS = {
    "408": (408, "The server timed out waiting for the request.", "server_error", None),
    "409": (409, "Another request is using this resource; try again.", "conflict", None),
    "503": (503, "The server is overloaded or not ready yet.", "server_error", None),
    "500": (500, "The server had an error while processing your request.", "server_error", None),
    "401": (401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
}


def parse_repeat(value: int | str | None) -> int | str | None:
    """None, a number of characters (>= 0) or "random"; InputError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lower() == "random":
        return "random"
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise InputError([f"--repeat takes a number of characters or \u201crandom\u201d, not \u201c{value}\u201d."]) from None
    if count < 0:
        raise InputError(["--repeat must not be negative."])
    return count


def parse_seconds(flag: str, value: float | str) -> float:
    """A finite, non-negative number of seconds; InputError otherwise."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InputError([f"{flag} takes a number of seconds, not \u201c{value}\u201d."]) from None
    if not math.isfinite(seconds) or seconds < 0:
        raise InputError([f"{flag} must be a non-negative number of seconds, not \u201c{value}\u201d."])
    return seconds


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "OfflineServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:  # the request line may carry a key in its query string
            super().log_message("%s", redact_urls(format % args))

    # -- helpers ---------------------------------------------------------------
    def _json(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, type_: str, code: str | None = None,
               headers: dict[str, str] | None = None) -> None:
        scenario = getattr(self, "_scenario", None)
        if scenario is not None and scenario.headers:  # the model's own headers win (x-should-retry, Retry-After)
            lowered = {name.lower() for name in scenario.headers}
            headers = {**{k: v for k, v in (headers or {}).items() if k.lower() not in lowered},
                       **{k: v for k, v in scenario.headers.items() if v != ""}}  # "": the header is left out
        self._json(status, {"error": {"message": message, "type": type_, "param": None, "code": code}}, headers)

    def _due(self, pos: int) -> Fault | None:
        """The next positioned fault of this response's plan still to strike (it may lie at or before `pos`)."""
        return self._plan.next_position(pos) if self._plan is not None else None

    def _claim(self, fault: Fault) -> bool:
        """Fire `fault` for this response; False if another response fired it first."""
        return self.server.claim(fault, self._plan)

    def _rate(self) -> float:
        return self.server.rate if self._scenario.rate is None else self._scenario.rate

    def _jittered(self, engine: OfflineEngine, text: str):
        """`text` at the model's rate, each token timed from the one before, with the scenario's slow first
        token and random pauses (a real model's habits; pauses do not make up for themselves with a burst)."""
        scenario, closing = self._scenario, self.server.closing
        rng = random.Random(scenario.seed)
        step = 1.0 / self._rate() if self._rate() > 0 else 0.0
        first = True
        for piece in split_tokens(text):
            if first:
                first = False
                if scenario.first_token_delay and closing.wait(scenario.first_token_delay):
                    return
            elif scenario.pauses and rng.random() < scenario.pauses[0]:
                if closing.wait(rng.uniform(scenario.pauses[1], scenario.pauses[2])):
                    return
            elif step:
                time.sleep(step)
            yield Delta(text=piece)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _event(self, payload: dict | str) -> None:
        body = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        self._chunk(f"data: {body}\n\n".encode())

    def _authorised(self) -> bool:
        if self.server.api_key is None:
            return True
        return self.headers.get("Authorization", "") == f"Bearer {self.server.api_key}"

    # -- routes ----------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self.path.rstrip("/") != "/v1/models":
            return self._error(404, f"No route {self.path}.", "invalid_request_error")
        if not self._authorised():
            return self._error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "contractgen"}]})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        route = self.path.rstrip("/")
        if route not in ("/v1/chat/completions", "/v1/completions"):
            return self._error(404, f"No route {self.path}.", "invalid_request_error")
        if not self._authorised():
            return self._error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        self._completion = route == "/v1/completions"
        self._scenario = Scenario()
        try:
            body = json.loads(raw or b"{}")
            served = self.server.scenarios.get(body.get("model"))
            if body.get("model") != MODEL and served is None:
                return self._error(404, f"The model `{body.get('model')}` does not exist; this server serves "
                                   f"{', '.join(f'`{m}`' for m in [MODEL, *self.server.scenarios])}.",
                                   "invalid_request_error", "model_not_found")
            self._scenario = served or self._scenario
            scenario = self._scenario
            if scenario.hang:
                return self._stall(3600.0)  # never answers: not even the status line
            if scenario.is_down(time.monotonic() - self.server.started):
                return self._reset()  # down: the connection drops before any answer
            completions = self.server.completions if scenario.completions is None else scenario.completions
            if self._completion and not completions:
                return self._error(404, f"No route {self.path}.", "invalid_request_error")
            messages_in = body.get("messages") or []
            if not self._completion and scenario.prefill == "reject" and messages_in and \
                    messages_in[-1].get("role") == "assistant":
                return self._error(400, "This model does not support a final assistant message (prefill).",
                                   "invalid_request_error", "prefill_unsupported")
            if self._completion:  # a raw prompt: the rendered chat with the assistant's turn left open
                prompt = str(body.get("prompt") or "")
                messages, open_turn = unrender_chatml(prompt)
                how = "in_place"
            else:
                messages = body.get("messages") or []
                prompt = "".join(str(m.get("content") or "") for m in messages)
                how = self._how(messages, body)
            probe = counting(messages)
            if probe is None:
                request, partial, sections = parse_messages(messages)
                engine = OfflineEngine(rate=self._rate())
                full = headings(engine.document(request, sections), self.server.headings)
                offset = engine.part_offset(request, sections)
            else:  # the continuation probe: its "document" is a count
                engine, full, offset = OfflineEngine(rate=self._rate()), probe, 0
                partial = next((m.get("content") or "" for m in reversed(messages) if m.get("role") == "assistant"), "")
            if self._completion:
                partial = open_turn
        except json.JSONDecodeError:
            return self._error(400, "The request body is not valid JSON.", "invalid_request_error")
        except InputError as exc:
            return self._error(400, str(exc), "invalid_request_error")
        stream = bool(body.get("stream"))
        self._prompt_tokens = estimate_tokens(prompt)
        if self.server.context_chars and len(prompt) > self.server.context_chars:
            return self._over_context(stream)
        # A valid document request: a fault without a position answers it before any text. That is
        # 429/503/500/401/empty/context, or a positioned kind written without one (e.g. `reset`).
        # The probe is not a document request: the plan leaves it alone.
        self._plan = self._scenario.plan if self._scenario.plan is not None else self.server.plan
        first = self._plan.take_at_start() if self._plan is not None and probe is None else None
        if first is not None and first.kind in AT_START:
            return self._status_fault(first)
        if first is not None and not stream:
            return self._whole_fault(first)
        pos = locate(full, partial) if partial else 0
        if how == "new_reply":
            lead, start = "", 0  # the turn was closed: the model writes its answer again from the top
        elif how == "instruct":
            lead, start = continue_from(full, pos, self.server.style, self.server.rng)
        else:
            lead, start = "", pos
        if partial and probe is None:
            lead += full[start - self.server.repeat_count(full[:start]):start]
        paced = engine.pace(full[start:]) if probe is not None or not self._scenario.paused() else self._jittered(
            engine, full[start:])
        deltas = self._bounded(paced, body.get("max_tokens") or body.get("max_completion_tokens"),
                               estimate_tokens(full[start:]))
        if stream:
            # Fault positions are document positions: a part (chunks, sections modes) starts further in.
            self._stream(deltas, offset + start, lead,
                         include_usage=bool((body.get("stream_options") or {}).get("include_usage")), first=first)
        else:
            self._whole(deltas, lead)

    def _how(self, messages: list[dict], body: dict) -> str:
        """in_place, new_reply (a closed assistant turn) or instruct (continue asked by a user message)."""
        if not messages:
            return "in_place"
        last = messages[-1]
        if last.get("role") == "assistant":
            switched = bool(body.get("continue_final_message") or last.get("prefix"))
            prefill = self._scenario.prefill or self.server.prefill
            honoured = prefill == "native" or (prefill == "switch" and switched)
            return "in_place" if honoured else "new_reply"
        if any(m.get("role") == "assistant" for m in messages):
            return "instruct"
        return "in_place"

    def _bounded(self, deltas, max_tokens, total: int):
        """The engine's deltas, ended by finish_reason "length" after `max_tokens` tokens, like a model."""
        sent = []
        for delta in deltas:
            yield delta
            sent.append(delta.text)
            if max_tokens and estimate_tokens("".join(sent)) >= int(max_tokens) and len("".join(sent)) < total * 4:
                yield Delta(finish_reason="length", usage=Usage(self._prompt_tokens, int(max_tokens), estimated=True))
                return
        yield Delta(finish_reason="stop", usage=Usage(self._prompt_tokens, estimate_tokens("".join(sent)), estimated=True))

    def _over_context(self, stream: bool) -> None:
        """A prompt over the server's window: an HTTP 400 (vLLM, OpenAI) or a 200 with an empty stream
        (llama-cpp-python)."""
        if self.server.context_style == "empty":
            self._completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
            if not stream:
                return self._json(200, {**self._base(), "object": "chat.completion", "choices": [], "usage": None})
            self._open_stream()
            self._event("[DONE]")
            self._chunk(b"")
            return
        window = f"{self.server.context_chars // 4} tokens" if self.server.context_chars else "smaller than this prompt"
        return self._error(400, f"This model's maximum context length is {window}; your prompt is longer.",
                           "invalid_request_error", "context_length_exceeded")

    def _base(self) -> dict:
        return {"id": self._completion_id, "created": int(time.time()), "model": MODEL}

    def _choice(self, text: str | None = None, finish: str | None = None) -> dict:
        """One streamed choice, in the shape of the endpoint answering (chat or completions)."""
        if getattr(self, "_completion", False):
            return {"index": 0, "text": text or "", "finish_reason": finish}
        return {"index": 0, "delta": {"content": text} if text is not None else {}, "finish_reason": finish}

    def _whole(self, deltas, repeat: str = "") -> None:
        self._completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        text, finish, usage = [repeat], None, None
        for d in deltas:
            text.append(d.text)
            finish = d.finish_reason or finish
            usage = d.usage or usage
        if self._completion:
            return self._json(200, {**self._base(), "object": "text_completion", "choices": [
                {"index": 0, "text": "".join(text), "finish_reason": finish}], "usage": _usage(usage)})
        self._json(200, {**self._base(), "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "".join(text)}, "finish_reason": finish}],
            "usage": _usage(usage)})

    def _open_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _stream(self, deltas, start: int, repeat: str, include_usage: bool, first: Fault | None = None) -> None:
        """Stream the deltas; `start` is the document position of the first new character.

        `first`, already fired, strikes right after the role chunk.
        """
        self._completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        self._open_stream()
        chunk = {**self._base(), "object": "text_completion" if self._completion else "chat.completion.chunk"}
        self._sent = []  # new text streamed so far (for the usage of a "length" fault)

        def text_event(text: str) -> None:
            self._event({**chunk, "choices": [self._choice(text)]})

        try:
            if not self._completion:
                self._event({**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
            pos = start
            if first is not None:
                return self._strike(first, chunk, pos, include_usage)
            # A fault at or before the starting position strikes before any text.
            fault = self._due(pos)
            while fault is not None and fault.at <= pos:
                if self._claim(fault):
                    return self._strike(fault, chunk, pos, include_usage)
                fault = self._due(pos)
            if repeat:
                text_event(repeat)  # a model repeating itself: not new text, so no position
            for d in deltas:
                text = d.text
                while text:
                    fault = self._due(pos)
                    if fault is None or pos + len(text) < fault.at:
                        text_event(text)
                        self._sent.append(text)
                        pos += len(text)
                        break
                    # Send exactly the text up to the fault's position, then strike.
                    split = max(0, fault.at - pos)
                    head, text = text[:split], text[split:]
                    if head:
                        text_event(head)
                        self._sent.append(head)
                        pos += len(head)
                    if self._claim(fault):
                        return self._strike(fault, chunk, pos, include_usage)
                    # Another response fired it first: carry on with the next one.
                if d.finish_reason:
                    fault = self._due(pos)
                    while fault is not None and fault.at <= pos:
                        if self._claim(fault):
                            return self._strike(fault, chunk, pos, include_usage)
                        fault = self._due(pos)
                    self._event({**chunk, "choices": [self._choice(finish=d.finish_reason)]})
                if d.usage and include_usage:
                    self._event({**chunk, "choices": [], "usage": _usage(d.usage)})
            self._event("[DONE]")
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client went away; nothing to clean up

    # -- faults ----------------------------------------------------------------
    def _status_fault(self, fault: Fault) -> None:
        self.server.note(fault, "before any text")
        if fault.kind in ("empty", "context"):
            style, self.server.context_style = self.server.context_style, "empty" if fault.kind == "empty" else "400"
            try:
                return self._over_context(stream=True)
            finally:
                self.server.context_style = style
        if fault.kind == "429":
            seconds = self.server.retry_after
            headers = {"Retry-After": str(math.ceil(seconds)), "retry-after-ms": str(round(seconds * 1000))}
            return self._error(429, f"Rate limit reached for {MODEL} (injected fault). Please try again in {seconds:g}s.",
                               "requests", "rate_limit_exceeded", headers)
        status, message, type_, code = _STATUS_FAULTS[fault.kind]
        self._error(status, message, type_, code)

    def _strike(self, fault: Fault, chunk: dict, pos: int, include_usage: bool) -> None:
        self.server.note(fault, f"at {pos}")
        kind = fault.kind
        if kind == "stall":
            self._stall()
        elif kind == "reset":
            self._reset()
        elif kind == "cut":
            self.close_connection = True
            self.wfile.write(_CUT_PROMISE + _CUT_SENT)  # promises 0x400 bytes, sends 20, then closes
            self.wfile.flush()
        elif kind == "truncated":
            self._event("[DONE]")
            self._chunk(b"")
        elif kind == "malformed":
            self._chunk(f"{_MALFORMED}\n\n".encode())
            self._chunk(b"")
        elif kind == "error_event":
            self._event(_ERROR_EVENT)
            self._chunk(b"")
        elif kind == "length":
            self._event({**chunk, "choices": [self._choice(finish="length")]})
            if include_usage:
                completion = estimate_tokens("".join(self._sent))
                self._event({**chunk, "choices": [], "usage": {
                    "prompt_tokens": self._prompt_tokens, "completion_tokens": completion,
                    "total_tokens": self._prompt_tokens + completion}})
            self._event("[DONE]")
            self._chunk(b"")
        else:  # a positionless kind given a position cannot happen (FaultPlan drops it); be loud if it does
            raise AssertionError(f"fault {kind} cannot strike mid-stream")

    def _whole_fault(self, fault: Fault) -> None:
        """A stream kind without a position, met by a request that is not streamed."""
        self.server.note(fault, "before any text (not streamed)")
        self._completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        kind = fault.kind
        if kind == "stall":
            return self._stall()
        if kind == "reset":
            return self._reset()
        if kind == "cut":  # promises 1024 bytes of body, sends 20, then closes
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1024")
            self.end_headers()
            self.wfile.write(_CUT_SENT)
            return
        if kind == "malformed":
            data = _MALFORMED.removeprefix("data: ").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if kind == "error_event":
            return self._json(200, _ERROR_EVENT)
        finish = "length" if kind == "length" else None  # truncated: no finish_reason
        self._json(200, {**self._base(), "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": finish}], "usage": None})

    def _stall(self, seconds: float | None = None) -> None:
        """Send nothing more, with the socket open, until the client leaves or the stall ends."""
        self.close_connection = True
        sock = self.connection
        deadline = time.monotonic() + (self.server.stall_seconds if seconds is None else seconds)
        while not self.server.closing.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                readable, _, _ = select.select([sock], [], [], min(left, 0.1))
                if readable and not sock.recv(4096):
                    return  # the client closed its end
            except OSError:
                return

    def _reset(self) -> None:
        """Close with a TCP RST, once the client has what was sent (an RST discards unsent data)."""
        self.close_connection = True
        self.wfile.flush()
        sock = self.connection
        _wait_sent(sock, timeout=2.0)
        time.sleep(0.05)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # rfile holds a reference to the socket: the descriptor closes (and the RST goes) with the last one.
        self.rfile.close()
        sock.close()


def _wait_sent(sock: socket.socket, timeout: float) -> None:
    """Wait until the kernel has no unsent or unacknowledged bytes (Linux SIOCOUTQ); elsewhere, return."""
    try:
        import fcntl
        import termios
    except ImportError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pending = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        except OSError:
            return
        if pending == 0:
            return
        time.sleep(0.005)


def _usage(usage) -> dict | None:
    if usage is None:
        return None
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens}


class OfflineServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, rate: float = 50.0,
                 api_key: str | None = None, verbose: bool = False, plan: FaultPlan | None = None,
                 repeat: int | str | None = None, stall_seconds: float = 30.0, retry_after: float = 1.0,
                 seed: int | None = None, prefill: str = "native", completions: bool = True, style: str = "exact",
                 context_chars: int | None = None, context_style: str = "400", heading_style: str = "markdown",
                 models: dict[str, "Scenario"] | None = None):
        # Validate before binding: a bad option must not leave a socket behind.
        if prefill not in PREFILL:
            raise InputError([f"--prefill takes one of: {', '.join(PREFILL)}."])
        if style not in STYLES and style != "random":
            raise InputError([f"--continue-style takes one of: {', '.join(STYLES)}, random."])
        if heading_style not in HEADINGS:
            raise InputError([f"--headings takes one of: {', '.join(HEADINGS)}."])
        self.headings = heading_style
        # More model names, each answering its own way (a failing primary and its fallback on one server).
        self.scenarios = dict(models or {})
        for name, scenario in self.scenarios.items():
            if scenario.prefill is not None and scenario.prefill not in (*PREFILL, "reject"):
                raise InputError([f"Model {name}: prefill takes one of: {', '.join(PREFILL)}, reject."])
        self.started = time.monotonic()  # a scenario's `down` window counts from here
        if context_style not in ("400", "empty"):
            raise InputError(["--context-style takes 400 or empty."])
        self.prefill, self.completions, self.style = prefill, completions, style
        # A prompt longer than this many characters is over the model's window (None: no limit).
        self.context_chars, self.context_style = context_chars, context_style
        self.repeat = parse_repeat(repeat)
        self.stall_seconds = parse_seconds("--stall-seconds", stall_seconds)
        self.retry_after = parse_seconds("--retry-after", retry_after)
        super().__init__((host, port), _Handler)
        self.rate = rate
        self.api_key = api_key
        self.verbose = verbose
        self.plan = plan
        self.closing = threading.Event()  # set by server_close: stalled responses end
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def rng(self) -> random.Random:
        return self._rng

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start_in_thread(self) -> threading.Thread:
        # A short poll interval: shutdown() returns within 50 ms instead of the default 0.5 s.
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="offline-server",
                                  daemon=True)
        thread.start()
        return thread

    def handle_error(self, request, client_address) -> None:
        # A client that leaves mid-answer (after a fault, or on keep-alive) is normal here, not an error to print.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        self.closing.set()
        super().server_close()

    # -- shared state (responses run in threads) --------------------------------
    def repeat_count(self, partial: str) -> int:
        """How many trailing characters of `partial` a continuation repeats."""
        if not partial or not self.repeat:
            return 0
        if self.repeat == "random":
            with self._lock:
                count = self._rng.randint(0, REPEAT_RANDOM_MAX)
        else:
            count = int(self.repeat)
        return min(count, len(partial))

    def due(self, pos: int) -> Fault | None:
        """The next positioned fault still to strike (it may lie at or before `pos`)."""
        return self.plan.next_position(pos) if self.plan is not None else None

    def claim(self, fault: Fault, plan: FaultPlan | None = None) -> bool:
        """Fire `fault` for this response; False if another response fired it first."""
        with self._lock:
            if fault.fired:
                return False
            (plan or self.plan).fire(fault)
            return True

    def note(self, fault: Fault, where: str) -> None:
        if self.verbose:
            print(f"fault {fault.spec()} strikes {where}", file=sys.stderr, flush=True)

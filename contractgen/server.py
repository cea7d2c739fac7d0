"""The offline engine served as an OpenAI-compatible HTTP endpoint.

`POST /v1/chat/completions` (streamed as server-sent events over a chunked
body, or whole) and `GET /v1/models`, on 127.0.0.1 by default. It lets the
real `openai` client meet a real socket, which is how providers and, later,
faults are tested. Standard library only: a test server should have no moving
parts of its own.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .errors import InputError
from .offline import MODEL, OfflineEngine
from .prompts import parse_messages


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "OfflineServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    # -- helpers ---------------------------------------------------------------
    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, type_: str, code: str | None = None) -> None:
        self._json(status, {"error": {"message": message, "type": type_, "param": None, "code": code}})

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
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"No route {self.path}.", "invalid_request_error")
        if not self._authorised():
            return self._error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        try:
            body = json.loads(raw or b"{}")
            if body.get("model") != MODEL:
                return self._error(404, f"The model `{body.get('model')}` does not exist; this server serves `{MODEL}`.",
                                   "invalid_request_error", "model_not_found")
            request, partial = parse_messages(body.get("messages") or [])
        except json.JSONDecodeError:
            return self._error(400, "The request body is not valid JSON.", "invalid_request_error")
        except InputError as exc:
            return self._error(400, str(exc), "invalid_request_error")
        engine = OfflineEngine(rate=self.server.rate)
        deltas = engine.stream(request, partial)
        if body.get("stream"):
            self._stream(deltas, include_usage=bool((body.get("stream_options") or {}).get("include_usage")))
        else:
            self._whole(deltas)

    def _base(self) -> dict:
        return {"id": self._completion_id, "created": int(time.time()), "model": MODEL}

    def _whole(self, deltas) -> None:
        self._completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        text, finish, usage = [], None, None
        for d in deltas:
            text.append(d.text)
            finish = d.finish_reason or finish
            usage = d.usage or usage
        self._json(200, {**self._base(), "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "".join(text)}, "finish_reason": finish}],
            "usage": _usage(usage)})

    def _stream(self, deltas, include_usage: bool) -> None:
        self._completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = {**self._base(), "object": "chat.completion.chunk"}
        try:
            self._event({**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
            for d in deltas:
                if d.text:
                    self._event({**chunk, "choices": [{"index": 0, "delta": {"content": d.text}, "finish_reason": None}]})
                if d.finish_reason:
                    self._event({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": d.finish_reason}]})
                if d.usage and include_usage:
                    self._event({**chunk, "choices": [], "usage": _usage(d.usage)})
            self._event("[DONE]")
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away; nothing to clean up


def _usage(usage) -> dict | None:
    if usage is None:
        return None
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens}


class OfflineServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, rate: float = 50.0,
                 api_key: str | None = None, verbose: bool = False):
        super().__init__((host, port), _Handler)
        self.rate = rate
        self.api_key = api_key
        self.verbose = verbose

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="offline-server", daemon=True)
        thread.start()
        return thread

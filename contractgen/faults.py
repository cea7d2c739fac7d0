"""One function that maps a failure to a fault kind (the product brief's table).

Kinds: timeout, connection, rate_limit, server_error, truncated, malformed,
length, fatal. Retryable kinds are resumed; fatal ones get a clear message.
"""

from __future__ import annotations

import json
import math
import re
import time
from email.utils import parsedate_to_datetime

import openai

from .config import redact_urls
from .errors import ProviderError

def retry_after(headers, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, from `retry-after-ms` or `Retry-After` (seconds or an HTTP date);
    None if absent or unreadable. Never capped here: a wait longer than the policy allows is the resume
    logic's decision (move to the fallback, or fail saying so), not something to shorten silently."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            if scale != 1.0:
                continue
            try:  # the HTTP-date form: "Wed, 21 Oct 2026 07:28:00 GMT"
                when = parsedate_to_datetime(raw.strip())
            except (TypeError, ValueError, IndexError):
                continue
            if when is None:
                continue
            seconds = when.timestamp() - (time.time() if now is None else now)
            return max(0.0, seconds)
        if 0 <= seconds and math.isfinite(seconds):
            return seconds
    return None


def should_retry(headers) -> bool | None:
    """The server's own word (`x-should-retry: true|false`, as OpenAI sends it), or None when it says nothing."""
    raw = headers.get("x-should-retry") if headers is not None else None
    if raw is None:
        return None
    value = raw.strip().lower()
    return True if value == "true" else False if value == "false" else None


_CONTEXT = re.compile(r"context[ _](?:length|window)|maximum context|too many (?:input )?tokens|exceeds? (?:the )?(?:model'?s? )?"
                      r"(?:context|maximum)|prompt is too long|input (?:is )?too long|(?:prompt|input) length|"
                      r"reduce the length of the (?:messages|prompt|input)|context[ _]?(?:limit|size)", re.IGNORECASE)


def is_context_length(exc: openai.APIStatusError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", body) if isinstance(body, dict) else {}
    code = err.get("code") if isinstance(err, dict) else None
    return code == "context_length_exceeded" or bool(_CONTEXT.search(_status_message(exc)))


def _status_message(exc: openai.APIStatusError) -> str:
    detail = ""
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            detail = str(err.get("message") or "")
    # A server may echo the request URL (and a key in its query string): never keep that.
    return redact_urls(detail or str(exc.message))


def classify(exc: BaseException) -> ProviderError:
    """The fault a failure represents, with a message a person can act on.

    A server's `x-should-retry` header overrides the status: `true` makes any answer retryable (a 400 included),
    `false` makes even a 429 or a 5xx final."""
    fault = _classify(exc)
    response = getattr(exc, "response", None)
    verdict = should_retry(response.headers) if isinstance(exc, openai.APIStatusError) and response is not None else None
    if verdict is not None and verdict != fault.retryable and fault.reason != "context_length":
        said = "the server says to retry" if verdict else "the server says not to retry"
        fault = ProviderError("server_error" if verdict and fault.kind == "fatal" else fault.kind,
                              f"{fault} ({said}: x-should-retry {str(verdict).lower()})", retryable=verdict,
                              retry_after=fault.retry_after if verdict else None, status=fault.status, reason=fault.reason)
    return fault


def _classify(exc: BaseException) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", "The provider stopped sending data (read timeout).", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return ProviderError("connection", "Could not reach the provider or the connection dropped "
                                           f"({type(cause).__name__}: {redact_urls(cause)}).", retryable=True)
    if isinstance(exc, openai.RateLimitError):
        return ProviderError("rate_limit", "The provider is rate limiting requests (HTTP 429).", retryable=True,
                             retry_after=retry_after(exc.response.headers), status=429)
    if isinstance(exc, openai.AuthenticationError):
        return ProviderError("fatal", "The API key was refused (HTTP 401). Check OPENAI_API_KEY or the key field.", retryable=False)
    if isinstance(exc, openai.PermissionDeniedError):
        return ProviderError("fatal", "This key may not use that model or endpoint (HTTP 403).", retryable=False)
    if isinstance(exc, openai.NotFoundError):
        return ProviderError("fatal", f"Model or endpoint not found (HTTP 404): {_status_message(exc)} Check the model name and base URL.",
                             retryable=False, status=404)
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 408:
        return ProviderError("timeout", "The provider timed out on the request (HTTP 408).", retryable=True,
                             retry_after=retry_after(exc.response.headers), status=408)
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 409:
        # A conflict (OpenAI: a lock on the request's resource): transient, the same call succeeds later.
        return ProviderError("server_error", f"The provider reported a conflict (HTTP 409): {_status_message(exc)}",
                             retryable=True, retry_after=retry_after(exc.response.headers), status=409)
    if isinstance(exc, openai.APIStatusError) and exc.status_code in (400, 413) and is_context_length(exc):
        return ProviderError("fatal", f"The prompt is longer than the model's context window (HTTP {exc.status_code}): "
                             f"{_status_message(exc)}", retryable=False, status=exc.status_code, reason="context_length")
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return ProviderError("server_error", f"The provider had an internal error (HTTP {exc.status_code}).", retryable=True,
                             retry_after=retry_after(exc.response.headers), status=exc.status_code)
    if isinstance(exc, openai.APIStatusError):
        return ProviderError("fatal", f"The provider rejected the request (HTTP {exc.status_code}): {_status_message(exc)}",
                             retryable=False, status=exc.status_code)
    if isinstance(exc, openai.APIError):
        # In-band {"error": ...} events in the stream arrive as a bare APIError.
        return ProviderError("malformed", f"The provider reported an error inside the stream: {redact_urls(exc.message)}", retryable=True)
    if isinstance(exc, json.JSONDecodeError):
        return ProviderError("malformed", "The provider sent a malformed chunk that is not valid JSON.", retryable=True)
    raise exc

"""One function that maps a failure to a fault kind (the product brief's table).

Kinds: timeout, connection, rate_limit, server_error, truncated, malformed,
length, fatal. Retryable kinds are resumed; fatal ones get a clear message.
"""

from __future__ import annotations

import json
import re

import openai

from .config import redact_urls
from .errors import ProviderError

MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer is treated as this


def retry_after(headers) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After`, capped; None if absent or invalid."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            continue  # HTTP-date form: rare for LLM APIs; fall back to our own backoff
        if 0 <= seconds:
            return min(seconds, MAX_RETRY_AFTER)
    return None


_CONTEXT = re.compile(r"context[ _](?:length|window)|maximum context|too many tokens|exceeds? (?:the )?(?:model'?s? )?"
                      r"(?:context|maximum)|prompt is too long", re.IGNORECASE)


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
    """The fault a failure represents, with a message a person can act on."""
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
                             retry_after=retry_after(exc.response.headers))
    if isinstance(exc, openai.AuthenticationError):
        return ProviderError("fatal", "The API key was refused (HTTP 401). Check OPENAI_API_KEY or the key field.", retryable=False)
    if isinstance(exc, openai.PermissionDeniedError):
        return ProviderError("fatal", "This key may not use that model or endpoint (HTTP 403).", retryable=False)
    if isinstance(exc, openai.NotFoundError):
        return ProviderError("fatal", f"Model or endpoint not found (HTTP 404): {_status_message(exc)} Check the model name and base URL.",
                             retryable=False, status=404)
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return ProviderError("server_error", f"The provider had an internal error (HTTP {exc.status_code}).", retryable=True,
                             retry_after=retry_after(exc.response.headers))
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 400 and is_context_length(exc):
        return ProviderError("fatal", f"The prompt is longer than the model's context window (HTTP 400): {_status_message(exc)}",
                             retryable=False, status=400, reason="context_length")
    if isinstance(exc, openai.APIStatusError):
        return ProviderError("fatal", f"The provider rejected the request (HTTP {exc.status_code}): {_status_message(exc)}",
                             retryable=False, status=exc.status_code)
    if isinstance(exc, openai.APIError):
        # In-band {"error": ...} events in the stream arrive as a bare APIError.
        return ProviderError("malformed", f"The provider reported an error inside the stream: {redact_urls(exc.message)}", retryable=True)
    if isinstance(exc, json.JSONDecodeError):
        return ProviderError("malformed", "The provider sent a malformed chunk that is not valid JSON.", retryable=True)
    raise exc

"""One function that maps a failure to a fault kind (the product brief's table).

Kinds: timeout, connection, rate_limit, server_error, truncated, malformed,
length, fatal. Retryable kinds are resumed; fatal ones get a clear message.
"""

from __future__ import annotations

import json

import openai

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


def _status_message(exc: openai.APIStatusError) -> str:
    detail = ""
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            detail = str(err.get("message") or "")
    return detail or str(exc.message)


def classify(exc: BaseException) -> ProviderError:
    """The fault a failure represents, with a message a person can act on."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", "The provider stopped sending data (read timeout).", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return ProviderError("connection", f"Could not reach the provider or the connection dropped ({type(cause).__name__}: {cause}).",
                             retryable=True)
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
    if isinstance(exc, openai.APIStatusError):
        return ProviderError("fatal", f"The provider rejected the request (HTTP {exc.status_code}): {_status_message(exc)}",
                             retryable=False)
    if isinstance(exc, openai.APIError):
        # In-band {"error": ...} events in the stream arrive as a bare APIError.
        return ProviderError("malformed", f"The provider reported an error inside the stream: {exc.message}", retryable=True)
    if isinstance(exc, json.JSONDecodeError):
        return ProviderError("malformed", "The provider sent a malformed chunk that is not valid JSON.", retryable=True)
    raise exc

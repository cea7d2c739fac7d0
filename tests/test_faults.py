import json

import pytest

from contractgen.faults import classify, retry_after


@pytest.mark.parametrize(("headers", "seconds"), [
    ({}, None),
    ({"retry-after": "3"}, 3.0),
    ({"retry-after": "0.5"}, 0.5),
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the precise one wins
    # Never shortened: a wait past the policy's cap moves to the fallback or fails saying so (resume.py).
    ({"retry-after": "100000"}, 100000.0),
    ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # the HTTP-date form, in the past: retry now
    ({"retry-after": "not a date"}, None),
    ({"retry-after": "-1"}, None),
])
def test_retry_after(headers, seconds):
    assert retry_after(headers) == seconds


def test_retry_after_http_date_is_read_against_the_clock():
    # 2026-10-21 07:28:00 GMT is 1792567680; 90 s before it the server asks for 90 s.
    assert retry_after({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}, now=1792567680 - 90) == 90.0


def test_malformed_json_is_a_retryable_malformed_fault():
    try:
        json.loads("{not json")
    except json.JSONDecodeError as exc:
        fault = classify(exc)
    assert (fault.kind, fault.retryable) == ("malformed", True)


def test_anything_else_is_a_bug_and_is_raised():
    with pytest.raises(ZeroDivisionError):
        classify(ZeroDivisionError("bug"))


import httpx2
import openai

REQUEST = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")


def status_error(cls, status, headers=None, body=None):
    response = httpx2.Response(status, request=REQUEST, headers=headers or {})
    return cls("provider said no", response=response, body=body)


@pytest.mark.parametrize(("exc", "kind", "retryable", "words"), [
    (openai.APITimeoutError(request=REQUEST), "timeout", True, "read timeout"),
    (openai.APIConnectionError(request=REQUEST), "connection", True, "Could not reach the provider"),
    (status_error(openai.RateLimitError, 429, {"retry-after": "2"}), "rate_limit", True, "HTTP 429"),
    (status_error(openai.InternalServerError, 503), "server_error", True, "HTTP 503"),
    (status_error(openai.InternalServerError, 500), "server_error", True, "HTTP 500"),
    (status_error(openai.AuthenticationError, 401), "fatal", False, "API key was refused"),
    (status_error(openai.PermissionDeniedError, 403), "fatal", False, "HTTP 403"),
    (status_error(openai.NotFoundError, 404, body={"error": {"message": "no such model"}}), "fatal", False, "no such model"),
    (status_error(openai.BadRequestError, 400, body={"error": {"message": "maximum context length exceeded"}}),
     "fatal", False, "maximum context length"),
    (status_error(openai.BadRequestError, 400, body={"error": {"message": "content filter"}}), "fatal", False, "content filter"),
    (openai.APIError("bad stream", request=REQUEST, body=None), "malformed", True, "inside the stream"),
])
def test_classification_table(exc, kind, retryable, words):
    fault = classify(exc)
    assert (fault.kind, fault.retryable) == (kind, retryable)
    assert words in str(fault)


def test_rate_limit_carries_retry_after():
    assert classify(status_error(openai.RateLimitError, 429, {"retry-after-ms": "1500"})).retry_after == 1.5

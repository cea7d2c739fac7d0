import json

import pytest

from contractgen.faults import MAX_RETRY_AFTER, classify, retry_after


@pytest.mark.parametrize(("headers", "seconds"), [
    ({}, None),
    ({"retry-after": "3"}, 3.0),
    ({"retry-after": "0.5"}, 0.5),
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the precise one wins
    ({"retry-after": "100000"}, MAX_RETRY_AFTER),
    ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
    ({"retry-after": "-1"}, None),
])
def test_retry_after(headers, seconds):
    assert retry_after(headers) == seconds


def test_malformed_json_is_a_retryable_malformed_fault():
    try:
        json.loads("{not json")
    except json.JSONDecodeError as exc:
        fault = classify(exc)
    assert (fault.kind, fault.retryable) == ("malformed", True)


def test_anything_else_is_a_bug_and_is_raised():
    with pytest.raises(ZeroDivisionError):
        classify(ZeroDivisionError("bug"))

"""The OpenAI provider through the real `openai` client, against `contractgen serve-offline` in a subprocess."""

import json
import urllib.request

import pytest

from contractgen.config import Settings
from contractgen.errors import ProviderError
from contractgen.generation import GenerationManager, follow
from contractgen.providers import OpenAIProvider
from contractgen.request import parse_request

from support import reference


def provider(base_url, **kw):
    return OpenAIProvider(Settings(base_url=base_url, model=kw.pop("model", "contractgen-offline"), read_timeout=10, **kw))


def test_streams_the_whole_document_over_http(served, acme):
    deltas = list(provider(served.base_url).stream(acme))
    assert "".join(d.text for d in deltas) == reference(acme)
    assert [d.finish_reason for d in deltas if d.finish_reason] == ["stop"]
    usage = [d.usage for d in deltas if d.usage]
    assert len(usage) == 1 and usage[0].completion_tokens > 1000 and usage[0].estimated is False


def test_continuation_over_http_gives_the_uninterrupted_text(served, acme):
    full = reference(acme)
    for cut in (1, 777, len(full) // 2, len(full) - 3):
        rest = "".join(d.text for d in provider(served.base_url).stream(acme, full[:cut]))
        assert full[:cut] + rest == full


def test_generation_manager_runs_a_served_generation_to_completion(served):
    request = parse_request({"company": "Served Co", "payments": True})
    settings = Settings(base_url=served.base_url, model="contractgen-offline", read_timeout=10)
    generation = GenerationManager().start(request, settings)
    text = follow(generation)
    assert generation.status == "completed"
    assert text == reference(request)
    assert [s.number for s in generation.completed_sections] == list(range(1, len(generation.sections) + 1))


def test_models_endpoint_lists_the_offline_model(served):
    with urllib.request.urlopen(served.base_url + "/models", timeout=5) as response:
        assert [m["id"] for m in json.load(response)["data"]] == ["contractgen-offline"]


def test_invalid_key_is_fatal_with_a_clear_message(served_with_key, acme):
    with pytest.raises(ProviderError) as caught:
        list(provider(served_with_key.base_url, api_key="sk-wrong").stream(acme))
    assert caught.value.kind == "fatal" and not caught.value.retryable
    assert "API key was refused (HTTP 401)" in str(caught.value)
    assert "sk-wrong" not in str(caught.value)


def test_right_key_is_accepted(served_with_key, acme):
    text = "".join(d.text for d in provider(served_with_key.base_url, api_key="sk-right").stream(acme))
    assert text == reference(acme)


def test_unknown_model_is_fatal_and_names_the_model(served, acme):
    with pytest.raises(ProviderError) as caught:
        list(provider(served.base_url, model="gpt-nonexistent").stream(acme))
    assert caught.value.kind == "fatal"
    assert "gpt-nonexistent" in str(caught.value) and "HTTP 404" in str(caught.value)


def test_unreachable_base_url_is_a_connection_fault(acme):
    with pytest.raises(ProviderError) as caught:
        list(provider("http://127.0.0.1:9/v1").stream(acme))
    assert caught.value.kind == "connection" and caught.value.retryable
    assert "Could not reach the provider" in str(caught.value)


def test_a_failed_generation_keeps_its_status_and_message(acme):
    settings = Settings(base_url="http://127.0.0.1:9/v1", max_resumes=1, read_timeout=10)
    generation = GenerationManager().start(acme, settings)
    follow(generation)
    assert generation.status == "failed"
    assert "Too many timeouts, generation cannot be resumed" in generation.error
    assert "Could not reach the provider" in generation.error

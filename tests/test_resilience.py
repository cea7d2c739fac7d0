"""Every fault kind, through the real `openai` client, a real socket and the real store.

The offline engine is served with socket-level faults (contractgen.server);
the resilient engine must detect each one, keep the text, resume, and end
with exactly the uninterrupted document.
"""

import random

import pytest

from contractgen.config import Settings
from contractgen.faultplan import Fault, FaultPlan
from contractgen.generation import GenerationManager, follow
from contractgen.offline import MODEL
from contractgen.providers import make_targets
from contractgen.request import parse_request
from contractgen.resume import TOO_MANY, ResumePolicy, Text, resilient_events
from contractgen.storage import Store

from support import reference

FAST = ResumePolicy(backoff_base=0.01, backoff_cap=0.05)


def settings_for(server, **kw):
    kw.setdefault("read_timeout", 1.0)
    kw.setdefault("model", MODEL)
    return Settings(provider="openai", base_url=server.base_url, connect_timeout=2.0, **kw)


def generate(manager, settings, request):
    generation = manager.start(request, settings)
    follow(generation, poll=0.05)
    generation.join(10)
    return generation


@pytest.mark.parametrize(("spec", "kind"), [
    ("stall@3000", "timeout"),
    ("reset@3000", "connection"),
    ("cut@3000", "connection"),
    ("truncated@3000", "truncated"),
    ("429", "rate_limit"),
    ("503", "server_error"),
    ("500", "server_error"),
    ("malformed@3000", "malformed"),
    ("error_event@3000", "malformed"),
    ("length@3000", "length"),
])
def test_each_fault_is_detected_stored_and_survived(serve, store, acme, spec, kind):
    server = serve(spec)
    generation = generate(GenerationManager(store), settings_for(server), acme)
    assert generation.status == "completed", generation.error
    assert generation.text == reference(acme)
    assert store.text(generation.id) == reference(acme)
    assert [f.kind for f in store.faults(generation.id)] == [kind]
    attempts = store.attempts(generation.id)
    assert [a.outcome for a in attempts] == ["fault", "completed"]
    if kind == "length":
        assert attempts[1].kind == "continue_length"  # continued at once, not counted as a resume
        assert store.resumes(generation.id) == []
    else:
        [resume] = store.resumes(generation.id)
        assert resume.auto and resume.succeeded and resume.first_token_at >= resume.requested_at
    if "@" in spec:
        assert store.faults(generation.id)[0].offset == 3000


def test_rate_limit_waits_for_retry_after(serve, store, acme):
    server = serve("429", retry_after=0.6)
    generation = generate(GenerationManager(store), settings_for(server), acme)
    [resume] = store.resumes(generation.id)
    assert resume.first_token_at - resume.requested_at >= 0.6


def test_fatal_errors_are_never_retried(serve, store, acme):
    server = serve("401")
    generation = generate(GenerationManager(store), settings_for(server), acme)
    assert generation.status == "failed"
    assert "API key was refused (HTTP 401)" in generation.error
    assert len(store.attempts(generation.id)) == 1 and store.resumes(generation.id) == []


def test_three_resumes_then_a_clear_failure_then_resume_by_hand(serve, store, acme):
    server = serve("reset@1000,reset@2000,reset@3000,reset@4000")
    manager = GenerationManager(store)
    settings = settings_for(server)
    generation = generate(manager, settings, acme)
    assert generation.status == "failed"
    assert TOO_MANY in generation.error
    assert len(store.resumes(generation.id)) == 3
    assert generation.text == reference(acme)[:4000]  # the partial document is kept
    assert store.text(generation.id) == generation.text
    # Later, by hand: the same document continues and ends identical.
    manager.resume(generation.id, settings)
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed"
    assert generation.text == reference(acme)
    assert [r.auto for r in store.resumes(generation.id)] == [True, True, True, False]


def test_manual_mode_waits_for_the_resume_button(serve, store, acme):
    server = serve("cut@5000")
    manager = GenerationManager(store)
    settings = settings_for(server, auto_resume=False)
    generation = generate(manager, settings, acme)
    assert generation.status == "interrupted"
    assert generation.text == reference(acme)[:5000]
    manager.resume(generation.id, settings)
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.text == reference(acme)
    [resume] = store.resumes(generation.id)
    assert resume.auto is False and resume.succeeded


def test_unknown_primary_model_falls_back_to_the_next(serve, store, acme):
    server = serve()
    settings = settings_for(server, model="gpt-missing", fallback_models=(MODEL,))
    generation = generate(GenerationManager(store), settings, acme)
    assert generation.status == "completed" and generation.text == reference(acme)
    assert [(a.kind, a.model) for a in store.attempts(generation.id)] == [("initial", "gpt-missing"), ("fallback", MODEL)]


def _cuts(full, count, rng):
    """Random cut points, with mid-word, mid-heading and mid-list positions guaranteed among them."""
    headings = [i + 4 for i in range(len(full)) if full.startswith("\n## ", i)]
    items = [i + 3 for i in range(len(full)) if full.startswith("\n- ", i)]
    words = [i for i in range(1, len(full)) if full[i - 1].isalpha() and full[i].isalpha()]
    picked = rng.sample(headings, 10) + rng.sample(items, 10) + rng.sample(words, 30)
    return picked + rng.sample(range(1, len(full) - 1), count - len(picked))


@pytest.mark.parametrize(("repeat", "continuation", "prefill"), [
    (None, "auto", "native"),  # auto finds the server's native prefill: continued in place
    (None, "prefill", "switch"),  # vLLM-style: continue_final_message
    (None, "completion", "none"),  # llama-cpp-python-style: a raw prompt on /v1/completions
    ("random", "instruct", "native"),  # asked by instruction, the model repeats 0-200 characters
], ids=["auto-prefill", "prefill-switch", "completion", "instruct-repeats-0-200"])
def test_200_cuts_resume_byte_identical(serve, repeat, continuation, prefill):
    request = parse_request({"company": "Cut Co", "payments": True})
    full = reference(request)
    plan = FaultPlan()
    server = serve(plan, repeat=repeat, seed=11, prefill=prefill)
    targets = make_targets(settings_for(server, continuation=continuation), request)
    kinds = ["reset", "cut", "truncated", "malformed", "error_event"]
    rng = random.Random(5)
    for n, cut in enumerate(_cuts(full, 200, rng)):
        plan.faults.append(Fault(kinds[n % len(kinds)], cut))
        events = list(resilient_events(targets, policy=FAST))
        text = "".join(e.text for e in events if isinstance(e, Text))
        assert events[-1].status == "completed", (cut, events[-1])
        assert text == full, (cut, kinds[n % len(kinds)])
        assert events[-1].resumes == 1


@pytest.mark.parametrize(("spec", "limits", "message"), [
    ("stall@0", {"first_token_timeout": 0.5}, "first-token timeout"),
    ("stall@6000", {"deadline": 0.8}, "deadline"),
])
def test_first_token_timeout_and_deadline_cut_a_silent_stall_short(serve, store, acme, spec, limits, message):
    # The read timeout (30 s here) would wait far longer: the watchdog must act on its own.
    server = serve(spec, stall_seconds=20.0)
    settings = settings_for(server, read_timeout=30.0, **limits)
    generation = generate(GenerationManager(store), settings, acme)
    assert generation.status == "completed" and generation.text == reference(acme)
    [fault] = store.faults(generation.id)
    assert fault.kind == "timeout" and message in fault.message
    assert fault.detected_at - store.attempts(generation.id)[0].started_at < 5


def test_a_cut_call_is_charged_what_it_sent_not_the_resumes_prompt(serve, store, acme):
    server = serve("reset@12000")
    generation = generate(GenerationManager(store), settings_for(server), acme)
    cut, resumed = store.attempts(generation.id)
    assert cut.outcome == "fault" and cut.tokens_estimated
    # The cut call sent only the prompt (no partial text yet); the resume sent it again with a tail of the
    # text (2,000 characters, about 500 tokens), not the 12,000 characters written.
    assert 0 < cut.prompt_tokens < resumed.prompt_tokens <= cut.prompt_tokens + 700
    assert cut.completion_tokens > 2000

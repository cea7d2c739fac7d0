"""Failover that goes where the answer is: each rule of issue 11, with the real `openai` client against the
real local fault server, where a primary model and its fallback are two models of one server (Scenario).

The rules: a timeout or connection failure before any text moves to the next model at once; a context-length
400 moves to the next model; 408 and 409 are retried; `x-should-retry` is honoured; a Retry-After longer than
the cap moves to the fallback or fails saying so, and its HTTP-date form is read; one budget and one overall
deadline cover same-model retries and fallbacks; the outcome names the model that answered and counts the
usage of failed attempts separately.
"""

from __future__ import annotations

import os
import time
from email.utils import formatdate

import pytest

from contractgen.faultplan import FaultPlan
from contractgen.offline import MODEL
from contractgen.prompts import build_messages
from contractgen.request import parse_request
from contractgen.resilient import resilient_chat
from contractgen.resume import AttemptStarted, ResumePolicy, ResumeScheduled, SeamJoined
from contractgen.server import Scenario

from support import reference

REQUEST = parse_request({"company": "Acme"})
FULL = reference(REQUEST)
MESSAGES = build_messages(REQUEST)
FAST = dict(backoff_base=0.01, backoff_cap=0.05)


def chat(server, model="primary", fallbacks=(MODEL,), **policy):
    policy = {**FAST, **policy}
    return resilient_chat(MESSAGES, model=model, base_url=server.base_url, api_key="unused",
                          fallback_models=list(fallbacks), policy=ResumePolicy(**policy), read_timeout=60.0)


def attempts(stream):
    return [(e.kind, e.model) for e in stream.events if isinstance(e, AttemptStarted)]


def run(stream):
    started = time.monotonic()
    text = stream.text()
    return text, time.monotonic() - started


def test_a_primary_that_never_answers_moves_to_the_fallback_at_once(serve):
    # No status line, ever: only the socket's read timeout can end the wait, and for a call with a first-token
    # limit that timeout is the limit (1 s here; the read timeout is 60 s).
    server = serve(models={"primary": Scenario(hang=True)})
    stream = chat(server, first_token_timeout=1.0)
    text, took = run(stream)
    assert text == FULL
    out = stream.outcome
    assert out.status == "completed" and out.model == MODEL and out.models == (MODEL,)
    assert attempts(stream) == [("initial", "primary"), ("fallback", MODEL)]  # no retry on the silent primary
    assert out.faults == ["timeout"] and out.resumes == 1
    assert 0.9 < took < 4.0
    # The failed attempt's cost is counted, and apart: it sent the prompt and got nothing.
    assert out.failed_usage is not None and out.failed_usage.prompt_tokens > 0 and out.failed_usage.completion_tokens == 0
    assert out.usage.prompt_tokens == out.failed_usage.prompt_tokens + _answered(stream).prompt_tokens


def _answered(stream):
    ended = [e for e in stream.events if type(e).__name__ == "AttemptEnded"]
    assert ended[-1].outcome == "completed"
    return ended[-1].usage


@pytest.mark.parametrize(("delay", "limit"), [(2.0, 1.0), (20.0, 10.0)], ids=["scaled", "issue-figures"])
def test_first_token_after_the_limit_moves_to_the_fallback(serve, delay, limit):
    # The status and the role chunk come at once, the first text after `delay`: the watchdog shuts the socket
    # when the first-token limit passes, and the fallback answers. The figures (20 s, 10 s limit) run
    # too: the answer comes in about 10 s instead of the 22 s of a retry on the same model.
    server = serve(models={"primary": Scenario(first_token_delay=delay)})
    stream = chat(server, first_token_timeout=limit)
    text, took = run(stream)
    assert text == FULL and stream.outcome.model == MODEL
    assert attempts(stream) == [("initial", "primary"), ("fallback", MODEL)]
    [fault] = [e for e in stream.events if type(e).__name__ == "FaultDetected"]
    assert fault.kind == "timeout" and "first-token timeout" in fault.message
    assert limit - 0.1 < took < limit + 3.0


def test_a_slow_first_token_within_the_limit_is_no_fault(serve):
    server = serve(models={"primary": Scenario(first_token_delay=1.5)})
    stream = chat(server, first_token_timeout=4.0)
    text, _ = run(stream)
    assert text == FULL and stream.outcome.faults == [] and stream.outcome.model == "primary"


def test_a_connection_failure_before_any_text_moves_at_once_but_retries_without_a_fallback(serve):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("reset"))})
    stream = chat(server)
    assert run(stream)[0] == FULL
    assert attempts(stream) == [("initial", "primary"), ("fallback", MODEL)]
    [scheduled] = [e for e in stream.events if isinstance(e, ResumeScheduled)]
    assert scheduled.delay == 0.0  # at once: no backoff before another model
    # Alone, the same model is retried (after its backoff): there is nowhere else to go.
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("reset"))})
    stream = chat(server, fallbacks=())
    assert run(stream)[0] == FULL
    assert attempts(stream) == [("initial", "primary"), ("resume", "primary")]


def test_a_context_length_400_moves_to_the_next_model(serve):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("context"))})
    stream = chat(server)
    assert run(stream)[0] == FULL
    assert attempts(stream) == [("initial", "primary"), ("fallback", MODEL)]
    assert stream.outcome.faults == ["fatal"] and stream.outcome.model == MODEL


@pytest.mark.parametrize(("status", "kind"), [("408", "timeout"), ("409", "server_error")])
def test_408_and_409_are_retried(serve, status, kind):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse(f"{status},{status}"))})
    stream = chat(server, fallbacks=())
    assert run(stream)[0] == FULL
    assert stream.outcome.status == "completed" and stream.outcome.faults == [kind, kind]
    assert attempts(stream) == [("initial", "primary"), ("resume", "primary"), ("resume", "primary")]


def test_x_should_retry_false_is_final_and_true_retries_a_refusal(serve):
    # A 503 is retried unless the server says not to.
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("503"), headers={"x-should-retry": "false"})})
    stream = chat(server, fallbacks=())
    assert run(stream)[0] == ""
    assert stream.outcome.status == "failed" and "x-should-retry false" in stream.outcome.message
    assert attempts(stream) == [("initial", "primary")]
    # ...and with a fallback, the fallback answers (not a retry of this request).
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("503"), headers={"x-should-retry": "false"})})
    stream = chat(server)
    assert run(stream)[0] == FULL and attempts(stream) == [("initial", "primary"), ("fallback", MODEL)]
    # A 401 is final unless the server says to retry.
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("401"), headers={"x-should-retry": "true"})})
    stream = chat(server, fallbacks=())
    assert run(stream)[0] == FULL
    assert attempts(stream) == [("initial", "primary"), ("resume", "primary")]


def _retry_at(seconds: float) -> dict[str, str]:
    """A 429's Retry-After in its HTTP-date form only (the server's retry-after-ms is left out)."""
    return {"Retry-After": formatdate(time.time() + seconds, usegmt=True), "retry-after-ms": ""}


def test_a_retry_after_date_past_the_cap_moves_to_the_fallback(serve):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("429"), headers=_retry_at(600))})
    stream = chat(server, retry_after_cap=60.0)
    text, took = run(stream)
    assert text == FULL and stream.outcome.model == MODEL and took < 5
    assert attempts(stream) == [("initial", "primary"), ("fallback", MODEL)]


def test_a_retry_after_date_past_the_cap_without_a_fallback_fails_saying_so(serve):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("429"), headers=_retry_at(600))})
    stream = chat(server, fallbacks=(), retry_after_cap=60.0)
    text, took = run(stream)
    assert text == "" and took < 5
    message = stream.outcome.message
    assert stream.outcome.status == "failed" and "Retry-After" in message and "longer than the 60 s" in message
    assert 590 <= float(message.split("wait ")[1].split(" s")[0]) <= 600


def test_a_retry_after_date_within_the_cap_is_waited_for(serve):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("429"), headers=_retry_at(3))})
    stream = chat(server)
    text, took = run(stream)
    assert text == FULL and stream.outcome.model == "primary"
    [scheduled] = [e for e in stream.events if isinstance(e, ResumeScheduled)]
    assert 1.0 <= scheduled.delay <= 3.0 and took >= scheduled.delay  # the date has whole seconds
    assert attempts(stream) == [("initial", "primary"), ("resume", "primary")]


def test_one_budget_covers_retries_and_fallbacks(serve):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("503,503,503,503")),
                           "second": Scenario(plan=FaultPlan.parse("503,503,503,503"))})
    stream = chat(server, fallbacks=("second", MODEL), max_resumes=2)
    assert run(stream)[0] == ""
    # initial, a retry (1), then two in a row move to "second" (2): the budget is spent, MODEL is never reached.
    assert attempts(stream) == [("initial", "primary"), ("resume", "primary"), ("fallback", "second")]
    assert stream.outcome.status == "failed" and "after 2 resumes" in stream.outcome.message


def test_one_overall_deadline_covers_retries_and_fallbacks(serve):
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse(",".join(["503"] * 20)))})
    stream = chat(server, fallbacks=(), backoff_base=0.4, backoff_cap=0.4, jitter=0.0, max_resumes=50,
                  overall_deadline=1.5)
    text, took = run(stream)
    assert text == "" and took < 2.5
    assert stream.outcome.status == "failed" and "overall deadline of 1.5 s" in stream.outcome.message
    assert 3 <= len(attempts(stream)) <= 5


def test_a_cut_stream_whose_fallback_refuses_a_prefill(serve):
    # The primary is cut mid-draft, then drops the connection of its resume: the fallback takes over. It
    # refuses a final assistant message (HTTP 400) and has no completions endpoint, so the probe settles on
    # the instruct strategy, and the seam joins exactly.
    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("cut@3000,reset@3000")),
                           "strict": Scenario(prefill="reject", completions=False)})
    stream = chat(server, fallbacks=("strict",))
    text, _ = run(stream)
    assert text == FULL
    out = stream.outcome
    assert out.status == "completed" and out.model == "strict" and out.models == ("primary", "strict")
    assert attempts(stream) == [("initial", "primary"), ("resume", "primary"), ("fallback", "strict")]
    [seam] = [e for e in stream.events if isinstance(e, SeamJoined)]
    assert seam.strategy == "instruct" and seam.seam.joined
    assert out.failed_usage.prompt_tokens > 0 and out.failed_usage.completion_tokens > 0  # the cut call's text


def test_a_primary_down_for_a_while_across_20_drafts(serve):
    # The scenario is 60 s down across 20 drafts; scaled here to 3 s down across 20 drafts started
    # 0.3 s apart (the rule is the same: a connection failure before any text moves to the fallback at once,
    # and every new draft starts on the primary again). CONTRACTGEN_TEST_DOWN_SECONDS=60 runs the issue's
    # figures (20 drafts 6 s apart, 2 minutes; docs/benchmarks.md has that run).
    down = float(os.environ.get("CONTRACTGEN_TEST_DOWN_SECONDS", "3"))
    server = serve(models={"primary": Scenario(down=(0.0, down))})
    began = server.started
    served = []
    for _ in range(20):
        started = time.monotonic()
        stream = chat(server)
        text, took = run(stream)
        assert text == FULL and stream.outcome.status == "completed"
        served.append((started - began, stream.outcome.model, took))
        time.sleep(max(0.0, down / 10 - (time.monotonic() - started)))
    during = [m for at, m, _ in served if at + 0.5 < down]
    after = [m for at, m, _ in served if at > down]
    assert during and set(during) == {MODEL}, served
    assert after and set(after) == {"primary"}, served
    assert max(took for _, _, took in served) < 2.0  # no draft waited on the dead primary


def test_a_stored_draft_moves_to_its_fallback_at_once_too(serve, store):
    # The app's and the CLI's path (settings, the generation manager, the database): the same rule.
    from contractgen.config import Settings
    from contractgen.generation import GenerationManager, follow

    server = serve(models={"primary": Scenario(hang=True)})
    settings = Settings(provider="openai", base_url=server.base_url, model="primary", fallback_models=(MODEL,),
                        first_token_timeout=1.0)
    generation = GenerationManager(store).start(REQUEST, settings)
    follow(generation, poll=0.05)
    generation.join(15)
    assert generation.status == "completed" and generation.text == FULL
    assert [(a.kind, a.model, a.outcome) for a in store.attempts(generation.id)] == [
        ("initial", "primary", "fault"), ("fallback", MODEL, "completed")]
    [fault] = store.faults(generation.id)
    assert fault.kind == "timeout" and "first-token timeout" in fault.message


def test_another_drafts_retry_after_past_the_cap_moves_this_draft_to_its_fallback(serve, store):
    # Two drafts on one endpoint: the first gets a 429 whose Retry-After (600 s) is past the cap (60 s) and moves
    # to its fallback; the endpoint's shared gate (ratelimit.py) stays closed for those 600 s, so the second draft
    # does not wait at it either: it starts on its fallback at once, and says why.
    from contractgen import ratelimit
    from contractgen.config import Settings
    from contractgen.generation import GenerationManager, follow

    server = serve(models={"primary": Scenario(plan=FaultPlan.parse("429"),
                                               headers={"Retry-After": "600", "retry-after-ms": ""})})
    settings = Settings(provider="openai", base_url=server.base_url, model="primary", fallback_models=(MODEL,))
    gate = ratelimit.key(server.base_url, "primary")
    manager = GenerationManager(store)
    try:
        first = manager.start(REQUEST, settings)
        deadline = time.monotonic() + 15
        while ratelimit.remaining(gate) == 0:
            assert time.monotonic() < deadline, "the first draft's 429 never closed the gate"
            time.sleep(0.01)
        assert ratelimit.remaining(gate) > 500  # the provider's Retry-After, not shortened silently
        started = time.monotonic()
        second = manager.start(REQUEST, settings)
        follow(second, poll=0.05)
        second.join(15)
        took = time.monotonic() - started
        first.join(15)
        assert first.status == "completed" and first.text == FULL
        assert [(a.kind, a.model) for a in store.attempts(first.id)] == [("initial", "primary"), ("fallback", MODEL)]
        assert second.status == "completed" and second.text == FULL and took < 10
        assert [(a.kind, a.model, a.outcome) for a in store.attempts(second.id)] == [("fallback", MODEL, "completed")]
        [fault] = store.faults(second.id)
        assert fault.kind == "rate_limit" and "another call's 429" in fault.message and "longer than the 60 s" in fault.message
    finally:
        ratelimit.reset()


def test_another_drafts_retry_after_past_the_cap_without_a_fallback_fails_saying_so(serve):
    from contractgen import ratelimit
    from contractgen.resume import Outcome, Target, resilient_events

    gate = ratelimit.key(serve(models={}).base_url, "primary")
    calls = []
    target = Target("primary", "openai", lambda partial, tail: calls.append(partial) or iter(()), rate_key=gate)
    try:
        ratelimit.hit(gate, 600)
        started = time.monotonic()
        events = list(resilient_events([target], policy=ResumePolicy(retry_after_cap=60.0)))
        assert time.monotonic() - started < 2 and calls == []  # no wait, no call
        outcome = events[-1]
        assert isinstance(outcome, Outcome) and outcome.status == "failed" and outcome.faults == ["rate_limit"]
        assert "longer than the 60 s" in outcome.message and "No fallback model" in outcome.message
    finally:
        ratelimit.reset()

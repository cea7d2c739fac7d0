"""The live controls of a draft, on the real engine and a real database: pause (stored "paused", surviving
a restart), faults thrown by hand at the next delta, the display speed changed while streaming; and what
the page makes of the records (recovery.py)."""

from __future__ import annotations

import re
import time

import pytest

from contractgen.config import Settings
from contractgen.generation import BREAK_NOW, GenerationManager
from contractgen.recovery import entries, handled, mark_seams, section_at
from contractgen.request import parse_request
from contractgen.storage import RESUMABLE, STATUSES

from support import reference

ACME = {"company": "Acme"}


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_paused_is_a_status_named_once_and_resumable():
    assert "paused" in STATUSES and "paused" in RESUMABLE


def test_pause_stops_at_a_clean_point_survives_a_restart_and_resumes_seamlessly(store):
    manager = GenerationManager(store)
    settings = Settings(provider="offline", rate=300)
    generation = manager.start(parse_request(ACME), settings)
    wait_for(lambda: len(generation.text) > 1500)
    assert manager.pause(generation.id)
    generation.join(15)
    record = store.get(generation.id)
    assert record.status == "paused" and "Paused by hand" in record.error
    assert record.lease_until is None  # released: no worker owns a paused draft
    assert re.search(r"[.!?:;]\s*$|\n$", record.text), record.text[-60:]
    full = reference(parse_request(ACME))
    assert 0 < record.length < len(full) and full.startswith(record.text)

    # A restarted app (with or without taking over dead writers' drafts) leaves it paused.
    GenerationManager(store)
    taker = GenerationManager(store)
    assert taker.take_over(settings.with_(rate=0)) == []
    assert store.get(generation.id).status == "paused"

    resumed = taker.resume(generation.id, settings.with_(rate=0))
    resumed.join(30)
    assert resumed.status == "completed" and store.get(generation.id).text == full
    assert [r.auto for r in store.resumes(generation.id)] == [False]  # the resume by hand after the pause


def test_a_resume_right_after_a_pause_is_not_stopped_by_the_pause_timer(store):
    # The pause's "stop anyway" timer (PAUSE_WAIT) belongs to the paused run: a resume within those seconds
    # must run to its end, not be cancelled when the old timer fires.
    from contractgen.generation import PAUSE_WAIT

    manager = GenerationManager(store)
    settings = Settings(provider="offline", rate=300)
    generation = manager.start(parse_request(ACME), settings)
    wait_for(lambda: len(generation.text) > 1500)
    paused_at = time.monotonic()
    assert manager.pause(generation.id)
    generation.join(15)
    assert store.get(generation.id).status == "paused"
    assert time.monotonic() - paused_at < PAUSE_WAIT  # the pause landed before its timer: the timer is still armed
    resumed = manager.resume(generation.id, settings.with_(rate=1000))  # at once
    assert resumed is generation
    resumed.join(60)
    assert time.monotonic() - paused_at > PAUSE_WAIT + 0.5, "the resumed run ended before the old timer would fire"
    assert resumed.status == "completed", (resumed.status, resumed.error)
    record = store.get(generation.id)
    assert record.status == "completed" and record.text == reference(parse_request(ACME))


def test_any_process_can_ask_for_a_pause_through_the_store(store):
    writer = GenerationManager(store)
    generation = writer.start(parse_request(ACME), Settings(provider="offline", rate=300, lease_seconds=1.0))
    wait_for(lambda: len(generation.text) > 500)
    # What GenerationManager.pause does in a process that does not hold the draft: ask through the store
    # (a second manager here would take this process's own drafts for a dead one's leftovers).
    assert store.request_stop(generation.id, "pause")
    generation.join(15)
    assert store.get(generation.id).status == "paused"


@pytest.mark.parametrize("kind", BREAK_NOW)
def test_a_fault_thrown_now_strikes_the_next_delta_and_is_survived(store, kind):
    manager = GenerationManager(store)
    generation = manager.start(parse_request(ACME), Settings(provider="offline", rate=400))
    wait_for(lambda: len(generation.text) > 800)
    generation.strike(kind)
    at = len(generation.text)
    wait_for(lambda: generation.flowed_at)
    generation.speed = 0  # recovered: the rest at full speed, to keep the test short
    generation.join(60)
    faults = store.faults(generation.id)
    expected = {"stall": "timeout", "reset": "connection", "cut": "connection", "429": "rate_limit",
                "503": "server_error", "malformed": "malformed"}[kind]
    assert [f.kind for f in faults] == [expected]
    assert at <= faults[0].offset < at + 200  # the next delta, not a position planned beforehand
    assert generation.status == "completed" and generation.text == reference(parse_request(ACME))
    assert generation.flowed_at and generation.flowed_at[0] >= faults[0].detected_at
    assert not generation.armed


def test_an_unknown_fault_is_refused():
    from contractgen.errors import InputError
    from contractgen.generation import Generation

    with pytest.raises(InputError):
        Generation(parse_request(ACME)).strike("meteor")


def test_the_display_speed_changes_while_streaming(store):
    manager = GenerationManager(store)
    generation = manager.start(parse_request(ACME), Settings(provider="offline", rate=40))
    time.sleep(1.0)
    slow = len(generation.text)
    generation.speed = 2000
    time.sleep(1.0)
    fast = len(generation.text) - slow
    manager.cancel(generation.id)
    generation.join(10)
    assert fast > 5 * slow, (slow, fast)


def test_the_status_count_keeps_the_seeds_words_for_timeouts_and_names_the_rest():
    assert handled([]) == ""
    assert handled(["timeout", "timeout"]) == "⚠️ 2 timeout(s) handled"
    assert handled(["timeout", "connection", "server_error"]) == \
        "⚠️ 3 faults handled: 1 timeout, 1 connection reset, 1 server error"
    assert handled(["connection", "connection"]) == "⚠️ 2 faults handled: 2 connection resets"
    assert handled(["timeout"], total=2) == "⚠️ 2 faults handled: 1 timeout, 1 being recorded"


def test_timeline_entries_from_stored_faults_and_resumes(store):
    manager = GenerationManager(store)
    settings = Settings(provider="offline", rate=0, fault_plan="reset@3000,503,stall@9000")
    generation = manager.start(parse_request(ACME), settings)
    generation.join(60)
    text = store.get(generation.id).text
    got = entries(text, store.faults(generation.id), store.resumes(generation.id))
    assert [e.label for e in got] == ["server error", "connection reset", "timeout"]
    assert all(e.how == "automatic" and e.recovered_after is not None and e.recovered_after >= 0 for e in got)
    assert got[1].offset == 3000 and got[1].section == section_at(text, 3000) and got[1].section.startswith("§")
    assert "character 3,000" in got[1].line()

    marked = mark_seams(text, store.seams(generation.id))
    assert marked.count(":violet-badge[⟦seam ") == len(store.seams(generation.id)) >= 2
    assert marked.replace(" ", "").count("##") == text.replace(" ", "").count("##")  # headings stay headings


def test_a_fault_not_resumed_yet_says_so(store):
    manager = GenerationManager(store)
    generation = manager.start(parse_request(ACME), Settings(provider="offline", rate=0, auto_resume=False,
                                                             fault_plan="reset@2000"))
    generation.join(30)
    got = entries(generation.text, store.faults(generation.id), store.resumes(generation.id))
    assert len(got) == 1 and got[0].recovered_after is None and got[0].how == "waiting for a resume"


def test_a_fault_thrown_now_strikes_a_real_openai_client_stream_too(store):
    from support import ServedOffline

    server = ServedOffline("--rate", "300")
    try:
        manager = GenerationManager(store)
        settings = Settings(provider="openai", base_url=server.base_url, model="contractgen-offline", api_key="sk-test")
        generation = manager.start(parse_request(ACME), settings)
        wait_for(lambda: len(generation.text) > 500)
        generation.strike("503")
        wait_for(lambda: generation.flowed_at, timeout=30)
        manager.cancel(generation.id)  # the rest is the served engine's pace: not what this test is about
        generation.join(15)
    finally:
        server.stop()
    assert [f.kind for f in store.faults(generation.id)] == ["server_error"]
    assert "Fault thrown by hand" in store.faults(generation.id)[0].message
    assert reference(parse_request(ACME)).startswith(store.get(generation.id).text)  # no seam, nothing lost


def test_a_429_thrown_by_hand_or_injected_does_not_stall_the_other_drafts(store):
    # The provider did not answer 429: the process-wide gate of the endpoint (ratelimit.py) stays open, so no other
    # draft of the process waits for it. Only this draft retries.
    from support import ServedOffline

    from contractgen import ratelimit
    from contractgen.faultplan import FaultPlan
    from contractgen.resume import FaultDetected, ResumePolicy, Target, resilient_events
    from contractgen.stream import Delta

    ratelimit.reset()
    server = ServedOffline("--rate", "300")
    try:
        manager = GenerationManager(store)
        settings = Settings(provider="openai", base_url=server.base_url, model="contractgen-offline", api_key="sk-test")
        gate = ratelimit.key(server.base_url, "contractgen-offline")
        generation = manager.start(parse_request(ACME), settings)
        wait_for(lambda: len(generation.text) > 500)
        generation.strike("429")
        wait_for(lambda: generation.faults_handled, timeout=30)
        assert ratelimit.remaining(gate) == 0
        wait_for(lambda: generation.flowed_at, timeout=30)
        manager.cancel(generation.id)
        generation.join(15)
    finally:
        server.stop()
    assert [f.kind for f in store.faults(generation.id)] == ["rate_limit"]

    # An injected fault plan's 429 (resume.inject), on a target that has a gate: the same.
    target = Target("m", "openai", lambda partial, tail: iter([Delta(text="Hello."), Delta(finish_reason="stop")]),
                    rate_key=gate)
    seen = []
    for event in resilient_events([target], policy=ResumePolicy(backoff_base=0.01), plan=FaultPlan.parse("429")):
        if isinstance(event, FaultDetected):
            seen.append((event.kind, ratelimit.remaining(gate)))
    assert seen == [("rate_limit", 0)]
    ratelimit.reset()


def test_stop_keeps_the_text_and_the_page_says_so(store):
    from contractgen_ui.live import status_text

    manager = GenerationManager(store)
    generation = manager.start(parse_request(ACME), Settings(provider="offline", rate=300))
    wait_for(lambda: len(generation.text) > 500)
    assert manager.cancel(generation.id)
    generation.join(10)
    record = store.get(generation.id)
    assert record.status == "cancelled" and record.length == len(generation.text) > 500
    box, text = status_text(generation)
    assert box == "warning" and text.startswith(f"Stopped by hand at {len(generation.text):,} characters")
    assert generation.resumable


def test_the_status_line_words(store):
    from contractgen_ui.live import status_text

    manager = GenerationManager(store)
    generation = manager.start(parse_request(ACME), Settings(provider="offline", rate=300))
    assert status_text(generation)[1].startswith("🔄 Streaming...")
    generation.notice = "Resuming"
    assert status_text(generation, ["connection"])[1].startswith("🔄 Resuming generation... picking up at character")
    generation.notice = None
    manager.pause(generation.id)
    generation.join(10)
    box, text = status_text(generation, ["timeout", "timeout"])
    assert box == "info" and text.startswith("⏸️ Paused at") and text.endswith("⚠️ 2 timeout(s) handled")

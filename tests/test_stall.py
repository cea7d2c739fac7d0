"""Stalls caught in seconds: the adaptive stall rule (contractgen.stall) on its own, then on a real socket
through every entry point: `resilient_chat` (with only a ResumePolicy) and a stored draft (the app's and the
CLI's path, with only Settings). The benchmark benchmarks/stall.py measures the same both ways at scale."""

from __future__ import annotations

import re
import time

from contractgen.config import Settings
from contractgen.generation import GenerationManager, follow
from contractgen.offline import MODEL, OfflineEngine
from contractgen.prompts import build_messages
from contractgen.request import parse_request
from contractgen.resilient import resilient_chat
from contractgen.resume import FaultDetected, ResumePolicy
from contractgen.server import Scenario
from contractgen.stall import STALL_FACTOR, STALL_FLOOR, Guard, StallRule

from support import reference

REQUEST = parse_request({"company": "Acme"})
PART = [1, 2, 3]  # about 6,000 characters: a draft's first sections
PART_TEXT = OfflineEngine().document(REQUEST, PART)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rule_is_the_floor_until_the_stream_shows_longer_gaps():
    rule = StallRule(cap=60.0)
    assert (STALL_FLOOR, STALL_FACTOR) == (3.5, 4.0)
    assert rule.limit() == 3.5  # nothing seen yet
    for _ in range(500):
        rule.observe(0.02)  # a model at 50 tokens/s
    assert rule.limit() == 3.5
    for _ in range(10):
        rule.observe(1.8)  # a stream that pauses: 2% of its gaps are 1.8 s, so its p99 is
    assert rule.p99() == 1.8 and rule.limit() == 4.0 * 1.8
    assert StallRule(cap=5.0, factor=4.0).limit() == 3.5
    capped = StallRule(cap=5.0)
    capped.observe(3.0)
    assert capped.limit() == 5.0  # never longer than the read timeout


def test_the_guard_counts_only_time_spent_waiting_on_the_server():
    clock = Clock()
    guard = Guard(first_token_timeout=10.0, rule=StallRule(cap=60.0), clock=clock)
    guard.waiting()
    clock.now += 9.9
    assert guard.check(clock.now) is None
    clock.now += 0.2
    assert "first-token timeout" in guard.check(clock.now)
    guard.arrived(True)  # the first text: the first-token limit no longer applies
    clock.now += 30.0  # the caller holds the chunk (a slow database, say): not silence
    assert guard.check(clock.now) is None
    guard.waiting()
    clock.now += 3.4
    assert guard.check(clock.now) is None
    clock.now += 0.2
    assert "went silent for 3.6 s" in guard.check(clock.now)


def _silence(message: str) -> float:
    return float(re.search(r"went silent for ([\d.]+) s", message).group(1))


def test_resilient_chat_catches_a_silence_mid_draft_in_seconds(serve):
    # A stream paced like a fast model (150 tokens/s) goes silent at 2,500 characters for 60 s, with the default
    # 60 s read timeout: the default policy's stall rule calls it after its 3.5 s floor, and the resume finishes.
    server = serve("stall@2500", stall_seconds=60.0)
    server.rate = 150
    stream = resilient_chat(build_messages(REQUEST, sections=PART), model=MODEL, base_url=server.base_url,
                            api_key="unused", policy=ResumePolicy())
    started = time.monotonic()
    assert stream.text() == PART_TEXT
    took = time.monotonic() - started
    [fault] = [e for e in stream.events if isinstance(e, FaultDetected)]
    assert fault.kind == "timeout" and 3.5 <= _silence(fault.message) < 4.5, fault.message
    clean = len(PART_TEXT) / 4.5 / 150  # about the time without the silence
    assert took < clean + 8, (took, clean)


def test_a_stored_draft_catches_a_silence_with_the_default_settings(serve, store):
    # The app's and the CLI's path: only Settings (read timeout 60 s, nothing else set).
    server = serve("stall@3000", stall_seconds=60.0)
    settings = Settings(provider="openai", base_url=server.base_url, model=MODEL)
    assert settings.first_token_timeout == 30.0 and (settings.stall_floor, settings.stall_factor) == (3.5, 4.0)
    generation = GenerationManager(store).start(REQUEST, settings)
    follow(generation, poll=0.05)
    generation.join(30)
    assert generation.status == "completed" and generation.text == reference(REQUEST)
    [fault] = store.faults(generation.id)
    assert fault.kind == "timeout" and 3.5 <= _silence(fault.message) < 4.5, fault.message


def test_realistic_jitter_raises_no_false_stall(serve):
    # Pauses of 1-2 s and a 3 s first token (within the 30 s default limit): no fault at all.
    server = serve(models={"jittery": Scenario(rate=400, pauses=(0.004, 1.0, 2.0), first_token_delay=3.0, seed=7)})
    stream = resilient_chat(build_messages(REQUEST, sections=PART), model="jittery", base_url=server.base_url,
                            api_key="unused", policy=ResumePolicy())
    assert stream.text() == PART_TEXT
    assert stream.outcome.faults == [] and stream.outcome.model == "jittery"


def test_a_slow_reader_is_not_a_stalled_provider(serve):
    # The caller holds one chunk for 5 s (longer than the 3.5 s floor) while the server has sent everything.
    server = serve()
    stream = resilient_chat(build_messages(REQUEST, sections=PART), model=MODEL, base_url=server.base_url,
                            api_key="unused", policy=ResumePolicy())
    text = []
    for piece in stream:
        if not text:
            time.sleep(5.0)
        text.append(piece)
    assert "".join(text) == PART_TEXT and stream.outcome.faults == []


def test_the_first_token_timeout_bounds_a_silence_given_only_in_the_policy(serve):
    # Issue 11: ResumePolicy(first_token_timeout=...) passed to resilient_chat must bound a silence on the socket
    # (before, only the app's settings reached the watchdog, and the policy's check waited for a chunk).
    server = serve("stall@0", stall_seconds=30.0)
    stream = resilient_chat(build_messages(REQUEST, sections=PART), model=MODEL, base_url=server.base_url,
                            api_key="unused", policy=ResumePolicy(first_token_timeout=1.0, backoff_base=0.01))
    started = time.time()  # the clock of the events
    assert stream.text() == PART_TEXT
    [fault] = [e for e in stream.events if isinstance(e, FaultDetected)]
    assert "first-token timeout" in fault.message and fault.at - started < 2.5


def test_the_cli_catches_a_silence_with_its_defaults(tmp_path, database_url, capsys):
    # The CLI's path, end to end: `serve-offline` as a real process whose stream goes silent at 3,000 characters
    # for 60 s, and `contractgen generate` with no timeout flag at all.
    import json

    from contractgen.cli import EXIT_OK, main
    from support import ServedOffline, finished

    server = ServedOffline("--rate", "0", "--fault", "stall@3000", "--stall-seconds", "60")
    try:
        out = tmp_path / "acme.md"
        started = time.monotonic()
        assert main(["generate", "--company", "Acme", "--base-url", server.base_url, "--model", MODEL,
                     "--db", database_url, "--out", str(out), "--quiet"]) == EXIT_OK
        took = time.monotonic() - started
    finally:
        server.stop()
    assert out.read_text(encoding="utf-8") == finished(reference(REQUEST))
    assert took < 20  # without the stall rule the silence lasts 30 s (the socket read timeout is the first-token limit)
    capsys.readouterr()
    assert main(["list", "--json", "--db", database_url]) == EXIT_OK
    [doc] = json.loads(capsys.readouterr().out)
    assert main(["show", doc["id"], "--json", "--db", database_url]) == EXIT_OK
    shown = json.dumps(json.loads(capsys.readouterr().out))
    assert "went silent for 3." in shown

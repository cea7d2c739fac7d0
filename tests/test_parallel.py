"""Parallel sections (issue 11, item 3): K calls at once, each resilient, the same document as one at a time."""

import os
import re
import signal
import subprocess
import sys
import threading
import time


from contractgen.config import Settings
from contractgen.generation import GenerationManager, follow
from contractgen.modes import parallel_for
from contractgen.offline import MODEL
from contractgen.parallel import Gate
from contractgen.request import parse_request
from contractgen.storage import Store
from contractgen.structure import parse

from support import ROOT, reference

REQUEST = {"company": "Parallel Co", "payments": True, "user_content": True}


def served(server, **kw):
    return Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=3.0, mode="sections", **kw)


def paced(serve, plan="", rate=0.0, **kw):
    server = serve(plan, **kw)
    server.rate = rate  # the fixture serves at full speed; a pace makes calls overlap for long enough
    return server


def run(store, settings, request=REQUEST):
    generation = GenerationManager(store).start(parse_request(request), settings)
    follow(generation, poll=0.05)
    generation.join(20)
    return generation


def overlap(attempts) -> int:
    """The most attempts that were running at one moment."""
    edges = sorted([(a.started_at, 1) for a in attempts] + [(a.ended_at, -1) for a in attempts])
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def test_defaults_are_one_call_for_stream_and_four_for_sections():
    assert parallel_for("stream", None) == 1 and parallel_for("stream", 8) == 1
    assert parallel_for("sections", None) == 4 and parallel_for("chunks", None) == 1
    assert parallel_for("sections", 2) == 2 and parallel_for("chunks", 3) == 3


def test_parallel_sections_write_the_same_document_at_the_same_output_cost(store, serve):
    server = paced(serve, rate=600)
    one = run(store, served(server, parallel=1))
    four = run(store, served(server, parallel=4))
    expected = reference(parse_request(REQUEST))
    assert one.status == four.status == "completed", (one.error, four.error)
    assert one.text == four.text == expected
    assert store.text(four.id) == expected  # the stored text is the document, in order
    assert store.sections(four.id) == store.sections(one.id)
    assert [s["number"] for s in store.sections(four.id)] == [s.number for s in parse(expected).sections]
    # The same calls and the same output tokens; the prompts carry no "text just before" (not written yet).
    attempts = store.attempts(four.id)
    assert [a.kind for a in attempts] == ["section"] * len(store.attempts(one.id))
    assert four.usage.completion_tokens == one.usage.completion_tokens
    assert four.usage.prompt_tokens <= one.usage.prompt_tokens
    assert 2 <= overlap(attempts) <= 4  # calls really overlapped, never more than K
    assert overlap(store.attempts(one.id)) == 1
    assert all(merged and not text for text, _, merged in store.parts(four.id).values())
    assert four.calls_done == four.calls_total == len(attempts)


def test_each_parallel_call_resumes_its_own_fault_and_the_document_is_unchanged(store, serve):
    # Two faults inside two different sections, struck while several sections stream at once.
    server = paced(serve, "reset@4000,cut@16000", rate=800)
    generation = run(store, served(server, parallel=4))
    assert generation.status == "completed", generation.error
    assert generation.text == reference(parse_request(REQUEST))
    assert len(store.faults(generation.id)) == 2
    kinds = [a.kind for a in store.attempts(generation.id)]
    assert kinds.count("resume") == 2 and kinds.count("section") == generation.calls_total


def test_a_429_pauses_every_call_for_its_retry_after(store, serve):
    server = serve("429", retry_after=1.5)
    generation = run(store, served(server, parallel=4))
    assert generation.status == "completed", generation.error
    assert generation.text == reference(parse_request(REQUEST))
    [fault] = store.faults(generation.id)
    assert fault.kind == "rate_limit"
    attempts = store.attempts(generation.id)
    later = [a for a in attempts if a.started_at > fault.detected_at]
    assert later, "calls were started after the 429"
    # No call of the draft sent a request before the Retry-After was over (full speed: they would have at once).
    assert min(a.first_token_at for a in later) >= fault.detected_at + 1.4


def test_gate_waits_and_is_cancelled():
    gate, cancel = Gate(), threading.Event()
    gate.hold(0.3)
    started = time.monotonic()
    gate.wait(cancel)
    assert 0.25 <= time.monotonic() - started < 1.0
    gate.hold(30)
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    gate.wait(cancel)
    assert time.monotonic() - started < 2.0


def test_a_429_of_the_in_process_engine_pauses_every_call_of_the_draft(store):
    # No endpoint, so no process-wide gate (ratelimit.py): the draft's own gate holds every call.
    settings = Settings(provider="offline", rate=1000, mode="sections", parallel=4, fault_plan="429")
    generation = run(store, settings)
    assert generation.status == "completed", generation.error
    assert generation.text == reference(parse_request(REQUEST))
    [fault] = store.faults(generation.id)
    assert fault.kind == "rate_limit" and generation._gate.closed >= 1
    attempts = store.attempts(generation.id)
    assert any(a.started_at > fault.detected_at for a in attempts)  # calls went on after the 429 ...
    # ... but none got text during its Retry-After (1 s, injected), beyond the moment it takes to close the gate.
    during = [a for a in attempts if a.first_token_at and fault.detected_at + 0.25 < a.first_token_at < fault.detected_at + 0.9]
    assert not during, during


def test_kill_9_with_parallel_sections_then_resume_continues_every_unfinished_section(tmp_path, database_url):
    db = database_url
    proc = subprocess.Popen([sys.executable, "-m", "contractgen", "generate", "--company", "Acme", "--rate", "150",
                             "--mode", "sections", "--parallel", "4", "--db", db, "--out", str(tmp_path / "never.md")],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        doc_id = re.match(r"Document (\w+):", proc.stderr.readline()).group(1)
        store = Store(db)
        deadline = time.monotonic() + 60
        # Killed while several sections are half written (their texts are stored apart from the merged text).
        while time.monotonic() < deadline:
            parts = store.parts(doc_id)
            if sum(1 for text, finished, merged in parts.values() if text and not finished) >= 2 and \
                    any(merged for _, _, merged in parts.values()):
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    full = reference(parse_request({"company": "Acme"}))
    parts = store.parts(doc_id)
    unfinished = {i: text for i, (text, finished, merged) in parts.items() if text and not finished}
    assert len(unfinished) >= 2
    kept = store.text(doc_id)
    assert kept and full.startswith(kept)  # the merged text is the document's beginning, in order
    for text in unfinished.values():
        assert text in full  # each section's partial text is a piece of the document

    manager = GenerationManager(store)
    generation = manager.resume(doc_id, Settings(provider="offline", rate=0, mode="sections"))
    follow(generation, poll=0.05)
    generation.join(20)
    assert generation.status == "completed", generation.error
    assert generation.text == full and store.text(doc_id) == full
    # Every unfinished section went on from its stored text: a resume attempt starting inside it, not over.
    resumed = [a for a in store.attempts(doc_id) if a.kind == "resume"]
    assert len(resumed) >= len(unfinished)


def test_cli_parallel_flag_is_stored_and_checked(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    out = tmp_path / "tos.md"
    done = subprocess.run([sys.executable, "-m", "contractgen", "generate", "--company", "Acme", "--rate", "0",
                           "--mode", "sections", "--parallel", "3", "--db", db, "--out", str(out), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    # The file is written as the text arrives, in order (the CLI appends what `read` gives), then the notice.
    assert out.read_text(encoding="utf-8").startswith(reference(parse_request({"company": "Acme"})) + "\n")
    [record] = Store(db).list_documents()
    assert Store(db).get(record.id).settings["parallel"] == 3
    bad = subprocess.run([sys.executable, "-m", "contractgen", "generate", "--company", "Acme", "--parallel", "0",
                          "--db", db], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode != 0 and "--parallel must be a whole number of calls at once, 1 or more" in bad.stderr


def test_readers_get_the_text_in_order_while_later_sections_fill_in_their_places(store, serve):
    server = paced(serve, rate=400)
    generation = GenerationManager(store).start(parse_request(REQUEST), served(server, parallel=4))
    expected = reference(parse_request(REQUEST))
    offset, pieces, views = 0, [], []
    while True:
        new, done = generation.read(offset, wait=0.05)
        pieces.append(new)
        offset += len(new)
        views.append(generation.parts_view())
        if done and not generation.running:
            break
    generation.join(10)
    assert generation.status == "completed"
    # What reads by offset (the CLI's file, the page's flowing text) is append-only and ends as the document.
    assert "".join(pieces) == expected
    # Meanwhile several sections were being written at once, each exactly the document's text at its place.
    busy = [v for v in views if sum(1 for _, text, _ in v if text) >= 2]
    assert busy, "no moment with two sections in progress"
    for view in busy:
        for index, text, _ in view:
            assert text in expected
    assert generation.text == expected


def test_the_page_has_a_parallel_control_and_shows_the_sections_in_order():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "views" / "generate.py"), default_timeout=90)
    at.run()
    assert not at.exception
    control = at.number_input(key="parallel")
    assert control.value is None and "4 in the sections mode" in control.proto.placeholder
    at.slider(key="rate").set_value(0)
    at.radio(key="mode").set_value("sections")
    control.set_value(3)
    at.text_input[0].input("Page Co")
    at.button[0].click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Completed: 15 sections")
    assert at.get("progress")[0].proto.text.startswith("section 15/15 done · 3 at once")
    shown = "\n\n".join(m.value for m in at.markdown)
    headings = [int(n) for n in re.findall(r"^## (\d+)\. ", shown, re.MULTILINE)]
    assert headings == list(range(1, 16))  # in order, each once
    from contractgen_ui.provider import manager

    record = manager().store.get(at.query_params["doc"][0] if isinstance(at.query_params["doc"], list)
                                 else at.query_params["doc"])
    assert record.settings["parallel"] == 3 and record.mode == "sections"

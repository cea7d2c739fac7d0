"""Resuming by hand, and after restarts: each case here once corrupted a draft (found in review)."""

import threading

import pytest

from contractgen.config import Settings, safe_url
from contractgen.errors import InputError
from contractgen.generation import GenerationManager, follow
from contractgen.offline import MODEL
from contractgen.request import parse_request
from contractgen.storage import Store
from contractgen.structure import parse

from support import reference

ACME = {"company": "Acme"}


def served(server, **kw):
    return Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=2.0, **kw)


def finish(generation):
    follow(generation, poll=0.05)
    generation.join(10)
    return generation


def test_two_resumes_at_once_run_the_draft_once(store, serve):
    server = serve("reset@5000")
    manager = GenerationManager(store)
    paused = finish(manager.start(parse_request(ACME), served(server, auto_resume=False)))
    assert paused.status == "interrupted"
    outcomes = []

    def click():
        try:
            manager.resume(paused.id, served(server))
            outcomes.append("ok")
        except InputError:
            outcomes.append("refused")

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    finish(paused)
    assert sorted(outcomes) == ["ok", "refused"]
    assert paused.text == store.text(paused.id) == reference(parse_request(ACME))


def test_a_stale_copy_in_another_manager_is_refreshed_not_resumed_twice(store, serve):
    server = serve("reset@5000")
    app = GenerationManager(store)
    paused = finish(app.start(parse_request(ACME), served(server, auto_resume=False)))
    cli = GenerationManager(store)  # another process over the same database
    finish(cli.resume(paused.id, served(server)))
    fresh = app.get(paused.id)
    assert fresh.status == "completed" and fresh.text == reference(parse_request(ACME))
    with pytest.raises(InputError):
        app.resume(paused.id, served(server))
    assert store.text(paused.id) == reference(parse_request(ACME))


@pytest.mark.parametrize("mode", ["stream", "chunks"])
def test_a_stop_inside_a_heading_keeps_every_section(store, serve, mode):
    full = reference(parse_request(ACME))
    inside_heading = full.index("## 2. ") + 3
    server = serve(f"reset@{inside_heading}")
    manager = GenerationManager(store)
    paused = finish(manager.start(parse_request(ACME), served(server, auto_resume=False, mode=mode)))
    finish(manager.resume(paused.id, served(server, mode=mode)))
    assert paused.text == full
    expected = [s.number for s in parse(full).sections]
    assert [s.number for s in paused.completed_sections] == expected
    assert [s["number"] for s in store.sections(paused.id)] == expected


def test_no_anchor_no_deletion(store, serve):
    full = reference(parse_request(ACME))
    one_char_into_heading = full.index("## 2. ") + 1  # the call's partial text is just "#"
    server = serve(f"reset@{one_char_into_heading}")
    generation = finish(GenerationManager(store).start(parse_request(ACME), served(server, mode="sections")))
    assert generation.text == full


def test_a_fault_that_struck_does_not_strike_again_after_a_restart(store):
    settings = Settings(provider="offline", rate=0, auto_resume=False, fault_plan="reset@3000")
    paused = finish(GenerationManager(store).start(parse_request(ACME), settings))
    assert len(paused.text) == 3000
    again = GenerationManager(store)  # restarted process
    resumed = finish(again.resume(paused.id, settings))
    assert resumed.status == "completed" and resumed.text == reference(parse_request(ACME))
    assert len(store.faults(paused.id)) == 1


def test_a_manual_resume_after_an_auto_resumed_fault_is_not_linked_to_it(store):
    generation = GenerationManager(store).start(parse_request(ACME), Settings(provider="offline", rate=200,
                                                                               fault_plan="reset@1000"))
    while len(generation.text) < 3000:
        generation.read(len(generation.text), wait=0.2)
    generation.cancel()
    generation.join(10)
    assert generation.status == "cancelled"
    manager = GenerationManager(store)
    finish(manager.resume(generation.id, Settings(provider="offline", rate=0)))
    auto, manual = store.resumes(generation.id)
    assert auto.auto and auto.fault_id is not None
    assert not manual.auto and manual.fault_id is None


def test_a_bad_fault_plan_leaves_no_draft_behind(store):
    with pytest.raises(InputError):
        GenerationManager(store).start(parse_request(ACME), Settings(provider="offline", fault_plan="explode@3"))
    assert store.list_documents() == []


def test_a_regenerated_section_is_streaming_not_resuming(store):
    manager = GenerationManager(store)
    parent = finish(manager.start(parse_request(ACME), Settings(provider="offline", rate=0)))
    child = manager.new_version(parent.id, Settings(provider="offline", rate=20), regenerate=2)
    assert child.status == "streaming"
    child.cancel()
    child.join(10)


def test_credentials_in_a_base_url_are_never_stored_or_shown(store):
    assert safe_url("https://user:sk-secret@llm.example/v1") == "https://llm.example/v1"
    assert safe_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    settings = Settings(provider="openai", base_url="http://user:sk-secret@127.0.0.1:9/v1", max_resumes=0)
    generation = finish(GenerationManager(store).start(parse_request(ACME), settings))
    record = store.get(generation.id)
    assert "sk-secret" not in str(record.settings) and "sk-secret" not in generation.label
    assert "sk-secret" not in (generation.error or "")

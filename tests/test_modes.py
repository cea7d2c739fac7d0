"""Three generation modes, one document structure, counted calls; every call resilient."""

import math

import pytest

from contractgen.config import Settings
from contractgen.generation import GenerationManager, follow
from contractgen.modes import plan
from contractgen.offline import MODEL
from contractgen.prompts import build_messages
from contractgen.request import parse_request
from contractgen.storage import Store
from contractgen.structure import parse

from support import reference

REQUEST = {"company": "Modes Co", "payments": True, "user_content": True}


def run(store, server, mode, **kw):
    settings = Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=2.0, mode=mode, **kw)
    generation = GenerationManager(store).start(parse_request(REQUEST), settings)
    follow(generation, poll=0.05)
    generation.join(10)
    return generation


def structure(text):
    return [(s.number, s.title, [(x.number, x.title) for x in s.subsections]) for s in parse(text).sections]


def test_plan_splits_sections_into_calls():
    assert [c.sections for c in plan("stream", 15)] == [None]
    assert [c.sections for c in plan("chunks", 10)] == [(1, 2, 3, 4), (5, 6, 7, 8), (9, 10)]
    assert [c.sections for c in plan("chunks", 10, group_size=3)][-1] == (10,)
    assert [c.sections for c in plan("sections", 3)] == [(1,), (2,), (3,)]
    assert plan("chunks", 10)[1].label("chunks") == "group 2/3"


@pytest.mark.parametrize("mode", ["stream", "chunks", "sections"])
def test_every_mode_gives_the_same_structure_and_stores_it(store, serve, mode):
    generation = run(store, serve(), mode)
    expected = reference(parse_request(REQUEST))
    assert generation.status == "completed"
    assert structure(generation.text) == structure(expected)
    assert generation.text == expected  # the offline engine writes each part exactly
    assert [s["number"] for s in store.sections(generation.id)] == [s.number for s in parse(expected).sections]
    assert store.sections(generation.id)[0]["subsections"][0]["text"]


def test_chunks_make_ceil_n_over_4_calls_and_sections_make_n(store, serve):
    server = serve()
    n = len(parse(reference(parse_request(REQUEST))).sections)
    chunks = store.attempts(run(store, server, "chunks").id)
    sections = store.attempts(run(store, server, "sections").id)
    assert [a.kind for a in chunks] == ["chunk"] * math.ceil(n / 4)
    assert [a.kind for a in sections] == ["section"] * n
    assert len(store.attempts(run(store, server, "chunks", group_size=5).id)) == math.ceil(n / 5)


@pytest.mark.parametrize(("mode", "where"), [("chunks", "reset@15000"), ("sections", "cut@15000"),
                                             ("chunks", "truncated@9001"), ("sections", "stall@21000")])
def test_a_fault_inside_a_call_is_recovered_with_no_seam(store, serve, mode, where):
    # One call at a time: the served plan strikes the first response that reaches a position, and with parallel
    # calls a later section may pass it first (tests/test_parallel.py covers faults with parallel calls).
    generation = run(store, serve(where), mode, parallel=1)
    assert generation.status == "completed"
    assert generation.text == reference(parse_request(REQUEST))
    [fault] = store.faults(generation.id)
    assert fault.offset == int(where.split("@")[1])  # document positions, not positions in the call
    kinds = [a.kind for a in store.attempts(generation.id)]
    assert "resume" in kinds and kinds.count("resume") == 1


def test_an_interrupted_chunk_resumes_after_a_restart(store, serve):
    server = serve("reset@20000")
    generation = run(store, server, "chunks", auto_resume=False)
    assert generation.status == "interrupted"
    fresh = GenerationManager(store)  # a new process builds a new manager over the same database
    again = fresh.get(generation.id)
    assert again is not generation and again.calls_done >= 1 and again.call_start is not None
    settings = Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=2.0, mode="chunks")
    fresh.resume(generation.id, settings)
    follow(again, poll=0.05)
    again.join(10)
    assert again.status == "completed"
    assert again.text == reference(parse_request(REQUEST))


def test_part_prompts_carry_what_keeps_calls_consistent():
    request = parse_request(REQUEST)
    first = build_messages(request, sections=[1, 2, 3, 4])[1]["content"]
    later = build_messages(request, sections=[5, 6, 7, 8], before="...the end of section four.")[1]["content"]
    assert "Start with `# Terms of Service`" in first
    assert "Start directly with `## 5." in later and "no title, no preamble" in later
    for prompt in (first, later):
        assert "The whole outline, for context: 1. Acceptance of These Terms" in prompt
        assert '"Service"' in prompt and "Details (JSON):" in prompt
    assert "the end of section four." in later and "the end of section four." not in first

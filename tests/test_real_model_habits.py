"""Resumes against continuations that behave like real chat models, over a real socket.

The served offline engine plays each habit a real model has when asked to go on
(contractgen.mimic): restarting the sentence, paragraph, section or document, a
preamble, the last sentence repeated with a word changed, the held-back word not
rewritten; servers that do or do not honour prefill; a 200 with an empty stream
and a context-length 400. Every draft ends byte-identical to the uninterrupted
one, or its seam is flagged unverified and the draft carries a warning: never
silently duplicated.
"""

import json
import random
import subprocess
import sys

import pytest

from contractgen.config import Settings
from contractgen.faultplan import Fault, FaultPlan
from contractgen.generation import GenerationManager, follow
from contractgen.offline import MODEL
from contractgen.providers import OpenAIProvider, make_targets
from contractgen.request import parse_request
from contractgen.resume import ResumePolicy, SeamJoined, Text, resilient_events
from contractgen.seam import resume_point

from support import ROOT, reference

FAST = ResumePolicy(backoff_base=0.01, backoff_cap=0.05)
REQUEST = parse_request({"company": "Habit Co", "payments": True})
FULL = reference(REQUEST)


def settings_for(server, **kw):
    kw.setdefault("model", MODEL)
    return Settings(provider="openai", base_url=server.base_url, connect_timeout=2.0, read_timeout=2.0, **kw)


def cuts(count, seed):
    rng = random.Random(seed)
    words = [i for i in range(200, len(FULL)) if FULL[i - 1].isalpha() and FULL[i].isalpha()]
    headings = [i + 5 for i in range(len(FULL)) if FULL.startswith("\n## ", i)]
    return rng.sample(words, count - count // 4) + rng.sample(headings, count // 4)


def run_stream(targets, plan, cut, kind="reset"):
    plan.faults.append(Fault(kind, cut))
    events = list(resilient_events(targets, policy=FAST))
    text = "".join(e.text for e in events if isinstance(e, Text))
    seams = [e.seam for e in events if isinstance(e, SeamJoined)]
    return events[-1], text, seams


JOINING = [("restart_sentence", {"restart_sentence", "restart_paragraph", "restart_section", "repeat", "exact"}),
           ("restart_paragraph", {"restart_paragraph", "restart_section", "restart_sentence", "repeat", "exact"}),
           ("restart_section", {"restart_section", "restart_document"}),  # before section 1: the document
           ("restart_document", {"restart_document"}),
           ("preamble", {"preamble"}),
           ("exact", {"exact"})]


@pytest.mark.parametrize(("style", "joins"), JOINING, ids=[j[0] for j in JOINING])
def test_instructed_restarts_and_preambles_rejoin_byte_identical(serve, style, joins):
    plan = FaultPlan()
    server = serve(plan, style=style)
    targets = make_targets(settings_for(server, continuation="instruct"), REQUEST)
    for cut in cuts(16, seed=len(style)):
        outcome, text, [seam] = run_stream(targets, plan, cut)
        assert outcome.status == "completed", (cut, outcome)
        assert text == FULL, (style, cut, seam)
        assert seam.joined and seam.join in joins, (cut, seam)


def test_a_sentence_repeated_with_a_word_changed_is_aligned_or_flagged(serve):
    plan = FaultPlan()
    server = serve(plan, style="changed")
    targets = make_targets(settings_for(server, continuation="instruct"), REQUEST)
    joined = 0
    for cut in cuts(24, seed=3):
        outcome, text, [seam] = run_stream(targets, plan, cut)
        assert outcome.status == "completed"
        assert text.startswith(FULL[:cut])  # nothing written is ever deleted
        if seam.joined:
            joined += 1
            assert text == FULL, (cut, seam)
        else:  # not confident: everything kept, and said so
            assert seam.dropped == 0 and len(text) > len(FULL)
    assert joined >= 18  # short sentences changed near their start cannot be told apart with confidence


def test_a_held_word_the_model_does_not_rewrite_is_kept_apart_and_flagged(serve):
    plan = FaultPlan()
    server = serve(plan, style="held_not_rewritten")
    targets = make_targets(settings_for(server, continuation="instruct"), REQUEST)
    for cut in cuts(8, seed=4)[:6]:  # mid-word cuts
        outcome, text, [seam] = run_stream(targets, plan, cut)
        assert text.startswith(FULL[:cut])
        held = FULL[resume_point(FULL[:cut]):cut]
        if seam.join == "exact":  # the next word happens to start like the held fragment: read as rewritten
            assert text[cut - len(held):].startswith(held) and seam.dropped == len(held)
            continue
        assert seam.join == "unverified" and seam.inserted == " "
        # The two words are apart: the held fragment, one space, then the next word the model wrote.
        assert text[cut:cut + 1] == " " and not text[cut + 1].isspace()


@pytest.mark.parametrize(("prefill", "completions", "picked"), [
    ("native", True, "prefill"),  # Ollama, llama-server
    ("switch", True, "prefill"),  # vLLM, SGLang: continue_final_message
    ("none", True, "completion"),  # llama-cpp-python: chat never continues, /v1/completions does
    ("none", False, "instruct"),  # neither
])
def test_auto_probes_what_the_server_supports_once(serve, prefill, completions, picked):
    server = serve(prefill=prefill, completions=completions)
    provider = OpenAIProvider(settings_for(server))
    assert provider.strategy() == picked
    assert OpenAIProvider(settings_for(server)).strategy() == picked  # cached per (base URL, model)


def test_auto_on_a_server_without_prefill_continues_in_place_on_completions(serve):
    plan = FaultPlan()
    server = serve(plan, prefill="none")
    targets = make_targets(settings_for(server), REQUEST)
    for cut in cuts(8, seed=5):
        outcome, text, [seam] = run_stream(targets, plan, cut)
        assert text == FULL and seam.join == "exact" and seam.dropped == 0


def test_prefill_forced_on_a_server_that_opens_a_new_reply_is_absorbed(serve):
    # The chat template closes the assistant turn: the model writes the document again from the top.
    plan = FaultPlan()
    server = serve(plan, prefill="none")
    targets = make_targets(settings_for(server, continuation="prefill"), REQUEST)
    outcome, text, [seam] = run_stream(targets, plan, 3100)
    assert text == FULL and seam.join == "restart_document" and seam.dropped == 3100


@pytest.mark.parametrize("mode", ["chunks", "sections"])
@pytest.mark.parametrize("style", ["restart_section", "preamble", "restart_sentence"])
def test_parts_modes_rejoin_real_model_restarts(serve, store, mode, style):
    for cut in (2500, 9000, 17000):
        server = serve(f"reset@{cut}", style=style)
        manager = GenerationManager(store)
        # One call at a time: the served plan strikes the first response past the cut, which with parallel
        # calls may be a later section's before it sends any text (tests/test_parallel.py covers that case).
        generation = manager.start(REQUEST, settings_for(server, continuation="instruct", mode=mode, parallel=1))
        follow(generation, poll=0.05)
        generation.join(10)
        assert generation.status == "completed", generation.error
        assert generation.text == FULL, (mode, style, cut)
        assert generation.warnings == []
        [seam] = store.seams(generation.id)
        assert seam.join_kind != "unverified" and seam.resume_id is not None


def test_an_empty_200_stream_is_named_and_retried(serve, store):
    server = serve("empty")  # the first request gets a 200 with no text and no finish reason
    generation = GenerationManager(store).start(REQUEST, settings_for(server))
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed" and generation.text == FULL
    [fault] = store.faults(generation.id)
    assert fault.kind == "truncated" and "empty stream" in fault.message and "context window" in fault.message
    assert len(store.attempts(generation.id)) == 2


@pytest.mark.parametrize("style", ["400", "empty"])
def test_a_small_context_window_is_met_with_a_shorter_tail(serve, store, style):
    from contractgen.prompts import build_messages

    prompt = sum(len(m["content"]) for m in build_messages(REQUEST))
    server = serve("reset@12000", context_chars=prompt + 1200, context_style=style)
    generation = GenerationManager(store).start(REQUEST, settings_for(server))
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed" and generation.text == FULL
    kinds = [f.kind for f in store.faults(generation.id)]
    assert kinds == ["connection", "fatal" if style == "400" else "truncated"]
    first_resume, second_resume = store.attempts(generation.id)[1:]
    assert second_resume.prompt_tokens < first_resume.prompt_tokens - 200  # 500 characters of text, not 2,000


def test_a_window_too_small_for_any_tail_fails_saying_so(serve, store):
    from contractgen.prompts import build_messages

    prompt = sum(len(m["content"]) for m in build_messages(REQUEST))
    server = serve("reset@5000", context_chars=prompt + 20)
    generation = GenerationManager(store).start(REQUEST, settings_for(server))
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "failed"
    assert "context window" in generation.error and "--resume-tail" in generation.error
    assert generation.text == FULL[:5000]  # kept, resumable later


def test_every_call_is_bounded_and_length_continues_in_place(serve, store):
    server = serve()
    generation = GenerationManager(store).start(REQUEST, settings_for(server, max_tokens=1500))
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed" and generation.text == FULL
    attempts = store.attempts(generation.id)
    assert len(attempts) >= 4 and all(a.completion_tokens <= 1500 for a in attempts)
    assert [a.kind for a in attempts[1:]] == ["continue_length"] * (len(attempts) - 1)
    seams = store.seams(generation.id)
    assert len(seams) == len(attempts) - 1 and {s.join_kind for s in seams} == {"exact"}
    assert all(s.resume_id is None for s in seams)


@pytest.mark.parametrize("mode", ["chunks", "sections"])
@pytest.mark.parametrize("style", ["omitted", "bold", "unnumbered"])
def test_parts_get_their_headings_from_the_outline(serve, store, mode, style):
    server = serve(heading_style=style)
    generation = GenerationManager(store).start(REQUEST, settings_for(server, mode=mode))
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed"
    assert generation.text == FULL
    assert generation.warnings == []
    assert len(store.sections(generation.id)) == len(generation.outline)


def test_unverified_seams_count_as_failed_resumes(serve, store):
    from contractgen import metrics

    server = serve("reset@4003", style="held_not_rewritten")
    generation = GenerationManager(store).start(REQUEST, settings_for(server, continuation="instruct"))
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed"
    assert any("could not be verified" in w for w in generation.warnings)
    [resume] = store.resumes(generation.id)
    assert resume.delivered_chars > 0 and not resume.succeeded
    [seam] = store.seams(generation.id)
    assert seam.join_kind == "unverified"
    # The monitoring figures follow: no successful resume, one unverified seam.
    assert metrics.kpis(store)["resume_success_rate"] == 0
    quality = metrics.seam_quality(store)
    assert quality["seams"] == quality["unverified"] == quality["on_resumes"] == 1 and quality["joined_rate"] == 0

    other = serve("reset@4003", style="restart_section")
    generation = GenerationManager(store).start(REQUEST, settings_for(other, continuation="instruct"))
    follow(generation, poll=0.05)
    generation.join(10)
    quality = metrics.seam_quality(store)
    assert quality["seams"] == 2 and quality["repaired"] == 1 and quality["joined_rate"] == 0.5
    assert quality["by_strategy"]["instruct"] == {"seams": 2, "joined": 1, "joined_rate": 0.5}
    assert quality["dropped_chars"] == store.seams(generation.id)[0].dropped > 0
    assert metrics.kpis(store)["resume_success_rate"] == 0.5


def cli(*args, db):
    return subprocess.run([sys.executable, "-m", "contractgen", *args, "--db", f"sqlite:///{db}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_the_cli_exits_5_on_structure_warnings_and_show_names_each_seam(serve, db_path, tmp_path):
    server = serve(heading_style="omitted")
    run = cli("generate", "--company", "Habit Co", "--base-url", server.base_url, "--model", MODEL,
              "--out", str(tmp_path / "d.md"), db=db_path)
    assert run.returncode == 5, run.stderr
    assert "warning: No section headings were recognised (0 of 15 sections)" in run.stderr

    plan_server = serve("reset@3000", style="restart_sentence")
    run = cli("generate", "--company", "Habit Co", "--field", "payments=yes", "--base-url", plan_server.base_url,
              "--model", MODEL, "--continuation", "instruct", "--out", str(tmp_path / "e.md"), db=db_path)
    assert run.returncode == 0, run.stderr
    doc = json.loads(cli("list", "--json", db=db_path).stdout)[0]["id"]
    shown = cli("show", doc, db=db_path).stdout
    info = json.loads(cli("show", doc, "--json", db=db_path).stdout)
    [seam] = info["seams"]
    # At 3,000 characters the sentence that was cut is also the first of its paragraph.
    assert seam["join"] == "restart_paragraph" and seam["joined"] and seam["dropped"] > 0 and seam["resume"]
    assert "seams (1):" in shown and " instruct " in shown and " restart_paragraph " in shown
    assert "restarted the paragraph (repeat dropped): \u2026" in shown and "\u27e6\u27e7" in shown

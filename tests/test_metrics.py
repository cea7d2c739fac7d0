"""Metrics over a real SQLite file seeded through the Store API: every figure checked against hand arithmetic.

The seeded history (D = 2023-11-14 00:00:00 UTC; the main filter is [D, D + 2 days)):

  id  created   mode      model        type  status     story
  A   D+100     stream    gpt-4o-mini  tos   completed  clean, one call
  B   D+3600    chunks    gpt-4o-mini  tos   completed  clean, two chunk calls
  C   D+7200    stream    gpt-4o-mini  tos   completed  timeout; auto resume that FAILED (connection before any
                                                        text); auto resume on the fallback gpt-4o that delivered
  D   D+86400   sections  gpt-4o       tos   completed  429 with automatic resume off; the person waits 60 s,
                                                        then resumes by hand
  E   D+90000   stream    gpt-4o-mini  tos   failed     4 faults, 3 auto resumes: past the budget
  G   D+90500   stream    local-llama  nda   completed  clean, an unpriced model
  I   D+172000  sections  gpt-4o-mini  tos   streaming  one call still running (no end, no text yet)
  F   D-100     stream    gpt-4o-mini  tos   failed     OUTSIDE the range (before D), its fault at D+50 is inside
  H   D+172800  stream    gpt-4o-mini  tos   completed  OUTSIDE the range (created exactly at its end), one fault

Prices used: gpt-4o-mini $1 in / $2 out, gpt-4o $10 / $20 per 1M tokens; local-llama unpriced.
"""

import json
import sqlite3

import pytest
from sqlalchemy import event, text

from contractgen.storage import FAULT_KINDS
from contractgen import cli, metrics
from contractgen.costs import PriceTable
from contractgen.metrics import Filters
from contractgen.storage import Store

D = 1_699_920_000.0  # 2023-11-14 00:00:00 UTC, a day boundary
DAY = 86400.0
PRICES = PriceTable({"gpt-4o-mini": (1.0, 2.0), "gpt-4o": (10.0, 20.0)})
RANGE = Filters(start=D, end=D + 2 * DAY)


def doc(store, id, created, *, mode="stream", model="gpt-4o-mini", doc_type="tos"):
    store.create_document(id=id, doc_type=doc_type, request={"company": "Acme"}, provider="openai", model=model,
                          mode=mode, now=created)


def call(store, id, kind, start, end=None, *, first=None, chars=0, prompt=None, completion=None,
         model="gpt-4o-mini", outcome="completed"):
    attempt = store.start_attempt(id, kind=kind, model=model, provider="openai", start_offset=0, now=start)
    if end is not None:
        store.end_attempt(attempt, outcome=outcome, output_chars=chars, first_token_at=first, prompt_tokens=prompt,
                          completion_tokens=completion, now=end)
    return attempt


def fault(store, id, attempt, kind, at):
    return store.record_fault(id, attempt_id=attempt, kind=kind, message=kind, retryable=True, offset=0, now=at)


def resume(store, id, fault_id, requested, *, auto=True, first=None, chars=0):
    r = store.record_resume(id, fault_id=fault_id, attempt_id=None, auto=auto, requested_at=requested, now=requested)
    if first is not None:
        store.resume_delivered(r, first_token_at=first, delivered_chars=chars)


def seed(store):
    # A: clean. ttft 1, 4000 chars in 10 s, tokens 1000/1000, duration 10.
    doc(store, "A", D + 100)
    call(store, "A", "initial", D + 100, D + 110, first=D + 101, chars=4000, prompt=1000, completion=1000)
    store.set_status("A", "completed", now=D + 110)

    # B: two chunks. ttft 0.5, 4000 chars in 5 + 5 s, tokens 1100/1000, duration 10.
    doc(store, "B", D + 3600, mode="chunks")
    call(store, "B", "chunk", D + 3600, D + 3605, first=D + 3600.5, chars=2000, prompt=500, completion=500)
    call(store, "B", "chunk", D + 3605, D + 3610, first=D + 3605.25, chars=2000, prompt=600, completion=500)
    store.set_status("B", "completed", now=D + 3610)

    # C: timeout at D+7210 (1000 chars, no usage); resume 1 fails (connection at D+7211, no text);
    # resume 2 on the fallback gpt-4o: first new token at D+7213 -> resume time 7213 - 7211 = 2.0.
    doc(store, "C", D + 7200)
    a1 = call(store, "C", "initial", D + 7200, D + 7210, first=D + 7201, chars=1000, outcome="fault")
    f1 = fault(store, "C", a1, "timeout", D + 7210)
    resume(store, "C", f1, D + 7210)  # never delivered: succeeded False, no resume time
    a2 = call(store, "C", "resume", D + 7210.5, D + 7211, chars=0, outcome="fault")
    f2 = fault(store, "C", a2, "connection", D + 7211)
    resume(store, "C", f2, D + 7211, first=D + 7213, chars=3000)
    call(store, "C", "fallback", D + 7212, D + 7220, first=D + 7213, chars=3000, prompt=2000, completion=800,
         model="gpt-4o")
    store.set_status("C", "completed", now=D + 7220)

    # D: 429 at D+86405 with auto resume off; the person clicks at D+86465 (a 60 s wait);
    # first new token D+86466 -> manual resume time 86466 - 86405 = 61.0.
    doc(store, "D", D + DAY, mode="sections", model="gpt-4o")
    a1 = call(store, "D", "section", D + DAY, D + 86405, first=D + 86401, chars=500, model="gpt-4o", outcome="fault")
    f1 = fault(store, "D", a1, "rate_limit", D + 86405)
    store.set_status("D", "interrupted", now=D + 86405)
    resume(store, "D", f1, D + 86465, auto=False, first=D + 86466, chars=1500)
    call(store, "D", "resume", D + 86465, D + 86470, first=D + 86466, chars=1500, prompt=700, completion=400,
         model="gpt-4o")
    store.set_status("D", "completed", now=D + 86470)

    # E: 4 faults, 3 auto resumes (times 1.0, 1.5, 2.25), then failed past the budget. No usage ever arrived.
    doc(store, "E", D + 90000)
    a = call(store, "E", "initial", D + 90000, D + 90002, first=D + 90000.5, chars=800, outcome="fault")
    f = fault(store, "E", a, "connection", D + 90002)
    resume(store, "E", f, D + 90002, first=D + 90003, chars=400)
    a = call(store, "E", "resume", D + 90002.5, D + 90004, first=D + 90003, chars=400, outcome="fault")
    f = fault(store, "E", a, "truncated", D + 90004)
    resume(store, "E", f, D + 90004, first=D + 90005.5, chars=200)
    a = call(store, "E", "resume", D + 90005, D + 90006, first=D + 90005.5, chars=200, outcome="fault")
    f = fault(store, "E", a, "server_error", D + 90006)
    resume(store, "E", f, D + 90006, first=D + 90008.25, chars=100)
    a = call(store, "E", "resume", D + 90008, D + 90009, first=D + 90008.25, chars=100, outcome="fault")
    fault(store, "E", a, "malformed", D + 90009)
    store.set_status("E", "failed", error="Too many timeouts", now=D + 90009)

    # G: clean on an unpriced model, another document type. ttft 2, 2000 chars in 10 s, tokens 300/600.
    doc(store, "G", D + 90500, model="local-llama", doc_type="nda")
    call(store, "G", "initial", D + 90500, D + 90510, first=D + 90502, chars=2000, prompt=300, completion=600,
         model="local-llama")
    store.set_status("G", "completed", now=D + 90510)

    # I: a call still running: counted as a call, no end (no throughput), no text (no ttft).
    doc(store, "I", D + 172000, mode="sections")
    call(store, "I", "section", D + 172000)
    store.set_status("I", "streaming", now=D + 172000)

    # F: created before the range; its fault (and its resume, never delivered) happen inside it.
    doc(store, "F", D - 100)
    a = call(store, "F", "initial", D - 100, D + 50, first=D - 99, chars=100, outcome="fault")
    f = fault(store, "F", a, "timeout", D + 50)
    resume(store, "F", f, D + 50)
    store.set_status("F", "failed", now=D + 60)

    # H: created exactly at the end of the range: outside ([start, end) is half-open).
    doc(store, "H", D + 2 * DAY)
    a = call(store, "H", "initial", D + 2 * DAY, D + 2 * DAY + 5, first=D + 2 * DAY + 1, chars=10, outcome="fault")
    fault(store, "H", a, "timeout", D + 2 * DAY + 5)
    store.set_status("H", "completed", now=D + 2 * DAY + 20)


@pytest.fixture
def seeded(store):
    seed(store)
    return store


def test_kpis_match_the_hand_computed_figures(seeded):
    k = metrics.kpis(seeded, RANGE, prices=PRICES)
    # Cohort: A B C D E G I (F is before D, H is at the end: both out) = 7.
    assert k["documents"] == 7
    assert k["documents_by_status"] == {"streaming": 1, "completed": 5, "failed": 1}  # I; A B C D G; E
    assert k["documents_with_faults"] == 3  # C, D, E
    assert k["fault_rate"] == 3 / 7 and k["timeout_rate"] == k["fault_rate_by_kind"]["timeout"]
    # Per kind, documents with at least one such fault: only C had a timeout; C and E a connection reset.
    assert {kind: n for kind, n in k["documents_by_fault_kind"].items() if n} == {
        "timeout": 1, "connection": 2, "rate_limit": 1, "server_error": 1, "truncated": 1, "malformed": 1}
    assert k["fault_rate_by_kind"]["timeout"] == 1 / 7 and k["fault_rate_by_kind"]["connection"] == 2 / 7
    assert k["fault_rate_by_kind"]["fatal"] == 0.0
    # C 2 + D 1 + E 4 = 7 faults; 100 * 7 / 7 = 100.
    assert k["faults"] == 7
    assert k["faults_per_100_documents"] == 100.0
    assert k["faults_by_kind"] == {"timeout": 1, "connection": 2, "rate_limit": 1, "server_error": 1, "truncated": 1,
                                   "malformed": 1}
    assert list(k["faults_by_kind"]) == ["timeout", "connection", "rate_limit", "server_error", "truncated", "malformed"]
    # Resumes: C 2 (one failed) + D 1 manual + E 3 = 6; delivered 5.
    assert k["resume_attempts"] == 6
    assert k["resume_successes"] == 5
    assert k["resume_success_rate"] == 5 / 6
    assert k["resumes_by_type"] == {"auto": {"attempts": 5, "succeeded": 4, "success_rate": 0.8},
                                    "manual": {"attempts": 1, "succeeded": 1, "success_rate": 1.0}}
    # Faulted C, D completed; E failed: 2 / 3.
    assert k["recovery_rate"] == 2 / 3
    # Auto resume times: C 2.0; E 1.0, 1.5, 2.25 -> sorted [1.0, 1.5, 2.0, 2.25]; mean 6.75 / 4 = 1.6875;
    # p50 at ceil(0.5 * 4) - 1 = 1 -> 1.5; p95 at ceil(0.95 * 4) - 1 = 3 -> 2.25. C's failed resume has no time.
    assert k["resume_time"]["auto"] == {"mean": 1.6875, "p50": 1.5, "p95": 2.25, "n": 4}
    # Manual: 86466 - 86405 = 61.0, the person's 60 s wait included.
    assert k["resume_time"]["manual"] == {"mean": 61.0, "p50": 61.0, "p95": 61.0, "n": 1}
    # TTFT per document: A 1.0, B 0.5, C 1.0, D 1.0, E 0.5, G 2.0 (I has no text) -> sorted
    # [0.5, 0.5, 1, 1, 1, 2]; mean 6 / 6 = 1.0; p50 index ceil(3) - 1 = 2 -> 1.0; p95 index ceil(5.7) - 1 = 5 -> 2.0.
    assert k["time_to_first_token"] == {"mean": 1.0, "p50": 1.0, "p95": 2.0, "n": 6}
    # Duration of completed documents: A 10, B 10, C 20, D 70, G 10 -> [10, 10, 10, 20, 70]; mean 120 / 5 = 24;
    # p50 index ceil(2.5) - 1 = 2 -> 10; p95 index ceil(4.75) - 1 = 4 -> 70.
    assert k["duration"] == {"mean": 24.0, "p50": 10.0, "p95": 70.0, "n": 5}
    # Ended attempts: A 4000/10 s; B 4000/10 s; C 1000+0+3000 / 10+0.5+8 s; D 500+1500 / 5+5 s;
    # E 800+400+200+100 / 2+1.5+1+1 s; G 2000/10 s; I not ended.
    # 17500 chars / 64 s = 273.4375.
    assert k["output_chars_per_second"] == 17500 / 64 == 273.4375
    # Calls: A 1, B 2, C 3, D 2, E 4, G 1, I 1 = 14; 14 / 7 = 2.
    assert k["calls"] == 14
    assert k["calls_per_document"] == 2.0
    # Tokens in (missing prompts take the nearest later attempt's figure, else 0):
    #   A 1000; B 500 + 600; C 2000 + 2000 + 2000 (both cut calls take the fallback's 2000);
    #   D 700 + 700; E 0 (no attempt reported any); G 300; I 0  -> 9800.
    assert k["tokens_in"] == 9800
    # Tokens out (missing completions: ceil(chars / 4)):
    #   A 1000; B 1000; C 250 + 0 + 800; D 125 + 400; E 200 + 100 + 50 + 25; G 600; I 0 -> 4550.
    assert k["tokens_out"] == 4550
    assert k["tokens_estimated"] is True
    # Cost per attempt model:
    #   gpt-4o-mini: in 1000 + 1100 + 2000 + 2000 = 6100, out 1000 + 1000 + 250 + 375 = 2625
    #                -> (6100 * 1 + 2625 * 2) / 1e6 = 0.01135
    #   gpt-4o:      in 2000 (C's fallback) + 1400 (D) = 3400, out 800 + 525 = 1325
    #                -> (3400 * 10 + 1325 * 20) / 1e6 = 0.0605
    #   local-llama: unpriced, $0 and listed.
    assert k["estimated_cost"] == 0.07185
    assert k["cost_per_document"] == round(0.07185 / 7, 6) == 0.010264
    assert k["unpriced_models"] == ["local-llama"]


def test_kpis_follow_mode_and_model_filters(seeded):
    # stream + gpt-4o-mini inside the range: A, C, E.
    k = metrics.kpis(seeded, Filters(start=D, end=D + 2 * DAY, modes=("stream",), models=("gpt-4o-mini",)), prices=PRICES)
    assert (k["documents"], k["documents_with_faults"], k["faults"], k["resume_attempts"]) == (3, 2, 6, 5)
    assert k["recovery_rate"] == 0.5  # C completed, E failed
    assert k["resume_time"]["manual"]["n"] == 0
    # Without a range, F (failed, one fault, one undelivered resume) and H (completed, one fault) join in.
    k = metrics.kpis(seeded, Filters(modes=("stream",), models=("gpt-4o-mini",)), prices=PRICES)
    assert (k["documents"], k["documents_with_faults"], k["faults"], k["resume_attempts"]) == (5, 4, 8, 6)
    assert k["recovery_rate"] == 2 / 4  # C and H completed; E and F failed
    k = metrics.kpis(seeded, Filters(doc_types=("nda",), providers=("openai",)), prices=PRICES)
    assert (k["documents"], k["calls"], k["estimated_cost"], k["unpriced_models"]) == (1, 1, 0.0, ["local-llama"])


def test_by_dimension(seeded):
    rows = metrics.by_dimension(seeded, RANGE, "mode", prices=PRICES)
    assert [r["value"] for r in rows] == ["stream", "sections", "chunks"]  # most documents first
    stream, sections, chunks = rows
    # stream: A C E G; faulted C, E; faults 2 + 4; resumes 2 + 3, delivered 1 + 3; calls 1 + 3 + 4 + 1.
    assert {k: stream[k] for k in ("documents", "documents_with_faults", "faults", "fault_rate", "resume_attempts",
                                   "resume_success_rate", "calls", "tokens_in", "tokens_out")} == {
        "documents": 4, "documents_with_faults": 2, "faults": 6, "fault_rate": 0.5, "resume_attempts": 5,
        "resume_success_rate": 0.8, "calls": 9,
        "tokens_in": 1000 + 6000 + 0 + 300, "tokens_out": 1000 + 1050 + 375 + 600}
    # A (1000 + 2000) / 1e6 + C mini (4000 + 500) / 1e6 + C gpt-4o (20000 + 16000) / 1e6 + E (0 + 750) / 1e6
    assert stream["estimated_cost"] == 0.04425
    assert stream["cost_per_document"] == pytest.approx(0.04425 / 4, abs=1e-6)
    assert stream["unpriced_models"] == ["local-llama"]
    # sections: D and I; D faulted once, resumed by hand.
    assert (sections["documents"], sections["documents_with_faults"], sections["fault_rate"], sections["calls"],
            sections["resume_success_rate"], sections["estimated_cost"], sections["cost_per_document"]) == (
        2, 1, 0.5, 3, 1.0, 0.0245, 0.01225)
    # chunks: B, clean: (1100 * 1 + 1000 * 2) / 1e6.
    assert (chunks["documents"], chunks["fault_rate"], chunks["resume_attempts"], chunks["resume_success_rate"],
            chunks["calls"], chunks["estimated_cost"], chunks["unpriced_models"]) == (1, 0.0, 0, None, 2, 0.0031, [])

    models = metrics.by_dimension(seeded, RANGE, "model", prices=PRICES)
    assert [(r["value"], r["documents"]) for r in models] == [("gpt-4o-mini", 5), ("gpt-4o", 1), ("local-llama", 1)]
    # A document is grouped by its primary model; C's fallback call is priced at gpt-4o: 0.01135 + 0.036.
    assert models[0]["estimated_cost"] == 0.04735
    assert [(r["value"], r["documents"]) for r in metrics.by_dimension(seeded, RANGE, "doc_type")] == [("tos", 6), ("nda", 1)]
    assert [(r["value"], r["documents"]) for r in metrics.by_dimension(seeded, RANGE, "provider")] == [("openai", 7)]
    with pytest.raises(ValueError):
        metrics.by_dimension(seeded, RANGE, "status")
    # Speeds and rates per group, for the page's split by engine.
    assert stream["fault_rate"] == 0.5 and stream["timeout_rate"] == 0.25  # C's timeout among A C E G
    assert stream["calls_per_document"] == 9 / 4


def test_by_engine_never_pools_the_template_engine_with_models(store):
    for i, (provider, model) in enumerate([("offline", "contractgen-offline"), ("offline", "contractgen-offline"),
                                           ("openai", "gpt-4o-mini")]):
        store.create_document(id=f"e{i}", doc_type="tos", request={"company": "A"}, provider=provider, model=model,
                              mode="stream", now=D + i)
        a = store.start_attempt(f"e{i}", kind="initial", model=model, provider=provider, start_offset=0, now=D + i)
        # The template engine writes 1000 characters in a millisecond, a model in four seconds.
        store.end_attempt(a, outcome="completed", output_chars=1000, first_token_at=D + i,
                          now=D + i + (0.001 if provider == "offline" else 4.0))
    rows = metrics.by_engine(store, RANGE, prices=PRICES)
    assert [(r["engine"], r["documents"]) for r in rows] == [(metrics.TEMPLATE_ENGINE, 2), ("gpt-4o-mini (model)", 1)]
    template, model = rows
    assert template["output_chars_per_second"] == pytest.approx(1_000_000, rel=0.01)
    assert model["output_chars_per_second"] == pytest.approx(250, rel=0.01)
    assert {r["engine"] for r in metrics.ttft_and_throughput(store, RANGE)} == {metrics.TEMPLATE_ENGINE,
                                                                                 "gpt-4o-mini (model)"}
    assert metrics.engine_label("offline", "x") == metrics.TEMPLATE_ENGINE


def test_series_by_day_places_events_by_their_own_time(seeded):
    days = metrics.series(seeded, RANGE, "day")
    zero_kinds = {f"faults_{k}": 0 for k in ("timeout", "connection", "rate_limit", "server_error", "truncated", "malformed")}
    # Day 0: documents A B C; faults F's timeout (D+50: F was created before D, its fault is inside the range),
    # C's timeout and connection; resumes F (undelivered), C x2 (one delivered).
    assert days[0] == {"bucket": D, "start": "2023-11-14T00:00:00Z", "documents": 3, "faults": 3,
                       **zero_kinds, "faults_timeout": 2, "faults_connection": 1,
                       "resume_attempts": 3, "resume_successes": 1, "resume_success_rate": 1 / 3}
    # Day 1: documents D E G I; faults D's rate_limit and E's four; resumes D (manual, at the click D+86465), E x3.
    assert days[1] == {"bucket": D + DAY, "start": "2023-11-15T00:00:00Z", "documents": 4, "faults": 5,
                       **zero_kinds, "faults_connection": 1, "faults_rate_limit": 1, "faults_server_error": 1,
                       "faults_truncated": 1, "faults_malformed": 1,
                       "resume_attempts": 4, "resume_successes": 4, "resume_success_rate": 1.0}
    assert len(days) == 2  # H (created at the end) and its fault are outside


def test_series_by_hour_is_zero_filled_between_events(seeded):
    # Stream documents in the range: A (hour 0), C (hour 2), E and G (hour 25); faults F (hour 0), C (hour 2), E (hour 25).
    hours = metrics.series(seeded, Filters(start=D, end=D + 2 * DAY, modes=("stream",)), "hour")
    assert len(hours) == 26 and [h["bucket"] for h in hours] == [D + 3600 * i for i in range(26)]
    assert [(h["documents"], h["faults"]) for h in hours if h["documents"] or h["faults"]] == [(1, 1), (1, 2), (2, 4)]
    assert hours[1] == {"bucket": D + 3600, "start": "2023-11-14T01:00:00Z", "documents": 0, "faults": 0,
                        "faults_timeout": 0, "faults_connection": 0, "faults_server_error": 0, "faults_truncated": 0,
                        "faults_malformed": 0, "resume_attempts": 0, "resume_successes": 0,
                        "resume_success_rate": None}
    # Only B is in chunks mode: one hour, and no fault key since no fault kind occurs.
    assert metrics.series(seeded, Filters(modes=("chunks",)), "hour") == [
        {"bucket": D + 3600, "start": "2023-11-14T01:00:00Z", "documents": 1, "faults": 0, "resume_attempts": 0,
         "resume_successes": 0, "resume_success_rate": None}]
    with pytest.raises(ValueError):
        metrics.series(seeded, RANGE, "week")


def test_percentiles_are_nearest_rank():
    assert [metrics.percentile_index(50, n) for n in (1, 2, 3, 4, 5, 20, 100)] == [0, 0, 1, 1, 2, 9, 49]
    assert [metrics.percentile_index(95, n) for n in (1, 2, 4, 19, 20, 21, 100)] == [0, 1, 3, 18, 18, 19, 94]


def test_percentiles_over_twenty_resumes(store):
    # Resume times 1, 2, ..., 20 s: mean 10.5; p50 index ceil(10) - 1 = 9 -> 10; p95 index ceil(19) - 1 = 18 -> 19.
    doc(store, "P", D)
    for i in range(20, 0, -1):  # stored out of order: the ORDER BY sorts
        f = fault(store, "P", None, "timeout", D + 100 * i)
        resume(store, "P", f, D + 100 * i, first=D + 100 * i + i, chars=10)
    assert metrics.kpis(store, Filters(), prices=PRICES)["resume_time"]["auto"] == {"mean": 10.5, "p50": 10.0,
                                                                                 "p95": 19.0, "n": 20}



def test_percentiles_are_nearest_rank_for_every_cohort_size(store):
    """Both engines' percentile queries (SQLite walks the index, PostgreSQL uses percentile_disc) pick the value at
    percentile_index, for cohorts of sizes around the rank boundaries; each cohort is a day of its own."""
    import random

    rng = random.Random(5)
    sizes = (1, 2, 3, 19, 20, 21, 39, 41)
    for day, n in enumerate(sizes):
        values = [0.25 * i for i in range(1, n + 1)]
        rng.shuffle(values)  # stored out of order
        for i, ttft in enumerate(values):
            id, start = f"n{n}-{i}", D + day * DAY + 10 * i
            doc(store, id, start)
            call(store, id, "initial", start, start + 5, first=start + ttft, chars=40, prompt=10, completion=10)
    for day, n in enumerate(sizes):
        ranked = [0.25 * i for i in range(1, n + 1)]
        got = metrics.kpis(store, Filters(start=D + day * DAY, end=D + (day + 1) * DAY), prices=PRICES)
        assert got["time_to_first_token"] == pytest.approx(
            {"mean": sum(ranked) / n, "p50": ranked[metrics.percentile_index(50, n)],
             "p95": ranked[metrics.percentile_index(95, n)], "n": n}), n

def test_capped_lists(seeded):
    times = metrics.resume_times(seeded, RANGE)
    # Newest first by requested_at: E's three (D+90006, 90004, 90002), D's manual (clicked D+86465), C's delivered one.
    assert [(t["auto"], t["seconds"]) for t in times] == [(True, 2.25), (True, 1.5), (True, 1.0), (False, 61.0),
                                                          (True, 2.0)]
    assert times[3]["detected_at"] == D + 86405
    assert len(metrics.resume_times(seeded, RANGE, limit=2)) == 2

    rows = metrics.ttft_and_throughput(seeded, RANGE, limit=3)  # newest three: I, G, E
    assert [(r["id"], r["ttft"], r["output_chars"]) for r in rows] == [("I", None, 0), ("G", 2.0, 2000), ("E", 0.5, 1500)]
    assert rows[0]["chars_per_second"] is None and rows[1]["chars_per_second"] == 200.0
    assert rows[2]["chars_per_second"] == 1500 / 5.5
    assert (rows[1]["mode"], rows[1]["model"], rows[1]["created_at"]) == ("stream", "local-llama", D + 90500)

    latest = metrics.latest_faulted(seeded, RANGE)
    assert latest == [
        {"id": "E", "created_at": D + 90000, "status": "failed", "mode": "stream", "model": "gpt-4o-mini", "faults": 4, "resumes": 3},
        {"id": "D", "created_at": D + DAY, "status": "completed", "mode": "sections", "model": "gpt-4o", "faults": 1, "resumes": 1},
        {"id": "C", "created_at": D + 7200, "status": "completed", "mode": "stream", "model": "gpt-4o-mini", "faults": 2, "resumes": 2},
    ]
    assert [r["id"] for r in metrics.latest_faulted(seeded, Filters(), limit=2)] == ["H", "E"]


def test_compare_with_the_previous_period(seeded):
    assert metrics.compare(seeded, Filters()) == {}
    assert metrics.compare(seeded, Filters(start=D)) == {}
    result = metrics.compare(seeded, Filters(start=D + DAY, end=D + 2 * DAY), prices=PRICES)
    assert (result["previous_start"], result["previous_end"]) == (D, D + DAY)
    now, before, change = result["current"], result["previous"], result["change"]
    assert now == metrics.kpis(seeded, Filters(start=D + DAY, end=D + 2 * DAY), prices=PRICES)
    assert before == metrics.kpis(seeded, Filters(start=D, end=D + DAY), prices=PRICES)
    # Day 1: D E G I (faulted D, E); day 0: A B C (faulted C).
    assert (now["documents"], before["documents"], change["documents"]) == (4, 3, 1)
    assert change["fault_rate"] == pytest.approx(2 / 4 - 1 / 3)
    assert change["faults"] == 5 - 2
    # A kind missing on one side counts 0 there.
    assert change["faults_by_kind"] == {"connection": 0, "rate_limit": 1, "server_error": 1, "truncated": 1,
                                        "malformed": 1, "timeout": -1}
    # Auto resume times: day 1 E's 1.0, 1.5, 2.25 (n 3); day 0 C's 2.0 (n 1). Manual: day 1 only -> None.
    assert change["resume_time"]["auto"]["n"] == 2
    assert change["resume_time"]["auto"]["mean"] == pytest.approx(4.75 / 3 - 2.0)
    assert change["resume_time"]["manual"] == {"mean": None, "p50": None, "p95": None, "n": 1}
    assert "unpriced_models" not in change and "tokens_estimated" not in change


def test_filter_options(seeded, store):
    assert metrics.filter_options(seeded) == {
        "modes": ["chunks", "sections", "stream"], "models": ["gpt-4o", "gpt-4o-mini", "local-llama"],
        "providers": ["openai"], "doc_types": ["nda", "tos"], "min_created_at": D - 100, "max_created_at": D + 2 * DAY}


def test_empty_database_gives_zeros_and_none(store):
    none = {"mean": None, "p50": None, "p95": None, "n": 0}
    k = metrics.kpis(store, RANGE, prices=PRICES)
    assert k == {
        "documents": 0, "documents_by_status": {}, "documents_with_faults": 0, "timeout_rate": None, "faults": 0,
        "fault_rate": None, "documents_by_fault_kind": {kind: 0 for kind in FAULT_KINDS},
        "fault_rate_by_kind": {kind: None for kind in FAULT_KINDS},
        "faults_per_100_documents": None, "faults_by_kind": {}, "resume_attempts": 0, "resume_successes": 0,
        "resume_success_rate": None,
        "resumes_by_type": {"auto": {"attempts": 0, "succeeded": 0, "success_rate": None},
                            "manual": {"attempts": 0, "succeeded": 0, "success_rate": None}},
        "recovery_rate": None, "resume_time": {"auto": none, "manual": none}, "time_to_first_token": none,
        "duration": none, "output_chars_per_second": None, "calls": 0, "calls_per_document": None, "tokens_in": 0,
        "tokens_out": 0, "tokens_estimated": False, "estimated_cost": 0.0, "cost_per_document": None,
        "unpriced_models": []}
    assert metrics.kpis(store, Filters()) == k  # the packaged price table: same zeros
    for dimension in metrics.DIMENSIONS:
        assert metrics.by_dimension(store, RANGE, dimension) == []
    assert metrics.series(store, RANGE, "day") == metrics.series(store, Filters(), "hour") == []
    assert metrics.resume_times(store, RANGE) == metrics.ttft_and_throughput(store, RANGE) == []
    assert metrics.latest_faulted(store, RANGE) == []
    compared = metrics.compare(store, RANGE)
    assert compared["current"] == compared["previous"] == k
    assert compared["change"]["documents"] == 0 and compared["change"]["timeout_rate"] is None
    assert metrics.filter_options(store) == {"modes": [], "models": [], "providers": [], "doc_types": [],
                                             "min_created_at": None, "max_created_at": None}


def test_queries_use_indexes_not_table_scans(seeded, db_path):
    """With a date range, no query reads a whole table: documents and their rollups (document_stats,
    document_model_usage) come through created_at, resumes by document_id (or, for series, events by their own
    time index; resume_times walks resume_stats by requested_at up to its limit). Checked with EXPLAIN QUERY PLAN
    on every statement actually run."""
    statements = []
    event.listen(seeded._engine, "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, context, many: statements.append((statement, parameters)))
    metrics.kpis(seeded, RANGE, prices=PRICES)
    for dimension in metrics.DIMENSIONS:
        metrics.by_dimension(seeded, RANGE, dimension, prices=PRICES)
    metrics.series(seeded, RANGE, "day")
    metrics.resume_times(seeded, RANGE)
    metrics.ttft_and_throughput(seeded, RANGE)
    metrics.latest_faulted(seeded, RANGE)
    queries = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(queries) >= 15
    used = set()
    with sqlite3.connect(db_path) as conn:
        for statement, parameters in queries:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            for step in plan:
                table = step.split()[1] if step.startswith(("SCAN", "SEARCH")) else None
                if table in ("documents", "attempts", "faults", "resumes", "checkpoints", "document_stats",
                             "document_model_usage"):
                    assert step.startswith("SEARCH") and "INDEX" in step, (step, statement)
                elif table == "resume_stats":  # resume_times walks requested_at newest first, up to its limit
                    assert "INDEX" in step and (step.startswith("SEARCH") or "LIMIT" in statement.upper()), (step,
                                                                                                          statement)
                if table and " INDEX " in step:
                    used.add(step.split(" INDEX ")[1].split()[0])
    # The rollups are read by created_at, percentiles walk their covering indexes in order, series reads the
    # events by their own time.
    assert {"ix_documents_created_at", "ix_document_stats_created_at", "ix_document_model_usage_created_at",
            "ix_resume_stats_created_at", "ix_document_stats_ttft", "ix_document_stats_duration",
            "ix_resume_stats_auto_seconds", "ix_resume_stats_requested_at", "ix_faults_detected_at",
            "ix_resumes_requested_at"} <= used


def test_cli_metrics_json_equals_kpis(seeded, database_url, capsys, monkeypatch):
    monkeypatch.delenv("CONTRACTGEN_PRICES", raising=False)
    url = database_url
    assert cli.main(["metrics", "--json", "--db", url, "--since", "2023-11-14", "--until", "2023-11-15"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # --until is inclusive: [2023-11-14 00:00, 2023-11-16 00:00) UTC = RANGE.
    assert printed == json.loads(json.dumps(metrics.kpis(seeded, RANGE)))
    assert printed["documents"] == 7
    assert cli.main(["metrics", "--json", "--db", url, "--mode", "stream", "--mode", "chunks", "--model", "gpt-4o-mini"]) == 0
    # stream or chunks on gpt-4o-mini, any date: A B C E F H.
    assert json.loads(capsys.readouterr().out)["documents"] == 6


def test_cli_metrics_table_and_bad_dates(seeded, database_url, capsys):
    url = database_url
    assert cli.main(["metrics", "--db", url, "--since", "2023-11-14", "--until", "2023-11-15"]) == 0
    out = capsys.readouterr().out
    assert "Documents                 7" in out
    assert "Fault rate                42.9%  (3 of 7 documents had a fault of any kind)" in out
    assert "Timeout rate              14.3%  (1 of 7 documents had a timeout)" in out
    assert "connection reset 2" in out  # kinds in plain words
    assert "gpt-4o-mini (model)" in out and "engine" in out  # one line per engine
    assert "Resume time, manual       mean 61.00 s · p50 61.00 s · p95 61.00 s (n=1)" in out
    assert "unpriced, counted $0: local-llama" in out
    assert cli.main(["metrics", "--db", url, "--since", "14/11/2023"]) == 2
    assert capsys.readouterr().err.strip() == "error: --since takes a date written YYYY-MM-DD (UTC), not \u201c14/11/2023\u201d."
    assert cli.main(["metrics", "--db", url, "--since", "2023-11-15", "--until", "2023-11-14"]) == 2
    assert "error: --since (2023-11-15) must not be after --until (2023-11-14)." in capsys.readouterr().err
    assert cli.main(["metrics", "--db", url, "--since", "2023-11-14", "--until", "2023-11-14"]) == 0  # one day


# --- the per-document rollups (document_stats, document_model_usage; migration m005) -------------------

def _rollups(store):
    with store._engine.connect() as conn:
        return tuple([tuple(row) for row in conn.execute(text(query))]
                     for query in ("SELECT * FROM document_stats ORDER BY document_id",
                                   "SELECT * FROM document_model_usage ORDER BY document_id, model",
                                   "SELECT * FROM resume_stats ORDER BY resume_id"))


def test_rollups_kept_by_each_write_equal_a_rebuild_from_the_events(seeded):
    kept = _rollups(seeded)
    assert len(kept[0]) == 9  # one row per document
    assert len(kept[2]) == 5  # one per resume with a first new token (C 1, D 1, E 3)
    seeded.backfill_stats()
    assert _rollups(seeded) == kept
    for id in "ABCDEGIFH":
        seeded.refresh_stats(id)
    assert _rollups(seeded) == kept


def test_migration_backfills_the_rollups_of_existing_history(seeded, database_url):
    kpis = metrics.kpis(seeded, RANGE, prices=PRICES)
    kept = _rollups(seeded)
    with seeded._writer.begin() as conn:  # as a database written before m005 looks
        for statement in ("DROP TABLE resume_stats", "DROP TABLE document_model_usage", "DROP TABLE document_stats",
                          "DELETE FROM migrations WHERE name = 'm005_document_stats'"):
            conn.execute(text(statement))
    seeded.close()
    reopened = Store(database_url)
    try:
        assert _rollups(reopened) == kept
        assert metrics.kpis(reopened, RANGE, prices=PRICES) == kpis
    finally:
        reopened.close()


def test_rollups_follow_status_changes_deletion_and_prices(seeded):
    # mark_interrupted: I (streaming, no live owner) becomes interrupted.
    assert seeded.mark_interrupted(now=D + 172100) == ["I"]
    assert metrics.kpis(seeded, RANGE, prices=PRICES)["documents_by_status"] == {"interrupted": 1, "completed": 5,
                                                                                 "failed": 1}
    # cleanup: E, F (failed) and I (interrupted) expire a day after their last activity; F is outside the range.
    assert seeded.cleanup(now=D + 172100 + DAY + 1) == (3, 0)
    assert metrics.kpis(seeded, RANGE, prices=PRICES)["documents_by_status"] == {"completed": 5, "expired": 2}
    # Deleting a document takes its rollup rows with it: G (the unpriced local-llama) leaves.
    assert seeded.delete("G")
    k = metrics.kpis(seeded, RANGE, prices=PRICES)
    assert (k["documents"], k["calls"], k["unpriced_models"]) == (6, 13, [])
    # Cost is priced at query time: another price table applies at once.
    doubled = PriceTable({"gpt-4o-mini": (2.0, 4.0), "gpt-4o": (20.0, 40.0)})
    assert metrics.kpis(seeded, RANGE, prices=doubled)["estimated_cost"] == round(2 * k["estimated_cost"], 6)

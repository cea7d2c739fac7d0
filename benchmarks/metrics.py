"""Monitoring on a year of history: every query the page runs, and the page render.

A fresh SQLite file gets the real schema (`Store(url)`: every migration and
index), then a year of invented but plausible history, bulk-inserted with
SQLAlchemy Core `insert()` executemany in batches inside transactions:
100,000 documents and 1,000,000 events, where an event is a row of `attempts`,
`faults` or `resumes` (the three tables the metrics read). Checkpoints and
sections are not loaded: no metric reads them (they would only make the file
bigger). The rows go around the Store's write methods, so the per-document
rollups the metrics read (`document_stats`, `document_model_usage`,
`resume_stats`, migration m005) are then filled by the migration's backfill statement (`Store.backfill_stats`),
timed apart. Then:

1. each `contractgen.metrics` function the monitoring page calls (filter_options,
   kpis, compare, series("day"), ttft_and_throughput, resume_times,
   by_dimension("mode"), latest_faulted) is timed with the filters the page
   builds: the whole year (the page's default: dates first..last day), the last
   30 days, and the whole year with one mode and one model. One warm-up, then
   the median of 5 runs. Target: each under 300 ms.
2. the page itself renders in AppTest (app.py, switch_page to
   pages/monitoring.py) in a subprocess pointed at the file by
   CONTRACTGEN_DATABASE_URL: one warm-up, then the median of 3. Target: under 2 s.

Both are measured as the product finds the database (it never runs ANALYZE),
then again after `ANALYZE`. With --explain, every SQL statement of a query that
misses its target is timed and its EXPLAIN QUERY PLAN printed.

The data: created_at spread over the 365 days before the load, a little more
recent than old (the volume grows from 0.6x to 1.4x); document types tos 40%,
privacy 25%, nda 15%, saas 20% (11-19 sections); modes stream 25%, chunks 25%,
sections 50% (1, ceil(N/4) and N calls); primary models gpt-4o-mini 45%,
gpt-4.1-mini 20%, gpt-4o 12%, gpt-4.1 8%, o4-mini 5% (openai) and
contractgen-offline 10% (offline, estimated tokens). 30% of documents have
faults: of those 66% one or two automatically resumed faults, 20% a manual
resume after a person's wait (15% of them never resumed: interrupted, then
expired), 8% four faults in one call (past the budget of 3: failed), 3% a fatal
fault (failed), 3% something else automatically resumed with a fallback model.
Failed or interrupted documents older than 24 hours are `expired`, as the
product's cleanup leaves them; 1.2% of clean documents were cancelled. Completed
calls carry the provider's token usage (estimated for the offline model); a call
cut by a fault carries estimated usage, as the engine records it; a cancelled
call none.

    .venv/bin/python benchmarks/metrics.py                    # full run, writes docs/benchmarks.md (~5 minutes)
    .venv/bin/python benchmarks/metrics.py --db /tmp/year.db  # keep the file (reused, not reloaded, if it exists)
    .venv/bin/python benchmarks/metrics.py --documents 10000 --events 100000 --no-render   # a sample; prints only

On PostgreSQL (`--postgres [URL]`, else CONTRACTGEN_TEST_DATABASE_URL): the same history (same generator, seed
and loader) in a blank schema of its own (CREATE SCHEMA, `search_path`; dropped at the end unless --schema
names it), then `VACUUM (ANALYZE)`, then the same queries with the same filters, median and max of each, written
as the section "Metrics on PostgreSQL" (~3 minutes). A query that reaches 300 ms gets EXPLAIN (ANALYZE, BUFFERS)
of each of its statements. The SQLite-only parts (EXPLAIN QUERY PLAN breakdown, candidate indexes on a copy of
the file, the before/after ANALYZE columns, the page render) are not run there.

    CONTRACTGEN_TEST_DATABASE_URL="$(.ci/postgres)" .venv/bin/python benchmarks/metrics.py --postgres
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlalchemy import event, insert, select  # noqa: E402

from contractgen import metrics  # noqa: E402
from contractgen.config import Settings  # noqa: E402
from contractgen.modes import attempt_kind  # noqa: E402
from contractgen.simulate import _answers  # noqa: E402
from contractgen.storage import Attempt, Document, Fault, Resume, Store  # noqa: E402
from report import write_section  # noqa: E402

DAY = 86400.0
QUERY_TARGET_MS = 300.0
RENDER_TARGET_S = 2.0
DOC_TYPES = {"tos": (0.40, 16), "privacy": (0.25, 11), "nda": (0.15, 13), "saas": (0.20, 17)}  # share, typical sections
MODE_SHARES = {"stream": 0.25, "chunks": 0.25, "sections": 0.50}
# model: share, provider, median seconds to the first token, characters per second while streaming
MODELS = {"gpt-4o-mini": (0.45, "openai", 0.6, 260.0), "gpt-4.1-mini": (0.20, "openai", 0.7, 240.0),
          "gpt-4o": (0.12, "openai", 1.0, 170.0), "gpt-4.1": (0.08, "openai", 1.1, 160.0),
          "o4-mini": (0.05, "openai", 3.0, 200.0), "contractgen-offline": (0.10, "offline", 0.02, 200.0)}
FALLBACK = {"gpt-4o": "gpt-4o-mini", "gpt-4.1": "gpt-4.1-mini", "o4-mini": "gpt-4o-mini",
            "gpt-4o-mini": "gpt-4.1-mini", "gpt-4.1-mini": "gpt-4o-mini"}
FAULT_RATE = 0.30
CATEGORIES = {"auto": 0.66, "manual": 0.20, "budget": 0.08, "fatal": 0.03, "fallback": 0.03}
FAULT_KINDS = {"timeout": 0.40, "connection": 0.22, "rate_limit": 0.12, "server_error": 0.10, "truncated": 0.06,
               "malformed": 0.06, "length": 0.04}
PRE_TOKEN = ("rate_limit", "server_error", "fatal")  # the call fails before any text
MID_STREAM = ("timeout", "connection", "truncated", "malformed")
MESSAGES = {"timeout": "No data for {:.0f} s (read timeout).", "connection": "Connection reset by peer.",
            "rate_limit": "429 Too Many Requests; Retry-After: 1.", "server_error": "503 Service Unavailable.",
            "truncated": "The stream ended without a finish reason.", "malformed": "Malformed chunk: invalid JSON.",
            "length": "The model stopped at its output limit (finish_reason=length).",
            "fatal": "401 Unauthorized: invalid API key."}
SECTION_RANGE = 2  # a document type's section count varies by +-2 with the options


def _pick(rng: random.Random, shares: dict) -> str:
    return rng.choices(list(shares), weights=[v[0] if isinstance(v, tuple) else v for v in shares.values()])[0]


def calls_of(mode: str, n: int) -> int:
    return 1 if mode == "stream" else math.ceil(n / 4) if mode == "chunks" else n


# --- the plan: what happens to each document (fixes the row counts) ----------------------------------

@dataclass
class Incident:
    call: int
    kind: str
    resume: str | None  # "auto" | "manual" | None: the document stops here
    attempt_kind: str = "resume"  # kind of the attempt the resume starts: resume | fallback | continue_length


@dataclass
class Plan:
    id: str
    created: float
    doc_type: str
    mode: str
    model: str
    n: int  # sections
    category: str  # clean | cancelled | auto | manual | abandoned | budget | fatal | fallback
    incidents: list[Incident] = field(default_factory=list)
    calls_run: int = 0
    parent: str | None = None

    @property
    def events(self) -> int:
        resumes = sum(1 for i in self.incidents if i.resume)
        return self.calls_run + resumes + len(self.incidents) + resumes  # attempts, faults, resumes


def make_plans(documents: int, events: int, days: float, now: float, rng: random.Random) -> list[Plan]:
    plans = []
    for _ in range(documents):
        u = rng.random()
        x = (-0.6 + math.sqrt(0.36 + 1.6 * u)) / 0.8  # density 0.6 + 0.8x on [0, 1): more recent, more documents
        created = now - days * DAY * (1 - x)
        doc_type = _pick(rng, DOC_TYPES)
        mode = _pick(rng, MODE_SHARES)
        model = _pick(rng, MODELS)
        n = DOC_TYPES[doc_type][1] + rng.randint(-SECTION_RANGE, SECTION_RANGE)
        p = Plan(uuid.UUID(int=rng.getrandbits(128)).hex[:12], created, doc_type, mode, model, n, "clean")
        calls = calls_of(mode, n)
        p.calls_run = calls
        if rng.random() < FAULT_RATE:
            p.category = _pick(rng, CATEGORIES)
            _incidents(p, calls, rng)
        elif rng.random() < 0.012:
            p.category = "cancelled"
            p.calls_run = rng.randrange(calls) + 1
        plans.append(p)
    plans.sort(key=lambda p: p.created)
    for i, p in enumerate(plans):
        if i > 100 and rng.random() < 0.03:  # a new version of a recent document
            p.parent = plans[i - rng.randint(1, 100)].id
    # Exactly `events` rows: a clean sections-mode document's section count moves by one within its type's range.
    total = sum(p.events for p in plans)
    movable = [p for p in plans if p.category == "clean" and p.mode == "sections"]
    step = 1 if total < events else -1
    while total != events and movable:
        p = movable[rng.randrange(len(movable))]
        base = DOC_TYPES[p.doc_type][1]
        if abs(p.n + step - base) <= SECTION_RANGE:
            p.n += step
            p.calls_run += step
            total += step
        else:
            movable.remove(p)
    if total != events:
        raise SystemExit(f"Cannot reach {events:,} events with {documents:,} documents (planned {total:,}).")
    return plans


def _kind(rng: random.Random, allowed: tuple[str, ...] | None = None) -> str:
    shares = {k: v for k, v in FAULT_KINDS.items() if allowed is None or k in allowed}
    return _pick(rng, shares)


def _incidents(p: Plan, calls: int, rng: random.Random) -> None:
    c = rng.randrange(calls)
    if p.category == "auto":
        where = sorted(rng.randrange(calls) for _ in range(1 if rng.random() < 0.6 else 2))
        for i, call in enumerate(where):
            # A fault right after a resume in the same call that struck before any text makes that resume fail.
            kind = _kind(rng)
            p.incidents.append(Incident(call, kind, "auto", "continue_length" if kind == "length" else "resume"))
    elif p.category == "fallback":
        p.incidents.append(Incident(c, rng.choice(("rate_limit", "server_error")), "auto",
                                    "fallback" if p.model in FALLBACK else "resume"))
    elif p.category == "manual":
        if rng.random() < 0.15:
            p.category = "abandoned"
            p.incidents.append(Incident(c, _kind(rng, MID_STREAM), None))
            p.calls_run = c + 1
            return
        p.incidents.append(Incident(c, _kind(rng, MID_STREAM), "manual"))
        if rng.random() < 0.3:
            p.incidents.append(Incident(rng.randrange(c, calls), _kind(rng, MID_STREAM), "auto"))
    elif p.category == "budget":  # 4 faults 15 characters apart in one call: the 4th is past the budget of 3
        p.incidents += [Incident(c, _kind(rng, MID_STREAM), "auto") for _ in range(3)]
        p.incidents.append(Incident(c, _kind(rng, MID_STREAM), None))
        p.calls_run = c + 1
    elif p.category == "fatal":
        p.incidents.append(Incident(c, "fatal", None))
        p.calls_run = c + 1


# --- rows ----------------------------------------------------------------------------------------

class Rows:
    """Turns plans into rows of documents, attempts, faults and resumes with consistent times and ids."""

    def __init__(self, now: float, rng: random.Random):
        self.now, self.rng = now, rng
        self.attempt_id = self.fault_id = self.resume_id = 0
        self.settings: dict[tuple, str] = {}

    def _settings(self, p: Plan) -> str:
        key = (p.mode, p.model, p.category in ("manual", "abandoned"))
        if key not in self.settings:
            provider = MODELS[p.model][1]
            s = Settings(provider=provider, model=p.model, mode=p.mode, auto_resume=not key[2],
                         fallback_models=(FALLBACK[p.model],) if p.model in FALLBACK else ())
            self.settings[key] = json.dumps({**s.public(), "label": f"{p.model} ({p.mode})"})
        return self.settings[key]

    def _ttft(self, model: str) -> float:
        return MODELS[model][2] * self.rng.lognormvariate(0, 0.45)

    def document(self, p: Plan, out: dict[str, list]) -> None:
        rng = self.rng
        provider = MODELS[p.model][1]
        calls = calls_of(p.mode, p.n)
        per_call = [rng.randint(1500, 1900) * p.n // calls for _ in range(calls)]
        t = p.created + rng.uniform(0.02, 0.2)
        offset = 0
        status = "completed"
        last_resume: dict | None = None
        for c in range(p.calls_run):
            remaining = per_call[c]
            incidents = [i for i in p.incidents if i.call == c]
            kind, model = attempt_kind(p.mode), p.model
            prompt = 700 if p.mode == "stream" else 380 + 90 * (4 if p.mode == "chunks" else 1) + 300 * (c > 0)
            start = t
            retries = 0
            while True:  # one attempt per loop
                self.attempt_id += 1
                attempt = {"id": self.attempt_id, "document_id": p.id, "kind": kind, "model": model,
                           "provider": MODELS[model][1], "started_at": start, "start_offset": offset,
                           "prompt_tokens": None, "completion_tokens": None, "tokens_estimated": False,
                           "finish_reason": None}
                out["attempts"].append(attempt)
                rate = MODELS[model][3] * rng.uniform(0.85, 1.15)
                incident = incidents.pop(0) if incidents else None
                cancelled = incident is None and p.category == "cancelled" and c == p.calls_run - 1
                if incident is not None and incident.kind in PRE_TOKEN:
                    first = None
                    chars = 0
                    ended = start + rng.uniform(0.1, 2.0)
                else:
                    first = start + self._ttft(model)
                    if incident is not None or cancelled:
                        chars = 15 if p.category == "budget" else max(1, int(remaining * rng.uniform(0.05, 0.95)))
                    else:
                        chars = remaining
                    ended = first + chars / rate
                    if incident is not None and incident.kind == "timeout":
                        ended += rng.uniform(10, 60)  # no data until the read timeout
                attempt.update(first_token_at=first, ended_at=ended, output_chars=chars)
                if last_resume is not None:  # the resume this attempt served: delivered as the product records it
                    if first is not None:
                        last_resume.update(first_token_at=first, delivered_chars=chars, succeeded=chars > 0)
                    last_resume = None
                offset += chars
                remaining -= chars
                if incident is None:
                    attempt["outcome"] = "cancelled" if cancelled else "completed"
                    if not cancelled:
                        attempt.update(finish_reason="stop", prompt_tokens=prompt + offset // 40,
                                       completion_tokens=int(chars / 4 * rng.uniform(0.9, 1.1)),
                                       tokens_estimated=provider == "offline")
                    else:
                        status = "cancelled"
                    t = ended + rng.uniform(0.005, 0.05)
                    break
                # A cut call is charged the prompt it sent and the text it delivered, estimated (as the engine does).
                attempt.update(outcome="fault", finish_reason="length" if incident.kind == "length" else None,
                               prompt_tokens=prompt + offset // 40, completion_tokens=(chars + 3) // 4,
                               tokens_estimated=True)
                self.fault_id += 1
                detected = ended
                wait = rng.uniform(20, 60)
                out["faults"].append({"id": self.fault_id, "document_id": p.id, "attempt_id": self.attempt_id,
                                      "kind": incident.kind, "message": MESSAGES[incident.kind].format(wait),
                                      "retryable": incident.kind != "fatal", "detected_at": detected, "offset": offset})
                if incident.resume is None:
                    status = "failed" if p.category in ("budget", "fatal") else "interrupted"
                    t = detected
                    break
                if incident.resume == "auto":
                    requested = detected
                    start = detected + (1.0 if incident.kind == "rate_limit" else 0.5 * 2 ** retries) * rng.uniform(0.8, 1.2)
                    recorded = start
                else:
                    requested = detected + 120 * rng.lognormvariate(0, 1.2)  # the person's wait
                    start = recorded = requested + rng.uniform(0.02, 0.2)
                retries += 1
                self.resume_id += 1
                last_resume = {"id": self.resume_id, "document_id": p.id, "fault_id": self.fault_id, "attempt_id": None,
                               "auto": incident.resume == "auto", "detected_at": detected, "requested_at": requested,
                               "recorded_at": recorded, "first_token_at": None, "delivered_chars": 0, "succeeded": False}
                out["resumes"].append(last_resume)
                kind = incident.attempt_kind
                if kind == "fallback":
                    model = FALLBACK[p.model]
                prompt += offset // 4 if kind == "resume" else 0  # a resume re-sends the text so far
            if status in ("failed", "interrupted", "cancelled"):
                break
        if status in ("failed", "interrupted") and t < self.now - DAY:
            status = "expired"  # what the product's cleanup makes of them after 24 hours
        out["documents"].append({
            "id": p.id, "doc_type": p.doc_type, "status": status, "mode": p.mode, "provider": provider,
            "model": p.model, "request_json": json.dumps(_answers(p.doc_type, rng), ensure_ascii=False),
            "settings_json": self._settings(p), "error": None if status in ("completed", "cancelled") else
            f"{p.incidents[-1].kind}: {MESSAGES[p.incidents[-1].kind].format(30)}" if p.incidents else None,
            "parent_id": p.parent, "created_at": p.created, "updated_at": t,
            "completed_at": t if status == "completed" else None, "length": offset, "owner": None})


def load(url: str, documents: int, events: int, days: float, seed: int, batch: int = 5000) -> dict:
    """Create the schema with Store(url) and bulk-insert the planned history; returns counts and seconds."""
    started = time.perf_counter()
    now = time.time()
    rng = random.Random(seed)
    plans = make_plans(documents, events, days, now, rng)
    planned = time.perf_counter() - started
    store = Store(url)
    rows = Rows(now, rng)
    counts: Counter = Counter()
    statuses: Counter = Counter()
    tables = {"documents": Document.__table__, "attempts": Attempt.__table__, "faults": Fault.__table__,
              "resumes": Resume.__table__}
    try:
        for first in range(0, len(plans), batch):
            out: dict[str, list] = {name: [] for name in tables}
            for p in plans[first:first + batch]:
                rows.document(p, out)
            with store._writer.begin() as conn:  # one transaction per batch of documents and their events
                for name, table in tables.items():
                    if out[name]:
                        conn.execute(insert(table), out[name])
            counts.update({name: len(v) for name, v in out.items()})
            statuses.update(d["status"] for d in out["documents"])
        t = time.perf_counter()
        store.backfill_stats()  # the rollups the metrics read, as migration m005 fills them for existing history
        backfill = time.perf_counter() - t
        with store._engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:  # ids were given explicitly: move each id sequence past them, as if the Store had written the rows
                for name in ("attempts", "faults", "resumes"):
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                         f"(SELECT max(id) FROM {name}))")
                conn.commit()
        assert counts["documents"] == documents and counts["attempts"] + counts["faults"] + counts["resumes"] == events
    finally:
        store.close()
    return {"counts": dict(counts), "statuses": dict(statuses), "seconds": time.perf_counter() - started,
            "plan_seconds": planned, "backfill_seconds": backfill, "modes": dict(Counter(p.mode for p in plans)),
            "categories": dict(Counter(p.category for p in plans))}


# --- timing the queries ------------------------------------------------------------------------------

QUERIES = {  # what pages/monitoring.py calls, in the order it calls them
    "filter_options": lambda s, f: metrics.filter_options(s),
    "kpis": lambda s, f: metrics.kpis(s, f),
    "compare": lambda s, f: metrics.compare(s, f),
    "seam_quality": lambda s, f: metrics.seam_quality(s, f),
    "series (day)": lambda s, f: metrics.series(s, f, "day"),
    "ttft_and_throughput": lambda s, f: metrics.ttft_and_throughput(s, f),
    "resume_times": lambda s, f: metrics.resume_times(s, f),
    "by_dimension(mode)": lambda s, f: metrics.by_dimension(s, f, "mode"),
    "latest_faulted": lambda s, f: metrics.latest_faulted(s, f),
}


def page_filters(store: Store) -> dict[str, metrics.Filters]:
    """The filters the page builds: its default dates (first..last day of the data), the last 30 days, mode + model."""
    options = metrics.filter_options(store)
    first = datetime.fromtimestamp(options["min_created_at"], timezone.utc).date()
    last = datetime.fromtimestamp(options["max_created_at"], timezone.utc).date()
    year = metrics.day_range(first.isoformat(), last.isoformat())
    month = metrics.day_range((last - timedelta(days=29)).isoformat(), last.isoformat())
    return {"whole year": metrics.Filters(*year), "last 30 days": metrics.Filters(*month),
            "mode + model": metrics.Filters(*year, modes=("sections",), models=("gpt-4o-mini",))}


def timed_ms(fn, runs: int) -> tuple[list[float], object]:
    """Every run's ms after one warm-up, and the warm-up's result."""
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times, result


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = timed_ms(fn, runs)
    return statistics.median(times), result


def time_query_runs(url: str, runs: int, queries: dict = QUERIES) -> tuple[dict, dict]:
    """{filter: {query: [ms of each run]}} and a few figures that show what was counted."""
    store = Store(url)
    try:
        filters = page_filters(store)
        table: dict[str, dict[str, list[float]]] = {}
        seen: dict[str, dict] = {}
        for name, f in filters.items():
            table[name] = {}
            for query, fn in queries.items():
                table[name][query], result = timed_ms(lambda: fn(store, f), runs)
                if query == "kpis":
                    seen[name] = {"documents": result["documents"], "faults": result["faults"],
                                  "calls": result["calls"], "resume_attempts": result["resume_attempts"]}
        return table, seen
    finally:
        store.close()


def time_queries(url: str, runs: int) -> tuple[dict, dict]:
    """{filter: {query: median ms}} and a few figures that show what was counted."""
    table, seen = time_query_runs(url, runs)
    return {f: {q: statistics.median(t) for q, t in row.items()} for f, row in table.items()}, seen


def time_refresh(url: str, samples: int = 200) -> dict:
    """What the rollups cost each write: Store.refresh_stats (DELETE + INSERT ... SELECT of one document's rows,
    one write transaction) on `samples` documents, in ms."""
    store = Store(url)
    try:
        with store._engine.connect() as conn:
            ids = list(conn.scalars(select(Document.id).order_by(Document.id)))
        chosen = random.Random(7).sample(ids, min(samples, len(ids)))
        times = []
        for id in chosen:
            t = time.perf_counter()
            store.refresh_stats(id)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        return {"n": len(times), "median": statistics.median(times), "p95": times[(95 * len(times) + 99) // 100 - 1]}
    finally:
        store.close()


def capture_selects(store) -> list[tuple[str, object]]:
    """A list that fills with every SELECT the store runs from now on: (SQL, parameters)."""
    statements: list[tuple[str, object]] = []

    @event.listens_for(store._engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    return statements


def explain(url: str, names: list[tuple[str, str]]) -> None:
    """Each SQL statement of these (filter, query) pairs: its time and EXPLAIN QUERY PLAN."""
    store = Store(url)
    statements = capture_selects(store)

    filters = page_filters(store)
    raw = sqlite3.connect(store._engine.url.database)
    try:
        for fname, query in names:
            statements.clear()
            QUERIES[query](store, filters[fname])
            print(f"\n### {query} — {fname}: {len(statements)} statements")
            for sql, params in list(statements):
                t = time.perf_counter()
                raw.execute(sql, params).fetchall()
                ms = (time.perf_counter() - t) * 1000
                print(f"\n-- {ms:.0f} ms\n{sql}")
                for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params):
                    print("   ", row[1], row[3])
    finally:
        raw.close()
        store.close()


def breakdown(url: str, fname: str, query: str) -> list[tuple[str, float]]:
    """(event table the statement reads, or "cohort only"; ms) for each SQL statement of one query call."""
    store = Store(url)
    statements = capture_selects(store)

    filters = page_filters(store)
    statements.clear()  # only the query's own statements
    QUERIES[query](store, filters[fname])
    store.close()
    out = []
    with closing(sqlite3.connect(path_of(url))) as raw:
        for sql, params in statements:
            raw.execute(sql, params).fetchall()  # warm
            t = time.perf_counter()
            raw.execute(sql, params).fetchall()
            ms = (time.perf_counter() - t) * 1000
            plan = " ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params))
            table = next((t for t in ("attempts", "resumes", "faults", "document_model_usage", "document_stats",
                                      "resume_stats")
                          if f" {t} " in f" {plan} "), "documents only")
            out.append((table, ms))
    return out


def summarize_breakdown(rows: list[tuple[str, float]]) -> str:
    groups: dict[str, list[float]] = {}
    for table, ms in rows:
        groups.setdefault(table, []).append(ms)
    return "; ".join(f"{len(v)} on {t} {sum(v):,.0f} ms (each {min(v):,.0f}-{max(v):,.0f})" for t, v in
                     sorted(groups.items(), key=lambda x: -sum(x[1])))


# Covering indexes tried on a copy of the file (not in the product): they make the cohort and each event
# table readable from an index alone.
CANDIDATE_INDEXES = (
    "CREATE INDEX ix_try_documents_cohort ON documents (created_at, id, status, completed_at, mode, model, provider, "
    "doc_type)",
    "CREATE INDEX ix_try_attempts_usage ON attempts (document_id, started_at, first_token_at, ended_at, output_chars, "
    "prompt_tokens, completion_tokens, tokens_estimated, model)",
    "CREATE INDEX ix_try_resumes_times ON resumes (document_id, auto, succeeded, first_token_at, detected_at, "
    "requested_at)",
    "CREATE INDEX ix_try_documents_mode_model ON documents (mode, model, created_at)",
)


def try_indexes(path: Path, runs: int) -> tuple[dict, int]:
    """The queries on a copy of the file with CANDIDATE_INDEXES; the copy's size."""
    copy = path.with_name(path.stem + "-indexes.db")
    shutil.copyfile(path, copy)
    try:
        with closing(sqlite3.connect(copy)) as conn:
            for sql in CANDIDATE_INDEXES:
                conn.execute(sql)
            conn.commit()
        size = copy.stat().st_size
        table, _ = time_queries(f"sqlite:///{copy}", runs)
        return table, size
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)


def path_of(url: str) -> str:
    return url.removeprefix("sqlite:///")


# --- timing the page ---------------------------------------------------------------------------------

RENDER = r"""
import json, sys, time
from streamlit.testing.v1 import AppTest
out = []
for i in range(int(sys.argv[1]) + 1):
    at = AppTest.from_file("app.py", default_timeout=300)
    at.run()
    t = time.perf_counter()
    at.switch_page("views/monitoring.py").run()
    seconds = time.perf_counter() - t
    if at.exception:
        raise SystemExit(str(at.exception))
    out.append({"seconds": seconds, "documents": {m.label: m.value for m in at.metric}.get("Documents"),
                "charts": len(at.get("plotly_chart")), "rows": len(at.dataframe[0].value) if at.dataframe else 0})
print(json.dumps(out))
"""


def time_render(url: str, runs: int) -> dict:
    """The monitoring page in AppTest, in a fresh process (its manager caches the store process-wide)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    # The app's cleanup deletes documents untouched for CONTRACTGEN_RETENTION_DAYS (default 90) when it starts:
    # a year of history exists only with a retention of more than a year.
    env.update(CONTRACTGEN_DATABASE_URL=url, CONTRACTGEN_RETENTION_DAYS="400", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", RENDER, str(runs)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(f"The page render failed:\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"warmup": out[0]["seconds"], "median": statistics.median(r["seconds"] for r in out[1:]),
            "runs": [r["seconds"] for r in out[1:]], "documents": out[-1]["documents"], "charts": out[-1]["charts"],
            "rows": out[-1]["rows"]}


# --- main ----------------------------------------------------------------------------------------------

def analyze(path: Path) -> float:
    t = time.perf_counter()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("ANALYZE")
        conn.commit()
    return time.perf_counter() - t


def drop_statistics(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        for table in ("sqlite_stat1", "sqlite_stat4"):
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
                conn.execute(f"DROP TABLE {table}")
        conn.commit()


def ok(met: bool) -> str:
    return "**met**" if met else "**missed**"


def section(args, info: dict) -> str:
    c = info["load"]["counts"]
    events = c["attempts"] + c["faults"] + c["resumes"]
    plain, analyzed = info["queries"], info["queries_analyzed"]
    filters = list(plain)
    lines = [
        "## Metrics: queries and page render on a year of history",
        "",
        f"Command: `.venv/bin/python {info['command']}`  ",
        f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "",
        f"A fresh SQLite file with the real schema (`Store(url)`: every migration and index), bulk-loaded with "
        f"SQLAlchemy Core `insert()` executemany, {args.batch:,} documents and their events per transaction: "
        f"**{c['documents']:,} documents and {events:,} events** ({c['attempts']:,} attempts, {c['faults']:,} faults, "
        f"{c['resumes']:,} resumes; checkpoints and sections are not loaded, no metric reads them) over "
        f"{args.days:g} days, in {info['load']['seconds']:.0f} s"
        + (f", of which {info['load']['backfill_seconds']:.0f} s for the backfill of the per-document rollups "
           "(`Store.backfill_stats`, the statement migration m005 runs on existing history)"
           if info["load"].get("backfill_seconds") else "") + ". Database file: "
        f"**{info['size'] / 1e6:,.0f} MB** ({info['size']:,} bytes, after a WAL checkpoint, before ANALYZE).",
        "",
        "Data: created_at spread over the year, volume growing from 0.6x to 1.4x; tos 40%, privacy 25%, nda 15%, "
        "saas 20% (11-19 sections); modes " + ", ".join(f"{m} {n:,}" for m, n in sorted(info["load"]["modes"].items()))
        + " (1, ceil(N/4) and N calls); primary models gpt-4o-mini 45%, gpt-4.1-mini 20%, gpt-4o 12%, gpt-4.1 8%, "
        "o4-mini 5%, contractgen-offline 10%. 30% of documents have faults: "
        + ", ".join(f"{k} {n:,}" for k, n in sorted(info["load"]["categories"].items())
                    if k not in ("clean", "cancelled"))
        + " (auto: one or two faults resumed automatically; manual: resumed by a person after a wait, abandoned: "
        "never; budget: four faults in one call, failed; fatal: failed at once; fallback: a 429/503 resumed on the "
        f"fallback model); {info['load']['categories'].get('cancelled', 0):,} documents without a fault were "
        "cancelled. Statuses: " + ", ".join(f"{s} {n:,}" for s, n in
                                                   sorted(info["load"]["statuses"].items(), key=lambda x: -x[1])) + ".",
        "",
        f"Queries: each `contractgen.metrics` function the page calls, with the filters the page builds: **whole "
        f"year** = its default dates (first to last day of the data, {info['seen']['whole year']['documents']:,} "
        f"documents), **last 30 days** ({info['seen']['last 30 days']['documents']:,} documents), **mode + model** = "
        f"whole year, mode sections, model gpt-4o-mini ({info['seen']['mode + model']['documents']:,} documents). "
        f"Median of {args.runs} runs after one warm-up, in milliseconds; first as the product finds the database "
        "(it never runs ANALYZE), then after `ANALYZE`. `compare` computes the KPIs of the period and of the one "
        "before it; `filter_options` takes no filter.",
        "",
        "| query | " + " | ".join(filters) + " | " + " | ".join(f"{f}, ANALYZE" for f in filters) + " |",
        "|---|" + "---:|" * (2 * len(filters)),
    ]
    for query in QUERIES:
        cells = [plain[f][query] for f in filters] + [analyzed[f][query] for f in filters]
        lines.append(f"| {query} | " + " | ".join(f"{ms:,.0f}" + (" ✗" if ms >= QUERY_TARGET_MS else "")
                                                 for ms in cells) + " |")
    totals = [sum(plain[f].values()) for f in filters] + [sum(analyzed[f].values()) for f in filters]
    lines.append("| all of the page's queries | " + " | ".join(f"{ms:,.0f}" for ms in totals) + " |")
    slow = [(f, q, ms) for f in filters for q, ms in plain[f].items() if ms >= QUERY_TARGET_MS]
    slow_a = [(f, q, ms) for f in filters for q, ms in analyzed[f].items() if ms >= QUERY_TARGET_MS]
    lines += ["", f"Target: every query under {QUERY_TARGET_MS:.0f} ms (✗ marks a miss). As the product runs: "
                  f"{ok(not slow)}" + (f" ({len(slow)} of {len(QUERIES) * len(filters)} miss)" if slow else "")
              + f"; after ANALYZE: {ok(not slow_a)}" + (f" ({len(slow_a)} miss)" if slow_a else "") + "."]
    if info.get("breakdown"):
        lines += ["", "How the metrics read it: every KPI comes from the rollups of migration m005, selected by "
                      "their own copies of the documents' filter columns — `document_stats` (one row per document: "
                      "faults, faults by kind, resumes and successes by type, TTFT, duration, streamed characters "
                      "and seconds, calls, tokens), `document_model_usage` (calls and tokens per document and "
                      "attempt model, priced with the price table at query time) and `resume_stats` (one row per "
                      "resume with a first new token: its resume time). The counts, sums and means are single-row "
                      "aggregates over `document_stats` and `resume_stats` (created_at indexes); each p50/p95 is one "
                      "`ORDER BY "
                      "value LIMIT 1 OFFSET k` that walks a covering index on (value, filter columns) in order — "
                      "nothing sorted, no row looked up, at most one index entry per document (or timed resume) "
                      "read; cost is one "
                      "GROUP BY model over `document_model_usage`. The store recomputes a document's rollup rows "
                      "(DELETE + INSERT ... SELECT from its events) in the transaction of each write that changes "
                      "what the metrics see.",
                  "", "The price on the write side: " + (
                      f"each store write that changes what the metrics see now also recomputes its document's "
                      f"rollup rows inside its transaction; that work, timed alone as `Store.refresh_stats` (its own "
                      f"write transaction, commit included) on {info['refresh']['n']} documents of this file, takes "
                      f"{info['refresh']['median']:.1f} ms median, {info['refresh']['p95']:.1f} ms p95; "
                      if info.get("refresh") else "")
                  + f"the file size above ({info['size'] / 1e6:,.0f} MB) includes the three rollup tables and their "
                    "indexes.",
                  "", f"Where the time goes, `kpis` by SQL statement ({info.get('kpis_statements', '?')} statements; "
                      "by the table each reads): "
                  + " · ".join(f"**{f}**: {b}" for f, b in info["breakdown"].items()) + "."]
    missed = [q for q in QUERIES if any(plain[f][q] >= QUERY_TARGET_MS for f in filters)]
    if info.get("indexes") and missed:
        idx = info["indexes"]
        lines += ["", "Covering indexes, tried on a copy of the file and not in the product ("
                      + "; ".join(f"`{sql.split(' ON ')[1]}`" for sql in CANDIDATE_INDEXES)
                      + f"; file {info['indexes_size'] / 1e6:,.0f} MB instead of {info['size'] / 1e6:,.0f} MB), "
                      "median ms of the queries that miss, without → with them:", "",
                  "| query | " + " | ".join(filters) + " |", "|---|" + "---:|" * len(filters)]
        for q in missed:
            lines.append(f"| {q} | " + " | ".join(f"{plain[f][q]:,.0f} → {idx[f][q]:,.0f}" for f in filters) + " |")
        still = [(f, q) for f in filters for q in missed if idx[f][q] >= QUERY_TARGET_MS]
        if still:
            lines += ["", f"Indexes are not the cure: with them {len(still)} of these still miss, so no index "
                          "migration was added. Every plan already uses an index; the time is the volume each call "
                          f"reads, several times over: `kpis` runs {info.get('kpis_statements', '?')} statements, "
                          "each re-materializing the cohort; "
                          "`time_to_first_token` reads every attempt of the cohort three times (count/mean, p50, "
                          "p95: the GROUP BY is re-run under each ORDER BY ... OFFSET); the usage statement reads "
                          "them once more (GROUP BY attempts.model with a temp B-tree, plus the correlated "
                          "prompt-token lookup); `compare` does all of it for the period and the one before; the page "
                          "calls `kpis` and then `compare`, so the current period's KPIs are computed twice."]
    r, ra = info.get("render"), info.get("render_analyzed")
    if r:
        share = info["older_than_90_days"] / info["load"]["counts"]["documents"]
        lines += ["", f"Page render: AppTest (`AppTest.from_file(\"app.py\")`, `switch_page(\"views/monitoring.py\")`, "
                      f"`run()`) in a subprocess pointed at the file by CONTRACTGEN_DATABASE_URL, with "
                      f"CONTRACTGEN_RETENTION_DAYS=400 (the default is 730 days; the app's cleanup, which runs when "
                      f"the app starts, deletes documents untouched that long: with a retention of 90 days it would "
                      f"delete {info['older_than_90_days']:,} of these documents ({share:.0%})). "
                      f"Default filters (the whole year), median of {args.render_runs} after a warm-up: "
                      f"**{r['median']:.2f} s** as the product runs (runs " + ", ".join(f"{s:.2f}" for s in r["runs"])
                      + f"; the warm-up, which includes the app's start, {r['warmup']:.2f} s)"
                      + (f", {ra['median']:.2f} s after ANALYZE" if ra else "")
                      + f"; it showed Documents {r['documents']}, {r['charts']} charts and {r['rows']} latest "
                      f"faulted documents. Target: under {RENDER_TARGET_S:.0f} s: {ok(r['median'] < RENDER_TARGET_S)}"
                      + ("" if r["median"] < 5 else " — and the dashboard fragment re-runs every 5 s "
                         "(`run_every=\"5s\"`), so each refresh takes longer than the interval.")
                      + ("" if r["median"] >= 5 else ".")]
    return "\n".join(lines) + "\n"


# --- PostgreSQL ----------------------------------------------------------------------------------------
# `--postgres [URL]`: the same history (same generator, same seed, same loader) in a blank schema of its own in
# that database, then the same queries with the same filters. The page render, the per-statement breakdown and
# EXPLAIN QUERY PLAN, and the candidate indexes tried on a copy of the file are SQLite-only and not run there.

PG_SECTION = "## Metrics on PostgreSQL: queries on a year of history"
PG_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "work_mem", "effective_cache_size",
               "random_page_cost", "max_parallel_workers_per_gather", "jit", "autovacuum")
SEAM_JOINS = "CASE mod(r.id, 20) WHEN 0 THEN 'repeat' WHEN 1 THEN 'fuzzy' WHEN 2 THEN 'unverified' ELSE 'exact' END"


def schema_url(base: str, schema: str) -> str:
    """The URL of `base` whose connections see only `schema` (as tests/conftest.py new_database builds it)."""
    from sqlalchemy import make_url
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}", "application_name": schema}) \
        .render_as_string(hide_password=False)


def pg_admin(base: str):
    from sqlalchemy import create_engine
    return create_engine(base, isolation_level="AUTOCOMMIT", pool_size=1)


def pg_has_documents(base: str, schema: str) -> bool:
    admin = pg_admin(base)
    try:
        with admin.connect() as conn:
            return conn.exec_driver_sql("SELECT to_regclass(%(t)s) IS NOT NULL", {"t": f'"{schema}".documents'}).scalar()
    finally:
        admin.dispose()


def pg_create_schema(base: str, schema: str) -> None:
    admin = pg_admin(base)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        admin.dispose()


def pg_drop_schema(base: str, schema: str) -> None:
    admin = pg_admin(base)
    try:
        with admin.connect() as conn:
            # Connections still open on the schema (tagged with its application_name) would hold locks: end them.
            conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                                 "%(n)s AND pid <> pg_backend_pid()", {"n": schema})
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        admin.dispose()


def pg_vacuum_analyze(url: str) -> float:
    """VACUUM ANALYZE each table of the schema (what autovacuum does on its own some time after a bulk load):
    planner statistics, and the visibility map that index-only scans need."""
    from sqlalchemy import create_engine
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
    t = time.perf_counter()
    try:
        with engine.connect() as conn:
            tables = list(conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                               "ORDER BY tablename").scalars())
            for table in tables:
                conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
    finally:
        engine.dispose()
    return time.perf_counter() - t


def pg_facts(url: str) -> dict:
    """Server version, the settings that matter here, row counts and the schema's size on disk."""
    store = Store(url)
    try:
        with store._engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
            settings = {name: conn.exec_driver_sql(f"SHOW {name}").scalar() for name in PG_SETTINGS}
            size = conn.exec_driver_sql(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                "c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'").scalar()
            counts = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                      for t in ("documents", "attempts", "faults", "resumes", "seams")}
            statuses = dict(conn.exec_driver_sql("SELECT status, count(*) FROM documents GROUP BY status").all())
            modes = dict(conn.exec_driver_sql("SELECT mode, count(*) FROM documents GROUP BY mode").all())
        return {"version": version, "settings": settings, "size": int(size), "counts": counts, "statuses": statuses,
                "modes": modes}
    finally:
        store.close()


def pg_explain(url: str, names: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[float, str, str]]]:
    """For each (filter, query): every SQL statement it runs, as (ms, SQL, EXPLAIN (ANALYZE, BUFFERS) text)."""
    store = Store(url)
    statements = capture_selects(store)
    out = {}
    try:
        filters = page_filters(store)
        for fname, query in names:
            statements.clear()
            QUERIES[query](store, filters[fname])
            rows = []
            for sql, params in list(statements):
                with store._engine.connect() as conn:
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).scalars().all()
                ms = next((float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time")),
                          0.0)
                rows.append((ms, sql, "\n".join(plan)))
            out[(fname, query)] = rows
    finally:
        store.close()
    return out


def pg_seams(url: str, runs: int) -> dict:
    """seam_quality with seams loaded: the history has none (its generator predates them), so one seam per resume
    that delivered new text (INSERT ... SELECT from resumes, join kinds by id: no randomness), then timed again."""
    store = Store(url)
    try:
        with store._writer.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO seams (document_id, attempt_id, resume_id, strategy, join_kind, dropped, preamble, "
                "inserted, similarity, \"offset\", excerpt, at) "
                f"SELECT r.document_id, r.attempt_id, r.id, 'completion', {SEAM_JOINS}, "
                f"CASE WHEN mod(r.id, 20) IN (0, 1) THEN 12 ELSE 0 END, 0, '', NULL, 0, '', r.first_token_at "
                "FROM resumes r WHERE r.first_token_at IS NOT NULL ORDER BY r.id")
            n = conn.exec_driver_sql("SELECT count(*) FROM seams").scalar()
        with store._engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE) seams")
    finally:
        store.close()
    table, _ = time_query_runs(url, runs, {"seam_quality": QUERIES["seam_quality"]})
    return {"seams": n, "times": {f: row["seam_quality"] for f, row in table.items()}}


def run_postgres(args) -> None:
    base = args.postgres or os.environ.get("CONTRACTGEN_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        raise SystemExit("--postgres needs a postgresql+psycopg:// URL, or CONTRACTGEN_TEST_DATABASE_URL set to one "
                         '(export CONTRACTGEN_TEST_DATABASE_URL="$(.ci/postgres)").')
    from contractgen.storage import shown_url
    keep = args.schema is not None
    schema = args.schema or f"bench_metrics_{uuid.uuid4().hex[:8]}"
    url = schema_url(base, schema)
    print(f"PostgreSQL: {shown_url(base)}, schema {schema}" + (" (kept)" if keep else " (dropped at the end)"))
    info: dict = {"schema": schema}
    reused = keep and pg_has_documents(base, schema)
    if not reused:
        pg_create_schema(base, schema)
    try:
        if reused:
            print(f"Reusing schema {schema} (not reloaded)")
            info["load"] = {"seconds": 0.0, "categories": {}}
        else:
            info["load"] = load(url, args.documents, args.events, args.days, args.seed, args.batch)
            print(f"Loaded {info['load']['counts']} in {info['load']['seconds']:.1f} s "
                  f"(backfill {info['load']['backfill_seconds']:.1f} s)")
        info["vacuum_seconds"] = pg_vacuum_analyze(url)
        print(f"VACUUM ANALYZE: {info['vacuum_seconds']:.1f} s")
        info["facts"] = pg_facts(url)
        print({k: v for k, v in info["facts"].items()})
        if info["facts"]["counts"]["seams"]:
            raise SystemExit(f"Schema {schema} already has seams (from an earlier run's seam step): drop it and "
                             "load again.")
        info["load_avg"] = [os.getloadavg()]
        info["runs"], info["seen"] = time_query_runs(url, args.runs)
        info["load_avg"].append(os.getloadavg())
        print(json.dumps({f: {q: {"median": round(statistics.median(t), 1), "max": round(max(t), 1)}
                              for q, t in row.items()} for f, row in info["runs"].items()}, indent=1))
        print("cohorts:", info["seen"])
        slow = [(f, q) for f, row in info["runs"].items() for q, t in row.items()
                if statistics.median(t) >= QUERY_TARGET_MS or max(t) >= QUERY_TARGET_MS]
        explain_names = slow or ([("whole year", "kpis")] if args.explain else [])
        if explain_names:
            info["explain"] = pg_explain(url, explain_names)
            for (fname, query), rows in info["explain"].items():
                print(f"\n### {query} — {fname}: {len(rows)} statements")
                for ms, sql, plan in rows:
                    print(f"\n-- {ms:.1f} ms (EXPLAIN ANALYZE)\n{sql}\n{plan}")
        info["refresh"] = time_refresh(url)
        print("refresh_stats:", info["refresh"])
        info["seams"] = None if args.no_seams or keep else pg_seams(url, args.runs)
        print("seam_quality with seams:", info["seams"])

        full = (args.documents, args.events, args.days) == (100_000, 1_000_000, 365.0)
        info["command"] = ('CONTRACTGEN_TEST_DATABASE_URL="$(.ci/postgres)" .venv/bin/python benchmarks/metrics.py '
                           "--postgres" + ("" if full else f" --documents {args.documents} --events {args.events} "
                                                           f"--days {args.days:g}"))
        text = pg_section(args, info)
        print(text)
        if full and not reused and not args.no_seams:
            write_section(text)
    finally:
        if not keep:
            pg_drop_schema(base, schema)
            print(f"Dropped schema {schema}")


def pg_section(args, info: dict) -> str:
    facts, runs = info["facts"], info["runs"]
    c = facts["counts"]
    events = c["attempts"] + c["faults"] + c["resumes"]
    filters = list(runs)
    settings = facts["settings"]
    load = info["load"]
    cell = lambda t: (f"{statistics.median(t):,.0f} ({max(t):,.0f})"  # noqa: E731
                      + (" ✗" if statistics.median(t) >= QUERY_TARGET_MS else ""))
    lines = [
        PG_SECTION,
        "",
        f"Command: `{info['command']}`  ",
        f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {os.cpu_count()} cores shared with other jobs (load average "
        + " → ".join(f"{a[0]:.1f}" for a in info["load_avg"]) + " over the timed queries), "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}; PostgreSQL "
        f"{facts['version']} on the same machine over TCP (127.0.0.1), the test cluster of `.ci/postgres`: "
        + ", ".join(f"{k}={settings[k]}" for k in PG_SETTINGS)
        + " (fsync, synchronous_commit and full_page_writes are off there: test data only; they change write cost, "
          "not these reads). Driver psycopg 3, through the product's `Store` (`pool_pre_ping` on).",
        "",
        f"The history of the SQLite section above, made by the same generator with the same seed ({args.seed}) and "
        f"loaded by the same loader (`Store(url)` migrates a blank schema of its own, `CREATE SCHEMA` and "
        "`search_path`, dropped at the end; SQLAlchemy Core `insert()` executemany, "
        f"{args.batch:,} documents and their events per transaction; then `Store.backfill_stats`, the same rollup "
        f"statements the SQLite run uses): **{c['documents']:,} documents and {events:,} events** ({c['attempts']:,} "
        f"attempts, {c['faults']:,} faults, {c['resumes']:,} resumes)"
        + (f", in {load['seconds']:.0f} s, of which {load['backfill_seconds']:.0f} s for the backfill"
           if load.get("seconds") else "")
        + f"; then `VACUUM (ANALYZE)` of each table ({info['vacuum_seconds']:.0f} s: what autovacuum does on its own "
          "a little after a bulk load; it gives the planner its statistics and index-only scans their visibility "
          f"map). Schema size: **{facts['size'] / 1e6:,.0f} MB** (tables and indexes). Statuses: "
        + ", ".join(f"{s} {n:,}" for s, n in sorted(facts["statuses"].items(), key=lambda x: -x[1])) + ".",
        "",
        f"Queries: the same `contractgen.metrics` functions with the same filters: **whole year** "
        f"({info['seen']['whole year']['documents']:,} documents), **last 30 days** "
        f"({info['seen']['last 30 days']['documents']:,}: whole UTC days, the last of them the load's, so this count "
        "moves a little with the time of day the history was made), **mode + model** = whole year, sections, gpt-4o-mini "
        f"({info['seen']['mode + model']['documents']:,}). One warm-up, then {args.runs} runs: median (max) in "
        "milliseconds, each call as the page makes it (a pooled connection, a REPEATABLE READ transaction). "
        "`seam_quality`, which the page also calls, reads `seams`: this history has none (see below).",
        "",
        "| query | " + " | ".join(filters) + " | under 300 ms |",
        "|---|" + "---:|" * len(filters) + ":---:|",
    ]
    for query in QUERIES:
        times = [runs[f][query] for f in filters]
        met = all(statistics.median(t) < QUERY_TARGET_MS for t in times)
        lines.append(f"| {query} | " + " | ".join(cell(t) for t in times) + f" | {'yes' if met else '**no**'} |")
    totals = [sum(statistics.median(t) for t in runs[f].values()) for f in filters]
    lines.append("| all of the page's queries (sum of medians) | " + " | ".join(f"{ms:,.0f}" for ms in totals) + " | |")
    slow = [(f, q) for f in filters for q, t in runs[f].items() if statistics.median(t) >= QUERY_TARGET_MS]
    slow_max = [(f, q) for f in filters for q, t in runs[f].items() if max(t) >= QUERY_TARGET_MS]
    lines += ["", f"Target (issue 10, item 4): every query under {QUERY_TARGET_MS:.0f} ms on PostgreSQL: by the "
                  f"median, {ok(not slow)}" + (f" ({len(slow)} of {len(QUERIES) * len(filters)} miss: "
                                               + ", ".join(f"{q} ({f})" for f, q in slow) + ")" if slow else "")
              + "; " + ("every single run too." if not slow_max else
                        f"{len(slow_max)} had a run over it: " + ", ".join(f"{q} ({f}, max {max(runs[f][q]):,.0f})"
                                                                           for f, q in slow_max) + ".")]
    for (fname, query), rows in (info.get("explain") or {}).items():
        if (fname, query) not in slow_max:
            continue
        rows = sorted(rows, key=lambda r: -r[0])
        lines += ["", f"`{query}` ({fname}), by statement under EXPLAIN ANALYZE ({len(rows)} statements): "
                  + "; ".join(f"{ms:,.0f} ms" for ms, _, _ in rows) + ". The slowest:", "", "```",
                  rows[0][1].strip(), "", rows[0][2], "```"]
    if info.get("refresh"):
        lines += ["", f"Write side: `Store.refresh_stats` (one document's rollup rows recomputed, DELETE + INSERT ... "
                      f"SELECT, its own transaction) on {info['refresh']['n']} documents: "
                      f"{info['refresh']['median']:.1f} ms median, {info['refresh']['p95']:.1f} ms p95 (fsync off)."]
    if info.get("seams"):
        s = info["seams"]
        lines += ["", f"`seam_quality` with seams: the generator writes none (it predates migration m006), so above it "
                      f"groups an empty `seams` table. Then {s['seams']:,} seams were added, one per resume that "
                      "delivered new text (`INSERT ... SELECT` from `resumes`, join kinds fixed by id), `seams` "
                      "analyzed, and it was timed again, median (max) ms: "
                  + ", ".join(f"{f} {cell(t)}" for f, t in s["times"].items()) + "."]
    lines += ["", "Not run on PostgreSQL (SQLite-only parts of this benchmark): the `EXPLAIN QUERY PLAN` per-statement "
                  "breakdown (`--explain` there prints EXPLAIN (ANALYZE, BUFFERS) of `kpis` instead), the candidate covering indexes tried on a copy of the file, the "
                  "as-found-versus-ANALYZE columns (autovacuum analyzes PostgreSQL on its own), and the page render "
                  "in AppTest."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="keep the database at this path (reused as it is if it exists)")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000, help="attempts + faults + resumes")
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5000, help="documents (and their events) per transaction")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query, after one warm-up")
    parser.add_argument("--render-runs", type=int, default=3, help="timed page renders, after one warm-up")
    parser.add_argument("--no-render", action="store_true", help="skip the page render")
    parser.add_argument("--no-indexes", action="store_true", help="skip timing the candidate indexes on a copy")
    parser.add_argument("--explain", action="store_true", help="time and EXPLAIN every statement of a slow query")
    parser.add_argument("--postgres", nargs="?", const="", metavar="URL",
                        help="run on PostgreSQL instead (URL, else CONTRACTGEN_TEST_DATABASE_URL): the same history "
                             "in a blank schema of its own, dropped at the end; the queries only")
    parser.add_argument("--schema", help="with --postgres: use this schema and keep it (reused, not reloaded, if it "
                                         "holds the tables)")
    parser.add_argument("--no-seams", action="store_true", help="with --postgres: skip timing seam_quality with seams")
    args = parser.parse_args()
    if args.postgres is not None:
        run_postgres(args)
        return

    tmp = None
    if args.db is None:
        tmp = Path(tempfile.mkdtemp(prefix="contractgen-metrics-"))
        path = tmp / "year.db"
    else:
        path = args.db.resolve()
    url = f"sqlite:///{path}"
    try:
        info: dict = {}
        if path.exists():
            print(f"Reusing {path} (statistics dropped: measured as the product finds it)")
            drop_statistics(path)
            with closing(sqlite3.connect(path)) as conn:
                counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                          for t in ("documents", "attempts", "faults", "resumes")}
                statuses = dict(conn.execute("SELECT status, count(*) FROM documents GROUP BY status").fetchall())
                modes = dict(conn.execute("SELECT mode, count(*) FROM documents GROUP BY mode").fetchall())
            info["load"] = {"counts": counts, "statuses": statuses, "modes": modes, "categories": {}, "seconds": 0.0}
        else:
            info["load"] = load(url, args.documents, args.events, args.days, args.seed, args.batch)
        print(f"Loaded {info['load']['counts']} in {info['load']['seconds']:.1f} s; statuses {info['load']['statuses']}")
        info["size"] = path.stat().st_size
        print(f"Database file: {info['size']:,} bytes")
        with closing(sqlite3.connect(path)) as conn:
            info["older_than_90_days"] = conn.execute(
                "SELECT count(*) FROM documents WHERE updated_at < (SELECT max(created_at) FROM documents) - ?",
                (90 * DAY,)).fetchone()[0]

        info["queries"], info["seen"] = time_queries(url, args.runs)
        print(json.dumps({"queries (no ANALYZE)": info["queries"], "cohorts": info["seen"]}, indent=1))
        if args.explain:
            explain(url, [(f, q) for f, row in info["queries"].items() for q, ms in row.items() if ms >= QUERY_TARGET_MS])
        info["refresh"] = time_refresh(url)
        print("refresh_stats:", info["refresh"])
        rows = {f: breakdown(url, f, "kpis") for f in ("whole year", "last 30 days")}
        info["breakdown"] = {f: summarize_breakdown(r) for f, r in rows.items()}
        info["kpis_statements"] = len(rows["whole year"])
        print("kpis by statement:", info["breakdown"])
        if not args.no_indexes:
            info["indexes"], info["indexes_size"] = try_indexes(path, args.runs)
            print(json.dumps({"queries (covering indexes, on a copy)": info["indexes"]}, indent=1))
        if not args.no_render:
            info["render"] = time_render(url, args.render_runs)
            print("render (no ANALYZE):", info["render"])

        print(f"ANALYZE: {analyze(path):.1f} s")
        info["queries_analyzed"], _ = time_queries(url, args.runs)
        print(json.dumps({"queries (ANALYZE)": info["queries_analyzed"]}, indent=1))
        if not args.no_render:
            info["render_analyzed"] = time_render(url, args.render_runs)
            print("render (ANALYZE):", info["render_analyzed"])
        if args.db is not None:
            drop_statistics(path)  # the kept file stays as the product would find it

        full = (args.documents, args.events, args.days) == (100_000, 1_000_000, 365.0)
        info["command"] = "benchmarks/metrics.py" + ("" if full else f" --documents {args.documents} --events "
                                                                     f"{args.events} --days {args.days:g}")
        text = section(args, info)
        print(text)
        if full and not args.no_render and info["load"]["seconds"]:
            write_section(text)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

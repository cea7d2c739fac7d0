"""Generation metrics for the monitoring page and `contractgen metrics`, computed in SQL.

Every figure is an aggregate query (COUNT, SUM, AVG, GROUP BY). The per-document
figures are read from two rollup tables the store keeps (migration m005;
`storage._refresh_stats` recomputes a document's rows from its events in the
transaction of every store write that changes what the metrics see):
`document_stats`, one row per document with its filter columns copied and its
fault, resume, TTFT, streaming and token aggregates, and `document_model_usage`,
calls and tokens per document and attempt model. Cost is priced here, at query
time, from `document_model_usage` with the `PriceTable`, so a price edit applies
at once. Resume times (per resume) are read from `resumes`; `series` reads the
event tables by their own times. A percentile is read, on SQLite, by walking the
statistic's covering index in order to the nearest-rank position (LIMIT 1
OFFSET k: nothing sorted); on PostgreSQL, whose planner prefers to sort the
cohort, by one percentile_disc per statistic (one sort for every percentile
of it, the cohort read through its created_at index). No function here loads
the rows of a table into Python: what comes back is one row per group (a
status, a mode, a model, a time bucket), or the capped row lists of
`resume_times`, `ttft_and_throughput` and `latest_faulted`. The queries of one
call run in one read transaction (REPEATABLE READ on PostgreSQL, whose default
takes a snapshot per statement), so their figures agree with each other.
Times are UTC epoch seconds; durations are in seconds.

Selection (`Filters`)
    The documents considered (the *cohort*) are those with
    `start <= documents.created_at < end` (either bound may be None: open) and,
    for each non-empty tuple, `documents.mode`, `.model` (the document's
    primary model), `.provider`, `.doc_type` among its values. Attempts,
    faults and resumes count when their document is in the cohort, whenever
    they happened. (`series` is the exception: there each event is placed,
    and range-filtered, by its own time; see below.)

`kpis(store, filters)` -> dict
    documents                  documents in the cohort.
    documents_by_status        {status: documents}, current status.
    documents_with_faults      documents with at least one row in `faults`.
    fault_rate                 documents_with_faults / documents; None when 0 documents.
    timeout_rate               documents with at least one timeout / documents (timeouts only; it
                               counted every kind of fault until the fault rate got its own name);
                               the same as fault_rate_by_kind["timeout"].
    documents_by_fault_kind    {kind: documents with at least one fault of that kind}, every kind of
                               FAULT_KINDS in order (0 included).
    fault_rate_by_kind         {kind: documents_by_fault_kind[kind] / documents}; None when 0 documents.
    faults                     rows in `faults` (every kind, `length` included:
                               the product brief lists it as a fault kind).
    faults_per_100_documents   100 * faults / documents; None when 0 documents.
    faults_by_kind             {kind: faults}, kinds that occurred, in FAULT_KINDS order.
    resume_attempts            rows in `resumes` (automatic and manual; a resume
                               still waiting for its first token counts, as not yet succeeded).
    resume_successes           resumes with `succeeded` (the resumed call delivered
                               new text after the seam: delivered_chars > 0).
    resume_success_rate        resume_successes / resume_attempts; None when 0 resumes.
    resumes_by_type            {"auto"|"manual": {attempts, succeeded, success_rate}}.
    recovery_rate              documents with faults whose status is `completed`
                               / documents_with_faults; None when no document has a fault.
    resume_time                {"auto"|"manual": {mean, p50, p95, n}} over resumes with
                               first_token_at not NULL: first_token_at - detected_at,
                               i.e. fault detection -> first new token of the resumed
                               stream. detected_at is the fault's time even for a manual
                               resume, so manual times include the person's wait.
    time_to_first_token        {mean, p50, p95, n}: per document, min(attempts.first_token_at)
                               - min(attempts.started_at) over all its attempts (backoff
                               before a first text included), documents with a first
                               token only.
    duration                   {mean, p50, p95, n}: completed documents (status `completed`),
                               completed_at - created_at (includes backoff, and a person's
                               wait before a manual resume).
    output_chars_per_second    sum(output_chars) / sum(ended_at - started_at) over ended
                               attempts (ended_at not NULL); None when that time is 0.
    calls                      attempts (provider calls, every kind).
    calls_per_document         calls / documents; None when 0 documents.
    tokens_in, tokens_out      sums over attempts, estimated exactly as `costs.summarize`
                               does for `contractgen show`: completion tokens when stored,
                               else ceil(output_chars / 4); prompt tokens when stored, else
                               those of the nearest later attempt of the same document
                               (by started_at, id) that has them, else 0.
    tokens_estimated           any attempt's tokens were estimated (stored as estimates,
                               or missing and estimated as above).
    estimated_cost             US dollars: per attempt model (GROUP BY attempts.model),
                               (tokens_in * input + tokens_out * output) / 1e6 with the
                               `PriceTable`; unpriced models count 0. Rounded to 6 decimals.
    cost_per_document          estimated_cost / documents; None when 0 documents.
    unpriced_models            sorted attempt models the price table does not know.

Percentiles are nearest-rank: sorted ascending, p is the value at 0-based position
k = ceil(p * n / 100) - 1 (p50 of 1, 2, 3, 4 is 2; p95 of 20 values is the 19th).
A statistic over no values is None (n = 0).

`by_dimension(store, filters, dimension)` -> list of dicts, one per value of
    documents.<dimension> (mode, model, doc_type or provider) in the cohort,
    most documents first: value, documents, documents_with_faults, faults,
    fault_rate, timeout_rate, resume_attempts, resume_success_rate, calls, tokens_in,
    tokens_out, estimated_cost, cost_per_document, unpriced_models — each
    defined as in `kpis`, within the group. With dimension "model" a document is
    grouped by its primary model; its fallback calls are priced at their own model.

`series(store, filters, bucket)` -> list of dicts, one per UTC hour or day
    ("hour": floor(t / 3600) * 3600; "day": floor(t / 86400) * 86400) from the
    first to the last bucket holding an event (empty buckets in between are
    zero-filled): bucket (epoch start), start (ISO 8601, UTC), documents (by
    documents.created_at), faults and one `faults_<kind>` key per kind that occurs
    anywhere in the series (by faults.detected_at), resume_attempts and
    resume_successes (by resumes.requested_at: the fault time for an automatic
    resume, the click for a manual one), resume_success_rate (None without
    resumes). Here [start, end) applies to each event's own time; the other
    filters apply to its document. So, at the edges of a range, a series can
    count a fault of a document created before `start` that `kpis` leaves out.

`resume_times(store, filters, limit)` -> [{auto, seconds, detected_at}] newest
    first (by requested_at), the resumes that `resume_time` measures, at most `limit`.
`ttft_and_throughput(store, filters, limit)` -> per document of the cohort,
    newest first, at most `limit`: id, created_at, mode, model, ttft (as in
    `time_to_first_token`; None without text), output_chars and chars_per_second
    (as `output_chars_per_second`, over the document's ended attempts).
`latest_faulted(store, filters, limit)` -> cohort documents with a fault, newest
    first: id, created_at, status, mode, model, faults, resumes.
`compare(store, filters)` -> {} unless both start and end are set; else the previous
    period of equal length [start - (end - start), start) with the same other
    filters: {start, end, previous_start, previous_end, current: kpis(current),
    previous: kpis(previous), change}. `change` mirrors the numeric figures of the
    KPIs as current - previous (absolute: a rate's change is in rate points); None
    where either side is None; a fault kind missing from one side counts 0.
`filter_options(store)` -> distinct modes, models, providers and doc_types (sorted)
    and the min/max documents.created_at (None when empty).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.dialects.postgresql import array as pg_array

from .costs import PER_TOKENS, PriceTable
from .storage import (FAULT_KINDS, FAULT_LABELS, STATUSES, Document, DocumentModelUsage, DocumentStats, Fault, Resume,
                      ResumeStats)

DIMENSIONS = ("mode", "model", "doc_type", "provider")
BUCKETS = {"hour": 3600, "day": 86400}
PERCENTILES = (50, 95)


@dataclass(frozen=True)
class Filters:
    start: float | None = None  # documents.created_at >= start
    end: float | None = None  # documents.created_at < end
    modes: tuple[str, ...] = ()  # empty: all
    models: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()


# --- query pieces --------------------------------------------------------------------------------

S = DocumentStats  # one row per document: its filter columns and the per-document aggregates
U = DocumentModelUsage  # one row per document and attempt model: calls and tokens, priced here
R = ResumeStats  # one row per resume with a first new token: its resume time and its document's filter columns


def _where(f: Filters, created, mode, model, provider, doc_type, *, times: bool = True) -> list:
    conds = []
    if times and f.start is not None:
        conds.append(created >= f.start)
    if times and f.end is not None:
        conds.append(created < f.end)
    for column, values in ((mode, f.modes), (model, f.models), (provider, f.providers), (doc_type, f.doc_types)):
        if values:
            conds.append(column.in_(tuple(values)))
    return conds


def _conditions(f: Filters, *, times: bool = True) -> list:
    """Conditions on `documents` selecting the cohort (or, times=False, only its non-time filters)."""
    return _where(f, Document.created_at, Document.mode, Document.model, Document.provider, Document.doc_type,
                  times=times)


def _stat_conditions(f: Filters) -> list:
    """The cohort as conditions on `document_stats` (its copies of the documents' filter columns)."""
    return _where(f, S.created_at, S.mode, S.model, S.provider, S.doc_type)


def _usage_conditions(f: Filters) -> list:
    """The cohort as conditions on `document_model_usage` (filters on the document's primary model)."""
    return _where(f, U.created_at, U.mode, U.primary_model, U.provider, U.doc_type)


def _events(query, table, f: Filters):
    """`query` over `table` for documents matching the non-time filters (series: events placed by their own time)."""
    return query.select_from(table).join(Document, Document.id == table.document_id).where(*_conditions(f, times=False))


def _true(column):
    return case((column, 1), else_=0)


def _ratio(a, b) -> float | None:
    return None if not b else a / b


def percentile_index(p: int, n: int) -> int:
    """0-based position of the nearest-rank p-th percentile among n sorted values: ceil(p * n / 100) - 1,
    in integer arithmetic (0.95 * n in floats can land just above a whole number)."""
    return (p * n + 99) // 100 - 1


def _none() -> dict:
    return {"mean": None, **{f"p{p}": None for p in PERCENTILES}, "n": 0}


def _walk(conn, table, column, f: Filters, n: int, mean, *where) -> dict:
    """{mean, p50, p95, n} of a rollup column whose count and mean are known: each percentile is one
    ORDER BY column LIMIT 1 OFFSET k that walks the column's covering index (ix_document_stats_ttft, _duration,
    ix_resume_stats_auto_seconds) in order: nothing sorted, no row looked up. The filters are written as expressions (`created_at + 0`,
    `mode || ''`) so that the planner walks that index, checking them on its entries, instead of reading the
    cohort by created_at, mode or model and sorting it. A walk reads at most the whole index (one entry per
    document, or per timed resume) and stops at the k-th match."""
    out: dict[str, Any] = {"mean": mean if n else None}
    if n and conn.dialect.name == "postgresql":
        # PostgreSQL does not walk the index here: it reads the cohort and sorts it, for each OFFSET. So one
        # percentile_disc for all the percentiles: one sort, the cohort selected through its created_at index
        # (plain conditions). percentile_disc(p) is the value at 1-based position ceil(p * n): nearest rank,
        # as percentile_index (p / 100 * n in floats is exact enough for every n below 2,000,000).
        values = conn.execute(select(func.percentile_disc(pg_array([p / 100 for p in PERCENTILES])).within_group(column))
                              .where(*_where(f, table.created_at, table.mode, table.model, table.provider,
                                             table.doc_type), *where)).scalar()
        out.update({f"p{p}": value for p, value in zip(PERCENTILES, values)}, n=n)
        return out
    unindexed = _where(f, table.created_at + 0, table.mode.concat(""), table.model.concat(""),
                       table.provider.concat(""), table.doc_type.concat(""))
    for p in PERCENTILES:
        out[f"p{p}"] = (conn.execute(select(column).where(*unindexed, *where, column.is_not(None)).order_by(column)
                                     .limit(1).offset(percentile_index(p, n))).scalar() if n else None)
    out["n"] = n
    return out


def _read(store):
    """One read transaction: every figure of a call comes from the same snapshot."""
    conn = store._engine.connect()
    if conn.dialect.name == "postgresql":  # READ COMMITTED would take a snapshot per statement
        conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _prices(prices: PriceTable | None) -> PriceTable:
    return prices if prices is not None else PriceTable.load(os.environ)


def _cost(table: PriceTable, model: str, tokens_in: int, tokens_out: int) -> float | None:
    """Dollars for these tokens of `model`; None when the model is unpriced."""
    price = table.price(model)
    return None if price is None else (tokens_in * price[0] + tokens_out * price[1]) / PER_TOKENS


# --- KPIs --------------------------------------------------------------------------------------

def kpis(store, filters: Filters = Filters(), *, prices: PriceTable | None = None) -> dict:
    """The headline figures of the cohort; see the module docstring for each definition."""
    with _read(store) as conn, conn.begin():
        return _kpis(conn, filters, _prices(prices))


def _kpis(conn, f: Filters, table: PriceTable) -> dict:
    # Every figure but the resume times comes from the rollups: one row per document (document_stats) and one
    # per document and attempt model (document_model_usage), selected by their own copies of the filter columns.
    cond = _stat_conditions(f)
    completed = S.status == "completed"
    row = conn.execute(select(
        *[func.sum(case((S.status == status, 1), else_=0)) for status in STATUSES],
        func.sum(S.has_fault), func.sum(case((completed, S.has_fault), else_=0)),
        func.sum(S.resumes_auto), func.sum(S.resumes_auto_succeeded), func.sum(S.resumes_manual),
        func.sum(S.resumes_manual_succeeded), func.sum(S.output_chars), func.sum(S.attempt_seconds),
        func.max(S.tokens_estimated), func.count(S.ttft), func.avg(S.ttft),
        func.count(case((completed, S.duration))), func.avg(case((completed, S.duration))),
        *[func.sum(getattr(S, f"faults_{k}")) for k in FAULT_KINDS],
        *[func.sum(case((getattr(S, f"faults_{k}") > 0, 1), else_=0)) for k in FAULT_KINDS]).where(*cond)).one()
    values = iter(row)
    by_status = {status: int(next(values) or 0) for status in STATUSES}
    with_faults, recovered, a_n, a_ok, m_n, m_ok, chars = (int(next(values) or 0) for _ in range(7))
    seconds_total, estimated = next(values) or 0.0, bool(next(values))
    ttft_n, ttft_mean, duration_n, duration_mean = next(values), next(values), next(values), next(values)
    kinds = {kind: int(next(values) or 0) for kind in FAULT_KINDS}
    docs_by_kind = {kind: int(next(values) or 0) for kind in FAULT_KINDS}
    auto = {"attempts": a_n, "succeeded": a_ok}
    manual = {"attempts": m_n, "succeeded": m_ok}
    documents = sum(by_status.values())
    faults = sum(kinds.values())
    by_type = {"auto": auto, "manual": manual}
    for entry in by_type.values():
        entry["success_rate"] = _ratio(entry["succeeded"], entry["attempts"])
    resume_attempts = auto["attempts"] + manual["attempts"]
    resume_successes = auto["succeeded"] + manual["succeeded"]

    # Resume times are per resume: resume_stats holds one row per resume with a first new token.
    resume_cond = _where(f, R.created_at, R.mode, R.model, R.provider, R.doc_type)
    row = conn.execute(select(func.count(case((R.auto == 1, R.seconds))), func.avg(case((R.auto == 1, R.seconds))),
                              func.count(case((R.auto == 0, R.seconds))), func.avg(case((R.auto == 0, R.seconds))))
                       .where(*resume_cond)).one()
    resume_time = {"auto": _walk(conn, R, R.seconds, f, row[0], row[1], R.auto == 1),
                   "manual": _walk(conn, R, R.seconds, f, row[2], row[3], R.auto == 0)}

    time_to_first_token = _walk(conn, S, S.ttft, f, ttft_n, ttft_mean)
    duration = _walk(conn, S, S.duration, f, duration_n, duration_mean, completed)

    usage = conn.execute(select(U.model, func.sum(U.calls), func.sum(U.tokens_in), func.sum(U.tokens_out))
                         .where(*_usage_conditions(f)).group_by(U.model).order_by(U.model)).all()
    calls = tokens_in = tokens_out = 0
    cost = 0.0
    unpriced: set[str] = set()
    for model, n, t_in, t_out in usage:
        calls += int(n or 0)
        tokens_in += int(t_in or 0)
        tokens_out += int(t_out or 0)
        dollars = _cost(table, model, int(t_in or 0), int(t_out or 0))
        if dollars is None:
            unpriced.add(model)
        else:
            cost += dollars

    return {
        "documents": documents,
        "documents_by_status": {s: by_status[s] for s in STATUSES if by_status.get(s)},
        "documents_with_faults": with_faults,
        "fault_rate": _ratio(with_faults, documents),
        "timeout_rate": _ratio(docs_by_kind.get("timeout", 0), documents),
        "documents_by_fault_kind": docs_by_kind,
        "fault_rate_by_kind": {kind: _ratio(n, documents) for kind, n in docs_by_kind.items()},
        "faults": faults,
        "faults_per_100_documents": None if not documents else 100 * faults / documents,
        "faults_by_kind": _ordered_kinds(kinds),
        "resume_attempts": resume_attempts,
        "resume_successes": resume_successes,
        "resume_success_rate": _ratio(resume_successes, resume_attempts),
        "resumes_by_type": by_type,
        "recovery_rate": _ratio(recovered, with_faults),
        "resume_time": resume_time,
        "time_to_first_token": time_to_first_token,
        "duration": duration,
        "output_chars_per_second": _ratio(chars, seconds_total),
        "calls": calls,
        "calls_per_document": _ratio(calls, documents),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "tokens_estimated": estimated,
        "estimated_cost": round(cost, 6),
        "cost_per_document": None if not documents else round(cost / documents, 6),
        "unpriced_models": sorted(unpriced),
    }


def _ordered_kinds(counts: dict[str, int]) -> dict[str, int]:
    order = {k: i for i, k in enumerate(FAULT_KINDS)}
    return {k: counts[k] for k in sorted(counts, key=lambda k: (order.get(k, len(order)), k)) if counts[k]}


# --- breakdowns ----------------------------------------------------------------------------------

def by_dimension(store, filters: Filters, dimension: str, *, prices: PriceTable | None = None) -> list[dict]:
    """One row per value of documents.<dimension>; see the module docstring."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}.")
    dim = getattr(S, dimension)
    usage_dim = U.primary_model if dimension == "model" else getattr(U, dimension)
    with _read(store) as conn, conn.begin():
        groups: dict[str, dict] = {}

        def group(value) -> dict:
            return groups.setdefault(value, {"value": value, "documents": 0, "documents_with_faults": 0, "faults": 0,
                                             "resume_attempts": 0, "resume_successes": 0, "calls": 0, "tokens_in": 0,
                                             "tokens_out": 0, "cost": 0.0, "unpriced": set()})

        for value, n, faulted, faults, resumes, ok, timeouts, chars, secs, ttft in conn.execute(select(
                dim, func.count(), func.sum(S.has_fault), func.sum(S.faults), func.sum(S.resumes_auto + S.resumes_manual),
                func.sum(S.resumes_auto_succeeded + S.resumes_manual_succeeded),
                func.sum(case((S.faults_timeout > 0, 1), else_=0)), func.sum(S.output_chars),
                func.sum(S.attempt_seconds), func.avg(S.ttft))
                .where(*_stat_conditions(filters)).group_by(dim)):
            group(value).update(documents=n, documents_with_faults=int(faulted or 0), faults=int(faults or 0),
                                resume_attempts=int(resumes or 0), resume_successes=int(ok or 0),
                                documents_with_timeouts=int(timeouts or 0), chars=int(chars or 0), seconds=secs or 0.0,
                                ttft_mean=ttft)
        table = _prices(prices)
        for value, model, n, t_in, t_out in conn.execute(select(
                usage_dim, U.model, func.sum(U.calls), func.sum(U.tokens_in), func.sum(U.tokens_out))
                .where(*_usage_conditions(filters)).group_by(usage_dim, U.model).order_by(usage_dim, U.model)):
            g = group(value)
            g["calls"] += int(n or 0)
            g["tokens_in"] += int(t_in or 0)
            g["tokens_out"] += int(t_out or 0)
            dollars = _cost(table, model, int(t_in or 0), int(t_out or 0))
            if dollars is None:
                g["unpriced"].add(model)
            else:
                g["cost"] += dollars

    rows = []
    for g in groups.values():
        docs = g["documents"]
        rows.append({
            "value": g["value"], "documents": docs, "documents_with_faults": g["documents_with_faults"],
            "faults": g["faults"], "fault_rate": _ratio(g["documents_with_faults"], docs),
            "timeout_rate": _ratio(g.get("documents_with_timeouts", 0), docs),
            "output_chars_per_second": _ratio(g.get("chars", 0), g.get("seconds", 0.0)),
            "ttft_mean": g.get("ttft_mean"), "calls_per_document": _ratio(g["calls"], docs),
            "resume_attempts": g["resume_attempts"],
            "resume_success_rate": _ratio(g["resume_successes"], g["resume_attempts"]),
            "calls": g["calls"], "tokens_in": g["tokens_in"], "tokens_out": g["tokens_out"],
            "estimated_cost": round(g["cost"], 6), "cost_per_document": None if not docs else round(g["cost"] / docs, 6),
            "unpriced_models": sorted(g["unpriced"]),
        })
    return sorted(rows, key=lambda r: (-r["documents"], str(r["value"])))


def _bucket(column, size: int, dialect: str):
    """floor(column / size) * size: the start of the UTC hour or day (epoch times are positive)."""
    if dialect == "sqlite":
        return cast(column / size, Integer) * size  # CAST truncates toward zero: floor for positive times
    return func.floor(column / size) * size


def _in_range(column, f: Filters) -> list:
    conds = []
    if f.start is not None:
        conds.append(column >= f.start)
    if f.end is not None:
        conds.append(column < f.end)
    return conds


def series(store, filters: Filters, bucket: str = "day") -> list[dict]:
    """Per UTC hour or day: documents, faults by kind, resume attempts and successes; see the module docstring."""
    if bucket not in BUCKETS:
        raise ValueError(f"Unknown bucket {bucket!r}; expected one of {', '.join(BUCKETS)}.")
    size = BUCKETS[bucket]
    f = filters
    dialect = store._engine.dialect.name
    rows: dict[int, dict] = {}

    def row(b) -> dict:
        return rows.setdefault(int(b), {"documents": 0, "faults": 0, "by_kind": {}, "resume_attempts": 0,
                                        "resume_successes": 0})

    with _read(store) as conn, conn.begin():
        b = _bucket(Document.created_at, size, dialect).label("b")
        for key, n in conn.execute(select(b, func.count()).where(*_conditions(f)).group_by(b)):
            row(key)["documents"] = n
        b = _bucket(Fault.detected_at, size, dialect).label("b")
        for key, kind, n in conn.execute(_events(select(b, Fault.kind, func.count()), Fault, f)
                                         .where(*_in_range(Fault.detected_at, f)).group_by(b, Fault.kind)):
            r = row(key)
            r["by_kind"][kind] = n
            r["faults"] += n
        b = _bucket(Resume.requested_at, size, dialect).label("b")
        for key, n, ok in conn.execute(_events(select(b, func.count(), func.sum(_true(Resume.succeeded))),
                                               Resume, f)
                                       .where(*_in_range(Resume.requested_at, f)).group_by(b)):
            row(key).update(resume_attempts=n, resume_successes=int(ok or 0))

    if not rows:
        return []
    kinds = list(_ordered_kinds({k: 1 for r in rows.values() for k in r["by_kind"]}))
    out = []
    for key in range(min(rows), max(rows) + size, size):
        r = rows.get(key) or {"documents": 0, "faults": 0, "by_kind": {}, "resume_attempts": 0, "resume_successes": 0}
        entry = {"bucket": float(key), "start": _iso(key), "documents": r["documents"], "faults": r["faults"]}
        entry.update({f"faults_{k}": r["by_kind"].get(k, 0) for k in kinds})
        entry.update(resume_attempts=r["resume_attempts"], resume_successes=r["resume_successes"],
                     resume_success_rate=_ratio(r["resume_successes"], r["resume_attempts"]))
        out.append(entry)
    return out


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- capped row lists --------------------------------------------------------------------------

def resume_times(store, filters: Filters, limit: int = 5000) -> list[dict]:
    """The resumes `resume_time` measures (auto flag and seconds), newest first, at most `limit` (for a histogram)."""
    # Newest first by walking the requested_at index (the cohort's time bounds as `created_at + 0`, so that the
    # planner does not read the whole range by created_at and sort it), at most `limit` rows.
    query = (select(R.auto, R.seconds, R.detected_at)
             .where(*_where(filters, R.created_at + 0, R.mode, R.model, R.provider, R.doc_type))
             .order_by(R.requested_at.desc(), R.resume_id.desc()).limit(limit))
    with _read(store) as conn, conn.begin():
        return [{"auto": bool(auto), "seconds": s, "detected_at": at} for auto, s, at in conn.execute(query)]


def ttft_and_throughput(store, filters: Filters, limit: int = 5000) -> list[dict]:
    """Per document (newest first, at most `limit`): time to first token and output characters per second."""
    # The newest rows of the per-document rollup (created_at index): never every document's attempts.
    query = (select(S.document_id, S.created_at, S.mode, S.model, S.ttft, S.output_chars, S.attempt_seconds,
                    S.provider)
             .where(*_stat_conditions(filters)).order_by(S.created_at.desc(), S.document_id.desc()).limit(limit))
    with _read(store) as conn, conn.begin():
        return [{"id": id, "created_at": created, "mode": mode, "model": model, "ttft": ttft,
                 "output_chars": int(chars or 0), "chars_per_second": _ratio(chars or 0, secs),
                 "engine": engine_label(provider, model)}
                for id, created, mode, model, ttft, chars, secs, provider in conn.execute(query)]


TEMPLATE_ENGINE = "Template engine (offline, not AI)"


def engine_label(provider: str | None, model: str | None) -> str:
    """How people name what wrote a draft: the offline template engine, or the model by name. Template drafts
    stream as fast as the machine allows (millions of characters a second at full speed) and cost nothing,
    model drafts a few hundred characters a second at a price, so their figures are never pooled."""
    if provider == "offline":
        return TEMPLATE_ENGINE
    return f"{model or 'unknown model'} (model)"


def by_engine(store, filters: Filters, within: str | None = None, *, prices: PriceTable | None = None) -> list[dict]:
    """by_dimension over (provider, primary model): one row per engine, most documents first, with its label
    (`engine`), `provider` and `model`; with `within` (a DIMENSIONS name), one row per engine and value of it,
    that value under the dimension's name."""
    rows = []
    for provider in filter_options(store)["providers"]:
        if filters.providers and provider not in filters.providers:
            continue
        scoped = replace(filters, providers=(provider,))
        for row in by_dimension(store, scoped, "model", prices=prices):
            engine = {"provider": provider, "model": row["value"], "engine": engine_label(provider, row["value"])}
            if within is None:
                rows.append({**row, **engine})
                continue
            for sub in by_dimension(store, replace(scoped, models=(row["value"],)), within, prices=prices):
                rows.append({**sub, **engine, within: sub["value"]})
    return sorted(rows, key=lambda r: (-r["documents"], r["engine"], str(r.get(within or "engine"))))


def latest_faulted(store, filters: Filters, limit: int = 20) -> list[dict]:
    """Cohort documents with at least one fault, newest first."""
    query = (select(S.document_id, S.created_at, S.status, S.mode, S.model, S.faults,
                    S.resumes_auto + S.resumes_manual)
             .where(*_stat_conditions(filters), S.has_fault == 1)
             .order_by(S.created_at.desc(), S.document_id.desc()).limit(limit))
    with _read(store) as conn, conn.begin():
        return [{"id": id, "created_at": at, "status": status, "mode": mode, "model": model, "faults": nf, "resumes": nr}
                for id, at, status, mode, model, nf, nr in conn.execute(query)]


# --- comparison and options ------------------------------------------------------------------------

def compare(store, filters: Filters, *, prices: PriceTable | None = None) -> dict:
    """KPIs of [start, end) and of the previous period of equal length, and their change; {} without both bounds."""
    if filters.start is None or filters.end is None:
        return {}
    length = filters.end - filters.start
    previous = replace(filters, start=filters.start - length, end=filters.start)
    with _read(store) as conn, conn.begin():
        table = _prices(prices)
        now, before = _kpis(conn, filters, table), _kpis(conn, previous, table)
    return {"start": filters.start, "end": filters.end, "previous_start": previous.start, "previous_end": previous.end,
            "current": now, "previous": before, "change": _change(now, before)}


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _change(a: dict, b: dict) -> dict:
    """current - previous for every figure; a key on one side only is a count that was 0 on the other
    (a fault kind, a status); lists and flags are not figures and are left out."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys([*a, *b]):
        x, y = a.get(key, 0), b.get(key, 0)
        if isinstance(x, dict) or isinstance(y, dict):
            out[key] = _change(x or {}, y or {})
        elif x is None or y is None:
            out[key] = None
        elif _number(x) and _number(y):
            out[key] = x - y
    return out


def filter_options(store) -> dict:
    """What the filters can choose from: distinct values of the documents, and the range of created_at."""
    with _read(store) as conn, conn.begin():
        def distinct_of(column) -> list[str]:
            return list(conn.scalars(select(column).distinct().order_by(column)))

        first, last = conn.execute(select(func.min(Document.created_at), func.max(Document.created_at))).one()
        return {"modes": distinct_of(Document.mode), "models": distinct_of(Document.model),
                "providers": distinct_of(Document.provider), "doc_types": distinct_of(Document.doc_type),
                "min_created_at": first, "max_created_at": last}




# --- command line helpers ------------------------------------------------------------------------

def day_range(since: str | None, until: str | None) -> tuple[float | None, float | None]:
    """[since 00:00 UTC, the day after `until` 00:00 UTC): both days included. Dates are YYYY-MM-DD."""
    problems, bounds = [], []
    for flag, value, extra in (("--since", since, 0.0), ("--until", until, 86400.0)):
        if value is None:
            bounds.append(None)
            continue
        try:
            day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            problems.append(f"{flag} takes a date written YYYY-MM-DD (UTC), not \u201c{value}\u201d.")
            bounds.append(None)
            continue
        bounds.append(day.timestamp() + extra)
    start, end = bounds
    if not problems and start is not None and end is not None and start >= end:
        problems.append(f"--since ({since}) must not be after --until ({until}).")
    if problems:
        from .errors import InputError
        raise InputError(problems)
    return start, end


def _seconds(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:,.2f} s"


def _percent(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _stat_line(s: dict) -> str:
    if not s["n"]:
        return "no data"
    return f"mean {_seconds(s['mean'])} · p50 {_seconds(s['p50'])} · p95 {_seconds(s['p95'])} (n={s['n']:,})"


def format_kpis(k: dict, breakdown: list[dict] | None = None, title: str = "",
                engines: list[dict] | None = None) -> str:
    """The KPIs as a readable table (what `contractgen metrics` prints); `engines` (by_engine rows) adds one line
    per engine, since the template engine's speed and cost are not a model's."""
    lines = [title] if title else []

    def row(label: str, value: str) -> None:
        lines.append(f"{label:<26}{value}")

    statuses = ", ".join(f"{s} {n:,}" for s, n in k["documents_by_status"].items())
    row("Documents", f"{k['documents']:,}" + (f"  ({statuses})" if statuses else ""))
    row("Fault rate", f"{_percent(k['fault_rate'])}  ({k['documents_with_faults']:,} of {k['documents']:,} "
                      f"documents had a fault of any kind)")
    timeouts = k["documents_by_fault_kind"]["timeout"]
    row("Timeout rate", f"{_percent(k['fault_rate_by_kind']['timeout'])}  ({timeouts:,} of {k['documents']:,} "
                        f"documents had a timeout)")
    per100 = "-" if k["faults_per_100_documents"] is None else f"{k['faults_per_100_documents']:.1f}"
    row("Faults", f"{k['faults']:,}  ({per100} per 100 documents)")
    if k["faults_by_kind"]:
        row("  by kind", " · ".join(f"{FAULT_LABELS.get(kind, kind)} {n:,}" for kind, n in k["faults_by_kind"].items()))
    row("Resume success rate", f"{_percent(k['resume_success_rate'])}  ({k['resume_successes']:,} of "
                               f"{k['resume_attempts']:,} resumes delivered new text)")
    row("Recovery rate", f"{_percent(k['recovery_rate'])}  (faulted documents that completed)")
    row("Resume time, automatic", _stat_line(k["resume_time"]["auto"]))
    row("Resume time, manual", _stat_line(k["resume_time"]["manual"]) + ("  (includes the person's wait)"
                                                                         if k["resume_time"]["manual"]["n"] else ""))
    row("Time to first token", _stat_line(k["time_to_first_token"]))
    row("Duration (completed)", _stat_line(k["duration"]))
    cps = k["output_chars_per_second"]
    row("Output", "-" if cps is None else f"{cps:,.0f} characters/s while streaming")
    per_doc = "" if k["calls_per_document"] is None else f"  ({k['calls_per_document']:.2f} per document)"
    row("Calls", f"{k['calls']:,}{per_doc}")
    row("Tokens", f"in {k['tokens_in']:,} / out {k['tokens_out']:,}" + (" (estimated)" if k["tokens_estimated"] else ""))
    cost = f"${k['estimated_cost']:,.4f}"
    if k["cost_per_document"] is not None:
        cost += f"  (${k['cost_per_document']:.6f} per document)"
    if k["unpriced_models"]:
        cost += f"; unpriced, counted $0: {', '.join(k['unpriced_models'])}"
    row("Estimated cost", cost)
    if engines:
        lines.append("")
        lines.append(f"{'engine':<36}{'documents':>10}{'faulted':>9}{'chars/s':>11}{'first text':>12}{'cost/doc':>11}")
        for r in engines:
            first = "-" if r["ttft_mean"] is None else _seconds(r["ttft_mean"])
            lines.append(f"{r['engine'][:35]:<36}{r['documents']:>10,}{_percent(r['fault_rate']):>9}"
                         f"{(r['output_chars_per_second'] or 0):>11,.0f}{first:>12}{(r['cost_per_document'] or 0):>11.6f}")
    if breakdown:
        lines.append("")
        lines.append(f"{'mode':<10}{'documents':>10}{'faulted':>9}{'calls':>8}{'tokens in':>12}{'tokens out':>12}"
                     f"{'cost':>11}{'per doc':>11}")
        for r in breakdown:
            lines.append(f"{str(r['value']):<10}{r['documents']:>10,}{_percent(r['fault_rate']):>9}{r['calls']:>8,}"
                         f"{r['tokens_in']:>12,}{r['tokens_out']:>12,}{r['estimated_cost']:>11.4f}"
                         f"{(r['cost_per_document'] or 0):>11.6f}")
    return "\n".join(lines)


# --- seams ----------------------------------------------------------------------------------------

def seam_quality(store, filters: Filters = Filters()) -> dict:
    """How continuations joined the kept text, for the cohort's documents: seams by join (exact, each
    repaired kind, unverified), by strategy, and characters dropped. One GROUP BY over `seams`."""
    from .seam import JOINS, REPAIRED
    from .storage import SeamRow

    query = (select(SeamRow.join_kind, SeamRow.strategy, func.count(), func.sum(SeamRow.dropped),
                    func.sum(_true(SeamRow.resume_id.is_not(None))))
             .select_from(SeamRow).join(Document, Document.id == SeamRow.document_id)
             .where(*_conditions(filters)).group_by(SeamRow.join_kind, SeamRow.strategy))
    by_join = {j: 0 for j in JOINS}
    by_strategy: dict[str, dict] = {}
    total = dropped = resumes = 0
    with _read(store) as conn, conn.begin():
        for join, strategy, n, chars, on_resume in conn.execute(query):
            by_join[join] = by_join.get(join, 0) + n
            entry = by_strategy.setdefault(strategy, {"seams": 0, "joined": 0})
            entry["seams"] += n
            entry["joined"] += 0 if join == "unverified" else n
            total, dropped, resumes = total + n, dropped + int(chars or 0), resumes + int(on_resume or 0)
    repaired = sum(by_join[j] for j in REPAIRED)
    for entry in by_strategy.values():
        entry["joined_rate"] = _ratio(entry["joined"], entry["seams"])
    return {"seams": total, "on_resumes": resumes, "exact": by_join["exact"], "repaired": repaired,
            "unverified": by_join["unverified"], "joined_rate": _ratio(total - by_join["unverified"], total),
            "dropped_chars": dropped, "by_join": by_join, "by_strategy": by_strategy}


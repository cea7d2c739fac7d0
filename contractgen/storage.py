"""Durable record of every document, attempt, fault, resume and checkpoint.

SQLite by default (WAL, synchronous=NORMAL, foreign keys on, 5 s busy timeout); any SQLAlchemy URL
works, PostgreSQL first (postgresql+psycopg://, the `postgres` extra: migrations
serialized by an advisory lock, pooled connections pinged before use; the tests
run on both engines). A URL is shown only through `shown_url` (no password).
Every method opens its own short transaction, so generation worker threads and
the page can share one `Store`. Times are UTC epoch seconds
(floats), so durations are plain subtractions in SQL. Methods return frozen
dataclasses, never ORM objects.

Schema (migration `m001_initial` and those after it; applied migrations are recorded by name in
`migrations(name, applied_at)`, and a new one is added as `m00N_...` below):

documents    id (str pk), doc_type, status (pending|streaming|resuming|
             interrupted|completed|failed|expired|cancelled|paused), mode (stream|
             chunks|sections), provider, model, request_json (form answers),
             settings_json (non-secret generation settings), error, parent_id
             (-> documents, SET NULL), created_at, updated_at, completed_at,
             length (characters stored so far), owner ("host:pid" of the
             process generating it; migration m002), warnings (JSON list of
             sentences: structure problems and unverified seams of a draft
             that completed anyway; m006), lease_until (the writer's lease:
             its `owner` may write until then; NULL once released) and
             stop_requested ("cancel" or "pause" asked by any process; the
             writer's heartbeat reads it) (m007).
             Indexes: created_at, updated_at, status, mode, model, parent_id.
checkpoints  id, document_id (-> documents, CASCADE), seq (0..), text (the
             text appended since the previous checkpoint), at. Unique
             (document_id, seq). The document's text is the concatenation of
             its checkpoints by seq: append-only, never rewritten.
attempts     id, document_id (CASCADE), kind (initial|resume|fallback|
             continue_length|chunk|section), model, provider, started_at,
             first_token_at, ended_at, start_offset, output_chars,
             prompt_tokens, completion_tokens, tokens_estimated, outcome
             (completed|fault|cancelled, NULL while running), finish_reason.
             Indexes: document_id, kind, model, started_at; (document_id,
             started_at) (m004).
faults       id, document_id (CASCADE), attempt_id (-> attempts, SET NULL),
             kind (timeout|connection|rate_limit|server_error|truncated|
             malformed|length|fatal), message, retryable, detected_at, offset
             (document length at detection).
             Indexes: document_id, attempt_id, kind, detected_at; (document_id,
             kind) (m004).
resumes      id, document_id (CASCADE), fault_id (SET NULL), attempt_id (the
             resumed attempt, SET NULL), auto, detected_at (the fault's
             detection time, copied so "fault -> first new token" includes a
             person's wait before a manual resume), requested_at (= detected_at
             when automatic, the click time when manual), recorded_at,
             first_token_at (first NEW token after the seam), delivered_chars,
             succeeded (delivered new text).
             Indexes: document_id, fault_id, attempt_id, requested_at;
             (document_id, auto) (m004).
sections     id, document_id (CASCADE), number, title, subsections_json
             ([{number, title, text}]), completed_at. Unique (document_id,
             number). Migration m003.
seams        (m006) one row per continuation that joined kept text (a
             resume or a "length" continuation): id, document_id (CASCADE),
             attempt_id (SET NULL), resume_id (SET NULL; NULL for length
             continuations), strategy (prefill|completion|instruct), join_kind
             (exact|repeat|restart_sentence|restart_paragraph|restart_section|
             restart_document|fuzzy|preamble|unverified), dropped (characters
             of the continuation not kept), preamble (of which commentary),
             inserted (separator added), similarity, offset (document
             position of the join), excerpt (text around it, the join marked
             ⟦⟧), at. A resume is `succeeded` only when its seam joined
             (anything but unverified). Indexes: document_id, at, join_kind.
document_stats  (m005) one row per document, kept for the monitoring
             metrics: document_id (pk, CASCADE), the document's created_at,
             status, mode, model, provider, doc_type, completed_at copied, and
             its aggregates: faults, has_fault, faults_<kind> for each kind,
             resumes_auto(_succeeded), resumes_manual(_succeeded),
             first_started_at (min attempts.started_at), first_token_at (min),
             ttft (first_token_at - first_started_at, NULL without a token),
             duration (completed_at - created_at when completed, else NULL),
             output_chars and attempt_seconds (over ended attempts), calls,
             tokens_in, tokens_out (estimated as costs.summarize does),
             tokens_estimated (0/1). Indexes: created_at; (mode, created_at);
             (model, created_at); covering (ttft, created_at, mode, model,
             provider, doc_type) and (duration, status, created_at, mode,
             model, provider, doc_type) for percentiles.
document_model_usage  (m005) per document and attempt model: calls,
             tokens_in, tokens_out, with the document's created_at, mode,
             primary_model, provider, doc_type copied for the filters. Pk
             (document_id, model); index created_at. Cost is not stored: the
             metrics price these tokens at query time, so price edits apply.
resume_stats  (m005) one row per resume with a first new token: resume_id
             (pk), document_id (CASCADE), auto (0/1), seconds (first_token_at -
             detected_at), detected_at, requested_at, and the document's
             created_at, mode, model, provider, doc_type copied. Indexes:
             document_id, requested_at, created_at; covering (auto, seconds,
             created_at, mode, model, provider, doc_type) for percentiles.
             All three are recomputed from a document's events (`_refresh_stats`:
             DELETE + INSERT ... SELECT) in the transaction of every Store
             write that changes what the metrics see (create_document,
             set_status, start_attempt, end_attempt, record_fault,
             record_resume, resume_delivered, and the bulk status changes of
             mark_interrupted and cleanup); `refresh_stats(id)` / `backfill_stats()` after
             writing rows around the Store. m005 backfills existing history.
batches      (m008) one bulk-drafting run of a sheet: id (str pk), created_at,
             updated_at, source (the sheet's file name), settings_json (non-
             secret generation settings, the concurrency and export formats),
             status (BATCH_STATUSES: running|stopped|finished), owner and
             lease_until (the process running its rows, renewed while it runs:
             a batch whose runner died is resumed by `contractgen batch resume`
             or the page's button). Index created_at.
batch_rows   (m008) one per sheet row: batch_id (-> batches, CASCADE), row
             (the sheet's row number; pk with batch_id), doc_type,
             request_json (the row's answers as read), problems_json (JSON
             [[field, sentence]] when invalid, else NULL), status
             (BATCH_ROW_STATUSES: queued|invalid|skipped|linked|failed),
             document_id (the row's draft, reserved BEFORE the draft is created
             so that a process killed in between never drafts a row twice; no
             foreign key for that reason), error (why a row could not start).
             Index document_id. A linked row's progress is its document's.
call_parts   (m009) the text of the calls of a parallel draft (sections or
             chunks mode, `--parallel K` > 1) that are not yet part of the
             document's text: document_id (CASCADE), call_index (0-based;
             pk with document_id), text (the call's text so far, rewritten at
             the checkpoint cadence; emptied once merged), finished (the call
             completed), merged (its text was appended to `checkpoints`, in
             order: calls merge only after every call before them),
             updated_at. A crash or a resume continues every unfinished call
             from its row; the checkpoints stay the document's text in order.

No API key is ever stored: settings named like a credential (api_key, *_key,
token, *_token, secret, password) are refused.
"""

from __future__ import annotations

import json
import re
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import (or_, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, create_engine, delete, event, func, insert, make_url, select, update)
from sqlalchemy import text as sql_text
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from .errors import InputError, LeaseLost

STATUSES = ("pending", "streaming", "resuming", "interrupted", "completed", "failed", "expired", "cancelled", "paused")
LIVE = ("pending", "streaming", "resuming")  # a worker thread owns the document
# Stopped, and may be resumed by hand. "paused" is not LIVE: no worker owns it, so a restarted app never
# takes a paused draft over as dead; it waits for a person (until it expires like any unfinished draft).
RESUMABLE = ("interrupted", "failed", "cancelled", "paused")
UNFINISHED = LIVE + RESUMABLE  # may still be resumed, until it expires
# Ended without its text: what a person is told failed (and may retry). "cancelled" and "paused" are stops made on
# purpose, not failures: resumable, counted as stopped (e.g. a stopped batch's drafts, which `batch resume` finishes).
ENDED_BADLY = ("failed", "expired")
STOPPED = ("cancelled", "paused")
# What each status is called on screen (one place, so the pages agree).
STATUS_LABELS = {"pending": "waiting", "streaming": "writing", "resuming": "resuming", "interrupted": "interrupted",
                 "completed": "completed", "failed": "failed", "expired": "expired", "cancelled": "stopped",
                 "paused": "paused"}
MODES = ("stream", "chunks", "sections")
ATTEMPT_KINDS = ("initial", "resume", "fallback", "continue_length", "chunk", "section")
OUTCOMES = ("completed", "fault", "cancelled")
FAULT_KINDS = ("timeout", "connection", "rate_limit", "server_error", "truncated", "malformed", "length", "fatal")
# What each kind is called on screen, in exports and on the monitoring page (one place, so they agree).
FAULT_LABELS = {"timeout": "timeout", "connection": "connection reset", "rate_limit": "rate limit (429)",
                "server_error": "server error", "truncated": "stream cut", "malformed": "malformed chunk",
                "length": "length limit", "fatal": "unrecoverable error"}
# A setting *named* like a credential ("api_key", "OPENAI_API_KEY", "token", "client_secret",
# "password") is refused; names that merely mention a word ("first_token_timeout",
# "max_tokens") are settings, not secrets.
SECRET_NAME = re.compile(r"(^|_)(api_?key|key|token|secret|password|passwd|credentials?)$|api_?key", re.IGNORECASE)
RESTARTED = "The application restarted while this document was being generated."
BATCH_STATUSES = ("running", "stopped", "finished")  # a batch: its rows are being run; stopped by hand or died; done
# A sheet row: waiting to be drafted; invalid (the batch waits for a fix or an explicit skip); skipped (invalid, left
# out on purpose); linked (its draft's id is reserved or in use: the draft's status is the row's); failed (it could
# not even start, e.g. a setting the provider refuses).
BATCH_ROW_STATUSES = ("queued", "invalid", "skipped", "linked", "failed")
SQLITE_BUSY_MS = 15000
SERVER_WAIT = 30.0  # seconds a database server that is full or restarting is waited for when opening it
# A server that answers but cannot take this connection now. "Connection refused" is not in it: nothing
# listening is far more often a wrong URL than a restart, and it is said at once.
_TRANSIENT = re.compile(r"too many (clients|connections)|connection slots are reserved|starting up|shutting down|"
                        r"server closed the connection|terminating connection", re.IGNORECASE)
SQLITE_LOCK_WAIT = 60.0  # seconds a writer keeps asking for SQLite's write lock before the caller sees "locked"
LEASE_SECONDS = 15.0  # a writer silent this long (dead process, container or machine) may be taken over


@dataclass(frozen=True)
class Lease:
    """A writer's claim on a draft: `owner` (host:pid:token, unique per process) may write it while its lease
    runs; each fenced write renews it by `seconds`."""
    owner: str
    seconds: float = LEASE_SECONDS


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"Unknown {what} {value!r}; expected one of {', '.join(allowed)}.")


def _refuse_secrets(settings: object, path: str = "settings") -> None:
    """Walk nested dicts/lists: a key can hide in a fallback model's settings too."""
    if isinstance(settings, Mapping):
        for name, value in settings.items():
            if SECRET_NAME.search(str(name)):
                # Name the key, never echo its value.
                raise ValueError(f"{path}.{name} looks like a secret; API keys and tokens are never stored.")
            _refuse_secrets(value, f"{path}.{name}")
    elif isinstance(settings, (list, tuple)):
        for i, value in enumerate(settings):
            _refuse_secrets(value, f"{path}[{i}]")


# --- ORM models: the schema as it is now (after every migration) ---------------------------------

class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    mode: Mapped[str] = mapped_column(String(16), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128), index=True)
    request_json: Mapped[str] = mapped_column(Text)
    settings_json: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    updated_at: Mapped[float] = mapped_column(Float, index=True)
    completed_at: Mapped[float | None] = mapped_column(Float)
    length: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(128))  # "host:pid" of the process generating it (m002)
    warnings: Mapped[str | None] = mapped_column(Text)  # JSON list (m006)
    lease_until: Mapped[float | None] = mapped_column(Float)  # m007: the owner's lease; NULL when released
    stop_requested: Mapped[str | None] = mapped_column(String(16))  # m007: "cancel" or "pause", asked by any process


class Checkpoint(Base):
    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("document_id", "seq", name="uq_checkpoints_document_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[float] = mapped_column(Float)


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_document_id_started_at", "document_id", "started_at"),)  # m004
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    model: Mapped[str] = mapped_column(String(128), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[float] = mapped_column(Float, index=True)
    first_token_at: Mapped[float | None] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)
    start_offset: Mapped[int] = mapped_column(Integer)
    output_chars: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    tokens_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(16))
    finish_reason: Mapped[str | None] = mapped_column(String(32))


class Fault(Base):
    __tablename__ = "faults"
    __table_args__ = (Index("ix_faults_document_id_kind", "document_id", "kind"),)  # m004
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    message: Mapped[str] = mapped_column(Text)
    retryable: Mapped[bool] = mapped_column(Boolean)
    detected_at: Mapped[float] = mapped_column(Float, index=True)
    offset: Mapped[int] = mapped_column(Integer)


class Resume(Base):
    __tablename__ = "resumes"
    __table_args__ = (Index("ix_resumes_document_id_auto", "document_id", "auto"),)  # m004
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    fault_id: Mapped[int | None] = mapped_column(ForeignKey("faults.id", ondelete="SET NULL"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"), index=True)
    auto: Mapped[bool] = mapped_column(Boolean)
    detected_at: Mapped[float] = mapped_column(Float)
    requested_at: Mapped[float] = mapped_column(Float, index=True)
    recorded_at: Mapped[float] = mapped_column(Float)
    first_token_at: Mapped[float | None] = mapped_column(Float)
    delivered_chars: Mapped[int] = mapped_column(Integer, default=0)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class SectionRow(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_sections_document_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    subsections_json: Mapped[str] = mapped_column(Text)
    completed_at: Mapped[float] = mapped_column(Float)


class SeamRow(Base):
    """How one continuation joined the kept text (m006)."""
    __tablename__ = "seams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    resume_id: Mapped[int | None] = mapped_column(ForeignKey("resumes.id", ondelete="SET NULL"))
    strategy: Mapped[str] = mapped_column(String(16))
    join_kind: Mapped[str] = mapped_column(String(24), index=True)
    dropped: Mapped[int] = mapped_column(Integer)
    preamble: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[str] = mapped_column(String(8))
    similarity: Mapped[float | None] = mapped_column(Float)
    offset: Mapped[int] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(Text)
    at: Mapped[float] = mapped_column(Float, index=True)


class Batch(Base):
    """One bulk-drafting run of a sheet (m008)."""
    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    updated_at: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    settings_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[float | None] = mapped_column(Float)


class BatchRow(Base):
    """One row of a batch's sheet (m008)."""
    __tablename__ = "batch_rows"
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    request_json: Mapped[str] = mapped_column(Text)
    problems_json: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[str | None] = mapped_column(String(32), index=True)
    error: Mapped[str | None] = mapped_column(Text)


class CallPart(Base):
    """The text of one call of a parallel draft, until it joins the document's text in order (m009)."""
    __tablename__ = "call_parts"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    call_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    finished: Mapped[bool] = mapped_column(Boolean)
    merged: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[float] = mapped_column(Float)


# Covering indexes that walk a statistic in order (a percentile is LIMIT 1 OFFSET k on them) with the filter
# columns at hand, so that no row is sorted nor looked up (m005).
_PERCENTILE_INDEX = {"ttft": ("ttft", "created_at", "mode", "model", "provider", "doc_type"),
                     "duration": ("duration", "status", "created_at", "mode", "model", "provider", "doc_type")}
_RESUME_INDEX = ("auto", "seconds", "created_at", "mode", "model", "provider", "doc_type")


class DocumentStats(Base):
    """Per-document rollup of the events the monitoring KPIs read (m005); see `_refresh_stats`."""
    __tablename__ = "document_stats"
    __table_args__ = (Index("ix_document_stats_mode_created_at", "mode", "created_at"),
                      Index("ix_document_stats_model_created_at", "model", "created_at"),
                      Index("ix_document_stats_ttft", *_PERCENTILE_INDEX["ttft"]),
                      Index("ix_document_stats_duration", *_PERCENTILE_INDEX["duration"]))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    status: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(32))
    doc_type: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[float | None] = mapped_column(Float)
    faults: Mapped[int] = mapped_column(Integer)
    has_fault: Mapped[int] = mapped_column(Integer)
    faults_timeout: Mapped[int] = mapped_column(Integer)
    faults_connection: Mapped[int] = mapped_column(Integer)
    faults_rate_limit: Mapped[int] = mapped_column(Integer)
    faults_server_error: Mapped[int] = mapped_column(Integer)
    faults_truncated: Mapped[int] = mapped_column(Integer)
    faults_malformed: Mapped[int] = mapped_column(Integer)
    faults_length: Mapped[int] = mapped_column(Integer)
    faults_fatal: Mapped[int] = mapped_column(Integer)
    resumes_auto: Mapped[int] = mapped_column(Integer)
    resumes_auto_succeeded: Mapped[int] = mapped_column(Integer)
    resumes_manual: Mapped[int] = mapped_column(Integer)
    resumes_manual_succeeded: Mapped[int] = mapped_column(Integer)
    first_started_at: Mapped[float | None] = mapped_column(Float)
    first_token_at: Mapped[float | None] = mapped_column(Float)
    ttft: Mapped[float | None] = mapped_column(Float)
    duration: Mapped[float | None] = mapped_column(Float)
    output_chars: Mapped[int] = mapped_column(Integer)
    attempt_seconds: Mapped[float] = mapped_column(Float)
    calls: Mapped[int] = mapped_column(Integer)
    tokens_in: Mapped[int] = mapped_column(Integer)
    tokens_out: Mapped[int] = mapped_column(Integer)
    tokens_estimated: Mapped[int] = mapped_column(Integer)


class DocumentModelUsage(Base):
    """Per document and attempt model: calls and tokens, priced live by the metrics (m005)."""
    __tablename__ = "document_model_usage"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    mode: Mapped[str] = mapped_column(String(16))
    primary_model: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(32))
    doc_type: Mapped[str] = mapped_column(String(64))
    calls: Mapped[int] = mapped_column(Integer)
    tokens_in: Mapped[int] = mapped_column(Integer)
    tokens_out: Mapped[int] = mapped_column(Integer)


class ResumeStats(Base):
    """One row per resume that delivered a first new token, with its resume time and its document's filter
    columns (m005): resume-time percentiles walk (auto, seconds) in order."""
    __tablename__ = "resume_stats"
    __table_args__ = (Index("ix_resume_stats_auto_seconds", *_RESUME_INDEX),)
    resume_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    auto: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[float] = mapped_column(Float)
    requested_at: Mapped[float] = mapped_column(Float, index=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    mode: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(32))
    doc_type: Mapped[str] = mapped_column(String(64))


# --- Migrations --------------------------------------------------------------------------------
# Each migration is frozen once released: m001 spells out its own DDL instead of
# calling Base.metadata.create_all, so that when m002 adds a column to a model a
# blank database still goes m001 -> m002 exactly like an old one does.

MIGRATIONS = []
_MIGRATION_LOCK = 0x636F6E7472616374  # PostgreSQL advisory lock key serializing migrations ("contract")
_migrations = Table("migrations", MetaData(), Column("name", String(255), primary_key=True),
                    Column("applied_at", Float, nullable=False))


def migration(fn):
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(conn) -> None:
    md = MetaData()

    def fk(target: str, ondelete: str, nullable: bool = False) -> Column:
        return Column(f"{target[:-1]}_id", ForeignKey(f"{target}.id", ondelete=ondelete), nullable=nullable)

    def real(name: str, nullable: bool = False) -> Column:
        return Column(name, Float, nullable=nullable)

    Table("documents", md, Column("id", String(32), primary_key=True), Column("doc_type", String(64), nullable=False),
          Column("status", String(16), nullable=False), Column("mode", String(16), nullable=False),
          Column("provider", String(32), nullable=False), Column("model", String(128), nullable=False),
          Column("request_json", Text, nullable=False), Column("settings_json", Text, nullable=False),
          Column("error", Text), Column("parent_id", String(32), ForeignKey("documents.id", ondelete="SET NULL")),
          real("created_at"), real("updated_at"), real("completed_at", True), Column("length", Integer, nullable=False),
          *[Index(f"ix_documents_{c}", c) for c in ("created_at", "updated_at", "status", "mode", "model", "parent_id")])
    Table("checkpoints", md, Column("id", Integer, primary_key=True), fk("documents", "CASCADE"),
          Column("seq", Integer, nullable=False), Column("text", Text, nullable=False), real("at"),
          UniqueConstraint("document_id", "seq", name="uq_checkpoints_document_seq"))
    Table("attempts", md, Column("id", Integer, primary_key=True), fk("documents", "CASCADE"),
          Column("kind", String(32), nullable=False), Column("model", String(128), nullable=False),
          Column("provider", String(32), nullable=False), real("started_at"), real("first_token_at", True),
          real("ended_at", True), Column("start_offset", Integer, nullable=False),
          Column("output_chars", Integer, nullable=False), Column("prompt_tokens", Integer),
          Column("completion_tokens", Integer), Column("tokens_estimated", Boolean, nullable=False),
          Column("outcome", String(16)), Column("finish_reason", String(32)),
          *[Index(f"ix_attempts_{c}", c) for c in ("document_id", "kind", "model", "started_at")])
    Table("faults", md, Column("id", Integer, primary_key=True), fk("documents", "CASCADE"),
          fk("attempts", "SET NULL", True), Column("kind", String(32), nullable=False),
          Column("message", Text, nullable=False), Column("retryable", Boolean, nullable=False), real("detected_at"),
          Column("offset", Integer, nullable=False),
          *[Index(f"ix_faults_{c}", c) for c in ("document_id", "attempt_id", "kind", "detected_at")])
    Table("resumes", md, Column("id", Integer, primary_key=True), fk("documents", "CASCADE"),
          fk("faults", "SET NULL", True), fk("attempts", "SET NULL", True), Column("auto", Boolean, nullable=False),
          real("detected_at"), real("requested_at"), real("recorded_at"), real("first_token_at", True),
          Column("delivered_chars", Integer, nullable=False), Column("succeeded", Boolean, nullable=False),
          *[Index(f"ix_resumes_{c}", c) for c in ("document_id", "fault_id", "attempt_id", "requested_at")])
    md.create_all(conn)


@migration
def m002_document_owner(conn) -> None:
    # Which process generates a document, so that a process starting up marks
    # as interrupted only the documents of processes that are gone, never the
    # live work of another process sharing the database (the app and the CLI).
    conn.execute(sql_text("ALTER TABLE documents ADD COLUMN owner VARCHAR(128)"))


@migration
def m003_sections(conn) -> None:
    # The document structure every mode produces, stored as each section completes.
    md = MetaData()
    Table("documents", md, Column("id", String(32), primary_key=True))  # for the foreign key only; exists already
    sections = Table("sections", md, Column("id", Integer, primary_key=True),
          Column("document_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
          Column("number", Integer, nullable=False), Column("title", Text, nullable=False),
          Column("subsections_json", Text, nullable=False), Column("completed_at", Float, nullable=False),
          UniqueConstraint("document_id", "number", name="uq_sections_document_number"),
          Index("ix_sections_document_id", "document_id"))
    md.create_all(conn, tables=[sections])


@migration
def m004_metrics_indexes(conn) -> None:
    # The monitoring queries join each event table to the documents selected by
    # created_at: these let them find a document's faults by kind, resumes by
    # type and attempts in order (the nearest later attempt for token estimates)
    # from the index alone.
    for name, table, columns in (("ix_faults_document_id_kind", "faults", "document_id, kind"),
                                 ("ix_resumes_document_id_auto", "resumes", "document_id, auto"),
                                 ("ix_attempts_document_id_started_at", "attempts", "document_id, started_at")):
        conn.execute(sql_text(f"CREATE INDEX {name} ON {table} ({columns})"))


@migration
def m005_document_stats(conn) -> None:
    # Per-document rollups, so that the monitoring KPIs read one row per document
    # instead of re-reading every attempt, fault and resume of the cohort. The
    # store refreshes a document's rows in the transaction of every write that
    # changes what the metrics see; this backfills the existing history.
    md = MetaData()
    Table("documents", md, Column("id", String(32), primary_key=True))  # for the foreign key only; exists already

    def doc_fk() -> Column:
        return Column("document_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)

    def ints(*names: str) -> list[Column]:
        return [Column(n, Integer, nullable=False) for n in names]

    stats = Table("document_stats", md, doc_fk(), Column("created_at", Float, nullable=False),
                  Column("status", String(16), nullable=False), Column("mode", String(16), nullable=False),
                  Column("model", String(128), nullable=False), Column("provider", String(32), nullable=False),
                  Column("doc_type", String(64), nullable=False), Column("completed_at", Float),
                  *ints("faults", "has_fault", *[f"faults_{k}" for k in FAULT_KINDS], "resumes_auto",
                        "resumes_auto_succeeded", "resumes_manual", "resumes_manual_succeeded"),
                  Column("first_started_at", Float), Column("first_token_at", Float), Column("ttft", Float),
                  Column("duration", Float), *ints("output_chars"), Column("attempt_seconds", Float, nullable=False),
                  *ints("calls", "tokens_in", "tokens_out", "tokens_estimated"),
                  Index("ix_document_stats_created_at", "created_at"),
                  Index("ix_document_stats_mode_created_at", "mode", "created_at"),
                  Index("ix_document_stats_model_created_at", "model", "created_at"),
                  Index("ix_document_stats_ttft", *_PERCENTILE_INDEX["ttft"]),
                  Index("ix_document_stats_duration", *_PERCENTILE_INDEX["duration"]))
    usage = Table("document_model_usage", md, doc_fk(), Column("model", String(128), primary_key=True),
                  Column("created_at", Float, nullable=False), Column("mode", String(16), nullable=False),
                  Column("primary_model", String(128), nullable=False), Column("provider", String(32), nullable=False),
                  Column("doc_type", String(64), nullable=False), *ints("calls", "tokens_in", "tokens_out"),
                  Index("ix_document_model_usage_created_at", "created_at"))
    resumes = Table("resume_stats", md, Column("resume_id", Integer, primary_key=True),
                    Column("document_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
                    Column("auto", Integer, nullable=False), Column("seconds", Float, nullable=False),
                    Column("detected_at", Float, nullable=False), Column("requested_at", Float, nullable=False),
                    Column("created_at", Float, nullable=False), Column("mode", String(16), nullable=False),
                    Column("model", String(128), nullable=False), Column("provider", String(32), nullable=False),
                    Column("doc_type", String(64), nullable=False),
                    Index("ix_resume_stats_document_id", "document_id"),
                    Index("ix_resume_stats_requested_at", "requested_at"),
                    Index("ix_resume_stats_created_at", "created_at"),
                    Index("ix_resume_stats_auto_seconds", *_RESUME_INDEX))
    md.create_all(conn, tables=[stats, usage, resumes])
    backfill_stats(conn)


@migration
def m006_seams(conn) -> None:
    md = MetaData()
    Table("documents", md, Column("id", String(32), primary_key=True))  # for the foreign keys only; exist already
    Table("attempts", md, Column("id", Integer, primary_key=True))
    Table("resumes", md, Column("id", Integer, primary_key=True))
    seams = Table("seams", md, Column("id", Integer, primary_key=True),
                  Column("document_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
                  Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="SET NULL")),
                  Column("resume_id", Integer, ForeignKey("resumes.id", ondelete="SET NULL")),
                  Column("strategy", String(16), nullable=False), Column("join_kind", String(24), nullable=False),
                  Column("dropped", Integer, nullable=False), Column("preamble", Integer, nullable=False),
                  Column("inserted", String(8), nullable=False), Column("similarity", Float),
                  Column("offset", Integer, nullable=False), Column("excerpt", Text, nullable=False),
                  Column("at", Float, nullable=False),
                  Index("ix_seams_document_id", "document_id"), Index("ix_seams_join_kind", "join_kind"),
                  Index("ix_seams_at", "at"))
    md.create_all(conn, tables=[seams])
    conn.execute(sql_text("ALTER TABLE documents ADD COLUMN warnings TEXT"))


@migration
def m007_leases(conn) -> None:
    # Each draft's writer holds a lease renewed as it writes; every write of a worker is fenced by it.
    conn.execute(sql_text("ALTER TABLE documents ADD COLUMN lease_until FLOAT"))
    conn.execute(sql_text("ALTER TABLE documents ADD COLUMN stop_requested VARCHAR(16)"))


@migration
def m008_batches(conn) -> None:
    # Bulk drafting: a sheet's rows, each linked to its draft, so a batch survives a refresh, a restart or a kill.
    md = MetaData()
    batches = Table("batches", md, Column("id", String(32), primary_key=True),
                    Column("created_at", Float, nullable=False), Column("updated_at", Float, nullable=False),
                    Column("source", Text, nullable=False), Column("settings_json", Text, nullable=False),
                    Column("status", String(16), nullable=False), Column("owner", String(128)),
                    Column("lease_until", Float), Index("ix_batches_created_at", "created_at"))
    rows = Table("batch_rows", md,
                 Column("batch_id", String(32), ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True),
                 Column("row", Integer, primary_key=True), Column("doc_type", String(64), nullable=False),
                 Column("request_json", Text, nullable=False), Column("problems_json", Text),
                 Column("status", String(16), nullable=False), Column("document_id", String(32)),
                 Column("error", Text), Index("ix_batch_rows_document_id", "document_id"))
    md.create_all(conn, tables=[batches, rows])


@migration
def m009_call_parts(conn) -> None:
    # Parallel sections: each call's text is kept on its own until every call before it is done, so that a crash
    # or a resume continues every unfinished call, while `checkpoints` stays the document's text in order.
    md = MetaData()
    Table("documents", md, Column("id", String(32), primary_key=True))  # for the foreign key only; exists already
    parts = Table("call_parts", md,
                  Column("document_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
                  Column("call_index", Integer, primary_key=True), Column("text", Text, nullable=False),
                  Column("finished", Boolean, nullable=False), Column("merged", Boolean, nullable=False),
                  Column("updated_at", Float, nullable=False))
    md.create_all(conn, tables=[parts])


# The rollups' definitions, in SQL (SQLite and PostgreSQL). A per-attempt view of the token
# estimates, exactly as costs.summarize and the metrics define them: completion tokens when
# stored, else ceil(output_chars / 4); prompt tokens when stored, else those of the nearest
# later attempt of the same document (by started_at, id) that has them, else 0.
_ATTEMPT_TOKENS = """
SELECT x.document_id, x.model, x.started_at, x.first_token_at, x.ended_at, x.output_chars,
       COALESCE(x.prompt_tokens,
                (SELECT l.prompt_tokens FROM attempts l
                 WHERE l.document_id = x.document_id AND l.prompt_tokens IS NOT NULL
                   AND (l.started_at > x.started_at OR (l.started_at = x.started_at AND l.id > x.id))
                 ORDER BY l.started_at, l.id LIMIT 1), 0) AS tokens_in,
       COALESCE(x.completion_tokens, (x.output_chars + 3) / 4) AS tokens_out,  -- costs.CHARS_PER_TOKEN = 4
       CASE WHEN x.tokens_estimated OR x.prompt_tokens IS NULL OR x.completion_tokens IS NULL THEN 1 ELSE 0 END
           AS estimated
FROM attempts x {where}"""

_STATS_INSERT = """
INSERT INTO document_stats (document_id, created_at, status, mode, model, provider, doc_type, completed_at,
    faults, has_fault, {fault_columns}, resumes_auto, resumes_auto_succeeded, resumes_manual,
    resumes_manual_succeeded, first_started_at, first_token_at, ttft, duration, output_chars, attempt_seconds, calls,
    tokens_in, tokens_out, tokens_estimated)
SELECT d.id, d.created_at, d.status, d.mode, d.model, d.provider, d.doc_type, d.completed_at,
    COALESCE(f.n, 0), CASE WHEN f.n > 0 THEN 1 ELSE 0 END, {fault_values},
    COALESCE(r.auto_n, 0), COALESCE(r.auto_ok, 0), COALESCE(r.manual_n, 0), COALESCE(r.manual_ok, 0),
    a.first_started_at, a.first_token_at, a.first_token_at - a.first_started_at,
    CASE WHEN d.status = 'completed' THEN d.completed_at - d.created_at END, COALESCE(a.output_chars, 0),
    COALESCE(a.attempt_seconds, 0.0), COALESCE(a.calls, 0), COALESCE(a.tokens_in, 0), COALESCE(a.tokens_out, 0),
    COALESCE(a.estimated, 0)
FROM documents d
LEFT JOIN (SELECT document_id, COUNT(*) AS n, {fault_sums} FROM faults {where} GROUP BY document_id) f
    ON f.document_id = d.id
LEFT JOIN (SELECT document_id,
                  SUM(CASE WHEN auto THEN 1 ELSE 0 END) AS auto_n,
                  SUM(CASE WHEN auto AND succeeded THEN 1 ELSE 0 END) AS auto_ok,
                  SUM(CASE WHEN auto THEN 0 ELSE 1 END) AS manual_n,
                  SUM(CASE WHEN NOT auto AND succeeded THEN 1 ELSE 0 END) AS manual_ok
           FROM resumes {where} GROUP BY document_id) r ON r.document_id = d.id
LEFT JOIN (SELECT document_id, MIN(started_at) AS first_started_at, MIN(first_token_at) AS first_token_at,
                  SUM(CASE WHEN ended_at IS NOT NULL THEN output_chars ELSE 0 END) AS output_chars,
                  SUM(CASE WHEN ended_at IS NOT NULL THEN ended_at - started_at ELSE 0.0 END) AS attempt_seconds,
                  COUNT(*) AS calls, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out,
                  MAX(estimated) AS estimated
           FROM ({tokens}) t GROUP BY document_id) a ON a.document_id = d.id
{document_where}
ORDER BY d.created_at, d.id"""

_USAGE_INSERT = """
INSERT INTO document_model_usage (document_id, model, created_at, mode, primary_model, provider, doc_type, calls,
    tokens_in, tokens_out)
SELECT d.id, t.model, d.created_at, d.mode, d.model, d.provider, d.doc_type, COUNT(*), SUM(t.tokens_in),
    SUM(t.tokens_out)
FROM ({tokens}) t JOIN documents d ON d.id = t.document_id
GROUP BY d.id, t.model, d.created_at, d.mode, d.model, d.provider, d.doc_type
ORDER BY d.created_at, d.id, t.model"""


_RESUMES_INSERT = """
INSERT INTO resume_stats (resume_id, document_id, auto, seconds, detected_at, requested_at, created_at, mode, model,
    provider, doc_type)
SELECT r.id, r.document_id, CASE WHEN r.auto THEN 1 ELSE 0 END, r.first_token_at - r.detected_at, r.detected_at,
    r.requested_at, d.created_at, d.mode, d.model, d.provider, d.doc_type
FROM resumes r JOIN documents d ON d.id = r.document_id
WHERE r.first_token_at IS NOT NULL {where}
ORDER BY d.created_at, r.id"""


def _rollup_sql(where: str, document_where: str) -> tuple[str, ...]:
    tokens = _ATTEMPT_TOKENS.format(where=where.replace("document_id", "x.document_id"))
    stats = _STATS_INSERT.format(
        fault_columns=", ".join(f"faults_{k}" for k in FAULT_KINDS),
        fault_values=", ".join(f"COALESCE(f.n_{k}, 0)" for k in FAULT_KINDS),
        fault_sums=", ".join(f"SUM(CASE WHEN kind = '{k}' THEN 1 ELSE 0 END) AS n_{k}" for k in FAULT_KINDS),
        where=where, tokens=tokens, document_where=document_where)
    return (stats, _USAGE_INSERT.format(tokens=tokens),
            _RESUMES_INSERT.format(where=where.replace("WHERE document_id", "AND r.document_id")))


_REFRESH_ONE = _rollup_sql("WHERE document_id = :id", "WHERE d.id = :id")
_BACKFILL = _rollup_sql("", "")


def backfill_stats(conn) -> None:
    """Rebuild `document_stats`, `document_model_usage` and `resume_stats` from the events (one statement each).

    For data written around the Store (a bulk load): run it in a write transaction afterwards."""
    for table in ("resume_stats", "document_model_usage", "document_stats"):
        conn.execute(sql_text(f"DELETE FROM {table}"))
    for statement in _BACKFILL:
        conn.execute(sql_text(statement))


def _refresh_stats(conn, document_id: str) -> None:
    """Recompute one document's rollup rows from its events, inside the caller's transaction."""
    for table in ("resume_stats", "document_model_usage", "document_stats"):
        conn.execute(sql_text(f"DELETE FROM {table} WHERE document_id = :id"), {"id": document_id})
    for statement in _REFRESH_ONE:
        conn.execute(sql_text(statement), {"id": document_id})


def _sync_status(conn, ids) -> None:
    """Recompute the rollup rows of documents whose status changed in bulk (mark_interrupted, cleanup)."""
    for id in ids:
        _refresh_stats(conn, id)


# --- Records returned to callers ---------------------------------------------------------------

@dataclass(frozen=True)
class DocumentRecord:
    id: str
    doc_type: str
    status: str
    mode: str
    provider: str
    model: str
    request: dict
    settings: dict
    error: str | None
    parent_id: str | None
    created_at: float
    updated_at: float
    completed_at: float | None
    length: int
    owner: str | None
    warnings: list[str]
    lease_until: float | None
    stop_requested: str | None
    text: str
    faults: int
    resumes: int


@dataclass(frozen=True)
class AttemptRecord:
    id: int
    document_id: str
    kind: str
    model: str
    provider: str
    started_at: float
    first_token_at: float | None
    ended_at: float | None
    start_offset: int
    output_chars: int
    prompt_tokens: int | None
    completion_tokens: int | None
    tokens_estimated: bool
    outcome: str | None
    finish_reason: str | None


@dataclass(frozen=True)
class FaultRecord:
    id: int
    document_id: str
    attempt_id: int | None
    kind: str
    message: str
    retryable: bool
    detected_at: float
    offset: int


@dataclass(frozen=True)
class SeamRecord:
    id: int
    document_id: str
    attempt_id: int | None
    resume_id: int | None
    strategy: str
    join_kind: str
    dropped: int
    preamble: int
    inserted: str
    similarity: float | None
    offset: int
    excerpt: str
    at: float


@dataclass(frozen=True)
class ResumeRecord:
    id: int
    document_id: str
    fault_id: int | None
    attempt_id: int | None
    auto: bool
    detected_at: float
    requested_at: float
    recorded_at: float
    first_token_at: float | None
    delivered_chars: int
    succeeded: bool


@dataclass(frozen=True)
class BatchRecord:
    id: str
    created_at: float
    updated_at: float
    source: str
    settings: dict
    status: str
    owner: str | None
    lease_until: float | None


@dataclass(frozen=True)
class BatchRowRecord:
    """A sheet row and, once linked, its draft as it now is (status, length, faults, warnings)."""
    batch_id: str
    row: int
    doc_type: str
    request: dict
    problems: list  # [[field, sentence]]; empty when the row is valid
    status: str  # BATCH_ROW_STATUSES
    document_id: str | None
    error: str | None  # why the row could not start
    doc_status: str | None  # None: not linked yet, or the draft is not created (yet) or was deleted
    doc_error: str | None
    length: int
    faults: int
    warnings: list
    created_at: float | None
    updated_at: float | None
    completed_at: float | None


def _record(cls, row, **extra):
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls) if f.name not in extra}, **extra)


def _make_parent(path: Path) -> None:
    """Create the database's folder, naming the regular file in the way (clearer than EEXIST)."""
    for folder in reversed([path.parent, *path.parent.parents]):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder} is a file, not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)


def shown_url(url: str) -> str:
    """A database URL as it may be printed or put in a message: the password and password-like query parameters
    masked (postgresql+psycopg://user:***@host/db). An unparseable one goes through config.safe_url, and is
    replaced as a whole if user info might remain in it."""
    from .config import INVALID_URL, _secret_name, safe_url

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        shown = safe_url(url)
        return INVALID_URL if shown is None or "@" in shown else shown
    secret = {name: "***" for name in parsed.query if _secret_name(name)}
    shown = (parsed.update_query_dict(secret) if secret else parsed).render_as_string(hide_password=True)
    return shown.replace("%2A%2A%2A", "***")


def _now(now: float | None) -> float:
    return time.time() if now is None else now


# Counted in the same SELECT as the documents (correlated subqueries): no N+1 on the list page.
_fault_count = select(func.count(Fault.id)).where(Fault.document_id == Document.id).correlate(Document).scalar_subquery()
_resume_count = select(func.count(Resume.id)).where(Resume.document_id == Document.id).correlate(Document).scalar_subquery()


class Store:
    def __init__(self, url: str):
        where, password = shown_url(url), None  # never the password: `where` goes into error messages
        self.where = where  # the database as it may be shown
        try:
            try:
                parsed = make_url(url)
            except ValueError as exc:  # e.g. a port that is not a number
                raise ArgumentError(f"Could not parse SQLAlchemy URL ({exc})") from exc
            password = parsed.password
            options: dict = {}
            if parsed.get_backend_name() == "sqlite":
                database = parsed.database or ""
                if database and database != ":memory:" and not database.startswith("file:"):
                    where = self.where = database
                    _make_parent(Path(database))
                options["connect_args"] = {"check_same_thread": False}
                if database in ("", ":memory:"):
                    options["poolclass"] = StaticPool  # one shared connection, or each thread sees its own empty DB
            else:
                # A server database: test each pooled connection before use, so that one dropped by a server
                # restart or an idle timeout is replaced instead of failing the next write.
                options["pool_pre_ping"] = True
            self._engine = create_engine(parsed, **options)
            if parsed.get_backend_name() == "sqlite":
                self._sqlite_hooks(self._engine)
            # Writers take SQLite's write lock up front (BEGIN IMMEDIATE): a deferred
            # transaction that reads and then writes fails at once with "database is
            # locked" when another thread wrote in between; busy_timeout can't help it.
            self._writer = self._engine.execution_options(contractgen_write=True)
            self._migrate_when_reachable()
        # Only what a wrong location or URL causes; any other error is a bug and propagates.
        except (OperationalError, ArgumentError, OSError, ImportError) as exc:
            if hasattr(self, "_engine"):
                self._engine.dispose()
            reason = str(exc.orig if isinstance(exc, DBAPIError) else exc)
            if "locked" in reason:
                raise InputError([f"The database at {where} stayed locked by other processes for over "
                                  f"{SQLITE_LOCK_WAIT:g} s; try again when they are done."]) from exc
            if password and len(password) >= 3:  # belt and braces: a driver message quoting its connection string
                reason = reason.replace(str(password), "***")
            if _TRANSIENT.search(reason) and hasattr(self, "_engine") and self._engine.dialect.name != "sqlite":
                raise InputError([f"The database server at {where} refused connections for {SERVER_WAIT:g} s "
                                  f"({reason.strip().splitlines()[0]}). Check that it is up and has free connection "
                                  "slots (max_connections), then try again."]) from exc
            raise InputError([f"Cannot open the database at {where}: {reason}. "
                              "Set CONTRACTGEN_DATABASE_URL or --db to a writable location."]) from exc
        except DatabaseError as exc:  # "file is not a database": a damaged file, or another program's
            self._engine.dispose()
            raise InputError([f"The file at {where} is not a contractgen database, or it is damaged ({exc.orig}); "
                              "nothing was written to it. Point --db at another file, or restore it from a backup."]) from exc

    @staticmethod
    def _sqlite_hooks(engine) -> None:
        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (SQLAlchemy's documented recipe)
            # Unicode case folding for the history search (SQLite's lower() and LIKE fold ASCII only).
            dbapi_conn.create_function("casefold", 1, lambda s: s.casefold() if isinstance(s, str) else s,
                                       deterministic=True)
            cursor = dbapi_conn.cursor()
            # busy_timeout: a writer waits this long for another's write lock (many processes on one file)
            # before the store's caller sees "database is locked" and retries (generation._db).
            # synchronous=NORMAL (with WAL): a commit is not fsynced; the WAL is synced at each checkpoint of the
            # log. A killed process loses nothing committed; a power loss or OS crash may lose the last commits
            # (never corrupts the file). See README, "Write cost and durability".
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", f"busy_timeout={SQLITE_BUSY_MS}"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            if not conn.get_execution_options().get("contractgen_write"):
                conn.exec_driver_sql("BEGIN")
                return
            # The write lock is taken here, before any statement, so waiting longer is always safe. Under many
            # writers (fifty processes on one file) SQLite's own busy wait can run out; keep waiting, bounded.
            deadline = time.monotonic() + SQLITE_LOCK_WAIT
            while True:
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                    return
                except OperationalError as exc:
                    if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

    def _migrate_when_reachable(self) -> None:
        """Migrate, waiting out a server that is busy or restarting (no free connection slot, starting up,
        refusing connections) for up to SERVER_WAIT seconds: a database fault like any other, not bad input."""
        deadline = time.monotonic() + SERVER_WAIT
        delay = 0.25
        while True:
            try:
                return self._migrate()
            except OperationalError as exc:
                transient = _TRANSIENT.search(str(exc.orig)) and self._engine.dialect.name != "sqlite"
                if not transient or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 4.0)

    def _migrate(self) -> None:
        # One write transaction, serialized: two processes starting at once apply each migration once. SQLite:
        # BEGIN IMMEDIATE (the writer) takes the write lock first. PostgreSQL: a transaction-scoped advisory lock
        # before anything is read, else both see no `migrations` table and both create it (UniqueViolation on
        # pg_type); DDL is transactional there, so the second process then sees every migration applied.
        with self._writer.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            _migrations.create(conn, checkfirst=True)
            done = set(conn.scalars(select(_migrations.c.name)))
            newer = sorted(done - {step.__name__ for step in MIGRATIONS})
            if newer:
                # Writing to a schema this version does not know could lose what the newer version stores.
                raise InputError([f"The database at {self.where} was migrated by a newer version of contractgen "
                                  f"({', '.join(newer)}); upgrade contractgen to use it, or point --db elsewhere."])
            for step in MIGRATIONS:
                if step.__name__ not in done:
                    step(conn)
                    conn.execute(insert(_migrations).values(name=step.__name__, applied_at=time.time()))

    def _session(self, write: bool = False) -> Session:
        return Session(self._writer if write else self._engine)

    @staticmethod
    def default_url(env: Mapping[str, str]) -> str:
        if env.get("CONTRACTGEN_DATABASE_URL"):
            return env["CONTRACTGEN_DATABASE_URL"]
        data = Path(os.getcwd()) / "data"
        try:
            data.mkdir(exist_ok=True)
        except OSError:
            pass  # Store() reports it as an InputError with the remedy
        return f"sqlite:///{data / 'contractgen.db'}"

    # --- documents ---

    def create_document(self, *, id: str, doc_type: str, request: dict, provider: str, model: str,
                        mode: str = "stream", settings: dict | None = None, parent_id: str | None = None,
                        status: str = "pending", lease: Lease | None = None, now: float | None = None) -> None:
        _check(status, STATUSES, "status")
        _check(mode, MODES, "mode")
        _refuse_secrets(settings or {})
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            s.add(Document(id=id, doc_type=doc_type, status=status, mode=mode, provider=provider, model=model,
                           request_json=json.dumps(request, ensure_ascii=False),
                           settings_json=json.dumps(settings or {}, ensure_ascii=False), parent_id=parent_id,
                           created_at=now, updated_at=now, completed_at=now if status == "completed" else None,
                           length=0, owner=lease.owner if lease else None,
                           lease_until=now + lease.seconds if lease else None))
            s.flush()
            _refresh_stats(s.connection(), id)

    def _touch(self, s: Session, id: str, now: float, lease: Lease | None = None, **values) -> None:
        """Update the document row; with a lease, only if its owner still holds it (the write is fenced), and
        renew it. Raise rather than write rows for a document deleted, or taken over, under a running worker."""
        query = update(Document).where(Document.id == id)
        if lease is not None:
            query = query.where(Document.owner == lease.owner)
            values.setdefault("lease_until", now + lease.seconds)
        if s.execute(query.values(updated_at=now, **values)).rowcount != 1:
            holder = s.execute(select(Document.owner).where(Document.id == id)).first()
            if holder is not None and lease is not None:
                raise LeaseLost(f"Draft {id} is now written by another process ({holder[0]}); this one stopped.")
            raise KeyError(f"No document {id!r}.")

    def set_status(self, id: str, status: str, *, error: str | None = None, warnings: list[str] | None = None,
                   lease: Lease | None = None, now: float | None = None) -> None:
        """`error` replaces the current one (None clears it); the history lives in `faults`. `warnings`
        (when given) replaces the draft's warnings. With `lease`, fenced; a status past LIVE releases it."""
        _check(status, STATUSES, "status")
        now = _now(now)
        values = {"status": status, "error": error}
        if lease is not None and status not in LIVE:
            values.update(lease_until=None, stop_requested=None)
        if warnings is not None:
            values["warnings"] = json.dumps(warnings, ensure_ascii=False) if warnings else None
        if status == "completed":
            values["completed_at"] = now
        with self._session(write=True) as s, s.begin():
            self._touch(s, id, now, lease, **values)
            _refresh_stats(s.connection(), id)

    def append_text(self, id: str, text: str, *, lease: Lease | None = None, now: float | None = None) -> None:
        if not text:
            return
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            # Update the document first: on a server database its row lock orders concurrent appends.
            self._touch(s, id, now, lease, length=Document.length + len(text))
            seq = s.scalar(select(func.coalesce(func.max(Checkpoint.seq) + 1, 0)).where(Checkpoint.document_id == id))
            s.add(Checkpoint(document_id=id, seq=seq, text=text, at=now))

    def text(self, id: str) -> str:
        with self._session() as s, s.begin():
            return "".join(s.scalars(select(Checkpoint.text).where(Checkpoint.document_id == id).order_by(Checkpoint.seq)))

    def get(self, id: str) -> DocumentRecord | None:
        with self._session() as s, s.begin():
            row = s.execute(select(Document, _fault_count, _resume_count).where(Document.id == id)).first()
            if row is None:
                return None
            text = "".join(s.scalars(select(Checkpoint.text).where(Checkpoint.document_id == id).order_by(Checkpoint.seq)))
            return self._document(*row, text=text)

    def list_documents(self, *, limit: int = 100, status: str | None = None, doc_type: str | None = None,
                       mode: str | None = None, search: str | None = None) -> list[DocumentRecord]:
        """Newest first. `search` matches the id or the form's answers (company, counterparty, ...)."""
        query = select(Document, _fault_count, _resume_count).order_by(Document.created_at.desc(), Document.id.desc())
        if status is not None:
            query = query.where(Document.status == status)
        if doc_type is not None:
            query = query.where(Document.doc_type == doc_type)
        if mode is not None:
            query = query.where(Document.mode == mode)
        if search:  # case-insensitive on every engine, accented letters included ("CAFÉ" finds "Café")
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            if self._engine.dialect.name != "sqlite":
                def match(column):
                    return column.ilike(pattern, escape="\\")
            elif search.isascii():  # SQLite's LIKE ignores the case of ASCII letters
                def match(column):
                    return column.like(pattern, escape="\\")
            else:  # ... and of no other: fold in Python (a scan of 100,000 drafts takes 0.1 s instead of 0.015 s)
                def match(column):
                    return func.casefold(column).like(func.casefold(pattern), escape="\\")
            query = query.where(match(Document.id) | match(Document.request_json))
        with self._session() as s, s.begin():
            return [self._document(*row, text="") for row in s.execute(query.limit(limit))]

    @staticmethod
    def _document(doc: Document, faults: int, resumes: int, *, text: str) -> DocumentRecord:
        return _record(DocumentRecord, doc, request=json.loads(doc.request_json), settings=json.loads(doc.settings_json),
                       text=text, faults=faults, resumes=resumes, warnings=json.loads(doc.warnings or "[]"))

    # --- attempts, faults, resumes ---

    def start_attempt(self, document_id: str, *, kind: str, model: str, provider: str, start_offset: int,
                      lease: Lease | None = None, now: float | None = None) -> int:
        _check(kind, ATTEMPT_KINDS, "attempt kind")
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            self._touch(s, document_id, now, lease)
            attempt = Attempt(document_id=document_id, kind=kind, model=model, provider=provider, started_at=now,
                              start_offset=start_offset, output_chars=0, tokens_estimated=False)
            s.add(attempt)
            s.flush()
            _refresh_stats(s.connection(), document_id)
            return attempt.id

    def end_attempt(self, attempt_id: int, *, outcome: str, output_chars: int, first_token_at: float | None,
                    finish_reason: str | None = None, prompt_tokens: int | None = None,
                    completion_tokens: int | None = None, tokens_estimated: bool = False,
                    lease: Lease | None = None, now: float | None = None) -> None:
        _check(outcome, OUTCOMES, "outcome")
        now = _now(now)
        values = dict(outcome=outcome, output_chars=output_chars, first_token_at=first_token_at, ended_at=now,
                      finish_reason=finish_reason, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                      tokens_estimated=tokens_estimated)
        with self._session(write=True) as s, s.begin():
            document_id = s.scalar(select(Attempt.document_id).where(Attempt.id == attempt_id))
            if lease is not None and document_id is not None:
                self._touch(s, document_id, now, lease)
            if s.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values)).rowcount != 1:
                raise KeyError(f"No attempt {attempt_id!r}.")
            _refresh_stats(s.connection(), document_id)

    def record_fault(self, document_id: str, *, attempt_id: int | None, kind: str, message: str, retryable: bool,
                     offset: int, lease: Lease | None = None, now: float | None = None) -> int:
        _check(kind, FAULT_KINDS, "fault kind")
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            self._touch(s, document_id, now, lease)
            fault = Fault(document_id=document_id, attempt_id=attempt_id, kind=kind, message=message,
                          retryable=retryable, detected_at=now, offset=offset)
            s.add(fault)
            s.flush()
            _refresh_stats(s.connection(), document_id)
            return fault.id

    def record_resume(self, document_id: str, *, fault_id: int | None, attempt_id: int | None, auto: bool,
                      requested_at: float, lease: Lease | None = None, now: float | None = None) -> int:
        with self._session(write=True) as s, s.begin():
            if lease is not None:
                self._touch(s, document_id, _now(now), lease)
            detected = s.scalar(select(Fault.detected_at).where(Fault.id == fault_id)) if fault_id is not None else None
            resume = Resume(document_id=document_id, fault_id=fault_id, attempt_id=attempt_id, auto=auto,
                            detected_at=requested_at if detected is None else detected, requested_at=requested_at,
                            recorded_at=_now(now), delivered_chars=0, succeeded=False)
            s.add(resume)
            s.flush()
            _refresh_stats(s.connection(), document_id)
            return resume.id

    def resume_delivered(self, resume_id: int, *, first_token_at: float, delivered_chars: int,
                         joined: bool = True, lease: Lease | None = None) -> None:
        """A resume delivered new text; it succeeded only if its seam joined (see `record_seam`)."""
        with self._session(write=True) as s, s.begin():
            if lease is not None:
                owner_of = s.scalar(select(Resume.document_id).where(Resume.id == resume_id))
                if owner_of is not None:
                    self._touch(s, owner_of, _now(None), lease)
            s.execute(update(Resume).where(Resume.id == resume_id).values(
                first_token_at=first_token_at, delivered_chars=delivered_chars,
                succeeded=delivered_chars > 0 and joined))
            document_id = s.scalar(select(Resume.document_id).where(Resume.id == resume_id))
            if document_id is not None:
                _refresh_stats(s.connection(), document_id)

    def record_seam(self, document_id: str, *, attempt_id: int | None, resume_id: int | None, strategy: str,
                    join_kind: str, dropped: int, preamble: int = 0, inserted: str = "", similarity: float | None = None,
                    offset: int, excerpt: str = "", lease: Lease | None = None, now: float | None = None) -> int:
        with self._session(write=True) as s, s.begin():
            if lease is not None:
                self._touch(s, document_id, _now(now), lease)
            row = SeamRow(document_id=document_id, attempt_id=attempt_id, resume_id=resume_id, strategy=strategy,
                          join_kind=join_kind, dropped=dropped, preamble=preamble, inserted=inserted, similarity=similarity,
                          offset=offset, excerpt=excerpt, at=_now(now))
            s.add(row)
            s.flush()
            return row.id

    def seams(self, document_id: str) -> list[SeamRecord]:
        return self._rows(SeamRow, SeamRecord, document_id)

    def attempts(self, document_id: str) -> list[AttemptRecord]:
        return self._rows(Attempt, AttemptRecord, document_id)

    def faults(self, document_id: str) -> list[FaultRecord]:
        return self._rows(Fault, FaultRecord, document_id)

    def resumes(self, document_id: str) -> list[ResumeRecord]:
        return self._rows(Resume, ResumeRecord, document_id)

    def save_section(self, document_id: str, section: dict, *, lease: Lease | None = None,
                     now: float | None = None) -> None:
        """Store a completed section {number, title, subsections: [{number, title, text}]}; a later save replaces it."""
        with self._session(write=True) as s, s.begin():
            if lease is not None:
                self._touch(s, document_id, _now(now), lease)
            s.execute(delete(SectionRow).where(SectionRow.document_id == document_id,
                                               SectionRow.number == section["number"]))
            s.add(SectionRow(document_id=document_id, number=section["number"], title=section["title"],
                             subsections_json=json.dumps(section["subsections"], ensure_ascii=False),
                             completed_at=_now(now)))

    def checkpoint(self, id: str, *, text: str = "", sections: Sequence[dict] = (),
                   parts: Mapping[int, tuple[str, bool]] | None = None, merged: Sequence[int] = (),
                   start: Mapping | None = None, attempt: Mapping | None = None, lease: Lease | None = None,
                   now: float | None = None) -> int | None:
        """A draft's writes of one checkpoint in ONE transaction (one commit, where each used to be its own):
        the text appended since the last one, the sections completed since, the text of each parallel call
        {call_index: (text so far, finished)} and the calls merged into the text (m009), with `start` (start_attempt's
        keyword values, `now` its start time) the row of an attempt begun since, and with `attempt` ({"id": ... (None:
        the one `start` writes), and end_attempt's keyword values}) the end of an attempt and the document's rollups.
        Returns the id of the attempt `start` wrote, else None."""
        now = _now(now)
        started = None
        with self._session(write=True) as s, s.begin():
            # The document row first (fenced by the lease): on a server database its row lock orders writers.
            self._touch(s, id, now, lease, **({"length": Document.length + len(text)} if text else {}))
            if text:
                seq = s.scalar(select(func.coalesce(func.max(Checkpoint.seq) + 1, 0)).where(Checkpoint.document_id == id))
                s.add(Checkpoint(document_id=id, seq=seq, text=text, at=now))
            if start is not None:
                _check(start["kind"], ATTEMPT_KINDS, "attempt kind")
                row = Attempt(document_id=id, kind=start["kind"], model=start["model"], provider=start["provider"],
                              started_at=start["now"], start_offset=start["start_offset"], output_chars=0,
                              tokens_estimated=False)
                s.add(row)
                s.flush()
                started = row.id
            for section in sections:
                s.execute(delete(SectionRow).where(SectionRow.document_id == id, SectionRow.number == section["number"]))
                s.add(SectionRow(document_id=id, number=section["number"], title=section["title"],
                                 subsections_json=json.dumps(section["subsections"], ensure_ascii=False), completed_at=now))
            for index, (part, finished) in (parts or {}).items():
                values = dict(text=part, finished=finished, updated_at=now)
                if not s.execute(update(CallPart).where(CallPart.document_id == id, CallPart.call_index == index)
                                 .values(**values)).rowcount:
                    s.add(CallPart(document_id=id, call_index=index, merged=False, **values))
            if merged:
                s.flush()
                for index in merged:  # a call whose row was never written (it finished between two writes) gets one
                    if not s.execute(update(CallPart).where(CallPart.document_id == id, CallPart.call_index == index)
                                     .values(text="", finished=True, merged=True, updated_at=now)).rowcount:
                        s.add(CallPart(document_id=id, call_index=index, text="", finished=True, merged=True,
                                       updated_at=now))
            if attempt is not None:
                values = {k: v for k, v in attempt.items() if k != "id"}
                _check(values["outcome"], OUTCOMES, "outcome")
                attempt_id = attempt["id"] if attempt["id"] is not None else started
                if s.execute(update(Attempt).where(Attempt.id == attempt_id, Attempt.document_id == id)
                             .values(ended_at=now, **values)).rowcount != 1:
                    raise KeyError(f"No attempt {attempt_id!r}.")
            if attempt is not None or start is not None:
                s.flush()
                _refresh_stats(s.connection(), id)
        return started

    def parts(self, document_id: str) -> dict[int, tuple[str, bool, bool]]:
        """A parallel draft's calls as stored: {call_index: (text not yet merged, finished, merged)} (m009)."""
        with self._session() as s, s.begin():
            rows = s.scalars(select(CallPart).where(CallPart.document_id == document_id).order_by(CallPart.call_index))
            return {r.call_index: (r.text, bool(r.finished), bool(r.merged)) for r in rows}

    def sections(self, document_id: str) -> list[dict]:
        with self._session() as s, s.begin():
            rows = s.scalars(select(SectionRow).where(SectionRow.document_id == document_id).order_by(SectionRow.number))
            return [{"number": r.number, "title": r.title, "subsections": json.loads(r.subsections_json)} for r in rows]

    def _rows(self, model, cls, document_id: str) -> list:
        with self._session() as s, s.begin():
            return [_record(cls, r) for r in s.scalars(select(model).where(model.document_id == document_id).order_by(model.id))]

    def refresh_stats(self, document_id: str) -> None:
        """Recompute one document's `document_stats` and `document_model_usage` rows from its events, in one
        transaction. The store's own writes do it already; call it after changing rows around the Store."""
        with self._writer.begin() as conn:
            _refresh_stats(conn, document_id)

    def backfill_stats(self) -> None:
        """Rebuild every document's rollup rows (after a bulk load around the Store), in one transaction."""
        with self._writer.begin() as conn:
            backfill_stats(conn)

    # --- lifecycle ---

    def acquire(self, id: str, lease: Lease, *, expect: tuple[str, ...], status: str = "resuming",
                dead: Callable[[str | None], bool] = lambda owner: False, now: float | None = None) -> bool:
        """Take the draft for `lease.owner` in one conditional write: only if its status is one of `expect` and no
        other process holds a running lease (none, expired, or held by a process `dead` says is gone). The caller
        checks it won: of any number of processes racing, exactly one does. A taken-over draft's open attempts
        are closed (see `_close_dead_attempts`)."""
        now = _now(now)
        values = dict(owner=lease.owner, lease_until=now + lease.seconds, status=status, updated_at=now,
                      stop_requested=None, error=None)
        free = or_(Document.lease_until.is_(None), Document.lease_until < now, Document.owner == lease.owner)
        with self._session(write=True) as s, s.begin():
            won = s.execute(update(Document).where(Document.id == id, Document.status.in_(expect), free)
                            .values(**values)).rowcount == 1
            if not won:
                # A writer known to be dead (same host, its process gone) need not wait for its lease to run out.
                holder = s.execute(select(Document.owner).where(Document.id == id, Document.status.in_(expect))).first()
                if holder is not None and holder[0] and dead(holder[0]):
                    won = s.execute(update(Document).where(Document.id == id, Document.status.in_(expect),
                                                           Document.owner == holder[0]).values(**values)).rowcount == 1
            if won:
                self._close_dead_attempts(s, id, now)
                _refresh_stats(s.connection(), id)
            return won

    def renew(self, id: str, lease: Lease, *, now: float | None = None) -> tuple[bool, str | None]:
        """(still held, stop requested by any process) for the writer's heartbeat; renews the lease when held."""
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            held = s.execute(update(Document).where(Document.id == id, Document.owner == lease.owner,
                                                    Document.status.in_(LIVE))
                             .values(lease_until=now + lease.seconds)).rowcount == 1
            asked = s.scalar(select(Document.stop_requested).where(Document.id == id)) if held else None
            return held, asked

    def expired(self, *, now: float | None = None, limit: int = 10) -> list[str]:
        """Live drafts whose writer's lease ran out (oldest first): a dead process's drafts, for a takeover."""
        now = _now(now)
        query = (select(Document.id).where(Document.status.in_(LIVE),
                                           or_(Document.lease_until.is_(None), Document.lease_until < now))
                 .order_by(Document.updated_at).limit(limit))
        with self._session() as s, s.begin():
            if self._engine.dialect.name == "postgresql":
                # Rows another worker is taking over right now are skipped, not waited for; the conditional
                # write in `acquire` is what guarantees one winner.
                query = query.with_for_update(skip_locked=True)
            return list(s.scalars(query))

    def request_stop(self, id: str, what: str = "cancel", *, now: float | None = None) -> bool:
        """Ask the process writing a live draft, wherever it runs, to stop (its heartbeat reads the request)."""
        with self._session(write=True) as s, s.begin():
            return s.execute(update(Document).where(Document.id == id, Document.status.in_(LIVE))
                             .values(stop_requested=what, updated_at=_now(now))).rowcount == 1

    def lifecycle(self, id: str) -> tuple[str, str | None, str | None, float | None] | None:
        """(status, error, owner, lease_until) of a draft, without its text: cheap enough to poll."""
        with self._session() as s, s.begin():
            row = s.execute(select(Document.status, Document.error, Document.owner, Document.lease_until)
                            .where(Document.id == id)).first()
            return tuple(row) if row else None

    def checkpoints_after(self, id: str, seq: int) -> list[tuple[int, str]]:
        """Checkpoints from `seq` on, in order: how another process follows a draft live."""
        with self._session() as s, s.begin():
            return list(s.execute(select(Checkpoint.seq, Checkpoint.text)
                                  .where(Checkpoint.document_id == id, Checkpoint.seq >= seq).order_by(Checkpoint.seq)))

    @staticmethod
    def _close_dead_attempts(s: Session, id: str, now: float) -> None:
        """Attempts a dead writer left open end as faults, with the text they delivered as far as the checkpoints
        know (estimated tokens), so that `show` lists no attempt as running forever and usage is counted."""
        length, updated = s.execute(select(Document.length, Document.updated_at).where(Document.id == id)).one()
        for attempt in s.scalars(select(Attempt).where(Attempt.document_id == id, Attempt.outcome.is_(None))):
            out = max(0, length - attempt.start_offset)
            attempt.outcome, attempt.ended_at, attempt.output_chars = "fault", max(attempt.started_at, min(updated, now)), out
            attempt.completion_tokens = attempt.completion_tokens or (out + 3) // 4
            attempt.tokens_estimated = True

    def mark_interrupted(self, *, alive: Callable[[str | None], bool] = lambda owner: False,
                         now: float | None = None) -> list[str]:
        """Live documents whose owner process is gone become interrupted (no worker survives its process).

        updated_at moves to now, so the person gets the full expiry window to resume after the restart."""
        with self._session(write=True) as s, s.begin():
            rows = s.execute(select(Document.id, Document.owner).where(Document.status.in_(LIVE))).all()
            ids = [id for id, owner in rows if not alive(owner)]
            if ids:
                s.execute(update(Document).where(Document.id.in_(ids))
                          .values(status="interrupted", error=RESTARTED, updated_at=_now(now), lease_until=None))
                for id in ids:
                    self._close_dead_attempts(s, id, _now(now))
                _sync_status(s.connection(), ids)
            return ids

    def cleanup(self, *, now: float | None = None, expire_after: float = 24 * 3600,
                retention: float = 90 * 24 * 3600) -> tuple[int, int]:
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            # Delete first so the two counts never count the same document.
            deleted = s.execute(delete(Document).where(Document.updated_at < now - retention)).rowcount
            # updated_at is left alone: retention still counts from the last real activity.
            ids = list(s.scalars(select(Document.id).where(Document.status.in_(UNFINISHED),
                                                           Document.updated_at < now - expire_after)))
            for first in range(0, len(ids), 500):  # bound the IN list
                batch = ids[first:first + 500]
                s.execute(update(Document).where(Document.id.in_(batch)).values(status="expired"))
                _sync_status(s.connection(), batch)
            return len(ids), deleted

    def delete(self, id: str) -> bool:
        # Checkpoints, attempts, faults and resumes go with it (ON DELETE CASCADE, foreign_keys=ON).
        with self._session(write=True) as s, s.begin():
            return s.execute(delete(Document).where(Document.id == id)).rowcount == 1

    def family(self, id: str) -> list[DocumentRecord]:
        """Every version of a document: its root (following parent_id up) and all descendants, oldest first."""
        with self._session() as s, s.begin():
            root = id
            while (parent := s.scalar(select(Document.parent_id).where(Document.id == root))) is not None:
                root = parent
            ids, frontier = {root}, [root]
            while frontier:
                children = list(s.scalars(select(Document.id).where(Document.parent_id.in_(frontier))))
                frontier = [c for c in children if c not in ids]
                ids.update(frontier)
            rows = s.execute(select(Document, _fault_count, _resume_count).where(Document.id.in_(ids))
                             .order_by(Document.created_at, Document.id))
            return [self._document(*row, text="") for row in rows]

    # --- batches (bulk drafting, m008) ---

    def create_batch(self, *, id: str, source: str, settings: dict, rows: list[dict], now: float | None = None) -> None:
        """A batch and all its rows in one transaction: {row, doc_type, request, problems, status}."""
        _refuse_secrets(settings)
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            s.add(Batch(id=id, created_at=now, updated_at=now, source=source, status="stopped",
                        settings_json=json.dumps(settings, ensure_ascii=False)))
            s.flush()
            for r in rows:
                _check(r["status"], BATCH_ROW_STATUSES, "batch row status")
                s.add(BatchRow(batch_id=id, row=r["row"], doc_type=r["doc_type"], status=r["status"],
                               request_json=json.dumps(r["request"], ensure_ascii=False, default=str),
                               problems_json=json.dumps(r["problems"], ensure_ascii=False) if r.get("problems") else None))

    @staticmethod
    def _batch(b: Batch) -> BatchRecord:
        return _record(BatchRecord, b, settings=json.loads(b.settings_json))

    def get_batch(self, id: str) -> BatchRecord | None:
        with self._session() as s, s.begin():
            b = s.get(Batch, id)
            return self._batch(b) if b is not None else None

    def list_batches(self, *, limit: int = 20) -> list[BatchRecord]:
        """Newest first."""
        with self._session() as s, s.begin():
            return [self._batch(b) for b in s.scalars(select(Batch).order_by(Batch.created_at.desc()).limit(limit))]

    def batch_rows(self, batch_id: str) -> list[BatchRowRecord]:
        """Every row with its draft's progress, in one query (polled by the page and the CLI: no text read)."""
        query = (select(BatchRow, Document.status, Document.error, Document.length, _fault_count, Document.warnings,
                        Document.created_at, Document.updated_at, Document.completed_at)
                 .outerjoin(Document, Document.id == BatchRow.document_id)
                 .where(BatchRow.batch_id == batch_id).order_by(BatchRow.row))
        with self._session() as s, s.begin():
            return [BatchRowRecord(batch_id=r.batch_id, row=r.row, doc_type=r.doc_type, request=json.loads(r.request_json),
                                   problems=json.loads(r.problems_json or "[]"), status=r.status,
                                   document_id=r.document_id, error=r.error, doc_status=status, doc_error=error,
                                   length=length or 0, faults=faults or 0, warnings=json.loads(warnings or "[]"),
                                   created_at=created, updated_at=updated, completed_at=completed)
                    for r, status, error, length, faults, warnings, created, updated, completed in s.execute(query)]

    def link_batch_row(self, batch_id: str, row: int, document_id: str, *, now: float | None = None) -> str:
        """Reserve `document_id` for a row before its draft is created; the id the row holds afterwards (another
        runner's, if it linked the row first: a row is never drafted twice)."""
        with self._session(write=True) as s, s.begin():
            s.execute(update(BatchRow).where(BatchRow.batch_id == batch_id, BatchRow.row == row,
                                             BatchRow.document_id.is_(None))
                      .values(document_id=document_id, status="linked", error=None))
            s.execute(update(Batch).where(Batch.id == batch_id).values(updated_at=_now(now)))
            return s.scalar(select(BatchRow.document_id).where(BatchRow.batch_id == batch_id, BatchRow.row == row))

    def set_batch_row(self, batch_id: str, row: int, status: str, *, error: str | None = None,
                      document_id: str | None = None, unlink: bool = False) -> None:
        """A row's own status (a linked row's progress is its draft's); `unlink` forgets its draft (a retry anew)."""
        _check(status, BATCH_ROW_STATUSES, "batch row status")
        values: dict = {"status": status, "error": error}
        if document_id is not None or unlink:
            values["document_id"] = document_id
        with self._session(write=True) as s, s.begin():
            s.execute(update(BatchRow).where(BatchRow.batch_id == batch_id, BatchRow.row == row).values(**values))

    def claim_batch(self, id: str, lease: Lease, *, dead: Callable[[str | None], bool] = lambda owner: False,
                    now: float | None = None) -> bool:
        """Take a batch to run its unfinished rows, in one conditional write (as `acquire` for a draft): only if
        no other live process runs it. Of any number of processes racing, one wins."""
        now = _now(now)
        values = dict(owner=lease.owner, lease_until=now + lease.seconds, status="running", updated_at=now)
        free = or_(Batch.lease_until.is_(None), Batch.lease_until < now, Batch.owner == lease.owner)
        with self._session(write=True) as s, s.begin():
            if s.execute(update(Batch).where(Batch.id == id, free).values(**values)).rowcount == 1:
                return True
            holder = s.scalar(select(Batch.owner).where(Batch.id == id))
            return bool(holder and dead(holder) and s.execute(
                update(Batch).where(Batch.id == id, Batch.owner == holder).values(**values)).rowcount == 1)

    def renew_batch(self, id: str, lease: Lease, *, now: float | None = None) -> bool:
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            return s.execute(update(Batch).where(Batch.id == id, Batch.owner == lease.owner)
                             .values(lease_until=now + lease.seconds, updated_at=now)).rowcount == 1

    def release_batch(self, id: str, lease: Lease, status: str, *, now: float | None = None) -> None:
        _check(status, BATCH_STATUSES, "batch status")
        with self._session(write=True) as s, s.begin():
            s.execute(update(Batch).where(Batch.id == id, Batch.owner == lease.owner)
                      .values(status=status, lease_until=None, updated_at=_now(now)))

    def close(self) -> None:
        self._engine.dispose()

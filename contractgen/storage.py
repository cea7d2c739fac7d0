"""Durable record of every document, attempt, fault, resume and checkpoint.

SQLite by default (WAL, foreign keys on, 5 s busy timeout); any SQLAlchemy URL
works. Every method opens its own short transaction, so generation worker
threads and the page can share one `Store`. Times are UTC epoch seconds
(floats), so durations are plain subtractions in SQL. Methods return frozen
dataclasses, never ORM objects.

Schema (migration `m001_initial`; applied migrations are recorded by name in
`migrations(name, applied_at)`, and a new one is added as `m002_...` below):

documents    id (str pk), doc_type, status (pending|streaming|resuming|
             interrupted|completed|failed|expired|cancelled), mode (stream|
             chunks|sections), provider, model, request_json (form answers),
             settings_json (non-secret generation settings), error, parent_id
             (-> documents, SET NULL), created_at, updated_at, completed_at,
             length (characters stored so far), owner ("host:pid" of the
             process generating it; migration m002).
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

No API key is ever stored: settings named like a credential (api_key, *_key,
token, *_token, secret, password) are refused.
"""

from __future__ import annotations

import json
import re
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import (Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, create_engine, delete, event, func, insert, make_url, select, update)
from sqlalchemy import text as sql_text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from .errors import InputError

STATUSES = ("pending", "streaming", "resuming", "interrupted", "completed", "failed", "expired", "cancelled")
LIVE = ("pending", "streaming", "resuming")  # a worker thread owns the document
UNFINISHED = LIVE + ("interrupted", "failed", "cancelled")  # may still be resumed, until it expires
MODES = ("stream", "chunks", "sections")
ATTEMPT_KINDS = ("initial", "resume", "fallback", "continue_length", "chunk", "section")
OUTCOMES = ("completed", "fault", "cancelled")
FAULT_KINDS = ("timeout", "connection", "rate_limit", "server_error", "truncated", "malformed", "length", "fatal")
# A setting *named* like a credential ("api_key", "OPENAI_API_KEY", "token", "client_secret",
# "password") is refused; names that merely mention a word ("first_token_timeout",
# "max_tokens") are settings, not secrets.
SECRET_NAME = re.compile(r"(^|_)(api_?key|key|token|secret|password|passwd|credentials?)$|api_?key", re.IGNORECASE)
RESTARTED = "The application restarted while this document was being generated."


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


# --- Migrations --------------------------------------------------------------------------------
# Each migration is frozen once released: m001 spells out its own DDL instead of
# calling Base.metadata.create_all, so that when m002 adds a column to a model a
# blank database still goes m001 -> m002 exactly like an old one does.

MIGRATIONS = []
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


def _record(cls, row, **extra):
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls) if f.name not in extra}, **extra)


def _make_parent(path: Path) -> None:
    """Create the database's folder, naming the regular file in the way (clearer than EEXIST)."""
    for folder in reversed([path.parent, *path.parent.parents]):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder} is a file, not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)


def _now(now: float | None) -> float:
    return time.time() if now is None else now


# Counted in the same SELECT as the documents (correlated subqueries): no N+1 on the list page.
_fault_count = select(func.count(Fault.id)).where(Fault.document_id == Document.id).correlate(Document).scalar_subquery()
_resume_count = select(func.count(Resume.id)).where(Resume.document_id == Document.id).correlate(Document).scalar_subquery()


class Store:
    def __init__(self, url: str):
        where = url
        try:
            parsed = make_url(url)
            where = parsed.render_as_string(hide_password=True)
            options: dict = {}
            if parsed.get_backend_name() == "sqlite":
                database = parsed.database or ""
                if database and database != ":memory:" and not database.startswith("file:"):
                    where = database
                    _make_parent(Path(database))
                options["connect_args"] = {"check_same_thread": False}
                if database in ("", ":memory:"):
                    options["poolclass"] = StaticPool  # one shared connection, or each thread sees its own empty DB
            self._engine = create_engine(parsed, **options)
            if parsed.get_backend_name() == "sqlite":
                self._sqlite_hooks(self._engine)
            # Writers take SQLite's write lock up front (BEGIN IMMEDIATE): a deferred
            # transaction that reads and then writes fails at once with "database is
            # locked" when another thread wrote in between; busy_timeout can't help it.
            self._writer = self._engine.execution_options(contractgen_write=True)
            self._migrate()
        # Only what a wrong location or URL causes; any other error is a bug and propagates.
        except (OperationalError, ArgumentError, OSError, ImportError) as exc:
            if hasattr(self, "_engine"):
                self._engine.dispose()
            reason = exc.orig if isinstance(exc, DBAPIError) else exc
            raise InputError([f"Cannot open the database at {where}: {reason}. "
                              "Set CONTRACTGEN_DATABASE_URL or --db to a writable location."]) from exc

    @staticmethod
    def _sqlite_hooks(engine) -> None:
        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (SQLAlchemy's documented recipe)
            cursor = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("contractgen_write") else "BEGIN")

    def _migrate(self) -> None:
        # One write transaction: two processes starting at once apply each migration once.
        with self._writer.begin() as conn:
            _migrations.create(conn, checkfirst=True)
            done = set(conn.scalars(select(_migrations.c.name)))
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
                        status: str = "pending", now: float | None = None) -> None:
        _check(status, STATUSES, "status")
        _check(mode, MODES, "mode")
        _refuse_secrets(settings or {})
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            s.add(Document(id=id, doc_type=doc_type, status=status, mode=mode, provider=provider, model=model,
                           request_json=json.dumps(request, ensure_ascii=False),
                           settings_json=json.dumps(settings or {}, ensure_ascii=False), parent_id=parent_id,
                           created_at=now, updated_at=now, completed_at=now if status == "completed" else None,
                           length=0))

    def _touch(self, s: Session, id: str, now: float, **values) -> None:
        # Raise rather than write rows for a document deleted under a running worker.
        if s.execute(update(Document).where(Document.id == id).values(updated_at=now, **values)).rowcount != 1:
            raise KeyError(f"No document {id!r}.")

    def set_status(self, id: str, status: str, *, error: str | None = None, now: float | None = None) -> None:
        """`error` replaces the current one (None clears it); the history lives in `faults`."""
        _check(status, STATUSES, "status")
        now = _now(now)
        values = {"status": status, "error": error}
        if status == "completed":
            values["completed_at"] = now
        with self._session(write=True) as s, s.begin():
            self._touch(s, id, now, **values)

    def append_text(self, id: str, text: str, *, now: float | None = None) -> None:
        if not text:
            return
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            # Update the document first: on a server database its row lock orders concurrent appends.
            self._touch(s, id, now, length=Document.length + len(text))
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
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(Document.id.like(pattern, escape="\\") | Document.request_json.like(pattern, escape="\\"))
        with self._session() as s, s.begin():
            return [self._document(*row, text="") for row in s.execute(query.limit(limit))]

    @staticmethod
    def _document(doc: Document, faults: int, resumes: int, *, text: str) -> DocumentRecord:
        return _record(DocumentRecord, doc, request=json.loads(doc.request_json), settings=json.loads(doc.settings_json),
                       text=text, faults=faults, resumes=resumes)

    # --- attempts, faults, resumes ---

    def start_attempt(self, document_id: str, *, kind: str, model: str, provider: str, start_offset: int,
                      now: float | None = None) -> int:
        _check(kind, ATTEMPT_KINDS, "attempt kind")
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            self._touch(s, document_id, now)
            attempt = Attempt(document_id=document_id, kind=kind, model=model, provider=provider, started_at=now,
                              start_offset=start_offset, output_chars=0, tokens_estimated=False)
            s.add(attempt)
            s.flush()
            return attempt.id

    def end_attempt(self, attempt_id: int, *, outcome: str, output_chars: int, first_token_at: float | None,
                    finish_reason: str | None = None, prompt_tokens: int | None = None,
                    completion_tokens: int | None = None, tokens_estimated: bool = False,
                    now: float | None = None) -> None:
        _check(outcome, OUTCOMES, "outcome")
        values = dict(outcome=outcome, output_chars=output_chars, first_token_at=first_token_at, ended_at=_now(now),
                      finish_reason=finish_reason, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                      tokens_estimated=tokens_estimated)
        with self._session(write=True) as s, s.begin():
            if s.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values)).rowcount != 1:
                raise KeyError(f"No attempt {attempt_id!r}.")

    def record_fault(self, document_id: str, *, attempt_id: int | None, kind: str, message: str, retryable: bool,
                     offset: int, now: float | None = None) -> int:
        _check(kind, FAULT_KINDS, "fault kind")
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            self._touch(s, document_id, now)
            fault = Fault(document_id=document_id, attempt_id=attempt_id, kind=kind, message=message,
                          retryable=retryable, detected_at=now, offset=offset)
            s.add(fault)
            s.flush()
            return fault.id

    def record_resume(self, document_id: str, *, fault_id: int | None, attempt_id: int | None, auto: bool,
                      requested_at: float, now: float | None = None) -> int:
        with self._session(write=True) as s, s.begin():
            detected = s.scalar(select(Fault.detected_at).where(Fault.id == fault_id)) if fault_id is not None else None
            resume = Resume(document_id=document_id, fault_id=fault_id, attempt_id=attempt_id, auto=auto,
                            detected_at=requested_at if detected is None else detected, requested_at=requested_at,
                            recorded_at=_now(now), delivered_chars=0, succeeded=False)
            s.add(resume)
            s.flush()
            return resume.id

    def resume_delivered(self, resume_id: int, *, first_token_at: float, delivered_chars: int) -> None:
        with self._session(write=True) as s, s.begin():
            s.execute(update(Resume).where(Resume.id == resume_id).values(
                first_token_at=first_token_at, delivered_chars=delivered_chars, succeeded=delivered_chars > 0))

    def attempts(self, document_id: str) -> list[AttemptRecord]:
        return self._rows(Attempt, AttemptRecord, document_id)

    def faults(self, document_id: str) -> list[FaultRecord]:
        return self._rows(Fault, FaultRecord, document_id)

    def resumes(self, document_id: str) -> list[ResumeRecord]:
        return self._rows(Resume, ResumeRecord, document_id)

    def save_section(self, document_id: str, section: dict, *, now: float | None = None) -> None:
        """Store a completed section {number, title, subsections: [{number, title, text}]}; a later save replaces it."""
        with self._session(write=True) as s, s.begin():
            s.execute(delete(SectionRow).where(SectionRow.document_id == document_id,
                                               SectionRow.number == section["number"]))
            s.add(SectionRow(document_id=document_id, number=section["number"], title=section["title"],
                             subsections_json=json.dumps(section["subsections"], ensure_ascii=False),
                             completed_at=_now(now)))

    def sections(self, document_id: str) -> list[dict]:
        with self._session() as s, s.begin():
            rows = s.scalars(select(SectionRow).where(SectionRow.document_id == document_id).order_by(SectionRow.number))
            return [{"number": r.number, "title": r.title, "subsections": json.loads(r.subsections_json)} for r in rows]

    def _rows(self, model, cls, document_id: str) -> list:
        with self._session() as s, s.begin():
            return [_record(cls, r) for r in s.scalars(select(model).where(model.document_id == document_id).order_by(model.id))]

    # --- lifecycle ---

    def claim(self, id: str, owner: str, *, now: float | None = None) -> None:
        """Record which process is generating the document now."""
        with self._session(write=True) as s, s.begin():
            self._touch(s, id, _now(now), owner=owner)

    def mark_interrupted(self, *, alive: Callable[[str | None], bool] = lambda owner: False,
                         now: float | None = None) -> list[str]:
        """Live documents whose owner process is gone become interrupted (no worker survives its process).

        updated_at moves to now, so the person gets the full expiry window to resume after the restart."""
        with self._session(write=True) as s, s.begin():
            rows = s.execute(select(Document.id, Document.owner).where(Document.status.in_(LIVE))).all()
            ids = [id for id, owner in rows if not alive(owner)]
            if ids:
                s.execute(update(Document).where(Document.id.in_(ids))
                          .values(status="interrupted", error=RESTARTED, updated_at=_now(now)))
            return ids

    def cleanup(self, *, now: float | None = None, expire_after: float = 24 * 3600,
                retention: float = 90 * 24 * 3600) -> tuple[int, int]:
        now = _now(now)
        with self._session(write=True) as s, s.begin():
            # Delete first so the two counts never count the same document.
            deleted = s.execute(delete(Document).where(Document.updated_at < now - retention)).rowcount
            # updated_at is left alone: retention still counts from the last real activity.
            expired = s.execute(update(Document).where(Document.status.in_(UNFINISHED),
                                                       Document.updated_at < now - expire_after)
                                .values(status="expired")).rowcount
            return expired, deleted

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

    def close(self) -> None:
        self._engine.dispose()

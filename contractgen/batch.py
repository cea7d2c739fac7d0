"""Bulk drafting: a sheet of requests in, a zip of finished drafts and a summary out.

    sheet = batch_io.read_sheet("ndas.csv", data)
    checks = validate(sheet, default_doc="nda")          # every row, every problem, before anything runs
    figures = estimate(checks, settings, concurrency=8)  # drafts, calls, tokens, cost, time
    batch_id = create(store, checks, settings, source="ndas.csv", concurrency=8, formats=("md",), skip_invalid=True)
    runner = start(manager, batch_id, settings)          # rows run through GenerationManager, N at a time
    progress(store, batch_id)                            # counts, per-row status, time left (polled)
    build_zip(store, batch_id, ("md", "docx"))           # exports named by row and company + summary.csv

Each row is an ordinary draft of the GenerationManager (resume, fallback,
seams, leases, checkpoints), so a row has the full resilience of a single
draft. The batch and its rows are stored (storage m008): a row's draft id is
reserved in the store before the draft is created, so a process killed at any
moment never drafts a row twice, and `resume` finishes only what is
unfinished.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import threading
import time
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from . import modes
from .batch_io import DOC_COLUMN, Sheet
from .config import Settings
from .costs import PriceTable, document_summary
from .errors import ContractgenError, InputError
from .export import FORMATS, _slug, export, info_for
from .forms import DOC_TYPES, field_spec
from .generation import Generation, GenerationManager, owner_alive, process_owner
from .library import get_library, outline
from .offline import OfflineEngine
from .prompts import build_messages
from .providers import describe
# The request models' own parsing and sentences: a sheet row is validated exactly as the form and `generate` are.
from .request import _ADAPTER, REQUEST_MODELS, BaseRequest, _sentence, parse_request
from .storage import ENDED_BADLY, LIVE, STOPPED, BatchRowRecord, Lease, Store
from .tokens import estimate_tokens

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 32
# The settings a batch (or a draft) keeps and gives back to a resume: exactly Settings.public()'s, never a secret
# (the store refuses any name like a key). One list for the page's Resume and `contractgen batch resume` / `resume`.
KEPT = tuple(Settings().public())


# --- validation ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowCheck:
    row: int  # as the spreadsheet shows it (header = 1)
    doc_type: str
    answers: dict[str, Any]  # the cells as read
    request: BaseRequest | None  # None when invalid
    problems: tuple[tuple[str, str], ...] = ()  # (field, sentence)

    @property
    def valid(self) -> bool:
        return self.request is not None


def _doc_of(value: Any, default: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        return default
    for key, kind in DOC_TYPES.items():
        if text.casefold() in (key, kind.title.casefold()):
            return key
    return text


def _cell(doc_type: str, name: str, value: Any) -> Any:
    """A cell as the request model takes it: lists from comma-separated text, dates from Excel dates, text
    from numbers typed into text fields."""
    import datetime as dt

    kind = field_spec(doc_type, name).kind
    if kind == "multi" and isinstance(value, str):
        return [x.strip() for x in value.replace(";", ",").split(",") if x.strip()]
    if kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    if kind in ("text", "textarea") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str) and kind not in ("text", "textarea"):
        return value.strip()
    return value


def validate_row(row: int, answers: dict[str, Any], default_doc: str = "tos") -> RowCheck:
    """One row against its document type's fields: every problem, each with its field."""
    doc_type = _doc_of(answers.get(DOC_COLUMN), default_doc)
    if doc_type not in REQUEST_MODELS:
        return RowCheck(row, doc_type, answers, None, ((DOC_COLUMN, f"Unknown document type \u201c{doc_type}\u201d; "
                                                                    f"use one of: {', '.join(DOC_TYPES)}."),))
    fields = REQUEST_MODELS[doc_type].model_fields
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, value in answers.items():
        if name == DOC_COLUMN or value is None or (isinstance(value, str) and not value.strip()):
            continue  # an empty cell takes the field's default (a required field then says it is missing)
        if name not in fields or name == "doc_type":
            # A sheet mixing types has other types' columns: empty there is fine, an answer is a mistake.
            problems.append((name, f"\u201c{name}\u201d is not a field of a {DOC_TYPES[doc_type].title}; "
                                   f"leave it empty in this row or set {DOC_COLUMN} to the right type."))
            continue
        data[name] = _cell(doc_type, name, value)
    try:
        request = _ADAPTER.validate_python({"doc_type": doc_type, **data})
    except ValidationError as exc:
        for err in exc.errors():
            loc = [p for p in err.get("loc") or () if p != doc_type]
            problems.append((str(loc[0]) if loc else "", _sentence(err)))
        request = None
    if problems:
        return RowCheck(row, doc_type, answers, None, tuple(problems))
    return RowCheck(row, doc_type, answers, request)


def validate(sheet: Sheet, default_doc: str = "tos") -> list[RowCheck]:
    if default_doc not in DOC_TYPES:
        raise InputError([f"Unknown document type \u201c{default_doc}\u201d; use one of: {', '.join(DOC_TYPES)}."])
    return [validate_row(number, answers, default_doc) for number, answers in sheet.rows]


def problem_lines(checks: Iterable[RowCheck]) -> list[str]:
    """Every problem of every row, one line each: "Row 3, counterparty: Other party must not be empty."."""
    return [f"Row {c.row}, {name or 'row'}: {sentence}" for c in checks for name, sentence in c.problems]


# --- estimate ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Estimate:
    drafts: int
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None  # None: the model has no price in the table
    model: str
    seconds: float  # expected wall time at `rate` tokens/s per draft and the concurrency
    rate: float  # tokens/s per draft assumed
    concurrency: int

    def sentence(self) -> str:
        cost = f"about ${self.cost:,.{2 if self.cost >= 1 else 4}f}" if self.cost is not None else f"no price for {self.model} in the price table"
        return (f"{self.drafts} draft(s), {self.calls} call(s), about {self.prompt_tokens + self.completion_tokens:,} "
                f"tokens ({self.prompt_tokens:,} in, {self.completion_tokens:,} out), {cost}; expected time "
                f"{duration(self.seconds)} at {self.concurrency} at a time "
                + (f"({self.rate:g} tokens/s each)." if self.rate > 0 else "(offline engine at full speed)."))


ASSUMED_RATE = 50.0  # tokens/s a hosted model streams, when the engine's own rate says nothing (a provider)


def estimate(checks: Iterable[RowCheck], settings: Settings, concurrency: int,
             prices: PriceTable | None = None) -> Estimate:
    """What the valid rows will take, from the same calls the engine makes: the offline engine's text stands for
    the output (the clause library a model is asked to write), the real prompts for the input."""
    prices = prices or PriceTable.load(os.environ)
    engine = OfflineEngine(rate=0)
    drafts = calls = tokens_in = tokens_out = 0
    for check in checks:
        if not check.valid:
            continue
        request = check.request
        full = engine.document(request)
        plan = modes.plan(settings.mode, len(outline(get_library(request.doc_type), request)), settings.group_size)
        drafts += 1
        calls += len(plan)
        for call in plan:
            begin = engine.part_offset(request, call.sections) if call.sections else 0
            part = engine.document(request, call.sections)
            tokens_out += estimate_tokens(part)
            tokens_in += sum(estimate_tokens(m["content"]) for m in build_messages(request, "", call.sections,
                                                                                  full[:begin]))
    model = "contractgen-offline" if settings.provider_name == "offline" else settings.model
    price = prices.price(model)
    cost = None if price is None else (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000
    rate = settings.rate if settings.provider_name == "offline" else ASSUMED_RATE
    lanes = max(1, min(concurrency, drafts))
    seconds = (tokens_out / rate / lanes) if rate > 0 else 0.05 * drafts / lanes
    return Estimate(drafts, calls, tokens_in, tokens_out, cost, model, seconds, rate, lanes)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m:02d} min"


# --- creating and running ------------------------------------------------------------------------

def check_concurrency(concurrency: Any) -> int:
    text = str(concurrency).strip()
    value = int(text) if text.isdigit() and not isinstance(concurrency, (bool, float)) else 0
    if not 1 <= value <= MAX_CONCURRENCY:
        raise InputError([f"Concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, not {concurrency}."])
    return value


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f and f.strip()))
    wrong = [f for f in chosen if f not in FORMATS]
    if wrong or not chosen:
        raise InputError([f"Export formats must be among {', '.join(FORMATS)} (e.g. md,docx), not "
                          f"\u201c{','.join(wrong) or 'nothing'}\u201d."])
    return chosen


def create(store: Store, checks: Sequence[RowCheck], settings: Settings, *, source: str, concurrency: int,
           formats: Sequence[str] = ("md",), skip_invalid: bool = False) -> str:
    """Store a batch. Invalid rows stop it (InputError listing every problem) unless `skip_invalid`."""
    concurrency = check_concurrency(concurrency)
    formats = check_formats(formats)
    modes.plan(settings.mode, 1)  # an unknown mode is refused before anything is stored
    invalid = [c for c in checks if not c.valid]
    if invalid and not skip_invalid:
        raise InputError(problem_lines(invalid) + [f"{len(invalid)} of {len(checks)} row(s) are invalid: fix them, "
                                                   "or skip them explicitly (--skip-invalid, or the page's checkbox)."])
    if not any(c.valid for c in checks):
        raise InputError(["No valid row to draft."])
    batch_id = uuid.uuid4().hex[:12]
    rows = [{"row": c.row, "doc_type": c.doc_type,
             "request": c.request.model_dump(mode="json") if c.valid else {k: _jsonable(v) for k, v in c.answers.items()},
             "problems": [list(p) for p in c.problems], "status": "queued" if c.valid else "skipped"} for c in checks]
    store.create_batch(id=batch_id, source=source, rows=rows,
                       settings={**settings.public(), "label": describe(settings), "concurrency": concurrency,
                                 "formats": list(formats)})
    return batch_id


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def kept_settings(stored: dict) -> dict[str, Any]:
    """The stored settings (KEPT) a resume starts from, as Settings takes them; a missing or empty one is left out."""
    kept = {k: stored[k] for k in KEPT if stored.get(k) is not None}
    kept["fallback_models"] = tuple(kept.get("fallback_models") or ())
    if not kept["fallback_models"]:
        del kept["fallback_models"]
    return kept


def settings_for(stored: dict, env: dict | None = None, **overrides: Any) -> Settings:
    """The settings a batch was started with (its non-secret part) under the environment's key and overrides."""
    kept = kept_settings(stored)
    kept.update({k: v for k, v in overrides.items() if v is not None})
    return Settings.from_env(os.environ if env is None else env, **kept)


class BatchRunner:
    """Runs a batch's unfinished rows through a GenerationManager, `concurrency` at a time, in a thread."""

    def __init__(self, manager: GenerationManager, batch_id: str, settings: Settings, concurrency: int | None = None,
                 rows: Sequence[int] | None = None):
        self.manager, self.store = manager, manager.store
        self.batch_id, self.settings = batch_id, settings
        record = self.store.get_batch(batch_id)
        if record is None:
            raise InputError([f"No batch with id {batch_id}; see the Batch page or `contractgen batch --list`."])
        self.concurrency = check_concurrency(concurrency or record.settings.get("concurrency") or DEFAULT_CONCURRENCY)
        self.only = set(rows) if rows else None
        self.lease = Lease(process_owner(), settings.lease_seconds)
        self.generations: dict[int, Generation] = {}
        self.errors: list[str] = []
        self.started_at: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- control --
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def claim(self) -> None:
        dead = lambda owner: owner != process_owner() and not owner_alive(owner)  # noqa: E731
        if not self.store.claim_batch(self.batch_id, self.lease, dead=dead):
            record = self.store.get_batch(self.batch_id)
            raise InputError([f"Batch {self.batch_id} is being run by another process ({record.owner if record else '?'})"
                              "; it is not run twice. Follow it on the Batch page."])

    def start(self) -> "BatchRunner":
        """Claim the batch (InputError if another live process runs it), then run it in a thread."""
        self.claim()
        self._thread = threading.Thread(target=self._run, name=f"batch-{self.batch_id}", daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        """Claim and run in this thread, to the end."""
        self.claim()
        self._run()

    def stop(self) -> None:
        """Take no new row; stop the running drafts (they stay resumable: `batch resume` continues them)."""
        self._stop.set()
        with self._lock:
            running = list(self.generations.values())
        for generation in running:
            generation.cancel()

    def join(self, timeout: float | None = None) -> None:
        if self._thread:
            self._thread.join(timeout)

    # -- work --
    def todo(self) -> list[BatchRowRecord]:
        return [r for r in self.store.batch_rows(self.batch_id)
                if (self.only is None or r.row in self.only) and unfinished(r)]

    def _run(self) -> None:
        self.started_at = time.time()
        rows = self.todo()
        queue = list(reversed(rows))
        take = threading.Lock()

        def work() -> None:
            while not self._stop.is_set():
                with take:
                    if not queue:
                        return
                    row = queue.pop()
                try:
                    self._draft(row)
                except ContractgenError as exc:  # the row says why; the others go on
                    self.store.set_batch_row(self.batch_id, row.row, "failed", error=str(exc),
                                             document_id=row.document_id)
                except Exception as exc:  # a bug: recorded on the row, and the batch goes on
                    self.errors.append(f"row {row.row}: {type(exc).__name__}: {exc}")
                    self.store.set_batch_row(self.batch_id, row.row, "failed",
                                             error=f"Unexpected error: {type(exc).__name__}: {exc}")

        workers = [threading.Thread(target=work, name=f"batch-{self.batch_id}-{i}", daemon=True)
                   for i in range(min(self.concurrency, len(rows)))]
        for w in workers:
            w.start()
        try:
            while any(w.is_alive() for w in workers):
                if not self.store.renew_batch(self.batch_id, self.lease):
                    self.stop()  # another process took the batch over (this one was thought dead)
                for w in workers:
                    w.join(max(0.2, self.lease.seconds / 3) / max(1, len(workers)))
        finally:
            left = [r for r in self.store.batch_rows(self.batch_id) if unfinished(r, retry_failed=False)]
            self.store.release_batch(self.batch_id, self.lease, "stopped" if left or self._stop.is_set() else "finished")

    def _draft(self, row: BatchRowRecord) -> None:
        request = parse_request({"doc_type": row.doc_type, **row.request})
        doc_id = row.document_id or self.store.link_batch_row(self.batch_id, row.row, uuid.uuid4().hex[:12])
        state = self.store.lifecycle(doc_id)
        if state is not None and state[0] == "expired":  # too old to resume: drafted anew under a new id
            self.store.set_batch_row(self.batch_id, row.row, "queued", unlink=True)
            doc_id = self.store.link_batch_row(self.batch_id, row.row, uuid.uuid4().hex[:12])
            state = None
        if state is not None and state[0] == "completed":
            return
        if row.status != "linked" or row.error:
            self.store.set_batch_row(self.batch_id, row.row, "linked", document_id=doc_id)
        if state is None:
            generation = self.manager.start(request, self.settings, id=doc_id)
        else:
            try:
                generation = self.manager.resume(doc_id, self.settings)
            except InputError:
                found = self.manager.get(doc_id)
                if found is not None and found.running:  # this process writes it already (a takeover)
                    generation = found
                else:  # another live process writes it: wait for it to end there
                    while not self._stop.is_set() and (self.store.lifecycle(doc_id) or ("",))[0] in LIVE:
                        time.sleep(0.5)
                    return
        with self._lock:
            self.generations[row.row] = generation
        if self._stop.is_set():
            generation.cancel()
        generation.join()
        with self._lock:
            self.generations.pop(row.row, None)
        self.manager.forget(doc_id)  # stored: a page opening it loads it again; memory stays flat over the batch


def unfinished(row: BatchRowRecord, retry_failed: bool = True) -> bool:
    """A row a resume runs: queued, linked to a draft not completed (or not created yet; stopped ones included), or
    failed (unless `retry_failed` is off)."""
    if row.status in ("invalid", "skipped"):
        return False
    if row.status in ENDED_BADLY:
        return retry_failed
    if row.status == "queued" or row.doc_status is None:
        return True
    if row.doc_status == "completed":
        return False
    return retry_failed or row.doc_status not in ENDED_BADLY


_runners: dict[str, BatchRunner] = {}
_runners_lock = threading.Lock()


def start(manager: GenerationManager, batch_id: str, settings: Settings, *, concurrency: int | None = None,
          rows: Sequence[int] | None = None) -> BatchRunner:
    """Run a batch's unfinished rows (or only `rows`) in this process; the page finds the runner again by id."""
    with _runners_lock:
        found = _runners.get(batch_id)
        if found is not None and found.running:
            raise InputError([f"Batch {batch_id} is already running in this process."])
        runner = BatchRunner(manager, batch_id, settings, concurrency, rows).start()
        _runners[batch_id] = runner
        return runner


def runner(batch_id: str) -> BatchRunner | None:
    with _runners_lock:
        return _runners.get(batch_id)


# --- progress ------------------------------------------------------------------------------------

def row_status(row: BatchRowRecord) -> str:
    """What a person reads for a row: a draft status (storage.STATUSES), or queued, skipped, failed."""
    if row.status != "linked":  # BATCH_ROW_STATUSES: queued, invalid, skipped, failed
        return row.status
    return row.doc_status or "queued"


@dataclass
class Progress:
    batch_id: str
    status: str  # the batch's: running (a live runner), stopped, finished
    total: int  # rows to draft (skipped ones are not)
    done: int
    failed: int  # ended without a draft (storage.ENDED_BADLY): retried one by one, or all by a resume
    running: int
    waiting: int  # queued, or interrupted and waiting for a resume
    skipped: int
    seconds_left: float | None
    rows: list[dict] = field(default_factory=list)
    runner_alive: bool = False
    stopped: int = 0  # drafts stopped on purpose (storage.STOPPED: a stopped batch's): a resume continues them
    failed_rows: list[int] = field(default_factory=list)  # the sheet rows counted in `failed`

    @property
    def unfinished(self) -> int:
        """Rows a resume runs: waiting, stopped and failed ones."""
        return self.waiting + self.stopped + self.failed

    @property
    def finished(self) -> bool:
        return self.done + self.failed == self.total

    @property
    def fraction(self) -> float:
        return (self.done + self.failed) / self.total if self.total else 1.0

    def line(self) -> str:
        left = f", about {duration(self.seconds_left)} left" if self.seconds_left is not None and not self.finished else ""
        return (f"{self.done}/{self.total} done, {self.failed} failed, {self.running} running, {self.waiting} waiting"
                + (f", {self.stopped} stopped" if self.stopped else "")
                + (f", {self.skipped} skipped" if self.skipped else "") + left)


def progress(store: Store, batch_id: str, now: float | None = None) -> Progress:
    record = store.get_batch(batch_id)
    if record is None:
        raise InputError([f"No batch with id {batch_id}."])
    now = time.time() if now is None else now
    rows = store.batch_rows(batch_id)
    # A runner is alive while its lease runs and, on this host, while its process does (a killed one is known at once).
    alive = (record.status == "running" and record.lease_until is not None and record.lease_until > now
             and owner_alive(record.owner))
    counts = {"done": 0, "failed": 0, "running": 0, "waiting": 0, "stopped": 0, "skipped": 0}
    table, took, failed_rows = [], [], []
    for r in rows:
        status = row_status(r)
        bucket = ("skipped" if status in ("skipped", "invalid") else "done" if status == "completed"
                  else "failed" if status in ENDED_BADLY else "stopped" if status in STOPPED
                  else "running" if status in LIVE else "waiting")
        counts[bucket] += 1
        if bucket == "failed":
            failed_rows.append(r.row)
        if status == "completed" and r.completed_at and r.created_at:
            took.append(r.completed_at - r.created_at)
        table.append({"row": r.row, "document": DOC_TYPES[r.doc_type].title if r.doc_type in DOC_TYPES else r.doc_type,
                      "company": str(r.request.get("company", "")), "status": status, "draft id": r.document_id or "",
                      "characters": r.length, "faults handled": r.faults,
                      "why": r.error or r.doc_error or "; ".join(s for _, s in r.problems) or ""})
    total = len(rows) - counts["skipped"]
    remaining = counts["running"] + counts["waiting"] + counts["stopped"]
    lanes = max(1, min(int(record.settings.get("concurrency") or 1), remaining or 1))
    # The median draft: a draft resumed after a restart (created long before it completed) does not skew it.
    seconds_left = statistics.median(took) * remaining / lanes if took and remaining else (0.0 if not remaining else None)
    return Progress(batch_id, "running" if alive else ("finished" if not remaining else "stopped"), total,
                    counts["done"], counts["failed"], counts["running"], counts["waiting"], counts["skipped"],
                    seconds_left, table, alive, counts["stopped"], failed_rows)


# --- output --------------------------------------------------------------------------------------

SUMMARY_COLUMNS = ("row", "document", "company", "draft id", "status", "faults handled", "seams", "tokens in",
                   "tokens out", "cost", "warnings", "why")


def summary(store: Store, batch_id: str, prices: PriceTable | None = None) -> list[dict]:
    """One line per sheet row: its draft, how it ended, the faults handled and seams, tokens, cost, warnings."""
    prices = prices or PriceTable.load(os.environ)
    out = []
    for r in store.batch_rows(batch_id):
        usage = document_summary(store, r.document_id, prices) if r.document_id and r.doc_status else None
        seams = len(store.seams(r.document_id)) if r.document_id and r.doc_status else 0
        out.append({"row": r.row, "document": r.doc_type, "company": str(r.request.get("company", "")),
                    "draft id": r.document_id or "", "status": row_status(r), "faults handled": r.faults,
                    "seams": seams, "tokens in": usage.prompt_tokens if usage else 0,
                    "tokens out": usage.completion_tokens if usage else 0,
                    "cost": (f"{usage.cost:.6f}" + (" (unpriced: " + ", ".join(usage.unpriced_models) + ")"
                                                    if usage.unpriced_models else "")) if usage else "",
                    "warnings": " | ".join(r.warnings),
                    "why": r.error or (r.doc_error if row_status(r) != "completed" else "") or
                           "; ".join(f"{f}: {s}" for f, s in r.problems)})
    return out


def summary_csv(lines: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        # A cell starting with = + - @ is a formula to a spreadsheet: neutralised, since a company name is input.
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v)
                         for k, v in line.items()})
    return out.getvalue()


def export_name(row: int, company: str, doc_type: str, fmt: str) -> str:
    """`007-acme-inc-nda.md`: the row first, so the files sort as the sheet does."""
    return f"{row:03d}-{_slug(company, 50) or 'draft'}-{doc_type}.{FORMATS[fmt][1]}"


def build_zip(store: Store, batch_id: str, formats: Sequence[str] | None = None, prices: PriceTable | None = None) -> bytes:
    """The completed drafts in each format, named by row and company, and summary.csv (every row, failed ones
    saying why)."""
    record = store.get_batch(batch_id)
    if record is None:
        raise InputError([f"No batch with id {batch_id}."])
    formats = check_formats(formats or record.settings.get("formats") or ("md",))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for r in store.batch_rows(batch_id):
            if r.doc_status != "completed":
                continue
            document = store.get(r.document_id)
            info = info_for(document)
            for fmt in formats:
                zf.writestr(export_name(r.row, str(r.request.get("company", "")), r.doc_type, fmt),
                            export(document.text, info, fmt))
        zf.writestr("summary.csv", summary_csv(summary(store, batch_id, prices)))
    return buffer.getvalue()

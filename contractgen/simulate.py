"""Simulated history for the monitoring page: real generations with injected faults, backdated.

`simulate()` drafts `documents` documents through the real engine
(`GenerationManager(store).start(request, settings)` and `follow`, then
`GenerationManager.resume` for manual resumes) with the offline engine at full
speed (`rate=0`), so every attempt, fault, resume, checkpoint and section row
is written by the same code as in production. Nothing is fabricated except the
dates (see "Backdating").

What is injected (fault plans as in `contractgen.faultplan`):

- `round(documents * fault_rate)` documents, chosen at random, get faults;
  the others run clean. Kinds are drawn from stall, reset, cut, truncated,
  429, 503 and malformed; positioned kinds strike at a random character of
  the document, 429 and 503 at the start of the first call.
- Of the faulted documents, about 10% (at least one when there are 3 or more)
  get 4 or 5 faults close together inside one call, more than the resume
  budget (3 per call), so they fail; about 20% (at least one when there are 2
  or more) run with automatic resume off: the first fault interrupts them, a
  simulated person waits `manual_wait` seconds, then resumes by hand (a manual
  resume, whose resume time includes that wait); the rest get one fault, or
  two (40%), resumed automatically.
- Requests vary: a company from a small list, random options (website,
  payments, renewal, user content, minimum age, EU users, jurisdiction ...),
  a mode drawn from `modes`, and a document type among those with a clause
  library (tos, privacy, nda, saas as they become available).

Speed: injected faults raise at once, but the engine's resume policy
(`generation._policy`: backoff 0.5 s, 1 s, 2 s ... with jitter; a 429 waits
its Retry-After of 1 s) cannot be changed from here, so a faulted document
takes 0.4-3.5 s. Documents therefore run `workers` at a time in threads (the
store is thread-safe); a clean one takes well under 0.1 s. Measured: 200
documents at fault rate 0.3 take about 30 s with 8 workers, by then mostly the
CPU time of generating (threads share one interpreter), not backoff.

Backdating: the engine stamps real times, so a simulation would put all its
history into the last minute. With `backdate_days > 0` (the default, 30), each
document's stored times (documents.created_at/updated_at/completed_at,
attempts, faults, resumes, checkpoints.at, sections.completed_at) are shifted
back together by one random offset in [0, backdate_days) days, after the
document finished. Durations within a document are unchanged; only where it
sits in time is invented. Simulated documents are ordinary documents: cleanup
expires the unfinished ones older than 24 hours, like any other.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from sqlalchemy import update

from .config import Settings
from .errors import InputError
from .generation import GenerationManager, follow
from .library import LIBRARIES, get_library, outline
from .modes import MODES, plan as call_plan
from .offline import OfflineEngine
from .request import parse_request
from .storage import Attempt, Checkpoint, Document, Fault, Resume, SectionRow, Store, _refresh_stats

FAULT_KINDS = ("stall", "reset", "cut", "truncated", "429", "503", "malformed")
POSITIONED = ("stall", "reset", "cut", "truncated", "malformed")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Analytics", "Wayne Logistics", "Hooli",
             "Vandelay Imports", "Soylent Foods", "Cyberdyne Labs", "Tyrell Robotics", "Wonka Sweets", "Nordlicht GmbH",
             "Café Olé SARL")
JURISDICTIONS = (("United States", "the State of Delaware"), ("United States", "the State of California"),
                 ("United Kingdom", "England and Wales"), ("Germany", "the Federal Republic of Germany"),
                 ("France", "France"), ("Canada", "the Province of Ontario"))
DAY = 86400.0


@dataclass(frozen=True)
class DocPlan:
    """What one simulated document will go through."""

    index: int
    answers: dict
    mode: str
    faults: str  # fault plan spec; "" for a clean run
    category: str  # clean | auto | manual | budget
    manual_wait: float  # seconds the "person" waits before a manual resume
    backdate: float  # seconds the document's times are moved into the past


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isascii() and c.isalnum())[:20] or "example"


def _answers(doc_type: str, rng: random.Random) -> dict:
    company = rng.choice(COMPANIES)
    country, law = rng.choice(JURISDICTIONS)
    answers = {"doc_type": doc_type, "company": company, "country": country, "governing_law": law}
    if rng.random() < 0.7:
        answers["website"] = f"https://{_slug(company)}.example"
    if rng.random() < 0.6:
        answers["contact_email"] = f"legal@{_slug(company)}.example"
    if doc_type == "tos":
        answers.update(payments=rng.random() < 0.5, renewal=rng.choice(["monthly", "annual"]),
                       refund_days=rng.choice([0, 14, 30]), user_content=rng.random() < 0.4,
                       minimum_age=rng.choice([13, 16, 18]), eu_users=rng.random() < 0.5,
                       accounts=rng.random() < 0.8)
    elif doc_type == "privacy":
        answers.update(cookies=rng.random() < 0.8, advertising=rng.random() < 0.3, ccpa=rng.random() < 0.4,
                       gdpr=rng.random() < 0.7, retention_months=rng.choice([12, 24, 36]))
    elif doc_type == "nda":
        answers.update(counterparty=rng.choice([c for c in COMPANIES if c != company]), mutual=rng.random() < 0.6,
                       term_years=rng.choice([1, 2, 3]), non_solicit=rng.random() < 0.3)
    elif doc_type == "saas":
        answers.update(billing=rng.choice(["monthly", "annual"]), uptime=rng.choice([99.5, 99.9, 99.95]),
                       service_credits=rng.random() < 0.7, dpa=rng.random() < 0.8)
    return answers


def available_doc_types() -> list[str]:
    """Document types whose request model and clause library both work now (others are being written)."""
    found = []
    for doc_type in LIBRARIES:
        try:
            request = parse_request(_answers(doc_type, random.Random(0)))
            if outline(get_library(doc_type), request):
                found.append(doc_type)
        except (ImportError, AttributeError, KeyError, InputError):
            continue
    return found


def _fault_spec(category: str, request, mode: str, rng: random.Random) -> str:
    """A fault plan of the category at random places of this document."""
    engine = OfflineEngine(rate=0)
    length = len(engine.document(request))
    if category == "budget":
        # 4 or 5 faults within ~60 characters of one call, 100 characters into it: past the budget of 3.
        # A call with room for the whole cluster, so that no call boundary splits it (the budget is per call).
        calls = call_plan(mode, len(outline(get_library(request.doc_type), request)))
        parts = [(engine.part_offset(request, c.sections), len(engine.document(request, c.sections))) for c in calls]
        start, size = rng.choice([p for p in parts if p[1] >= 400] or [max(parts, key=lambda p: p[1])])
        base = start + min(100 + rng.randrange(0, 200), max(1, size - 100))
        n = rng.choice([4, 4, 5])
        return ",".join(f"{rng.choice(POSITIONED)}@{base + 15 * i}" for i in range(n))
    count = 1 if category == "manual" or rng.random() < 0.6 else 2
    if category == "manual" and rng.random() < 0.3:
        count = 2  # a second fault after the manual resume, resumed automatically
    positions = sorted(rng.sample(range(50, max(51, length - 50)), count))
    items = []
    for position in positions:
        kind = rng.choice(FAULT_KINDS)
        items.append(kind if kind not in POSITIONED else f"{kind}@{position}")
    return ",".join(items)


def plan_documents(documents: int, fault_rate: float, modes: Sequence[str], seed: int | None,
                   doc_types: Sequence[str] | None = None, backdate_days: float = 30.0,
                   manual_wait: tuple[float, float] = (0.2, 1.0)) -> list[DocPlan]:
    """The deterministic (for a seed) plan of a simulation: requests, modes, fault plans, backdating."""
    rng = random.Random(seed)
    types = list(doc_types) if doc_types else available_doc_types()
    faulted = round(documents * fault_rate)
    chosen = rng.sample(range(documents), faulted)
    budget = max(1, round(faulted * 0.1)) if faulted >= 3 else 0
    manual = max(1, round(faulted * 0.2)) if faulted >= 2 else 0
    category = {i: "budget" if k < budget else "manual" if k < budget + manual else "auto" for k, i in enumerate(chosen)}
    plans = []
    for i in range(documents):
        answers = _answers(rng.choice(types), rng)
        mode = rng.choice(list(modes))
        kind = category.get(i, "clean")
        spec = "" if kind == "clean" else _fault_spec(kind, parse_request(answers), mode, rng)
        plans.append(DocPlan(index=i, answers=answers, mode=mode, faults=spec, category=kind,
                             manual_wait=rng.uniform(*manual_wait) if kind == "manual" else 0.0,
                             backdate=rng.uniform(0, backdate_days * DAY) if backdate_days > 0 else 0.0))
    return plans


def backdate(store: Store, document_id: str, seconds: float) -> None:
    """Move every stored time of one document `seconds` into the past, in one transaction (NULLs stay NULL)."""
    shifts = ((Document, ("created_at", "updated_at", "completed_at"), Document.id),
              (Attempt, ("started_at", "first_token_at", "ended_at"), Attempt.document_id),
              (Fault, ("detected_at",), Fault.document_id),
              (Resume, ("detected_at", "requested_at", "recorded_at", "first_token_at"), Resume.document_id),
              (Checkpoint, ("at",), Checkpoint.document_id),
              (SectionRow, ("completed_at",), SectionRow.document_id))
    # store._writer takes SQLite's write lock up front (BEGIN IMMEDIATE), like the store's own writes.
    with store._writer.begin() as conn:
        for model, columns, key in shifts:
            table = model.__table__
            conn.execute(update(table).where(table.c[key.key] == document_id)
                         .values({c: table.c[c] - seconds for c in columns}))
        _refresh_stats(conn, document_id)  # the metrics' per-document rollup follows the new times


def _run(manager: GenerationManager, plan: DocPlan, store: Store) -> dict:
    request = parse_request(plan.answers)
    settings = Settings(provider="offline", rate=0, mode=plan.mode, fault_plan=plan.faults,
                        auto_resume=plan.category != "manual")
    generation = manager.start(request, settings)
    follow(generation, poll=0.05)
    manual = False
    if plan.category == "manual" and generation.status == "interrupted":
        time.sleep(plan.manual_wait)  # the person reads "Resume generation" and clicks it
        generation = manager.resume(generation.id, settings.with_(auto_resume=True))
        follow(generation, poll=0.05)
        manual = True
    generation.join()
    if plan.backdate:
        backdate(store, generation.id, plan.backdate)
    return {"id": generation.id, "mode": plan.mode, "doc_type": request.doc_type, "category": plan.category,
            "status": generation.status, "faults": generation.faults_handled, "auto_resumes": generation.resumes,
            "manual_resume": manual, "faults_planned": plan.faults}


def simulate(store: Store, documents: int, fault_rate: float, modes: Sequence[str] = ("stream", "chunks", "sections"),
             seed: int | None = None, progress: Callable[[int, int, dict], None] | None = None, *,
             backdate_days: float = 30.0, workers: int = 8, doc_types: Sequence[str] | None = None,
             manual_wait: tuple[float, float] = (0.2, 1.0)) -> dict:
    """Run the simulation into `store`; `progress(done, total, result)` after each document. Returns a summary."""
    problems = []
    if not isinstance(documents, int) or documents < 1:
        problems.append("--documents must be a whole number of 1 or more.")
    if not 0 <= fault_rate <= 1:
        problems.append("--fault-rate must be between 0 and 1 (a fraction of the documents).")
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        problems.append(f"--modes takes a comma-separated list of {', '.join(MODES)}"
                        + (f", not {', '.join(unknown)}." if unknown else "."))
    if backdate_days < 0:
        problems.append("--backdate-days must not be negative.")
    if workers < 1:
        problems.append("--workers must be 1 or more.")
    types = list(doc_types) if doc_types else available_doc_types()
    if not types:
        problems.append("No document type has a clause library to simulate with.")
    if problems:
        raise InputError(problems)

    plans = plan_documents(documents, fault_rate, modes, seed, types, backdate_days, manual_wait)
    manager = GenerationManager(store)
    started = time.monotonic()
    results: list[dict] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="contractgen-simulate") as pool:
        futures = [pool.submit(_run, manager, plan, store) for plan in plans]
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # reported after the others finish: their documents are real
                errors.append(exc)
                continue
            with lock:
                results.append(result)
                done = len(results)
            if progress:
                progress(done, documents, result)
    if errors:
        raise errors[0]
    statuses = Counter(r["status"] for r in results)
    return {
        "documents": len(results),
        "seconds": time.monotonic() - started,
        "by_status": dict(statuses),
        "by_mode": dict(Counter(r["mode"] for r in results)),
        "by_doc_type": dict(Counter(r["doc_type"] for r in results)),
        "with_injected_faults": sum(1 for p in plans if p.faults),
        "faults": sum(r["faults"] for r in results),
        "auto_resumes": sum(r["auto_resumes"] for r in results),
        "manual_resumes": sum(1 for r in results if r["manual_resume"]),
        "backdate_days": backdate_days,
        "ids": [r["id"] for r in sorted(results, key=lambda r: r["id"])],
    }

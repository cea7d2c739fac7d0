"""The `contractgen` command: the same engine as the app, for scripts and checks.

Exit codes: 0 done; 1 unexpected error; 2 bad input (nothing was generated);
3 the provider failed or the resume budget ran out (the text written so far
is saved; `contractgen resume ID` continues it); 4 paused at a fault with
automatic resume off (resumable); 5 completed with warnings (sections missing,
repeated or out of order against the outline, or a seam that could not be
verified: read the draft); 130 interrupted by Ctrl-C (the text so far is
saved). `batch`: 0 every row completed; 2 invalid rows (nothing drafted);
3 some row failed or is unfinished (`batch resume` retries it); 5 all
completed, some with warnings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from .config import Settings, check_base_url
from .continuation import STRATEGIES, TEMPLATES
from .mimic import HEADINGS, PREFILL, STYLES
from .errors import ContractgenError, InputError
from .sanitize import describe_hidden, hidden_characters, strip_hidden, visible, visible_lines
from .seam import JOINS
from .costs import PriceTable, document_summary, summary_dict
from .export import FORMATS, export, info_for
from .faultplan import FaultPlan
from .forms import DOC_TYPES, steps
from .generation import Generation, GenerationManager, follow, process_owner as manager_owner
from .library import get_library, outline
from .modes import MAX_PARALLEL
from .modes import MODES
from .request import parse_request
from .storage import Store, shown_url

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_PROVIDER, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _fields(pairs: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError([f"--field takes key=value, not \u201c{pair}\u201d."])
        fields[key.strip().replace("-", "_")] = value
    return fields


def _db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL (or CONTRACTGEN_DATABASE_URL); default sqlite file data/contractgen.db.")


def _provider_flags(parser: argparse.ArgumentParser, resume: bool = False) -> None:
    parser.add_argument("--provider", choices=["auto", "offline", "openai"], help="Default auto: openai when a key or base URL is set.")
    parser.add_argument("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (or OPENAI_BASE_URL).")
    parser.add_argument("--model", help="Model name (or OPENAI_MODEL).")
    parser.add_argument("--fallback-model", action="append", default=None, metavar="NAME",
                        help="Continue on this model when the primary keeps failing. Repeatable, in order.")
    parser.add_argument("--api-key", help="API key (prefer the OPENAI_API_KEY environment variable: flags show in ps).")
    parser.add_argument("--connect-timeout", type=float, metavar="S", help="Seconds to establish a connection (default 10).")
    parser.add_argument("--read-timeout", type=float, metavar="S", help="Seconds without data before a stall is declared (default 60).")
    parser.add_argument("--first-token-timeout", type=float, metavar="S",
                        help="No text this long after a request is a timeout: the next model is tried (default 30; 0 = off).")
    parser.add_argument("--deadline", type=float, metavar="S", help="One call running longer than this is a timeout (default off).")
    parser.add_argument("--stall-floor", type=float, metavar="S",
                        help="Silence after text longer than max(this, factor x the stream's p99 gap) is a stall (default 3.5; "
                             "0 with --stall-factor 0 = only the read timeout).")
    parser.add_argument("--stall-factor", type=float, metavar="K", help="Times the stream's 99th percentile gap (default 4).")
    parser.add_argument("--overall-deadline", type=float, metavar="S",
                        help="Seconds one call may take in all, retries and fallbacks included (default off).")
    parser.add_argument("--rate", type=float, metavar="TOKENS_PER_S", help="Offline engine speed; 0 = as fast as possible (default 50).")
    parser.add_argument("--max-resumes", type=int, metavar="N", help="Automatic resumes per run before giving up (default 3).")
    parser.add_argument("--no-auto-resume", action="store_true", help="Stop at the first fault; continue later with `contractgen resume ID`.")
    parser.add_argument("--inject-fault", metavar="SPEC", help="Fail on purpose, e.g. reset@5000,stall@12000,429 (see README).")
    parser.add_argument("--continuation", choices=list(STRATEGIES),
                        help="How a cut stream is continued: auto (probe the server, default), prefill, completion, instruct.")
    parser.add_argument("--chat-template", choices=list(TEMPLATES),
                        help="Chat template the completion strategy renders (default: guessed from the model name).")
    parser.add_argument("--max-tokens", type=int, metavar="N",
                        help="Tokens per call (default 8192 for a whole document, 1200 per section).")
    parser.add_argument("--resume-tail", type=int, metavar="CHARS",
                        help="Characters of the text a resume sends with the outline (default 2000).")
    parser.add_argument("--parallel", type=int, metavar="K",
                        help=f"Calls at once in the sections and chunks modes, 1 to {MAX_PARALLEL} (default 4 for sections, else 1; "
                             "a resume keeps the draft's own unless given).")
    parser.add_argument("--otel", action="store_true", help="Export traces and metrics over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT, "
                                                            "default http://localhost:4318; needs the otel extra; README, Telemetry).")
    if not resume:
        parser.add_argument("--mode", choices=list(MODES), help="stream (one call), chunks (one call per group of sections) "
                                                                "or sections (one call per section). Default stream.")
        parser.add_argument("--group-size", type=int, metavar="N", help="Sections per call in the chunks mode (default 4).")
    _db_flag(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contractgen", description="Draft legal documents, streamed and resilient.")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="Write a draft to a Markdown file.")
    gen.add_argument("--doc", default="tos", choices=list(DOC_TYPES),
                     help="Document type: " + ", ".join(f"{k} ({t.title})" for k, t in DOC_TYPES.items()) + ".")
    gen.add_argument("--company", help="Company name (required).")
    gen.add_argument("--field", action="append", default=[], metavar="KEY=VALUE",
                     help="Any other answer, e.g. website=https://acme.example payments=yes minimum_age=16. Repeatable.")
    _provider_flags(gen)
    gen.add_argument("--out", default="-", help="Markdown file to write; - for standard output (default).")
    gen.add_argument("--quiet", action="store_true", help="No progress on stderr.")

    lst = sub.add_parser("list", help="List stored drafts, newest first.")
    lst.add_argument("--status", help="Only drafts with this status.")
    lst.add_argument("--limit", type=int, default=50)
    lst.add_argument("--json", action="store_true")
    _db_flag(lst)

    show = sub.add_parser("show", help="A draft's status, faults, resumes and attempts.")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.add_argument("--text", action="store_true", help="Also print the draft's text.")
    _db_flag(show)

    res = sub.add_parser("resume", help="Resume an interrupted or failed draft where its text stopped.")
    res.add_argument("id")
    _provider_flags(res, resume=True)
    res.add_argument("--out", default=None, help="Also write the finished draft to this file.")
    res.add_argument("--quiet", action="store_true")

    exp = sub.add_parser("export", help="Write a stored draft as HTML (sanitized), DOCX or Markdown.")
    exp.add_argument("id")
    exp.add_argument("--format", choices=list(FORMATS), default="html")
    exp.add_argument("--out", required=True, help="File to write.")
    _db_flag(exp)

    wrk = sub.add_parser("worker", help="Run drafts only: continue those whose writer died (on any machine sharing the database).")
    _provider_flags(wrk, resume=True)
    wrk.add_argument("--once", action="store_true", help="Look once, finish what was taken over, and exit.")
    wrk.add_argument("--poll", type=float, default=2.0, metavar="S", help="Seconds between looks (default 2).")

    cln = sub.add_parser("cleanup", help="Expire unfinished drafts older than 24 h; delete data past retention.")
    cln.add_argument("--expire-after", type=float, default=24.0, metavar="HOURS")
    cln.add_argument("--retention", type=float, default=None, metavar="DAYS",
                     help="Delete drafts untouched this long (default CONTRACTGEN_RETENTION_DAYS, else 730).")
    _db_flag(cln)

    srv = sub.add_parser("serve-offline", help="Serve the offline engine as an OpenAI-compatible endpoint.")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000, help="0 picks a free port (printed on start).")
    srv.add_argument("--rate", type=float, default=50.0, metavar="TOKENS_PER_S")
    srv.add_argument("--api-key", help="Require this bearer key (to exercise the invalid-key path).")
    srv.add_argument("--verbose", action="store_true", help="Log each request (and each fault as it strikes).")
    from .faultplan import KINDS

    # Strings, checked in cmd_serve_offline: a bad value takes the same `error:` path as any bad input.
    srv.add_argument("--fault", metavar="SPEC",
                     help="Faults to inject at the socket level, e.g. reset@5000,stall@12000,429 or cut@random: "
                          "KIND[@CHARS|@random], KIND one of " + ", ".join(KINDS) + ". Each strikes once.")
    srv.add_argument("--repeat", metavar="N|random",
                     help="On continuations, repeat the last N characters of the partial text first (random: 0-200).")
    srv.add_argument("--stall-seconds", default="30", metavar="S", help="How long a stall holds the socket (default 30).")
    srv.add_argument("--retry-after", default="1", metavar="S", help="Retry-After of an injected 429 (default 1).")
    srv.add_argument("--prefill", choices=list(PREFILL), default="native",
                     help="Whether a final assistant message is continued in place: " + "; ".join(f"{k}: {v}" for k, v in PREFILL.items()) + ".")
    srv.add_argument("--no-completions", action="store_true", help="No /v1/completions endpoint (as the OpenAI API for chat models).")
    srv.add_argument("--continue-style", choices=[*STYLES, "random"], default="exact",
                     help="How it continues when asked by instruction, like a real chat model: " + "; ".join(f"{k}: {v}" for k, v in STYLES.items()) + ".")
    srv.add_argument("--context-chars", type=int, metavar="N", help="Refuse prompts longer than N characters (a small context window).")
    srv.add_argument("--context-style", choices=["400", "empty"], default="400",
                     help="How a prompt over the window is refused: HTTP 400 context_length_exceeded (vLLM, OpenAI) or a 200 with an empty stream (llama-cpp-python).")
    srv.add_argument("--headings", choices=list(HEADINGS), default="markdown",
                     help="How it writes section headings: " + "; ".join(f"{k}: {v}" for k, v in HEADINGS.items()) + ".")
    srv.add_argument("--seed", metavar="N", help="Seed for random fault positions and random repeats.")

    met = sub.add_parser("metrics", help="Timeout rate, resume success and time, cost: the monitoring figures.")
    met.add_argument("--since", metavar="YYYY-MM-DD", help="Documents created on or after this day (UTC).")
    met.add_argument("--until", metavar="YYYY-MM-DD", help="Documents created on or before this day (UTC).")
    met.add_argument("--mode", action="append", default=[], choices=list(MODES), help="Only this mode. Repeatable.")
    met.add_argument("--model", action="append", default=[], metavar="NAME", help="Only this model. Repeatable.")
    met.add_argument("--json", action="store_true", help="Print the KPIs as JSON (contractgen.metrics.kpis).")
    _db_flag(met)

    sim = sub.add_parser("simulate", help="Fill the database with real offline generations and injected faults, "
                                          "backdated over the past days, for the monitoring page.")
    sim.add_argument("--documents", type=int, default=50, metavar="N", help="Documents to generate (default 50).")
    sim.add_argument("--fault-rate", type=float, default=0.3, metavar="R",
                     help="Fraction of the documents that get injected faults, 0-1 (default 0.3).")
    sim.add_argument("--modes", default="stream,chunks,sections", metavar="LIST",
                     help="Comma-separated modes to draw from (default stream,chunks,sections).")
    sim.add_argument("--seed", type=int, metavar="N", help="Seed: the same requests, modes and fault plans.")
    sim.add_argument("--backdate-days", type=float, default=30.0, metavar="D",
                     help="Move each document's times back by a random 0-D days (default 30; 0 keeps real times).")
    sim.add_argument("--workers", type=int, default=8, metavar="N", help="Documents generated at once (default 8).")
    _db_flag(sim)

    # `batch FILE` and `batch resume BATCH_ID` share one parser: "resume" as the first word means the latter
    # (a sheet actually named "resume" is given as ./resume).
    bat = sub.add_parser("batch", help="Draft every request of a CSV or Excel sheet; a zip of drafts and a summary out.",
                         usage="contractgen batch FILE --out drafts.zip [options]\n"
                               "       contractgen batch resume BATCH_ID --out drafts.zip [--row N ...]\n"
                               "       contractgen batch --template TYPE [--out FILE.csv|FILE.xlsx]\n"
                               "       contractgen batch --list")
    bat.add_argument("what", nargs="*", metavar="FILE | resume BATCH_ID",
                     help="The sheet (.csv or .xlsx: one request per row, columns named after the fields), or "
                          "`resume BATCH_ID` to finish only the unfinished rows of a stored batch.")
    bat.add_argument("--doc", choices=list(DOC_TYPES), default="tos",
                     help="Document type of rows without a `doc` column or cell (default tos).")
    bat.add_argument("--concurrency", default=None, metavar="N", help="Drafts written at once, 1-32 (default 4).")
    bat.add_argument("--format", default=None, metavar="LIST", help="Exports in the zip: md, html, docx, comma-separated (default md).")
    bat.add_argument("--skip-invalid", action="store_true", help="Draft the valid rows and leave the invalid ones out "
                                                                 "(default: any invalid row stops the batch before it starts).")
    bat.add_argument("--row", type=int, action="append", default=None, metavar="N",
                     help="With resume: only this sheet row (retry one failed row). Repeatable.")
    bat.add_argument("--dry-run", action="store_true", help="Validate and estimate only; store nothing.")
    bat.add_argument("--template", choices=list(DOC_TYPES), metavar="TYPE",
                     help="Print a template sheet for TYPE (" + ", ".join(DOC_TYPES) + ") and exit.")
    bat.add_argument("--list", action="store_true", help="List stored batches, newest first.")
    _provider_flags(bat)
    bat.add_argument("--out", default=None, help="The zip to write (drafts + summary.csv).")
    bat.add_argument("--quiet", action="store_true", help="Only the summary on stderr.")
    return parser


EXIT_PAUSED = 4
EXIT_WARNINGS = 5  # completed, but the structure does not match the outline or a seam is unverified


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db or os.environ.get("CONTRACTGEN_DATABASE_URL") or Store.default_url(os.environ))


def _settings(args: argparse.Namespace, stored: dict | None = None) -> Settings:
    """Environment and flags; for a resume, the document's stored (non-secret) settings fill the gaps."""
    stored = stored or {}
    flags = dict(provider=args.provider, base_url=args.base_url, model=args.model, api_key=args.api_key,
                 connect_timeout=args.connect_timeout, read_timeout=args.read_timeout, rate=args.rate,
                 first_token_timeout=args.first_token_timeout, deadline=args.deadline,
                 stall_floor=args.stall_floor, stall_factor=args.stall_factor, overall_deadline=args.overall_deadline,
                 max_resumes=args.max_resumes, fault_plan=args.inject_fault,
                 fallback_models=tuple(args.fallback_model) if args.fallback_model else None,
                 auto_resume=False if args.no_auto_resume else None,
                 mode=getattr(args, "mode", None), group_size=getattr(args, "group_size", None),
                 continuation=args.continuation, chat_template=args.chat_template, max_tokens=args.max_tokens,
                 resume_tail=args.resume_tail, otel=True if args.otel else None, parallel=args.parallel)
    from .batch import kept_settings

    for name, value in kept_settings(stored).items():  # the one list of kept settings (batch.KEPT), a batch's too
        if flags[name] is None:
            flags[name] = value
    _check_numbers(args)
    settings = Settings.from_env(os.environ, **flags)
    FaultPlan.parse(settings.fault_plan)  # a bad spec is refused before anything starts
    if settings.provider != "offline":
        # Refused here, not found out by a network call that would be retried as a fault.
        source = "--base-url" if args.base_url else "OPENAI_BASE_URL" if os.environ.get("OPENAI_BASE_URL") else "The stored base URL"
        check_base_url(settings.base_url, source)
    return settings


# Numeric flags: (least value, whether the least value itself is allowed, what it counts).
_NUMBER_FLAGS = {
    "connect_timeout": (0, False, "seconds"), "read_timeout": (0, False, "seconds"),
    "first_token_timeout": (0, True, "seconds"), "deadline": (0, True, "seconds"),
    "stall_floor": (0, True, "seconds"), "stall_factor": (0, True, "times the p99 gap"),
    "overall_deadline": (0, True, "seconds"),
    "rate": (0, True, "tokens per second"), "max_resumes": (0, True, "resumes"), "group_size": (1, True, "sections per call"),
    "expire_after": (0, True, "hours"), "retention": (0, True, "days"), "limit": (1, True, "drafts"),
    "max_tokens": (1, True, "tokens"), "resume_tail": (1, True, "characters"), "parallel": (1, True, "calls at once"),
}


def _check_numbers(args: argparse.Namespace) -> None:
    """One sentence per numeric flag out of range (NaN and infinity included), before anything starts."""
    import math

    problems = []
    for name, (least, inclusive, unit) in _NUMBER_FLAGS.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        flag = "--" + name.replace("_", "-")
        bound = f"{least} or more" if inclusive else f"more than {least}"
        if not math.isfinite(value) or value < least or (value == least and not inclusive):
            kind = "a whole number" if isinstance(value, int) else "a finite number"
            problems.append(f"{flag} must be {kind} of {unit}, {bound}; not {value:g}.")
    parallel = getattr(args, "parallel", None)
    if parallel is not None and parallel > MAX_PARALLEL:
        problems.append(f"--parallel must be a whole number of calls at once, from 1 to {MAX_PARALLEL}; not {parallel}.")
    if problems:
        raise InputError(problems)


def _reporter(generation: Generation, total: int, stream):
    """Progress on stderr: one line per completed section, fault and resume."""
    seen = {"sections": 0, "faults": 0, "resumes": 0}

    def report(g: Generation) -> None:
        done = g.completed_sections
        for section in done[seen["sections"]:]:
            print(f"[{section.number}/{total}] {visible(section.title)}", file=stream, flush=True)
        seen["sections"] = len(done)
        if g.faults_handled > seen["faults"]:
            seen["faults"] = g.faults_handled
            print(f"fault: {visible(g.last_fault)}", file=stream, flush=True)
        if g.resumes > seen["resumes"]:
            seen["resumes"] = g.resumes
            print(f"Resuming generation from where it left off ({len(g.text):,} characters kept)...", file=stream, flush=True)

    return report


def _run(generation: Generation, out: Path | None, quiet: bool) -> int:
    """Follow a running generation to its end, save the text, and say how it ended."""
    log = sys.stderr
    total = len(outline(get_library(generation.request.doc_type), generation.request))
    report = None if quiet else _reporter(generation, total, log)
    sink = _Sink(out)

    def progress(g: Generation) -> None:
        sink.feed(g)  # the text first, then the progress lines it completes
        if report:
            report(g)

    try:
        text = follow(generation, progress)
    except KeyboardInterrupt:
        generation.cancel()
        generation.join(5)
        sink.finish(generation)
        print(f"Interrupted; the {len(generation.text):,} characters written so far are saved. "
              f"Continue with: contractgen resume {generation.id}", file=log)
        return EXIT_INTERRUPTED
    sink.finish(generation)
    where = f" in {visible(out)}" if out else ""
    if hidden := hidden_characters(text):
        print(f"Note: the model wrote {describe_hidden(hidden)}; they are left out of the Markdown written"
              f"{where or ''} and of every export (the stored draft keeps them).", file=log)
    handled = f" {generation.faults_handled} fault(s) handled." if generation.faults_handled else ""
    if generation.status == "completed":
        if not quiet:
            usage = generation.usage
            tokens = f", {usage.completion_tokens:,} tokens{' (estimated)' if usage.estimated else ''}" if usage else ""
            print(f"Done: {len(text.split()):,} words{tokens}{where}.{handled}", file=log)
        for warning in generation.warnings:
            print(f"warning: {visible(warning)}", file=log)
        if generation.warnings:
            print(f"The draft completed with warnings: read it before use (contractgen show {generation.id}).", file=log)
            return EXIT_WARNINGS
        return EXIT_OK
    print(f"error: {visible(generation.error)}", file=log)
    if text:
        print(f"The draft is incomplete; the {len(text):,} characters written so far are saved{where}.", file=log)
    if generation.resumable:
        print(f"Continue with: contractgen resume {generation.id}", file=log)
    # Paused from the app (any process can ask through the store): resumable, like an interruption.
    return EXIT_PAUSED if generation.status in ("interrupted", "paused") else EXIT_PROVIDER


def _check_out(out: Path | None, args: argparse.Namespace | None = None) -> None:
    # Fail before generating, not after minutes of streaming: the file itself must be writable, not
    # only its folder, and it must not be the database (nothing stored may be overwritten).
    if out is None:
        return
    shown = visible(out)
    if out.is_dir() or not out.parent.is_dir():
        raise InputError([f"Cannot write {shown}: the folder does not exist or it is a folder."])
    db = _database_file(args) if args is not None else None
    if db is not None and _same_file(out, db):
        raise InputError([f"Cannot write {shown}: it is the database holding the drafts; choose another --out file."])
    target = _target(out)
    try:
        if target.exists() and not target.is_file():  # /dev/stdout, a pipe: written in place
            if not os.access(target, os.W_OK):
                raise PermissionError(13, "Permission denied")
            return
        part = target.with_name(target.name + ".part")
        existed = part.exists()
        with open(part, "ab"):
            pass
        if not existed:
            part.unlink()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError([f"Cannot write {shown}: creating a file in {visible(target.parent)} fails ({reason}); "
                          "choose another --out file."]) from None


def _target(out: Path) -> Path:
    """Where the bytes go: through a symbolic link to its file, so the link itself is not replaced
    (/dev/stdout, whose target is no path, stays as it is and is written in place)."""
    if out.is_symlink():
        resolved = out.resolve()
        if resolved.exists():
            return resolved
    return out


def _database_file(args: argparse.Namespace) -> Path | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(getattr(args, "db", None) or os.environ.get("CONTRACTGEN_DATABASE_URL") or Store.default_url(os.environ))
    except (ArgumentError, ValueError):
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _same_file(out: Path, db: Path) -> bool:
    try:
        out_path, db_path = out.resolve(), db.resolve()
    except (OSError, RuntimeError):
        return False
    return out_path in {db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal"))}


def cmd_generate(args: argparse.Namespace) -> int:
    answers = _fields(args.field)
    if args.company is not None:
        answers["company"] = args.company
    # A field that takes several values (e.g. data_categories) is written comma-separated on the command line.
    multi = {name for step in steps(args.doc) for f in step.fields if f.kind == "multi" for name in [f.name]}
    answers = {k: ([x.strip() for x in v.split(",") if x.strip()] if k in multi else v) for k, v in answers.items()}
    out = None if args.out == "-" else Path(args.out)
    # Every problem at once (answers, flags, output file), each in one sentence, before anything starts.
    request, settings = _all_problems(lambda: parse_request({"doc_type": args.doc, **answers}), lambda: _settings(args),
                                      lambda: _check_out(out, args))[:2]
    generation = GenerationManager(_store(args)).start(request, settings)
    if not args.quiet:
        total = len(outline(get_library(request.doc_type), request))
        calls = f"{generation.calls_total} call(s), {settings.mode} mode"
        print(f"Document {generation.id}: drafting with {visible(generation.label)}; {total} sections, {calls}.",
              file=sys.stderr, flush=True)
    return _run(generation, out, args.quiet)


def _all_problems(*checks):
    """Run every check; their results, or one InputError with the problems of all of them."""
    results, problems = [], []
    for check in checks:
        try:
            results.append(check())
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return results


def cmd_resume(args: argparse.Namespace) -> int:
    manager = GenerationManager(_store(args))
    record = manager.store.get(args.id)
    if record is None:
        raise InputError([f"No draft with id {args.id}; see `contractgen list`."])
    out = Path(args.out) if args.out else None
    settings = _all_problems(lambda: _settings(args, record.settings), lambda: _check_out(out, args))[0]
    generation = manager.resume(args.id, settings)
    if not args.quiet:
        # The stored length read before the worker started: by now it may have written more (or all) of the rest.
        print(f"Document {generation.id}: resuming from {record.length:,} characters with {visible(generation.label)}.",
              file=sys.stderr, flush=True)
    return _run(generation, out, args.quiet)


def cmd_worker(args: argparse.Namespace) -> int:
    """Continue, from their last checkpoint, the drafts whose writer's lease ran out; each with the provider
    settings it was started with (flags override them), as automatic resumes."""
    store = _store(args)
    manager = GenerationManager(store)
    defaults = _settings(args)
    print(f"Worker {visible(manager_owner())} on {visible(store.where)}: taking over drafts whose writer "
          f"stopped (lease {defaults.lease_seconds:g} s). Ctrl-C stops.", file=sys.stderr, flush=True)
    running: list[Generation] = []
    try:
        while True:
            for id in store.expired():
                record = store.get(id)
                settings = _settings(args, record.settings) if record else defaults
                # This draft only, with its own settings: another taker may have won it since the listing.
                for generation in manager.take_over(settings, ids=[id]) if record else []:
                    print(f"Took over {generation.id} at {len(generation.text):,} characters "
                          f"({visible(generation.label)}).", file=sys.stderr, flush=True)
                    running.append(generation)
            for generation in [g for g in running if not g.running]:
                running.remove(generation)
                print(f"{generation.id}: {generation.status}"
                      + (f" ({visible(generation.error)})" if generation.error else "") + ".", file=sys.stderr, flush=True)
            if args.once and not running:
                return EXIT_OK
            time.sleep(min(args.poll, 0.5) if running and args.once else args.poll)
    except KeyboardInterrupt:
        for generation in running:
            generation.cancel()
            generation.join(5)
        return EXIT_INTERRUPTED


def _when(t: float | None) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if t else "-"


def cmd_list(args: argparse.Namespace) -> int:
    _check_numbers(args)
    records = _store(args).list_documents(limit=args.limit, status=args.status)
    if args.json:
        print(json.dumps([{k: getattr(r, k) for k in ("id", "doc_type", "status", "mode", "provider", "model", "created_at",
                                                        "updated_at", "length", "faults", "resumes")} for r in records], indent=2))
        return EXIT_OK
    if not records:
        print("No drafts yet. Start one with: contractgen generate --company NAME --out FILE")
        return EXIT_OK
    print(f"{'id':<14}{'created (UTC)':<21}{'status':<13}{'type':<6}{'model':<22}{'chars':>8}{'faults':>8}{'resumes':>9}")
    for r in records:
        print(visible(f"{r.id:<14}{_when(r.created_at):<21}{r.status:<13}{r.doc_type:<6}{r.model[:21]:<22}{r.length:>8,}{r.faults:>8}{r.resumes:>9}"))
    return EXIT_OK


def _hidden_summary(text: str) -> dict | None:
    """Bidi, invisible and control characters in a stored text (None when it has none): see sanitize.HIDDEN."""
    found = hidden_characters(text)
    return {"count": len(found), "kinds": list(dict.fromkeys(f"U+{ord(c):04X}" for c in found))} if found else None


def describe_document(store: Store, id: str) -> dict:
    """Everything `show` reports, as plain data."""
    prices = PriceTable.load(os.environ)
    record = store.get(id)
    if record is None:
        raise InputError([f"No draft with id {id}; see `contractgen list`."])
    faults = store.faults(id)
    resumes = store.resumes(id)
    return {
        "id": record.id, "doc_type": record.doc_type, "status": record.status, "mode": record.mode,
        "provider": record.provider, "model": record.model, "error": record.error,
        "created_at": record.created_at, "updated_at": record.updated_at, "completed_at": record.completed_at,
        "length": record.length, "words": len(record.text.split()), "request": record.request, "settings": record.settings,
        "hidden_characters": _hidden_summary(record.text),
        "usage": summary_dict(document_summary(store, id, prices)),
        "warnings": record.warnings,
        "sections": store.sections(id),
        "seams": [{"strategy": m.strategy, "join": m.join_kind, "how": JOINS.get(m.join_kind, m.join_kind),
                   "joined": m.join_kind != "unverified", "dropped": m.dropped, "preamble": m.preamble,
                   "inserted": m.inserted, "similarity": m.similarity, "offset": m.offset, "excerpt": m.excerpt,
                   "resume": m.resume_id is not None, "at": m.at} for m in store.seams(id)],
        "faults": [{"kind": f.kind, "message": f.message, "offset": f.offset, "detected_at": f.detected_at} for f in faults],
        "resumes": [{"auto": r.auto, "succeeded": r.succeeded, "detected_at": r.detected_at, "requested_at": r.requested_at,
                     "first_token_at": r.first_token_at,
                     "resume_seconds": (r.first_token_at - r.detected_at) if r.first_token_at else None} for r in resumes],
        "attempts": [{"kind": a.kind, "model": a.model, "provider": a.provider, "outcome": a.outcome, "start_offset": a.start_offset,
                      "output_chars": a.output_chars, "started_at": a.started_at, "ended_at": a.ended_at,
                      "first_token_at": a.first_token_at, "prompt_tokens": a.prompt_tokens,
                      "completion_tokens": a.completion_tokens, "tokens_estimated": a.tokens_estimated}
                     for a in store.attempts(id)],
    }


def _say(line: str = "") -> None:
    """One line of a report about stored data: what came from outside is shown, never obeyed."""
    print(visible(line))


def cmd_show(args: argparse.Namespace) -> int:
    store = _store(args)
    info = describe_document(store, args.id)
    if args.json:
        if args.text:
            info["text"] = store.text(args.id)
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return EXIT_OK
    _say(f"Document {info['id']} ({info['doc_type']}, {info['mode']}): {info['status']}")
    _say(f"  model {info['model']} via {info['provider']} · {info['length']:,} characters, {info['words']:,} words")
    _say(f"  created {_when(info['created_at'])} · updated {_when(info['updated_at'])} · completed {_when(info['completed_at'])}")
    if hidden := info["hidden_characters"]:
        _say(f"  note: the text holds {hidden['count']:,} invisible or control character(s) ({', '.join(hidden['kinds'])}) "
             "that can hide or reorder what a reader sees; exports and the app leave them out, the stored text keeps them")
    if info["error"]:
        _say(f"  error: {info['error']}")
    for warning in info["warnings"]:
        _say(f"  warning: {warning}")
    u = info["usage"]
    cost = f"${u['cost']:.4f}" + (f" (unpriced: {', '.join(u['unpriced_models'])})" if u["unpriced_models"] else "")
    _say(f"  calls {u['calls']} · tokens in {u['prompt_tokens']:,} / out {u['completion_tokens']:,}"
         f"{' (estimated)' if u['estimated'] else ''} · estimated cost {cost} · resume overhead {u['resume_overhead_tokens']:,} tokens")
    _say(f"  sections ({len(info['sections'])}): " + "; ".join(f"{s['number']}. {s['title']}" for s in info["sections"]))
    _say(f"  faults ({len(info['faults'])}):")
    for f in info["faults"]:
        _say(f"    {_when(f['detected_at'])}  {f['kind']:<13} at {f['offset']:>7,} chars  {f['message']}")
    _say(f"  resumes ({len(info['resumes'])}):")
    for r in info["resumes"]:
        took = f"{r['resume_seconds']:.2f} s to first new token" if r["resume_seconds"] is not None else "no new text"
        _say(f"    {_when(r['requested_at'])}  {'automatic' if r['auto'] else 'manual':<10} {took}")
    _say(f"  seams ({len(info['seams'])}):")
    for m in info["seams"]:
        what = "resume" if m["resume"] else "length continuation"
        _say(f"    {_when(m['at'])}  {what:<19} at {m['offset']:>7,} chars  {m['strategy']:<10} {m['join']:<17} "
             f"dropped {m['dropped']:,}" + (f" (commentary {m['preamble']:,})" if m["preamble"] else "")
             + (f" similarity {m['similarity']:.2f}" if m["similarity"] is not None and m["similarity"] < 1 else ""))
        _say(f"      {m['how']}: …{m['excerpt']}…".replace("\n", "↵"))
    _say(f"  attempts ({len(info['attempts'])}):")
    for a in info["attempts"]:
        _say(f"    {a['kind']:<16} {a['model']:<22} from {a['start_offset']:>7,} +{a['output_chars']:>7,} chars  {a['outcome'] or 'running'}")
    if args.text:
        print()
        # As stored, but nothing in it can drive the terminal: control characters shown as escapes.
        print(visible_lines(store.text(args.id)))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    record = _store(args).get(args.id)
    if record is None:
        raise InputError([f"No draft with id {args.id}; see `contractgen list`."])
    out = Path(args.out)
    _check_out(out, args)
    data = export(record.text, info_for(record), args.format)
    _write(out, data)
    note = "" if record.status == "completed" else f" (an incomplete draft: {record.status})"
    print(f"Wrote {visible(out)} ({args.format}, {len(data):,} bytes){note}.", file=sys.stderr)
    return EXIT_OK


def cmd_cleanup(args: argparse.Namespace) -> int:
    _check_numbers(args)
    retention = args.retention if args.retention is not None else Settings.from_env(os.environ).retention_days
    expired, deleted = _store(args).cleanup(expire_after=args.expire_after * 3600, retention=retention * 86400)
    print(f"Expired {expired} unfinished draft(s) older than {args.expire_after:g} h; "
          f"deleted {deleted} draft(s) older than {retention:g} days.")
    return EXIT_OK


class _Sink:
    """Where generate and resume write the draft: standard output, or the --out file, as the text arrives (a
    draft takes minutes; the terminal, or `tail -f FILE.part`, shows it growing). The file is written as
    FILE.part and renamed to FILE when the run ends, so a crash or a kill never leaves half a draft over a good
    file (the stored draft keeps every character, and `contractgen resume` continues it); a pipe or /dev/stdout
    is written in place. At the end comes what the Markdown export adds after the text (the incomplete-draft
    note, the not-legal-advice notice), so the file equals `export --format md`. Progress stays on stderr."""

    def __init__(self, out: Path | None) -> None:
        self.out, self.offset, self.shown, self.stream, self.part = out, 0, [], None, None
        if out is not None:
            target = _target(out)
            if target.exists() and not target.is_file():
                self.stream = open(target, "w", encoding="utf-8")
            else:
                self.part = target.with_name(target.name + ".part")
                self.stream = open(self.part, "w", encoding="utf-8")

    def _write(self, text: str) -> None:
        if not text:
            return
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()

    def feed(self, generation: Generation) -> None:
        new, _ = generation.read(self.offset)
        self.offset += len(new)
        # Like every export: invisible and terminal-control characters a model wrote are left out.
        new = strip_hidden(new)
        self.shown.append(new)
        self._write(new)

    def finish(self, generation: Generation) -> None:
        from .export import ExportInfo, markdown_ending

        self.feed(generation)
        info = ExportInfo(document_id=generation.id, title="", generated_at=0.0, method="", model="",
                          status=generation.status)
        self._write(markdown_ending("".join(self.shown), info))
        if self.stream is not None:
            self.stream.close()
        if self.part is not None:
            self.part.replace(_target(self.out))


def _save(out: Path | None, text: str) -> None:
    # Like every export: bidi-override, invisible and terminal-control characters a model wrote are left out
    # (the stored text keeps them; `contractgen show` says so).
    text = strip_hidden(text)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    elif text:
        _write(out, text.encode("utf-8"))


def _write(out: Path, data: bytes) -> None:
    target = _target(out)
    if target.exists() and not target.is_file():  # /dev/stdout, a pipe: nothing to keep, and not ours to replace
        with open(target, "wb") as stream:
            stream.write(data)
        return
    # Write to a temporary file then rename, so a crash never leaves half a file over a good one.
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)


def cmd_serve_offline(args: argparse.Namespace) -> int:
    from .server import OfflineServer, parse_repeat, parse_seconds

    if not 0 <= args.port <= 65535:
        raise InputError([f"--port must be a whole number from 0 to 65535 (0 picks a free port), not {args.port}."])
    _check_numbers(args)  # --rate
    seed = None
    if args.seed is not None:
        try:
            seed = int(args.seed)
        except ValueError:
            raise InputError([f"--seed takes a whole number, not \u201c{args.seed}\u201d."]) from None
    # Checked before listening: a bad option leaves no socket behind. 25,000 characters
    # is about the length of a Terms of Service: the range of `random` positions.
    plan = FaultPlan.parse(args.fault, length=25_000, seed=seed)
    repeat = parse_repeat(args.repeat)
    stall_seconds = parse_seconds("--stall-seconds", args.stall_seconds)
    retry_after = parse_seconds("--retry-after", args.retry_after)
    try:
        server = OfflineServer(args.host, args.port, rate=args.rate, api_key=args.api_key, verbose=args.verbose,
                               plan=plan, repeat=repeat, stall_seconds=stall_seconds, retry_after=retry_after, seed=seed,
                               prefill=args.prefill, completions=not args.no_completions, style=args.continue_style,
                               context_chars=args.context_chars, context_style=args.context_style,
                               heading_style=args.headings)
    except OSError as exc:
        raise InputError([f"Cannot listen on {args.host}:{args.port}: {exc.strerror}."]) from None
    # Tests and scripts read the address from this first line.
    print(f"Serving the offline engine on {server.base_url} (model contractgen-offline). Ctrl-C stops.", flush=True)
    if plan:
        print(f"Fault plan: {plan.spec()} (each fault strikes once).", flush=True)
    if repeat:
        print(f"Continuations repeat {'0-200' if repeat == 'random' else repeat} characters of the partial text.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def cmd_metrics(args: argparse.Namespace) -> int:
    from . import metrics

    start, end = metrics.day_range(args.since, args.until)
    filters = metrics.Filters(start=start, end=end, modes=tuple(args.mode), models=tuple(args.model))
    store = _store(args)
    figures = metrics.kpis(store, filters)
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return EXIT_OK
    span = {(False, False): "All documents", (True, False): f"Documents created on or after {args.since} (UTC)",
            (False, True): f"Documents created on or before {args.until} (UTC)",
            (True, True): f"Documents created {args.since} to {args.until} (UTC, both days included)"}
    title = span[bool(args.since), bool(args.until)] + "".join(
        f"; {name} {', '.join(values)}" for name, values in (("mode", args.mode), ("model", args.model)) if values)
    print(metrics.format_kpis(figures, metrics.by_dimension(store, filters, "mode"), title=title,
                              engines=metrics.by_engine(store, filters)))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    store = _store(args)

    def progress(done: int, total: int, r: dict) -> None:
        faults = f" {r['faults']} fault(s)" + (", resumed by hand" if r["manual_resume"] else "") if r["faults"] else ""
        print(f"[{done}/{total}] {r['id']} {r['mode']:<8} {r['status']}{faults}", file=sys.stderr, flush=True)

    s = simulate(store, args.documents, args.fault_rate, modes, args.seed, progress,
                 backdate_days=args.backdate_days, workers=args.workers)
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(s["by_status"].items()))
    print(f"Simulated {s['documents']} document(s) in {s['seconds']:.1f} s: {statuses}. "
          f"{s['with_injected_faults']} with injected faults: {s['faults']} fault(s), {s['auto_resumes']} automatic "
          f"and {s['manual_resumes']} manual resume(s).")
    if s["backdate_days"]:
        print(f"Their times are backdated by a random 0-{s['backdate_days']:g} days (simulated history).")
    shown = shown_url(args.db) if args.db else ""
    print("See the figures with: contractgen metrics" + (f" --db {shown}" if shown else "")
          + (" (with your password in place of ***)" if shown != (args.db or "") else ""))
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from . import batch, batch_io

    log = sys.stderr
    if args.template:
        if args.out and args.out.lower().endswith(".xlsx"):
            _write(Path(args.out), batch_io.template_xlsx(args.template))
        elif args.out:
            _write(Path(args.out), batch_io.template_csv(args.template).encode("utf-8"))
        else:
            sys.stdout.write(batch_io.template_csv(args.template))
        return EXIT_OK
    store = _store(args)
    if args.list:
        for b in store.list_batches(limit=50):
            p = batch.progress(store, b.id)
            print(visible(f"{b.id}  {_when(b.created_at)}  {b.source}  {p.status}: {p.line()}"))
        return EXIT_OK
    resuming = bool(args.what) and args.what[0] == "resume"
    if len(args.what) != (2 if resuming else 1):
        raise InputError(["Give one sheet (contractgen batch FILE --out drafts.zip) or `resume BATCH_ID`."])
    out = Path(args.out) if args.out else None
    if out is None and not args.dry_run:
        raise InputError(["--out is required: the zip to write the drafts and summary.csv to (e.g. --out drafts.zip)."])
    if resuming:
        record = store.get_batch(args.what[1])
        if record is None:
            raise InputError([f"No batch with id {args.what[1]}; see `contractgen batch --list`."])
        batch_id = record.id
        settings = _all_problems(lambda: _settings(args, record.settings), lambda: _check_out(out, args))[0]
        formats = batch.check_formats(args.format.split(",")) if args.format else None
        concurrency = args.concurrency or record.settings.get("concurrency")
    else:
        path = Path(args.what[0])
        if not path.is_file():
            raise InputError([f"Cannot read the sheet {visible(path)}: no such file."])
        sheet = batch_io.read_sheet(path.name, path.read_bytes())
        checks, settings, concurrency, formats = _all_problems(
            lambda: batch.validate(sheet, args.doc), lambda: _settings(args),
            lambda: batch.check_concurrency(args.concurrency or batch.DEFAULT_CONCURRENCY),
            lambda: batch.check_formats((args.format or "md").split(",")), lambda: _check_out(out, args))[:4]
        invalid = [c for c in checks if not c.valid]
        if args.skip_invalid or args.dry_run:  # otherwise `create` refuses the batch, listing the same problems
            for line in batch.problem_lines(invalid):
                print(f"invalid: {visible(line)}", file=log)
        figures = batch.estimate(checks, settings, concurrency)
        print(f"{len(checks)} row(s), {len(invalid)} invalid. Estimate: {figures.sentence()}", file=log, flush=True)
        if args.dry_run:
            return EXIT_INPUT if invalid else EXIT_OK
        batch_id = batch.create(store, checks, settings, source=path.name, concurrency=concurrency,
                                formats=formats, skip_invalid=args.skip_invalid)
    manager = GenerationManager(store)
    runner = batch.BatchRunner(manager, batch_id, settings, concurrency, args.row if resuming else None)
    print(f"Batch {batch_id}: {len(runner.todo())} draft(s) to write, {runner.concurrency} at a time. "
          f"Continue it after a stop with: contractgen batch resume {batch_id} --out {visible(out)}", file=log, flush=True)
    runner.start()
    seen: set[int] = set()
    try:
        while runner.running:
            runner.join(0.5)
            p = batch.progress(store, batch_id)
            for r in p.rows:
                if (r["status"] == "completed" or r["row"] in p.failed_rows) and r["row"] not in seen:
                    seen.add(r["row"])
                    if not args.quiet:
                        faults = f", {r['faults handled']} fault(s) handled" if r["faults handled"] else ""
                        why = f": {r['why']}" if r["status"] != "completed" and r["why"] else ""
                        print(visible(f"[{len(seen)}/{p.total}] row {r['row']} {r['company']} ({r['document']}): "
                                      f"{r['status']}{faults}{why}"), file=log, flush=True)
    except KeyboardInterrupt:
        runner.stop()
        runner.join(30)
        print(f"Interrupted; what was written is saved. Continue with: contractgen batch resume {batch_id} "
              f"--out {visible(out)}", file=log)
        return EXIT_INTERRUPTED
    data = batch.build_zip(store, batch_id, formats)
    _write(out, data)
    lines = batch.summary(store, batch_id)
    p = batch.progress(store, batch_id)
    print(f"\nBatch {batch_id}: {p.line()}. Wrote {visible(out)} ({len(data):,} bytes).", file=log)
    for line in batch.summary_csv(lines).splitlines():
        print(visible(line), file=log)
    if p.unfinished:
        print(f"Retry what did not complete with: contractgen batch resume {batch_id} --out {visible(out)}", file=log)
        return EXIT_PROVIDER
    return EXIT_WARNINGS if any(line["warnings"] for line in lines) else EXIT_OK


COMMANDS = {"batch": cmd_batch, "generate": cmd_generate, "serve-offline": cmd_serve_offline, "list": cmd_list, "show": cmd_show,
            "resume": cmd_resume, "worker": cmd_worker, "cleanup": cmd_cleanup, "export": cmd_export, "metrics": cmd_metrics, "simulate": cmd_simulate}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        for problem in exc.problems:
            # Problems repeat what was typed (an id, a field, a server's words): control characters made visible.
            print(f"error: {visible(problem)}", file=sys.stderr)
        return EXIT_INPUT
    except ContractgenError as exc:
        print(f"error: {visible(exc)}", file=sys.stderr)
        return EXIT_PROVIDER


if __name__ == "__main__":
    sys.exit(main())

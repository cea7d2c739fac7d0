"""Durability across processes: takeover after kill -9, write cost, concurrent drafts; SQLite and PostgreSQL.

Three measurements, each on SQLite (a file in a temporary directory) and on PostgreSQL (a blank schema of the
database named by CONTRACTGEN_TEST_DATABASE_URL, dropped afterwards; skipped with a message when it is not set):

1. Takeover after `kill -9`. A `contractgen generate` writer (offline engine, `--rate 300`,
   CONTRACTGEN_LEASE_SECONDS=3), started on "another host" (`unshare --uts` with its own hostname, when
   permitted), is killed with SIGKILL once 3,000 characters are stored, while a `contractgen worker --poll 0.5
   --rate 0` (same lease) is already running. Per trial: the lease left at the kill, lease expiry -> first new
   token of the takeover attempt, kill -> first new token, and whether the final text is the reference.
2. Write cost, in this process. Per checkpoint: `Store.append_text` of 500 characters under a lease, 200 times
   on one draft. Per whole draft: `GenerationManager.start` with Settings(provider="offline", rate=0), until its
   worker thread ends. Wall time, and what reached the database, counted with SQLAlchemy's
   `before_cursor_execute` and `commit` events on the store's engine (statements by kind, transactions, write
   transactions) and by wrapping the Store's write methods (calls by method).
3. Concurrent drafts. 50 and 100 `contractgen generate --rate 0 --quiet` processes started together on one blank
   database (each its own company): completed (exit 0, stored as completed, file identical to that company's
   reference), failed with their messages, wall time, CPU seconds of the children (getrusage RUSAGE_CHILDREN).

    export CONTRACTGEN_TEST_DATABASE_URL="$(.ci/postgres)"   # as root; optional (else PostgreSQL is skipped)
    .venv/bin/python benchmarks/durability.py                # ~10 minutes on 2 cores; writes docs/benchmarks.md
    .venv/bin/python benchmarks/durability.py --quick        # 1 trial, 10 processes, prints only
    .venv/bin/python benchmarks/durability.py --no-postgres  # SQLite only

The database password is never printed nor written: URLs are shown through `storage.shown_url`, children get
the URL in their environment (CONTRACTGEN_DATABASE_URL, not on the command line), and every message recorded
from a child is checked for the password and masked.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from sqlalchemy import create_engine, event, make_url, text  # noqa: E402

from contractgen.config import Settings  # noqa: E402
from contractgen.generation import CHECKPOINT_INTERVAL, GenerationManager  # noqa: E402
from contractgen.offline import MODEL, OfflineEngine  # noqa: E402
from contractgen.request import parse_request  # noqa: E402
from contractgen.storage import LEASE_SECONDS, Lease, Store, shown_url  # noqa: E402
from report import write_section  # noqa: E402

HEADING = "## Durability: takeover, write cost, concurrent drafts"
ACME = parse_request({"company": "Acme"})
LEASE = 3  # seconds: CONTRACTGEN_LEASE_SECONDS of the killed writer and of the worker
WRITER_RATE = 300
KILL_AT = 3000  # characters stored
CHUNK = 500  # characters per measured checkpoint
STORE_WRITES = ("create_document", "append_text", "set_status", "start_attempt", "end_attempt", "record_fault",
                "record_resume", "resume_delivered", "record_seam", "save_section", "renew", "acquire",
                "mark_interrupted", "request_stop")


def reference(request) -> str:
    return "".join(d.text for d in OfflineEngine(rate=0).stream(request))


FULL = reference(ACME)


# --- helpers -----------------------------------------------------------------------------------------------------

class Secret:
    """Masks the PostgreSQL password in anything recorded from a child process (belt and braces)."""
    values: list[str] = []

    @classmethod
    def add(cls, url: str | None) -> None:
        password = make_url(url).password if url else None
        if password:
            cls.values.append(str(password))

    @classmethod
    def mask(cls, s: str) -> str:
        for value in cls.values:
            s = s.replace(value, "***")
        return s


def child_env(url: str, **extra) -> dict:
    """This environment without provider or contractgen settings, the database URL in it (not on a command line)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CONTRACTGEN_", "OTEL_"))}
    return {**base, "CONTRACTGEN_DATABASE_URL": url, **{k: str(v) for k, v in extra.items()}}


def wait_for(predicate, timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def median(values):
    return statistics.median(values) if values else None


def p95(values):
    """Nearest-rank 95th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def fmt(value, digits=2, unit=""):
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


class Databases:
    """Blank databases of one engine: SQLite files in a temporary folder, or PostgreSQL schemas (dropped at close)."""

    def __init__(self, engine: str, tmp: Path, pg_url: str | None = None):
        self.engine, self.tmp, self.pg_url = engine, tmp, pg_url
        self.created: list[str] = []
        self.admin = create_engine(pg_url, isolation_level="AUTOCOMMIT", pool_size=1) if engine == "postgresql" else None

    def new(self) -> tuple[str, str]:
        """(url, name) of a blank database."""
        name = f"bench_{uuid.uuid4().hex[:12]}"
        if self.engine == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}", name
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        self.created.append(name)
        url = make_url(self.pg_url).update_query_dict({"options": f"-csearch_path={name}", "application_name": name})
        return url.render_as_string(hide_password=False), name

    def connections(self, name: str) -> tuple[int, int]:
        """(client connections of this run, client connections of every client of the server)."""
        with self.admin.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT count(*) FILTER (WHERE application_name = :n), count(*) FILTER (WHERE backend_type = "
                "'client backend') FROM pg_stat_activity"), {"n": name}).one())

    def drop(self, name: str) -> None:
        if self.engine != "postgresql" or name not in self.created:
            return
        with self.admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n"),
                         {"n": name})
            conn.execute(text("SET lock_timeout = '10s'"))
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(name)
        if self.admin is not None:
            self.admin.dispose()


def other_host() -> tuple[list[str], str]:
    """A command prefix running the writer under another hostname, and how the writer runs."""
    if shutil.which("unshare") and subprocess.run(["unshare", "--uts", "true"], capture_output=True).returncode == 0:
        return (["unshare", "--uts", "sh", "-c", 'hostname contractgen-host-a && exec "$@"', "sh"],
                "on another host (`unshare --uts`, hostname contractgen-host-a)")
    return [], "on the same host (`unshare --uts` is not permitted here; the worker still waits for the lease)"


# --- 1. takeover after kill -9 -------------------------------------------------------------------------------

def takeover(dbs: Databases, trials: int, prefix: list[str], log: Path) -> dict:
    url, name = dbs.new()
    store = Store(url)
    worker_log = log / f"worker-{dbs.engine}.log"
    worker = subprocess.Popen([sys.executable, "-m", "contractgen", "worker", "--poll", "0.5", "--rate", "0"],
                              cwd=ROOT, env=child_env(url, CONTRACTGEN_LEASE_SECONDS=LEASE),
                              stdout=subprocess.DEVNULL, stderr=open(worker_log, "w"))
    rows, problems = [], []
    try:
        if not wait_for(lambda: "Worker " in worker_log.read_text(), 60, 0.1):
            raise RuntimeError(f"the worker did not start: {Secret.mask(worker_log.read_text())[:500]}")
        for trial in range(trials):
            proc = subprocess.Popen([*prefix, sys.executable, "-m", "contractgen", "generate", "--company", "Acme",
                                     "--provider", "offline", "--rate", str(WRITER_RATE), "--out", os.devnull],
                                    cwd=ROOT, env=child_env(url, CONTRACTGEN_LEASE_SECONDS=LEASE),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            line = proc.stderr.readline()
            found = re.match(r"Document (\w+):", line)
            if not found:
                proc.kill()
                raise RuntimeError(f"the writer did not start: {Secret.mask(line + proc.stderr.read())[:500]}")
            doc = found.group(1)
            if not wait_for(lambda: store.get(doc).length >= KILL_AT, 60):
                proc.kill()
                raise RuntimeError(f"the writer stored no {KILL_AT:,} characters in 60 s")
            os.kill(proc.pid, signal.SIGKILL)
            killed = time.time()
            proc.wait(10)
            proc.stderr.close()
            dead = store.get(doc)  # the writer is gone: nothing renews its lease any more
            kept_ok = FULL.startswith(dead.text)
            done = wait_for(lambda: store.get(doc).status not in ("pending", "streaming", "resuming"), 90, 0.05)
            record = store.get(doc)
            resumes_att = [a for a in store.attempts(doc) if a.kind == "resume"]
            resumes = store.resumes(doc)
            first = resumes_att[0] if resumes_att else None
            row = {
                "trial": trial + 1, "doc": doc, "kept": dead.length, "writer_host": (dead.owner or "").split(":")[0],
                "lease_left": dead.lease_until - killed if dead.lease_until else None,
                "expiry_to_start": first.started_at - dead.lease_until if first and dead.lease_until else None,
                "expiry_to_token": first.first_token_at - dead.lease_until if first and first.first_token_at else None,
                "kill_to_token": first.first_token_at - killed if first and first.first_token_at else None,
                "product_resume": (resumes[0].first_token_at - resumes[0].detected_at)
                if resumes and resumes[0].first_token_at else None,
                "status": record.status, "identical": record.text == FULL, "kept_prefix": kept_ok,
                "takeover_attempts": len(resumes_att), "resumes": len(resumes),
                "resume_ok": bool(resumes and resumes[0].auto and resumes[0].succeeded),
                "open_attempts": sum(1 for a in store.attempts(doc) if a.outcome is None),
                "new_owner": (record.owner or "").split(":")[0],
            }
            rows.append(row)
            print(f"  [{dbs.engine}] takeover trial {trial + 1}: kept {row['kept']:,} chars, lease left at kill "
                  f"{fmt(row['lease_left'])} s, expiry->first token {fmt(row['expiry_to_token'])} s, kill->first token "
                  f"{fmt(row['kill_to_token'])} s, {row['status']}, identical={row['identical']}", flush=True)
            if not (done and row["status"] == "completed" and row["identical"] and kept_ok and row["takeover_attempts"] == 1
                    and row["resume_ok"] and row["open_attempts"] == 0):
                problems.append(f"trial {trial + 1} ({doc}): status {row['status']}, identical {row['identical']}, "
                                f"stored text a prefix of the reference at the kill {kept_ok}, takeover attempts "
                                f"{row['takeover_attempts']}, resume recorded auto+succeeded {row['resume_ok']}, "
                                f"attempts left open {row['open_attempts']}, error {Secret.mask(str(record.error))}")
    finally:
        worker.send_signal(signal.SIGINT)  # the worker's own Ctrl-C path
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
        store.close()
        dbs.drop(name)
    return {"rows": rows, "problems": problems, "worker_log": Secret.mask(worker_log.read_text())}


# --- 2. write cost -------------------------------------------------------------------------------------------

class Counting:
    """Statements and transactions an engine sends (every thread), and Store write calls by method."""

    def __init__(self, store: Store):
        self.lock = threading.Lock()
        self.statements: Counter = Counter()
        self.transactions = 0
        self.write_transactions = 0
        self.calls: Counter = Counter()
        engine = store._engine

        @event.listens_for(engine, "before_cursor_execute")
        def _statement(conn, cursor, statement, parameters, context, executemany):
            kind = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
            with self.lock:
                self.statements[kind] += 1
            if kind in ("INSERT", "UPDATE", "DELETE"):
                conn.info["bench_wrote"] = True

        @event.listens_for(engine, "commit")
        def _commit(conn):
            with self.lock:
                self.transactions += 1
                if conn.info.pop("bench_wrote", False):
                    self.write_transactions += 1

        for method in STORE_WRITES:
            original = getattr(store, method)

            def wrapped(*args, _original=original, _method=method, **kw):
                with self.lock:
                    self.calls[_method] += 1
                return _original(*args, **kw)

            setattr(store, method, wrapped)  # an instance attribute: the generation's getattr(store, name) finds it

    def reset(self) -> None:
        with self.lock:
            self.statements.clear()
            self.calls.clear()
            self.transactions = self.write_transactions = 0

    def snapshot(self) -> dict:
        with self.lock:
            s = self.statements
            return {"writes": s["INSERT"] + s["UPDATE"] + s["DELETE"], "insert": s["INSERT"], "update": s["UPDATE"],
                    "delete": s["DELETE"], "select": s["SELECT"], "transactions": self.transactions,
                    "write_transactions": self.write_transactions, "calls": dict(self.calls),
                    "store_writes": sum(self.calls.values())}


def write_cost(dbs: Databases, checkpoints: int, drafts: int) -> dict:
    url, name = dbs.new()
    store = Store(url)
    try:
        count = Counting(store)
        # Per checkpoint: one draft, `checkpoints` appends of CHUNK characters, each fenced by the lease.
        lease = Lease(f"bench:{os.getpid()}:{uuid.uuid4().hex[:8]}", LEASE_SECONDS)
        doc = uuid.uuid4().hex[:12]
        store.create_document(id=doc, doc_type="tos", request=ACME.model_dump(mode="json"), provider="offline",
                              model=MODEL, status="streaming", lease=lease)
        chunk = (FULL * 2)[:CHUNK]
        for _ in range(5):  # warm-up: connections opened, statements compiled
            store.append_text(doc, chunk, lease=lease)
        per_checkpoint = []
        for _ in range(checkpoints):
            count.reset()
            started = time.perf_counter()
            store.append_text(doc, chunk, lease=lease)
            per_checkpoint.append({"seconds": time.perf_counter() - started, **count.snapshot()})
        assert store.get(doc).length == CHUNK * (checkpoints + 5)

        # Per draft: the whole path of the app and the CLI, rate 0 (as fast as the engine goes).
        manager = GenerationManager(store)
        settings = Settings(provider="offline", rate=0)
        per_draft, problems = [], []
        warm = manager.start(ACME, settings)
        warm.join(120)
        for i in range(drafts):
            count.reset()
            started = time.perf_counter()
            generation = manager.start(ACME, settings)
            generation.join(120)
            elapsed = time.perf_counter() - started
            snap = count.snapshot()
            stored = store.get(generation.id)
            checkpoints_stored = len(store.checkpoints_after(generation.id, 0))
            per_draft.append({"seconds": elapsed, "checkpoints": checkpoints_stored, **snap})
            if generation.status != "completed" or stored.text != FULL or stored.status != "completed":
                problems.append(f"draft {i + 1}: {generation.status}/{stored.status}, identical {stored.text == FULL}, "
                                f"{Secret.mask(str(generation.error))}")
        print(f"  [{dbs.engine}] write cost: checkpoint median {median([r['seconds'] for r in per_checkpoint]) * 1000:.2f} ms, "
              f"draft median {median([r['seconds'] for r in per_draft]):.3f} s, "
              f"{median([r['store_writes'] for r in per_draft])} store writes", flush=True)
        return {"checkpoint": per_checkpoint, "draft": per_draft, "problems": problems}
    finally:
        store.close()
        dbs.drop(name)


# --- 3. concurrent drafts ------------------------------------------------------------------------------------

def concurrent(dbs: Databases, n: int, log: Path) -> dict:
    load = os.getloadavg()[0]
    url, name = dbs.new()
    out = log / f"concurrent-{dbs.engine}-{n}"
    out.mkdir()
    procs, ended, errs = [], {}, []
    peak_connections = peak_server = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        for i in range(n):
            err = open(out / f"{i}.err", "w")
            errs.append(err)
            procs.append(subprocess.Popen([sys.executable, "-m", "contractgen", "generate", "--company", f"Co {i}",
                                           "--provider", "offline", "--rate", "0", "--quiet", "--out", str(out / f"{i}.md")],
                                          cwd=ROOT, env=child_env(url), stdout=subprocess.DEVNULL, stderr=err))
        spawned = time.perf_counter() - started
        deadline = time.monotonic() + 900
        while len(ended) < n and time.monotonic() < deadline:
            for i, p in enumerate(procs):
                if i not in ended and p.poll() is not None:
                    ended[i] = time.perf_counter() - started
            if dbs.engine == "postgresql":
                ours, everyone = dbs.connections(name)
                peak_connections, peak_server = max(peak_connections, ours), max(peak_server, everyone)
            time.sleep(0.05)
        wall = time.perf_counter() - started
        for i, p in enumerate(procs):
            if i not in ended:
                p.kill()
                p.wait()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        for err in errs:
            err.close()
        store = Store(url)
        stored = {d.request.get("company"): d for d in store.list_documents(limit=n + 50)}
        completed, failures = 0, []
        for i, p in enumerate(procs):
            company = f"Co {i}"
            md = out / f"{i}.md"
            message = Secret.mask((out / f"{i}.err").read_text(errors="replace")).strip()
            record = stored.get(company)
            same = md.exists() and md.read_text(encoding="utf-8") == reference(parse_request({"company": company}))
            if p.returncode == 0 and record is not None and record.status == "completed" and same:
                completed += 1
            else:
                failures.append({"process": i, "exit": p.returncode if i in ended else "killed (timeout)",
                                 "status": record.status if record else "no row", "file_identical": same,
                                 "message": summary(message), "stderr": message,
                                 "row": f"{record.status}, {record.length:,} chars stored, error {Secret.mask(str(record.error))}"
                                 if record else "no row"})
        left_live = sum(1 for d in store.list_documents(limit=n + 50) if d.status in ("pending", "streaming", "resuming"))
        rows_total = len(stored)
        store.close()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        dbs.drop(name)
    durations = sorted(ended.values())
    result = {"n": n, "completed": completed, "failed": len(failures), "failures": failures, "wall": wall,
              "spawned": spawned, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
              "user": after.ru_utime - before.ru_utime, "system": after.ru_stime - before.ru_stime,
              "proc_median": median(durations), "proc_max": max(durations) if durations else None,
              "rows": rows_total, "left_live": left_live, "peak_connections": peak_connections,
              "peak_server": peak_server, "load": load}
    print(f"  [{dbs.engine}] {n} processes: {completed} completed, {len(failures)} failed, wall {wall:.1f} s, "
          f"CPU {result['cpu']:.1f} s" + (f", peak connections {peak_connections}" if dbs.engine == "postgresql" else ""),
          flush=True)
    for f in failures[:5]:
        print(f"    process {f['process']}: exit {f['exit']}, stored row: {f['row']}; its stderr:", flush=True)
        print("      " + f["stderr"].replace("\n", "\n      "), flush=True)
    return result


def summary(stderr: str) -> str:
    """The line that says why a process failed: its first `error:` line, else its last line; URLs shortened."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "(no message)"
    line = next((x for x in lines if x.startswith("error:")), lines[-1])
    return re.sub(r"postgresql\+psycopg://\S+?:(?= )", "<the database>:", line)[:400]


# --- report --------------------------------------------------------------------------------------------------

def machine(pg_url: str | None, tmp: Path) -> dict:
    info = {"cores": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__, "system": f"{platform.system()} {platform.machine()}",
            "load": os.getloadavg()}
    try:
        info["fs"] = subprocess.run(["stat", "-f", "-c", "%T", str(tmp)], capture_output=True, text=True).stdout.strip()
    except OSError:
        info["fs"] = "?"
    probe = Store(f"sqlite:///{tmp / 'probe.db'}")
    with probe._engine.connect() as conn:
        info["sqlite_sync"] = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
            conn.exec_driver_sql("PRAGMA synchronous").scalar(), "?")
        info["sqlite_journal"] = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    probe.close()
    if pg_url:
        import psycopg

        engine = create_engine(pg_url, pool_size=1)
        with engine.connect() as conn:
            for setting in ("server_version", "fsync", "synchronous_commit", "max_connections"):
                info[f"pg_{setting}"] = conn.execute(text(f"SHOW {setting}")).scalar()
        engine.dispose()
        info["psycopg"] = psycopg.__version__
    return info


def takeover_table(results: dict) -> list[str]:
    lines = ["| engine | trials | completed, text identical | lease left at the kill (s): median, range "
             "| lease expiry → takeover attempt starts (s): median, max "
             "| **lease expiry → first new token (s): median, max** | **kill → first new token (s): median, max** "
             "| product's resume time (s): median |",
             "|---|---:|---:|---|---|---|---|---:|"]
    for engine, r in results.items():
        rows = r["rows"]
        ok = sum(1 for x in rows if x["status"] == "completed" and x["identical"])

        def col(key):
            vals = [x[key] for x in rows if x[key] is not None]
            return f"{fmt(median(vals))}, {fmt(max(vals) if vals else None)}"

        left = [x["lease_left"] for x in rows if x["lease_left"] is not None]
        lines.append(f"| {engine} | {len(rows)} | {ok}/{len(rows)} | {fmt(median(left))}, {fmt(min(left) if left else None)}"
                     f"–{fmt(max(left) if left else None)} | {col('expiry_to_start')} | {col('expiry_to_token')} "
                     f"| {col('kill_to_token')} | {fmt(median([x['product_resume'] for x in rows if x['product_resume'] is not None]))} |")
    return lines


def trials_table(results: dict) -> list[str]:
    lines = ["| engine | trial | stored at the kill (chars) | lease left (s) | expiry → first token (s) "
             "| kill → first token (s) | final |", "|---|---:|---:|---:|---:|---:|---|"]
    for engine, r in results.items():
        for x in r["rows"]:
            final = f"{x['status']}, {'identical' if x['identical'] else 'DIFFERENT'}"
            lines.append(f"| {engine} | {x['trial']} | {x['kept']:,} | {fmt(x['lease_left'])} | {fmt(x['expiry_to_token'])} "
                         f"| {fmt(x['kill_to_token'])} | {final} |")
    return lines


def cost_table(results: dict) -> list[str]:
    lines = ["| engine | unit | n | wall time: median | wall time: p95 | statements written (INSERT/UPDATE/DELETE): median "
             "| SELECTs: median | transactions (write): median | Store write calls: median |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for engine, r in results.items():
        for unit, key, scale, suffix in (("checkpoint (`append_text`, 500 chars)", "checkpoint", 1000, " ms"),
                                         ("whole draft (rate 0)", "draft", 1, " s")):
            rows = r[key]
            secs = [x["seconds"] * scale for x in rows]
            digits = 2 if key == "checkpoint" else 3
            w = [x["writes"] for x in rows]
            lines.append(
                f"| {engine} | {unit} | {len(rows)} | {fmt(median(secs), digits, suffix)} | {fmt(p95(secs), digits, suffix)} "
                f"| {median(w):g} (p95 {p95(w):g}; {median([x['insert'] for x in rows]):g} INSERT, "
                f"{median([x['update'] for x in rows]):g} UPDATE, {median([x['delete'] for x in rows]):g} DELETE) "
                f"| {median([x['select'] for x in rows]):g} | {median([x['transactions'] for x in rows]):g} "
                f"({median([x['write_transactions'] for x in rows]):g}) | {median([x['store_writes'] for x in rows]):g} |")
    return lines


def calls_line(results: dict) -> str:
    parts = []
    for engine, r in results.items():
        drafts = r["draft"]
        methods = sorted({m for x in drafts for m in x["calls"]})
        desc = ", ".join(f"{m} {median([x['calls'].get(m, 0) for x in drafts]):g}" for m in methods)
        ck = [x["checkpoints"] for x in drafts]
        parts.append(f"{engine}: {desc} (checkpoints stored per draft: median {median(ck):g}, range {min(ck)}–{max(ck)})")
    return "; ".join(parts)


def concurrency_table(results: dict) -> list[str]:
    lines = ["| engine | processes | completed | failed | wall time (s) | one process, start → exit (s): median, max "
             "| CPU of the children (s): user + system | CPU per draft (s) | rows left live "
             "| peak connections: this run (whole server) "
             "| load average before |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for engine, runs in results.items():
        for r in runs:
            peak = f"{r['peak_connections']} ({r['peak_server']})" if engine == "postgresql" else "–"
            lines.append(f"| {engine} | {r['n']} | {r['completed']} | {r['failed']} | {r['wall']:.1f} "
                         f"| {fmt(r['proc_median'], 1)}, {fmt(r['proc_max'], 1)} | {r['cpu']:.1f} "
                         f"({r['user']:.1f} + {r['system']:.1f}) | {r['cpu'] / r['n']:.2f} | {r['left_live']} | {peak} "
                         f"| {r['load']:.1f} |")
    return lines


def failures_lines(results: dict) -> list[str]:
    lines = []
    for engine, runs in results.items():
        for r in runs:
            if not r["failures"]:
                continue
            kinds = Counter(f"exit {f['exit']}, {f['status']}: {f['message']}" for f in r["failures"])
            lines.append(f"- {engine}, {r['n']} processes, {r['failed']} failed: "
                         + "; ".join(f"{k} (×{n})" for k, n in kinds.most_common()))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 trial, 20 checkpoints, 3 drafts, 10 processes; print only")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--trials", type=int, help="takeover trials per engine (default 5)")
    parser.add_argument("--processes", default=None,
                        help="comma-separated process counts (default 1,50,100: one alone as the baseline)")
    args = parser.parse_args()
    trials = args.trials or (1 if args.quick else 5)
    checkpoints, drafts = (20, 3) if args.quick else (200, 30)
    counts = [int(x) for x in (args.processes or ("1,10" if args.quick else "1,50,100")).split(",")]

    pg_url = None if args.no_postgres else os.environ.get("CONTRACTGEN_TEST_DATABASE_URL") or None
    skipped = None
    if pg_url is None:
        skipped = ("PostgreSQL skipped: --no-postgres given." if args.no_postgres else
                   "PostgreSQL skipped: CONTRACTGEN_TEST_DATABASE_URL is not set (`export "
                   "CONTRACTGEN_TEST_DATABASE_URL=\"$(.ci/postgres)\"` as root starts a local cluster and prints it).")
    elif not make_url(pg_url).get_backend_name().startswith("postgresql"):
        skipped, pg_url = f"PostgreSQL skipped: CONTRACTGEN_TEST_DATABASE_URL is not a PostgreSQL URL ({shown_url(pg_url)}).", None
    if pg_url:
        Secret.add(pg_url)
        try:
            probe = create_engine(pg_url, pool_size=1)
            with probe.connect() as conn:
                conn.execute(text("SELECT 1"))
            probe.dispose()
        except Exception as exc:  # noqa: BLE001 - any reason the server is not reachable
            reason = Secret.mask(str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200])
            skipped, pg_url = f"PostgreSQL skipped: {shown_url(pg_url)} is not reachable ({reason}).", None
    if skipped:
        print(skipped, flush=True)
    else:
        print(f"PostgreSQL: {shown_url(pg_url)} (a blank schema per measurement)", flush=True)

    prefix, where = other_host()
    began = time.perf_counter()
    date = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="contractgen-durability-") as tmpdir:
        tmp = Path(tmpdir)
        info = machine(pg_url, tmp)
        print(f"Machine: {info['cores']} cores, load {info['load'][0]:.1f}, Python {info['python']}, SQLite {info['sqlite']}"
              + (f", PostgreSQL {info['pg_server_version']}" if pg_url else ""), flush=True)
        engines = {"sqlite": Databases("sqlite", tmp)}
        if pg_url:
            engines["postgresql"] = Databases("postgresql", tmp, pg_url)
        take, cost, conc = {}, {}, {}
        try:
            for engine, dbs in engines.items():
                print(f"1. takeover after kill -9 on {engine}, writer {where}", flush=True)
                take[engine] = takeover(dbs, trials, prefix, tmp)
            for engine, dbs in engines.items():
                print(f"2. write cost on {engine}", flush=True)
                cost[engine] = write_cost(dbs, checkpoints, drafts)
            for engine, dbs in engines.items():
                conc[engine] = []
                for n in counts:
                    print(f"3. {n} concurrent generate process{'es' if n != 1 else ''} on {engine}", flush=True)
                    conc[engine].append(concurrent(dbs, n, tmp))
        finally:
            load_after = os.getloadavg()
            for dbs in engines.values():
                dbs.close()
    took = time.perf_counter() - began

    command = "benchmarks/durability.py" + (" --quick" if args.quick else "") + (" --no-postgres" if args.no_postgres else "") \
        + (f" --trials {args.trials}" if args.trials else "") + (f" --processes {args.processes}" if args.processes else "")
    env_note = "CONTRACTGEN_TEST_DATABASE_URL=\"$(.ci/postgres)\" " if pg_url else ""
    pg_machine = (f", PostgreSQL {info['pg_server_version']} (local cluster from `.ci/postgres` on 127.0.0.1: fsync="
                  f"{info['pg_fsync']}, synchronous_commit={info['pg_synchronous_commit']}, max_connections="
                  f"{info['pg_max_connections']}; psycopg {info['psycopg']})") if pg_url else ""
    problems = [f"{engine} takeover {p}" for engine, r in take.items() for p in r["problems"]] \
        + [f"{engine} write cost {p}" for engine, r in cost.items() for p in r["problems"]]

    lines = [
        HEADING,
        "",
        f"Command: `{env_note}.venv/bin/python {command}` ({took / 60:.1f} minutes)  ",
        f"Date: {date:%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {info['cores']} cores shared with other work (load average {info['load'][0]:.1f} at the start, "
        f"{load_after[0]:.1f} at the end), {info['system']}, Python {info['python']}, SQLAlchemy {info['sqlalchemy']}, "
        f"SQLite {info['sqlite']} (journal_mode={info['sqlite_journal']}, synchronous={info['sqlite_sync']}, file on "
        f"{info['fs']}){pg_machine}",
        "",
    ]
    if skipped:
        lines += [f"**{skipped}**", ""]
    lines += [
        "### Takeover after `kill -9`",
        "",
        f"Per engine, one blank database and one `contractgen worker --poll 0.5 --rate 0` started first; then {trials} "
        f"trial{'s' if trials != 1 else ''}, one after another: a `contractgen generate --company Acme --provider offline --rate {WRITER_RATE}` "
        f"writer {where}, both with CONTRACTGEN_LEASE_SECONDS={LEASE}, is killed with SIGKILL as soon as the store "
        f"holds {KILL_AT:,} characters (polled every 20 ms); the worker takes the draft over from its last checkpoint "
        "and finishes it at full speed. Definitions (one clock: every process runs on this machine):",
        "",
        "- **lease expiry** = `documents.lease_until` as the killed writer last stored it (read after the kill: "
        "nothing can renew it any more). The writer renews it to now + 3 s with each checkpoint "
        f"(every {CHECKPOINT_INTERVAL:g} s while text flows) and each heartbeat (every 1 s), and the kill comes "
        "within 20 ms of the checkpoint that passed 3,000 characters, so nearly the whole 3 s lease is left at the "
        "kill;",
        "- **first new token** = `attempts.first_token_at` of the takeover's `resume` attempt (the worker's, the only "
        "one);",
        "- **lease expiry → first new token** = first new token − lease expiry: what the lease design adds is the "
        "lease left at the kill, not counted here; this is the worker's discovery (`expired()` every 0.5 s poll) plus "
        "`acquire`, loading the draft and the first token. The product records the same span as the resume time of "
        "the automatic resume (`resumes.first_token_at − detected_at`, where a takeover's detected_at is the dead "
        "lease's expiry), shown as a cross-check;",
        "- **kill → first new token** = first new token − the time `os.kill` returned: what a reader waits.",
        "",
        *takeover_table(take),
        "",
        *trials_table(take),
        "",
        "### Write cost",
        "",
        f"In this process, a Store on a blank database. **Checkpoint**: one draft created with a lease, 5 warm-up "
        f"appends, then {checkpoints} × `Store.append_text(id, 500 characters, lease=...)`, each timed alone "
        "(`perf_counter`, the store's own transaction and commit included). **Whole draft**: one warm-up, then "
        f"{drafts} × `GenerationManager(store).start(Acme, Settings(provider=\"offline\", rate=0))` until its worker "
        f"thread ends (`join`), {len(FULL):,} characters and 15 sections each, one after another on one manager. What "
        "reached the database is counted with SQLAlchemy `before_cursor_execute` (statements by first keyword; "
        "BEGIN / BEGIN IMMEDIATE and PRAGMAs not counted as writes) and `commit` events on the store's engine, every "
        "thread included (the heartbeat's renewals too); a write transaction is a commit after at least one "
        "INSERT/UPDATE/DELETE. Store write calls: the Store's write methods, wrapped on the instance.",
        "",
        *cost_table(cost),
        "",
        f"Store write calls per draft by method (median): {calls_line(cost)}.",
        "",
        "### Concurrent drafts",
        "",
        "N `contractgen generate --company \"Co i\" --provider offline --rate 0 --quiet --out i.md` processes started "
        "together (spawned one after another in a loop, as fast as Popen goes) on one blank database: the fresh "
        "SQLite file or PostgreSQL schema, so they also race to migrate it. Completed: exit 0, stored as completed, "
        "and the file identical to that company's reference document. Wall time: from the first spawn to the last "
        "exit. CPU: `getrusage(RUSAGE_CHILDREN)` after − before (user + system of the N processes, imports "
        "included). Rows left live: drafts still pending/streaming/resuming afterwards. Peak connections "
        "(PostgreSQL): `pg_stat_activity` rows of the run's application_name, and in brackets every client "
        "connection of the server (other people's tests share this cluster), sampled every 50 ms. The row with "
        "1 process is the baseline: one draft alone, on the same loaded machine.",
        "",
        *concurrency_table(conc),
        "",
    ]
    fails = failures_lines(conc)
    lines += (["Failures, by message (the first `error:` line of each process's stderr, else its last line):", "",
               *fails, ""] if fails
              else ["Every process completed, with the stored draft and its file identical to the reference.", ""])
    if problems:
        lines += ["**Problems:**", "", *[f"- {p}" for p in problems], ""]
    lines += notes(take, cost, conc, info, pg_url, where)
    section = Secret.mask("\n".join(lines)) + "\n"
    print()
    print(section)
    if not args.quick:
        write_section(section)
        print(f"Wrote the section to docs/benchmarks.md ({took / 60:.1f} minutes).")


def notes(take, cost, conc, info, pg_url, where) -> list[str]:
    out = ["**Notes.**", ""]
    sq = cost.get("sqlite")
    if sq:
        out.append(f"- Writes on SQLite are durable on disk (WAL, synchronous={info['sqlite_sync']}: each commit waits "
                   f"for the WAL to reach the {info['fs']} file system; on tmpfs that costs nothing).")
    if pg_url:
        pg_txn = median([x["write_transactions"] for x in cost["postgresql"]["draft"]])
        out.append(f"- The PostgreSQL cluster is the test cluster of `.ci/postgres`: fsync={info['pg_fsync']} and "
                   f"synchronous_commit={info['pg_synchronous_commit']}, so its commits do not wait for a disk. Its "
                   "write costs are a lower bound: a production server with fsync on pays a WAL flush per commit "
                   f"(one per write transaction: {pg_txn:g} per draft at rate 0, plus one per checkpoint at a model's "
                   "pace), and over a network a round trip per statement.")
    for engine, r in cost.items():
        drafts = r["draft"]
        refreshing = median([sum(x["calls"].get(m, 0) for m in ("create_document", "set_status", "start_attempt",
                                                                "end_attempt", "record_fault", "record_resume",
                                                                "resume_delivered", "acquire")) for x in drafts])
        out.append(f"- {engine}: of the {median([x['writes'] for x in drafts]):g} statements written per draft, "
                   f"{6 * refreshing:g} are the monitoring rollups (migration m005: 3 DELETE + 3 INSERT ... SELECT in "
                   f"each of the {refreshing:g} store calls that change what the metrics see) and "
                   f"{median([x['calls'].get('save_section', 0) for x in drafts]) * 2:g} the sections (DELETE + INSERT "
                   "each); a checkpoint itself is one UPDATE of the document (length, lease) and one INSERT.")
        break  # the same statements on both engines
    for r in conc.get("postgresql", []):
        full = [f for f in r["failures"] if re.search(r"connection slots|too many (clients|connections)", f["message"])]
        if full:
            per = [x["peak_connections"] / x["n"] for x in conc["postgresql"] if x["n"] > 1 and not x["failures"]]
            out.append(f"- PostgreSQL, {r['n']} processes: {len(full)} process(es) were refused a connection by the "
                       f"server (max_connections={info['pg_max_connections']}, shared with every other client of this "
                       f"cluster: {r['peak_server']} client connections at the peak, {r['peak_connections']} of them this "
                       "run's)" + (f"; a draft process holds about {median(per):.1f} connections while it runs"
                                   if per else "")
                       + ". Each refused process exited at once with exit code 2 (the code for bad input) and "
                       "\"Cannot open the database ... Set CONTRACTGEN_DATABASE_URL or --db to a writable location\": "
                       "`Store()` does not retry a server that is momentarily full, and nothing was stored for it.")
    out.append("- Everything ran on the same 2 shared cores as the processes it measures, and other people's work ran "
               "there too (see the load averages): the concurrency wall times mostly measure CPU contention, and the "
               "floor for N drafts is their CPU seconds / 2 cores. The CPU column counts the `generate` processes "
               "only: the PostgreSQL server's own backends are not children of this script and are not in it.")
    out.append("- A draft at rate 0 takes well under a second, so it stores only a few checkpoints; at a model's "
               f"pace it stores one every {CHECKPOINT_INTERVAL:g} s (about 2 per second of streaming), each at the "
               "checkpoint cost above, while its fixed writes (create, attempt start/end, 15 sections, statuses) stay "
               "the same.")
    out.append(f"- The killed writer ran {where}. The worker finds a dead writer's draft only once its lease has run "
               "out (`Store.expired`), whatever the host; the kill → first token span is therefore the lease left at "
               "the kill plus the expiry → first token span.")
    return out + [""]


if __name__ == "__main__":
    main()

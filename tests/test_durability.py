"""Drafts across processes and hosts: the store owns each draft's lifecycle.

Real processes throughout: racers released at the same instant, a writer on another host (a UTS namespace
with its own hostname) killed with SIGKILL and taken over by a `contractgen worker`, a database locked or
its connections cut in the middle of a draft, fifty `generate` processes on one SQLite file, a draft
followed live and stopped from another process.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import make_url, text

import contractgen.generation as generation_module
import contractgen.storage as storage_module
from contractgen.config import Settings
from contractgen.generation import GenerationManager, follow
from contractgen.request import parse_request
from contractgen.storage import Store

from support import ROOT, finished, reference

ACME = parse_request({"company": "Acme"})
FULL = reference(ACME)


def env(**extra):
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return {**base, **{k: str(v) for k, v in extra.items()}}


def writer(database_url, *args, lease=3, prefix=()):
    """A `contractgen generate` process on the offline engine; returns (process, draft id)."""
    proc = subprocess.Popen([*prefix, sys.executable, "-m", "contractgen", "generate", "--company", "Acme",
                             "--db", database_url, "--out", os.devnull, *args],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT,
                            env=env(CONTRACTGEN_LEASE_SECONDS=lease))
    line = proc.stderr.readline()
    found = re.match(r"Document (\w+):", line)
    if not found:
        proc.kill()
        raise AssertionError(f"the writer did not start: {line!r} {proc.stderr.read()}")
    return proc, found.group(1)


def wait_for(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def paused_drafts(store, count):
    """`count` drafts stopped by a reset at 3,000 characters with automatic resume off."""
    manager = GenerationManager(store)
    settings = Settings(provider="offline", rate=0, auto_resume=False, fault_plan="reset@3000")
    ids = []
    for _ in range(count):
        generation = manager.start(ACME, settings)
        generation.join(10)
        assert generation.status == "interrupted" and len(generation.text) == 3000
        ids.append(generation.id)
    return ids


def test_racing_resumes_never_both_run(store, database_url, tmp_path):
    trials, racers = 50, 6
    ids = paused_drafts(store, trials)
    start, step = time.time() + 8, 0.4  # every racer imports first, then all are released at the same instants
    logs = [tmp_path / f"racer{i}.jsonl" for i in range(racers)]
    procs = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "racer.py"), database_url, str(start), str(step),
                               str(log), *ids], cwd=ROOT, env=env(), stderr=subprocess.PIPE, text=True)
             for log in logs]
    for proc in procs:
        assert proc.wait(180) == 0, proc.stderr.read()
    results = [json.loads(line) for log in logs for line in log.read_text().splitlines()]
    for id in ids:
        outcome = [r for r in results if r["id"] == id]
        assert len(outcome) == racers
        winners = [r for r in outcome if r["won"]]
        assert len(winners) == 1, (id, outcome)  # exactly one ran
        assert winners[0]["status"] == "completed"
        assert all("being written by another process" in r["why"] or "cannot be resumed: it is completed" in r["why"]
                   for r in outcome if not r["won"])
        assert store.text(id) == FULL  # never corrupted: 26,512 characters, not twice the rest
        runs = [a for a in store.attempts(id) if a.kind == "resume"]
        assert len(runs) == 1


def _other_host():
    if not shutil.which("unshare"):
        pytest.skip("unshare (util-linux) is not installed: no second hostname for the writer")
    if subprocess.run(["unshare", "--uts", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare --uts is not permitted here (needs root or user namespaces)")
    return ["unshare", "--uts", "sh", "-c", 'hostname contractgen-host-a && exec "$@"', "sh"]


def test_a_writer_killed_on_another_host_is_taken_over_by_a_worker(store, database_url):
    host_a = _other_host()
    proc, doc = writer(database_url, "--rate", "300", prefix=host_a, lease=3)
    worker = None
    try:
        assert wait_for(lambda: store.get(doc).length >= 3000, 60)
        assert store.get(doc).owner.startswith("contractgen-host-a:")
        # Host B's worker runs before the writer dies: it must not touch a draft whose lease is alive.
        worker = subprocess.Popen([sys.executable, "-m", "contractgen", "worker", "--db", database_url, "--rate", "0",
                                   "--poll", "0.5"], cwd=ROOT, env=env(CONTRACTGEN_LEASE_SECONDS=3),
                                  stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        assert store.get(doc).owner.startswith("contractgen-host-a:")
        os.kill(proc.pid, signal.SIGKILL)
        killed = time.time()
        proc.wait(10)
        kept = store.text(doc)
        assert FULL.startswith(kept) and store.get(doc).status == "streaming"
        assert wait_for(lambda: store.get(doc).status == "completed", 60)
    finally:
        for p in (proc, worker):
            if p is not None and p.poll() is None:
                p.terminate()
                p.wait(10)
    record = store.get(doc)
    assert record.text == FULL  # byte-identical
    assert not record.owner.startswith("contractgen-host-a:")
    takeover = [a for a in store.attempts(doc) if a.kind == "resume"][0]
    assert takeover.first_token_at - killed < 3 + 5  # within the lease + 5 s
    assert all(a.outcome is not None for a in store.attempts(doc))  # the dead writer's attempt was closed
    [resume] = store.resumes(doc)
    assert resume.auto and resume.succeeded


def test_stopping_from_another_process_reaches_the_writer(store, database_url):
    proc, doc = writer(database_url, "--rate", "50", lease=3)
    try:
        assert wait_for(lambda: store.get(doc).length >= 500, 30)
        assert GenerationManager(store).cancel(doc)  # not this process's draft: asked through the store
        assert wait_for(lambda: store.get(doc).status == "cancelled", 10)
        proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
    record = store.get(doc)
    assert FULL.startswith(record.text) and record.length >= 500 and record.lease_until is None


def test_a_draft_written_by_another_process_is_followed_live(store, database_url):
    proc, doc = writer(database_url, "--rate", "400")
    try:
        assert wait_for(lambda: store.get(doc).length > 0, 30)
        generation = GenerationManager(store).get(doc)
        assert generation.foreign_owner and not generation.done
        seen = []
        follow(generation, lambda g: seen.append(len(g.text)), poll=0.1)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert generation.status == "completed" and generation.text == FULL
    assert len(set(seen)) > 5  # it grew while being written, at the pace of the checkpoints
    assert [s.number for s in generation.completed_sections] == list(range(1, 16))


@pytest.mark.sqlite_only
def test_a_database_locked_mid_draft_is_waited_for_then_the_draft_completes(store, database_url):
    import sqlite3

    manager = GenerationManager(store)
    generation = manager.start(ACME, Settings(provider="offline", rate=400))
    assert wait_for(lambda: len(generation.text) >= 2000, 30)
    path = make_url(database_url).database
    with sqlite3.connect(path, timeout=30, isolation_level=None) as lock:
        lock.execute("BEGIN EXCLUSIVE")
        time.sleep(12)
        lock.execute("COMMIT")
    generation.join(60)
    assert generation.status == "completed" and generation.text == FULL and store.text(generation.id) == FULL


@pytest.mark.sqlite_only
def test_a_database_away_too_long_ends_the_draft_interrupted_then_it_resumes(store, database_url, monkeypatch):
    import sqlite3

    monkeypatch.setattr(generation_module, "DB_RETRY_SECONDS", 1.0)
    monkeypatch.setattr(storage_module, "SQLITE_BUSY_MS", 300)
    monkeypatch.setattr(storage_module, "SQLITE_LOCK_WAIT", 0.5)
    store = Store(database_url)  # its connections wait 0.3 s for a lock
    manager = GenerationManager(store)
    generation = manager.start(ACME, Settings(provider="offline", rate=400))
    assert wait_for(lambda: len(generation.text) >= 2000, 30)
    path = make_url(database_url).database
    lock = sqlite3.connect(path, timeout=30, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    locked = time.monotonic()
    try:
        assert wait_for(lambda: not generation.running, 15)
        ended = time.monotonic() - locked
    finally:
        lock.execute("COMMIT")
        lock.close()
    assert generation.status == "interrupted" and ended < 10  # never hung
    assert "The database could not be written" in generation.error and "Resume" in generation.error
    assert FULL.startswith(store.text(generation.id))
    resumed = manager.resume(generation.id, Settings(provider="offline", rate=0))
    resumed.join(30)
    assert resumed.status == "completed" and store.text(generation.id) == FULL


def test_server_connections_cut_mid_draft_are_reopened(store, database_url, engine, request):
    if engine != "postgresql":
        pytest.skip("server databases only (SQLite has no connection to cut)")
    name = make_url(database_url).query["application_name"]
    generation = GenerationManager(store).start(ACME, Settings(provider="offline", rate=400))
    assert wait_for(lambda: len(generation.text) >= 2000, 30)
    with request.getfixturevalue("_pg_admin").connect() as conn:
        killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE application_name = :n"), {"n": name}).scalar()
    assert killed >= 1
    generation.join(60)
    assert generation.status == "completed" and store.text(generation.id) == FULL


@pytest.mark.sqlite_only
def test_fifty_generate_processes_on_one_sqlite_file_all_complete(database_url, tmp_path):
    procs = [subprocess.Popen([sys.executable, "-m", "contractgen", "generate", "--company", f"Co {i}", "--rate", "0",
                               "--db", database_url, "--out", str(tmp_path / f"{i}.md"), "--quiet"],
                              cwd=ROOT, env=env(), stderr=subprocess.PIPE, text=True) for i in range(50)]
    errors = [(p.wait(300), p.stderr.read()) for p in procs]
    assert [code for code, _ in errors] == [0] * 50, [e for e in errors if e[0]][:3]
    store = Store(database_url)
    drafts = store.list_documents(limit=100)
    assert len(drafts) == 50 and {d.status for d in drafts} == {"completed"}
    for i in range(50):
        assert (tmp_path / f"{i}.md").read_text(encoding="utf-8") == finished(reference(parse_request({"company": f"Co {i}"})))


def cli(*args):
    return subprocess.run([sys.executable, "-m", "contractgen", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env(), timeout=60)


@pytest.mark.sqlite_only
def test_a_damaged_file_gets_one_sentence_and_is_left_as_it_was(tmp_path):
    bad = tmp_path / "drafts.db"
    bad.write_bytes(b"SQLite format 3\0" + os.urandom(4000))
    before = bad.read_bytes()
    run = cli("list", "--db", f"sqlite:///{bad}")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr == (f"error: The file at {bad} is not a contractgen database, or it is damaged (file is not a "
                          "database); nothing was written to it. Point --db at another file, or restore it from a "
                          "backup.\n")
    assert bad.read_bytes() == before


def test_a_database_migrated_by_a_newer_version_is_refused(store, database_url):
    from contractgen.errors import InputError

    with store._writer.begin() as conn:
        conn.execute(text("INSERT INTO migrations (name, applied_at) VALUES ('m999_from_the_future', 0)"))
    with pytest.raises(InputError) as refused:
        Store(database_url)
    assert "was migrated by a newer version of contractgen (m999_from_the_future); upgrade contractgen" in str(refused.value)
    run = cli("list", "--db", database_url)
    assert run.returncode == 2 and "newer version of contractgen" in run.stderr and "Traceback" not in run.stderr


def test_a_takeover_keeps_the_resume_budget_the_run_had(store):
    from contractgen.storage import Lease

    # A run that used 2 of its 3 automatic resumes, then its process died (its lease ran out long ago).
    settings = Settings(provider="offline", rate=0, max_resumes=3, fault_plan="reset@2000,reset@4000,reset@6000,reset@9000")
    store.create_document(id="dead", doc_type="tos", request=ACME.model_dump(mode="json"), provider="offline",
                          model="contractgen-offline", status="streaming", settings=settings.public(),
                          lease=Lease("gone-host:1:ab", 1), now=time.time() - 60)
    store.start_attempt("dead", kind="initial", model="contractgen-offline", provider="offline", start_offset=0)
    store.append_text("dead", FULL[:5000])
    for _ in range(2):
        store.record_resume("dead", fault_id=None, attempt_id=None, auto=True, requested_at=time.time() - 60)
    [taken] = GenerationManager(store).take_over(settings)
    taken.join(30)
    # Faults at 6,000 and 9,000 remain: the takeover resume leaves one automatic resume, spent at 6,000;
    # at 9,000 the budget is gone, so the draft fails there, resumable by hand, its text kept.
    assert taken.status == "failed" and "after 1 resumes" in taken.error
    assert store.text("dead") == FULL[:9000]


def test_a_takeover_of_one_draft_never_takes_another_with_its_settings(store):
    from contractgen.storage import Lease

    old = time.time() - 60
    for id in ("a", "b"):  # both expired: their writer died a minute ago
        store.create_document(id=id, doc_type="tos", request=ACME.model_dump(mode="json"), provider="offline",
                              model="contractgen-offline", status="streaming", lease=Lease("gone-host:1:ab", 1), now=old)
        store.start_attempt(id, kind="initial", model="contractgen-offline", provider="offline", start_offset=0, now=old)
    manager = GenerationManager(store)
    [taken] = manager.take_over(Settings(provider="offline", rate=0), ids=["b"])
    taken.join(30)
    assert taken.id == "b" and taken.status == "completed" and store.text("b") == FULL
    assert store.get("a").status == "streaming" and store.get("a").owner == "gone-host:1:ab"  # left for its own taker


def test_a_postgresql_restart_mid_draft_is_survived(store, engine):
    restart = os.environ.get("CONTRACTGEN_TEST_PG_RESTART")
    if engine != "postgresql" or not restart:
        pytest.skip("needs PostgreSQL and CONTRACTGEN_TEST_PG_RESTART, a command that restarts it (.ci/run sets both)")
    generation = GenerationManager(store).start(ACME, Settings(provider="offline", rate=300))
    assert wait_for(lambda: len(generation.text) >= 2000, 30)
    subprocess.run(restart, shell=True, check=True, capture_output=True, timeout=60)
    generation.join(90)
    assert generation.status == "completed" and store.text(generation.id) == FULL

"""Engine overhead (issue 11, items 1 and 2): one client per provider configuration; writes off the hot path."""

import sqlite3
import time

from sqlalchemy import event

from contractgen import clients
from contractgen.config import Settings
from contractgen.generation import CHECKPOINT_INTERVAL, GenerationManager, follow
from contractgen.offline import MODEL
from contractgen.prompts import base_messages
from contractgen.providers import describe, make_targets
from contractgen.request import parse_request
from contractgen.resilient import resilient_chat
from contractgen.storage import Store
from contractgen.structure import parse

from support import reference

ACME = {"company": "Acme"}


def test_one_client_per_configuration_for_every_call_resume_and_fallback(store, serve):
    # Two faults: two resumes, and the fallback model after the second consecutive fault.
    server = serve("reset@3000,reset@6000")
    clients.clear()
    before = clients.built  # a count over the process's life: earlier tests built clients for their own servers
    settings = Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=3.0,
                        fallback_models=(MODEL,), mode="chunks", parallel=2)
    generation = GenerationManager(store).start(parse_request(ACME), settings)
    follow(generation, poll=0.05)
    generation.join(10)
    assert generation.status == "completed", generation.error
    assert generation.resumes == 2 and len(store.attempts(generation.id)) > 4
    assert clients.built - before == 1  # start, label, worker, every chunk, resume and the fallback: one client
    # A second draft, and resilient_chat, of the same configuration: still that one.
    again = GenerationManager(store).start(parse_request(ACME), settings.with_(fallback_models=()))
    follow(again, poll=0.05)
    text = resilient_chat(base_messages(parse_request(ACME)), model=MODEL, base_url=server.base_url,
                          read_timeout=3.0, connect_timeout=10.0).text()
    assert text == reference(parse_request(ACME))
    assert clients.built - before == 1


def test_a_label_builds_no_client_and_other_configurations_get_their_own():
    clients.clear()
    built = clients.built
    settings = Settings(provider="openai", base_url="http://127.0.0.1:9/v1", model="m", api_key="sk-secret-123456",
                        fallback_models=("n",))
    assert describe(settings) == "m via http://127.0.0.1:9/v1 (then n)"
    make_targets(settings, parse_request(ACME))  # targets are built for every call: no client until one streams
    assert clients.built == built
    a = clients.client_for("sk-secret-123456", "http://127.0.0.1:9/v1", 60.0, 10.0)
    assert clients.client_for("sk-secret-123456", "http://127.0.0.1:9/v1", 60, 10) is a
    assert clients.client_for("sk-other-1234567", "http://127.0.0.1:9/v1", 60.0, 10.0) is not a  # another key
    assert clients.client_for("sk-secret-123456", "http://127.0.0.1:9/v1", 5.0, 10.0) is not a  # another timeout
    assert clients.built == built + 3
    # The cache holds the key only as a digest, and shows neither it nor the URL.
    key = clients.key_for("sk-secret-123456", "http://127.0.0.1:9/v1", 60.0, 10.0)
    assert "sk-secret" not in repr(key) and "sk-secret" not in str(tuple(key)) and "127.0.0.1" not in repr(key)
    clients.clear()


def test_sqlite_runs_wal_with_synchronous_normal(db_path):
    Store(f"sqlite:///{db_path}").close()
    store = Store(f"sqlite:///{db_path}")
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)
    store.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_stored_draft_commits_a_handful_of_times_not_once_per_section(db_path):
    store = Store(f"sqlite:///{db_path}")
    commits = []
    # Write transactions only (BEGIN IMMEDIATE, the store's writer); reads commit too but write nothing.
    event.listen(store._engine, "commit",
                 lambda conn: commits.append(1) if conn.get_execution_options().get("contractgen_write") else None)
    generation = GenerationManager(store).start(parse_request(ACME), Settings(provider="offline", rate=0))
    follow(generation, poll=0.05)
    generation.join(10)
    expected = reference(parse_request(ACME))
    sections = parse(expected).sections
    assert generation.status == "completed" and store.text(generation.id) == expected
    assert [s["number"] for s in store.sections(generation.id)] == [s.number for s in sections]
    assert len(sections) >= 14
    # The manager's startup sweep, create, status, attempt start, the first checkpoint, {text + sections + attempt
    # end + rollups}, {the last section}, a lease renewal, the final status: fewer than the sections alone, each of
    # which used to be its own commit (and fsync).
    writes = len(commits)
    assert writes <= 10 < len(sections), writes
    store.close()


def test_sections_are_stored_with_the_checkpoints_while_the_draft_streams(db_path):
    store = Store(f"sqlite:///{db_path}")
    generation = GenerationManager(store).start(parse_request(ACME), Settings(provider="offline", rate=400))
    seen = []  # (characters stored, sections stored) while the draft runs
    while generation.running or not generation.done:
        record = store.get(generation.id)
        seen.append((record.length, len(store.sections(generation.id)), record.status))
        time.sleep(CHECKPOINT_INTERVAL / 2)
        if record.status == "completed":
            break
    generation.join(10)
    live = [(length, n) for length, n, status in seen if status == "streaming"]
    assert any(n > 0 for _, n in live), "no section was stored before the draft ended"
    # Stored text and sections keep up with each other: the lag is at most one checkpoint.
    assert all(n <= length // 500 + 1 for length, n in live)
    assert generation.status == "completed"
    store.close()

"""The store against a real SQLite file (and PostgreSQL when configured): schema, migrations, round-trips,
lifecycle, threads, processes."""

import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, inspect, text

from contractgen.errors import InputError
from contractgen.storage import MIGRATIONS, Base, Lease, Store

COLUMNS = {
    "migrations": ["name", "applied_at"],
    "documents": ["id", "doc_type", "status", "mode", "provider", "model", "request_json", "settings_json", "error",
                  "parent_id", "created_at", "updated_at", "completed_at", "length", "owner", "warnings", "lease_until",
                  "stop_requested"],
    "checkpoints": ["id", "document_id", "seq", "text", "at"],
    "attempts": ["id", "document_id", "kind", "model", "provider", "started_at", "first_token_at", "ended_at",
                 "start_offset", "output_chars", "prompt_tokens", "completion_tokens", "tokens_estimated", "outcome",
                 "finish_reason"],
    "faults": ["id", "document_id", "attempt_id", "kind", "message", "retryable", "detected_at", "offset"],
    "resumes": ["id", "document_id", "fault_id", "attempt_id", "auto", "detected_at", "requested_at", "recorded_at",
                "first_token_at", "delivered_chars", "succeeded"],
    "sections": ["id", "document_id", "number", "title", "subsections_json", "completed_at"],
    "document_stats": ["document_id", "created_at", "status", "mode", "model", "provider", "doc_type", "completed_at",
                       "faults", "has_fault", "faults_timeout", "faults_connection", "faults_rate_limit",
                       "faults_server_error", "faults_truncated", "faults_malformed", "faults_length", "faults_fatal",
                       "resumes_auto", "resumes_auto_succeeded", "resumes_manual", "resumes_manual_succeeded",
                       "first_started_at", "first_token_at", "ttft", "duration", "output_chars", "attempt_seconds", "calls",
                       "tokens_in", "tokens_out", "tokens_estimated"],
    "document_model_usage": ["document_id", "model", "created_at", "mode", "primary_model", "provider", "doc_type",
                             "calls", "tokens_in", "tokens_out"],
    "resume_stats": ["resume_id", "document_id", "auto", "seconds", "detected_at", "requested_at", "created_at", "mode",
                     "model", "provider", "doc_type"],
    "seams": ["id", "document_id", "attempt_id", "resume_id", "strategy", "join_kind", "dropped", "preamble", "inserted",
              "similarity", "offset", "excerpt", "at"],  # m006
    "call_parts": ["document_id", "call_index", "text", "finished", "merged", "updated_at"],  # m009
    "batches": ["id", "created_at", "updated_at", "source", "settings_json", "status", "owner", "lease_until"],  # m008
    "batch_rows": ["batch_id", "row", "doc_type", "request_json", "problems_json", "status", "document_id", "error"],
}
INDEXED = {
    "documents": {"created_at", "updated_at", "status", "mode", "model", "parent_id"},
    "attempts": {"document_id", "kind", "model", "started_at"},
    "faults": {"document_id", "attempt_id", "kind", "detected_at"},
    "resumes": {"document_id", "fault_id", "attempt_id", "requested_at"},
    "sections": {"document_id"},
    "document_stats": {"created_at", "mode", "model"},
    "document_model_usage": {"created_at"},
    "resume_stats": {"document_id", "requested_at", "created_at"},
    "seams": {"document_id", "join_kind", "at"},
}
COMPOSITE = {  # m004: the monitoring queries' indexes
    "attempts": {("document_id", "started_at")},
    "faults": {("document_id", "kind")},
    "resumes": {("document_id", "auto")},
    "document_stats": {("mode", "created_at"), ("model", "created_at"),  # m005
                       ("ttft", "created_at", "mode", "model", "provider", "doc_type"),
                       ("duration", "status", "created_at", "mode", "model", "provider", "doc_type")},
    "resume_stats": {("auto", "seconds", "created_at", "mode", "model", "provider", "doc_type")},
}


def new(store, id, now=100.0, **kw):
    kw = {"doc_type": "tos", "request": {"company": "Acme"}, "provider": "offline", "model": "offline-1", **kw}
    store.create_document(id=id, now=now, **kw)


def test_blank_database_gets_exactly_the_schema(store, database_url):
    engine = create_engine(database_url)
    try:
        insp = inspect(engine)
        assert set(insp.get_table_names()) == set(COLUMNS)
        for table, names in COLUMNS.items():
            assert [c["name"] for c in insp.get_columns(table)] == names, table
        for table, names in INDEXED.items():
            indexed = {i["column_names"][0] for i in insp.get_indexes(table)}
            assert names <= indexed, table
        for table, composite in COMPOSITE.items():
            assert composite <= {tuple(i["column_names"]) for i in insp.get_indexes(table)}, table
        assert [u["column_names"] for u in insp.get_unique_constraints("checkpoints")] == [["document_id", "seq"]]
        cascades = {fk["referred_table"]: fk["options"].get("ondelete") for fk in insp.get_foreign_keys("checkpoints")}
        assert cascades == {"documents": "CASCADE"}
    finally:
        engine.dispose()


def test_models_match_the_migrated_schema(store, database_url):
    """m001 spells out its DDL; the ORM models must not drift from what migrations build."""
    engine = create_engine(database_url)
    try:
        insp = inspect(engine)
        for table in Base.metadata.sorted_tables:
            assert [c.name for c in table.columns] == [c["name"] for c in insp.get_columns(table.name)]
    finally:
        engine.dispose()


def test_wal_mode_and_migrations_recorded_once(db_path):
    Store(f"sqlite:///{db_path}").close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = conn.execute("SELECT name, applied_at FROM migrations").fetchall()
    assert [name for name, _ in applied] == [m.__name__ for m in MIGRATIONS] == ["m001_initial", "m002_document_owner", "m003_sections",
                                                                 "m004_metrics_indexes", "m005_document_stats", "m006_seams",
                                                                 "m007_leases", "m008_batches", "m009_call_parts"]

    Store(f"sqlite:///{db_path}").close()  # re-opening applies nothing again
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT name, applied_at FROM migrations").fetchall() == applied


# Imports first (the slow part), then waits for the go file: the processes open the Store at the same instant.
_OPEN_AT_ONCE = """
import pathlib, sys, time
from contractgen.storage import Store
url, folder, me = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
(folder / f"ready-{me}").touch()
while not (folder / "go").exists():
    time.sleep(0.001)
Store(url).close()
"""


def test_processes_starting_at_once_on_a_blank_database_migrate_it_once(database_url, tmp_path):
    """Several processes released at the same instant on one blank database (PostgreSQL: an advisory lock
    serializes the migrations; SQLite: BEGIN IMMEDIATE): every one opens it, each migration is applied once."""
    n = 4
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN_AT_ONCE, database_url, str(tmp_path), str(i)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n)]
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("ready-*"))) < n and time.monotonic() < deadline:
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs if p.poll() is not None]
            time.sleep(0.01)
        (tmp_path / "go").touch()
        results = [(p.wait(60), *p.communicate()) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert [(code, err) for code, _, err in results] == [(0, "")] * n
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            names = list(conn.scalars(text("SELECT name FROM migrations ORDER BY name")))
    finally:
        engine.dispose()
    assert names == [m.__name__ for m in MIGRATIONS]


def test_append_text_builds_the_text_from_checkpoints(store):
    new(store, "doc000000001")
    pieces = ["# Terms\n\n", "1. Acme ", "", "provides ", "the Service — «ü».\n"]
    for i, piece in enumerate(pieces):
        store.append_text("doc000000001", piece, now=200.0 + i)
    assert store.text("doc000000001") == "".join(pieces)
    doc = store.get("doc000000001")
    assert doc.text == "".join(pieces)
    assert doc.length == len("".join(pieces))
    assert doc.updated_at == 204.0
    with store._engine.connect() as conn:  # one row per non-empty append, never a rewrite
        assert [s for (s,) in conn.execute(text("SELECT seq FROM checkpoints ORDER BY seq"))] == [0, 1, 2, 3]
    with pytest.raises(KeyError):
        store.append_text("missing00000", "x")


def test_create_and_get_round_trip(store):
    settings = {"rate": 50.0, "read_timeout": 60.0, "max_resumes": 3, "auto_resume": True,
                "fallback_models": ["m2"], "fault_plan": "timeout@200"}
    new(store, "doc000000001", mode="sections", settings=settings, now=100.0)
    doc = store.get("doc000000001")
    assert (doc.doc_type, doc.status, doc.mode, doc.provider, doc.model) == (
        "tos", "pending", "sections", "offline", "offline-1")
    assert doc.request == {"company": "Acme"} and doc.settings == settings
    assert (doc.created_at, doc.updated_at, doc.completed_at, doc.length, doc.text) == (100.0, 100.0, None, 0, "")
    assert (doc.faults, doc.resumes, doc.error, doc.parent_id) == (0, 0, None, None)
    assert store.get("nope00000000") is None
    with pytest.raises(ValueError):
        new(store, "doc000000002", mode="paragraphs")


def test_set_status_transitions_and_completed_at(store):
    new(store, "doc000000001")
    store.set_status("doc000000001", "streaming", now=110.0)
    assert store.get("doc000000001").status == "streaming"
    store.set_status("doc000000001", "failed", error="The provider is rate limiting requests.", now=120.0)
    doc = store.get("doc000000001")
    assert (doc.status, doc.error, doc.completed_at, doc.updated_at) == (
        "failed", "The provider is rate limiting requests.", None, 120.0)
    store.set_status("doc000000001", "resuming", now=130.0)
    store.set_status("doc000000001", "completed", now=140.0)
    doc = store.get("doc000000001")
    assert (doc.status, doc.error, doc.completed_at) == ("completed", None, 140.0)
    with pytest.raises(ValueError):
        store.set_status("doc000000001", "done")
    with pytest.raises(KeyError):
        store.set_status("missing00000", "completed")


def test_attempts_faults_resumes_round_trip(store):
    new(store, "doc000000001")
    first = store.start_attempt("doc000000001", kind="initial", model="m1", provider="openai", start_offset=0,
                                now=101.0)
    fault = store.record_fault("doc000000001", attempt_id=first, kind="timeout", message="read timeout",
                               retryable=True, offset=640, now=105.0)
    store.end_attempt(first, outcome="fault", output_chars=640, first_token_at=101.5, now=105.0)
    second = store.start_attempt("doc000000001", kind="resume", model="m1", provider="openai", start_offset=640,
                                 now=130.0)
    resume = store.record_resume("doc000000001", fault_id=fault, attempt_id=second, auto=False, requested_at=130.0,
                                 now=130.0)
    store.resume_delivered(resume, first_token_at=131.25, delivered_chars=900)
    store.end_attempt(second, outcome="completed", output_chars=900, first_token_at=131.25, finish_reason="stop",
                      prompt_tokens=1200, completion_tokens=225, tokens_estimated=True, now=140.0)

    a1, a2 = store.attempts("doc000000001")
    assert (a1.id, a1.kind, a1.start_offset, a1.started_at, a1.first_token_at, a1.ended_at, a1.outcome,
            a1.output_chars, a1.finish_reason, a1.prompt_tokens, a1.tokens_estimated) == (
        first, "initial", 0, 101.0, 101.5, 105.0, "fault", 640, None, None, False)
    assert (a2.kind, a2.start_offset, a2.outcome, a2.finish_reason, a2.prompt_tokens, a2.completion_tokens,
            a2.tokens_estimated, a2.model, a2.provider) == (
        "resume", 640, "completed", "stop", 1200, 225, True, "m1", "openai")
    [f] = store.faults("doc000000001")
    assert (f.id, f.attempt_id, f.kind, f.message, f.retryable, f.detected_at, f.offset) == (
        fault, first, "timeout", "read timeout", True, 105.0, 640)
    [r] = store.resumes("doc000000001")
    # Manual resume: detected_at comes from the fault, so the person's 25 s wait is measurable.
    assert (r.id, r.fault_id, r.attempt_id, r.auto, r.detected_at, r.requested_at, r.first_token_at,
            r.delivered_chars, r.succeeded) == (resume, fault, second, False, 105.0, 130.0, 131.25, 900, True)
    auto = store.record_resume("doc000000001", fault_id=None, attempt_id=None, auto=True, requested_at=150.0)
    assert store.resumes("doc000000001")[1].detected_at == 150.0
    assert store.resumes("doc000000001")[1].succeeded is False and auto > resume
    with pytest.raises(ValueError):
        store.record_fault("doc000000001", attempt_id=None, kind="oops", message="", retryable=False, offset=0)


def test_list_documents_newest_first_with_counts(store):
    for i in range(3):
        new(store, f"doc00000000{i}", now=100.0 + i)
    for _ in range(2):
        store.record_fault("doc000000000", attempt_id=None, kind="connection", message="reset", retryable=True,
                           offset=0, now=150.0)
    store.record_resume("doc000000000", fault_id=None, attempt_id=None, auto=True, requested_at=150.0)
    store.record_fault("doc000000002", attempt_id=None, kind="fatal", message="bad key", retryable=False, offset=0)
    store.append_text("doc000000002", "some text")
    store.set_status("doc000000001", "completed")

    docs = store.list_documents()
    assert [d.id for d in docs] == ["doc000000002", "doc000000001", "doc000000000"]
    assert [(d.faults, d.resumes) for d in docs] == [(1, 0), (0, 0), (2, 1)]
    assert docs[0].text == "" and docs[0].length == 9
    assert [d.id for d in store.list_documents(limit=2)] == ["doc000000002", "doc000000001"]
    assert [d.id for d in store.list_documents(status="completed")] == ["doc000000001"]


def test_search_is_case_insensitive_on_every_engine(store):
    new(store, "AbC000000001", request={"company": "Café Olé SARL", "counterparty": "Nordlicht GmbH"}, now=100.0)
    new(store, "xyz000000002", request={"company": "Acme_Corp 100%"}, now=101.0)

    def found(search):
        return [d.id for d in store.list_documents(search=search)]

    assert found("café olé") == found("CAFÉ OLÉ") == found("Café") == ["AbC000000001"]
    assert found("NORDLICHT") == found("gmbh") == ["AbC000000001"]
    assert found("abc0000") == found("ABC0000") == ["AbC000000001"]  # the id too
    assert found("acme_corp") == found("ACME_CORP 100%") == ["xyz000000002"]
    assert found("acme%corp") == found("_cme") == []  # % and _ are literal characters, not wildcards
    assert found("zzz") == []


def test_mark_interrupted(store):
    for id, status in [("pend00000000", "pending"), ("strm00000000", "streaming"), ("resu00000000", "resuming"),
                       ("done00000000", "completed"), ("fail00000000", "failed")]:
        new(store, id, status=status)
    assert sorted(store.mark_interrupted(now=500.0)) == ["pend00000000", "resu00000000", "strm00000000"]
    statuses = {d.id: (d.status, d.updated_at) for d in store.list_documents()}
    assert statuses["strm00000000"] == ("interrupted", 500.0)
    assert statuses["done00000000"] == ("completed", 100.0) and statuses["fail00000000"] == ("failed", 100.0)
    assert store.get("strm00000000").error
    assert store.mark_interrupted(now=600.0) == []


def test_cleanup_expires_then_deletes(store):
    day = 24 * 3600.0
    now = 1_000 * day
    new(store, "old000000000", now=now - 100 * day, status="completed")  # past retention: deleted with its rows
    store.append_text("old000000000", "gone", now=now - 100 * day)
    store.start_attempt("old000000000", kind="initial", model="m", provider="p", start_offset=0, now=now - 100 * day)
    new(store, "stale0000000", now=now - 2 * day, status="interrupted")  # unfinished, idle > 24 h: expired
    store.append_text("stale0000000", "kept", now=now - 2 * day)
    new(store, "failed000000", now=now - 2 * day, status="failed")
    new(store, "done00000000", now=now - 2 * day, status="completed")  # finished: untouched
    new(store, "fresh0000000", now=now - 3600, status="streaming")  # recent: untouched

    assert store.cleanup(now=now) == (2, 1)
    assert store.get("old000000000") is None
    with store._engine.connect() as conn:
        for table in ("checkpoints", "attempts"):
            assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE document_id='old000000000'")).one() == (0,)
    stale = store.get("stale0000000")
    assert (stale.status, stale.text, stale.updated_at) == ("expired", "kept", now - 2 * day)
    assert store.get("failed000000").status == "expired"
    assert store.get("done00000000").status == "completed"
    assert store.get("fresh0000000").status == "streaming"
    assert store.cleanup(now=now) == (0, 0)


def test_delete_removes_every_row(store):
    new(store, "doc000000001")
    new(store, "doc000000002", parent_id="doc000000001")
    store.append_text("doc000000001", "text")
    attempt = store.start_attempt("doc000000001", kind="initial", model="m", provider="p", start_offset=0)
    fault = store.record_fault("doc000000001", attempt_id=attempt, kind="timeout", message="", retryable=True,
                               offset=4)
    store.record_resume("doc000000001", fault_id=fault, attempt_id=attempt, auto=True, requested_at=1.0)
    assert store.delete("doc000000001") is True
    assert store.delete("doc000000001") is False
    with store._engine.connect() as conn:
        for table in ("checkpoints", "attempts", "faults", "resumes"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).one() == (0,), table
    assert store.get("doc000000002").parent_id is None


@pytest.mark.parametrize("name", ["api_key", "OPENAI_API_KEY", "apikey", "token", "access_token", "client_secret", "Secret", "password"])
def test_settings_with_secrets_are_refused(store, name):
    with pytest.raises(ValueError) as excinfo:
        new(store, "doc000000001", settings={"rate": 5, name: "sk-live-123"})
    assert "sk-live-123" not in str(excinfo.value)
    with pytest.raises(ValueError):  # nested, e.g. a fallback provider's settings
        new(store, "doc000000001", settings={"fallbacks": [{"model": "m2", name: "sk-live-123"}]})
    assert store.get("doc000000001") is None


def test_settings_that_only_mention_tokens_are_not_secrets(store):
    new(store, "doc000000002", settings={"first_token_timeout": 5.0, "max_tokens": 100, "keyboard": "us"})
    assert store.get("doc000000002").settings["first_token_timeout"] == 5.0


@pytest.mark.sqlite_only
def test_unwritable_location_is_a_clear_input_error(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file")
    with pytest.raises(InputError) as excinfo:
        Store(f"sqlite:///{blocker}/data/contractgen.db")
    [message] = excinfo.value.problems
    assert message.startswith(f"Cannot open the database at {blocker}/data/contractgen.db: {blocker} is a file")
    assert message.endswith("Set CONTRACTGEN_DATABASE_URL or --db to a writable location.")


@pytest.mark.sqlite_only
def test_a_directory_as_database_is_a_clear_input_error(tmp_path):
    with pytest.raises(InputError, match="Cannot open the database at .*unable to open database file"):
        Store(f"sqlite:///{tmp_path}")


@pytest.mark.sqlite_only
def test_default_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Store.default_url({}) == f"sqlite:///{tmp_path}/data/contractgen.db"
    assert (tmp_path / "data").is_dir()
    assert Store.default_url({"CONTRACTGEN_DATABASE_URL": "sqlite:////x/y.db"}) == "sqlite:////x/y.db"


def test_concurrent_appends_from_threads_all_land(store):
    ids = [f"thread{i:06d}" for i in range(4)]
    for id in ids:
        new(store, id)
    shared = "shared000000"
    new(store, shared)
    start = threading.Barrier(len(ids))
    errors = []

    def work(id):
        try:
            start.wait()
            for n in range(50):
                store.append_text(id, f"{id}:{n};")
                store.append_text(shared, "x")  # same document from every thread: seq stays unique
        except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(id,)) for id in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for id in ids:
        expected = "".join(f"{id}:{n};" for n in range(50))
        assert store.text(id) == expected and store.get(id).length == len(expected)
    assert store.text(shared) == "x" * 200 and store.get(shared).length == 200


@pytest.mark.sqlite_only
def test_in_memory_url_works_for_quick_use():
    store = Store("sqlite://")
    new(store, "doc000000001")
    store.append_text("doc000000001", "hi")
    assert store.text("doc000000001") == "hi"
    store.close()


def test_restart_marks_only_documents_of_dead_processes(database_url):
    store = Store(database_url)
    for id, owner in (("mine", "here:1:a"), ("gone", "here:2:b"), ("nobody", None)):
        store.create_document(id=id, doc_type="tos", request={}, provider="offline", model="m", status="streaming",
                              lease=Lease(owner) if owner else None)
    assert sorted(store.mark_interrupted(alive=lambda owner: owner == "here:1:a")) == ["gone", "nobody"]
    assert store.get("mine").status == "streaming"
    assert store.get("gone").status == "interrupted"


def test_a_connection_dropped_by_the_server_is_replaced_before_use(engine, store, database_url):
    """pool_pre_ping on server databases: a pooled connection the server closed (a restart, an idle timeout)
    is noticed at checkout and replaced, instead of failing the next write."""
    if engine != "postgresql":
        pytest.skip("server databases only (SQLite has no connection to lose)")
    new(store, "doc000000001")
    other = create_engine(database_url)
    try:
        with other.connect() as conn:  # same application_name: every backend of this test but this one
            killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                       "application_name = current_setting('application_name') "
                                       "AND pid <> pg_backend_pid()")).scalar()
    finally:
        other.dispose()
    assert killed >= 1
    store.append_text("doc000000001", "still written")
    assert store.text("doc000000001") == "still written"

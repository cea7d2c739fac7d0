"""A generation survives `kill -9` of its process: the checkpointed text resumes to the same document."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from contractgen.errors import InputError
from contractgen.generation import GenerationManager
from contractgen.config import Settings
from contractgen.request import parse_request
from contractgen.storage import Lease, Store

from support import ROOT, finished, reference


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "contractgen", *args], capture_output=True, text=True, cwd=ROOT, timeout=120, **kw)


def test_kill_9_then_resume_completes_the_same_document(tmp_path, database_url):
    db = database_url
    proc = subprocess.Popen([sys.executable, "-m", "contractgen", "generate", "--company", "Acme", "--rate", "400",
                             "--db", db, "--out", str(tmp_path / "never.md")],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        doc_id = re.match(r"Document (\w+):", proc.stderr.readline()).group(1)
        store = Store(db)
        deadline = time.monotonic() + 60
        while (store.get(doc_id).length < 3000) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    full = reference(parse_request({"company": "Acme"}))
    kept = store.text(doc_id)
    assert store.get(doc_id).status == "streaming"  # nobody had the chance to say otherwise
    assert len(kept) >= 3000 and full.startswith(kept)
    assert not (tmp_path / "never.md").exists()

    result = cli("resume", doc_id, "--db", db, "--rate", "0", "--out", str(tmp_path / "done.md"))
    assert result.returncode == 0, result.stderr
    assert f"resuming from {len(kept):,} characters" in result.stderr
    assert (tmp_path / "done.md").read_text(encoding="utf-8") == finished(full)
    record = Store(db).get(doc_id)
    assert record.status == "completed" and record.text == full
    shown = cli("show", doc_id, "--db", db, "--json")
    assert '"status": "completed"' in shown.stdout and '"auto": false' in shown.stdout


def test_restart_marks_live_documents_of_a_dead_process_interrupted(database_url):
    store = Store(database_url)
    # Another host's writer, its lease running: left alone (only its lease running out frees it).
    store.create_document(id="orphan", doc_type="tos", request={"company": "Acme"}, provider="offline",
                          model="contractgen-offline", status="streaming", lease=Lease("this-host-does-not-exist:1:ab"))
    store.create_document(id="dead", doc_type="tos", request={"company": "Acme"}, provider="offline",
                          model="contractgen-offline", status="streaming")
    manager = GenerationManager(store)
    assert store.get("dead").status == "interrupted"
    assert store.get("orphan").status == "streaming"
    assert manager.get("dead").resumable


def test_expired_drafts_keep_their_text_but_cannot_be_resumed(database_url):
    store = Store(database_url)
    store.create_document(id="old", doc_type="tos", request={"company": "Acme"}, provider="offline",
                          model="contractgen-offline", status="interrupted", now=time.time() - 25 * 3600)
    store.append_text("old", "# Terms of Service\n\nSome text", now=time.time() - 25 * 3600)
    assert store.cleanup() == (1, 0)
    manager = GenerationManager(store)
    with pytest.raises(InputError) as caught:
        manager.resume("old", Settings(provider="offline", rate=0))
    assert "expired" in str(caught.value)
    assert store.text("old") == "# Terms of Service\n\nSome text"


def test_cleanup_command(database_url):
    db = database_url
    store = Store(db)
    store.create_document(id="stale", doc_type="tos", request={}, provider="offline", model="m", status="failed",
                          now=time.time() - 48 * 3600)
    result = cli("cleanup", "--db", db)
    assert result.returncode == 0
    assert "Expired 1 unfinished draft(s) older than 24 h; deleted 0" in result.stdout

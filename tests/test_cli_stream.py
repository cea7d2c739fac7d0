"""`contractgen generate` streams: the text reaches standard output (or the --out file) while the draft is still
being written, progress stays on stderr, and the output ends with what the Markdown export ends with."""

import os
import subprocess
import sys
import time

from contractgen.documents import NOT_LEGAL_ADVICE

from support import ROOT


def _start(args, database_url, **kw):
    env = {**os.environ, "CONTRACTGEN_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "contractgen", "generate", "--company", "Lumen-Robotics GmbH",
                             "--field", "website=https://lumen-robotics.example", *args], cwd=ROOT, env=env, **kw)


def test_without_out_the_text_arrives_on_stdout_while_generating(database_url):
    # 200 tokens/s: a draft of some 6,000 tokens takes half a minute; the first text must come within seconds.
    proc = _start(["--rate", "200"], database_url, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        started = time.monotonic()
        first = ""
        while len(first) < 40:  # read1 returns as soon as some bytes arrive: here a token at a time
            first += proc.stdout.read1(4096).decode()
        waited = time.monotonic() - started
        assert first.startswith("# Terms of Service") and waited < 15, (first[:80], waited)
        assert proc.poll() is None  # still generating: the text came as it was written, not at the end
    finally:
        proc.kill()
        proc.wait(10)


def test_stdout_holds_the_draft_then_the_notice_and_stderr_the_progress(database_url):
    proc = _start(["--rate", "0"], database_url, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.startswith("# Terms of Service") and out.rstrip().endswith(f"*{NOT_LEGAL_ADVICE}*")
    assert "https://lumen-robotics.example" in out and "\\-" not in out  # as typed
    assert "[15/15]" in err and "# Terms of Service" not in err


def test_with_out_the_file_grows_while_generating_and_ends_as_the_export(database_url, tmp_path):
    out = tmp_path / "draft.md"
    out.write_text("an older file of the same name\n")
    proc = _start(["--rate", "300", "--out", str(out)], database_url, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    part = tmp_path / "draft.md.part"
    sizes, kept = [], []
    deadline = time.monotonic() + 90
    while proc.poll() is None and time.monotonic() < deadline:
        sizes.append(part.stat().st_size if part.exists() else 0)
        kept.append(out.read_text() if proc.poll() is None and part.exists() else None)
        time.sleep(0.5)
    proc.wait(90)
    assert proc.returncode == 0, proc.stderr.read()
    growing = [s for s in sizes if s]
    assert len(set(growing)) >= 3, sizes  # written progressively (FILE.part), seen at several sizes
    # Meanwhile the older file stays whole: a kill mid-draft never leaves half a draft over it.
    assert "an older file of the same name\n" in kept
    assert not part.exists()
    text = out.read_text(encoding="utf-8")
    assert "an older file" not in text and text.rstrip().endswith(f"*{NOT_LEGAL_ADVICE}*")
    # The file is the Markdown export of the stored draft, exactly.
    from contractgen.export import export, info_for
    from contractgen.storage import Store

    store = Store(database_url)
    try:
        [record] = store.list_documents(limit=1)
        assert export(store.get(record.id).text, info_for(store.get(record.id)), "md").decode() == text
    finally:
        store.close()

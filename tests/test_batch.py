"""Bulk drafting (contractgen.batch): sheets validated by row and field, drafts run N at a time through the real
GenerationManager against the real fault server, a kill and a resume, the zip and its summary, the page."""

import csv
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from contractgen import batch, batch_io, ratelimit
from contractgen.cli import main
from contractgen.config import Settings
from contractgen.errors import InputError
from contractgen.faultplan import FaultPlan
from contractgen.generation import GenerationManager
from contractgen.offline import MODEL
from contractgen.request import parse_request
from contractgen.storage import STATUS_LABELS, STATUSES

from support import ROOT, reference

OFFLINE = Settings(provider="offline", rate=0)

MIXED = """doc,company,counterparty,website,term_years,payments,minimum_age,data_categories,uptime
nda,Acme Inc.,Globex LLC,,3,,,,
tos,Initech,,https://initech.example,,yes,16,,
Non-Disclosure Agreement,Umbrella,,,99,,,,
tos,,Wayne Corp,not a url,,maybe,5,,
privacy,Stark Industries,,,,,,"identity, contact, usage",

saas,Hooli,,,,,,,99.95
"""


def checks_of(text: str, name="sheet.csv", doc="tos"):
    return batch.validate(batch_io.read_sheet(name, text.encode()), doc)


def test_sheet_with_valid_invalid_and_mixed_rows_reports_every_problem_by_row_and_field():
    checks = checks_of(MIXED)
    assert [(c.row, c.doc_type, c.valid) for c in checks] == [
        (2, "nda", True), (3, "tos", True), (4, "nda", False), (5, "tos", False), (6, "privacy", True),
        (8, "saas", True)]  # the blank line 7 is no request; row numbers stay those the spreadsheet shows
    assert checks[4].request.data_categories == ["identity", "contact", "usage"]
    assert checks[1].request.payments is True and checks[1].request.minimum_age == 16
    assert checks[5].request.uptime == 99.95
    # Every problem of every row at once, each naming its row and field.
    assert batch.problem_lines(checks) == [
        "Row 4, counterparty: Other party must not be empty.",
        "Row 4, term_years: Disclosure period (years) must be at most 10.",
        "Row 5, counterparty: \u201ccounterparty\u201d is not a field of a Terms of Service; leave it empty in this row "
        "or set doc to the right type.",
        "Row 5, company: Company name must not be empty.",
        "Row 5, website: Website \u201cnot a url\u201d is not a valid address; use the form https://example.com.",
        "Row 5, payments: Paid subscriptions must be yes or no.",
        "Row 5, minimum_age: Minimum age must be at least 13.",
    ]


def test_excel_cells_keep_their_types_and_headers_may_be_the_form_labels():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Company name", "Other party", "Effective date", "term_years", "mutual", "doc"])
    sheet.append(["3M", "Globex", dt.datetime(2027, 1, 15), 4, False, "nda"])
    sheet.append(["Acme", None, "15/01/2027", 4.5, True, "nda"])
    out = io.BytesIO()
    book.save(out)
    good, bad = batch.validate(batch_io.read_sheet("book.xlsx", out.getvalue()))
    assert good.valid and good.request.company == "3M" and good.request.effective_date == dt.date(2027, 1, 15)
    assert good.request.term_years == 4 and good.request.mutual is False
    assert sorted(f for f, _ in bad.problems) == ["counterparty", "effective_date", "term_years"]


@pytest.mark.parametrize("doc", ["tos", "privacy", "nda", "saas"])
def test_templates_are_valid_sheets_in_both_formats(doc):
    for name, data in ((f"{doc}.csv", batch_io.template_csv(doc).encode()), (f"{doc}.xlsx", batch_io.template_xlsx(doc))):
        [check] = batch.validate(batch_io.read_sheet(name, data))
        assert check.valid and check.doc_type == doc, check.problems


@pytest.mark.parametrize(("data", "said"), [
    (b"", "is empty"), (b"company\n\n", "no request rows"), (b"company,company\nA,B\n", "both hold"),
    ("company\nCaf\u00e9\n".encode("latin-1"), "not UTF-8"), (b"PK\x03\x04broken", "not a readable Excel"),
])
def test_unreadable_sheets_say_why(data, said):
    with pytest.raises(InputError) as caught:
        batch_io.read_sheet("x.csv", data)
    assert said in " ".join(caught.value.problems)


def test_estimate_counts_calls_tokens_cost_and_time():
    checks = checks_of(MIXED)
    stream = batch.estimate(checks, Settings(provider="openai", model="gpt-4o-mini"), 2)
    sections = batch.estimate(checks, Settings(provider="openai", model="gpt-4o-mini", mode="sections"), 2)
    assert stream.drafts == sections.drafts == 4 and stream.calls == 4
    assert sections.calls > 4 * 8  # one call per section, every document has more than 8
    assert stream.completion_tokens == sections.completion_tokens  # the same documents, split differently
    assert sections.prompt_tokens > stream.prompt_tokens  # more calls re-send the instructions
    assert 0 < stream.cost < sections.cost
    assert stream.seconds == pytest.approx(stream.completion_tokens / batch.ASSUMED_RATE / 2)
    assert "4 draft(s), 4 call(s)" in stream.sentence()
    assert batch.estimate(checks, Settings(provider="openai", model="no-such-model"), 2).cost is None


def write_sheet(path, companies, doc="nda"):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["doc", "company", "counterparty"])
        for i, company in enumerate(companies):
            writer.writerow([doc, company, f"Partner {i}"])
    return path


def requests_of(store, batch_id):
    return {r.row: parse_request({"doc_type": r.doc_type, **r.request}) for r in store.batch_rows(batch_id)
            if r.status != "skipped"}


class FirstRequestsOnly(FaultPlan):
    """The server's plan, striking only a draft's first request (never its resume): one fault per draft, so ten
    faults fall on ten drafts, whichever the server sees first, instead of all on the first wave's streams."""

    def __init__(self, spec: str):
        super().__init__(FaultPlan.parse(spec).faults)
        self._request = threading.local()

    def take_at_start(self):
        self._request.fresh = None  # the server asks this once at the start of every document request
        return None

    def next_position(self, start):
        if getattr(self._request, "fresh", None) is None:
            self._request.fresh = start == 0  # the first position this request asks about: where it starts
        return super().next_position(start) if self._request.fresh else None


def test_thirty_drafts_at_concurrency_eight_with_faults_in_a_third_all_complete_as_single_drafts(serve, store):
    # Ten socket-level faults of six kinds at spread positions, on ten different drafts.
    plan = FirstRequestsOnly("reset@1500,cut@3000,truncated@4500,malformed@6000,stall@7500,error_event@9000,"
                             "reset@10500,cut@12000,truncated@13500,malformed@15000")
    server = serve(plan, stall_seconds=2.0, retry_after=0.1)
    settings = Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=1.0,
                        connect_timeout=2.0, max_resumes=10)
    kinds = ["nda", "tos", "privacy"]
    checks = [batch.validate_row(i + 2, {"doc": kinds[i % 3], "company": f"Company {i}",
                                         **({"counterparty": f"Partner {i}"} if i % 3 == 0 else {})})
              for i in range(30)]
    batch_id = batch.create(store, checks, settings, source="thirty.csv", concurrency=8)
    runner = batch.start(GenerationManager(store), batch_id, settings)
    runner.join(240)
    assert not runner.running and not runner.errors
    progress = batch.progress(store, batch_id)
    assert (progress.done, progress.failed, progress.status) == (30, 0, "finished"), progress.rows
    rows = store.batch_rows(batch_id)
    requests = requests_of(store, batch_id)
    for r in rows:
        assert store.text(r.document_id) == reference(requests[r.row]), r.row
    # Every planned fault struck, each a different draft (a third of them), and each was handled.
    assert sorted(r.faults for r in rows) == [0] * 20 + [1] * 10
    assert {f.kind for r in rows for f in store.faults(r.document_id)} == {"connection", "truncated", "malformed",
                                                                         "timeout"}
    # Bounded: never more than 8 drafts at once, and more than one at a time.
    spans = [(r.created_at, r.completed_at) for r in rows]
    overlap = max(sum(1 for a, b in spans if a <= t < b) for t, _ in spans)
    assert 2 <= overlap <= 8
    assert len(store.list_documents(limit=100)) == 30


def test_one_shared_backoff_when_the_provider_answers_429(serve, store):
    ratelimit.reset()
    server = serve("429", retry_after=0.8)
    settings = Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=2.0, mode="sections",
                        rate=0)
    checks = [batch.validate_row(i + 2, {"company": f"Gate {i}"}) for i in range(4)]
    batch_id = batch.create(store, checks, settings, source="gate.csv", concurrency=4)
    runner = batch.start(GenerationManager(store), batch_id, settings)
    runner.join(120)
    rows = store.batch_rows(batch_id)
    assert all(r.doc_status == "completed" for r in rows)
    [fault] = [f for r in rows for f in store.faults(r.document_id)]
    assert fault.kind == "rate_limit"
    starts = [a.started_at for r in rows for a in store.attempts(r.document_id)]
    # No draft called the endpoint during the Retry-After another draft was told: the gate held every call.
    assert not [s for s in starts if fault.detected_at + 0.05 < s < fault.detected_at + 0.75]
    assert [s for s in starts if s >= fault.detected_at + 0.75]  # ... and the calls went on after it


def test_zip_holds_each_format_named_by_row_and_company_and_a_summary_failed_rows_say_why(serve, store):
    server = serve("401")  # the first call is refused for good: that row fails, the others complete
    settings = Settings(provider="openai", base_url=server.base_url, model=MODEL, read_timeout=2.0)
    checks = checks_of(MIXED)
    batch_id = batch.create(store, checks, settings, source="mixed.csv", concurrency=1, formats=("md", "html", "docx"),
                            skip_invalid=True)
    manager = GenerationManager(store)
    batch.start(manager, batch_id, settings).join(120)
    progress = batch.progress(store, batch_id)
    assert (progress.done, progress.failed, progress.skipped) == (3, 1, 2)
    [failed] = [r for r in progress.rows if r["status"] == "failed"]
    assert "401" in failed["why"]
    names = zipfile.ZipFile(io.BytesIO(batch.build_zip(store, batch_id))).namelist()
    done = [r for r in progress.rows if r["status"] == "completed"]
    expected = {batch.export_name(r["row"], r["company"], d, fmt) for r in done
                for d in [next(c.doc_type for c in checks if c.row == r["row"])] for fmt in ("md", "html", "docx")}
    assert set(names) == expected | {"summary.csv"} and len(names) == 10
    assert "003-initech-tos.docx" in names or failed["row"] == 3
    archive = zipfile.ZipFile(io.BytesIO(batch.build_zip(store, batch_id)))
    summary = list(csv.DictReader(io.StringIO(archive.read("summary.csv").decode())))
    assert [s["row"] for s in summary] == ["2", "3", "4", "5", "6", "8"]
    assert tuple(summary[0]) == batch.SUMMARY_COLUMNS
    by_row = {int(s["row"]): s for s in summary}
    assert by_row[failed["row"]]["status"] == "failed" and "401" in by_row[failed["row"]]["why"]
    assert by_row[4]["status"] == "skipped" and "term_years" in by_row[4]["why"]
    completed = [s for s in summary if s["status"] == "completed"]
    assert all(int(s["tokens out"]) > 1000 and s["draft id"] for s in completed)
    md = next(n for n in names if n.endswith(".md"))
    row = int(md[:3])
    assert archive.read(md).decode() .startswith(reference(requests_of(store, batch_id)[row])[:200])
    # The failed row, retried alone, completes; nothing else runs again.
    before = {r.row: len(store.attempts(r.document_id)) for r in store.batch_rows(batch_id) if r.doc_status == "completed"}
    batch.start(manager, batch_id, settings, rows=[failed["row"]]).join(60)
    after = store.batch_rows(batch_id)
    assert all(r.doc_status == "completed" for r in after if r.status != "skipped")
    assert {r.row: len(store.attempts(r.document_id)) for r in after if r.row in before} == before
    assert batch.progress(store, batch_id).status == "finished"


def run_cli(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "contractgen", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout)


def test_cli_refuses_invalid_rows_all_at_once_and_prints_templates(tmp_path, store, capsys):
    sheet = tmp_path / "mixed.csv"
    sheet.write_text(MIXED, encoding="utf-8")
    assert main(["batch", str(sheet), "--out", str(tmp_path / "d.zip"), "--provider", "offline"]) == 2
    err = capsys.readouterr().err
    assert "error: Row 4, term_years: Disclosure period (years) must be at most 10." in err
    assert "error: Row 5, minimum_age: Minimum age must be at least 13." in err
    assert "2 of 6 row(s) are invalid" in err
    assert store.list_batches() == [] and not (tmp_path / "d.zip").exists()  # nothing stored, nothing written
    assert main(["batch", "--template", "nda"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].startswith("doc,company,counterparty,mutual")
    assert main(["batch", "resume", "nope", "--out", str(tmp_path / "d.zip")]) == 2
    assert "No batch with id nope" in capsys.readouterr().err
    assert main(["batch", str(sheet), "--dry-run", "--skip-invalid", "--provider", "offline"]) == 2
    assert "Estimate: 4 draft(s), 4 call(s)" in capsys.readouterr().err and store.list_batches() == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for usage in ("contractgen batch --template nda", "contractgen batch ndas.csv", "contractgen batch resume"):
        assert usage in readme, usage


def test_killed_mid_batch_then_resumed_nothing_twice_nothing_missing(tmp_path, database_url, store):
    companies = [f"Kill Test {i}" for i in range(10)]
    sheet = write_sheet(tmp_path / "ndas.csv", companies)
    out = tmp_path / "drafts.zip"
    env = {**os.environ, "CONTRACTGEN_DATABASE_URL": database_url}
    proc = subprocess.Popen([sys.executable, "-m", "contractgen", "batch", str(sheet), "--out", str(out),
                             "--provider", "offline", "--rate", "3000", "--concurrency", "3"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # kill once some rows are done and others are halfway
            batches = store.list_batches()
            rows = store.batch_rows(batches[0].id) if batches else []
            done = [r for r in rows if r.doc_status == "completed"]
            halfway = [r for r in rows if r.doc_status == "streaming" and r.length > 2000]
            if len(done) >= 3 and halfway:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the batch never got going")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    batch_id = batches[0].id
    killed = {r.row: r for r in store.batch_rows(batch_id)}
    finished_before = {r.row: (r.document_id, len(store.attempts(r.document_id)))
                       for r in killed.values() if r.doc_status == "completed"}
    cut = {r.row: r.length for r in killed.values() if r.doc_status == "streaming"}
    assert finished_before and cut and not out.exists()

    result = run_cli("batch", "resume", batch_id, "--out", str(out), "--rate", "0", env=env)
    assert result.returncode == 0, result.stderr
    assert f"Batch {batch_id}: 10/10 done, 0 failed" in result.stderr
    rows = store.batch_rows(batch_id)
    requests = requests_of(store, batch_id)
    # Nothing missing: every row complete, exactly the text of a single uninterrupted draft.
    for r in rows:
        assert r.doc_status == "completed" and store.text(r.document_id) == reference(requests[r.row])
    # Nothing twice: one draft per row; the drafts finished before the kill were not touched; the cut ones went on
    # from their checkpoint (their first call after the restart resumed at the stored text, not from zero).
    assert len(store.list_documents(limit=100)) == 10
    assert {r.row: (r.document_id, len(store.attempts(r.document_id))) for r in rows if r.row in finished_before} \
        == finished_before
    assert any(cut.values())
    for row, length in cut.items():  # (a draft killed before its first checkpoint has nothing to resume from)
        last = store.attempts(killed[row].document_id)[-1]
        assert (last.kind, last.start_offset) == (("resume", length) if length else ("initial", 0))
    names = zipfile.ZipFile(out).namelist()
    assert sorted(names) == sorted([batch.export_name(i + 2, c, "nda", "md") for i, c in enumerate(companies)]
                                   + ["summary.csv"])


@pytest.fixture
def page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/batch.py")
    at.run()
    at.slider(key="rate").set_value(0)

    def run():
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def test_page_validates_estimates_runs_and_comes_back_after_a_refresh(page):
    at = page()
    assert [d.label for d in at.get("download_button")] == ["Template CSV", "Template Excel"]
    at.file_uploader(key="batch-sheet").set_value(("mixed.csv", MIXED.encode(), "text/csv"))
    at = page()
    assert "2 of 6 row(s) have problems" in at.error[0].value
    report = at.dataframe[0].value
    assert list(report["row"]) == [4, 4, 5, 5, 5, 5, 5]
    assert "minimum_age" in list(report["field"])
    assert at.info[0].value.startswith("Estimate: 4 draft(s), 4 call(s)")
    start = next(b for b in at.button if b.label == "Start")
    assert start.disabled  # invalid rows stop the batch until skipped explicitly
    at.checkbox(key="batch-skip").check()
    at.number_input(key="batch-lanes").set_value(2)
    at = page()
    next(b for b in at.button if b.label == "Start").click()
    at = page()
    batch_id = at.query_params["batch"]
    batch.runner(batch_id).join(60)
    # A refresh: a new session with only the URL's batch id.
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.query_params["batch"] = batch_id
    again.run()
    again.switch_page("views/batch.py")
    again.query_params["batch"] = batch_id
    again.run()
    assert not again.exception, again.exception
    table = again.dataframe[0].value
    assert list(table["status"]) == ["completed", "completed", "skipped", "skipped", "completed", "completed"]
    assert "4/4 done, 0 failed" in again.get("progress")[0].proto.text
    assert [d.label for d in again.get("download_button")] == ["Download 4 draft(s) (zip)", "Download summary (CSV)"]


def test_page_resumes_a_batch_whose_runner_is_gone_and_retries_nothing_done(page):
    from contractgen.generation import manager

    at = page()  # first: the page's frame decides which manager the process shares (a Streamlit resource)
    store = manager().store
    drafts_before = len(store.list_documents(limit=1000))
    checks = [batch.validate_row(i + 2, {"company": f"Restart Co {i}"}) for i in range(3)]
    batch_id = batch.create(store, checks, OFFLINE, source="restart.csv", concurrency=2)
    # As after a restart: one row was finished by the runner that died, the others never started.
    first = manager().start(checks[0].request, OFFLINE, id=store.link_batch_row(batch_id, 2, "restartrow02"))
    first.join(30)
    at.query_params["batch"] = batch_id
    at = page()
    assert "1/3 done, 0 failed, 0 running, 2 waiting" in at.get("progress")[0].proto.text
    next(b for b in at.button if b.label.startswith("Resume: finish the 2 unfinished row(s)")).click()
    at = page()
    batch.runner(batch_id).join(60)
    rows = store.batch_rows(batch_id)
    assert [r.doc_status for r in rows] == ["completed"] * 3 and rows[0].document_id == "restartrow02"
    assert len(store.attempts("restartrow02")) == 1  # the finished row was not drafted again
    assert len(store.list_documents(limit=1000)) == drafts_before + 3


def test_rate_limit_gate_only_moves_later_and_a_cancel_ends_the_wait():
    import threading as th

    ratelimit.reset()
    gate = ratelimit.key("http://user:sk-secret123456@127.0.0.1:9/v1?api_key=x", "m")
    assert "sk-secret" not in gate and "api_key" not in gate  # the key is a name that may be shown
    assert ratelimit.wait(gate) == 0 and ratelimit.wait("") == 0
    ratelimit.hit(gate, 0.3)
    ratelimit.hit(gate, 0.05)  # a shorter Retry-After never reopens the gate early
    assert 0.2 < ratelimit.remaining(gate) <= 0.3
    assert ratelimit.remaining(ratelimit.key("http://127.0.0.1:9/v1", "other")) == 0  # per endpoint and model
    started = time.monotonic()
    ratelimit.wait(gate)
    assert time.monotonic() - started >= 0.2 and ratelimit.remaining(gate) == 0
    ratelimit.hit(gate, 30)
    cancel = th.Event()
    th.Timer(0.1, cancel.set).start()
    started = time.monotonic()
    ratelimit.wait(gate, cancel)
    assert time.monotonic() - started < 5
    ratelimit.reset()


def test_stopped_batch_keeps_what_was_written_and_resume_finishes_only_the_rest(store):
    slow = Settings(provider="offline", rate=4000)
    checks = [batch.validate_row(i + 2, {"company": f"Stop Co {i}"}) for i in range(6)]
    batch_id = batch.create(store, checks, slow, source="stop.csv", concurrency=2)
    manager = GenerationManager(store)
    runner = batch.start(manager, batch_id, slow)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(r.length > 1000 for r in store.batch_rows(batch_id)):
        time.sleep(0.02)
    runner.stop()
    runner.join(30)
    stopped = batch.progress(store, batch_id)
    assert stopped.status == "stopped" and not stopped.runner_alive and stopped.done < 6
    kept = {r.row: r.length for r in store.batch_rows(batch_id) if r.doc_status == "cancelled"}
    assert kept and all(kept.values())
    # Stopped drafts are stopped, not failed: nothing is offered as a failed row, a resume finishes them all.
    assert stopped.failed == 0 and stopped.failed_rows == [] and stopped.stopped == len(kept)
    assert stopped.done + stopped.stopped + stopped.waiting == 6 and stopped.unfinished == 6 - stopped.done
    assert f"{stopped.stopped} stopped" in stopped.line() and not stopped.finished
    assert {r["row"]: STATUS_LABELS[r["status"]] for r in stopped.rows if r["row"] in kept} == dict.fromkeys(kept, "stopped")
    again = batch.start(manager, batch_id, OFFLINE)  # the page's Resume button, or `batch resume`
    with pytest.raises(InputError, match="already running"):
        batch.start(manager, batch_id, OFFLINE)  # a second runner of one batch in this process is refused
    again.join(60)
    rows = store.batch_rows(batch_id)
    requests = requests_of(store, batch_id)
    assert all(store.text(r.document_id) == reference(requests[r.row]) for r in rows)
    assert len(store.list_documents(limit=100)) == 6
    for row, length in kept.items():
        resumed = [a for a in store.attempts(next(r.document_id for r in rows if r.row == row)) if a.kind == "resume"]
        assert resumed and resumed[0].start_offset == length
    assert batch.progress(store, batch_id).status == "finished"


def test_a_stored_batch_resumes_with_every_setting_it_was_started_with_and_no_secret(store, monkeypatch):
    started = Settings(provider="offline", rate=0, api_key="sk-never-stored-123456", mode="chunks", group_size=3,
                       parallel=2, stall_floor=7.5, stall_factor=6.0, overall_deadline=900.0, deadline=600.0,
                       fault_plan="reset@200", fallback_models=("backup-model",), max_tokens=777, resume_tail=1500)
    checks = [batch.validate_row(2, {"company": "Kept Co"})]
    batch_id = batch.create(store, checks, started, source="kept.csv", concurrency=1)
    stored = store.get_batch(batch_id).settings
    assert "sk-never" not in repr(stored) and "api_key" not in stored
    assert set(batch.KEPT) == set(started.public())  # one list: Settings.public()'s
    with pytest.raises(ValueError, match="never stored"):  # the store still refuses a secret in a batch's settings
        store.create_batch(id="secretbatch", source="s.csv", rows=[], settings={**stored, "api_key": "sk-x"})
    # The page's Resume (settings_for) and `contractgen batch resume` (cli._settings) restore the same settings.
    page = batch.settings_for(stored, env={}, api_key="sk-from-the-sidebar")
    from contractgen.cli import _settings, build_parser

    for name in ("CONTRACTGEN_FAULTS", "CONTRACTGEN_PARALLEL", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    cli = _settings(build_parser().parse_args(["batch", "resume", batch_id, "--out", "x.zip"]), stored)
    for settings in (page, cli):
        assert settings.public() == started.public()
        assert (settings.parallel, settings.stall_floor, settings.stall_factor, settings.overall_deadline,
                settings.fault_plan) == (2, 7.5, 6.0, 900.0, "reset@200")
    assert page.api_key == "sk-from-the-sidebar"  # the key comes from where the resume runs, never from the store
    # A flag still wins over the stored setting.
    flagged = _settings(build_parser().parse_args(["batch", "resume", batch_id, "--out", "x.zip", "--parallel", "3"]),
                        stored)
    assert flagged.parallel == 3 and flagged.stall_floor == 7.5


def test_every_status_has_a_plain_label():
    assert set(STATUS_LABELS) == set(STATUSES)
    assert STATUS_LABELS["cancelled"] == "stopped" and STATUS_LABELS["streaming"] == "writing"

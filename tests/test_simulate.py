"""Simulated history: real offline generations with injected faults, backdated, and metrics that agree with it."""

import json
import subprocess
import sys
import time


from contractgen import cli, metrics
from contractgen.simulate import plan_documents, simulate
from contractgen.storage import Store


def test_simulated_history_gives_consistent_metrics(database_url, capsys):
    store = Store(database_url)
    seen = []
    before = time.time()
    summary = simulate(store, 12, 0.5, ["stream", "chunks", "sections"], seed=7,
                       progress=lambda done, total, result: seen.append((done, total, result["status"])),
                       manual_wait=(0.05, 0.1), doc_types=["tos"])
    assert [done for done, _, _ in seen] == list(range(1, 13)) and {total for _, total, _ in seen} == {12}
    assert summary["documents"] == 12 and summary["with_injected_faults"] == 6
    assert summary["manual_resumes"] >= 1 and summary["by_status"].get("failed", 0) >= 1

    k = metrics.kpis(store, metrics.Filters())
    assert k["documents"] == 12
    assert k["documents_with_faults"] == 6  # every injected plan strikes
    assert k["fault_rate"] == 0.5
    assert k["faults"] == summary["faults"] >= 6
    assert 0 < k["recovery_rate"] < 1  # the document past the budget failed; the others completed
    assert k["documents_by_status"]["completed"] + k["documents_by_status"]["failed"] == 12
    assert k["resumes_by_type"]["manual"]["attempts"] == summary["manual_resumes"]
    assert k["resumes_by_type"]["auto"]["attempts"] == summary["auto_resumes"]
    assert 0 < k["resume_success_rate"] <= 1
    # A manual resume's time includes the simulated person's wait (0.05-0.1 s) on top of the resume itself.
    assert k["resume_time"]["manual"]["n"] >= 1 and k["resume_time"]["manual"]["p50"] >= 0.05
    assert k["calls"] >= 12 and k["tokens_out"] > 0 and k["tokens_estimated"] is True
    assert k["unpriced_models"] == [] and k["estimated_cost"] == 0.0  # the offline engine is free

    # Backdated, each document as a whole: spread over the past 30 days, durations unchanged (seconds, not days).
    options = metrics.filter_options(store)
    assert before - 30 * 86400 <= options["min_created_at"] < options["max_created_at"] <= time.time()
    assert options["max_created_at"] - options["min_created_at"] > 86400
    assert 0 <= k["time_to_first_token"]["p95"] < 10 and 0 < k["duration"]["p95"] < 30
    assert len(metrics.series(store, metrics.Filters(), "day")) > 1

    # The CLI prints exactly kpis() for the same database.
    assert cli.main(["metrics", "--json", "--db", database_url]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(k))
    store.close()


def test_plans_are_deterministic_and_cover_every_story():
    plans = plan_documents(40, 0.5, ["stream", "sections"], seed=3, doc_types=["tos"])
    assert plans == plan_documents(40, 0.5, ["stream", "sections"], seed=3, doc_types=["tos"])
    assert sum(1 for p in plans if p.faults) == 20
    categories = [p.category for p in plans]
    assert categories.count("budget") == 2 and categories.count("manual") == 4 and categories.count("auto") == 14
    assert all(len(p.faults.split(",")) >= 4 for p in plans if p.category == "budget")
    assert {p.mode for p in plans} == {"stream", "sections"}
    assert len({p.answers["company"] for p in plans}) > 3
    assert all(0 <= p.backdate < 30 * 86400 for p in plans)
    assert all(p.backdate == 0 for p in plan_documents(5, 0.0, ["stream"], seed=1, doc_types=["tos"], backdate_days=0))


def test_cli_simulate_and_its_bad_input(database_url, capsys):
    url = database_url
    assert cli.main(["simulate", "--documents", "3", "--fault-rate", "0", "--modes", "stream,chunks", "--seed", "1",
                     "--backdate-days", "0", "--db", url]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("[") == 3 and "[3/3]" in captured.err
    assert captured.out.startswith("Simulated 3 document(s) in ") and "3 completed" in captured.out
    assert "backdated" not in captured.out  # --backdate-days 0 keeps real times
    assert metrics.kpis(Store(url), metrics.Filters(start=time.time() - 3600))["documents"] == 3

    assert cli.main(["simulate", "--documents", "0", "--fault-rate", "1.5", "--modes", "stream,paragraphs",
                     "--db", url]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: --documents must be a whole number of 1 or more.",
                   "error: --fault-rate must be between 0 and 1 (a fraction of the documents).",
                   "error: --modes takes a comma-separated list of stream, chunks, sections, not paragraphs."]


BAD_URLS = ["postgresql+psycopg://someone:s3cret-pw@127.0.0.1:1/nowhere",  # nothing listens there
            "postgresql+psycopg://someone:s3cret-pw@127.0.0.1:notaport/nowhere",  # unparseable port
            "postgresql+psycopg://someone@127.0.0.1:1/nowhere?password=s3cret-pw",  # password as a parameter
            "someone:s3cret-pw@127.0.0.1/nowhere"]  # no scheme


def test_no_command_prints_the_database_password(engine, database_url, capsys):
    from sqlalchemy import make_url

    from contractgen.storage import shown_url

    assert shown_url("postgresql+psycopg://u:s3cret-pw@db.example:5432/app") == "postgresql+psycopg://u:***@db.example:5432/app"
    for url in BAD_URLS:
        for command in (["simulate", "--documents", "1", "--fault-rate", "0", "--seed", "1"], ["metrics"], ["list"]):
            assert cli.main([*command, "--db", url]) == 2
            out, err = capsys.readouterr()
            assert "Cannot open the database" in err and "s3cret-pw" not in out + err, (url, out, err)

    if engine == "postgresql":  # a real run on the test's own database, as a person runs it
        password = make_url(database_url).password
        assert password
        result = subprocess.run([sys.executable, "-m", "contractgen", "simulate", "--documents", "2", "--fault-rate",
                                 "0.5", "--seed", "1", "--workers", "2", "--db", database_url],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert password not in result.stdout + result.stderr
        assert "contractgen metrics --db postgresql+psycopg://" in result.stdout and ":***@" in result.stdout

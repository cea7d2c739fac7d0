"""Bulk drafting throughput: drafts per minute, CPU and peak memory at concurrency 1, 4, 8 and 16.

Two engines, each through the real batch runner (contractgen.batch: rows stored, drafts through the
GenerationManager with leases, checkpoints and sections, on a SQLite file in a temporary directory):

- offline: the offline engine in process, at full speed (rate 0): what the machinery itself costs;
- served: `contractgen serve-offline --rate R` (default 50 tokens/s, a hosted model's pace) in a subprocess, reached
  over HTTP by the real `openai` client: what concurrency buys when the provider is the bottleneck.

Every configuration runs in a fresh Python subprocess (its peak RSS is its own: ru_maxrss), NDAs for distinct
companies, stream mode. CPU is user+system seconds of that subprocess (and, for `served`, of the server process,
read from /proc), divided by the wall time: 1.0 = one core busy. Every draft's text is checked against the offline
engine's reference; a configuration with any draft not identical is reported as such.

    .venv/bin/python benchmarks/batch.py --engine offline --drafts 100              # ~2 min on 2 shared cores
    .venv/bin/python benchmarks/batch.py --engine served --waves 1                  # one draft per lane: ~8 min
    .venv/bin/python benchmarks/batch.py ... --write                                # also updates docs/benchmarks.md

At 50 tokens/s an NDA (about 5,400 tokens) takes close to two minutes, so 100 drafts at concurrency 1 would take
over three hours: `--waves W` runs W drafts per lane instead (concurrency x W drafts), and the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu_of(pid: int) -> float:
    """User + system seconds of a process, from /proc (the served engine's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one(engine: str, concurrency: int, drafts: int, rate: float, base_url: str | None) -> dict:
    """One configuration, in this (fresh) process."""
    from contractgen import batch
    from contractgen.config import Settings
    from contractgen.generation import GenerationManager
    from contractgen.offline import MODEL, OfflineEngine
    from contractgen.storage import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        if engine == "offline":
            settings = Settings(provider="offline", rate=0)
        else:
            settings = Settings(provider="openai", base_url=base_url, model=MODEL, read_timeout=60.0)
        checks = [batch.validate_row(i + 2, {"doc": "nda", "company": f"Bench Co {i}", "counterparty": f"Partner {i}"})
                  for i in range(drafts)]
        batch_id = batch.create(store, checks, settings, source="bench.csv", concurrency=concurrency)
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        runner = batch.BatchRunner(GenerationManager(store), batch_id, settings)
        runner.run()
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        rows = store.batch_rows(batch_id)
        reference = OfflineEngine(rate=0)
        identical = sum(1 for r, c in zip(rows, checks)
                        if r.doc_status == "completed" and store.text(r.document_id) == reference.document(c.request))
        store.close()
    return {"engine": engine, "concurrency": concurrency, "drafts": drafts, "rate": rate, "wall": wall, "cpu": cpu,
            "completed": sum(1 for r in rows if r.doc_status == "completed"), "identical": identical,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "errors": runner.errors}


def run_config(engine: str, concurrency: int, drafts: int, rate: float, base_url: str | None, server_pid: int | None) -> dict:
    server_cpu0 = _cpu_of(server_pid) if server_pid else 0.0
    out = subprocess.run([sys.executable, __file__, "--one", engine, str(concurrency), str(drafts), str(rate),
                          base_url or ""], capture_output=True, text=True, cwd=ROOT, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["server_cpu"] = (_cpu_of(server_pid) - server_cpu0) if server_pid else 0.0
    return result


def table(results: list[dict]) -> str:
    lines = ["| engine | concurrency | drafts | wall (s) | drafts/min | CPU (cores) | peak RSS (MB) | identical |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        engine = "offline, full speed" if r["engine"] == "offline" else f"served over HTTP, {r['rate']:g} tokens/s"
        cores = (r["cpu"] + r["server_cpu"]) / r["wall"]
        lines.append(f"| {engine} | {r['concurrency']} | {r['drafts']} | {r['wall']:.1f} | "
                     f"{r['drafts'] / r['wall'] * 60:.1f} | {cores:.2f} | {r['peak_mb']:.0f} | "
                     f"{r['identical']}/{r['drafts']} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        engine, concurrency, drafts, rate, base_url = sys.argv[2:7]
        print(json.dumps(one(engine, int(concurrency), int(drafts), float(rate), base_url or None)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["offline", "served"], default="offline")
    parser.add_argument("--concurrency", default="1,4,8,16")
    parser.add_argument("--drafts", type=int, default=100, help="Drafts per configuration (offline).")
    parser.add_argument("--waves", type=int, default=None, help="Drafts per lane instead of --drafts (concurrency x W).")
    parser.add_argument("--rate", type=float, default=50.0, help="Tokens/s of the served engine (default 50).")
    parser.add_argument("--write", action="store_true", help="Print the table for docs/benchmarks.md.")
    args = parser.parse_args()
    lanes = [int(c) for c in args.concurrency.split(",")]
    server = None
    base_url = None
    results = []
    try:
        if args.engine == "served":
            server = subprocess.Popen([sys.executable, "-m", "contractgen", "serve-offline", "--port", "0", "--rate",
                                       str(args.rate)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                      cwd=ROOT)
            line = server.stdout.readline()
            base_url = line.split(" on ", 1)[1].split(" ", 1)[0]
        for concurrency in lanes:
            drafts = concurrency * args.waves if args.waves else args.drafts
            result = run_config(args.engine, concurrency, drafts, args.rate, base_url, server.pid if server else None)
            results.append(result)
            print(table([result]).splitlines()[-1], flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    print()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(table(results))


if __name__ == "__main__":
    main()

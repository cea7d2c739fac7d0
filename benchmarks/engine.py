"""Engine overhead: the raw openai SDK vs `resilient_chat` vs a stored draft, on one full-speed local stream.

The offline engine is served by `contractgen serve-offline --rate 0` in its own process (a real local HTTP
server; the client side does not share its interpreter, so the server's work does not eat the client's
GIL), and the same Terms of Service (every option on) is streamed three ways, interleaved run after run in a
rotating order, so that a slow moment of the machine hits every variant alike:

- raw: `openai.OpenAI(...).chat.completions.create(stream=True)` with one client built before the runs (the
  best case for the raw SDK), text joined from the deltas;
- resilient: `contractgen.resilient.resilient_chat(messages, base_url=...)` (its client comes from the
  process-wide cache, contractgen/clients.py);
- stored: `GenerationManager(Store(sqlite)).start(request, settings)` in the stream mode, followed until its
  worker has ended: checkpoints, sections, attempts and rollups written to a fresh SQLite file.

Per variant: characters per second (whole text / time from the call to the end; for stored, until the worker
has written the final status) and time to first token (call -> first text the caller can read), as medians
over the runs; each variant's ratio to raw is taken run by run (same round) and its median reported.

    .venv/bin/python benchmarks/engine.py               # 30 rounds, writes docs/benchmarks.md
    .venv/bin/python benchmarks/engine.py --rounds 5 --no-write
    .venv/bin/python benchmarks/engine.py --profile stored   # cProfile of the worker thread, top 30 by own time
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai  # noqa: E402

from contractgen import clients  # noqa: E402
from contractgen.config import Settings  # noqa: E402
from contractgen.generation import CHECKPOINT_INTERVAL, Generation, GenerationManager  # noqa: E402
from contractgen.offline import MODEL  # noqa: E402
from contractgen.prompts import base_messages  # noqa: E402
from contractgen.request import parse_request  # noqa: E402
from contractgen.resilient import resilient_chat  # noqa: E402
from contractgen.storage import Store  # noqa: E402
from report import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = {"company": "Acme", "accounts": True, "payments": True, "user_content": True, "eu_users": True,
           "website": "https://acme.example", "refund_days": 14}
TARGETS = {"resilient": (0.85, 0.005), "stored": (0.5, 0.020)}  # (throughput vs raw at least, extra TTFT at most)


def serve(rate: float) -> tuple[subprocess.Popen, str]:
    """`contractgen serve-offline` in its own process; its first line says where it listens."""
    proc = subprocess.Popen([sys.executable, "-m", "contractgen", "serve-offline", "--port", "0", "--rate", str(rate)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    url = next(word for word in line.split() if word.startswith("http://"))
    return proc, url


def raw(client: openai.OpenAI, messages) -> tuple[float, float, int]:
    started = time.perf_counter()
    first, parts = None, []
    with client.chat.completions.create(model=MODEL, messages=messages, stream=True, max_tokens=8192,
                                        stream_options={"include_usage": True}) as response:
        for chunk in response:
            for choice in chunk.choices or ():
                text = choice.delta.content if choice.delta else None
                if text:
                    if first is None:
                        first = time.perf_counter()
                    parts.append(text)
    return first - started, time.perf_counter() - started, len("".join(parts))


def resilient(base_url: str, messages) -> tuple[float, float, int]:
    started = time.perf_counter()
    first, parts = None, []
    stream = resilient_chat(messages, model=MODEL, base_url=base_url)
    for text in stream:
        if first is None:
            first = time.perf_counter()
        parts.append(text)
    assert stream.outcome and stream.outcome.status == "completed", stream.outcome
    return first - started, time.perf_counter() - started, len("".join(parts))


def stored(manager: GenerationManager, base_url: str, request) -> tuple[float, float, int]:
    settings = Settings(provider="openai", base_url=base_url, model=MODEL, mode="stream")
    started = time.perf_counter()
    generation = manager.start(request, settings)
    while True:  # the condition wakes this read as soon as the worker appends text
        new, done = generation.read(0, wait=1.0)
        if new or done:
            break
    first = time.perf_counter()
    generation.join()
    total = time.perf_counter() - started
    assert generation.status == "completed", generation.error
    return first - started, total, len(generation.text)


def profile(which: str, base_url: str, request, messages, store: Store) -> None:
    prof = cProfile.Profile()
    if which == "stored":
        original = Generation.run

        def run(self, *args, **kw):  # the worker thread is what a stored draft spends its time in
            prof.enable()
            try:
                return original(self, *args, **kw)
            finally:
                prof.disable()

        Generation.run = run
        manager = GenerationManager(store)
        for _ in range(3):
            stored(manager, base_url, request)
        Generation.run = original
    else:
        prof.enable()
        for _ in range(3):
            resilient(base_url, messages)
        prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    parser.add_argument("--profile", choices=["resilient", "stored"])
    args = parser.parse_args()

    request = parse_request(ANSWERS)
    messages = base_messages(request)
    proc, base_url = serve(0)
    tmp = tempfile.TemporaryDirectory()
    store = Store(f"sqlite:///{tmp.name}/engine.db")
    try:
        if args.profile:
            profile(args.profile, base_url, request, messages, store)
            return 0
        client = openai.OpenAI(api_key="unused", base_url=base_url, max_retries=0,
                               timeout=openai.Timeout(60.0, connect=10.0))
        manager = GenerationManager(store)
        variants = {"raw": lambda: raw(client, messages), "resilient": lambda: resilient(base_url, messages),
                    "stored": lambda: stored(manager, base_url, request)}
        names = list(variants)
        for name in names:  # warm-up: connections, imports, the client cache, SQLite pages
            variants[name]()
        built_before = clients.built
        results: dict[str, list[tuple[float, float, int]]] = {n: [] for n in names}
        for r in range(args.rounds):
            order = names[r % 3:] + names[:r % 3]
            for name in order:
                results[name].append(variants[name]())
        built = clients.built - built_before
    finally:
        store.close()
        proc.terminate()
        proc.wait(10)
        tmp.cleanup()

    chars = results["raw"][0][2]
    rows, verdicts = [], []
    for name in names:
        runs = results[name]
        cps = statistics.median(c / t for _, t, c in runs)
        ttft = statistics.median(f for f, _, _ in runs)
        if name == "raw":
            rows.append(f"| {name} | {cps / 1000:,.0f}k | 1.00x | {ttft * 1000:.1f} ms | - | - |")
            continue
        ratio = statistics.median((c / t) / (rc / rt) for (_, t, c), (_, rt, rc) in zip(runs, results["raw"]))
        extra = statistics.median(f - rf for (f, _, _), (rf, _, _) in zip(runs, results["raw"]))
        want_ratio, want_extra = TARGETS[name]
        ok = ratio >= want_ratio and extra <= want_extra
        verdicts.append(ok)
        rows.append(f"| {name} | {cps / 1000:,.0f}k | {ratio:.2f}x (target ≥ {want_ratio}x) | {ttft * 1000:.1f} ms | "
                    f"{extra * 1000:+.1f} ms (target ≤ {want_extra * 1000:.0f} ms) | {'met' if ok else 'MISSED'} |")
    table = "\n".join(["| path | characters/s (median) | throughput vs raw (median of per-round ratios) | "
                       "time to first token (median) | extra TTFT vs raw (median of per-round differences) | target |",
                       "|---|---|---|---|---|---|", *rows])
    print(table)
    print(f"clients built during the measured rounds: {built}")
    if args.no_write:
        return 0 if all(verdicts) else 1
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = f"""## Engine: overhead vs the raw SDK

`.venv/bin/python benchmarks/engine.py --rounds {args.rounds}` ({when}; {platform.python_implementation()} \
{platform.python_version()}, {os.cpu_count()} cores shared with other work, openai {openai.__version__}).

One Terms of Service (every option on: {chars:,} characters) from `contractgen serve-offline --rate 0` in its own
process, streamed {args.rounds} times by each path, interleaved in a rotating order after one warm-up run each.
raw = one `openai.OpenAI` client built before the runs; resilient = `resilient_chat(base_url=...)`; stored = a
draft of `GenerationManager` with SQLite (WAL, synchronous=NORMAL): checkpoints every {CHECKPOINT_INTERVAL} s,
sections written with them, attempts and rollups. Throughput runs from the call to the end (stored: until the
worker wrote the final status); time to first token from the call to the first text the caller can read.

{table}

`openai.OpenAI` clients built during the {args.rounds * 3} measured runs: {built} (one per provider configuration
per process, contractgen/clients.py; before issue 11 each draft built three and each resume more).

What the profile showed and what changed (`benchmarks/engine.py --profile stored`, cProfile of the worker
thread): with a client shared per configuration, `load_verify_locations` (the TLS store, ~20 ms a client here)
left the path; what remained between the start and the first token were SQLite writes (create, status, the
attempt's row, then a checkpoint right on the first token): the attempt's row now goes with the call's first
checkpoint, and the first checkpoint comes one interval after the start. Per delta, the time is the SDK's own
(pydantic `construct_type` of each chunk) and the structure parser; sections, text and rollups are written in one
transaction per checkpoint, where each section used to be a commit of its own. Targets: issue 11 (item 1).
"""
    write_section(section)
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Parallel sections: a 15-section Terms of Service at 200 tokens/s, stream vs sections vs sections --parallel 4.

The offline engine is served by `contractgen serve-offline --rate 200` in its own process (each request paced on
its own, as a hosted model paces each stream), and drafted through the real openai client, the resilient engine
and a SQLite store, in three ways interleaved round after round: the stream mode (one call), the sections mode one
call at a time (--parallel 1) and the sections mode with four calls at once (--parallel 4). Per run: seconds from
start to the completed draft, calls, prompt and completion tokens as the server reported them; every run's text
is checked against the others (the offline engine writes the same document in every mode).

    .venv/bin/python benchmarks/parallel.py              # 2 rounds (~3 minutes), writes docs/benchmarks.md
    .venv/bin/python benchmarks/parallel.py --rounds 1 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contractgen.config import Settings  # noqa: E402
from contractgen.costs import PriceTable, cost  # noqa: E402
from contractgen.generation import GenerationManager  # noqa: E402
from contractgen.library import get_library, outline  # noqa: E402
from contractgen.offline import MODEL  # noqa: E402
from contractgen.request import parse_request  # noqa: E402
from contractgen.storage import Store  # noqa: E402
from engine import serve  # noqa: E402
from report import write_section  # noqa: E402

ANSWERS = {"company": "Acme"}  # the default Terms of Service: 15 sections
RATE = 200.0
PRICE_AS = "gpt-4o-mini"  # the offline engine is free: its tokens priced as a small hosted model
TARGET = 0.4  # sections --parallel 4 within this fraction of the stream mode's time
VARIANTS = {"stream": ("stream", 1), "sections, one at a time": ("sections", 1), "sections --parallel 4": ("sections", 4)}


def draft(manager: GenerationManager, base_url: str, request, mode: str, parallel: int) -> dict:
    settings = Settings(provider="openai", base_url=base_url, model=MODEL, mode=mode, parallel=parallel, read_timeout=30.0)
    started = time.perf_counter()
    generation = manager.start(request, settings)
    generation.join()
    seconds = time.perf_counter() - started
    assert generation.status == "completed", generation.error
    usage = generation.usage
    return {"seconds": seconds, "text": generation.text, "calls": len(manager.store.attempts(generation.id)),
            "prompt": usage.prompt_tokens, "completion": usage.completion_tokens}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    request = parse_request(ANSWERS)
    sections = len(outline(get_library(request.doc_type), request))
    proc, base_url = serve(RATE)
    tmp = tempfile.TemporaryDirectory()
    store = Store(f"sqlite:///{tmp.name}/parallel.db")
    runs: dict[str, list[dict]] = {name: [] for name in VARIANTS}
    try:
        manager = GenerationManager(store)
        names = list(VARIANTS)
        for r in range(args.rounds):
            for name in names[r % 3:] + names[:r % 3]:
                runs[name].append(draft(manager, base_url, request, *VARIANTS[name]))
                print(f"round {r + 1}: {name}: {runs[name][-1]['seconds']:.1f} s", flush=True)
    finally:
        store.close()
        proc.terminate()
        proc.wait(10)
        tmp.cleanup()

    texts = {run["text"] for results in runs.values() for run in results}
    assert len(texts) == 1, "the modes wrote different documents"
    stream = statistics.median(run["seconds"] for run in runs["stream"])
    table_ = PriceTable.load(os.environ)
    rows = []
    for name, results in runs.items():
        seconds = statistics.median(run["seconds"] for run in results)
        first = results[0]
        ratio = seconds / stream
        verdict = ""
        if name == "sections --parallel 4":
            verdict = f"{'met' if ratio <= TARGET else 'MISSED'} (target ≤ {TARGET}x)"
        dollars = cost(table_, PRICE_AS, first["prompt"], first["completion"])
        rows.append(f"| {name} | {seconds:.1f} s | {ratio:.2f}x | {first['calls']} | {first['prompt']:,} | "
                    f"{first['completion']:,} | ${dollars:.5f} | {verdict} |")
    table = "\n".join(["| mode | time (median) | vs stream | calls | prompt tokens | completion tokens | "
                       f"cost as {PRICE_AS} | target |", "|---|---|---|---|---|---|---|---|", *rows])
    one, four = runs["sections, one at a time"][0], runs["sections --parallel 4"][0]
    print(table)
    if args.no_write:
        return 0
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = f"""## Parallel sections: time and cost

`.venv/bin/python benchmarks/parallel.py --rounds {args.rounds}` ({when}; {platform.python_implementation()} \
{platform.python_version()}, {os.cpu_count()} cores shared with other work).

A {sections}-section Terms of Service ({len(next(iter(texts))):,} characters) from `contractgen serve-offline --rate \
{RATE:g}` in its own process (every request paced at {RATE:g} tokens/s on its own), drafted into SQLite through the
real openai client, {args.rounds} rounds of the three variants interleaved; times are medians, tokens those the
server reported for the first run of each. All {sum(len(r) for r in runs.values())} runs wrote the same document.

{table}

Cost against sections one at a time (the target: the same): the same {one['calls']} calls and the same completion
tokens ({four['completion']:,}), and no more prompt tokens: {four['prompt']:,} instead of {one['prompt']:,}, because
a call that runs beside the one before it is not sent "the text just before this part" (it is not written yet;
the outline and the defined terms every part prompt carries keep the parts consistent). So no extra cost, slightly
less. Target (issue 11, item 3): `--mode sections --parallel 4` in ≤ {TARGET}x the stream mode's time.
"""
    write_section(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Modes compared: calls, tokens, cost and time per mode, without and with one fault.

One Terms of Service is generated in each mode (stream, chunks, sections) by the
offline engine served over HTTP (`OfflineServer`) at a realistic rate, through
the real openai client and the resilient engine, into a fresh SQLite file. Then
the same again with one `reset` injected at the middle of the document. Runs go
one after another, each against its own server, so no run slows another.

Per run: calls, input and output tokens (estimated: the offline engine counts
token-sized pieces, it does not tokenize), cost priced as gpt-4o-mini (the
offline engine itself is free), seconds to the first text, seconds until
`generation.completed_sections` is first non-empty (polled every 50 ms while
following), total seconds; with the fault also resumes and resume overhead.

    .venv/bin/python benchmarks/modes.py            # rate 50 tokens/s, 6 runs (~13 minutes), writes docs
    .venv/bin/python benchmarks/modes.py --quick    # rate 400, prints only (~2 minutes)
    .venv/bin/python benchmarks/modes.py --rate 100
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contractgen.config import Settings  # noqa: E402
from contractgen.costs import RESUME_KINDS, PriceTable, cost, document_summary  # noqa: E402
from contractgen.faultplan import FaultPlan  # noqa: E402
from contractgen.generation import GenerationManager, follow  # noqa: E402
from contractgen.library import get_library, outline  # noqa: E402
from contractgen.modes import DEFAULT_GROUP_SIZE, MODES  # noqa: E402
from contractgen.offline import MODEL, OfflineEngine  # noqa: E402
from contractgen.request import parse_request  # noqa: E402
from contractgen.server import OfflineServer  # noqa: E402
from contractgen.storage import Store  # noqa: E402
from contractgen.tokens import estimate_tokens  # noqa: E402
from report import write_section  # noqa: E402

# No combination of options gives 10 sections (they give 14 to 18): this one gives the fewest, 14.
ANSWERS = {"company": "Acme", "accounts": False, "payments": False, "user_content": False, "eu_users": False}
PRICE_AS = "gpt-4o-mini"
POLL = 0.05  # seconds between looks at completed_sections


def section_counts() -> set[int]:
    """The numbers of sections a Terms of Service can have, over every combination of its options."""
    counts = set()
    for accounts, payments, content, eu, site, refunds in itertools.product((True, False), repeat=6):
        answers = {"company": "Acme", "accounts": accounts, "payments": payments, "user_content": content,
                   "eu_users": eu, "website": "https://acme.example" if site else "", "refund_days": 14 if refunds else 0}
        request = parse_request(answers)
        counts.add(len(outline(get_library(request.doc_type), request)))
    return counts


def run_one(store: Store, table: PriceTable, mode: str, rate: float, fault: str, reference: str) -> dict:
    server = OfflineServer(port=0, rate=rate, plan=FaultPlan.parse(fault))
    server.start_in_thread()
    try:
        settings = Settings(provider="openai", base_url=server.base_url, model=MODEL, mode=mode, read_timeout=30.0)
        request = parse_request(ANSWERS)
        first_section: list[float] = []
        last_look = [0.0]
        started = time.perf_counter()

        def look(generation) -> None:
            now = time.perf_counter()
            if first_section or now - last_look[0] < POLL:
                return
            last_look[0] = now
            if generation.completed_sections:
                first_section.append(now - started)

        generation = GenerationManager(store).start(request, settings)
        follow(generation, look, poll=POLL)
        total = time.perf_counter() - started
        generation.join(30)
    finally:
        server.shutdown()
        server.server_close()
    s = document_summary(store, generation.id, table, price_as=PRICE_AS)
    return {"attempts": store.attempts(generation.id), "text": generation.text, "summary_cost": s.cost,
        "mode": mode, "fault": fault or "none", "status": generation.status, "identical": generation.text == reference,
        "calls": s.calls, "kinds": dict(s.calls_by_kind), "input": s.prompt_tokens, "output": s.completion_tokens,
        "estimated": s.estimated, "cost": s.cost, "first_text": s.time_to_first_token,
        "first_section": first_section[0] if first_section else None, "total": total,
        "resumes": generation.resumes, "faults": generation.faults_handled, "overhead": s.resume_overhead_tokens,
    }


def recount(run: dict, clean: dict, table: PriceTable) -> None:
    """Input, output and cost of what the calls of `run` sent and received, into `run`.

    A call cut by the fault reports no usage. The product's summary then charges it the next call's input
    (the resume's, which carries the text so far) and 4 characters a token of output, which errs high.
    Here the cut call's input is that of the same call in the fault-free run (the same messages were sent),
    and its output is counted with the same estimator as every other call, over the text it delivered."""
    twins = iter([a for a in clean["attempts"] if a.kind not in RESUME_KINDS])
    prompt = completion = 0
    dollars = 0.0
    for a in sorted(run["attempts"], key=lambda a: (a.started_at, a.id)):
        twin = None if a.kind in RESUME_KINDS else next(twins)
        p = a.prompt_tokens if a.prompt_tokens is not None else twin.prompt_tokens
        c = (a.completion_tokens if a.completion_tokens is not None
             else estimate_tokens(run["text"][a.start_offset:a.start_offset + a.output_chars]))
        prompt, completion = prompt + p, completion + c
        dollars += cost(table, PRICE_AS, p, c)
    run.update(input=prompt, output=completion, cost=dollars)


def seconds(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def pct(value: float) -> str:
    return f"{value * 100:+.0f}%"


def table_rows(rows: list[dict], base: dict[str, dict], with_fault: bool) -> list[str]:
    stream_cost = next(r["cost"] for r in rows if r["mode"] == "stream")
    head = ("| mode | calls | input tokens (est.) | output tokens (est.) | cost as gpt-4o-mini (est.) | cost vs stream "
            "| first text (s) | first completed section (s) | total (s) |")
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    if with_fault:
        head += " resumes | resume overhead tokens (est.) | extra cost vs no fault | cost per the product's summary |"
        rule += "---:|---:|---:|---:|"
    lines = [head, rule]
    for r in rows:
        calls = ", ".join(f"{n} {k}" for k, n in r["kinds"].items())
        line = (f"| {r['mode']} | {r['calls']} ({calls}) | {r['input']:,} | {r['output']:,} | ${r['cost']:.5f} "
                f"| {pct(r['cost'] / stream_cost - 1)} | {seconds(r['first_text'], 2)} "
                f"| {seconds(r['first_section'])} | {seconds(r['total'])} |")
        if with_fault:
            line += (f" {r['resumes']} | {r['overhead']:,} | {pct(r['cost'] / base[r['mode']]['cost'] - 1)} "
                     f"| ${r['summary_cost']:.5f} |")
        lines.append(line)
    return lines


def cheapest_between(clean: dict[str, dict], faulted: dict[str, dict], upto: float = 3.0) -> list[tuple[str, float, float]]:
    """(mode, from, to): the cheapest mode for each expected number of faults like this one per document, 0..upto,
    with cost(f) = cost without a fault + f * what one fault added (in steps of 0.01)."""
    spans: list[list] = []
    for i in range(int(upto * 100) + 1):
        f = i / 100
        best = min(clean, key=lambda m: clean[m]["cost"] + f * (faulted[m]["cost"] - clean[m]["cost"]))
        if spans and spans[-1][0] == best:
            spans[-1][2] = f
        else:
            spans.append([best, f, f])
    return [tuple(x) for x in spans]


def choice(clean: dict[str, dict], faulted: dict[str, dict]) -> str:
    """One sentence on which mode to choose when, from the measured figures."""
    s = clean["stream"]
    upto = 3.0
    spans = cheapest_between(clean, faulted, upto)
    firsts = {m: r["first_section"] for m, r in clean.items() if r["first_section"] is not None}
    totals = {m: r["total"] for m, r in clean.items()}
    spread_first = max(firsts.values()) - min(firsts.values())
    spread_total = max(totals.values()) - min(totals.values())
    if spread_first < 1 and spread_total < max(1.0, 0.02 * max(totals.values())):
        timing = (f"no mode shows the first section or finishes sooner (first section within {spread_first:.1f} s, "
                  f"total within {spread_total:.1f} s of each other)")
    else:
        soonest, fastest = min(firsts, key=firsts.get), min(totals, key=totals.get)
        timing = (f"the first section comes soonest in {soonest} ({firsts[soonest]:.1f} s, up to "
                  f"{max(firsts.values()):.1f} s in the others) and the whole document in {fastest} "
                  f"({totals[fastest]:.1f} s, up to {max(totals.values()):.1f} s)")
    default = spans[0][0]
    others = ", ".join(f"{m} {pct(clean[m]['cost'] / clean[default]['cost'] - 1)}" for m in clean if m != default)
    parts = [f"choose {default} by default: with no fault it is the cheapest ({others}, since every extra call "
             f"re-sends the instructions and outline) and {timing}"]
    for mode, start, end in spans[1:]:
        parts.append(f"{mode} once more than about {start:.2g} mid-document faults like this one per document are expected"
                     + (f" (up to {end:.1f})" if end < upto else "")
                     + f", when its smaller resume ({faulted[mode]['overhead']:,} tokens re-sent instead of "
                       f"{faulted['stream']['overhead']:,} in stream) makes it the cheapest")
    for mode in clean:
        if mode not in {span[0] for span in spans}:
            with_one = pct(faulted[mode]["cost"] / min(r["cost"] for r in faulted.values()) - 1)
            parts.append(f"{mode} never on cost below {upto:g} faults per document ({with_one} over the cheapest even "
                         "with one fault)" + (", only for its exact section-by-section progress" if mode == "sections" else ""))
    sentence = "; ".join(parts) + "."
    return "**Which mode when (from these figures):** " + sentence[0].upper() + sentence[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, help="offline engine speed in tokens per second (default 50; 400 with --quick)")
    parser.add_argument("--quick", action="store_true", help="rate 400 unless --rate is given; print, do not write docs")
    args = parser.parse_args()
    rate = args.rate if args.rate is not None else (400.0 if args.quick else 50.0)

    request = parse_request(ANSWERS)
    n = len(outline(get_library(request.doc_type), request))
    counts = section_counts()
    reference = OfflineEngine(rate=0).document(request)
    middle = len(reference) // 2
    fault = f"reset@{middle}"
    table = PriceTable.load(os.environ)

    clean: dict[str, dict] = {}
    faulted: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="contractgen-modes-") as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'modes.db'}")
        for spec, results in (("", clean), (fault, faulted)):
            for mode in MODES:
                r = run_one(store, table, mode, rate, spec, reference)
                recount(r, clean.get(mode, r), table)
                results[mode] = r
                print(f"{mode:8} fault={r['fault']:12} {r['status']:9} identical={r['identical']} calls={r['calls']} "
                      f"in={r['input']} out={r['output']} ${r['cost']:.5f} (summary ${r['summary_cost']:.5f}) "
                      f"first_text={seconds(r['first_text'], 2)} first_section={seconds(r['first_section'])} "
                      f"total={r['total']:.1f} resumes={r['resumes']} overhead={r['overhead']}", flush=True)
        store.close()

    runs = [*clean.values(), *faulted.values()]
    problems = [f"{r['mode']} ({r['fault']}): {r['status']}, text identical to the reference: {r['identical']}"
                for r in runs if r["status"] != "completed" or not r["identical"]]
    s = faulted["stream"]
    command = "benchmarks/modes.py" + (" --quick" if args.quick else "") + (f" --rate {args.rate:g}" if args.rate is not None else "")
    lines = [
        "## Modes: calls, tokens, cost and time per mode",
        "",
        f"Command: `.venv/bin/python {command}`  ",
        f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "",
        f"One Terms of Service ({', '.join(f'{k}={v}' for k, v in ANSWERS.items())}): **N = {n} sections**, "
        f"{len(reference):,} characters. No combination of options gives 10 sections (they give "
        f"{min(counts)} to {max(counts)}), so this is the smallest: chunks make {math.ceil(n / DEFAULT_GROUP_SIZE)} calls of up to {DEFAULT_GROUP_SIZE} sections, "
        f"sections make {n}. Each run: the offline engine served over HTTP (`OfflineServer`, {rate:g} tokens/s), the "
        "real openai client, the resilient engine, a fresh SQLite file in a temporary directory; the six runs one after another, each with its "
        "own server. Tokens are **estimates** (the offline engine counts token-sized pieces of what a model would be "
        f"sent and would write; it does not tokenize). Cost prices every call as {PRICE_AS} "
        f"(${table.price(PRICE_AS)[0]:g} / ${table.price(PRICE_AS)[1]:g} per 1M input / output tokens): the offline "
        "engine itself is free, so these dollars are what the same tokens would cost there. First text: start of the "
        "first call to its first token (stored attempts). First completed section: from `start()` until "
        "`generation.completed_sections` is first non-empty, polled every 50 ms while following (a section is complete "
        "when the next heading arrives). Total: `start()` until the generation has stopped. The offline server answers "
        "a call at once (first text in hundredths of a second); a hosted model takes longer to its first token, and "
        f"chunks pay that {math.ceil(n / DEFAULT_GROUP_SIZE)} times, sections {n} times, so their totals here are lower "
        "bounds.",
        "",
        "**No fault**",
        "",
        *table_rows(list(clean.values()), clean, with_fault=False),
        "",
        f"**One fault per document**: `{fault}`, a TCP reset at character {middle:,} (half the document), resumed "
        "automatically. Resume overhead: input tokens of the resume call, which re-sends the instructions and the "
        "last 2,000 characters of the cut call's text (`--resume-tail`), not all of it: before resumes sent a tail "
        "(the run of 2026-11-21), stream's resume re-sent the whole 12,301 characters, 3,218 tokens, +16% cost for "
        "the fault. The call cut by the reset reports no usage; it is counted here with what it "
        "sent (the same messages as in the fault-free run) and the text it delivered. The product's own summary "
        "(`document_summary`, last column) charges it the resume's input instead and 4 characters a token of output, "
        f"which errs high: for stream {pct(s['summary_cost'] / s['cost'] - 1)} on the total. Input tokens of the "
        "chunks and sections calls now count the previous part's tail they carry (the served engine's estimate "
        "left it out before), so those rows are about 20% higher than in the 2026-11-21 run for the same prompts.",
        "",
        *table_rows(list(faulted.values()), clean, with_fault=True),
        "",
    ]
    if problems:
        lines += ["**Problems:** " + "; ".join(problems), ""]
    else:
        lines += ["Every run completed with text identical to the uninterrupted reference document.", ""]
    lines += [choice(clean, faulted), ""]
    section = "\n".join(lines)
    print()
    print(section)
    if not args.quick:
        write_section(section)


if __name__ == "__main__":
    main()

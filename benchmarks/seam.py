"""Seam check over every cut point: does a resumed document rejoin byte-identical?

For each cut position of the reference documents, the text before the cut is
kept, the continuation is requested from the last word boundary (as the engine
does), and the continuation arrives (a) exactly, and (b) after repeating a
random 0-200 characters, in deltas of random size. The seam filter must give
back the uninterrupted document every time.

Then the habits of real chat models asked to continue by instruction
(contractgen.mimic: restarting the sentence, paragraph, section or document, a
preamble, the last sentence repeated with a word changed, the held word not
rewritten) at random cuts: each seam must rejoin byte-identical or be flagged
unverified, never silently duplicate or lose text.

    .venv/bin/python benchmarks/seam.py            # all cuts of two documents (~20 minutes) + habits
    .venv/bin/python benchmarks/seam.py --sample 2000 --habit-sample 300
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contractgen.offline import OfflineEngine  # noqa: E402
from contractgen.request import parse_request  # noqa: E402
from contractgen.mimic import STYLES, continue_from  # noqa: E402
from contractgen.seam import SeamFilter, resume_point  # noqa: E402
from report import write_section  # noqa: E402

DOCUMENTS = {
    "Acme, default options": {"company": "Acme"},
    "Zebra Labs, all options": {"company": "Zebra Labs", "payments": True, "user_content": True, "eu_users": True},
}


def rejoin(text: str, new: str, step: int) -> str:
    seam = SeamFilter(text, text[resume_point(text):])
    return text + "".join(seam.feed(new[i:i + step]) for i in range(0, len(new), step)) + seam.finish()


def habits(sample: int) -> list[dict]:
    """Per habit: seams rejoined exactly, flagged unverified, and wrong (changed text while claiming a join)."""
    full = "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request(DOCUMENTS["Zebra Labs, all options"])))
    rows = []
    for style in STYLES:
        rng = random.Random(7)
        exact = flagged = wrong = repaired = 0
        started = time.perf_counter()
        for cut in rng.sample(range(200, len(full)), sample):
            text = full[:cut]
            start = resume_point(text)
            lead, begin = continue_from(full, start, style, rng)
            seam = SeamFilter(text, text[start:])
            new = lead + full[begin:]
            step = rng.choice([1, 3, 17, 10**6])
            out = text + "".join(seam.feed(new[i:i + step]) for i in range(0, len(new), step)) + seam.finish()
            if not out.startswith(text):
                wrong += 1  # kept text lost: never allowed
            elif seam.seam.joined and out == full:
                exact += 1
                repaired += seam.seam.join != "exact"
            elif seam.seam.joined:
                wrong += 1  # claimed a join, but the text is not the uninterrupted one
            else:
                flagged += 1
        rows.append({"habit": style, "seams": sample, "rejoined": exact, "repaired": repaired, "unverified": flagged,
                     "wrong": wrong, "ms": (time.perf_counter() - started) * 1000 / sample})
    return rows


def run(sample: int | None) -> list[dict]:
    rows = []
    for name, answers in DOCUMENTS.items():
        full = "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request(answers)))
        rng = random.Random(1)
        cuts = range(1, len(full)) if sample is None else rng.sample(range(1, len(full)), sample)
        started = time.perf_counter()
        seams = failures = 0
        for cut in cuts:
            text = full[:cut]
            start = resume_point(text)
            for repeat in (0, min(rng.randint(0, 200), start)):
                seams += 1
                if rejoin(text, full[start - repeat:], rng.choice([1, 3, 17, 10**6])) != full:
                    failures += 1
        rows.append({"document": name, "chars": len(full), "seams": seams, "failures": failures,
                     "seconds": time.perf_counter() - started})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, help="check this many random cuts per document instead of all")
    parser.add_argument("--habit-sample", type=int, default=300, help="random cuts per real-model habit (default 300)")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md even for a sample")
    args = parser.parse_args()
    rows = run(args.sample)
    habit_rows = habits(args.habit_sample)
    command = ("benchmarks/seam.py" + (f" --sample {args.sample}" if args.sample else "")
               + f" --habit-sample {args.habit_sample}" + (" --write" if args.write else ""))
    lines = [
        "## Seam: resumed documents rejoin byte-identical",
        "",
        f"Command: `.venv/bin/python {command}`  ",
        f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "",
        "Every cut point (or a sample) of each document; at each, the continuation arrives once exactly and once "
        "after repeating 0-200 characters, in deltas of 1, 3, 17 or all characters.",
        "",
        "| document | characters | seams checked | failures | seconds |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['document']} | {r['chars']:,} | {r['seams']:,} | {r['failures']} | {r['seconds']:.1f} |" for r in rows]
    lines += [
        "",
        "Real chat models' habits (instruct resumes, contractgen.mimic) at random cuts of the Zebra Labs document: "
        "rejoined = byte-identical to the uninterrupted document (of which repaired: a repeat, restart or preamble "
        "dropped); unverified = no confident join, everything kept and flagged; wrong = a join claimed but the text "
        "differs, or kept text lost (must be 0).",
        "",
        "| habit | seams | rejoined | of which repaired | unverified | wrong | ms per seam |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['habit']} | {r['seams']:,} | {r['rejoined']:,} | {r['repaired']:,} | {r['unverified']:,} | "
              f"{r['wrong']} | {r['ms']:.1f} |" for r in habit_rows]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.sample is None or args.write:
        write_section(section)


if __name__ == "__main__":
    main()

"""Seam check over every cut point: does a resumed document rejoin byte-identical?

For each cut position of the reference documents, the text before the cut is
kept, the continuation is requested from the last word boundary (as the engine
does), and the continuation arrives (a) exactly, and (b) after repeating a
random 0-200 characters, in deltas of random size. The seam filter must give
back the uninterrupted document every time.

    .venv/bin/python benchmarks/seam.py            # all cuts of two documents (~2 minutes)
    .venv/bin/python benchmarks/seam.py --sample 2000
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
from contractgen.seam import SeamFilter, resume_point  # noqa: E402
from report import write_section  # noqa: E402

DOCUMENTS = {
    "Acme, default options": {"company": "Acme"},
    "Zebra Labs, all options": {"company": "Zebra Labs", "payments": True, "user_content": True, "eu_users": True},
}


def rejoin(text: str, new: str, step: int) -> str:
    seam = SeamFilter(text, text[resume_point(text):])
    return text + "".join(seam.feed(new[i:i + step]) for i in range(0, len(new), step)) + seam.finish()


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
    args = parser.parse_args()
    rows = run(args.sample)
    command = "benchmarks/seam.py" + (f" --sample {args.sample}" if args.sample else "")
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
    section = "\n".join(lines) + "\n"
    print(section)
    if args.sample is None:
        write_section(section)


if __name__ == "__main__":
    main()

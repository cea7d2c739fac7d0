"""Bytes the browser receives over Streamlit's websocket per byte of document.

Compares (a) one plain `st.write_stream` over the whole document
(benchmarks/plain_stream_app.py) with (b) the app's own rendering (app.py:
per-paragraph streams, progress bar, sections list), both writing the same
offline Terms of Service for "Acme" at the same rate, in Debian's chromium.

    .venv/bin/python benchmarks/render.py           # default rate (50 tokens/s) and full speed; ~5 min
    .venv/bin/python benchmarks/render.py --quick   # full speed only; prints, does not touch docs/

The full run writes its table to docs/benchmarks.md (only the section below
HEADING is replaced) and the raw figures to benchmarks/out/render.json.
Bytes are counted from the click until the document is complete (the app's
"Completed" message, the plain app's "Stream finished." marker), plus the
frames that arrive until the websocket has been quiet for a second (the end of
the script run). Frames are ForwardMsg protobufs; each is also decoded to show
which element types the bytes went to.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import browser_page, streamlit_server  # noqa: E402
from report import write_section  # noqa: E402

from contractgen.offline import OfflineEngine  # noqa: E402
from contractgen.request import parse_request  # noqa: E402

HEADING = "## Render: bytes sent to the browser per document byte"
DOCS = ROOT / "docs" / "benchmarks.md"
OUT = ROOT / "benchmarks" / "out" / "render.json"
TARGET = 10.0  # the target for the app at the default rate
DEFAULT_RATE = 50
TIMEOUT_S = 900


def reference() -> str:
    return "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request({"company": "Acme"})))


def classify(payload: bytes) -> str:
    """What a ForwardMsg frame carries, e.g. 'delta:markdown' or 'script_finished'."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:
        return "undecodable"
    kind = msg.WhichOneof("type") or "empty"
    if kind != "delta":
        return kind
    delta_kind = msg.delta.WhichOneof("type")
    if delta_kind == "new_element":
        return f"element:{msg.delta.new_element.WhichOneof('type')}"
    return f"delta:{delta_kind}"


class Meter:
    """Sums websocket frames received on Streamlit's stream socket while armed."""

    def __init__(self, page):
        self.armed = False
        self.bytes = 0
        self.frames = 0
        self.by_kind: Counter[str] = Counter()
        self.last_frame = time.monotonic()
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.last_frame = time.monotonic()
        if not self.armed:
            return
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.bytes += len(data)
        self.frames += 1
        self.by_kind[classify(data)] += len(data)

    def settle(self, page, quiet: float = 1.0, limit: float = 15.0) -> None:
        """Keep counting until no frame has arrived for `quiet` seconds (the run's tail)."""
        end = time.monotonic() + limit
        while time.monotonic() - self.last_frame < quiet and time.monotonic() < end:
            page.wait_for_timeout(100)


def run(variant: str, rate: int, doc_bytes: int, words: int) -> dict:
    script = "app.py" if variant == "app" else "benchmarks/plain_stream_app.py"
    with streamlit_server(script, {"CONTRACTGEN_RATE": str(rate)}) as url, browser_page() as page:
        page.set_default_timeout(60_000)
        meter = Meter(page)
        page.goto(url)
        if variant == "app":
            page.get_by_role("textbox", name="Company name *").fill("Acme")
            button, done = page.get_by_role("button", name="Generate"), page.get_by_text(re.compile(r"Completed: \d+ sections"))
        else:
            button, done = page.get_by_role("button", name="Stream"), page.get_by_text("Stream finished.", exact=True)
        button.wait_for()
        page.wait_for_timeout(1000)  # let the initial page load's frames pass
        meter.armed = True
        start = time.monotonic()
        button.click()
        done.wait_for(timeout=TIMEOUT_S * 1000)
        wall = time.monotonic() - start
        meter.settle(page)
        meter.armed = False
        note = ""
        if variant == "app":
            shown = re.search(r"([\d,]+) words", done.inner_text())
            if shown and int(shown.group(1).replace(",", "")) != words:
                note = f"app wrote {shown.group(1)} words, reference has {words}"
        return {
            "variant": variant, "rate": rate, "doc_bytes": doc_bytes, "ws_bytes": meter.bytes,
            "frames": meter.frames, "ratio": meter.bytes / doc_bytes, "wall_s": wall,
            "by_kind": dict(meter.by_kind.most_common()), "note": note,
        }


LABELS = {"plain": "plain `st.write_stream` (whole document)", "app": "app.py (per-paragraph streams)"}


def table(results: list[dict]) -> str:
    lines = ["| variant | rate (tokens/s) | document bytes | websocket bytes received | frames "
             "| bytes per document byte | wall time (s) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rate = "full speed (0)" if r["rate"] == 0 else str(r["rate"])
        lines.append(f"| {LABELS[r['variant']]} | {rate} | {r['doc_bytes']:,} | {r['ws_bytes']:,} | {r['frames']:,} "
                     f"| {r['ratio']:,.1f} | {r['wall_s']:.1f} |")
    return "\n".join(lines)


def breakdown(results: list[dict]) -> str:
    lines = []
    for r in results:
        if r["variant"] != "app":
            continue
        parts = ", ".join(f"{k} {v / r['doc_bytes']:.2f}" for k, v in list(r["by_kind"].items())[:6])
        lines.append(f"- app.py at rate {r['rate']}: {parts} (bytes per document byte, by message type)")
    return "\n".join(lines)


def verdict(results: list[dict]) -> str:
    app = [r for r in results if r["variant"] == "app" and r["rate"] == DEFAULT_RATE]
    if not app:
        return "Target not evaluated: the default rate was not run."
    ratio = app[0]["ratio"]
    met = "**met**" if ratio <= TARGET else "**not met**"
    return (f"Target (issue): at most {TARGET:g} bytes per document byte for app.py at the default rate "
            f"({DEFAULT_RATE} tokens/s). Measured {ratio:.1f}: target {met}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="full speed only; print, do not write docs/")
    args = parser.parse_args()
    if shutil.which("chromium") is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2

    ref = reference()
    doc_bytes, words = len(ref.encode()), len(ref.split())
    rates = [0] if args.quick else [DEFAULT_RATE, 0]
    results = []
    for rate in rates:
        for variant in ("plain", "app"):
            print(f"running {variant} at rate {rate} ...", file=sys.stderr, flush=True)
            results.append(run(variant, rate, doc_bytes, words))
            r = results[-1]
            print(f"  {r['ws_bytes']:,} bytes in {r['frames']:,} frames, {r['ratio']:.1f} per document byte, "
                  f"{r['wall_s']:.1f} s {r['note']}", file=sys.stderr, flush=True)

    import streamlit

    command = ".venv/bin/python benchmarks/render.py" + (" --quick" if args.quick else "")
    machine = (f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}, "
               f"streamlit {streamlit.__version__}, Debian chromium driven by Playwright")
    notes = [r["note"] for r in results if r["note"]]
    section = "\n".join([
        HEADING, "",
        f"Command: `{command}`  ",
        f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {machine}", "",
        "The same offline Terms of Service (company \"Acme\", 15 sections) is written at the given rate; "
        "bytes are all websocket frames the browser receives from the click on the button until the document "
        "is complete and the script run has ended. At full speed the figures vary from run to run: they depend "
        "on how many deltas Streamlit merges in its queue before each flush.", "",
        table(results), "",
        breakdown(results), "",
        verdict(results), "",
        *(f"Note: {n}" for n in notes),
    ]).rstrip("\n") + "\n"
    print(section)
    if args.quick:
        print("(--quick: docs/benchmarks.md not written)", file=sys.stderr)
    else:
        write_section(section)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(results, indent=2))
        print(f"written: {DOCS.relative_to(ROOT)}, {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared test helpers (imported by tests; fixtures live in conftest.py)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from contractgen.offline import OfflineEngine

ROOT = Path(__file__).resolve().parent.parent

def reference(request) -> str:
    """The uninterrupted document: what every other path must reproduce."""
    return "".join(d.text for d in OfflineEngine(rate=0).stream(request))


def finished(text: str, status: str = "completed") -> str:
    """What `generate`/`resume --out` write: the text, then what the Markdown export adds (the not-legal-advice
    notice; for an unfinished draft the incomplete-draft note first)."""
    from contractgen.export import ExportInfo, markdown_ending

    return text + markdown_ending(text, ExportInfo("", "", 0.0, "", "", status))


class ServedOffline:
    def __init__(self, *args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        self.proc = subprocess.Popen([sys.executable, "-m", "contractgen", "serve-offline", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        line = self.proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        if not found:
            self.stop()
            raise RuntimeError(f"serve-offline did not start: {line!r} {self.proc.stderr.read()}")
        self.base_url = found.group(1)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


"""Helpers for browser tests and benchmarks: a Streamlit server and a chromium page.

Not a test module. Used by tests/test_browser_*.py and benchmarks/render.py:

    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "0"}) as url, browser_page() as page:
        page.goto(url)

Playwright drives Debian's chromium (/usr/bin/chromium); its own browser
download is never used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator, Mapping

ROOT = Path(__file__).resolve().parent.parent

# Chromium running as root in a container: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(script: str = "app.py", env_extra: Mapping[str, str] | None = None,
                     startup_timeout: float = 60.0) -> Iterator[str]:
    """Run `streamlit run script` (relative to the project root) on a free port; yield its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **(env_extra or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", script,
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    # Output goes to a temporary file, not a pipe: a full pipe would block the server.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

        def output() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-4000:]

        try:
            deadline = time.monotonic() + startup_timeout
            while not _healthy(url):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode} before serving:\n{output()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit not healthy after {startup_timeout:.0f} s:\n{output()}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator["playwright.sync_api.Page"]:  # noqa: F821
    """A fresh Playwright page in Debian's chromium; skips the test if chromium is not installed."""
    executable = shutil.which("chromium")
    if executable is None:
        import pytest

        pytest.skip("chromium is not installed (CI installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def downloaded_markdown(page, tmp_path) -> str:
    """What the page's "Download MD" button gives."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Download MD").click()
    path = tmp_path / "draft.md"
    download.value.save_as(path)
    return path.read_text(encoding="utf-8")

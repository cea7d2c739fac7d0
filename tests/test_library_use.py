"""The README's "Use the resilient stream from Python" example, run as written against a faulty server."""

import contextlib
import io
import re

import openai

from contractgen.faultplan import FaultPlan
from contractgen.prompts import build_messages
from contractgen.request import parse_request
from contractgen.resilient import resilient_chat
from contractgen.resume import ResumePolicy
from contractgen.server import OfflineServer

from support import ROOT, reference


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use the resilient stream from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def serve(spec):
    server = OfflineServer(port=0, rate=0, plan=FaultPlan.parse(spec))
    server.start_in_thread()
    return server


def test_readme_example_runs_and_survives_a_reset():
    server = serve("reset@3000")
    try:
        code = readme_example().replace("http://127.0.0.1:8000/v1", server.base_url)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README example", "exec"), {})
    finally:
        server.shutdown()
        server.server_close()
    printed = out.getvalue()
    assert printed.startswith(reference(parse_request({"company": "Acme"})))
    assert printed.rstrip().endswith("completed ['connection'] 1")


def test_with_a_callers_own_client_and_fallback_model():
    server = serve("503,503")
    try:
        client = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
        stream = resilient_chat(build_messages(parse_request({"company": "Acme"})), model="contractgen-offline",
                                client=client, fallback_models=["contractgen-offline"],
                                policy=ResumePolicy(backoff_base=0.01))
        text = stream.text()
    finally:
        server.shutdown()
        server.server_close()
    assert text == reference(parse_request({"company": "Acme"}))
    assert stream.outcome.status == "completed" and stream.outcome.faults == ["server_error", "server_error"]
    assert [e.kind for e in stream.events if type(e).__name__ == "AttemptStarted"] == ["initial", "resume", "fallback"]

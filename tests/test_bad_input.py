"""Issue 15: every bad input gets one clear sentence and exit code 2; hostile model output stays inert everywhere.

One table per entry point (CLI flags, form fields, model output), each case with its exact message. The CLI
runs for real (its `main`, and `python -m contractgen` where a traceback could hide); the hostile model is a
real OpenAI-compatible server on a socket, read by the real `openai` client.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docx
import pytest

from contractgen.cli import EXIT_INPUT, EXIT_OK, EXIT_PROVIDER, EXIT_WARNINGS, main
from contractgen.config import INVALID_URL, Settings, redact_urls, safe_url
from contractgen.errors import InputError
from contractgen.faultplan import KINDS
from contractgen.export import ExportInfo, app_view, export, render_body
from contractgen.request import parse_request
from contractgen.sanitize import hidden_characters, strip_hidden, visible

from support import ROOT, finished, reference

EXAMPLE = "use the form http://127.0.0.1:11434/v1 or https://api.openai.com/v1"
GENERATE = ["generate", "--company", "Acme", "--rate", "0", "--quiet"]
PROC = Path("/proc")


def cli(argv: list[str], capsys) -> tuple[int, list[str], str]:
    """(exit code, the `error:` lines, all of stderr) of one real run of the command line."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [line for line in err.splitlines() if "error:" in line], err


# --- CLI flags -----------------------------------------------------------------------------------

FLAG_CASES = [
    # New in issue 15.
    (["--base-url", "http://[::1"], [f"error: --base-url is not a valid URL: its IPv6 address is not closed with ]; {EXAMPLE}."]),
    (["--base-url", "notaurl"], [f"error: --base-url is not a valid URL: it needs http:// or https:// and a host name; {EXAMPLE}."]),
    (["--base-url", "localhost:11434"], [f"error: --base-url is not a valid URL: it needs http:// or https:// and a host name; {EXAMPLE}."]),
    (["--base-url", "ftp://files.example/v1"], [f"error: --base-url must start with http:// or https://, not ftp://; {EXAMPLE}."]),
    (["--base-url", "http://127.0.0.1:port/v1"], [f"error: --base-url is not a valid URL: its port is not a number from 0 to 65535; {EXAMPLE}."]),
    (["--base-url", "http://127.0.0.1:99999/v1"], [f"error: --base-url is not a valid URL: its port is not a number from 0 to 65535; {EXAMPLE}."]),
    (["--base-url", "http://local host/v1"], [f"error: --base-url is not a valid URL: it contains spaces or control characters; {EXAMPLE}."]),
    # The key in a refused URL is never repeated.
    (["--base-url", "http://u:sk-never-echoed-1@[::1/v1?api_key=sk-never-echoed-2"],
     [f"error: --base-url is not a valid URL: its IPv6 address is not closed with ]; {EXAMPLE}."]),
    (["--rate", "nan"], ["error: --rate must be a finite number of tokens per second, 0 or more; not nan."]),
    (["--rate", "inf"], ["error: --rate must be a finite number of tokens per second, 0 or more; not inf."]),
    (["--rate", "-1"], ["error: --rate must be a finite number of tokens per second, 0 or more; not -1."]),
    (["--mode", "chunks", "--group-size", "0"], ["error: --group-size must be a whole number of sections per call, 1 or more; not 0."]),
    (["--read-timeout", "0"], ["error: --read-timeout must be a finite number of seconds, more than 0; not 0."]),
    (["--connect-timeout", "nan"], ["error: --connect-timeout must be a finite number of seconds, more than 0; not nan."]),
    (["--deadline", "-5"], ["error: --deadline must be a finite number of seconds, 0 or more; not -5."]),
    (["--max-resumes", "-1"], ["error: --max-resumes must be a whole number of resumes, 0 or more; not -1."]),
    (["--mode", "sections", "--parallel", "0"], ["error: --parallel must be a whole number of calls at once, 1 or more; not 0."]),
    (["--mode", "sections", "--parallel", "9"], ["error: --parallel must be a whole number of calls at once, from 1 to 8; not 9."]),
    # Every problem at once, one line each.
    (["--company", "", "--rate", "nan", "--group-size", "0"],
     ["error: Company name must not be empty.", "error: --rate must be a finite number of tokens per second, 0 or more; not nan.",
      "error: --group-size must be a whole number of sections per call, 1 or more; not 0."]),
    # Already handled before issue 15: they keep their sentence.
    (["--company", ""], ["error: Company name must not be empty."]),
    (["--field", "website=nope"], ["error: Website \u201cnope\u201d is not a valid address; use the form https://example.com."]),
    (["--field", "payments"], ["error: --field takes key=value, not \u201cpayments\u201d."]),
    (["--field", "minimum_age=5"], ["error: Minimum age must be at least 13."]),
    (["--field", "effective_date=tomorrow"], ["error: Effective date must be a date written as YYYY-MM-DD."]),
    (["--company", "Acme\u202eevil"], ["error: Company name contains invisible control characters (e.g. U+202E); please retype it."]),
    (["--inject-fault", "meteor@10"], [f"error: Unknown fault \u201cmeteor\u201d; use one of: {', '.join(KINDS)}."]),
    (["--doc", "nda"], ["error: Other party must not be empty."]),
    # What is echoed is shown, never obeyed: ESC is printed as \x1b.
    (["--field", "\x1b[2J=x"], None),
]


@pytest.mark.parametrize(("flags", "errors"), FLAG_CASES, ids=lambda v: repr(v)[:60] if isinstance(v, list) else None)
def test_generate_flags_get_one_sentence_each_and_exit_2_before_anything_starts(flags, errors, tmp_path, capsys, store):
    out = tmp_path / "draft.md"
    code, lines, err = cli([*GENERATE, "--out", str(out), *flags], capsys)
    if errors is None:  # the unknown-field message lists every known field: check its start and that ESC is escaped
        assert lines[0].startswith("error: \u201c\\x1b[2J\u201d is not a field of this document; known fields: company,")
    else:
        assert lines == errors
    assert code == EXIT_INPUT
    assert "\x1b" not in err and "sk-never-echoed" not in err
    assert not out.exists() and store.list_documents() == []  # nothing was generated, nothing stored


ARGPARSE_CASES = [
    (["--rate", "fast"], "argument --rate: invalid float value: 'fast'"),
    (["--group-size", "two"], "argument --group-size: invalid int value: 'two'"),
    (["--mode", "paragraphs"], "argument --mode: invalid choice: 'paragraphs'"),
    (["--doc", "lease"], "argument --doc: invalid choice: 'lease'"),
]


@pytest.mark.parametrize(("flags", "message"), ARGPARSE_CASES)
def test_malformed_flags_are_refused_by_the_parser_with_exit_2(flags, message, tmp_path, capsys):
    code, lines, _ = cli([*GENERATE, "--out", str(tmp_path / "a.md"), *flags], capsys)
    assert code == EXIT_INPUT
    assert len(lines) == 1 and lines[0].startswith(f"contractgen generate: error: {message}")


@pytest.mark.skipif(not PROC.is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("target", ["/proc/x.md", "/proc/self/x.md"])
def test_an_output_file_that_cannot_be_created_is_refused_before_generating(target, capsys, store):
    code, lines, _ = cli([*GENERATE, "--out", target], capsys)
    folder = str(Path(target).parent)
    assert lines == [f"error: Cannot write {target}: creating a file in {folder} fails (No such file or directory); "
                     "choose another --out file."]
    assert code == EXIT_INPUT and store.list_documents() == []


def test_output_paths_that_would_lose_something_are_refused(tmp_path, capsys, database_url, engine, store):
    cases = [(tmp_path / "missing" / "a.md", "the folder does not exist or it is a folder."),
             (tmp_path, "the folder does not exist or it is a folder.")]
    if engine == "sqlite":
        cases.append((Path(database_url.removeprefix("sqlite:///")),
                      "it is the database holding the drafts; choose another --out file."))
    for out, why in cases:
        code, lines, _ = cli([*GENERATE, "--out", str(out)], capsys)
        assert (code, lines) == (EXIT_INPUT, [f"error: Cannot write {out}: {why}"])
    assert store.list_documents() == []


def test_a_leftover_part_file_is_kept_and_an_existing_output_survives_a_refusal(tmp_path, capsys):
    out, part = tmp_path / "a.md", tmp_path / "a.md.part"
    out.write_text("the previous good draft", encoding="utf-8")
    part.write_text("left by a crash", encoding="utf-8")
    code, lines, _ = cli([*GENERATE, "--out", str(out), "--rate", "nan"], capsys)
    assert code == EXIT_INPUT and lines
    assert out.read_text(encoding="utf-8") == "the previous good draft"
    assert part.read_text(encoding="utf-8") == "left by a crash"


OTHER_COMMAND_CASES = [
    (["show", "ab\x1b[31mc"], ["error: No draft with id ab\\x1b[31mc; see `contractgen list`."]),
    (["show", "a\u202eb"], ["error: No draft with id a\\u202eb; see `contractgen list`."]),
    (["resume", "x\ny"], ["error: No draft with id x\\x0ay; see `contractgen list`."]),
    (["export", "\x07bell", "--out", "{tmp}/a.html"], ["error: No draft with id \\x07bell; see `contractgen list`."]),
    (["cleanup", "--expire-after", "-1"], ["error: --expire-after must be a finite number of hours, 0 or more; not -1."]),
    (["cleanup", "--retention", "nan"], ["error: --retention must be a finite number of days, 0 or more; not nan."]),
    (["list", "--limit", "0"], ["error: --limit must be a whole number of drafts, 1 or more; not 0."]),
    (["serve-offline", "--port", "99999"], ["error: --port must be a whole number from 0 to 65535 (0 picks a free port), not 99999."]),
    (["serve-offline", "--port", "0", "--rate", "nan"], ["error: --rate must be a finite number of tokens per second, 0 or more; not nan."]),
    # Already handled before issue 15.
    (["serve-offline", "--port", "0", "--repeat", "-3"], ["error: --repeat must not be negative."]),
    (["metrics", "--since", "2026-13-01"], ["error: --since takes a date written YYYY-MM-DD (UTC), not \u201c2026-13-01\u201d."]),
    (["simulate", "--documents", "2", "--fault-rate", "2"], ["error: --fault-rate must be between 0 and 1 (a fraction of the documents)."]),
    (["export", "nope", "--out", "{tmp}/n.html"], ["error: No draft with id nope; see `contractgen list`."]),
]


@pytest.mark.parametrize(("argv", "errors"), OTHER_COMMAND_CASES, ids=lambda v: repr(v)[:50] if isinstance(v, list) else None)
def test_other_commands_get_one_sentence_and_exit_2(argv, errors, tmp_path, capsys):
    code, lines, err = cli([a.replace("{tmp}", str(tmp_path)) for a in argv], capsys)
    assert (code, lines) == (EXIT_INPUT, errors)
    assert not any(c in err for c in "\x1b\x07\u202e")


ENV_CASES = [
    ({"OPENAI_BASE_URL": "notaurl"}, [f"error: OPENAI_BASE_URL is not a valid URL: it needs http:// or https:// and a host name; {EXAMPLE}."]),
    ({"CONTRACTGEN_RATE": "nan"}, ["error: Setting rate must be a finite number, not \u201cnan\u201d."]),
    ({"CONTRACTGEN_PARALLEL": "9"}, ["error: Setting parallel must be at most 8 (calls at once in the sections and chunks modes); not 9."]),
    ({"CONTRACTGEN_GROUP_SIZE": "0"}, ["error: Setting group_size must be at least 1 (sections per call in the chunks mode)."]),
    ({"CONTRACTGEN_READ_TIMEOUT": "-1"}, ["error: Setting read_timeout must not be negative."]),
]


@pytest.mark.parametrize(("env", "errors"), ENV_CASES)
def test_bad_settings_from_the_environment_are_named(env, errors, tmp_path, capsys, monkeypatch, store):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, lines, _ = cli(["generate", "--company", "Acme", "--quiet", "--out", str(tmp_path / "a.md")], capsys)
    assert (code, lines) == (EXIT_INPUT, errors)
    assert store.list_documents() == []


def _console(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run([sys.executable, "-m", "contractgen", *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, env={**environment, **(env or {})})


def test_the_console_script_prints_sentences_not_tracebacks(tmp_path):
    result = _console("generate", "--company", "Acme", "--base-url", "http://[::1", "--out", str(tmp_path / "a.md"))
    assert (result.returncode, result.stderr) == (2, f"error: --base-url is not a valid URL: its IPv6 address is not closed "
                                                     f"with ]; {EXAMPLE}.\n")
    result = _console("show", "ab\x1b]0;pwned\x07c")
    assert (result.returncode, result.stderr) == (2, "error: No draft with id ab\\x1b]0;pwned\\x07c; see `contractgen list`.\n")
    if PROC.is_dir():
        result = _console("generate", "--company", "Acme", "--rate", "0", "--out", "/proc/x.md")
        assert (result.returncode, result.stderr) == (2, "error: Cannot write /proc/x.md: creating a file in /proc fails "
                                                         "(No such file or directory); choose another --out file.\n")


def test_export_to_an_unwritable_path_keeps_everything(tmp_path, capsys, store):
    out = tmp_path / "a.md"
    assert main([*GENERATE, "--out", str(out)]) == EXIT_OK
    [doc] = store.list_documents()
    capsys.readouterr()
    existing = tmp_path / "keep.html"
    existing.write_text("an earlier export", encoding="utf-8")
    targets = [tmp_path / "missing" / "x.html", tmp_path] + ([Path("/proc/x.html")] if PROC.is_dir() else [])
    for target in targets:
        code, lines, _ = cli(["export", doc.id, "--format", "html", "--out", str(target)], capsys)
        assert code == EXIT_INPUT and len(lines) == 1 and lines[0].startswith(f"error: Cannot write {target}: ")
    assert existing.read_text(encoding="utf-8") == "an earlier export"
    assert finished(store.text(doc.id)) == out.read_text(encoding="utf-8")  # the stored draft is untouched
    # A good path still works, through a symbolic link too (the link is written through, not replaced).
    link = tmp_path / "link.html"
    link.symlink_to(existing)
    code, _, err = cli(["export", doc.id, "--format", "html", "--out", str(link)], capsys)
    assert code == EXIT_OK and link.is_symlink() and existing.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- Credentials in URLs ---------------------------------------------------------------------------

SAFE_URL_CASES = [
    ("https://api.openai.com/v1", "https://api.openai.com/v1"),
    ("http://user:sk-pass@127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
    ("https://h.example/v1?api_key=sk-abc123456&model=x", "https://h.example/v1?model=x"),
    ("https://h.example/v1?api-key=a&key=b&token=c&access_token=d&secret=e&password=f&sig=g&X-Amz-Signature=h&keep=1",
     "https://h.example/v1?keep=1"),
    ("https://h.example/v1?KEY=1", "https://h.example/v1"),
    ("https://h.example/v1?code=1#token=abc", "https://h.example/v1?code=1"),
    ("https://h.example/keys/sk-abcdefghijkl/v1", "https://h.example/keys/sk-***/v1"),
    ("http://[::1", INVALID_URL),
    ("http://h.example:99999/v1", INVALID_URL),
    ("http://h.example:port/v1", INVALID_URL),
    ("notaurl", "notaurl"),
    ("", ""),
    (None, None),
]


@pytest.mark.parametrize(("url", "shown"), SAFE_URL_CASES)
def test_safe_url_removes_every_credential_and_never_raises(url, shown):
    assert safe_url(url) == shown


def test_stored_settings_hold_no_credential_in_the_base_url():
    settings = Settings(base_url="https://u:p@h.example/v1?api_key=sk-secret-one&model=m")
    assert settings.public()["base_url"] == "https://h.example/v1?model=m"
    assert "sk-secret-one" not in repr(settings)


def test_messages_with_urls_or_keys_are_redacted():
    message = "POST https://h.example/v1/chat/completions?api_key=sk-secret-one failed; key sk-secret-two refused"
    assert redact_urls(message) == "POST https://h.example/v1/chat/completions failed; key sk-*** refused"


class _Model(BaseHTTPRequestHandler):
    """One OpenAI-compatible endpoint whose model writes `server.text`, or answers `server.status` with a message."""

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 - stdlib name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        if server.status != 200:
            # A careless server: it echoes the request URL and the key it was given.
            detail = f"No such model at http://{self.headers['Host']}{self.path} (key {self.headers.get('Authorization')})"
            body = json.dumps({"error": {"message": detail}}).encode()
            self.send_response(server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

        def event(payload):
            self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")

        base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "hostile"}
        text = server.text
        for i in range(0, len(text), 700):
            event({**base, "choices": [{"index": 0, "delta": {"content": text[i:i + 700]}, "finish_reason": None}]})
        event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        event({**base, "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def model_server():
    """start(text=..., status=200) -> base URL of a real server for the `openai` client; stopped after the test."""
    servers = []

    def start(text: str = "", status: int = 200) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Model)
        server.text, server.status = text, status
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


SECRETS = ("sk-user-info-secret", "sk-query-secret-1", "sk-header-secret-1", "tok-query-secret-2")


def _secret_url(base: str) -> str:
    return base.replace("http://", "http://someone:sk-user-info-secret@") + "?api_key=sk-query-secret-1&token=tok-query-secret-2"


def test_a_key_in_the_base_url_is_never_stored_shown_or_exported(model_server, tmp_path, capsys, store):
    base = model_server(text=reference(parse_request({"company": "Acme"})))
    out = tmp_path / "a.md"
    code = main(["generate", "--company", "Acme", "--base-url", _secret_url(base), "--api-key", "sk-header-secret-1",
                 "--model", "hostile", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_OK, err
    [doc] = store.list_documents()
    assert f"drafting with hostile via {base}" in err  # the engine label, without any credential
    assert main(["show", doc.id, "--json"]) == EXIT_OK
    shown = capsys.readouterr().out
    assert json.loads(shown)["settings"]["base_url"] == base
    for fmt in ("md", "html", "docx"):
        assert main(["export", doc.id, "--format", fmt, "--out", str(tmp_path / f"a.{fmt}")]) == EXIT_OK
    exported = [(tmp_path / f"a.{fmt}").read_bytes() for fmt in ("md", "html")]
    exported.append("\n".join(p.text for p in docx.Document(str(tmp_path / "a.docx")).paragraphs).encode())
    everything = err + shown + capsys.readouterr().err + repr(store.get(doc.id)) + b"".join(exported).decode()
    assert not [s for s in SECRETS if s in everything]


def test_a_server_echoing_the_url_and_key_in_its_error_does_not_leak_them(model_server, tmp_path, capsys, store):
    base = model_server(status=404)
    code = main(["generate", "--company", "Acme", "--base-url", _secret_url(base), "--api-key", "sk-header-secret-1",
                 "--model", "hostile", "--out", str(tmp_path / "a.md")])
    err = capsys.readouterr().err
    assert code == EXIT_PROVIDER
    assert "error: Model or endpoint not found (HTTP 404): No such model at http://127.0.0.1:" in err
    [doc] = store.list_documents()
    stored = repr(store.get(doc.id)) + repr(store.faults(doc.id))
    assert not [s for s in SECRETS if s in err + stored]


# --- Form fields (the request model behind the form and the CLI) -----------------------------------

FORM_CASES = [
    ({"company": "Acme\u200b"}, "Company name contains invisible control characters (e.g. U+200B); please retype it."),
    ({"company": "Acme\u2066x\u2069"}, "Company name contains invisible control characters (e.g. U+2066); please retype it."),
    ({"company": "\ufeffAcme"}, "Company name contains invisible control characters (e.g. U+FEFF); please retype it."),
    ({"company": "Acme\x1b[2J"}, "Company name contains invisible control characters (e.g. U+001B); please retype it."),
    ({"company": "A", "contact_email": "legal@acme.example\nBcc: x@y.z"},
     "Contact email contains invisible control characters (e.g. U+000A); please retype it."),
    ({"company": "A", "website": "https://acme.example/\u202egnp.exe"},
     "Website contains invisible control characters (e.g. U+202E); please retype it."),
    ({"company": "A", "website": "data:text/html,hi"}, "Website \u201cdata:text/html,hi\u201d is not a valid address; use the form https://example.com."),
    ({"doc_type": "nda", "company": "A", "counterparty": "B\u202eC"},
     "Other party contains invisible control characters (e.g. U+202E); please retype it."),
    ({"doc_type": "lease", "company": "A"}, "Unknown document type \u201clease\u201d; use one of: tos, privacy, nda, saas."),
    # Already handled before issue 15.
    ({"company": "Acme\u202e"}, "Company name contains invisible control characters (e.g. U+202E); please retype it."),
    ({"company": ""}, "Company name must not be empty."),
    ({"company": "A", "website": "javascript:alert(1)"},
     "Website \u201cjavascript:alert(1)\u201d is not a valid address; use the form https://example.com."),
]


@pytest.mark.parametrize(("answers", "message"), FORM_CASES)
def test_form_fields_get_one_sentence(answers, message):
    with pytest.raises(InputError) as caught:
        parse_request(answers)
    assert caught.value.problems == [message]


def test_the_sidebar_refuses_a_base_url_it_cannot_use():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "views" / "generate.py"), default_timeout=60)
    at.run()
    at.radio(key="engine").set_value("openai").run()
    at.text_input(key="base_url").input("http://[::1").run()
    assert not at.exception
    sentence = f"Base URL is not a valid URL: its IPv6 address is not closed with ]; {EXAMPLE}."
    assert at.sidebar.error[0].value == sentence
    assert [e.value for e in at.main.error] == [f"{sentence} Change it in the sidebar (Provider) to continue."]
    assert not at.button  # the form is not offered until the URL is fixed


# --- Model output ----------------------------------------------------------------------------------

def _info(status: str = "completed") -> ExportInfo:
    return ExportInfo(document_id="abc123", title="Terms of Service", generated_at=1_790_000_000.0,
                      method="hostile via 127.0.0.1, stream mode", model="hostile", status=status)


HIDDEN = "\u202e\u2066\u2069\u200b\u200e\u200f\ufeff\u2060\x1b\x07\U000e0041"
# (markdown a model writes, a marker that must be absent from the app view and HTML export)
OUTPUT_CASES = [
    ("See [the policy](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==).", 'href="data:'),
    ("See [the policy](javascript:alert(1)).", 'href="javascript:'),
    ("See [the policy](JaVaScRiPt:alert(1)).", 'href="JaVaScRiPt:'),
    ("See <javascript:alert(1)> now.", 'href="javascript:'),
    ("See [the policy](&#106;avascript:alert(1)).", 'href="javascript:'),
    ("See [the policy][p].\n\n[p]: javascript:alert(1)", 'href="javascript:'),
    ("See [the policy](vbscript:msgbox(1)).", 'href="vbscript:'),
    ("See [the policy](file:///etc/passwd).", 'href="file:'),
    ("![pixel](https://tracker.example/p.png?doc=secret)", "<img"),
    ("![pixel](data:image/png;base64,iVBORw0KGgo=)", "<img"),
]


@pytest.mark.parametrize(("markdown", "marker"), OUTPUT_CASES)
def test_links_other_than_http_https_mailto_are_inert_in_the_app_as_in_the_html_export(markdown, marker):
    body, is_html = app_view(markdown)
    assert is_html and marker not in body
    # The export's own sanitised rendering, with brackets as character references (the same text on screen).
    assert body == render_body(markdown).replace("[", "&#91;").replace("]", "&#93;")
    assert marker not in export(markdown, _info(), "html").decode()


@pytest.mark.parametrize("markdown", ["See [our site](https://acme.example/terms) or <mailto:legal@acme.example>.",
                                      "## 1. Acceptance of These Terms\n\n- a list, **bold**, `code`", "Plain text."])
def test_ordinary_markdown_stays_markdown_in_the_app(markdown):
    assert app_view(markdown) == (markdown, False)


def test_a_link_still_being_written_is_judged_before_it_closes():
    assert app_view("See [the policy](data:text/ht")[1]
    assert app_view("See [the policy](java\tscript:alert(1)")[1]


@pytest.mark.parametrize("char", list(HIDDEN))
def test_bidi_invisible_and_control_characters_are_removed_from_every_export_and_the_app(char):
    text = f"# Terms of Service\n\n## 1. Fees\n\nYou pay {char}USD 100{char} a month.\n"
    clean = "# Terms of Service\n\n## 1. Fees\n\nYou pay USD 100 a month.\n"
    assert export(text, _info(), "md").decode() == finished(clean)
    assert char not in export(text, _info(), "html").decode()
    document = docx.Document(io.BytesIO(export(text, _info(), "docx")))
    assert "You pay USD 100 a month." in [p.text for p in document.paragraphs]
    assert app_view(text) == (clean, False)


def test_what_scripts_need_is_kept():
    text = "Family \U0001f468\u200d\U0001f469\u200d\U0001f467, Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645, co\u00adoperate"
    assert strip_hidden(text) == text and not hidden_characters(text)
    assert visible(text) == text


VISIBLE_CASES = [
    ("plain id 1234", "plain id 1234"),
    ("ab\x1b[31mc", "ab\\x1b[31mc"),
    ("line\nbreak\ttab\r", "line\\x0abreak\\x09tab\\x0d"),
    ("a\u202eb\u2066c", "a\\u202eb\\u2066c"),
    ("csi\x9b2J", "csi\\x9b2J"),
    ("tag\U000e0041", "tag\\U000e0041"),
    ("caf\u00e9 \u2014 \u00a0ok", "caf\u00e9 \u2014 \u00a0ok"),
]


@pytest.mark.parametrize(("text", "shown"), VISIBLE_CASES)
def test_echoed_text_shows_control_characters_as_escapes(text, shown):
    assert visible(text) == shown


HOSTILE = (
    "# Terms of Service\n\n"
    "## 1. Acceptance of These Terms\n\n"
    "### 1.1 Agreement\n\n"
    "By using the Service you agree. Read [the full policy](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
    "and [this](javascript:alert(1)). Fees are \u202e001 DSU\u202c a month.\n\n"
    "## 2. Contact\n\n"
    "### 2.1 Notices\n\n"
    "Write to [legal](mailto:legal@acme.example) or visit [our site](https://acme.example). \x1b]0;pwned\x07Done.\n"
)


@pytest.fixture
def hostile_draft(model_server, tmp_path, capsys, store):
    """A draft written by a hostile model through the real CLI, against a real socket."""
    base = model_server(text=HOSTILE)
    out = tmp_path / "hostile.md"
    code = main(["generate", "--company", "Acme", "--base-url", base, "--model", "hostile", "--out", str(out)])
    err = capsys.readouterr().err
    [doc] = store.list_documents()
    return doc.id, out, err, code


def test_hostile_model_output_through_the_cli_show_and_every_export(hostile_draft, tmp_path, capsys, store):
    doc_id, out, err, code = hostile_draft
    # It wrote 2 of the 15 sections: completed, with the structure warning (exit 5).
    assert code == EXIT_WARNINGS, err
    assert "warning: Missing sections 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 and 15 (2 of 15 written)." in err
    assert store.text(doc_id) == HOSTILE  # the stored text stays as written
    assert "Note: the model wrote 4 invisible or control characters (U+202E, U+202C, U+001B, U+0007)" in err
    assert "\x1b" not in err and "\u202e" not in err
    assert out.read_text(encoding="utf-8") == finished(strip_hidden(HOSTILE))

    assert main(["show", doc_id]) == EXIT_OK
    shown = capsys.readouterr().out
    assert ("  note: the text holds 4 invisible or control character(s) (U+202E, U+202C, U+001B, U+0007) that can hide "
            "or reorder what a reader sees; exports and the app leave them out, the stored text keeps them") in shown
    assert main(["show", doc_id, "--text"]) == EXIT_OK
    shown = capsys.readouterr().out
    assert "\\u202e001 DSU\\u202c" in shown and "\\x1b]0;pwned\\x07Done." in shown and "\x1b" not in shown
    assert main(["show", doc_id, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["hidden_characters"] == {
        "count": 4, "kinds": ["U+202E", "U+202C", "U+001B", "U+0007"]}

    for fmt in ("md", "html", "docx"):
        assert main(["export", doc_id, "--format", fmt, "--out", str(tmp_path / f"h.{fmt}")]) == EXIT_OK
    page = (tmp_path / "h.html").read_text(encoding="utf-8")
    assert 'href="data:' not in page and 'href="javascript:' not in page
    assert 'href="mailto:legal@acme.example"' in page and 'href="https://acme.example"' in page
    words = "\n".join(p.text for p in docx.Document(str(tmp_path / "h.docx")).paragraphs)
    for exported in (page, (tmp_path / "h.md").read_text(encoding="utf-8"), words):
        assert not hidden_characters(exported)
        assert "001 DSU a month" in exported


def test_hostile_model_output_in_the_app_is_inert(hostile_draft):
    from streamlit.testing.v1 import AppTest

    doc_id, *_ = hostile_draft
    at = AppTest.from_file(str(ROOT / "views" / "generate.py"), default_timeout=60)
    at.query_params["doc"] = doc_id
    at.run()
    assert not at.exception
    bodies = [m.value for m in at.markdown]
    assert not any('href="data:' in b or 'href="javascript:' in b or "](data:" in b or "](javascript:" in b for b in bodies)
    assert not any(hidden_characters(b) for b in bodies)
    assert any("001 DSU a month" in b for b in bodies)
    assert any('href="https://acme.example"' in b or "(https://acme.example)" in b for b in bodies)


def test_hostile_model_output_streamed_live_in_the_app_is_inert(model_server):
    from streamlit.testing.v1 import AppTest

    base = model_server(text=HOSTILE.replace("## 2. Contact", "## 2. Contact [here](javascript:alert(1)) ![x](https://t.example/p)"))
    at = AppTest.from_file(str(ROOT / "views" / "generate.py"), default_timeout=60)
    at.run()
    at.radio(key="engine").set_value("openai").run()
    at.text_input(key="base_url").input(base)
    at.text_input(key="model").input("hostile")
    at.text_input[0].input("Acme")
    at.button[0].click().run()
    assert not at.exception
    # Two of fifteen sections: completed, with the structure warning on the status line.
    assert any(w.value.startswith("Completed with warnings:") and "Missing sections" in w.value for w in at.warning)
    bodies = [m.value for m in at.markdown]
    assert not any(marker in b for b in bodies for marker in ('href="data:', 'href="javascript:', "](data:", "](javascript:", "<img"))
    assert not any(hidden_characters(b) for b in bodies)
    labels = [e.label for e in at.expander if e.label[:1].isdigit()]
    assert labels[1] == "2. Contact \\[here\\]\\(javascript:alert\\(1\\)\\) \\[Image: x\\]"


def test_an_unknown_id_in_the_page_url_is_shown_as_text():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "views" / "generate.py"), default_timeout=30)
    at.query_params["doc"] = "[x](javascript:alert(1))\x1b"
    at.run()
    assert not at.exception
    assert at.warning[0].value == ("Draft \\[x\\](javascript:alert(1))\\x1b is not known to this server. "
                                   "Fill the form to start a new one.")

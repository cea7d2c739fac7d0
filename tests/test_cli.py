import subprocess
import sys

from contractgen.cli import EXIT_INPUT, EXIT_OK, EXIT_PROVIDER, main
from contractgen.request import parse_request

from support import ROOT, reference


def finished(text: str) -> str:
    """What `generate --out` writes for a completed draft: the text, then the not-legal-advice notice (issue 12)."""
    from contractgen.export import ExportInfo, markdown_ending

    return text + markdown_ending(text, ExportInfo("", "", 0.0, "", "", "completed"))


def test_generate_writes_the_full_draft(tmp_path, capsys):
    out = tmp_path / "a.md"
    assert main(["generate", "--doc", "tos", "--company", "Acme", "--rate", "0", "--out", str(out)]) == EXIT_OK
    assert out.read_text(encoding="utf-8") == finished(reference(parse_request({"company": "Acme"})))
    err = capsys.readouterr().err
    assert "Offline template engine" in err
    assert "[1/15] Acceptance of These Terms" in err and "[15/15] Contact" in err


def test_fields_are_passed_to_the_request(tmp_path):
    out = tmp_path / "b.md"
    args = ["generate", "--company", "Zed", "--field", "payments=yes", "--field", "minimum-age=16", "--rate", "0",
            "--out", str(out), "--quiet"]
    assert main(args) == EXIT_OK
    assert "Subscriptions and Payments" in out.read_text(encoding="utf-8")


def test_bad_input_exits_2_with_every_problem(tmp_path, capsys):
    out = tmp_path / "c.md"
    assert main(["generate", "--company", "", "--field", "website=nope", "--out", str(out)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "error: Company name must not be empty." in err
    assert "error: Website \u201cnope\u201d is not a valid address" in err
    assert "Traceback" not in err and not out.exists()


def test_malformed_field_flag(capsys):
    assert main(["generate", "--company", "A", "--field", "payments"]) == EXIT_INPUT
    assert "--field takes key=value" in capsys.readouterr().err


def test_unwritable_output_is_refused_before_generating(tmp_path, capsys):
    assert main(["generate", "--company", "A", "--out", str(tmp_path / "missing" / "a.md")]) == EXIT_INPUT
    assert "the folder does not exist" in capsys.readouterr().err


def test_unreachable_base_url_exits_3_with_a_clear_message(tmp_path, capsys):
    out = tmp_path / "d.md"
    code = main(["generate", "--company", "A", "--base-url", "http://127.0.0.1:9/v1", "--api-key", "sk-secret-123",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_PROVIDER
    assert "Could not reach the provider" in err
    assert "sk-secret-123" not in err  # secrets never reach the output


def test_generate_against_served_offline_engine_with_the_console_script(served, tmp_path):
    out = tmp_path / "e.md"
    result = subprocess.run([sys.executable, "-m", "contractgen", "generate", "--company", "Acme", "--base-url", served.base_url,
                             "--model", "contractgen-offline", "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == finished(reference(parse_request({"company": "Acme"})))
    assert "contractgen-offline via http://127.0.0.1" in result.stderr


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("generate", "serve-offline", "list", "show", "resume", "cleanup", "export", "simulate", "metrics"):
        assert f"contractgen {command}" in readme, command


def test_mode_flag_and_show_json_report_calls_tokens_cost_and_sections(tmp_path, database_url, capsys):
    import json

    db = database_url
    out = tmp_path / "s.md"
    assert main(["generate", "--company", "Acme", "--mode", "sections", "--rate", "0", "--db", db, "--out", str(out), "--quiet"]) == EXIT_OK
    capsys.readouterr()
    assert main(["list", "--json", "--db", db]) == EXIT_OK
    [doc] = json.loads(capsys.readouterr().out)
    assert main(["show", doc["id"], "--json", "--db", db]) == EXIT_OK
    info = json.loads(capsys.readouterr().out)
    assert info["mode"] == "sections"
    assert info["usage"]["calls"] == 15 and info["usage"]["calls_by_kind"] == {"section": 15}
    assert info["usage"]["prompt_tokens"] > 0 and info["usage"]["completion_tokens"] > 0 and info["usage"]["estimated"]
    assert info["usage"]["cost"] == 0.0  # the offline engine is free; real models are priced from prices.toml
    assert [s["number"] for s in info["sections"]] == list(range(1, 16))
    assert out.read_text(encoding="utf-8") == finished(reference(parse_request({"company": "Acme"})))


def test_unknown_mode_is_refused(capsys):
    import pytest as _pytest

    with _pytest.raises(SystemExit):
        main(["generate", "--company", "A", "--mode", "paragraphs"])
    assert "invalid choice" in capsys.readouterr().err


def test_other_document_types_and_exports(tmp_path, database_url, capsys):
    import docx

    db = database_url
    out = tmp_path / "p.md"
    assert main(["generate", "--doc", "privacy", "--company", "Acme", "--field", "ccpa=yes",
                 "--field", "data_categories=identity,usage", "--rate", "0", "--db", db, "--out", str(out), "--quiet"]) == EXIT_OK
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Privacy Policy") and "California" in text
    capsys.readouterr()
    main(["list", "--json", "--db", db])
    import json
    [doc] = json.loads(capsys.readouterr().out)
    for fmt in ("html", "docx", "md"):
        assert main(["export", doc["id"], "--format", fmt, "--out", str(tmp_path / f"p.{fmt}"), "--db", db]) == EXIT_OK
    assert "<h2>" in (tmp_path / "p.html").read_text(encoding="utf-8")
    headings = [p.text for p in docx.Document(str(tmp_path / "p.docx")).paragraphs if p.style.name == "Heading 1"]
    assert headings[0].startswith("1. ")
    assert (tmp_path / "p.md").read_text(encoding="utf-8") == text
    assert main(["export", "nope", "--out", str(tmp_path / "n.html"), "--db", db]) == EXIT_INPUT
    assert main(["generate", "--doc", "nda", "--company", "Acme", "--db", db]) == EXIT_INPUT
    assert "Other party must not be empty." in capsys.readouterr().err

"""The `contractgen` command: the same engine as the app, for scripts and checks.

Exit codes: 0 done; 1 unexpected error; 2 bad input (nothing was generated);
3 the provider failed (the text written so far is saved); 130 interrupted
(the text so far is saved).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import Settings
from .errors import ContractgenError, InputError
from .generation import Generation, follow, manager
from .library import get_library, outline
from .providers import make_provider
from .request import parse_request

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_PROVIDER, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _fields(pairs: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError([f"--field takes key=value, not \u201c{pair}\u201d."])
        fields[key.strip().replace("-", "_")] = value
    return fields


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contractgen", description="Draft legal documents, streamed and resilient.")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="Write a draft to a Markdown file.")
    gen.add_argument("--doc", default="tos", choices=["tos"], help="Document type (tos: Terms of Service).")
    gen.add_argument("--company", help="Company name (required).")
    gen.add_argument("--field", action="append", default=[], metavar="KEY=VALUE",
                     help="Any other answer, e.g. website=https://acme.example payments=yes minimum_age=16. Repeatable.")
    gen.add_argument("--provider", choices=["auto", "offline", "openai"], help="Default auto: openai when a key or base URL is set.")
    gen.add_argument("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (or OPENAI_BASE_URL).")
    gen.add_argument("--model", help="Model name (or OPENAI_MODEL).")
    gen.add_argument("--api-key", help="API key (prefer the OPENAI_API_KEY environment variable: flags show in ps).")
    gen.add_argument("--connect-timeout", type=float, metavar="S", help="Seconds to establish a connection (default 10).")
    gen.add_argument("--read-timeout", type=float, metavar="S", help="Seconds without data before a stall is declared (default 60).")
    gen.add_argument("--rate", type=float, metavar="TOKENS_PER_S", help="Offline engine speed; 0 = as fast as possible (default 50).")
    gen.add_argument("--out", default="-", help="Markdown file to write; - for standard output (default).")
    gen.add_argument("--quiet", action="store_true", help="No progress on stderr.")

    srv = sub.add_parser("serve-offline", help="Serve the offline engine as an OpenAI-compatible endpoint.")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000, help="0 picks a free port (printed on start).")
    srv.add_argument("--rate", type=float, default=50.0, metavar="TOKENS_PER_S")
    srv.add_argument("--api-key", help="Require this bearer key (to exercise the invalid-key path).")
    srv.add_argument("--verbose", action="store_true", help="Log each request.")
    return parser


def _progress(total: int, stream):
    shown = {"n": 0}

    def report(generation: Generation) -> None:
        done = generation.completed_sections
        for section in done[shown["n"]:]:
            print(f"[{section.number}/{total}] {section.title}", file=stream, flush=True)
        shown["n"] = len(done)

    return report


def cmd_generate(args: argparse.Namespace) -> int:
    answers = _fields(args.field)
    if args.company is not None:
        answers["company"] = args.company
    request = parse_request(answers)
    settings = Settings.from_env(os.environ, provider=args.provider, base_url=args.base_url, model=args.model,
                                 api_key=args.api_key, connect_timeout=args.connect_timeout,
                                 read_timeout=args.read_timeout, rate=args.rate)
    out = None if args.out == "-" else Path(args.out)
    if out is not None:
        # Fail before generating, not after minutes of streaming.
        if out.is_dir() or not out.parent.exists():
            raise InputError([f"Cannot write {out}: the folder does not exist or it is a folder."])
    provider = make_provider(settings)
    total = len(outline(get_library(request.doc_type), request))
    log = sys.stderr
    if not args.quiet:
        print(f"Drafting with {provider.label}; {total} sections.", file=log, flush=True)
    generation = manager().start(request, provider)
    try:
        text = follow(generation, None if args.quiet else _progress(total, log))
    except KeyboardInterrupt:
        _save(out, generation.text)
        print(f"Interrupted; the {len(generation.text):,} characters written so far are saved.", file=log)
        return EXIT_INTERRUPTED
    _save(out, text)
    if generation.status != "completed":
        where = f" in {out}" if out else ""
        print(f"error: {generation.error}", file=log)
        if text:
            print(f"The draft is incomplete; the {len(text):,} characters written so far are saved{where}.", file=log)
        return EXIT_PROVIDER
    if not args.quiet:
        usage = generation.usage
        tokens = f", {usage.completion_tokens:,} tokens{' (estimated)' if usage.estimated else ''}" if usage else ""
        print(f"Done: {len(text.split()):,} words{tokens}" + (f", written to {out}." if out else "."), file=log)
    return EXIT_OK


def _save(out: Path | None, text: str) -> None:
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    elif text:
        # Write to a temporary file then rename, so a crash never leaves half a file over a good one.
        tmp = out.with_name(out.name + ".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)


def cmd_serve_offline(args: argparse.Namespace) -> int:
    from .server import OfflineServer

    try:
        server = OfflineServer(args.host, args.port, rate=args.rate, api_key=args.api_key, verbose=args.verbose)
    except OSError as exc:
        raise InputError([f"Cannot listen on {args.host}:{args.port}: {exc.strerror}."]) from None
    # Tests and scripts read the address from this first line.
    print(f"Serving the offline engine on {server.base_url} (model contractgen-offline). Ctrl-C stops.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            return cmd_generate(args)
        return cmd_serve_offline(args)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except ContractgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROVIDER


if __name__ == "__main__":
    sys.exit(main())

"""How a cut stream is asked to continue, chosen by what the server can do.

| strategy   | request                                                            | servers                        |
|------------|--------------------------------------------------------------------|--------------------------------|
| prefill    | the partial text is the last message, an assistant message, and the | vLLM, SGLang (`continue_final_ |
|            | server continues it in place                                       | message`), DeepSeek/Mistral    |
|            |                                                                    | (`prefix`), Ollama, llama.cpp  |
|            |                                                                    | `llama-server` (native)        |
| completion | the chat template rendered here, the partial text appended, sent   | llama-cpp-python, vLLM, any    |
|            | to `/v1/completions`: a raw prompt is always continued in place     | server with a completions API  |
| instruct   | the partial text, then a user message asking to continue; the     | the OpenAI API                 |
|            | model starts a new reply and the seam absorbs restarts/preambles   |                                |
| auto       | probe once per (base URL, model): a tiny prefill, then a tiny      | default                        |
|            | completion; the first that continues in place wins, else instruct |                                |

A chat conversation that ends with a user message makes the template close the
assistant turn and open a new one, so the model writes a new reply (restarts,
preambles) whatever the instruction says. Only a final assistant message that
the server leaves open, or a raw prompt, is continued where it stops.
"""

from __future__ import annotations

import threading
from typing import Any

STRATEGIES = {
    "auto": "Probe the server once and use the best it supports (default).",
    "prefill": "The partial text is the final assistant message; the server continues it in place.",
    "completion": "Render the chat template, append the partial text, continue on /v1/completions.",
    "instruct": "Send the partial text and ask the model to continue (OpenAI API); the seam absorbs restarts.",
}

# Chat templates for the completion strategy, by family: (turn format, assistant opening).
# Written out rather than read from the model's files: nothing is downloaded at run time.
TEMPLATES: dict[str, tuple[str, str]] = {
    "chatml": ("<|im_start|>{role}\n{content}<|im_end|>\n", "<|im_start|>assistant\n"),
    "llama3": ("<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>",
               "<|start_header_id|>assistant<|end_header_id|>\n\n"),
    "gemma": ("<start_of_turn>{role}\n{content}<end_of_turn>\n", "<start_of_turn>model\n"),
    "phi3": ("<|{role}|>\n{content}<|end|>\n", "<|assistant|>\n"),
    "mistral": ("[INST] {content} [/INST]", ""),
}
_PREFIXES = {"llama3": "<|begin_of_text|>", "mistral": "<s>"}

PROBE_PROMPT = "Write the numbers from 1 to 30, separated by commas."
PROBE_PARTIAL = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,"
PROBE_NEXT = "13"

# vLLM/SGLang continue a final assistant message with these; DeepSeek and Mistral read `prefix`.
PREFILL_EXTRA = {"continue_final_message": True, "add_generation_prompt": False}


def template_for(model: str) -> str:
    """The chat template family a model name suggests (ChatML when nothing else matches: SmolLM, Qwen, Hermes...)."""
    name = model.lower()
    for key, family in (("llama-3", "llama3"), ("llama3", "llama3"), ("gemma", "gemma"), ("phi-3", "phi3"),
                        ("phi3", "phi3"), ("mistral", "mistral"), ("mixtral", "mistral")):
        if key in name:
            return family
    return "chatml"


def render(messages: list[dict[str, Any]], template: str) -> str:
    """The prompt a chat server would build from `messages`, with the assistant's turn left open."""
    if template not in TEMPLATES:
        from .errors import InputError
        raise InputError([f"Unknown chat template \u201c{template}\u201d; use one of: {', '.join(TEMPLATES)}."])
    turn, opening = TEMPLATES[template]
    out = [_PREFIXES.get(template, "")]
    if template == "mistral":  # no system role: it is folded into the first user turn
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        for m in messages:
            if m["role"] == "user":
                content = f"{system}\n\n{m['content']}" if system else m["content"]
                out.append(turn.format(role="user", content=content))
                system = ""
            elif m["role"] == "assistant":
                out.append(f" {m['content']}</s>")
        return "".join(out)
    for m in messages:
        role = "model" if template == "gemma" and m["role"] == "assistant" else m["role"]
        if template == "gemma" and role == "system":
            role = "user"
        out.append(turn.format(role=role, content=m["content"]))
    return "".join(out) + opening


def prefill_messages(messages: list[dict[str, Any]], partial: str) -> list[dict[str, Any]]:
    """`messages` with `partial` as the final assistant message, marked for servers that read `prefix`."""
    return [*messages, {"role": "assistant", "content": partial, "prefix": True}]


class Probe:
    """What each (base URL, model) supports, probed once per process and cached."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def resolve(self, client, base_url: str | None, model: str, template: str) -> str:
        if not base_url or "api.openai.com" in base_url:
            return "instruct"  # the OpenAI API: no prefill, no completions for chat models
        key = (base_url, model)
        with self._lock:
            if key in self._found:
                return self._found[key]
        found = self._probe(client, model, template)
        with self._lock:
            return self._found.setdefault(key, found)

    def forget(self) -> None:
        with self._lock:
            self._found.clear()

    @staticmethod
    def _probe(client, model: str, template: str) -> str:
        messages = [{"role": "user", "content": PROBE_PROMPT}]
        tiny = {"model": model, "max_tokens": 8, "temperature": 0, "timeout": 30}
        try:
            reply = client.chat.completions.create(messages=prefill_messages(messages, PROBE_PARTIAL),
                                                   extra_body=PREFILL_EXTRA, **tiny)
            if _continues(reply.choices[0].message.content if reply.choices else ""):
                return "prefill"
        except Exception:  # noqa: BLE001 - a server that refuses the probe simply lacks the feature
            pass
        try:
            reply = client.completions.create(prompt=render(messages, template) + PROBE_PARTIAL, **tiny)
            if _continues(reply.choices[0].text if reply.choices else ""):
                return "completion"
        except Exception:  # noqa: BLE001
            pass
        return "instruct"


def _continues(text: str | None) -> bool:
    return (text or "").strip().startswith(PROBE_NEXT)


PROBE = Probe()
